"""Spoken turns for voice-to-voice measurements, made at run time by the project's own voice.

Each utterance knows, from the clean signal, where the speaker stopped: its last voiced sample,
and for a paused one where the pause sits. A pause is put into a sentence that was synthesized
whole, at its first comma, so the words before it keep their mid-sentence intonation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tests.audio.speech import Float32, noise

RATE = 16_000
VOICED = 0.01  # |sample| above this (about -40 dBFS) counts as voice in the clean signal
LEAD_S = 0.4  # before the first word: room (and noise) for the recorder to settle
NOISE_TAIL_S = 2.0  # noise goes on after the last word, through the end of the turn
SNR_DB = 20.0

PLAIN = [
    "Hello there.",
    "Thank you.",
    "What time is it?",
    "Tell me a joke.",
    "How are you doing today?",
    "Why is the sky blue during the day?",
    "Where is the tallest mountain in the world?",
    "Can you recommend a good book to read this weekend?",
    "What is the capital city of France?",
    "How can I sleep better at night?",
    "Give me a tip for learning a new language.",
    "What should I cook for dinner tonight if I only have rice and some vegetables?",
    "Please explain how a rainbow is formed after the rain and why we only see it "
    "when the sun is behind us.",
    "I have been learning to play the guitar for a few months now and I would like "
    "some advice on how to practise chords.",
]
# One comma each: the pause goes where a person stops to think, before the thought is whole
# ("I was wondering… what's…"). A pause after words that are a whole answer by themselves
# ("Okay… and what about…") is a different case: there answering is fair, and only the patient
# setting waits it out.
PAUSED = [
    "I was wondering, what's the tallest mountain in Africa?",
    "So, how far away is the moon?",
    "I'd like to learn about, the history of ancient Rome.",
    "Well, I would like to know how bread is made.",
    "Hmm, can you tell me why leaves change colour in autumn?",
    "The thing is, I never learned how to swim.",
    "Before I forget, what is the boiling point of water on top of a mountain?",
    "When you have a moment, could you explain how a computer remembers things?",
    "Tell me about the, biggest animal in the ocean.",
    "If I wanted to start running, how many times a week should I go?",
]
RATES = (0.85, 1.0, 1.15, 0.95, 1.25, 1.05)


@dataclass(frozen=True)
class Utterance:
    """One spoken turn as played: 16 kHz mono, and where its voice is (sample indices)."""

    text: str
    pcm: Float32
    last_voiced: int  # the speaker's last voiced sample: they stopped talking here
    rate: float
    noisy: bool
    pause: tuple[int, int] | None = None  # last voiced sample before the pause, first after
    first_voiced: int = 0  # the speaker's first voiced sample

    def words_by(self, seconds: float) -> str:
        """Roughly the words said ``seconds`` into the clip: the words before the pause while it
        lasts, else a share of the words as of the share of the voiced time gone by."""
        words = self.text.split()
        before = self.text.split(",")[0].split()
        at = int(seconds * RATE)
        if self.pause is not None and self.pause[0] <= at <= self.pause[1]:
            return " ".join(before)
        spoken = min(max(at - self.first_voiced, 0), self.last_voiced - self.first_voiced)
        if self.pause is not None and at > self.pause[1]:
            spoken -= self.pause[1] - self.pause[0]
        voiced_total = self.last_voiced - self.first_voiced - self.pause_samples
        count = round(len(words) * spoken / max(1, voiced_total))
        if self.pause is not None and at > self.pause[1]:
            count = max(count, len(before))
        return " ".join(words[:count])

    @property
    def pause_samples(self) -> int:
        return 0 if self.pause is None else self.pause[1] - self.pause[0]

    @property
    def pause_ms(self) -> float | None:
        return None if self.pause is None else (self.pause[1] - self.pause[0]) / RATE * 1000

    def describe(self) -> str:
        """A short label for progress lines."""
        words = len(self.text.split())
        extra = [f"rate {self.rate:g}"]
        if self.pause_ms is not None:
            extra.append(f"pause {self.pause_ms:.0f} ms")
        if self.noisy:
            extra.append("noise")
        return f"{words:2d} words ({', '.join(extra)}) {self.text[:40]!r}"


def voiced(pcm: Float32) -> np.ndarray:
    """Indices of the voiced samples of a clean signal."""
    return np.flatnonzero(np.abs(pcm) > VOICED)


def _synthesize(voice: object, text: str, rate: float) -> tuple[Float32, float | None]:
    """``text`` at ``rate`` as 16 kHz audio, and where its first comma begins (seconds)."""
    from avatar_desktop.audio.encode import to_mono_16k
    from avatar_desktop.core.cancel import CancelToken

    speech = voice.synthesize(text, cancel=CancelToken(), rate=rate)  # type: ignore[attr-defined]
    comma = next((p.start for p in speech.phones if p.symbol == ","), None)
    return to_mono_16k(speech.pcm, speech.sample_rate), comma


def make(
    voice: object,
    text: str,
    *,
    rate: float = 1.0,
    pause_s: float | None = None,
    noisy: bool = False,
    seed: int = 7,
) -> Utterance:
    """One utterance; with ``pause_s`` the silence between the words around the first comma
    becomes about that long (the comma's own short gap included)."""
    speech, comma = _synthesize(voice, text, rate)
    pause: tuple[int, int] | None = None
    if pause_s is not None:
        if comma is None:
            raise ValueError(f"no comma to pause at in {text!r}")
        cut = int(comma * RATE)
        before, after = voiced(speech[:cut]), voiced(speech[cut:])
        natural = len(speech[:cut]) - int(before[-1]) - 1 + int(after[0])
        gap = np.zeros(max(0, int(pause_s * RATE) - natural), dtype=np.float32)
        speech = np.concatenate([speech[:cut], gap, speech[cut:]])
        pause = (int(before[-1]), cut + len(gap) + int(after[0]))
    lead = int(LEAD_S * RATE)
    clean = np.concatenate([np.zeros(lead, dtype=np.float32), speech])
    pause = None if pause is None else (pause[0] + lead, pause[1] + lead)
    span = voiced(clean)
    plain = Utterance(
        text, clean.astype(np.float32), int(span[-1]), rate, False, pause, int(span[0])
    )
    return add_noise(plain, seed) if noisy else plain


def add_noise(utterance: Utterance, seed: int = 7) -> Utterance:
    """The same words with fan-like noise ``SNR_DB`` below the speech's own loudness, running
    from the start of the clip to ``NOISE_TAIL_S`` after the last word."""
    if utterance.noisy:
        raise ValueError("the utterance is noisy already: its voice cannot be measured")
    tail = np.zeros(int(NOISE_TAIL_S * RATE), dtype=np.float32)
    clean = np.concatenate([utterance.pcm, tail])
    span = voiced(utterance.pcm)
    speech = utterance.pcm[int(span[0]) : int(span[-1]) + 1]
    level = float(np.sqrt(np.mean(speech**2))) * 10 ** (-SNR_DB / 20)
    hum = noise((len(clean) + 1) / RATE, seed=seed, level=level)[: len(clean)]
    return replace(utterance, pcm=(clean + hum).astype(np.float32), noisy=True)


def build(voice: object) -> list[Utterance]:
    """The standard set: plain and paused sentences at varied speeds, every fourth noisy."""
    out: list[Utterance] = []
    for i, text in enumerate(PLAIN):
        out.append(make(voice, text, rate=RATES[i % len(RATES)], noisy=i % 4 == 2, seed=i))
    for i, text in enumerate(PAUSED):
        pause_s = 0.5 + 0.4 * i / (len(PAUSED) - 1)  # 500 … 900 ms
        rate = RATES[(i + 3) % len(RATES)]
        out.append(make(voice, text, rate=rate, pause_s=pause_s, noisy=i % 4 == 1, seed=50 + i))
    return out
