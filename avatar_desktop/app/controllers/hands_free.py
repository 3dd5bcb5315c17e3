"""One hands-free turn of the user's, from the first word to the words the avatar answers.

The listening loop (``audio.hands_free``) reports pauses as they happen; each pause's audio is
recognised at once, on the ears' own worker, while the user may still be talking. Words before
a pause the user talked on from are kept; at the end of the turn only the last stretch remains
to recognise, and usually it already has been. As soon as a pause's words are known and do not
trail off, they are offered as a ``draft`` so the app can start answering before the turn is
declared over, whatever the end-of-turn model thinks of the pause (a draft is unseen, and the
model decides only when the turn ends); if the user goes on, ``draft_dropped`` takes it back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from avatar_desktop.app.workers import Pools
from avatar_desktop.audio.hands_free import Heard
from avatar_desktop.audio.turns import (
    Float32,
    Judged,
    Paused,
    Resumed,
    SegmentCut,
    TurnEnded,
    TurnStarted,
    TurnTaker,
    sounds_unfinished,
)
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.latency import ReplyLatency
from avatar_desktop.providers.base import ProviderError, Transcriber

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Words:
    """The recognised words of one stretch of audio, once they are known."""

    text: str | None = None
    failed: str | None = None

    @property
    def known(self) -> bool:
        return self.text is not None or self.failed is not None


@dataclass(eq=False)
class _Turn:
    fixed: list[_Words] = field(default_factory=list)
    candidate: _Words | None = None
    drafted: str | None = None
    ended: TurnEnded | None = None
    latency: ReplyLatency = field(default_factory=ReplyLatency)

    def words(self) -> list[_Words]:
        return [*self.fixed, *([self.candidate] if self.candidate else [])]

    def text(self) -> str | None:
        """All the words so far, or None while some are still being recognised."""
        words = self.words()
        if not all(w.known for w in words):
            return None
        return " ".join(w.text.strip() for w in words if w.text and w.text.strip())


class HandsFreeTurns(QObject):
    """Signals:
    turn_started(): the user began a turn.
    draft(str): the words so far sound like a finished turn: answering may start, unseen.
    draft_dropped(): the user went on; forget the draft.
    turn_over(): the turn is over and had words; they follow at once in ``said``.
    said(str, object): the turn's words and its ReplyLatency so far.
    nothing_said(): the turn is over and had no words after all (a cough, a noise).
    problem(str): recognition failed, in words.
    """

    turn_started = Signal()
    draft = Signal(str)
    draft_dropped = Signal()
    turn_over = Signal()
    said = Signal(str, object)
    nothing_said = Signal()
    problem = Signal(str)

    def __init__(self, pools: Pools, transcriber: Callable[[], Transcriber]) -> None:
        super().__init__()
        self._pools = pools
        self._transcriber = transcriber
        self._turn: _Turn | None = None
        self.taker: TurnTaker | None = None

    def reset(self, taker: TurnTaker | None) -> None:
        """A new listening stream (or none): any turn in progress is forgotten."""
        self._drop_draft()
        self._turn, self.taker = None, taker

    def on_heard(self, heard: Heard) -> None:
        event = heard.event
        if isinstance(event, TurnStarted):
            self._drop_draft()
            self._turn = _Turn()
            self.turn_started.emit()
            return
        turn = self._turn
        if turn is None:
            return
        if isinstance(event, Paused):
            turn.latency = turn.latency.with_(user_stopped=heard.voiced_at or time.monotonic())
            turn.candidate = self._recognise(turn, event.pcm, pause=event.pause)
        elif isinstance(event, Judged):
            log.debug("pause %d judged %s", event.pause, event.complete)
        elif isinstance(event, Resumed):
            self._drop_draft()  # talking again: nothing is finished until the next pause
            if event.fixed and turn.candidate is not None:
                turn.fixed.append(turn.candidate)
            turn.candidate = None
        elif isinstance(event, SegmentCut):
            turn.fixed.append(self._recognise(turn, event.pcm, pause=None))
        elif isinstance(event, TurnEnded):
            log.info("turn over (%s) after %d pause(s)", event.reason, event.pause)
            turn.ended = event
            turn.latency = turn.latency.with_(turn_over=time.monotonic())
            self._settle(turn)

    def _recognise(self, turn: _Turn, pcm: Float32, *, pause: int | None) -> _Words:
        words = _Words()
        transcriber = self._transcriber()

        def job(_emit: object) -> str:
            return transcriber.transcribe(pcm, cancel=CancelToken())

        def done(text: str) -> None:
            words.text = text
            if pause is not None and self.taker is not None:
                self.taker.hear_text(pause, text)
            self._settle(turn)

        def failed(exc: Exception) -> None:
            words.failed = exc.user_message if isinstance(exc, ProviderError) else str(exc)
            self._settle(turn)

        self._pools.start(self._pools.ears, job, returned=done, errored=failed)
        return words

    def _settle(self, turn: _Turn) -> None:
        """Move the turn on as far as what is known allows: a draft, or its final words."""
        if turn is not self._turn:
            return
        text = turn.text()
        if text is None:
            return
        if turn.ended is None:
            finished = text and not sounds_unfinished(text)
            if finished and turn.drafted != text:
                turn.drafted = text
                self.draft.emit(text)
            return
        self._turn = None
        failures = [w.failed for w in turn.words() if w.failed]
        if failures and not text:
            self.problem.emit(f"What you said could not be turned into text: {failures[0]}")
        if not text:
            self._drop_draft(turn)
            self.nothing_said.emit()
            return
        if turn.drafted is not None and turn.drafted != text:
            self.draft_dropped.emit()
        self.turn_over.emit()
        self.said.emit(text, turn.latency.with_(text_final=time.monotonic()))

    def _drop_draft(self, turn: _Turn | None = None) -> None:
        turn = turn or self._turn
        if turn is not None and turn.drafted is not None:
            turn.drafted = None
            self.draft_dropped.emit()
