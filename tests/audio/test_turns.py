"""Whose turn it is, on our own voice fed as a microphone would: real Silero VAD and Smart Turn."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from avatar_desktop.audio.turn_model import SmartTurn
from avatar_desktop.audio.turns import (
    POLICIES,
    Paused,
    Responsiveness,
    Resumed,
    TurnEnded,
    TurnPolicy,
    TurnStarted,
    TurnTaker,
)
from avatar_desktop.audio.vad import SAMPLE_RATE, WINDOW, SileroVad
from tests.audio.speech import noise, silence
from tests.audio.turn_scenes import (
    CHUNK,
    LOUD,
    MS,
    ONE_PAUSE,
    POLICY,
    QUESTION,
    WONDERING,
    Clips,
    hearing,
    join,
    kinds,
    last_loud,
    loudness,
    only,
    paused_utterance,
    run,
    timeline,
    verdict,
)

# A finished thought, and one that trails off


@pytest.mark.parametrize("responsiveness", list(Responsiveness))
def test_a_finished_question_ends_soon_after_its_words(
    clips: Clips, model: SmartTurn, responsiveness: Responsiveness
) -> None:
    policy = dataclasses.replace(POLICIES[responsiveness], check_ms=POLICY.check_ms)
    taker = TurnTaker(SileroVad(), policy, model)
    audio = join(silence(0.5), clips.question, silence(2.5))
    seen = run(taker, audio, on_pause=hearing(taker, QUESTION))
    assert kinds(seen) == ["TurnStarted", "Paused", "TurnEnded"]
    (_, paused), (ended_at, ended) = only(seen, Paused)[0], only(seen, TurnEnded)[0]
    judged = verdict(seen, paused)
    assert judged.complete is not None and judged.complete > policy.threshold
    assert judged.likely_complete and ended.reason == "complete"
    # The quiet counts from Silero's last voiced 32 ms window (fed 20 ms at a time); Silero
    # hears the voice some 60-130 ms past where it falls below LOUD (-34 dBFS).
    assert ended_at - ended.last_voiced_sample <= (policy.complete_silence_ms + 64) * MS
    assert ended_at - last_loud(audio) <= (policy.complete_silence_ms + 150) * MS
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


def test_words_heard_late_end_the_turn_at_once(taker: TurnTaker, clips: Clips) -> None:
    """The recogniser may take longer than the short silence: the turn ends when it answers."""
    audio = join(silence(0.5), clips.question, silence(2.5))
    answer_at: list[int] = []
    late = 400 * MS

    def recogniser_answers() -> None:
        if answer_at and taker.samples_fed >= answer_at[0] + late:
            taker.hear_text(1, QUESTION)

    def note(paused: Paused) -> None:
        answer_at.append(taker.samples_fed)

    seen = run(taker, audio, on_pause=note, after_chunk=recogniser_answers)
    ((ended_at, ended),) = only(seen, TurnEnded)
    assert ended.reason == "complete"
    assert answer_at[0] + late < ended_at <= answer_at[0] + late + WINDOW + CHUNK


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
    audio, rest = paused_utterance(clips, clips.first_half)
    for fix_after_s, fixed in ((1.5, False), (0.5, True)):
        patient = TurnPolicy(fix_after_s=fix_after_s, complete_silence_ms=1600)  # no model
        taker = TurnTaker(SileroVad(), patient)
        resumes = [event for _, event in only(run(taker, audio), Resumed)]
        # the user going on after the thinking pause (a breath between words may pause too)
        resumed = min(resumes, key=lambda event: abs(event.at_sample - rest))
        assert abs(resumed.at_sample - rest) < SAMPLE_RATE // 4
        assert resumed.fixed is fixed


def test_any_chunking_and_int16_give_the_same_turn(clips: Clips, model: SmartTurn) -> None:
    """A microphone may hand over any number of samples, as floats or as 16-bit integers."""
    said, _ = paused_utterance(clips, clips.first_half)
    as_int16 = np.round(said * 32767).astype(np.int16)
    audio = as_int16.astype(np.float32) / np.float32(32768)  # the very same samples, as floats
    runs = [
        run(TurnTaker(SileroVad(), POLICY, model), pcm, chunk=chunk)
        for pcm, chunk in ((audio, CHUNK), (audio, 1234), (as_int16, 77))
    ]
    first = timeline(runs[0])
    assert [kind for kind, _ in first] == [*ONE_PAUSE, "TurnEnded"]
    for other in runs[1:]:
        assert timeline(other) == first


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


def test_music_alone_never_starts_a_turn(taker: TurnTaker) -> None:
    """Ten seconds of a plucked tune (three harmonics, decaying notes, no voice)."""
    notes = [220, 262, 330, 392, 440, 523, 392, 330] * 3
    tune = np.zeros(10 * SAMPLE_RATE)
    for i, hz in enumerate(notes):
        at = round(i * 0.4 * SAMPLE_RATE)
        t = np.arange(round(0.38 * SAMPLE_RATE)) / SAMPLE_RATE
        tone = sum(np.sin(2 * np.pi * hz * k * t) / k for k in (1, 2, 3))
        tune[at : at + len(t)] += np.exp(-3 * t) * tone
    assert run(taker, (0.3 * tune / np.abs(tune).max()).astype(np.float32)) == []


def test_ten_seconds_of_noise_never_start_a_turn(taker: TurnTaker) -> None:
    assert run(taker, noise(10.0)) == []
    assert taker.samples_fed == 10 * SAMPLE_RATE


def test_a_voice_in_noise_still_starts_a_turn(taker: TurnTaker, clips: Clips) -> None:
    """The noise above is quiet enough that a voice over it is heard: the test could fail."""
    audio = join(silence(0.5), clips.question, silence(2.0))
    hiss = noise(len(audio) / SAMPLE_RATE + 0.01, level=0.005)[: len(audio)]
    seen = run(taker, audio + hiss)
    assert kinds(seen)[:2] == ["TurnStarted", "Paused"]
