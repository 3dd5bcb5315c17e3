"""Verdicts reached elsewhere: a pause is asked of the model once, the model runs on a thread
of its own while the listening loop reads on, and a verdict that comes too late changes
nothing."""

from __future__ import annotations

import threading
import time

import numpy as np
import numpy.typing as npt
import pytest

from avatar_desktop.audio.hands_free import Judge
from avatar_desktop.audio.turn_model import SmartTurn
from avatar_desktop.audio.turns import Judged, Judgement, Paused, Resumed, TurnTaker
from avatar_desktop.audio.vad import SAMPLE_RATE
from tests.audio.turn_scenes import CHUNK, Clips, paused_utterance


def until_paused(taker: TurnTaker, audio: npt.NDArray[np.float32]) -> tuple[Paused, int]:
    """Feed until the first pause; the pause, and how much audio was fed."""
    for begin in range(0, len(audio), CHUNK):
        for event in taker.feed(audio[begin : begin + CHUNK], judge=False):
            if isinstance(event, Paused):
                return event, begin + CHUNK
    raise AssertionError("the voice never paused")


def test_a_pause_is_asked_once_and_its_verdict_taken_later(
    taker: TurnTaker, clips: Clips, model: SmartTurn
) -> None:
    audio, _ = paused_utterance(clips, clips.first_half)
    paused, _ = until_paused(taker, audio)
    asked = taker.ask()
    assert asked is not None and asked.pause == paused.pause
    assert taker.ask() is None  # asked already: the loop sends it to the model once
    assert len(asked.windows) == 1 and len(asked.windows[0]) > SAMPLE_RATE // 2
    complete, failure = asked.assess()
    assert failure is None and complete == model.complete(asked.windows[0])
    assert taker.verdict(asked, 0.9) == [Judged(paused.pause, 0.9, True)]
    assert taker.verdict(asked, 0.9) == []  # taken once


def test_a_verdict_after_the_user_went_on_changes_nothing(taker: TurnTaker, clips: Clips) -> None:
    audio, rest = paused_utterance(clips, clips.first_half)
    _, fed = until_paused(taker, audio)
    asked = taker.ask()
    assert asked is not None
    events = taker.feed(audio[fed : rest + SAMPLE_RATE // 2], judge=False)
    assert any(isinstance(e, Resumed) for e in events)
    assert taker.verdict(asked, 0.99) == []
    assert taker.ask() is None  # talking: nothing to judge


def test_after_going_on_the_model_hears_the_new_words_alone_too(
    taker: TurnTaker, clips: Clips
) -> None:
    audio, _ = paused_utterance(clips, clips.first_half)
    seen = []
    for begin in range(0, len(audio), CHUNK):
        seen += taker.feed(audio[begin : begin + CHUNK], judge=False)
        if sum(isinstance(e, Paused) for e in seen) == 2:
            break
    asked = taker.ask()
    assert asked is not None and asked.pause == 2
    whole, since = asked.windows
    assert len(since) < len(whole)
    assert np.array_equal(whole[-len(since) :], since)


def test_a_model_that_breaks_is_told_and_turns_end_on_silence(
    taker: TurnTaker, clips: Clips
) -> None:
    audio, _ = paused_utterance(clips, clips.first_half)
    paused, _ = until_paused(taker, audio)
    asked = taker.ask()
    assert asked is not None
    assert taker.verdict(asked, None, "the model is damaged") == [Judged(paused.pause, None, True)]
    assert taker.model_failed == "the model is damaged"


class _Watched(SmartTurn):
    """The real model, noting the thread it runs on."""

    def __init__(self, *, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail
        self.threads: list[str] = []

    def complete(self, pcm: npt.ArrayLike) -> float:
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise RuntimeError("the model file is damaged")
        return super().complete(pcm)


def verdicts(judge: Judge, count: int) -> list[tuple[Judgement, float | None, str | None]]:
    got: list[tuple[Judgement, float | None, str | None]] = []
    deadline = time.monotonic() + 10
    while len(got) < count and time.monotonic() < deadline:
        got += judge.verdicts()
        time.sleep(0.005)
    return got


def test_the_judge_runs_the_model_on_its_own_thread(clips: Clips) -> None:
    model = _Watched()
    voice = np.concatenate([clips.question, np.zeros(SAMPLE_RATE // 4, np.float32)])
    judge = Judge()
    try:
        asked = Judgement(1, (voice,), model)
        judge.ask(asked)
        ((back, complete, failure),) = verdicts(judge, 1)
    finally:
        judge.stop()
    assert back is asked and failure is None
    assert complete == pytest.approx(SmartTurn().complete(voice), abs=1e-6)
    assert model.threads == ["turn-judge"]


def test_a_broken_model_gives_a_failure_not_a_dead_judge(clips: Clips) -> None:
    broken, working = _Watched(fail=True), _Watched()
    judge = Judge()
    try:
        judge.ask(Judgement(1, (clips.question,), broken))
        judge.ask(Judgement(2, (clips.question,), working))
        (first, second) = verdicts(judge, 2)
    finally:
        judge.stop()
    assert first[1:] == (None, "the model file is damaged")
    assert second[0].pause == 2 and second[1] is not None and second[2] is None


class _Held(SmartTurn):
    """A model that thinks until it is let go."""

    def __init__(self) -> None:
        super().__init__()
        self.thinking, self.go = threading.Event(), threading.Event()

    def complete(self, pcm: npt.ArrayLike) -> float:
        self.thinking.set()
        self.go.wait(10)
        return 0.5


def test_stopping_never_waits_for_the_model(clips: Clips) -> None:
    """Listening stops on the window's thread: a pause being judged must not hold it."""
    model = _Held()
    judge = Judge()
    judge.ask(Judgement(1, (clips.question,), model))
    assert model.thinking.wait(10)
    stopping = threading.Thread(target=judge.stop)
    stopping.start()
    stopping.join(1.0)  # a stop that waited for the model would still be waiting
    stopped_while_thinking = not stopping.is_alive() and not model.go.is_set()
    model.go.set()
    assert stopped_while_thinking
