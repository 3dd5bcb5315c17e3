"""The hands-free turn's words: when an unseen answer may start, and when it is taken back.

The turn events are the listening thread's own types, handed in as it hands them; the
recogniser is a stand-in that returns each pause's words (recognition itself is tested with
real audio in tests/audio and tests/ui/test_realtime_window.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from avatar_desktop.app.controllers.hands_free import HandsFreeTurns
from avatar_desktop.app.workers import Pools
from avatar_desktop.audio.hands_free import Heard
from avatar_desktop.audio.turns import Judged, Paused, Resumed, TurnEnded, TurnStarted
from avatar_desktop.core.cancel import CancelToken

PCM = np.zeros(1600, np.float32)


class WordsInOrder:
    """Says the next of its texts for each stretch of audio it is given."""

    name = "words in order"

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)

    def transcribe(self, pcm: np.ndarray, *, cancel: CancelToken) -> str:
        return self.texts.pop(0)


@pytest.fixture
def pools() -> Iterator[Pools]:
    pools = Pools()
    yield pools
    pools.wait(5000)


def listen(pools: Pools, *texts: str) -> tuple[HandsFreeTurns, list[tuple[str, object]]]:
    ears = WordsInOrder(*texts)
    turns = HandsFreeTurns(pools, lambda: ears)
    seen: list[tuple[str, object]] = []
    turns.draft.connect(lambda text: seen.append(("draft", text)))
    turns.draft_dropped.connect(lambda: seen.append(("dropped", None)))
    turns.said.connect(lambda text, _latency: seen.append(("said", text)))
    return turns, seen


def pause(turns: HandsFreeTurns, n: int, *, complete: float) -> None:
    turns.on_heard(Heard(Paused(n, PCM, 0, 1600), voiced_at=1.0))
    turns.on_heard(Heard(Judged(n, complete, complete >= 0.5)))


def test_finished_words_start_an_answer_even_when_the_model_doubts_the_pause(
    qtbot: QtBot, pools: Pools
) -> None:
    turns, seen = listen(pools, "What is the capital of France?")
    turns.on_heard(Heard(TurnStarted(0)))
    pause(turns, 1, complete=0.2)  # the model hears a pause; the words are a whole question
    qtbot.waitUntil(lambda: seen == [("draft", "What is the capital of France?")], timeout=3000)
    turns.on_heard(Heard(TurnEnded(1, 1600, "question")))
    qtbot.waitUntil(lambda: ("said", "What is the capital of France?") in seen, timeout=3000)
    assert ("dropped", None) not in seen  # the draft was the turn: it is kept


def test_words_that_trail_off_start_nothing_and_going_on_takes_a_draft_back(
    qtbot: QtBot, pools: Pools
) -> None:
    turns, seen = listen(pools, "I was wondering,", "Tell me a joke.")
    turns.on_heard(Heard(TurnStarted(0)))
    pause(turns, 1, complete=0.9)
    qtbot.wait(300)
    assert seen == []  # "I was wondering," trails off: no answer starts, however sure the model
    turns.on_heard(Heard(Resumed(1, 2000, fixed=True)))
    pause(turns, 2, complete=0.9)
    qtbot.waitUntil(lambda: seen == [("draft", "I was wondering, Tell me a joke.")], timeout=3000)
    turns.on_heard(Heard(Resumed(2, 4000, fixed=False)))  # the user goes on after all
    assert seen[-1] == ("dropped", None)
