"""Long-term memory on disk: one SQLite file (WAL, FTS5), kept on this computer only.

Deleted items are really gone: secure_delete zeroes freed pages, the full-text index is merged
so no old segment keeps their words, and the WAL is checkpointed and truncated. A file that is
not our database, or is damaged, is set aside (never overwritten) and memory starts empty; a
file from a newer version is left alone and memory runs in RAM for this session.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from avatar_desktop.core.atomic import move_aside
from avatar_desktop.core.memory_items import (
    KINDS,
    Change,
    Fact,
    Forget,
    MemoryItem,
    Source,
    clean_key,
    clean_text,
)
from avatar_desktop.core.recall import match_all, match_any, terms
from avatar_desktop.storage.errors import StorageError

log = logging.getLogger(__name__)

FILE_NAME = "memory.sqlite3"
UNREADABLE_DIR = "unreadable"
APPLICATION_ID = 0x41764D6D  # "AvMm": marks the file as ours
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000  # another app instance writing: wait, do not fail
SQLITE_HEADER = b"SQLite format 3\x00"
_COLUMNS = "id, text, kind, key, persona, session_id, message_id, told, created, last_used, uses"


_V1 = (
    """CREATE TABLE items(
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('fact', 'episode')),
        key TEXT,
        persona TEXT,
        session_id TEXT,
        message_id TEXT,
        told REAL NOT NULL,
        created REAL NOT NULL,
        last_used REAL,
        uses INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX items_by_key ON items(key)",
    """CREATE VIRTUAL TABLE items_fts USING fts5(
        text, key, content='items', content_rowid='id', tokenize='porter unicode61'
    )""",
    """CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
        INSERT INTO items_fts(rowid, text, key) VALUES (new.id, new.text, new.key);
    END""",
    """CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, text, key)
            VALUES ('delete', old.id, old.text, old.key);
    END""",
    """CREATE TRIGGER items_au AFTER UPDATE OF text, key ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, text, key)
            VALUES ('delete', old.id, old.text, old.key);
        INSERT INTO items_fts(rowid, text, key) VALUES (new.id, new.text, new.key);
    END""",
)


def _create_v1(db: sqlite3.Connection) -> None:
    """executescript would commit the opening transaction, so one statement at a time."""
    for statement in _V1:
        db.execute(statement)


# Upgrades by the version they start from; each runs inside the opening transaction.
UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {0: _create_v1}


class UnusableMemory(StorageError):
    """The memory file could not be used as it was; ``str`` says what happened to it."""


class MemoryStore:
    """The memory database; every method may run on any worker thread (one lock serialises)."""

    def __init__(self, path: Path | None) -> None:
        """``path`` None keeps memory in RAM (a newer version's file, or tests)."""
        self.path = path
        self.problem: str | None = None  # a notice for the user, set when the file was set aside
        self._lock = threading.Lock()
        self._db = self._connect(path)

    @classmethod
    def open(cls, path: Path) -> MemoryStore:
        """The store at ``path``; a bad file is set aside first and ``problem`` says so."""
        try:
            return cls._open_checked(path)
        except _SetAside as aside:
            store = cls(path)
            store.problem = str(aside)
            return store
        except _TooNew as newer:
            store = cls(None)
            store.problem = str(newer)
            return store
        except (sqlite3.OperationalError, OSError) as exc:  # locked, disk full, no permission
            log.warning("memory file unusable for now: %s", exc)
            store = cls(None)
            store.problem = (
                f"The memory file could not be opened ({exc}); for now, what you say is "
                "remembered only until you quit."
            )
            return store

    @classmethod
    def _open_checked(cls, path: Path) -> MemoryStore:
        reason = _foreign_header(path)
        if reason:
            raise _SetAside(_set_aside(path, reason))
        try:
            return cls(path)
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError as exc:
            raise _SetAside(_set_aside(path, f"it is damaged ({exc})")) from exc

    def _connect(self, path: Path | None) -> sqlite3.Connection:
        target = str(path) if path is not None else ":memory:"
        db = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=5)
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            _check_ours(db, path)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA secure_delete=ON")
            _upgrade(db, path)
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so two instances queue instead of failing."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    # --- writing ------------------------------------------------------------------------------

    def add(
        self,
        text: str,
        *,
        kind: str = "fact",
        key: str | None = None,
        persona: str | None = None,
        source: Source | None = None,
        now: float | None = None,
    ) -> MemoryItem:
        """Keep an item; a fact with the same key and scope replaces the old one."""
        with self._write() as db:
            item, _removed = self._add(db, text, kind, key, persona, source, now)
        return item

    def apply(
        self,
        changes: Sequence[Change],
        *,
        persona: str | None = None,
        source: Source | None = None,
        now: float | None = None,
    ) -> tuple[list[MemoryItem], int]:
        """An extractor's changes in one transaction: (items kept, how many were removed)."""
        added: list[MemoryItem] = []
        removed = 0
        with self._write() as db:
            for change in changes:
                if isinstance(change, Fact):
                    item, gone = self._add(
                        db, change.text, "fact", change.key, persona, source, now
                    )
                    added.append(item)
                    removed += gone
                elif isinstance(change, Forget):
                    removed += self._forget(db, change, source)
        if removed:
            self.purge()
        return added, removed

    def _add(
        self,
        db: sqlite3.Connection,
        text: str,
        kind: str,
        key: str | None,
        persona: str | None,
        source: Source | None,
        now: float | None,
    ) -> tuple[MemoryItem, int]:
        if kind not in KINDS:
            raise ValueError(f"not a memory kind: {kind!r}")
        text = clean_text(text)
        key = clean_key(key) if key else None
        now = time.time() if now is None else now
        source = source or Source(told=now)
        removed = 0
        if key is not None:
            removed = db.execute(
                "DELETE FROM items WHERE key = ? AND persona IS ?", (key, persona)
            ).rowcount
        cursor = db.execute(
            "INSERT INTO items(text, kind, key, persona, session_id, message_id, told, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (text, kind, key, persona, source.session_id, source.message_id, source.told, now),
        )
        row = db.execute(f"SELECT {_COLUMNS} FROM items WHERE id = ?", (cursor.lastrowid,))
        return _item(row.fetchone()), removed

    def _forget(self, db: sqlite3.Connection, change: Forget, source: Source | None) -> int:
        """By key when the words were a known statement; else every item with all the words;
        with no words, the latest fact told in the same conversation."""
        ids: set[int] = set()
        for key in change.keys:
            ids.update(r[0] for r in db.execute("SELECT id FROM items WHERE key = ?", (key,)))
        words = terms(change.words)
        if not ids and words:
            query = "SELECT rowid FROM items_fts WHERE items_fts MATCH ?"
            ids.update(r[0] for r in db.execute(query, (match_all(words),)))
        if not ids and not words and source is not None and source.session_id:
            row = db.execute(
                "SELECT id FROM items WHERE session_id = ? AND kind = 'fact' "
                "ORDER BY created DESC LIMIT 1",
                (source.session_id,),
            ).fetchone()
            ids.update([row[0]] if row else [])
        for item_id in ids:
            db.execute("DELETE FROM items WHERE id = ?", (item_id,))
        return len(ids)

    def update(self, item_id: int, text: str) -> None:
        """The user's own wording replaces the item's text (the old text is wiped)."""
        with self._write() as db:
            db.execute("UPDATE items SET text = ? WHERE id = ?", (clean_text(text), item_id))
        self.purge()

    def delete(self, ids: Sequence[int]) -> int:
        with self._write() as db:
            gone = sum(db.execute("DELETE FROM items WHERE id = ?", (i,)).rowcount for i in ids)
        self.purge()
        return gone

    def clear(self) -> None:
        """Forget everything."""
        with self._write() as db:
            db.execute("DELETE FROM items")
        self.purge()

    def mark_used(self, ids: Sequence[int], now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._write() as db:
            db.executemany(
                "UPDATE items SET last_used = ?, uses = uses + 1 WHERE id = ?",
                [(now, i) for i in ids],
            )

    def purge(self) -> None:
        """Make deleted text unrecoverable from the file: merge the index, truncate the WAL."""
        with self._lock:
            self._db.execute("INSERT INTO items_fts(items_fts) VALUES ('optimize')")
            busy = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy and busy[0]:
            log.info("memory checkpoint waits for another reader; the WAL is wiped later")

    # --- reading ------------------------------------------------------------------------------

    def search(
        self, fts_query: str, *, persona: str | None = None, limit: int = 40
    ) -> list[tuple[MemoryItem, float]]:
        """Items matching an FTS5 query with their BM25 (lower is better), for this persona."""
        rows = self._read(
            f"SELECT {', '.join('i.' + c.strip() for c in _COLUMNS.split(','))},"
            " bm25(items_fts, 1.0, 0.5) AS rank"
            " FROM items_fts JOIN items i ON i.id = items_fts.rowid"
            " WHERE items_fts MATCH ? AND (i.persona IS NULL OR i.persona IS ?)"
            " ORDER BY rank LIMIT ?",
            (fts_query, persona, limit),
        )
        return [(_item(row[:-1]), float(row[-1])) for row in rows]

    def items(self, text: str = "") -> list[MemoryItem]:
        """Everything, newest first, or what matches any of the words of ``text``."""
        words = terms(text)
        if words:
            found = self.search(" OR ".join(f"{q}*" for q in match_any(words).split(" OR ")))
            return sorted((item for item, _ in found), key=lambda i: i.created, reverse=True)
        rows = self._read(f"SELECT {_COLUMNS} FROM items ORDER BY created DESC, id DESC")
        return [_item(row) for row in rows]

    def get(self, item_id: int) -> MemoryItem | None:
        rows = self._read(f"SELECT {_COLUMNS} FROM items WHERE id = ?", (item_id,))
        return _item(rows[0]) if rows else None

    def count(self) -> int:
        return int(self._read("SELECT count(*) FROM items")[0][0])


class _SetAside(Exception):
    """The file was moved aside; the message is the user's notice."""


class _TooNew(Exception):
    """The file is from a newer version of the app."""


def _foreign_header(path: Path) -> str | None:
    """Why ``path`` is certainly not an SQLite database, or None (absent and empty are fine)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "it is a folder, not a file"
    if (head and head != SQLITE_HEADER[: len(head)]) or 0 < len(head) < len(SQLITE_HEADER):
        return "it is not a memory database"
    return None


def _check_ours(db: sqlite3.Connection, path: Path | None) -> None:
    """Refuse another program's SQLite file, a damaged one, or one from a newer version."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
        raise sqlite3.DatabaseError("it belongs to another program")
    if version > SCHEMA_VERSION:
        raise _TooNew(
            f"Memory was saved by a newer version of the app (format {version}), so it is left "
            f"untouched at {path}; for now, what you say is remembered only until you quit."
        )
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise sqlite3.DatabaseError(f"it is damaged ({check})")


def _upgrade(db: sqlite3.Connection, path: Path | None) -> None:
    """Bring the schema to SCHEMA_VERSION; another instance may be doing it too, so re-read."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        while version < SCHEMA_VERSION:
            UPGRADES[version](db)
            version += 1
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _set_aside(path: Path, reason: str) -> str:
    """Move the file (and its WAL) aside; the sentence the user reads about it."""
    into = path.parent / UNREADABLE_DIR
    kept = move_aside(path, into)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            move_aside(extra, into)
    log.warning("memory file set aside: %s (%s)", kept, reason)
    return (
        f"The memory file could not be used ({reason}), so memory starts empty. "
        f"The old file was kept at {kept}."
    )


def _item(row: Sequence[Any]) -> MemoryItem:
    item_id, text, kind, key, persona, session_id, message_id, told, created, used, uses = row
    return MemoryItem(
        id=int(item_id),
        text=str(text),
        kind=kind,
        key=key,
        persona=persona,
        source=Source(session_id, message_id, float(told)),
        created=float(created),
        last_used=None if used is None else float(used),
        uses=int(uses),
    )
