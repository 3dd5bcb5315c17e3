"""`python -m bench memory`: does the assistant recall the right, current fact later on?

A scripted user tells 50+ facts over 12 conversations (with small talk, questions and 16
later corrections), then asks 52 questions, each in a new conversation. For each question the
recalled notes (at most five, as given to the model) must hold the current fact, and must not
hold a corrected fact's old value. Extraction runs twice: by the offline rules, and by the
real Groq client against the loopback Groq fake in JSON mode (the fake answers as a good model
would, from the script). Then 10,000 items measure recall time and the file's size.

Metrics: recall_at_5_offline, recall_at_5_groq_fake, stale_fact_rate (the worse of the two,
over questions about corrected facts), recall_ms_p95 and db_mb with 10,000 items; facts_told,
corrections, questions, conversations for the record.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from avatar_desktop.core.memory_items import Fact, Source
from avatar_desktop.pipeline.remembering import Extractor, OfflineExtractor, Remembering
from avatar_desktop.storage.memory_store import MemoryStore
from bench.memory_script import CONVERSATIONS, QUESTIONS

ITEMS = 10_000
TIMED_QUERIES = 400


def _tell_all(memory: Remembering, extractor: Extractor) -> None:
    told = 1_700_000_000.0
    for number, conversation in enumerate(CONVERSATIONS):
        for index, tell in enumerate(conversation):
            told += 60
            source = Source(f"bench-{number}", f"m{index}", told)
            memory.learn(tell.said, extractor, source=source)


def _score(memory: Remembering) -> tuple[float, float]:
    """(share of questions whose current fact was recalled, share of stale answers given)."""
    hits = stale = corrected = 0
    for ask in QUESTIONS:
        recalled = " | ".join(item.text for item in memory.recall(ask.question).items).lower()
        hits += ask.expect.lower() in recalled
        if ask.stale is not None:
            corrected += 1
            stale += ask.stale.lower() in recalled
    return hits / len(QUESTIONS), stale / max(corrected, 1)


def _run_with(folder: Path, extractor: Extractor) -> tuple[float, float]:
    store = MemoryStore.open(folder / "memory.sqlite3")
    try:
        memory = Remembering(store)
        _tell_all(memory, extractor)
        return _score(memory)
    finally:
        store.close()


def _groq_fake(folder: Path) -> tuple[float, float]:
    from avatar_desktop.providers.groq.access import GroqAccess
    from avatar_desktop.providers.groq.memory import GroqExtractor
    from tests.fakes.extraction_model import ScriptedExtraction
    from tests.fakes.groq_server import GroqFake

    model = ScriptedExtraction()
    for conversation in CONVERSATIONS:
        for tell in conversation:
            if tell.key is not None:
                model.tell(tell.said, (tell.key, tell.text))
    with GroqFake() as fake:
        fake.json_reply = model
        access = GroqAccess(api_key=fake.api_key, base_url=fake.base_url)
        result = _run_with(folder, GroqExtractor(access=access))
        if len(model.seen) != sum(len(c) for c in CONVERSATIONS):
            raise RuntimeError("not every message reached the Groq fake")
        return result


_SYLLABLES = [a + b for a in "kmnrstvzpdfghj" for b in "aeiou"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def _big_store(folder: Path) -> tuple[MemoryStore, list[str]]:
    """10,000 items of a few common and many rare words, like a long-used memory."""
    rng = random.Random(15)
    vocabulary = [_word(rng) for _ in range(3000)]
    store = MemoryStore.open(folder / "memory.sqlite3")
    facts = []
    for n in range(ITEMS):
        words = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 9)))
        facts.append(Fact(f"bulk:{n}", f"The user's {rng.choice(vocabulary)} is {words}."))
    store.apply(facts, source=Source("bench-bulk", None, 1_700_000_000.0))
    store.purge()
    queries = [" ".join(rng.choice(vocabulary) for _ in range(3)) + "?" for _ in range(200)]
    return store, queries + [ask.question for ask in QUESTIONS]


def _timing(folder: Path) -> tuple[float, float]:
    """(p95 of one recall in ms, database size in MB) with 10,000 items."""
    store, queries = _big_store(folder)
    memory = Remembering(store)
    try:
        memory.recall("warm up the page cache")
        took = []
        for n in range(TIMED_QUERIES):
            start = time.perf_counter()
            memory.recall(queries[n % len(queries)])
            took.append((time.perf_counter() - start) * 1000)
        store.purge()
        path = folder / "memory.sqlite3"
        wal = path.with_name(path.name + "-wal")
        size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        return statistics.quantiles(took, n=20)[-1], size / 1e6
    finally:
        store.close()


def run(argv: list[str]) -> dict[str, float]:
    argparse.ArgumentParser(prog="python -m bench memory").parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="avatar-bench-memory-") as temp:
        root = Path(temp)
        for name in ("offline", "groq", "big"):
            (root / name).mkdir()
        offline, offline_stale = _run_with(root / "offline", OfflineExtractor())
        groq, groq_stale = _groq_fake(root / "groq")
        p95, size = _timing(root / "big")
    facts = sum(1 for c in CONVERSATIONS for t in c if t.key is not None)
    keys = [t.key for c in CONVERSATIONS for t in c if t.key is not None]
    return {
        "recall_at_5_offline": round(offline, 3),
        "recall_at_5_groq_fake": round(groq, 3),
        "stale_fact_rate": round(max(offline_stale, groq_stale), 3),
        "recall_ms_p95": round(p95, 2),
        "db_mb": round(size, 2),
        "facts_told": float(facts),
        "corrections": float(len(keys) - len(set(keys))),
        "questions": float(len(QUESTIONS)),
        "conversations": float(len(CONVERSATIONS)),
    }
