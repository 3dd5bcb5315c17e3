"""Memory as a JSON file: out and back in, and a foreign or hostile file refused or bounded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from avatar_desktop.core.memory_items import Source
from avatar_desktop.storage.memory_export import export_json, import_json
from avatar_desktop.storage.memory_store import MemoryStore


def test_an_export_comes_back_with_text_kind_key_and_source(tmp_path: Path) -> None:
    first = MemoryStore.open(tmp_path / "a.sqlite3")
    first.add("The user loves jazz.", key="likes:jazz", source=Source("s1", "m1", 1000.0))
    first.add("A chat about Kyoto.", kind="episode", key="episode:s2", persona="p1")
    second = MemoryStore.open(tmp_path / "b.sqlite3")
    assert import_json(second, export_json(first.items())) == 2
    got = {i.text: i for i in second.items()}
    assert got["The user loves jazz."].key == "likes:jazz"
    assert got["The user loves jazz."].source.told == 1000.0
    assert got["A chat about Kyoto."].kind == "episode"
    assert got["A chat about Kyoto."].persona == "p1"


@pytest.mark.parametrize("text", ["not json", "[]", '{"format": "something else", "items": []}'])
def test_another_kind_of_file_is_refused(tmp_path: Path, text: str) -> None:
    store = MemoryStore.open(tmp_path / "m.sqlite3")
    with pytest.raises(ValueError):
        import_json(store, text)
    assert store.count() == 0


def test_bad_entries_are_skipped_and_huge_text_is_bounded(tmp_path: Path) -> None:
    store = MemoryStore.open(tmp_path / "m.sqlite3")
    rows = [{"text": "x" * 100_000, "kind": "evil", "told": "yesterday"}, 5, {"text": 7}]
    document = json.dumps({"format": "avatar-desktop-memory", "version": 1, "items": rows})
    assert import_json(store, document) == 1
    (item,) = store.items()
    assert item.kind == "fact" and len(item.text) <= 500
