"""Memory around a turn, Qt-free: recall before the answer, learn from the user's words after.

Both the app (on its worker pools) and `bench memory` go through this one class, so what is
measured is what runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Protocol

from avatar_desktop.core.memory_items import Change, MemoryItem, Source
from avatar_desktop.core.recall import NOTHING, Recalled, match_any, recall, terms
from avatar_desktop.core.remember import extract

log = logging.getLogger(__name__)

PINNED_KEYS = ("user.name",)  # so nearly every answer may use it: always offered
EPISODE_CHARS = 400
EPISODE_MIN_USER_MESSAGES = 2


class Store(Protocol):
    """What remembering needs of the database (``storage.memory_store.MemoryStore`` has it)."""

    def search(
        self, fts_query: str, *, persona: str | None = None, limit: int = 40
    ) -> list[tuple[MemoryItem, float]]: ...

    def apply(
        self,
        changes: Sequence[Change],
        *,
        persona: str | None = None,
        source: Source | None = None,
        now: float | None = None,
    ) -> tuple[list[MemoryItem], int]: ...

    def add(
        self,
        text: str,
        *,
        kind: str = "fact",
        key: str | None = None,
        persona: str | None = None,
        source: Source | None = None,
        now: float | None = None,
    ) -> MemoryItem: ...


class Extractor(Protocol):
    """Finds what a user message asks memory to keep or drop."""

    @property
    def name(self) -> str: ...

    def extract(self, user_text: str, known_keys: Sequence[str]) -> list[Change]: ...


class OfflineExtractor:
    """The rules of ``core.remember``: no network, no model."""

    name = "rules on this computer"

    def extract(self, user_text: str, known_keys: Sequence[str]) -> list[Change]:
        return extract(user_text)


class Remembering:
    """Recall and learning over one store; every method may run on a worker thread."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def recall(self, text: str, *, persona: str | None = None) -> Recalled:
        """The notes for an answer to ``text`` (marking them used is the caller's to do)."""
        if not text.strip():
            return NOTHING
        pinned = [item for key in PINNED_KEYS for item in self._by_key(key, persona)]
        return recall(text, lambda query: self.store.search(query, persona=persona), pinned=pinned)

    def _by_key(self, key: str, persona: str | None) -> list[MemoryItem]:
        found = self.store.search(match_any(terms(key.replace(".", " "))), persona=persona)
        return [item for item, _ in found if item.key == key][:1]

    def known_keys(self, text: str) -> list[str]:
        """Keys an extractor should reuse for a correction: those near ``text``, then pinned."""
        words = terms(text)
        near = self.store.search(match_any(words), limit=30) if words else []
        keys = [item.key for item, _ in near if item.key]
        return list(dict.fromkeys([*keys, *PINNED_KEYS]))

    def learn(
        self,
        text: str,
        extractor: Extractor,
        *,
        source: Source,
        persona: str | None = None,
    ) -> tuple[list[MemoryItem], int]:
        """Extract from one user message and apply it: (items kept, items removed).

        Raises whatever the extractor raises; nothing is applied then.
        """
        changes = extractor.extract(text, self.known_keys(text))
        if not changes:
            return [], 0
        return self.store.apply(changes, persona=persona, source=source)

    def keep_episode(
        self,
        session_id: str,
        title: str,
        user_lines: Sequence[str],
        *,
        persona: str | None = None,
        now: float | None = None,
    ) -> MemoryItem | None:
        """A short summary of a closed conversation, for the persona it was held with; one per
        conversation (replaced when it is left again)."""
        lines = [line for line in user_lines if line.strip()]
        if len(lines) < EPISODE_MIN_USER_MESSAGES:
            return None
        now = time.time() if now is None else now
        return self.store.add(
            episode_summary(title, lines),
            kind="episode",
            key=f"episode:{session_id}",
            persona=persona,
            source=Source(session_id, None, now),
            now=now,
        )


def episode_summary(title: str, user_lines: Sequence[str]) -> str:
    """Offline summary: the conversation's title and the user's first words on each topic."""
    said = (" ".join(line.split())[:80].rstrip(" .;,") for line in user_lines[:4])
    topics = "; ".join(line for line in said if line)
    return f"A conversation titled “{title}”; the user said: {topics}."[:EPISODE_CHARS]
