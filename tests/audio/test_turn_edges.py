"""The turn taker at its edges: late verdicts, a monologue, claims, a missing or broken model."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pytest

from avatar_desktop.audio.turn_model import SmartTurn
from avatar_desktop.audio.turns import (
    Judged,
    Paused,
    SegmentCut,
    TurnEnded,
    TurnTaker,
    policy_for,
)
from avatar_desktop.audio.vad import SAMPLE_RATE, WINDOW, SileroVad
from tests.audio.speech import silence
from tests.audio.turn_scenes import (
    CHUNK,
    LOUD,
    MS,
    POLICY,
    QUESTION,
    WONDERING,
    Clips,
    Seen,
    hearing,
    join,
    kinds,
    loudness,
    only,
    paused_utterance,
    run,
    timeline,
    verdict,
)

# Verdicts given later: the listener sends a pause's audio off first, then asks the model


def test_judging_later_gives_the_same_turn(clips: Clips, model: SmartTurn) -> None:
    audio, _ = paused_utterance(clips, clips.first_half)
    heard = {1: "I was wondering.", 2: WONDERING}
    now = TurnTaker(SileroVad(), POLICY, model)
    at_once = run(now, audio, on_pause=lambda p: now.hear_text(p.pause, heard[p.pause]))
    later = TurnTaker(SileroVad(), POLICY, model)
    seen: Seen = []
    for begin in range(0, len(audio), CHUNK):
        events = later.feed(audio[begin : begin + CHUNK], judge=False)
        assert not any(isinstance(e, Judged) for e in events)  # the verdict waits to be asked
        for event in events + later.judge():
            seen.append((later.samples_fed, event))
            if isinstance(event, Paused):
                later.hear_text(event.pause, heard[event.pause])
    assert [type(e).__name__ for _, e in seen] == [type(e).__name__ for _, e in at_once]
    assert [type(e).__name__ for _, e in seen].count("Judged") == 2
    assert timeline(seen) == timeline(at_once)


def test_an_unasked_verdict_never_ends_a_turn_early(taker: TurnTaker, clips: Clips) -> None:
    """Until the model has judged a pause, only the cap ends the turn, whatever the words."""
    audio = join(silence(0.5), clips.question, silence(2.5))
    seen: Seen = []
    for begin in range(0, len(audio), CHUNK):
        for event in taker.feed(audio[begin : begin + CHUNK], judge=False):
            seen.append((taker.samples_fed, event))
            if isinstance(event, Paused):
                taker.hear_text(event.pause, QUESTION)
    assert kinds(seen) == ["TurnStarted", "Paused", "TurnEnded"]
    ((_, ended),) = only(seen, TurnEnded)
    assert ended.reason == "cap"


def test_a_verdict_is_not_asked_of_a_turn_that_is_over(taker: TurnTaker, clips: Clips) -> None:
    """A listener that fell behind reads a second or two at once; by the time it asks, the
    turn has ended, and the model is not run again for it (nor its verdict reported)."""
    audio = join(silence(0.5), clips.question, silence(2.5))
    events = taker.feed(audio, judge=False)
    assert [type(e).__name__ for e in events] == ["TurnStarted", "Paused", "TurnEnded"]
    assert taker.judge() == []


def test_a_verdict_is_not_asked_once_the_user_goes_on(taker: TurnTaker, clips: Clips) -> None:
    audio, _ = paused_utterance(clips, clips.first_half)
    seen = taker.feed(audio[: len(audio) - 3 * SAMPLE_RATE], judge=False)
    assert [type(e).__name__ for e in seen] == ["TurnStarted", "Paused", "Resumed"]
    assert taker.judge() == []


def test_reset_forgets_a_turn(taker: TurnTaker, clips: Clips) -> None:
    assert taker.feed(np.zeros(0, np.float32)) == []
    run(taker, join(silence(0.5), clips.question[: SAMPLE_RATE // 2]))
    assert taker.in_turn
    taker.reset()
    assert not taker.in_turn and taker.samples_fed == 0
    assert kinds(run(taker, join(silence(0.5), clips.question, silence(2.0))))[0] == "TurnStarted"


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


# Claims, and no model or a broken one


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


# A finished question the model hears as open


class Doubtful:
    """An end-of-turn model that always hears a thought still going on."""

    def complete(self, pcm: object) -> float:
        return 0.1


def test_a_question_the_model_doubts_ends_after_the_question_wait(clips: Clips) -> None:
    """The words are a whole question: the turn ends after question_silence_ms, not the cap."""
    taker = TurnTaker(SileroVad(), POLICY, Doubtful())
    audio = join(silence(0.5), clips.question, silence(2.5))
    seen = run(taker, audio, on_pause=hearing(taker, QUESTION))
    ((ended_at, ended),) = only(seen, TurnEnded)
    assert ended.reason == "question"
    waited = ended_at - ended.last_voiced_sample
    assert POLICY.question_silence_ms * MS <= waited <= (POLICY.question_silence_ms + 64) * MS
    assert POLICY.question_silence_ms < POLICY.cap_silence_ms


def test_a_doubted_statement_still_waits_for_the_cap(clips: Clips) -> None:
    """'I was wondering.' has a full stop, not a question mark: only the cap ends it."""
    taker = TurnTaker(SileroVad(), POLICY, Doubtful())
    audio = join(silence(0.5), clips.question, silence(2.5))
    seen = run(taker, audio, on_pause=hearing(taker, "I was wondering."))
    ((_, ended),) = only(seen, TurnEnded)
    assert ended.reason == "cap"


def test_a_long_statement_the_model_doubts_ends_after_the_statement_wait(clips: Clips) -> None:
    """Many finished words with a full stop: over after statement_silence_ms, not the cap."""
    taker = TurnTaker(SileroVad(), POLICY, Doubtful())
    audio = join(silence(0.5), clips.question, silence(2.5))
    words = "Please explain how a rainbow is formed."
    seen = run(taker, audio, on_pause=hearing(taker, words))
    ((ended_at, ended),) = only(seen, TurnEnded)
    assert ended.reason == "statement"
    waited = ended_at - ended.last_voiced_sample
    assert POLICY.statement_silence_ms * MS <= waited <= (POLICY.statement_silence_ms + 64) * MS
    assert POLICY.question_silence_ms < POLICY.statement_silence_ms < POLICY.cap_silence_ms
