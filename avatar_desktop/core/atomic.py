"""File writes that leave either the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
# Our temp names: "." + target name + "." + mkstemp's random characters + TEMP_SUFFIX.
_TEMP_NAME = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]+" + re.escape(TEMP_SUFFIX), re.DOTALL)
_IS_WINDOWS = os.name == "nt"
_REPLACE_RETRY_DELAYS = (0.005, 0.01, 0.02, 0.05, 0.1)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a synced temp file and ``os.replace`` so a crash never leaves a torn file."""
    path = Path(path)
    fd, temp_name = make_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _sync_directory(path.parent)


def atomic_write_text(path: Path, text: str, *, errors: str = "strict") -> None:
    """Write text as UTF-8 without newline translation, so files are the same on every OS."""
    atomic_write_bytes(path, text.encode("utf-8", errors))


def make_temp(path: Path) -> tuple[int, str]:
    """Open a new temp file beside ``path``, named so ``temp_target`` can tell it is ours."""
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)


def temp_target(name: str) -> str | None:
    """The file name a temp file of ours was writing, or None when ``name`` is not ours."""
    match = _TEMP_NAME.fullmatch(name)
    return match["target"] if match else None


def remove_temps(folder: Path, *, target: str | None = None, recursive: bool = False) -> int:
    """Delete our leftover temp files in ``folder`` (only those for ``target`` if given).

    A kill during a write leaves one behind, often a full copy of the file; only names that
    ``temp_target`` recognises and that are regular files (not links) are removed.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        try:
            if recursive and entry.is_dir(follow_symlinks=False):
                removed += remove_temps(Path(entry.path), target=target, recursive=True)
                continue
            name_target = temp_target(entry.name)
            if name_target is None or (target is not None and name_target != target):
                continue
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed += 1
        except OSError as exc:
            log.warning("could not remove the temp file %s: %s", entry.path, exc)
    return removed


def move_aside(path: Path, into: Path) -> Path:
    """Move a bad file into ``into`` under a new timestamped name, never overwriting anything."""
    into.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = _timestamp()
    for attempt in range(1000):
        extra = f"-{attempt}" if attempt else ""
        target = into / f"{path.stem}.{stamp}{extra}{path.suffix}"
        if target.exists():
            continue
        os.rename(path, target)
        return target
    raise FileExistsError(errno.EEXIST, "no free name to set the file aside", str(into))


def _replace(source: str, target: Path) -> None:
    """``os.replace``, retried briefly on Windows, where any open handle on the target blocks it.

    Works around Windows sharing rules (CPython opens files without FILE_SHARE_DELETE): a reader
    thread that has the old file open makes the replace fail with PermissionError for a moment.
    """
    for delay in _REPLACE_RETRY_DELAYS if _IS_WINDOWS else ():
        try:
            os.replace(source, target)
        except PermissionError:
            time.sleep(delay)  # only ever on the disk worker thread, never the GUI thread
        else:
            return
    os.replace(source, target)


def _timestamp() -> str:
    """A sortable UTC stamp, fine enough that two set-asides rarely share one."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _sync_directory(directory: Path) -> None:
    """Persist the rename itself on POSIX; Windows cannot open directories, and needs not."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        log.debug("fsync of %s failed: %s", directory, exc)
    finally:
        os.close(fd)
