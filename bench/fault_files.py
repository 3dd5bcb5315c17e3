"""Hostile session and settings files for ``python -m bench faults``: a small, seeded generator.

Each variant is ``(name, body)``: ``body`` is bytes to write, or a special kind ("dir", "fifo",
"loop") that is made instead of a file. Values are the ones users, crashes and old or newer
versions leave behind: wrong types, huge and non-finite numbers, deep nesting, invalid UTF-8,
NUL bytes, a BOM, empty and truncated files, and schemas from the future.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

SPECIAL = ("dir", "fifo", "loop")

HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    10**400,
    -(10**400),
    1e308,
    -1e20,
    -9.2e18,
    "NaN",
    "",
    "\x00",
    "\ud800",
    "x" * 100_000,
    [],
    {},
    [[[[]]]],
    {"a": {"b": None}},
    3.5,
    "2024-01-01T00:00:00",
]
RAW_VALUES = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 500]


def deep(depth: int) -> str:
    """JSON nested ``depth`` levels: deeper than the parser's recursion allows when large."""
    return "[" * depth + "]" * depth


def good_session(session_id: str) -> dict[str, Any]:
    return {
        "schema_version": 2,
        "id": session_id,
        "title": "Fine",
        "created": 1_700_000_000.0,
        "updated": 1_700_000_100.0,
        "persona": None,
        "messages": [
            {"id": "m1", "role": "user", "content": "hello", "created": 1_700_000_000.0},
            {"id": "m2", "role": "assistant", "content": "hi", "created": 1_700_000_001.0},
        ],
    }


def _with_raw(document: dict[str, Any], path: list[Any], raw: str) -> bytes:
    """``document`` as JSON with the value at ``path`` replaced by raw JSON text (e.g. NaN)."""
    marker = "__HOSTILE_RAW__"
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = marker
    return json.dumps(document).replace(f'"{marker}"', raw).encode()


def _damaged(text: bytes, rng: random.Random) -> bytes:
    """The same bytes broken the way disks and crashes break them."""
    kind = rng.randrange(6)
    if kind == 0:
        return text[: rng.randrange(len(text))]  # truncated
    if kind == 1:
        return b"\xef\xbb\xbf" + text  # BOM
    if kind == 2:
        at = rng.randrange(len(text))
        return text[:at] + b"\x00" + text[at:]  # NUL
    if kind == 3:
        at = rng.randrange(len(text))
        return text[:at] + bytes([rng.choice([0xFF, 0xC3, 0xED, 0x80])]) + text[at:]  # bad UTF-8
    if kind == 4:
        return b""
    return b"\x00" * rng.randrange(1, 4096)


def session_variants(count: int, seed: int = 0) -> Iterator[tuple[str, bytes | str]]:
    """``count`` hostile session files (about one in 40 a directory, FIFO or symlink loop)."""
    rng = random.Random(seed)
    paths: list[list[Any]] = [
        ["schema_version"],
        ["id"],
        ["title"],
        ["created"],
        ["updated"],
        ["persona"],
        ["messages"],
        ["messages", 0],
        ["messages", 0, "role"],
        ["messages", 0, "content"],
        ["messages", 0, "created"],
        ["messages", 1, "id"],
    ]
    for index in range(count):
        document = good_session(f"v{index}")
        path = rng.choice(paths)
        pick = rng.randrange(40)
        if pick == 0:
            yield f"special-{index}", rng.choice(SPECIAL)
        elif pick < 4:
            yield f"deep-{index}", deep(rng.choice([50, 1000, 100_000])).encode()
        elif pick < 12:
            yield f"raw-{index}", _with_raw(document, path, rng.choice(RAW_VALUES))
        elif pick < 20:
            yield f"damaged-{index}", _damaged(json.dumps(document).encode(), rng)
        elif pick < 22:
            document["schema_version"] = rng.choice([3, 99, 10**30])
            yield f"future-{index}", json.dumps(document).encode()
        else:
            yield f"value-{index}", _set(document, path, rng.choice(HOSTILE_VALUES))


def _set(document: dict[str, Any], path: list[Any], value: Any) -> bytes:
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(document).encode("utf-8", "surrogatepass")


def settings_variants(
    keys: list[str], count: int, seed: int = 0
) -> Iterator[tuple[str, bytes | str]]:
    """``count`` hostile settings files: one bad value, raw numbers, damage, or not a file."""
    rng = random.Random(seed)
    for index in range(count):
        key = rng.choice(keys)
        document: dict[str, Any] = {"schema_version": 1, key: None}
        pick = rng.randrange(30)
        if pick == 0:
            yield f"special-{index}", rng.choice(("dir", "fifo"))
        elif pick < 3:
            yield f"deep-{index}", deep(rng.choice([50, 100_000])).encode()
        elif pick < 6:
            nested = json.dumps(deep(rng.choice([1000, 100_000])))
            yield f"deep-look-{index}", f'{{"schema_version": 1, "avatar_look": {nested}}}'.encode()
        elif pick < 12:
            yield f"raw-{index}", _with_raw(document, [key], rng.choice(RAW_VALUES))
        elif pick < 16:
            document[key] = rng.choice(HOSTILE_VALUES)
            yield f"damaged-{index}", _damaged(json.dumps(document).encode(), rng)
        elif pick < 18:
            document["schema_version"] = rng.choice([2, 99, 10**30])
            yield f"future-{index}", json.dumps(document).encode()
        else:
            yield f"value-{index}", _set(document, [key], rng.choice(HOSTILE_VALUES))
