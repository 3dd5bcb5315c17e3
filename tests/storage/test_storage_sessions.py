"""SessionStore: round trips, atomic saves, readable errors, set-aside files and the list cache."""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path

import pytest

from avatar_desktop.core import atomic
from avatar_desktop.core.session import Message, Role, Session
from avatar_desktop.storage import sessions
from avatar_desktop.storage.sessions import (
    SCHEMA_VERSION,
    UNREADABLE_DIR,
    CorruptSession,
    SessionNotFound,
    SessionStore,
    SessionSummary,
    StorageError,
)


def make_session(title: str = "Hello", *, updated: float = 1000.0, n: int = 2) -> Session:
    session = Session(title=title, created=updated - 10, updated=updated)
    for i in range(n):
        role: Role = "user" if i % 2 == 0 else "assistant"
        session.messages.append(Message(role=role, content=f"m{i}", created=updated - n + i))
    return session


def test_round_trip_with_unicode_and_flags(store: SessionStore) -> None:
    session = Session(
        title="Grüße 👋 — 日本語", persona="A calm tutor ✨", created=1.5, updated=9.25
    )
    session.messages += [
        Message(role="user", content='Ça va? 🙂\nline two\t"quoted" \\ back', created=2.0),
        Message(role="assistant", content="Half an ans", created=3.0, interrupted=True),
        Message(role="assistant", content="", created=4.0, error="Groq rejected the API key"),
    ]
    store.save(session)
    assert store.load(session.id) == session


def test_file_format(store: SessionStore) -> None:
    session = make_session()
    session.messages[1].interrupted = True
    store.save(session)
    raw = store.path_for(session.id).read_bytes()
    document = json.loads(raw.decode("utf-8"))
    assert document["schema_version"] == SCHEMA_VERSION == 2
    assert document["id"] == session.id
    assert set(document) == {
        "schema_version",
        "id",
        "title",
        "created",
        "updated",
        "persona",
        "messages",
    }
    first, second = document["messages"]
    assert set(first) == {"id", "role", "content", "created"}  # defaults are left out
    assert second["interrupted"] is True
    assert b"\n" not in raw.rstrip(b"\n")  # compact: one line


def test_non_ascii_is_stored_as_utf8(store: SessionStore) -> None:
    session = make_session(title="café")
    store.save(session)
    assert "café".encode() in store.path_for(session.id).read_bytes()


def test_save_overwrites_and_delete_removes(store: SessionStore) -> None:
    session = make_session()
    store.save(session)
    session.add(Message(role="user", content="more"))
    store.save(session)
    assert len(store.load(session.id).messages) == 3
    store.delete(session.id)
    store.delete(session.id)  # already gone: fine
    assert store.list() == []
    with pytest.raises(SessionNotFound):
        store.load(session.id)


@pytest.mark.parametrize("bad", ["", ".hidden", "../x", "a/b", "a\\b", "nul\x00", "x" * 201])
def test_ids_that_are_not_a_plain_file_name_are_refused(store: SessionStore, bad: str) -> None:
    with pytest.raises(ValueError):
        store.path_for(bad)


def test_failed_save_keeps_old_file_and_no_temp(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make_session(title="old title")
    store.save(session)
    before = store.path_for(session.id).read_bytes()

    def fail(*_args: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", fail)
    session.title = "new title"
    with pytest.raises(StorageError) as caught:
        store.save(session)
    monkeypatch.undo()
    assert isinstance(caught.value.__cause__, OSError)
    assert store.path_for(session.id).read_bytes() == before
    assert [p.name for p in store.root.iterdir()] == [f"{session.id}.json"]
    assert store.load(session.id).title == "old title"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "disk is full"),
        (errno.EROFS, "read-only disk"),
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "permission denied"),
        (errno.EIO, "Input/output error"),
    ],
)
def test_storage_error_names_the_cause(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    # Tests run as root, where chmod does not stop writes, so the OS error is simulated.
    def fail(*_args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(sessions, "atomic_write_bytes", fail)
    with pytest.raises(StorageError) as caught:
        store.save(make_session())
    message = str(caught.value)
    assert message.startswith("Could not save the conversation: ")
    assert words in message
    assert caught.value.message == message
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__cause__.errno == code


def test_list_is_newest_first(store: SessionStore) -> None:
    old, new, mid = (
        make_session("old", updated=100),
        make_session("new", updated=300),
        make_session("mid", updated=200),
    )
    for session in (old, new, mid):
        store.save(session)
    assert [s.title for s in store.list()] == ["new", "mid", "old"]
    assert store.list()[0] == SessionSummary(new.id, "new", 300.0, 2)


def test_list_of_missing_folder_is_empty(tmp_path: Path) -> None:
    assert SessionStore(tmp_path / "never-created").list() == []


def test_list_ignores_temp_and_other_files(store: SessionStore) -> None:
    session = make_session()
    store.save(session)
    (store.root / f".{session.id}.json.abc.tmp").write_text("{")
    (store.root / "notes.txt").write_text("hi")
    assert [s.id for s in store.list()] == [session.id]
    assert store.take_problems() == []


class _CountingDecode:
    def __init__(self) -> None:
        self.calls = 0
        self._real = sessions.decode_session

    def __call__(self, raw: bytes, session_id: str) -> Session:
        self.calls += 1
        return self._real(raw, session_id)


def test_list_does_not_reparse_unchanged_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = SessionStore(tmp_path / "s")
    a, b = make_session("a", updated=1), make_session("b", updated=2)
    writer.save(a)
    writer.save(b)
    counter = _CountingDecode()
    monkeypatch.setattr(sessions, "decode_session", counter)
    reader = SessionStore(tmp_path / "s")  # a fresh store has to parse each file once
    assert len(reader.list()) == 2
    assert counter.calls == 2
    assert len(reader.list()) == 2
    assert counter.calls == 2  # cache hit: nothing reparsed
    a.title = "a, renamed"
    writer.save(a)  # another store changed the file
    assert {s.title for s in reader.list()} == {"a, renamed", "b"}
    assert counter.calls == 3


def test_own_save_updates_the_cache_without_parsing(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = _CountingDecode()
    monkeypatch.setattr(sessions, "decode_session", counter)
    session = make_session()
    store.save(session)
    session.add(Message(role="user", content="x", created=5000))
    store.save(session)
    assert store.list() == [SessionSummary(session.id, session.title, 5000, 3)]
    assert counter.calls == 0


BAD_FILES = {
    "not-json": b"{this is not json",
    "not-utf8": b'{"schema_version": 2, "title": "\xff\xfe"}',
    "wrong-shape": b'{"schema_version": 2, "title": 5, "messages": []}',
    "a-list": b"[1, 2, 3]",
    "bad-message": (
        b'{"schema_version":2,"title":"t","created":1,"updated":2,"persona":null,'
        b'"messages":[{"id":"x","role":"robot","content":"hi","created":1}]}'
    ),
    "no-version": b'{"title": "t"}',
    "newer": b'{"schema_version": 99, "title": "from the future"}',
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_load_sets_bad_file_aside(store: SessionStore, name: str) -> None:
    store.root.mkdir()
    original = store.path_for(name)
    original.write_bytes(BAD_FILES[name])
    with pytest.raises(CorruptSession) as caught:
        store.load(name)
    problem = caught.value
    assert not original.exists()
    assert problem.path.parent == store.root / UNREADABLE_DIR
    assert problem.path.name.startswith(f"{name}.")
    assert problem.path.read_bytes() == BAD_FILES[name]  # kept byte for byte
    assert str(problem.path) in str(problem)
    assert problem.reason in str(problem)


def test_newer_schema_reason(store: SessionStore) -> None:
    store.root.mkdir()
    store.path_for("future").write_bytes(BAD_FILES["newer"])
    with pytest.raises(
        CorruptSession, match=r"written by a newer version of Avatar Desktop \(schema 99\)"
    ):
        store.load("future")


def test_list_skips_bad_files_and_reports_them_once(store: SessionStore) -> None:
    good = make_session()
    store.save(good)
    for name in ("broken", "future"):
        store.path_for(name).write_bytes(BAD_FILES["not-json" if name == "broken" else "newer"])
    assert [s.id for s in store.list()] == [good.id]
    problems = store.take_problems()
    assert sorted(p.path.name.split(".")[0] for p in problems) == ["broken", "future"]
    assert all(p.path.exists() for p in problems)
    assert store.take_problems() == []
    assert [s.id for s in store.list()] == [good.id]
    assert store.take_problems() == []


def test_later_saves_never_touch_set_aside_files(store: SessionStore) -> None:
    store.root.mkdir()
    store.path_for("broken").write_bytes(b"garbage")
    store.list()
    (problem,) = store.take_problems()
    stat_before = problem.path.stat()
    fresh = make_session()
    store.save(fresh)
    again = Session(id="broken", title="a new session that reuses the id")
    store.save(again)
    assert problem.path.read_bytes() == b"garbage"
    assert problem.path.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert list((store.root / UNREADABLE_DIR).iterdir()) == [problem.path]
    assert {s.id for s in store.list()} == {fresh.id, "broken"}


def test_bad_file_that_cannot_be_moved_is_reported_once(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.root.mkdir()
    bad = store.path_for("stuck")
    bad.write_bytes(b"garbage")

    def fail(*_args: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(sessions, "move_aside", fail)
    assert store.list() == []
    (problem,) = store.take_problems()
    assert problem.path == bad and bad.exists()
    assert store.list() == []
    assert store.take_problems() == []


def test_concurrent_list_and_load_while_saving(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s")
    session = make_session(n=50)
    store.save(session)
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                assert [s.id for s in store.list()] == [session.id]
                assert store.load(session.id).id == session.id
        except BaseException as exc:  # handed to the main thread, which fails the test
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    for i in range(100):
        session.add(Message(role="user", content=f"n{i}", created=2000.0 + i))
        store.save(session)
    stop.set()
    for thread in readers:
        thread.join()
    assert errors == []
    assert store.take_problems() == []
    assert store.list()[0].message_count == 150


def test_every_listed_id_can_be_loaded(store: SessionStore) -> None:
    """An odd but legal file name (colon, spaces) must not be listed yet refused by load()."""
    store.root.mkdir()
    donor = make_session()
    store.save(donor)
    for odd in ("chat: monday", "with space"):
        (store.root / f"{odd}.json").write_bytes(store.path_for(donor.id).read_bytes())
    listed = {s.id for s in store.list()}
    assert listed == {donor.id, "chat: monday", "with space"}
    for session_id in listed:
        assert store.load(session_id).id == session_id


def _bad_entries(root: Path) -> None:
    """A symlink loop, a directory and a FIFO, each named like a session file."""
    root.mkdir(parents=True, exist_ok=True)
    os.symlink(root / "loop.json", root / "loop.json")
    (root / "folder.json").mkdir()
    os.mkfifo(root / "pipe.json")


def test_entries_that_are_not_files_cost_themselves_only(store: SessionStore) -> None:
    good = make_session("Kept")
    store.save(good)
    _bad_entries(store.root)
    assert [s.id for s in store.list()] == [good.id]
    reported = {problem.path.name for problem in store.take_problems()}
    assert reported == {"loop.json", "folder.json", "pipe.json"}
    assert [s.id for s in store.list()] == [good.id]
    assert store.take_problems() == []  # reported once, not at every listing
    assert (store.root / "pipe.json").exists()  # never moved or removed


def test_loading_a_fifo_does_not_block(store: SessionStore) -> None:
    store.root.mkdir(parents=True)
    os.mkfifo(store.root / "pipe.json")
    with pytest.raises(StorageError):
        store.load("pipe")


@pytest.mark.parametrize(
    "body",
    [
        b'{"schema_version": 2, "id": "x", "created": 1' + b"0" * 400 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff\xfe not utf-8 \x80",
    ],
)
def test_any_decoding_error_sets_that_file_aside(store: SessionStore, body: bytes) -> None:
    good = make_session("Kept")
    store.save(good)
    (store.root / "bad.json").write_bytes(body)
    assert [s.id for s in store.list()] == [good.id]
    problems = store.take_problems()
    assert len(problems) == 1 and problems[0].path.parent.name == UNREADABLE_DIR
    assert not (store.root / "bad.json").exists()


def _leftover(folder: Path, target: str, text: str) -> Path:
    """A temp file as a save killed before its rename leaves it."""
    fd, name = atomic.make_temp(folder / target)
    os.write(fd, text.encode())
    os.close(fd)
    return Path(name)


def test_opening_the_store_removes_leftover_temps_only(tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    root.mkdir()
    ours = [_leftover(root, f"{i:032x}.json", "a deleted conversation") for i in range(3)]
    notes = root / "notes.tmp"
    notes.write_text("the user's own", encoding="utf-8")
    kept = SessionStore(root)
    good = make_session("Kept")
    kept.save(good)
    again = SessionStore(root)
    assert not any(path.exists() for path in ours)
    assert notes.read_text(encoding="utf-8") == "the user's own"
    assert [s.id for s in again.list()] == [good.id]


def test_delete_removes_the_conversations_temp_files(store: SessionStore) -> None:
    doomed, other = make_session("Doomed"), make_session("Other")
    store.save(doomed)
    store.save(other)
    mine = _leftover(store.root, f"{doomed.id}.json", "doomed words")
    theirs = _leftover(store.root, f"{other.id}.json", "other words")
    store.delete(doomed.id)
    assert not mine.exists() and theirs.exists()
    assert not store.path_for(doomed.id).exists()
