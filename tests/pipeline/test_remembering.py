"""Memory around a turn: learn from the user's words, recall for the next answer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from avatar_desktop.core.memory_items import Change, Fact, Source
from avatar_desktop.pipeline.remembering import OfflineExtractor, Remembering
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.storage.memory_store import MemoryStore
from bench.memory_script import CONVERSATIONS, QUESTIONS


@pytest.fixture
def store(tmp_path: Path) -> MemoryStore:
    return MemoryStore.open(tmp_path / "memory.sqlite3")


@pytest.fixture
def memory(store: MemoryStore) -> Remembering:
    return Remembering(store)


def learn(memory: Remembering, text: str) -> None:
    memory.learn(text, OfflineExtractor(), source=Source("s1", "m1", 1.0))


def test_a_told_fact_is_recalled_and_a_correction_replaces_it(memory: Remembering) -> None:
    learn(memory, "I live in Lisbon.")
    learn(memory, "Actually I live in Porto now.")
    recalled = memory.recall("Where do I live?")
    assert [i.text for i in recalled.items] == ["The user lives in Porto."]
    assert '"The user lives in Porto."' in recalled.block


def test_the_users_name_is_offered_with_any_recalled_note(memory: Remembering) -> None:
    learn(memory, "My name is Maya. I love jazz.")
    assert [i.text for i in memory.recall("Any jazz tonight?").items] == [
        "The user's name is Maya.",
        "The user loves jazz.",
    ]
    assert not memory.recall("How far is the moon?")


def test_the_extractor_is_told_the_keys_it_may_correct(
    memory: Remembering, store: MemoryStore
) -> None:
    learn(memory, "My sister is called Anna.")
    seen: list[Sequence[str]] = []

    class Spy:
        name = "spy"

        def extract(self, user_text: str, known_keys: Sequence[str]) -> list[Change]:
            seen.append(known_keys)
            return [Fact("sister.name", "The user's sister is named Ana.")]

    memory.learn("No, my sister is Ana", Spy(), source=Source())
    assert "sister.name" in seen[0]
    assert [i.text for i in store.items()] == ["The user's sister is named Ana."]


def test_a_failing_extractor_changes_nothing(memory: Remembering, store: MemoryStore) -> None:
    class Broken:
        name = "broken"

        def extract(self, user_text: str, known_keys: Sequence[str]) -> list[Change]:
            raise ProviderError("Groq is down", kind="network")

    with pytest.raises(ProviderError):
        memory.learn("I love tea", Broken(), source=Source())
    assert store.count() == 0


def test_a_closed_conversation_is_kept_once_as_an_episode(
    memory: Remembering, store: MemoryStore
) -> None:
    assert memory.keep_episode("s1", "Trip", ["Hi"]) is None  # too short to summarise
    memory.keep_episode("s1", "Trip planning", ["We plan a trip to Kyoto", "In April"])
    memory.keep_episode("s1", "Trip planning", ["We plan a trip to Kyoto", "In May"])
    (episode,) = store.items()
    assert episode.kind == "episode" and "Kyoto" in episode.text and "May" in episode.text
    assert memory.recall("What about Kyoto?").items == (episode,)


def test_an_episode_belongs_to_its_persona_and_facts_to_all(memory: Remembering) -> None:
    learn(memory, "I love Kyoto.")
    memory.keep_episode("s1", "Kyoto", ["Kyoto temples", "Kyoto food"], persona="pirate")
    assert len(memory.recall("Kyoto again?", persona="pirate").items) == 2
    (fact,) = memory.recall("Kyoto again?", persona="tutor").items
    assert fact.text == "The user loves Kyoto."


def test_the_bench_script_is_as_large_as_the_issue_asks() -> None:
    keys = [t.key for c in CONVERSATIONS for t in c if t.key is not None]
    distractors = [t for c in CONVERSATIONS for t in c if t.key is None]
    assert len(CONVERSATIONS) >= 10 and len(keys) >= 50 and len(QUESTIONS) >= 50
    assert len(keys) - len(set(keys)) >= 10 and len(distractors) >= 10
