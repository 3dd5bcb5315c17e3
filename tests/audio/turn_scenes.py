"""Spoken scenes for the turn tests: our own voice, fed as a microphone would, and its events.

The fixtures are session-wide (the voice takes seconds to load and speak): a test module
imports ``clips``, ``model`` and ``taker`` from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pytest

from avatar_desktop.audio.encode import to_mono_16k
from avatar_desktop.audio.turn_model import SmartTurn
from avatar_desktop.audio.turns import (
    Judged,
    Paused,
    Resumed,
    SegmentCut,
    TurnEvent,
    TurnPolicy,
    TurnStarted,
    TurnTaker,
)
from avatar_desktop.audio.vad import SAMPLE_RATE, WINDOW, SileroVad
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.speech import SENTENCES, Float32, silence, spoken

CHUNK = SAMPLE_RATE // 50  # 20 ms: what a microphone hands over at a time
MS = SAMPLE_RATE // 1000
LOUD = 0.02  # a 20 ms stretch this loud (RMS) is voice, not silence
QUESTION = "What is the weather like today?"
WONDERING = "I was wondering, what's the tallest mountain in Africa?"
# The default waits 64 ms of quiet before a pause counts, which in our voice's faster speech
# also finds some gaps between words; 96 ms keeps these scenes' pauses exactly where written.
POLICY = TurnPolicy(check_ms=96)
ONE_PAUSE = ["TurnStarted", "Paused", "Resumed", "Paused"]

Seen = list[tuple[int, TurnEvent]]
E = TypeVar("E")


@dataclass(frozen=True)
class Clips:
    """Everything spoken for the turn tests, made once: the voice takes seconds to load."""

    question: Float32
    first_half: Float32  # "I was wondering", up to where the comma begins
    second_half: Float32  # "what's the tallest mountain in Africa?", from where it ends
    sentences: list[Float32]  # a few SENTENCES without a comma, trimmed to their voice


@pytest.fixture(scope="session")
def clips() -> Clips:
    voice = PiperVoiceProvider(variation=0.0)
    voice.load()
    assert not any("," in text for text in SENTENCES[1:5])  # a comma is a pause in Piper's voice
    return Clips(
        fluent(spoken(voice, QUESTION)),
        *fluent_halves(voice),
        [trimmed(fluent(spoken(voice, text))) for text in SENTENCES[1:5]],
    )


def gap_windows(pcm: Float32) -> int:
    """The longest run of 32 ms windows inside the voice that Silero does not hear as voice."""
    vad = SileroVad()
    padded = join(silence(0.3), pcm, silence(0.3))
    usable = len(padded) - len(padded) % WINDOW
    voiced = [vad.probability(w) >= POLICY.vad_off for w in padded[:usable].reshape(-1, WINDOW)]
    inside = "".join("v" if v else "." for v in voiced).strip(".")
    return max((len(run) for run in inside.split("v")), default=0)


def fluent(pcm: Float32) -> Float32:
    """``pcm``, checked to have no pause inside: a ~100 ms gap mid-sentence is a real pause to
    the taker and not what these scenes test. The voice speaks with no variation, so the take
    is the same on every run and this holds or fails for good."""
    gaps = gap_windows(pcm)
    assert gaps <= 1, f"the voice pauses inside this sentence ({gaps} windows)"
    return pcm


def fluent_halves(voice: PiperVoiceProvider) -> tuple[Float32, Float32]:
    """The wondering question cut at its comma: both halves fluent."""
    whole = voice.synthesize(WONDERING, cancel=CancelToken())
    pcm = to_mono_16k(whole.pcm, whole.sample_rate)
    comma = next(p for p in whole.phones if p.symbol == ",")
    first = pcm[: round(comma.start * SAMPLE_RATE)]
    second = pcm[round(comma.end * SAMPLE_RATE) :]
    return fluent(first), fluent(second)


@pytest.fixture(scope="session")
def model() -> SmartTurn:
    turn = SmartTurn()
    turn.load()
    return turn


@pytest.fixture
def taker(model: SmartTurn) -> TurnTaker:
    return TurnTaker(SileroVad(), POLICY, model)


def join(*parts: Float32) -> Float32:
    return np.concatenate(parts).astype(np.float32)


def loudness(pcm: Float32) -> Float32:
    """The RMS of the 20 ms around each sample."""
    frame = np.ones(CHUNK) / CHUNK
    return np.sqrt(np.convolve(pcm.astype(np.float64) ** 2, frame, "same")).astype(np.float32)


def trimmed(pcm: Float32) -> Float32:
    """The voice alone, without the quiet the synthesiser leaves around it."""
    loud = np.flatnonzero(loudness(pcm) > LOUD)
    return pcm[int(loud[0]) : int(loud[-1]) + 1]


def last_loud(pcm: Float32) -> int:
    """The last sample of ``pcm`` where a voice is audible: when the speaker stopped."""
    return int(np.flatnonzero(loudness(pcm) > LOUD)[-1])


def paused_utterance(clips: Clips, first: Float32) -> tuple[Float32, int]:
    """``first``, 700 ms of quiet, then the rest of the question; and where the rest begins."""
    audio = join(silence(0.5), first, silence(0.7), clips.second_half, silence(2.0))
    return audio, len(audio) - len(clips.second_half) - round(2.0 * SAMPLE_RATE)


def run(
    taker: TurnTaker,
    audio: Float32 | npt.NDArray[np.int16],
    on_pause: Callable[[Paused], None] | None = None,
    after_chunk: Callable[[], None] | None = None,
    chunk: int = CHUNK,
) -> Seen:
    """Feed ``audio`` in 20 ms chunks; each event with how many samples were fed when it came."""
    seen: Seen = []
    for begin in range(0, len(audio), chunk):
        for event in taker.feed(audio[begin : begin + chunk]):
            seen.append((taker.samples_fed, event))
            if on_pause is not None and isinstance(event, Paused):
                on_pause(event)
        if after_chunk is not None:
            after_chunk()
    return seen


def kinds(seen: Seen) -> list[str]:
    """The events' kinds, verdicts left out (each pause has one: see ``verdict``)."""
    return [type(event).__name__ for _, event in seen if not isinstance(event, Judged)]


def verdict(seen: Seen, paused: Paused) -> Judged:
    """The end-of-turn model's verdict on ``paused``."""
    return next(e for _, e in seen if isinstance(e, Judged) and e.pause == paused.pause)


def hearing(taker: TurnTaker, text: str) -> Callable[[Paused], None]:
    """The recogniser's part: the words of each pause, told back at once."""
    return lambda paused: taker.hear_text(paused.pause, text)


def only(seen: Seen, kind: type[E]) -> list[tuple[int, E]]:
    """The events of one kind, each with when it came."""
    return [(at, event) for at, event in seen if isinstance(event, kind)]


def timeline(seen: Seen) -> list[tuple[str, int]]:
    """Each event with where it says it happened: the same however the audio was cut up."""
    return [(type(e).__name__, at_sample(e)) for _, e in seen if not isinstance(e, Judged)]


def at_sample(event: TurnEvent) -> int:
    if isinstance(event, TurnStarted | Resumed):
        return event.at_sample
    if isinstance(event, SegmentCut):
        return event.start_sample
    assert not isinstance(event, Judged)
    return event.last_voiced_sample
