"""Hands-free listening on its own thread: microphone → voice and turn detection → events.

Neither the window's thread nor this loop waits on the turn model (tens of milliseconds a
pause: it judges on a thread of its own), and the window's own hiccups never delay the end of
a turn. The loop also keeps the avatar from hearing itself: a turn that began while the avatar
spoke is the user's only once the echo guard finds the user clearly louder (a barge-in). No Qt;
results go to a callback.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from avatar_desktop.audio.capture import SAMPLE_RATE, Recorder
from avatar_desktop.audio.echo import EchoGuard
from avatar_desktop.audio.turns import Judgement, TurnEnded, TurnEvent, TurnStarted, TurnTaker

log = logging.getLogger(__name__)

TICK_S = 0.015  # a barge-in or a pause is noticed within one tick
BARGE_IN_PROBABILITY = 0.3
BARGE_LOOKBACK_S = 0.4  # the user's words began a little before they were recognised


@dataclass(frozen=True, slots=True)
class BargeIn:
    """The user started talking over the avatar."""


@dataclass(frozen=True, slots=True)
class Heard:
    """A turn event with the moment its last voiced sample reached the microphone."""

    event: TurnEvent
    voiced_at: float | None = None  # monotonic time of the event's last voiced sample


@dataclass(frozen=True, slots=True)
class MicLost:
    """The microphone stopped delivering audio."""


LoopEvent = Heard | BargeIn | MicLost


@dataclass(frozen=True, slots=True)
class Ears:
    """What the loop asks of the rest of the app, each callable from its thread."""

    avatar_speaking: Callable[[], bool]
    playback_db: Callable[[], float]
    barge_in_enabled: Callable[[], bool]


class Judge:
    """The end-of-turn model on a thread of its own: the listening loop hands it a pause and
    reads on, so a barge-in, the user going on, or the end of the turn is noticed on time
    while the model (tens of milliseconds a pause) thinks."""

    def __init__(self) -> None:
        self._asked: queue.SimpleQueue[Judgement | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[Judgement, float | None, str | None]] = (
            queue.SimpleQueue()
        )
        threading.Thread(target=self._run, name="turn-judge", daemon=True).start()

    def ask(self, judgement: Judgement) -> None:
        self._asked.put(judgement)

    def verdicts(self) -> list[tuple[Judgement, float | None, str | None]]:
        """The verdicts reached since the last call, oldest first."""
        out = []
        while not self._done.empty():
            out.append(self._done.get_nowait())
        return out

    def stop(self) -> None:
        """Judge nothing more. Not waited for: the caller (the window's thread, when listening
        stops) never waits on the model; a pause being judged ends unread."""
        self._asked.put(None)

    def _run(self) -> None:
        while (judgement := self._asked.get()) is not None:
            self._done.put((judgement, *judgement.assess()))


class HandsFreeLoop:
    """Reads the recorder every tick; ``deliver`` gets each batch of events, on this thread."""

    def __init__(
        self,
        recorder: Recorder,
        taker: TurnTaker,
        ears: Ears,
        deliver: Callable[[list[LoopEvent]], None],
    ) -> None:
        self.recorder, self.taker, self._ears, self._deliver = recorder, taker, ears, deliver
        self._guard = EchoGuard(tick_s=TICK_S)
        self._stop = threading.Event()
        self._users = False  # the open turn is the user's, not the avatar's echo
        self._claimed = False  # a barge-in came before its turn started: that turn is the user's
        self._thread: threading.Thread | None = None
        self._judge: Judge | None = None
        self.level_db = -90.0

    def start(self) -> None:
        self._judge = Judge()
        self._thread = threading.Thread(target=self._run, name="hands-free", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading (the caller closes the recorder); returns once the thread has ended."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        judge, self._judge = self._judge, None
        if judge is not None:
            judge.stop()

    def _run(self) -> None:
        # A raw thread, not a pool worker: it lives as long as listening and must tick on time.
        while not self._stop.wait(TICK_S):
            try:
                self._tick()
            except Exception:  # a bug here must not silently end listening
                log.exception("hands-free listening failed")
                self._stop.set()
                self._deliver([MicLost()])

    def _tick(self) -> None:
        recorder = self.recorder
        pcm = recorder.read()
        self.level_db = recorder.level_db
        speaking = self._ears.avatar_speaking()
        self._guard.observe(recorder.level_db, self._ears.playback_db() if speaking else -120.0)
        out = self._users_events(self._verdicts(), speaking)  # before the audio they may end
        out += self._users_events(self.taker.feed(pcm, judge=False), speaking)
        if speaking and self.taker.last_probability >= BARGE_IN_PROBABILITY:
            self._check_barge_in(out)
        if recorder.lost:
            out.append(MicLost())
            self._stop.set()
        self._send(out)
        # The pause's audio is on its way to the recogniser; now the model may take its time.
        asked = self.taker.ask()
        if asked is None:
            return
        if asked.windows and self._judge is not None:
            self._judge.ask(asked)
        else:  # no model to hear it: the verdict is known now
            self._send(self._users_events(self.taker.verdict(asked, *asked.assess()), speaking))

    def _verdicts(self) -> list[TurnEvent]:
        judge = self._judge
        if judge is None:
            return []
        return [event for done in judge.verdicts() for event in self.taker.verdict(*done)]

    def _send(self, events: list[LoopEvent]) -> None:
        if events:
            self._deliver(events)

    def _users_events(self, events: list[TurnEvent], speaking: bool) -> list[LoopEvent]:
        """Only the user's turns are passed on, each with when its last voice was heard."""
        out: list[LoopEvent] = []
        for event in events:
            if isinstance(event, TurnStarted):
                self._users, self._claimed = not speaking or self._claimed, False
            if self._users:
                voiced = getattr(event, "last_voiced_sample", None)
                heard_at = self.recorder.time_of(voiced) if voiced is not None else None
                out.append(Heard(event, heard_at))
            if isinstance(event, TurnEnded):
                self._users = False
        return out

    def _check_barge_in(self, out: list[LoopEvent]) -> None:
        """A voice clearly louder than the avatar's echo interrupts it and becomes the turn."""
        if not self._ears.barge_in_enabled() or not self._guard.user_is_louder():
            return
        onset = max(0, self.taker.samples_fed - int(BARGE_LOOKBACK_S * SAMPLE_RATE))
        self.taker.claim(onset)
        if self.taker.in_turn and not self._users:
            self._users = True
            out.append(Heard(TurnStarted(onset)))
        elif not self.taker.in_turn:
            self._claimed = True
        out.append(BargeIn())
