"""What long-term memory holds: items the user can see, and what an extractor proposes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["fact", "episode"]
KINDS: tuple[Kind, ...] = ("fact", "episode")
ITEM_CHARS = 500  # longest text kept per item: memory is notes, not documents
KEY_CHARS = 80


@dataclass(frozen=True, slots=True)
class Source:
    """Where an item came from, so the user can see why it is remembered."""

    session_id: str | None = None
    message_id: str | None = None
    told: float = 0.0  # when the user said it (seconds since the epoch)


@dataclass(frozen=True, slots=True)
class MemoryItem:
    """One remembered fact or episode summary; ``persona`` None means every persona."""

    id: int
    text: str
    kind: Kind
    key: str | None
    persona: str | None
    source: Source
    created: float
    last_used: float | None
    uses: int


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact to keep; an item with the same ``key`` is replaced (a correction)."""

    key: str
    text: str


@dataclass(frozen=True, slots=True)
class Forget:
    """The user asked to forget something: items with these keys, or matching these words."""

    keys: tuple[str, ...]
    words: str  # as the user said them ("my sister's birthday"); empty: the latest fact


Change = Fact | Forget


def clean_text(text: str, limit: int = ITEM_CHARS) -> str:
    """One line, no control characters, bounded: what may be stored or put in a prompt."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def clean_key(key: str) -> str:
    """Keys compare lower-case with single spaces, so 'Sister.Name ' matches 'sister.name'."""
    return clean_text(key.lower(), KEY_CHARS)


def persona_scope(persona: str) -> str:
    """A short stable id for a persona text (items scoped to one persona carry it)."""
    return hashlib.sha256(persona.strip().encode("utf-8")).hexdigest()[:16]
