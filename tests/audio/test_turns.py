"""Whose turn it is, on our own voice fed as a microphone would: real Silero VAD and Smart Turn."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pytest

from avatar_desktop.audio.encode import to_mono_16k
from avatar_desktop.audio.turn_model import SmartTurn
from avatar_desktop.audio.turns import (
    POLICIES,
    Judged,
    Paused,
    Responsiveness,
    Resumed,
    SegmentCut,
    TurnEnded,
    TurnEvent,
    TurnPolicy,
    TurnStarted,
    TurnTaker,
    policy_for,
    sounds_unfinished,
)
from avatar_desktop.audio.vad import SAMPLE_RATE, WINDOW, SileroVad
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.speech import SENTENCES, Float32, noise, silence, spoken

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
    """Everything spoken for this module, made once: the voice takes seconds to load."""

    question: Float32
    first_half: Float32  # "I was wondering", up to where the comma begins
    second_half: Float32  # "what's the tallest mountain in Africa?", from where it ends
    sentences: list[Float32]  # a few SENTENCES without a comma, trimmed to their voice


@pytest.fixture(scope="module")
def clips() -> Clips:
    voice = PiperVoiceProvider()
    voice.load()
    whole = voice.synthesize(WONDERING, cancel=CancelToken())
    pcm = to_mono_16k(whole.pcm, whole.sample_rate)
    comma = next(p for p in whole.phones if p.symbol == ",")
    first, second = pcm[: round(comma.start * SAMPLE_RATE)], pcm[round(comma.end * SAMPLE_RATE) :]
    sentences = [trimmed(spoken(voice, text)) for text in SENTENCES[1:5]]
    assert not any("," in text for text in SENTENCES[1:5])  # a comma is a pause in Piper's voice
    return Clips(spoken(voice, QUESTION), first, second, sentences)


@pytest.fixture(scope="module")
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


# A finished thought, and one that trails off


def test_a_finished_question_ends_soon_after_its_words(taker: TurnTaker, clips: Clips) -> None:
    audio = join(silence(0.5), clips.question, silence(2.5))
    seen = run(taker, audio, on_pause=hearing(taker, QUESTION))
    assert kinds(seen) == ["TurnStarted", "Paused", "TurnEnded"]
    (_, paused), (ended_at, ended) = only(seen, Paused)[0], only(seen, TurnEnded)[0]
    judged = verdict(seen, paused)
    assert judged.complete is not None and judged.complete > 0.5 and judged.likely_complete
    assert ended.reason == "complete"
    # Silero hears a voice ~60-110 ms past its audible end (-40 dBFS), and it reads 32 ms
    # windows fed 20 ms at a time: the quiet counts from its last voiced window.
    assert ended_at - ended.last_voiced_sample <= (POLICY.complete_silence_ms + 64) * MS
    assert ended_at - last_loud(audio) <= (POLICY.complete_silence_ms + 150) * MS
    assert not taker.in_turn


def test_the_paused_audio_is_the_whole_question(taker: TurnTaker, clips: Clips) -> None:
    """What is handed to the recogniser starts before the first sound and ends after the last."""
    lead_in = round(0.5 * SAMPLE_RATE)
    audio = join(silence(0.5), clips.question, silence(1.0))
    seen = run(taker, audio)
    ((_, started),) = only(seen, TurnStarted)
    ((_, paused),) = only(seen, Paused)
    first_sound = int(np.flatnonzero(loudness(audio) > LOUD)[0])
    assert lead_in - 100 * MS <= started.at_sample <= first_sound + 100 * MS
    assert paused.start_sample <= first_sound - 100 * MS
    assert paused.start_sample + len(paused.pcm) >= last_loud(audio)
    np.testing.assert_array_equal(paused.pcm, audio[paused.start_sample :][: len(paused.pcm)])
    assert not paused.pcm.flags.writeable  # shared with the recogniser's thread: never changed


def test_words_that_trail_off_wait_for_the_cap(taker: TurnTaker, clips: Clips) -> None:
    """The model hears a finished question; the words say the thought goes on, and win."""
    audio = join(silence(0.5), clips.question, silence(2.5))
    seen = run(taker, audio, on_pause=hearing(taker, "I was wondering..."))
    assert kinds(seen) == ["TurnStarted", "Paused", "TurnEnded"]
    ((ended_at, ended),) = only(seen, TurnEnded)
    assert ended.reason == "cap"
    waited = ended_at - ended.last_voiced_sample
    assert POLICY.cap_silence_ms * MS <= waited <= (POLICY.cap_silence_ms + 64) * MS


def test_unheard_words_never_end_a_turn_early(taker: TurnTaker, clips: Clips) -> None:
    """Until the recogniser says what was said, only the cap ends the turn."""
    seen = run(taker, join(silence(0.5), clips.question, silence(2.5)))
    ((_, ended),) = only(seen, TurnEnded)
    assert ended.reason == "cap"


def test_a_thought_cut_at_its_comma_is_held_by_the_model(taker: TurnTaker, clips: Clips) -> None:
    """Words that look finished ("I was wondering.") do not end it: the model hears it is not."""
    audio = join(silence(0.5), clips.first_half, silence(2.5))
    seen = run(taker, audio, on_pause=hearing(taker, "I was wondering."))
    (_, paused), (ended_at, ended) = only(seen, Paused)[0], only(seen, TurnEnded)[0]
    judged = verdict(seen, paused)
    assert judged.complete is not None and judged.complete < 0.5 and not judged.likely_complete
    assert ended.reason == "cap"
    assert ended_at - ended.last_voiced_sample >= POLICY.cap_silence_ms * MS


def paused_utterance(clips: Clips, first: Float32) -> tuple[Float32, int]:
    """``first``, 700 ms of quiet, then the rest of the question; and where the rest begins."""
    audio = join(silence(0.5), first, silence(0.7), clips.second_half, silence(2.0))
    return audio, len(audio) - len(clips.second_half) - round(2.0 * SAMPLE_RATE)


def test_a_paused_utterance_is_one_turn(taker: TurnTaker, clips: Clips) -> None:
    audio, rest = paused_utterance(clips, clips.first_half)
    heard = {1: "I was wondering.", 2: WONDERING}
    seen = run(taker, audio, on_pause=lambda p: taker.hear_text(p.pause, heard[p.pause]))
    assert kinds(seen) == [*ONE_PAUSE, "TurnEnded"]
    (_, first), (_, second) = only(seen, Paused)
    ((resumed_at, resumed),) = only(seen, Resumed)
    ((_, ended),) = only(seen, TurnEnded)
    assert (first.pause, resumed.pause, second.pause, ended.pause) == (1, 1, 2, 2)
    assert ended.reason == "complete" and verdict(seen, second).likely_complete
    voice_back = rest + int(np.flatnonzero(loudness(clips.second_half) > LOUD)[0])
    assert resumed_at - voice_back <= (POLICY.resume_ms + 100) * MS
    # Under 1.5 s of words before the pause: they are heard again with the rest.
    assert not resumed.fixed
    assert second.start_sample == first.start_sample
    assert second.start_sample + len(second.pcm) >= last_loud(audio)


def test_a_long_start_is_fixed_at_the_pause(taker: TurnTaker, clips: Clips) -> None:
    """Words said for longer than fix_after_s stand; the next pause brings only what followed."""
    long_first = clips.sentences[0]  # "Tell me a story about a brave little mouse."
    assert len(long_first) >= (POLICY.fix_after_s + 0.3) * SAMPLE_RATE
    audio, rest = paused_utterance(clips, long_first)
    seen = run(taker, audio)
    assert kinds(seen)[:4] == ONE_PAUSE
    (_, first), (_, second) = only(seen, Paused)[:2]
    ((_, resumed),) = only(seen, Resumed)
    assert resumed.fixed
    voice_back = rest + int(np.flatnonzero(loudness(clips.second_half) > LOUD)[0])
    assert first.start_sample + len(first.pcm) <= second.start_sample <= voice_back
    assert second.start_sample >= resumed.at_sample - POLICY.pre_roll_ms * MS


def test_fixing_waits_for_enough_speech(clips: Clips) -> None:
    """The same short start is fixed once the policy asks for less speech than it holds."""
    audio, _ = paused_utterance(clips, clips.first_half)
    for fix_after_s, fixed in ((1.5, False), (0.5, True)):
        patient = TurnPolicy(fix_after_s=fix_after_s, complete_silence_ms=1600)  # no model
        taker = TurnTaker(SileroVad(), patient)
        ((_, resumed),) = only(run(taker, audio), Resumed)
        assert resumed.fixed is fixed


def test_any_chunking_and_int16_give_the_same_turn(clips: Clips, model: SmartTurn) -> None:
    """A microphone may hand over any number of samples, as floats or as 16-bit integers."""
    audio = join(silence(0.5), clips.first_half, silence(0.7), clips.second_half, silence(2.0))
    as_int16 = np.round(audio * 32767).astype(np.int16)
    runs = [
        run(TurnTaker(SileroVad(), POLICY, model), pcm, chunk=chunk)
        for pcm, chunk in ((audio, CHUNK), (audio, 1234), (as_int16, 77))
    ]
    first = timeline(runs[0])
    assert [kind for kind, _ in first] == [*ONE_PAUSE, "TurnEnded"]
    for other in runs[1:]:
        assert timeline(other) == first


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


def test_reset_forgets_a_turn(taker: TurnTaker, clips: Clips) -> None:
    assert taker.feed(np.zeros(0, np.float32)) == []
    run(taker, join(silence(0.5), clips.question[: SAMPLE_RATE // 2]))
    assert taker.in_turn
    taker.reset()
    assert not taker.in_turn and taker.samples_fed == 0
    assert kinds(run(taker, join(silence(0.5), clips.question, silence(2.0))))[0] == "TurnStarted"


# Sounds that are not a turn


def test_a_click_never_starts_a_turn(taker: TurnTaker) -> None:
    click = (0.5 * np.random.default_rng(2).standard_normal(CHUNK)).astype(np.float32)
    assert run(taker, join(silence(0.5), click, silence(1.0), click, silence(1.0))) == []
    assert not taker.in_turn


def test_a_cough_never_starts_a_turn(taker: TurnTaker) -> None:
    """A 150 ms burst of loud noise, rising and falling like a cough."""
    n = 150 * MS
    burst = 0.4 * np.hanning(n) * np.random.default_rng(3).standard_normal(n)
    assert run(taker, join(silence(0.5), burst.astype(np.float32), silence(1.0))) == []


def test_ten_seconds_of_noise_never_start_a_turn(taker: TurnTaker) -> None:
    assert run(taker, noise(10.0)) == []
    assert taker.samples_fed == 10 * SAMPLE_RATE


def test_a_voice_in_noise_still_starts_a_turn(taker: TurnTaker, clips: Clips) -> None:
    """The noise above is quiet enough that a voice over it is heard: the test could fail."""
    audio = join(silence(0.5), clips.question, silence(2.0))
    hiss = noise(len(audio) / SAMPLE_RATE + 0.01, level=0.005)[: len(audio)]
    seen = run(taker, audio + hiss)
    assert kinds(seen)[:2] == ["TurnStarted", "Paused"]


# A monologue


def test_a_monologue_is_cut_in_pieces_and_holds_bounded_audio(
    model: SmartTurn, clips: Clips
) -> None:
    """Over a minute with 60 ms breaths: the turn never ends, the segment cap cuts it. (Our
    voice sometimes leaves a longer gap inside a sentence: such a pause resumes at once, and
    with fixing off here the cuts stay back to back.)"""
    taker = TurnTaker(SileroVad(), dataclasses.replace(POLICY, fix_after_s=1e6), model)
    breath = silence(0.06)
    parts = [piece for _ in range(10) for s in clips.sentences for piece in (s, breath)]
    speech = join(*parts)
    assert len(speech) > 60 * SAMPLE_RATE
    held: list[int] = []

    def measure() -> None:
        # The taker's tape is private, but "no memory growth" is a promise about exactly it.
        held.append(taker._tape.end - taker._tape.start)

    seen = run(taker, join(silence(0.5), speech), after_chunk=measure)
    assert kinds(seen)[0] == "TurnStarted"
    names = kinds(seen)
    assert "TurnEnded" not in names
    assert all(after == "Resumed" for name, after in itertools.pairwise(names) if name == "Paused")
    cuts = [cut for _, cut in only(seen, SegmentCut)]
    assert len(cuts) >= 2
    longest = round(POLICY.max_segment_s * SAMPLE_RATE)
    for cut, after in itertools.pairwise(cuts):
        assert longest <= len(cut.pcm) < longest + WINDOW  # cut at the next whole VAD window
        assert after.start_sample == cut.start_sample + len(cut.pcm)  # nothing lost, nothing twice
    assert max(held) < 30 * SAMPLE_RATE
    assert taker.in_turn


# Claims and policies


def test_a_claim_before_the_turn_moves_its_start(taker: TurnTaker, clips: Clips) -> None:
    """The avatar's voice fills the first 0.6 s; only what follows is the user's."""
    audio = join(silence(0.5), clips.question, silence(1.0))
    first_sound = int(np.flatnonzero(loudness(audio) > LOUD)[0])
    mine = first_sound + 100 * MS
    taker.claim(mine)
    ((_, paused),) = only(run(taker, audio), Paused)
    assert paused.start_sample == mine
    np.testing.assert_array_equal(paused.pcm, audio[mine : mine + len(paused.pcm)])


def test_a_claim_during_the_turn_moves_its_segment(taker: TurnTaker, clips: Clips) -> None:
    audio = join(silence(0.5), clips.question, silence(1.0))
    split = round(1.2 * SAMPLE_RATE)
    seen = run(taker, audio[:split])
    assert kinds(seen) == ["TurnStarted"] and taker.in_turn
    taker.claim(0)  # an earlier claim never moves it back
    taker.claim(split - 200 * MS)
    ((_, paused),) = only(run(taker, audio[split:]), Paused)
    assert paused.start_sample == split - 200 * MS


def test_without_a_model_a_fixed_silence_ends_every_turn(clips: Clips) -> None:
    policy = dataclasses.replace(policy_for("balanced", model=False, silence_ms=600), check_ms=96)
    taker = TurnTaker(SileroVad(), policy)
    seen = run(taker, join(silence(0.5), clips.first_half, silence(1.5)))
    assert kinds(seen) == ["TurnStarted", "Paused", "TurnEnded"]
    ((_, paused),), ((ended_at, ended),) = only(seen, Paused), only(seen, TurnEnded)
    assert verdict(seen, paused).complete is None and verdict(seen, paused).likely_complete
    assert ended.reason == "silence"
    assert 600 * MS <= ended_at - ended.last_voiced_sample <= 664 * MS


def test_a_failing_model_falls_back_to_silence(
    clips: Clips, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corrupt = tmp_path / "smart-turn.onnx"
    corrupt.write_bytes(np.random.default_rng(4).bytes(2048))
    taker = TurnTaker(SileroVad(), POLICY, SmartTurn(corrupt))
    audio = join(silence(0.5), clips.question, silence(2.0), clips.question, silence(2.0))
    seen = run(taker, audio, on_pause=hearing(taker, QUESTION))
    assert kinds(seen) == ["TurnStarted", "Paused", "TurnEnded"] * 2  # it keeps listening
    assert taker.model_failed is not None and "could not be opened" in taker.model_failed
    for _, event in seen:
        if isinstance(event, Paused):
            assert verdict(seen, event).complete is None and verdict(seen, event).likely_complete
        if isinstance(event, TurnEnded):
            assert event.reason == "silence"  # no model said "complete"
    warnings = [r for r in caplog.records if r.name == "avatar_desktop.audio.turns"]
    assert len(warnings) == 1 and "ending turns on silence" in warnings[0].getMessage()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("quick", POLICIES[Responsiveness.QUICK]),
        ("balanced", POLICIES[Responsiveness.BALANCED]),
        ("patient", POLICIES[Responsiveness.PATIENT]),
        ("nonsense", POLICIES[Responsiveness.BALANCED]),
    ],
)
def test_policy_for_a_setting(setting: str, expected: TurnPolicy) -> None:
    assert policy_for(setting, model=True, silence_ms=600) == expected


@pytest.mark.parametrize("setting", ["quick", "balanced", "patient", "nonsense"])
def test_policy_without_a_model_is_the_silence(setting: str) -> None:
    policy = policy_for(setting, model=False, silence_ms=700)
    assert policy.complete_silence_ms == policy.cap_silence_ms == 700
    assert policy.threshold == 0.0


def test_policies_trade_speed_for_patience() -> None:
    quick, balanced, patient = (POLICIES[r] for r in Responsiveness)
    assert quick.complete_silence_ms < balanced.complete_silence_ms < patient.complete_silence_ms
    assert quick.cap_silence_ms < balanced.cap_silence_ms < patient.cap_silence_ms
    for policy in (quick, balanced, patient):
        assert policy.complete_silence_ms < policy.cap_silence_ms


# Words that trail off


@pytest.mark.parametrize(
    "text",
    [
        "I was wondering,",
        "I was wondering...",
        "I was wondering…",
        "so what I mean is -",
        "and then —",
        "Tell me about the",
        "What do you think about",
        "I don't know whether",
        "I'll have the soup or maybe",
        "Maybe",
        "Could you tell me um",
        '"I was thinking,"',
        "first; ",
    ],
)
def test_words_that_trail_off(text: str) -> None:
    assert sounds_unfinished(text)


@pytest.mark.parametrize(
    "text",
    [
        "What is the weather like today?",
        "Thank you.",
        "Tell me about it.",
        "Tell me about it",
        "That's the one!",
        "(Thank you.)",
        # A question may end on a preposition; its question mark says it is finished.
        "Where are you from?",
        "What is the book about?",
        "Who were you talking to?",
        "What are you looking at?",
        "",
        "   ",
        "…?",
    ],
)
def test_words_that_are_finished(text: str) -> None:
    assert not sounds_unfinished(text)
