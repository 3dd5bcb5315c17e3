"""The record button's brain: hold to talk or click to toggle, then the words into the input box.

Capture runs on PortAudio's thread; a 30 ms timer here drains it, shows the level and notices
a microphone that went away. Transcription runs on a worker; nothing here blocks the window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from avatar_desktop.app.controllers.hands_free import HandsFreeTurns
from avatar_desktop.app.workers import Pools
from avatar_desktop.audio.capture import SAMPLE_RATE, Recorder, RecorderUnavailable
from avatar_desktop.audio.hands_free import BargeIn, Ears, HandsFreeLoop, Heard, LoopEvent, MicLost
from avatar_desktop.audio.turn_model import SmartTurn, TurnModelUnavailable
from avatar_desktop.audio.turns import TurnPolicy, TurnTaker, policy_for
from avatar_desktop.audio.vad import SileroVad, SpeechStarted, UtteranceDetector, VadUnavailable
from avatar_desktop.core import notices
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.base import ProviderError, Transcriber

log = logging.getLogger(__name__)

HOLD_S = 0.35  # a press longer than this is push-to-talk: letting go ends the recording
POLL_MS = 30
MAX_RECORDING_S = 300.0
DIDNT_CATCH = "Sorry, I didn't catch that — nothing was sent. Try again a little closer?"


class Listener(QObject):
    """Signals:
    recording_changed(bool): the microphone opened or closed.
    level(float): input loudness in dBFS while recording.
    transcribing(bool): words are being recognised.
    heard(str): what the user said, for the input box (push-to-talk, click-to-toggle).
    said(str): what the user said in a transcribed file: send it at once.
    barge_in(): the user started talking over the avatar: silence it.
    problem(str): a sentence for the user (no microphone, nothing heard, …).
    The hands-free turn's own signals are on ``turns`` (HandsFreeTurns).
    """

    barge_in = Signal()
    said = Signal(str)
    _loop_events = Signal(object)  # from the listening thread, queued to this one
    recording_changed = Signal(bool)
    level = Signal(float)
    transcribing = Signal(bool)
    heard = Signal(str)
    problem = Signal(str)

    def __init__(
        self,
        *,
        pools: Pools,
        transcriber: Callable[[], Transcriber],
        device: Callable[[], str | None],
        playback_db: Callable[[], float] = lambda: -120.0,
        avatar_speaking: Callable[[], bool] = lambda: False,
        end_of_speech_ms: Callable[[], int] = lambda: 600,
        responsiveness: Callable[[], str] = lambda: "balanced",
    ) -> None:
        super().__init__()
        self._pools = pools
        self._transcriber = transcriber
        self._device = device
        self._recorder: Recorder | None = None
        self._pieces: list[np.ndarray] = []
        self._pressed_at = 0.0
        self._opened_by_press = False
        self._playback_db = playback_db
        self._avatar_speaking = avatar_speaking
        self._end_of_speech_ms = end_of_speech_ms
        self._responsiveness = responsiveness
        self.barge_in_enabled = True
        self.turns = HandsFreeTurns(pools, transcriber)
        self.turn_model = SmartTurn()
        self.turn_model_problem: str | None = None  # why turns end on silence alone, if they do
        self._loop: HandsFreeLoop | None = None
        self._loop_events.connect(self._on_loop_events)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    @property
    def hands_free(self) -> bool:
        return self._loop is not None

    @property
    def turn_policy(self) -> TurnPolicy | None:
        """How hands-free listening decides a turn is over (None when off)."""
        return self._loop.taker.policy if self._loop is not None else None

    def set_hands_free(self, on: bool) -> None:
        """Listen all the time: each turn is answered as soon as the user has finished."""
        if on == self.hands_free:
            return
        if not on:
            self.cancel()
            return
        self.cancel()
        try:
            taker = self._taker()
        except VadUnavailable as exc:
            self.problem.emit(f"Hands-free listening is not available: {exc}")
            return
        if not self._start():
            return
        assert self._recorder is not None
        ears = Ears(self._avatar_speaking, self._playback_db, lambda: self.barge_in_enabled)
        self._loop = HandsFreeLoop(self._recorder, taker, ears, self._loop_events.emit)
        self.turns.reset(taker)
        self._loop.start()

    def _taker(self) -> TurnTaker:
        """The voice detector with the end-of-turn model, or with silence alone if it can't run."""
        vad = SileroVad()
        vad.load()
        model: SmartTurn | None = self.turn_model
        try:
            self.turn_model.load()
            self.turn_model_problem = None
        except TurnModelUnavailable as exc:
            if self.turn_model_problem is None:  # said once, not on every reopen
                log.warning("turns end on %d ms of silence: %s", self._end_of_speech_ms(), exc)
            self.turn_model_problem = str(exc)
            model = None
        policy = policy_for(
            self._responsiveness(), model=model is not None, silence_ms=self._end_of_speech_ms()
        )
        return TurnTaker(vad, policy, model)

    def _on_loop_events(self, events: list[LoopEvent]) -> None:
        if self._loop is None:
            return  # late events from a loop that was stopped
        for event in events:
            if isinstance(event, BargeIn):
                self.barge_in.emit()
            elif isinstance(event, MicLost):
                self.problem.emit("The microphone went away, so hands-free listening stopped.")
                self.cancel()
                return
            elif isinstance(event, Heard):
                self.turns.on_heard(event)

    def press(self) -> None:
        """The button went down: start listening, or finish a clicked-on recording."""
        if self.hands_free:
            self.problem.emit(
                "Hands-free listening is on: just talk (turn it off to use the button)."
            )
            return
        self._pressed_at = time.monotonic()
        if self._recorder is None:
            self._opened_by_press = self._start()
        else:
            self._opened_by_press = False
            self.finish()

    def release(self) -> None:
        """The button came up: a long hold was push-to-talk, so that recording ends here."""
        held = time.monotonic() - self._pressed_at
        if self._recorder is not None and self._opened_by_press and held >= HOLD_S:
            self.finish()
        self._opened_by_press = False

    def cancel(self) -> None:
        """Close the microphone and forget what it heard (hands-free listening ends too)."""
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()
            self.turns.reset(None)
        if self._recorder is not None:
            self._close()
            self._pieces.clear()

    def _start(self) -> bool:
        recorder = Recorder(device=self._device())
        try:
            recorder.start()
        except RecorderUnavailable as exc:
            self.problem.emit(str(exc))
            return False
        self._recorder, self._pieces = recorder, []
        self._timer.start()
        self.recording_changed.emit(True)
        return True

    def _on_timer_timeout(self) -> None:
        recorder = self._recorder
        if recorder is None:
            return
        self.level.emit(recorder.level_db)
        if self._loop is not None:
            return  # the listening thread reads the microphone
        self._pieces.append(recorder.read())
        if recorder.lost:
            self.problem.emit("The microphone went away; what was recorded so far is used.")
            self.finish()
        elif recorder.frames >= MAX_RECORDING_S * SAMPLE_RATE:
            self.problem.emit("That recording reached five minutes, so it was ended there.")
            self.finish()

    def _close(self) -> None:
        recorder, self._recorder = self._recorder, None
        self._timer.stop()
        if recorder is not None:
            self._pieces.append(recorder.stop())
        self.recording_changed.emit(False)

    def finish(self) -> None:
        """End the recording and recognise it in the background."""
        if self._recorder is None:
            return
        self._close()
        audio = np.concatenate(self._pieces) if self._pieces else np.zeros(0, np.float32)
        self._pieces = []
        self._recognise(audio, self.heard.emit, vet=True)

    def _recognise(self, audio: np.ndarray, deliver: Callable[[str], object], *, vet: bool) -> None:
        """Turn ``audio`` into words on a worker; ``vet`` first checks a voice is in it at all.
        A clicked recording with no words gets "didn't catch that"; a hands-free one, nothing."""
        transcriber = self._transcriber()

        def job(_emit: object) -> str:
            if vet and not _has_speech(audio):
                return ""
            return transcriber.transcribe(audio, cancel=CancelToken())

        def done(text: str) -> None:
            self.transcribing.emit(False)
            if text.strip():
                deliver(text.strip())
            elif vet:
                self.problem.emit(DIDNT_CATCH)

        def failed(exc: Exception) -> None:
            self.transcribing.emit(False)
            words = exc.user_message if isinstance(exc, ProviderError) else str(exc)
            self.problem.emit(f"What you said could not be turned into text: {words}")

        self.transcribing.emit(True)
        self._pools.start(self._pools.load, job, returned=done, errored=failed)

    def transcribe_file(self, path: str) -> None:
        """A recorded WAV file becomes a message: recognised on a worker, then ``said``."""
        from avatar_desktop.audio.encode import read_wav, to_mono_16k

        transcriber = self._transcriber()

        def job(_emit: object) -> str:
            try:
                pcm, rate = read_wav(path)
            except (OSError, ValueError, EOFError) as exc:
                raise ProviderError(f"{path} could not be read as a WAV file ({exc}).") from exc
            return transcriber.transcribe(to_mono_16k(pcm, rate), cancel=CancelToken())

        def done(text: str) -> None:
            if text.strip():
                self.said.emit(text.strip())  # like any new message: the avatar is interrupted
            else:
                notices.warning("No speech was found in that recording.")

        def failed(exc: Exception) -> None:
            words = exc.user_message if isinstance(exc, ProviderError) else str(exc)
            notices.error(f"Transcription failed: {words}")

        notices.info(f"Transcribing with {transcriber.name}…")
        self._pools.start(self._pools.load, job, returned=done, errored=failed)


def _has_speech(audio: np.ndarray) -> bool:
    """Whether a voice is in there at all: noise and silence are never sent to the recognizer."""
    detector = UtteranceDetector(SileroVad())
    try:
        events = detector.feed(audio) + detector.flush()
    except VadUnavailable as exc:
        log.warning("no voice detection (%s); transcribing anyway", exc)
        return True
    return any(isinstance(e, SpeechStarted) for e in events)
