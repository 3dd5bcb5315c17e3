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

from avatar_desktop.app.workers import Pools
from avatar_desktop.audio.capture import SAMPLE_RATE, Recorder, RecorderUnavailable
from avatar_desktop.audio.echo import EchoGuard
from avatar_desktop.audio.vad import (
    SileroVad,
    SpeechStarted,
    UtteranceDetector,
    UtteranceEnded,
    VadSettings,
    VadUnavailable,
)
from avatar_desktop.core import notices
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.base import ProviderError, Transcriber

log = logging.getLogger(__name__)

HOLD_S = 0.35  # a press longer than this is push-to-talk: letting go ends the recording
POLL_MS = 30
HANDS_FREE_POLL_MS = 15  # a barge-in is noticed within one tick of the voice detector
MAX_RECORDING_S = 300.0
BARGE_IN_PROBABILITY = 0.3
BARGE_LOOKBACK_S = 0.4  # the user's words began a little before they were recognised
DIDNT_CATCH = "Sorry, I didn't catch that — nothing was sent. Try again a little closer?"


class Listener(QObject):
    """Signals:
    recording_changed(bool): the microphone opened or closed.
    level(float): input loudness in dBFS while recording.
    transcribing(bool): words are being recognised.
    heard(str): what the user said, for the input box (push-to-talk, click-to-toggle).
    said(str): what the user said hands-free (or in a transcribed file): send it at once.
    barge_in(): the user started talking over the avatar: silence it.
    problem(str): a sentence for the user (no microphone, nothing heard, …).
    """

    barge_in = Signal()
    said = Signal(str)
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
        self.barge_in_enabled = True
        self._hands_free: UtteranceDetector | None = None
        self._guard = EchoGuard()
        self._user_from: int | None = None  # sample where the user's own voice began
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    @property
    def hands_free(self) -> bool:
        return self._hands_free is not None

    @property
    def vad_settings(self) -> VadSettings | None:
        """How hands-free listening decides an utterance began and ended (None when off)."""
        return self._hands_free.settings if self._hands_free is not None else None

    def set_hands_free(self, on: bool) -> None:
        """Listen all the time: each utterance is sent when the user stops talking."""
        if on == self.hands_free:
            return
        if not on:
            self._hands_free = None
            self.cancel()
            self._timer.setInterval(POLL_MS)
            return
        self.cancel()
        try:
            vad = SileroVad()
            vad.load()
            detector = UtteranceDetector(vad, VadSettings(end_silence_ms=self._end_of_speech_ms()))
        except VadUnavailable as exc:
            self.problem.emit(f"Hands-free listening is not available: {exc}")
            return
        self._timer.setInterval(HANDS_FREE_POLL_MS)
        if self._start():
            self._hands_free, self._user_from = detector, None
            self._guard = EchoGuard(tick_s=HANDS_FREE_POLL_MS / 1000)
        else:
            self._timer.setInterval(POLL_MS)

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
        """Close the microphone and forget what it heard."""
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
        pcm = recorder.read()
        self.level.emit(recorder.level_db)
        if self._hands_free is not None:
            self._listen(self._hands_free, pcm, recorder.level_db)
        else:
            self._pieces.append(pcm)
        if recorder.lost and self._hands_free is not None:
            self.problem.emit("The microphone went away, so hands-free listening stopped.")
            self.set_hands_free(False)
        elif recorder.lost:
            self.problem.emit("The microphone went away; what was recorded so far is used.")
            self.finish()
        elif self._hands_free is None and recorder.frames >= MAX_RECORDING_S * SAMPLE_RATE:
            self.problem.emit("That recording reached five minutes, so it was ended there.")
            self.finish()

    def _listen(self, detector: UtteranceDetector, pcm: np.ndarray, mic_db: float) -> None:
        speaking = self._avatar_speaking()
        self._guard.observe(mic_db, self._playback_db() if speaking else -120.0)
        for event in detector.feed(pcm):
            if isinstance(event, SpeechStarted) and not speaking:
                self._user_from = event.at_sample
            elif isinstance(event, UtteranceEnded):
                self._utterance_ended(event)
        # The voice now, not the VAD's hangover; a lower bar than for an utterance, since the
        # echo guard already demands a voice clearly louder than the avatar's.
        voiced_now = detector.last_probability >= BARGE_IN_PROBABILITY
        if speaking and self.barge_in_enabled and voiced_now:
            self._check_barge_in(detector)

    def _check_barge_in(self, detector: UtteranceDetector) -> None:
        """A voice the VAD hears now, clearly louder than the avatar's echo, interrupts it."""
        if self._guard.user_is_louder():
            onset = detector.samples_fed - int(BARGE_LOOKBACK_S * SAMPLE_RATE)
            self._user_from = max(0, onset)
            self.barge_in.emit()

    def _utterance_ended(self, event: UtteranceEnded) -> None:
        """Only the user's own words are sent: an utterance of pure echo is dropped."""
        if self._user_from is None:
            return
        skip = max(0, self._user_from - event.start_sample)
        self._user_from = None
        self._recognise(event.pcm[skip:], self.said.emit, vet=False)  # the VAD already vetted it

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
