"""One JSON file per conversation, so a bad file costs one conversation, never all of them."""

from __future__ import annotations

import builtins
import logging
import os
import threading
from pathlib import Path

from avatar_desktop.core.atomic import atomic_write_bytes, move_aside, remove_temps
from avatar_desktop.core.session import Session, SessionSummary
from avatar_desktop.storage.errors import StorageError, describe_os_error
from avatar_desktop.storage.safe_read import SESSION_LIMIT, NotAFile, TooLarge, read_regular_stat
from avatar_desktop.storage.session_format import (
    SCHEMA_VERSION,
    SessionFormatError,
    decode_session,
    encode_session,
)

log = logging.getLogger(__name__)

__all__ = [
    "SCHEMA_VERSION",
    "CorruptSession",
    "SessionNotFound",
    "SessionStore",
    "SessionSummary",
    "StorageError",
    "check_id",
    "is_valid_id",
]

SUFFIX = ".json"
UNREADABLE_DIR = "unreadable"
_ID_MAX = 200

_StatKey = tuple[int, int, int]

# What a hostile or damaged file can make decoding raise, beyond SessionFormatError: huge integers
# (OverflowError), deep nesting (RecursionError), bad bytes (UnicodeDecodeError, a ValueError).
_BAD_CONTENT = (SessionFormatError, OverflowError, RecursionError, ValueError, TypeError)
# Non-blocking so a FIFO cannot hang a read; binary so Windows never translates newlines.


class CorruptSession(StorageError):
    """A session file that could not be read; it was kept, untouched, at ``path``."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"A saved conversation could not be opened: {reason}. The file was kept at {path}."
        )
        self.path = path
        self.reason = reason


class SessionNotFound(StorageError):
    """The session has no file, e.g. it was deleted from another window."""


def _summary_of(session: Session) -> SessionSummary:
    return session.summary()


def _key(stat: os.stat_result) -> _StatKey:
    """Identity of one version of a file: os.replace always changes the inode."""
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def check_id(session_id: str) -> None:
    """Refuse ids that are not one plain file name, so no id can reach outside the folder."""
    if not is_valid_id(session_id):
        raise ValueError(f"not a valid session id: {session_id!r}")


def is_valid_id(session_id: str) -> bool:
    """Whether ``session_id`` names exactly one file in the folder (list() skips others)."""
    return (
        0 < len(session_id) <= _ID_MAX
        and not session_id.startswith(".")
        and not any(char in session_id for char in "/\\\x00")
        and Path(session_id).name == session_id
    )


class SessionStore:
    """Sessions on disk: one thread saves, any thread may list or load at the same time.

    Opening a store removes the temp files that killed saves left behind (often whole copies of
    conversations since deleted); nothing saves before the store exists, so none is in use.
    """

    def __init__(self, root: Path) -> None:
        self._root = Path(root)
        if removed := remove_temps(self._root):
            log.info("removed %d leftover temp files from %s", removed, self._root)
        self._lock = threading.Lock()
        # id -> (file version, summary); a None summary marks a bad file that could not be moved.
        self._cache: dict[str, tuple[_StatKey, SessionSummary | None]] = {}
        self._problems: list[CorruptSession] = []
        self._skipped: set[str] = set()  # entries that are not readable files, reported once

    @property
    def root(self) -> Path:
        return self._root

    def path_for(self, session_id: str) -> Path:
        check_id(session_id)
        return self._root / f"{session_id}{SUFFIX}"

    def save(self, session: Session) -> None:
        """Write the whole session atomically; the old file survives any failure."""
        path = self.path_for(session.id)
        data = encode_session(session)
        try:
            self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write_bytes(path, data)
        except OSError as exc:
            raise StorageError(describe_os_error("save the conversation", exc, self._root)) from exc
        try:
            key = _key(path.stat())
        except OSError:
            with self._lock:
                self._cache.pop(session.id, None)
            return
        self._remember(session.id, key, _summary_of(session))

    def load(self, session_id: str) -> Session:
        """Read one session, upgrading old formats in memory; bad files are set aside."""
        path = self.path_for(session_id)
        for _attempt in range(3):
            key, raw = self._read(path, session_id)
            try:
                session = decode_session(raw, session_id)
            except _BAD_CONTENT as exc:
                problem = self._set_aside(session_id, path, key, _reason(exc))
                if problem is None:
                    continue  # replaced while we read it: read the new version
                raise problem from exc
            self._remember(session_id, key, _summary_of(session))
            return session
        raise StorageError(f"The conversation {session_id} kept changing while being read.")

    def delete(self, session_id: str) -> None:
        """Remove a session's file; deleting one that is already gone is not an error."""
        path = self.path_for(session_id)
        try:
            path.unlink(missing_ok=True)
            remove_temps(self._root, target=path.name)  # a killed save's copy of it, if any
        except OSError as exc:
            raise StorageError(describe_os_error("delete the conversation", exc, path)) from exc
        finally:
            with self._lock:
                self._cache.pop(session_id, None)

    def take_problems(self) -> builtins.list[CorruptSession]:
        """Files set aside by list() since the last call, for the app to show once."""
        with self._lock:
            problems, self._problems = self._problems, []
        return problems

    def list(self) -> builtins.list[SessionSummary]:
        """All readable sessions, newest first; unchanged files are not parsed again."""
        try:
            with os.scandir(self._root) as entries:
                found = [e for e in entries if e.name.endswith(SUFFIX)]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageError(
                describe_os_error("list the conversations", exc, self._root)
            ) from exc
        candidates = [(stem, e) for e in found if is_valid_id(stem := e.name[: -len(SUFFIX)])]
        ids = [stem for stem, entry in candidates if self._is_session_file(stem, entry)]
        summaries = [summary for sid in ids if (summary := self._summary(sid)) is not None]
        with self._lock:
            for gone in self._cache.keys() - set(ids):
                del self._cache[gone]
            self._skipped &= {stem for stem, _entry in candidates}
        summaries.sort(key=lambda summary: (summary.updated, summary.id), reverse=True)
        return summaries

    def _summary(self, session_id: str) -> SessionSummary | None:
        """A cached summary while the file is unchanged, else parse it (and set it aside if bad)."""
        path = self._root / f"{session_id}{SUFFIX}"
        try:
            key = _key(path.stat())
        except OSError:
            return None
        with self._lock:
            cached = self._cache.get(session_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        try:
            key, raw = self._read(path, session_id)
            session = decode_session(raw, session_id)
        except _BAD_CONTENT as exc:
            problem = self._set_aside(session_id, path, key, _reason(exc))
            if problem is not None:
                with self._lock:
                    self._problems.append(problem)
            return None
        except SessionNotFound:
            return None  # deleted between the directory scan and the read
        except (StorageError, OSError) as exc:
            log.warning("skipping session %s: %s", session_id, exc)
            return None
        summary = _summary_of(session)
        self._remember(session_id, key, summary)
        return summary

    def _is_session_file(self, session_id: str, entry: os.DirEntry[str]) -> bool:
        """Whether a listed name is a regular file; anything else is skipped and reported once.

        A FIFO, a directory or a symlink loop cannot be set aside safely, so it stays, unlisted.
        """
        try:
            if entry.is_file():
                return True
            reason = "it is not a regular file"
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
        with self._lock:
            if session_id not in self._skipped:
                self._skipped.add(session_id)
                self._problems.append(CorruptSession(self._root / entry.name, reason))
                log.warning("skipping %s in the sessions folder: %s", entry.name, reason)
        return False

    def _read(self, path: Path, session_id: str) -> tuple[_StatKey, bytes]:
        """Bytes and version from one open handle, so the cache key matches the content.

        Only a regular file of sane size is read, so a FIFO, a device or a huge file never
        hangs the reader or fills memory.
        """
        try:
            info, raw = read_regular_stat(path, SESSION_LIMIT)
            return _key(info), raw
        except (NotAFile, TooLarge) as exc:
            raise StorageError(f"The conversation {session_id} was not opened: {exc}.") from exc
        except FileNotFoundError as exc:
            raise SessionNotFound(f"The conversation {session_id} no longer exists.") from exc
        except OSError as exc:
            raise StorageError(describe_os_error("open the conversation", exc, path)) from exc

    def _set_aside(
        self, session_id: str, path: Path, key: _StatKey, reason: str
    ) -> CorruptSession | None:
        """Move a bad file out of the way, unless it changed since it was read (then None)."""
        with self._lock:
            try:
                if _key(path.stat()) != key:
                    return None
                moved = move_aside(path, self._root / UNREADABLE_DIR)
            except FileNotFoundError:
                return None
            except OSError as exc:
                log.warning("could not set aside unreadable session %s: %s", path, exc)
                self._cache[session_id] = (key, None)
                return CorruptSession(path, reason)
            self._cache.pop(session_id, None)
        log.warning("set aside unreadable session %s as %s: %s", path, moved, reason)
        return CorruptSession(moved, reason)

    def _remember(self, session_id: str, key: _StatKey, summary: SessionSummary) -> None:
        with self._lock:
            self._cache[session_id] = (key, summary)


def _reason(exc: BaseException) -> str:
    """Words for a file that could not be decoded, also for errors with an empty message."""
    if isinstance(exc, SessionFormatError):
        return str(exc)
    if isinstance(exc, OverflowError):
        return "it holds a number too large to read"
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to read"
    if isinstance(exc, UnicodeDecodeError):
        return "it is not valid UTF-8 text"
    return f"it could not be read ({type(exc).__name__}: {exc})"
