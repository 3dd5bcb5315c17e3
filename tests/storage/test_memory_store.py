"""The memory database: replacing, scoping, really deleting, and surviving bad files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from avatar_desktop.core.memory_items import Fact, Forget, Source
from avatar_desktop.core.recall import match_any, terms
from avatar_desktop.storage.memory_store import SCHEMA_VERSION, MemoryStore


def open_store(tmp_path: Path) -> MemoryStore:
    store = MemoryStore.open(tmp_path / "memory.sqlite3")
    assert store.problem is None
    return store


def on_disk(path: Path) -> bytes:
    """The database file and its WAL, as anyone reading the disk would see them."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_a_fact_with_the_same_key_replaces_the_old_one(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.apply([Fact("user.home", "The user lives in Lisbon.")])
    store.apply([Fact("user.home", "The user lives in Porto.")])
    assert [i.text for i in store.items()] == ["The user lives in Porto."]
    assert store.search(match_any(["lisbon"])) == []


def test_items_keep_their_source_and_scope(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    source = Source("session-1", "message-1", 1000.0)
    store.apply([Fact("a", "Ava's own note about tea.")], persona="ava", source=source)
    store.apply([Fact("b", "The user likes tea.")], source=source)
    (kept,) = [i for i in store.items() if i.key == "a"]
    assert kept.source == source and kept.persona == "ava"
    assert len(store.search(match_any(["tea"]), persona="ava")) == 2
    assert [i.key for i, _ in store.search(match_any(["tea"]), persona="bob")] == ["b"]


def test_forgetting_by_key_by_words_and_the_latest(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    source = Source("s1", "m1", 1.0)
    store.apply(
        [
            Fact("user.home", "The user lives in Porto."),
            Fact("sister.name", "The user's sister is named Anna."),
            Fact("likes:tea", "The user loves tea."),
        ],
        source=source,
    )
    assert store.apply([Forget(("user.home",), "I live in Porto")])[1] == 1
    assert store.apply([Forget((), "my sister")])[1] == 1
    assert store.apply([Forget((), "")], source=source)[1] == 1
    assert store.count() == 0


def test_deleted_text_is_gone_from_the_file_and_its_wal(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    secret = "Zanzibarian quokka password"
    for n in range(50):
        store.add(f"filler item {n}")
    (kept,) = store.apply([Fact("note", f"The user's {secret}.")])[0]
    store.mark_used([kept.id])
    assert secret.encode() in on_disk(store.path or tmp_path)
    store.delete([kept.id])
    data = on_disk(tmp_path / "memory.sqlite3")
    assert secret.encode() not in data and b"zanzibarian" not in data.lower()
    assert b"quokka" not in data.lower()
    store.close()


def test_an_edit_wipes_the_old_wording(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    item = store.add("The user's pet is called Flumpelstiltskin.")
    store.update(item.id, "The user's pet is called Rex.")
    data = on_disk(tmp_path / "memory.sqlite3").lower()
    assert b"flumpelstiltskin" not in data
    assert [i.text for i in store.items("rex")] == ["The user's pet is called Rex."]


def test_a_corrupt_file_is_set_aside_untouched_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    junk = b"SQLite format 3\x00" + b"\xff" * 5000
    path.write_bytes(junk)
    store = MemoryStore.open(path)
    assert store.problem and "could not be used" in store.problem
    (aside,) = (tmp_path / "unreadable").iterdir()
    assert aside.read_bytes() == junk and str(aside) in store.problem
    store.add("fresh start")
    assert store.count() == 1


def test_another_programs_database_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE photos(id)")
    other.commit()
    other.close()
    store = MemoryStore.open(path)
    assert store.problem and "another program" in store.problem
    assert len(list((tmp_path / "unreadable").iterdir())) == 1


def test_a_newer_versions_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    open_store(tmp_path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    store = MemoryStore.open(path)
    assert store.problem and "newer version" in store.problem
    store.add("kept in RAM only")
    assert path.read_bytes() == before and store.path is None


def test_an_empty_file_is_upgraded_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    sqlite3.connect(path).close()
    store = open_store(tmp_path)
    store.add("hello")
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_two_instances_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    first, second = open_store(tmp_path), open_store(tmp_path)

    def write(store: MemoryStore, tag: str) -> None:
        for n in range(60):
            store.apply([Fact(f"{tag}{n}", f"{tag} fact {n}")])

    threads = [
        threading.Thread(target=write, args=(s, t)) for s, t in ((first, "a"), (second, "b"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert first.count() == second.count() == 120


def test_a_write_killed_midway_leaves_the_database_intact(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.add("told before the crash")
    store.close()
    killer = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from avatar_desktop.storage.memory_store import MemoryStore\n"
        "s = MemoryStore.open(Path(sys.argv[1]))\n"
        "s._db.execute('BEGIN IMMEDIATE')\n"
        "for n in range(500):\n"
        '    s._db.execute("INSERT INTO items(text, kind, told, created)"\n'
        "                  \" VALUES (?, 'fact', 0, 0)\", (f'half written {n}',))\n"
        "os._exit(9)\n"
    )
    done = subprocess.run([sys.executable, "-c", killer, str(tmp_path / "memory.sqlite3")])
    assert done.returncode == 9
    store = open_store(tmp_path)
    assert [i.text for i in store.items()] == ["told before the crash"]


def test_words_that_look_like_query_syntax_are_searched_as_words(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.add("The user said NEAR and OR are words.")
    assert len(store.search(match_any(terms('x" AND NEAR(ab cd) * OR')))) == 1
    assert [i.text for i in store.items('"NEAR*')] == ["The user said NEAR and OR are words."]
