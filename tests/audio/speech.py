"""Spoken test material made at test time by the project's own voice, and how to score it."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

# Ordinary questions a user might ask; no digits (Whisper may write them either way).
SENTENCES = [
    "What is the weather like today?",
    "Tell me a story about a brave little mouse.",
    "How do I make a cup of green tea?",
    "Why is the sky blue during the day?",
    "Can you recommend a good book to read?",
    "What should I cook for dinner tonight?",
    "Please explain how a rainbow is formed.",
    "Where is the tallest mountain in the world?",
    "How can I sleep better at night?",
    "Give me a tip for learning a new language.",
    "What is the capital city of France?",
    "Thank you, that was very helpful.",
]

Float32 = npt.NDArray[np.float32]


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, so only what was said is compared."""
    return re.findall(r"[a-z']+", text.lower().replace("-", " "))


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference word count): word-level Levenshtein."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        diagonal, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (r != h))
    return row[-1], len(ref)


def word_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs."""
    errors = total = 0
    for reference, hypothesis in pairs:
        e, n = word_errors(reference, hypothesis)
        errors, total = errors + e, total + n
    return errors / max(1, total)


def spoken(voice: object, text: str) -> Float32:
    """``text`` said by the voice, as 16 kHz mono float32."""
    from avatar_desktop.audio.encode import to_mono_16k
    from avatar_desktop.core.cancel import CancelToken

    speech = voice.synthesize(text, cancel=CancelToken())  # type: ignore[attr-defined]
    return to_mono_16k(speech.pcm, speech.sample_rate)


def silence(seconds: float) -> Float32:
    return np.zeros(int(seconds * 16_000), dtype=np.float32)


def noise(seconds: float, *, seed: int = 7, level: float = 0.05) -> Float32:
    """White noise plus a brown (fan-like) rumble, at about ``level`` RMS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * 16_000)
    white = rng.standard_normal(n)
    brown = np.cumsum(rng.standard_normal(n))
    brown -= np.convolve(brown, np.ones(1600) / 1600, mode="same")  # keep it centred
    mixed = white / np.std(white) + brown / (float(np.std(brown)) + 1e-9)
    return (level * mixed / np.std(mixed)).astype(np.float32)
