"""Extraction by a language model: the small structured request, and a wary reading of it.

The model's reply is untrusted: anything that is not the agreed JSON shape costs that one
extraction (no changes), and every kept value is bounded and flattened to one line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from avatar_desktop.core.memory_items import (
    ITEM_CHARS,
    Change,
    Fact,
    Forget,
    clean_key,
    clean_text,
)

MAX_FACTS = 8
MAX_KNOWN_KEYS = 40
TURN_CHARS = 1500  # what of the user's message is sent: extraction must stay small

INSTRUCTIONS = (
    "You keep long-term notes about the user of a chat assistant. From the user's message, "
    "take only lasting facts the user states about themselves, their people, pets, plans, "
    "dates and preferences. Ignore questions, small talk and anything about the assistant. "
    'Reply with JSON only: {"facts": [{"key": "...", "text": "..."}], "forget": ["..."]}. '
    "key: a short stable id of what the fact is about (user.name, user.home, sister.name, "
    "likes:sushi, date:dentist); reuse a known key when the user changes or corrects that "
    'fact. text: one short sentence in the third person ("The user lives in Porto."). '
    "forget: keys (or the user's words) of notes the user asks you to forget. "
    'Use empty lists when there is nothing to keep: {"facts": [], "forget": []}.'
)


def request_messages(user_text: str, known_keys: Sequence[str]) -> list[dict[str, str]]:
    """The chat messages of one extraction: instructions, known keys, the user's words."""
    keys = ", ".join(clean_key(k) for k in list(known_keys)[:MAX_KNOWN_KEYS]) or "none"
    return [
        {"role": "system", "content": f"{INSTRUCTIONS}\nKnown keys: {keys}."},
        {"role": "user", "content": user_text[:TURN_CHARS]},
    ]


class MalformedExtraction(ValueError):
    """The model's reply was not the agreed JSON: this extraction is skipped."""


def parse(reply: str) -> list[Change]:
    """Changes from a reply; raises MalformedExtraction for anything off the agreed shape."""
    try:
        data = json.loads(reply.strip().removeprefix("```json").removesuffix("```"))
    except (ValueError, RecursionError) as exc:
        raise MalformedExtraction(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedExtraction("not a JSON object")
    facts, forget = data.get("facts", []), data.get("forget", [])
    if not isinstance(facts, list) or not isinstance(forget, list):
        raise MalformedExtraction("facts and forget must be lists")
    changes: list[Change] = []
    for entry in forget[:MAX_FACTS]:
        if isinstance(entry, str) and entry.strip():
            changes.append(Forget((clean_key(entry),), clean_text(entry, 200)))
    for entry in facts[:MAX_FACTS]:
        if not isinstance(entry, dict):
            continue
        key, text = entry.get("key"), entry.get("text")
        if isinstance(key, str) and isinstance(text, str) and key.strip() and text.strip():
            changes.append(Fact(clean_key(key), clean_text(text, ITEM_CHARS)))
    return changes
