"""The file format: v1 upgrade, lone surrogates and the speed of loading a long conversation."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from avatar_desktop.core.session import Message, Session
from avatar_desktop.storage.session_format import SCHEMA_VERSION, decode_session, encode_session
from avatar_desktop.storage.sessions import SessionStore

V1 = {
    "version": 1,
    "title": "Prototype chat",
    "created": "2024-03-01T10:00:00",
    "messages": [
        {"role": "user", "text": "Hi there", "time": "2024-03-01T10:00:05"},
        {"role": "assistant", "text": "Hello! 👋", "time": "2024-03-01T10:00:07+00:00"},
    ],
}


def test_v1_upgrades_on_load_and_rewrites_only_on_save(store: SessionStore) -> None:
    store.root.mkdir()
    path = store.path_for("proto-1")
    original = json.dumps(V1).encode()
    path.write_bytes(original)
    session = store.load("proto-1")
    assert session.id == "proto-1"
    assert session.title == "Prototype chat"
    assert session.created == datetime.fromisoformat("2024-03-01T10:00:00").timestamp()
    assert [(m.role, m.content) for m in session.messages] == [
        ("user", "Hi there"),
        ("assistant", "Hello! 👋"),
    ]
    assert (
        session.messages[1].created
        == datetime.fromisoformat("2024-03-01T10:00:07+00:00").timestamp()
    )
    assert session.updated == max(session.created, session.messages[1].created)
    assert not any(m.interrupted or m.error for m in session.messages)
    assert path.read_bytes() == original  # loading never writes
    assert store.load("proto-1") == session  # stable message ids before the first save
    assert [s.id for s in store.list()] == ["proto-1"]
    store.save(session)
    assert json.loads(path.read_bytes())["schema_version"] == SCHEMA_VERSION
    assert store.load("proto-1") == session


def test_v1_with_a_bad_date_is_set_aside(store: SessionStore) -> None:
    store.root.mkdir()
    store.path_for("proto").write_text(json.dumps({**V1, "created": "yesterday"}))
    assert store.list() == []
    (problem,) = store.take_problems()
    assert "date" in problem.reason


# Any code point, lone surrogates included (Qt text and surrogateescape'd paths can hold them).
_any_char = st.characters(codec=None, categories=None, exclude_categories=())
_surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
_any_text = st.text(st.one_of(_any_char, _surrogate), max_size=50)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=_any_text, title=_any_text)
def test_any_text_survives_save_and_load(tmp_path: Path, content: str, title: str) -> None:
    """Saving never crashes; text comes back the same, except that a surrogate *pair* written as
    two code points comes back as the one character it spells (same UTF-16)."""
    store = SessionStore(tmp_path / "h")
    session = Session(id="one", title=title, persona=content)
    session.messages.append(Message(role="user", content=content, error=content or None))
    store.save(session)
    store.path_for("one").read_bytes().decode("utf-8")  # the file stays valid UTF-8
    loaded = store.load("one")
    assert _utf16(loaded.title) == _utf16(title)
    assert _utf16(loaded.messages[0].content) == _utf16(content)
    assert loaded.persona is not None and _utf16(loaded.persona) == _utf16(content)


def test_lone_surrogate_round_trips_exactly() -> None:
    session = Session(id="s", title="\udc80 lone \ud800")
    session.messages.append(Message(role="user", content="bad byte \udcff from a file name"))
    raw = encode_session(session)
    assert rb"\udc80" in raw
    assert decode_session(raw, "s") == session


def test_loading_ten_thousand_messages_is_fast(store: SessionStore) -> None:
    session = Session(title="long")
    text = ("A fairly ordinary sentence with some words, numbers 123 and ünïcode. " * 3)[:200]
    for i in range(10_000):
        session.messages.append(
            Message(role="user" if i % 2 else "assistant", content=text, created=1e9 + i)
        )
    store.save(session)
    fresh = SessionStore(store.root)  # no warm cache
    start = time.perf_counter()
    loaded = fresh.load(session.id)
    elapsed = time.perf_counter() - start
    assert len(loaded.messages) == 10_000
    assert loaded == session
    assert elapsed < 1.0  # typically ~30 ms


def _v2(**changes: object) -> dict[str, object]:
    """A valid current-schema document with some fields replaced."""
    message = {"id": "m1", "role": "user", "content": "hello", "created": 1_700_000_000.0}
    document: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "id": "ignored",
        "title": "Chat",
        "created": 1_700_000_000.0,
        "updated": 1_700_000_001.0,
        "persona": None,
        "messages": [message],
    }
    document.update(changes)
    return document


def _compact(document: dict[str, object]) -> str:
    return json.dumps(document, separators=(",", ":"))


_HUGE = "9" * 400  # an integer JSON accepts and float() cannot hold


@pytest.mark.parametrize(
    "raw",
    [
        _compact(_v2()).replace('"created":1700000000.0', f'"created":{_HUGE}', 1),
        _compact(_v2()).replace('"updated":1700000001.0', f'"updated":-{_HUGE}'),
        _compact(_v2()).replace('"created":1700000000.0}', f'"created":{_HUGE}}}'),
        json.dumps(_v2(updated=float("nan"))),
        json.dumps(_v2(created=float("-inf"))),
        json.dumps(_v2(schema_version=int(_HUGE))),
    ],
    ids=["created", "updated", "message-created", "nan", "minus-infinity", "huge-version"],
)
def test_an_unusable_number_sets_aside_only_that_file(store: SessionStore, raw: str) -> None:
    store.root.mkdir()
    store.path_for("bad").write_text(raw)
    good = Session(id="good", title="Good", created=1.0, updated=2.0)
    good.messages.append(Message(role="user", content="kept", created=1.5))
    store.save(good)
    assert [summary.id for summary in store.list()] == ["good"]
    (problem,) = store.take_problems()
    assert any(word in problem.reason for word in ("number", "message 1", "newer version"))
    assert len(problem.reason) < 200
    assert problem.path.parent.name == "unreadable" and problem.path.exists()
    assert not store.path_for("bad").exists()
    assert store.load("good") == good


def test_far_away_dates_are_clamped_to_a_range_any_formatter_handles() -> None:
    past = json.dumps(_v2(created=-1e20, updated=-9.2e18)).encode()
    future = json.dumps(_v2(created=1e300, updated=10**30)).encode()
    old = decode_session(past, "old")
    assert (old.created, old.updated) == (0.0, 0.0)
    new = decode_session(future, "new")
    assert new.created == new.updated == 253402300799.0  # 9999-12-31T23:59:59Z
    assert new.messages[0].created == 1_700_000_000.0  # ordinary dates are untouched
