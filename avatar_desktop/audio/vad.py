"""Streaming voice activity detection: when someone starts talking, and when they have finished.

:class:`SileroVad` scores 32 ms windows of 16 kHz audio with the Silero VAD model that
faster-whisper ships (run with onnxruntime, one call per window). :class:`UtteranceDetector`
turns those scores into events: :class:`SpeechStarted` once a voice has lasted long enough to
be more than a click or a cough, and :class:`UtteranceEnded` with the audio of what was said
once the speaker has been quiet for a while.

Nothing here imports Qt; a detector is meant for one audio stream used from one thread.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from enum import Enum, auto
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
WINDOW = 512  # new samples per model call: 32 ms
CONTEXT = 64  # samples carried over from the previous window
STATE_SHAPE = (1, 1, 128)
MODEL_FILE = "silero_vad_v6.onnx"

Float32 = npt.NDArray[np.float32]


class VadUnavailable(RuntimeError):
    """The voice detector cannot run here: its model file or onnxruntime is missing."""


def default_model_path() -> Path | None:
    """Where faster-whisper keeps the Silero model, found without importing faster-whisper."""
    try:
        spec = importlib.util.find_spec("faster_whisper")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "assets" / MODEL_FILE


class SileroVad:
    """The Silero model with its recurrent state: the chance each 32 ms window is speech."""

    def __init__(self, model_path: Path | None = None) -> None:
        """``model_path`` defaults to the copy inside the faster-whisper package."""
        self._model_path = model_path
        self._session: Any = None
        self._h = np.zeros(STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)

    @property
    def model_path(self) -> Path | None:
        return self._model_path if self._model_path is not None else default_model_path()

    @property
    def is_loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        """Open the model (a few milliseconds). Raises VadUnavailable."""
        if self._session is not None:
            return
        try:
            import onnxruntime
        except ImportError as exc:
            raise VadUnavailable(
                "Voice detection needs the onnxruntime package, which is not installed. "
                "Re-run the installer."
            ) from exc
        path = self.model_path
        if path is None or not path.is_file():
            where = f" (looked for {path})" if path is not None else ""
            raise VadUnavailable(
                f"The voice detection model is missing{where}. "
                "Re-run the installer to restore the faster-whisper package."
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle threads sleep instead of spinning, so the window keeps its CPU.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own unexported error types
            raise VadUnavailable(
                f"The voice detection model could not be opened ({path.name}): {exc}"
            ) from exc
        log.debug("voice detection model loaded from %s", path)

    def reset(self) -> None:
        """Forget the previous audio: start as if at the beginning of a new stream."""
        self._h = np.zeros(STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)

    def probability(self, window: npt.ArrayLike) -> float:
        """The chance (0..1) that these 512 new samples at 16 kHz are speech."""
        samples = np.asarray(window, dtype=np.float32)
        if samples.shape != (WINDOW,):
            raise ValueError(f"a window is {WINDOW} mono samples, not shape {samples.shape}")
        if self._session is None:
            self.load()
        model_input = np.concatenate([self._context, samples])[np.newaxis, :]
        probs, self._h, self._c = self._session.run(
            None, {"input": model_input, "h": self._h, "c": self._c}
        )
        self._context = samples[-CONTEXT:].copy()
        return float(np.asarray(probs).reshape(-1)[0])


@dataclass(frozen=True)
class VadSettings:
    """How eager the detector is. Times are in milliseconds unless the name says otherwise."""

    threshold: float = 0.5  # a window this likely to be speech starts (or continues) a voice
    off_threshold: float | None = None  # below this it is silence; None: threshold - 0.15
    min_speech_ms: int = 250  # shorter voices never start an utterance
    end_silence_ms: int = 600  # this much quiet after speech ends the utterance
    pre_roll_ms: int = 200  # audio kept from before the onset, so the first sound is whole
    tail_ms: int = 150  # audio kept after the last voiced window
    max_utterance_s: float = 30.0  # longer speech is cut into pieces of about this length

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {self.threshold}")
        if self.off_threshold is not None and not 0.0 < self.off_threshold <= self.threshold:
            raise ValueError(
                f"off_threshold must be above 0 and at most threshold, not {self.off_threshold}"
            )
        for name in ("min_speech_ms", "end_silence_ms", "pre_roll_ms", "tail_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.max_utterance_s * 1000 <= self.min_speech_ms:
            raise ValueError("max_utterance_s must be longer than min_speech_ms")

    @property
    def release_threshold(self) -> float:
        """The level below which a window counts as silence once speech has started."""
        if self.off_threshold is not None:
            return self.off_threshold
        return max(self.threshold - 0.15, 0.01)


def _samples(ms: float) -> int:
    return round(ms * SAMPLE_RATE / 1000)


@dataclass(frozen=True)
class SpeechStarted:
    """A voice has lasted ``min_speech_ms``; it began at ``at_sample``."""

    at_sample: int


@dataclass(frozen=True, eq=False)
class UtteranceEnded:
    """What was said: ``pcm`` is samples ``start_sample`` up to (not including) ``end_sample``.

    ``pcm`` holds the pre-roll before the voice and a short tail after it;
    ``last_voiced_sample`` is where the last window judged to be speech ended.
    """

    pcm: Float32
    start_sample: int
    end_sample: int
    last_voiced_sample: int

    @property
    def duration(self) -> float:
        return (self.end_sample - self.start_sample) / SAMPLE_RATE

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UtteranceEnded):
            return NotImplemented
        return (
            self.start_sample == other.start_sample
            and self.end_sample == other.end_sample
            and self.last_voiced_sample == other.last_voiced_sample
            and np.array_equal(self.pcm, other.pcm)
        )

    def __hash__(self) -> int:
        return hash((self.start_sample, self.end_sample, self.last_voiced_sample))


VadEvent = SpeechStarted | UtteranceEnded


class _State(Enum):
    QUIET = auto()  # no voice; only the pre-roll is kept
    ONSET = auto()  # a voice, not yet long enough to count
    SPEECH = auto()  # an utterance is open


class UtteranceDetector:
    """Feeds audio through a :class:`SileroVad` and reports utterances as they start and end.

    Sample indices count from the first sample fed since the last reset.
    """

    def __init__(self, vad: SileroVad, settings: VadSettings | None = None) -> None:
        self._vad = vad
        self._settings = settings if settings is not None else VadSettings()
        s = self._settings
        self._on = s.threshold
        self._off = s.release_threshold
        self._min_speech = _samples(s.min_speech_ms)
        self._end_silence = _samples(s.end_silence_ms)
        self._pre_roll = _samples(s.pre_roll_ms)
        self._tail = min(_samples(s.tail_ms), self._end_silence)
        self._max_length = max(_samples(s.max_utterance_s * 1000), WINDOW)
        self._pending = np.zeros(0, dtype=np.float32)
        self._held: list[Float32] = []  # whole windows, the first starting at _held_start
        self._held_start = 0
        self._scored = 0  # samples scored so far: always a whole number of windows
        self._state = _State.QUIET
        self._onset = 0
        self._start = 0
        self._last_voiced = 0
        self._last_probability = 0.0

    @property
    def settings(self) -> VadSettings:
        return self._settings

    @property
    def in_speech(self) -> bool:
        """Whether an utterance is open: SpeechStarted was reported and it has not ended."""
        return self._state is _State.SPEECH

    @property
    def last_probability(self) -> float:
        """The model's score for the latest window, for a live meter."""
        return self._last_probability

    @property
    def samples_fed(self) -> int:
        """How many samples have come in since the last reset."""
        return self._scored + len(self._pending)

    def reset(self) -> None:
        """Forget all audio and state, including the model's; indices start again at 0."""
        self._vad.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self._held = []
        self._held_start = 0
        self._scored = 0
        self._state = _State.QUIET
        self._onset = self._start = self._last_voiced = 0
        self._last_probability = 0.0

    def feed(self, pcm: npt.ArrayLike) -> list[VadEvent]:
        """Take the next chunk of 16 kHz mono audio, any length; return what happened in it."""
        samples = own_float32(pcm)
        if len(self._pending):
            samples = np.concatenate([self._pending, samples])
        whole = len(samples) - len(samples) % WINDOW
        self._pending = samples[whole:].copy()
        events: list[VadEvent] = []
        for window in samples[:whole].reshape(-1, WINDOW):
            self._step(window, events)
        return events

    def flush(self) -> list[VadEvent]:
        """End of the stream: close an open utterance, then reset for the next stream."""
        events: list[VadEvent] = []
        if self._state is _State.SPEECH:
            # The unscored last partial window still belongs to the stream's audio.
            self._held.append(self._pending)
            self._scored += len(self._pending)
            events.append(self._close(min(self._last_voiced + self._tail, self._scored)))
        self.reset()
        return events

    def _step(self, window: Float32, events: list[VadEvent]) -> None:
        probability = self._vad.probability(window)
        self._last_probability = probability
        begin = self._scored
        self._scored += WINDOW
        self._held.append(window)
        if self._state is _State.QUIET:
            if probability >= self._on:
                self._state = _State.ONSET
                self._onset = begin
                self._last_voiced = self._scored
                self._maybe_start(events)
            else:
                self._trim()
        elif self._state is _State.ONSET:
            if probability >= self._off:
                self._last_voiced = self._scored
                self._maybe_start(events)
            else:
                self._state = _State.QUIET  # too short to be speech: a click, a cough
                self._trim()
        else:
            if probability >= self._off:
                self._last_voiced = self._scored
            elif self._scored - self._last_voiced >= self._end_silence:
                events.append(self._close(self._last_voiced + self._tail))
                return
            if self._scored - self._start >= self._max_length:
                events.append(self._close(self._scored))

    def _maybe_start(self, events: list[VadEvent]) -> None:
        if self._scored - self._onset < self._min_speech:
            return
        self._state = _State.SPEECH
        self._start = max(self._onset - self._pre_roll, self._held_start)
        events.append(SpeechStarted(self._onset))

    def _close(self, end: int) -> UtteranceEnded:
        """End the open utterance at ``end``; audio after it stays as the next pre-roll."""
        held = np.concatenate(self._held)
        pcm = held[self._start - self._held_start : end - self._held_start].copy()
        pcm.flags.writeable = False
        event = UtteranceEnded(pcm, self._start, end, self._last_voiced)
        rest = held[end - self._held_start :]
        self._held = [rest] if len(rest) else []
        self._held_start = end
        self._state = _State.QUIET
        self._trim()
        return event

    def _trim(self) -> None:
        """Drop held audio older than the pre-roll (whole windows at a time)."""
        keep_from = self._scored - self._pre_roll
        drop = 0
        start = self._held_start
        for piece in self._held:
            if start + len(piece) > keep_from:
                break
            start += len(piece)
            drop += 1
        if drop:
            del self._held[:drop]
            self._held_start = start


def own_float32(pcm: npt.ArrayLike) -> Float32:
    """A private 1-D float32 copy (callers may reuse their buffers); int16 is scaled to [-1, 1]."""
    samples = np.asarray(pcm)
    if samples.ndim != 1:
        raise ValueError(f"audio must be 1-D mono samples, not shape {samples.shape}")
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / np.float32(32768.0)
    if not np.issubdtype(samples.dtype, np.floating):
        raise TypeError(f"audio must be float in [-1, 1] or int16, not {samples.dtype}")
    out = samples.astype(np.float32, copy=True)
    if not np.isfinite(out).all():
        np.nan_to_num(out, copy=False, nan=0.0, posinf=1.0, neginf=-1.0)
    return out
