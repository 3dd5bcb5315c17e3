"""Hostile settings and session files, as plain functions of a ``random.Random``.

The tests drive these from hypothesis (a seed per example); ``python -m bench faults`` can call
them directly for thousands of variants. Each byte variant is a mutation of a valid document:
wrong types, huge or non-finite numbers, deep nesting, invalid UTF-8, NUL bytes, a BOM, empty
or truncated text, a future schema. ``make_special`` puts a non-regular file at a path.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from avatar_desktop.core.session import Message, Session
from avatar_desktop.storage.session_format import SCHEMA_VERSION, encode_session

# Kinds of non-regular file make_special can create (on a POSIX system).
SPECIAL_KINDS = ("directory", "symlink-loop", "fifo", "dev-zero", "dangling-link")

_HUGE_DIGITS = 400  # float() of an int this long raises OverflowError


def good_session(session_id: str = "good") -> Session:
    """A small valid conversation whose file must survive next to hostile ones."""
    session = Session(id=session_id, title="Kept", created=1_700_000_000.0, updated=1_700_000_100.0)
    session.messages.append(
        Message(role="user", content="Hello ünïcode 👋", created=1_700_000_050.0)
    )
    session.messages.append(Message(role="assistant", content="Hi!", created=1_700_000_100.0))
    return session


def hostile_value(rng: random.Random) -> Any:
    """A JSON value chosen to break code that trusts a field's type or size."""
    choice = rng.randrange(14)
    if choice == 0:
        return int("9" * _HUGE_DIGITS) * rng.choice((1, -1))
    if choice == 1:
        return rng.choice((float("nan"), float("inf"), float("-inf")))
    if choice == 2:
        return rng.choice((-1e20, -9.2e18, 1e300, -1, 0, 2**63))
    if choice == 3:
        return _deep_marker(rng.choice((50, 5_000, 50_000)), rng.random() < 0.5)
    if choice == 4:
        return rng.choice((True, False, None))
    if choice == 5:
        return rng.choice(("", " ", "\x00", "\ud800", "a" * 10_000, "[" * 5_000))
    if choice == 6:
        return [hostile_value(rng)]
    if choice == 7:
        return {"x": hostile_value(rng)}
    if choice == 8:
        return rng.choice(("user", "assistant", "system", "USER"))
    if choice == 9:  # a string holding JSON, as the avatar look does
        return _deep_text(rng.choice((5, 5_000)), rng.random() < 0.5) if rng.random() < 0.9 else "{"
    return rng.choice((0.5, 1, 2.5, -0.0, 7, "text", []))


def _deep_text(depth: int, as_list: bool) -> str:
    """JSON text nested ``depth`` levels, deeper than json.dumps could write."""
    if as_list:
        return "[" * depth + "0" + "]" * depth
    return '{"a":' * depth + "0" + "}" * depth


def _deep_marker(depth: int, as_list: bool) -> str:
    """A placeholder that ``_dump`` replaces by ``_deep_text`` in the written file."""
    return f"@@deep:{depth}:{int(as_list)}@@"


_MARKER = re.compile(r'"@@deep:(\d+):([01])@@"')


def _dump(document: Any) -> bytes:
    """JSON text with NaN, Infinity, lone surrogates and deep nesting where the value asks."""
    text = json.dumps(document, ensure_ascii=False)
    text = _MARKER.sub(lambda found: _deep_text(int(found[1]), found[2] == "1"), text)
    return text.encode("utf-8", "surrogatepass")


def _mutate_bytes(rng: random.Random, raw: bytes) -> bytes:
    """Damage a valid file as a crash, a disk or an editor might."""
    choice = rng.randrange(8)
    if choice == 0:
        return b""
    if choice == 1:
        return raw[: rng.randrange(max(1, len(raw)))]  # truncated
    if choice == 2:
        return b"\xef\xbb\xbf" + raw  # a BOM
    if choice == 3:
        index = rng.randrange(max(1, len(raw)))
        return raw[:index] + b"\x00" + raw[index:]
    if choice == 4:
        index = rng.randrange(max(1, len(raw)))
        return raw[:index] + rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80")) + raw[index:]
    if choice == 5:
        return b"\x00" * rng.randrange(1, 100)
    if choice == 6:
        return b"[" * 100_000
    return raw.replace(b"\n", b"") + b"}"


def hostile_session_document(rng: random.Random) -> Any:
    """A session document with one or more fields replaced by hostile values."""
    document: dict[str, Any] = json.loads(encode_session(good_session("x")))
    fields = ["schema_version", "title", "created", "updated", "persona", "messages", "id"]
    for _ in range(rng.randint(1, 3)):
        target = rng.random()
        if target < 0.55:
            document[rng.choice(fields)] = hostile_value(rng)
        elif target < 0.9 and isinstance(document.get("messages"), list) and document["messages"]:
            message = rng.choice(document["messages"])
            if isinstance(message, dict):
                key = rng.choice(("role", "content", "created", "id", "interrupted", "error"))
                message[key] = hostile_value(rng)
        else:
            document["schema_version"] = rng.choice((SCHEMA_VERSION + 1, 99, 0, -1, 1))
    return document if rng.random() < 0.95 else hostile_value(rng)


def hostile_session_bytes(rng: random.Random) -> bytes:
    """The bytes of a hostile session file: a hostile document, or damaged valid bytes."""
    if rng.random() < 0.7:
        return _dump(hostile_session_document(rng))
    return _mutate_bytes(rng, encode_session(good_session("x")))


def hostile_settings_bytes(rng: random.Random) -> bytes:
    """The bytes of a hostile settings file."""
    document: dict[str, Any] = {
        "schema_version": 1,
        "temperature": 0.5,
        "volume": 0.5,
        "max_tokens": 100,
        "avatar_look": json.dumps({"skin": "#aabbcc"}),
    }
    keys = [
        "schema_version",
        "temperature",
        "volume",
        "speaking_rate",
        "max_tokens",
        "context_tokens",
        "avatar_look",
        "avatar_kind",
        "window_geometry",
        "chat_provider",
        "presenter",
        "end_of_speech_ms",
        "video_cache_mb",
        "chat_model_path",
        "last_session_id",
        "barge_in",
    ]
    for _ in range(rng.randint(1, 4)):
        document[rng.choice(keys)] = hostile_value(rng)
    raw = _dump(document if rng.random() < 0.95 else hostile_value(rng))
    return raw if rng.random() < 0.75 else _mutate_bytes(rng, raw)


def make_special(path: Path, kind: str) -> bool:
    """Put a non-regular file of ``kind`` at ``path``; False where this system cannot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "directory":
        path.mkdir()
    elif kind == "symlink-loop":
        path.symlink_to(path.name)
    elif kind == "dangling-link":
        path.symlink_to(path.parent / "nowhere" / "gone.json")
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            return False
        os.mkfifo(path)
    elif kind == "dev-zero":
        if not Path("/dev/zero").exists():
            return False
        path.symlink_to("/dev/zero")
    else:
        raise ValueError(f"unknown special file kind {kind!r}")
    return True


def fuzz_sessions(root: Path, variants: int, seed: int = 0) -> dict[str, int]:
    """Write ``variants`` hostile session files next to a good one and count what went wrong.

    ``fuzz_session_crashes`` counts exceptions other than the store's own from list() or
    load(); ``good_session_harmed`` counts variants after which the good session was not
    listed or did not load unchanged.
    """
    from avatar_desktop.storage.errors import StorageError
    from avatar_desktop.storage.sessions import SessionStore

    rng = random.Random(seed)
    crashes = harmed = 0
    for index in range(variants):
        store = SessionStore(root / f"v{index}")
        good = good_session()
        store.save(good)
        store.path_for("hostile").write_bytes(hostile_session_bytes(rng))
        try:
            listed = [summary.id for summary in store.list()]
            with contextlib.suppress(StorageError):  # a bad file may refuse to load
                store.load("hostile")
            ok = good.id in listed and store.load(good.id) == good
        except StorageError:
            ok = False
        except Exception:
            crashes += 1
            ok = False
        harmed += not ok
        _remove_tree(root / f"v{index}")
    return {
        "fuzz_session_variants": variants,
        "fuzz_session_crashes": crashes,
        "good_session_harmed": harmed,
    }


def fuzz_settings(root: Path, variants: int, seed: int = 0) -> dict[str, int]:
    """Load ``variants`` hostile settings files; a failure is any exception from the loader."""
    from avatar_desktop.storage.settings import load_settings

    rng = random.Random(seed)
    failures = 0
    for index in range(variants):
        path = root / f"s{index}" / "settings.json"
        path.parent.mkdir(parents=True)
        path.write_bytes(hostile_settings_bytes(rng))
        try:
            load_settings(path, [])
        except Exception:
            failures += 1
        _remove_tree(path.parent)
    return {"fuzz_settings_variants": variants, "fuzz_settings_start_failures": failures}


def _remove_tree(folder: Path) -> None:
    """Remove a variant's folder (files, set-aside files, links) so disk use stays flat."""
    for path in sorted(folder.rglob("*"), key=lambda item: len(item.parts), reverse=True):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
    folder.rmdir()


class Hung(Exception):
    """A read blocked; not an OSError, so no loader under test can swallow it."""


@contextmanager
def no_hang(seconds: int) -> Iterator[None]:
    """Fail with Hung instead of hanging the suite when a read blocks (a FIFO, say)."""

    def expire(_signum: int, _frame: object) -> None:
        raise Hung(f"blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
