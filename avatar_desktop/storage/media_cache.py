"""A size-bounded folder of downloaded videos: least recently played go first, playing never."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from avatar_desktop.core.atomic import temp_target

log = logging.getLogger(__name__)

STALE_TEMP_S = 24 * 3600
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


@dataclass(frozen=True, slots=True)
class _Entry:
    path: Path
    size: int
    mtime: float


class MediaCache:
    """Files in ``folder`` kept under ``limit_bytes`` in all; safe to share between threads.

    A file's mtime is its last use (``add`` and ``touch`` set it), so trimming by mtime drops
    the least recently used. Temp files of downloads still running (``.name.xxxx.tmp``, see
    ``core.atomic``) are neither counted nor removed until a day old (a crash left them).
    """

    def __init__(self, folder: Path, limit_bytes: int) -> None:
        self.folder = Path(folder)
        self.limit_bytes = max(0, int(limit_bytes))
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path_for(self, name: str) -> Path:
        """A fresh path in the folder for ``name`` (made safe; never one that exists)."""
        raw = Path(name).name
        suffix_match = _SUFFIX.fullmatch(Path(raw).suffix)
        suffix = suffix_match.group(0).lower() if suffix_match else ""
        stem = _SAFE.sub("_", Path(raw).stem if suffix else raw).strip("_")[:60] or "media"
        with self._lock:
            while True:
                token = f"{time.time_ns():x}-{next(self._counter)}"
                path = self.folder / f"{stem}-{token}{suffix}"
                if not path.exists():
                    return path

    def add(self, path: Path, *, keep: Collection[Path] = ()) -> int:
        """Mark a finished file as just used, then trim the others; returns the bytes freed."""
        self.touch(path)
        return self.trim(keep=(path, *keep))

    def touch(self, path: Path) -> None:
        """Mark ``path`` as just used, so it is among the last to go."""
        with contextlib.suppress(FileNotFoundError):
            os.utime(path)

    def total_bytes(self) -> int:
        with self._lock:
            return sum(entry.size for entry in self._entries())

    def trim(self, keep: Collection[Path] = ()) -> int:
        """Remove least recently used files until the total fits; never one in ``keep``."""
        kept = {_same(path) for path in keep}
        freed = 0
        with self._lock:
            entries = sorted(self._entries(), key=lambda e: (e.mtime, e.path.name))
            total = sum(entry.size for entry in entries)
            for entry in entries:
                if total <= self.limit_bytes:
                    break
                if _same(entry.path) in kept:
                    continue
                try:
                    entry.path.unlink()
                except FileNotFoundError:
                    pass  # someone else removed it: it no longer counts either way
                except OSError as exc:  # e.g. open in a player on Windows; try next time
                    log.warning("could not remove cached %s: %s", entry.path.name, exc)
                    continue
                else:
                    freed += entry.size
                total -= entry.size
        if freed:
            log.debug("media cache: freed %d bytes, %d left", freed, total)
        return freed

    def _entries(self) -> Iterator[_Entry]:
        """Finished files with their size and last use; files vanishing meanwhile are skipped."""
        try:
            listing = list(os.scandir(self.folder))
        except FileNotFoundError:
            return
        now = time.time()
        for item in listing:
            try:
                if not item.is_file(follow_symlinks=False):
                    continue
                info = item.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if temp_target(item.name) is not None:  # ours: a write in progress or killed
                if now - info.st_mtime > STALE_TEMP_S:
                    with contextlib.suppress(OSError):
                        os.unlink(item.path)
                continue
            yield _Entry(Path(item.path), info.st_size, info.st_mtime)


def _same(path: Path) -> str:
    """One spelling per file, so ``keep`` matches however the caller wrote the path."""
    return os.path.normcase(os.path.abspath(path))
