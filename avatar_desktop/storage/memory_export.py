"""Memory as a JSON file the user can keep, read, or bring to another computer."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence

from avatar_desktop.core.memory_items import KINDS, MemoryItem, Source
from avatar_desktop.storage.memory_store import MemoryStore

EXPORT_FORMAT = "avatar-desktop-memory"
IMPORT_MAX = 20_000
IMPORT_BYTES = 20 * 1024 * 1024


def export_json(items: Sequence[MemoryItem]) -> str:
    """Items as a JSON document the user can keep or move to another computer."""
    rows = [
        {
            "text": i.text,
            "kind": i.kind,
            "key": i.key,
            "persona": i.persona,
            "session_id": i.source.session_id,
            "message_id": i.source.message_id,
            "told": i.source.told,
            "created": i.created,
            "last_used": i.last_used,
            "uses": i.uses,
        }
        for i in items
    ]
    return json.dumps({"format": EXPORT_FORMAT, "version": 1, "items": rows}, indent=1)


def import_json(store: MemoryStore, text: str) -> int:
    """Add the items of an exported document; raises ValueError for another kind of file.
    Bad entries are skipped, not fatal: how many were added is returned."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"it is not JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ValueError("it is not an exported memory file")
    rows = data.get("items")
    if not isinstance(rows, list):
        raise ValueError("it has no list of items")
    added = 0
    for row in rows[:IMPORT_MAX]:
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            continue
        kind = row.get("kind") if row.get("kind") in KINDS else "fact"
        key = row.get("key") if isinstance(row.get("key"), str) else None
        told = row.get("told")
        session = row.get("session_id")
        source = Source(
            session if isinstance(session, str) else None,
            None,
            float(told) if isinstance(told, int | float) and math.isfinite(told) else time.time(),
        )
        persona = row.get("persona") if isinstance(row.get("persona"), str) else None
        store.add(str(row["text"]), kind=str(kind), key=key, persona=persona, source=source)
        added += 1
    return added
