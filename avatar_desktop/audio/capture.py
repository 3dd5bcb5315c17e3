"""The microphone through PortAudio: 16 kHz mono blocks, a live level, and nothing lost.

The device callback only copies the block and updates the level; whoever reads (the VAD,
the recorder job) drains what has arrived. A device that vanishes mid-recording leaves
everything captured so far readable. No Qt here.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
BLOCK = 320  # 20 ms: small enough that the level and the VAD follow the voice closely
SILENT_DB = -90.0
ARRIVALS = 1000  # block arrival times kept: 20 s of audio, for when a sample was heard

Float32 = npt.NDArray[np.float32]

NO_MICROPHONE = "No microphone was found. Plug one in, or type your message."


class RecorderUnavailable(Exception):
    """The microphone cannot be used; the message is a sentence for the user."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except (OSError, ImportError) as exc:  # OSError: the PortAudio library itself is missing
        raise RecorderUnavailable(
            "Sound input is not available on this computer (PortAudio is missing)."
        ) from exc
    return sounddevice


def input_devices() -> list[tuple[str, str]]:
    """(key, name) of every device that can record: the key is the name when it is unique
    (stable across runs), else the index as text."""
    try:
        devices = list(_sounddevice().query_devices())
    except (RecorderUnavailable, OSError):
        return []
    inputs = [(i, str(d["name"])) for i, d in enumerate(devices) if d["max_input_channels"] > 0]
    names = [name for _, name in inputs]
    return [(name if names.count(name) == 1 else str(i), name) for i, name in inputs]


class Recorder:
    """One capture stream at a time; ``read()`` returns what arrived since the last read."""

    def __init__(self, *, device: int | str | None = None, blocksize: int = BLOCK) -> None:
        self.device = int(device) if isinstance(device, str) and device.isdigit() else device
        self.blocksize = blocksize
        self._stream: Any = None
        self._blocks: collections.deque[Float32] = collections.deque()
        self._lock = threading.Lock()
        self._level_db = SILENT_DB
        self._frames = 0
        self._arrivals: collections.deque[tuple[int, float]] = collections.deque(maxlen=ARRIVALS)
        self._closing = False
        self._input_latency = 0.0
        self.lost = False  # the device went away while recording
        self.overflows = 0

    @property
    def recording(self) -> bool:
        return self._stream is not None and not self.lost

    @property
    def level_db(self) -> float:
        """Loudness of the latest block in dBFS (about -90 silent, 0 full scale)."""
        return self._level_db

    @property
    def frames(self) -> int:
        """Samples captured since start."""
        return self._frames

    def time_of(self, sample: int) -> float | None:
        """When sample number ``sample`` (counted from start) reached the microphone, on the
        monotonic clock: its block's arrival, less the rest of the block and the input latency."""
        with self._lock:
            arrivals = list(self._arrivals)
        for frames, arrived in arrivals:
            if frames > sample:
                return arrived - (frames - sample) / SAMPLE_RATE - self._input_latency
        return None

    def start(self) -> None:
        """Open the microphone; raises RecorderUnavailable with a sentence for the user."""
        if self._stream is not None:
            return
        sd = _sounddevice()
        if not any(d["max_input_channels"] > 0 for d in sd.query_devices()):
            raise RecorderUnavailable(NO_MICROPHONE)
        self._blocks.clear()
        self._arrivals.clear()
        self._frames, self.lost, self._closing, self._level_db = 0, False, False, SILENT_DB
        try:
            stream = sd.InputStream(
                samplerate=SAMPLE_RATE,
                blocksize=self.blocksize,
                device=self.device,
                channels=1,
                dtype="float32",
                latency="low",
                callback=self._callback,
                finished_callback=self._on_finished,
            )
            stream.start()
        except (sd.PortAudioError, OSError, ValueError) as exc:
            log.warning("cannot open audio input %r: %s", self.device, exc)
            raise RecorderUnavailable(_explain(exc)) from exc
        self._stream = stream
        self._input_latency = float(getattr(stream, "latency", 0.0) or 0.0)
        log.info("microphone %r open at %d Hz", self.device, SAMPLE_RATE)

    def _callback(self, indata: Any, frames: int, _time: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.overflows += 1
        block = np.array(indata[:, 0], dtype=np.float32)  # a copy: PortAudio reuses its buffer
        power = float(np.mean(block * block)) if frames else 0.0
        self._level_db = max(SILENT_DB, 10.0 * np.log10(power + 1e-12))
        with self._lock:
            self._blocks.append(block)
            self._frames += frames
            self._arrivals.append((self._frames, time.monotonic()))

    def _on_finished(self) -> None:
        if not self._closing:
            self.lost = True
            log.warning("the microphone stopped delivering audio (unplugged?)")

    def read(self) -> Float32:
        """Everything captured since the previous read (maybe empty)."""
        with self._lock:
            blocks = list(self._blocks)
            self._blocks.clear()
        return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)

    def stop(self) -> Float32:
        """Close the microphone and return what was captured and not yet read."""
        stream, self._stream = self._stream, None
        if stream is not None:
            self._closing = True
            try:
                stream.stop()
                stream.close()
            except Exception as exc:  # a vanished device may fail to close; keep the audio
                log.warning("closing the microphone failed: %s", exc)
        self._level_db = SILENT_DB
        return self.read()


def _explain(exc: BaseException) -> str:
    text = str(exc)
    lowered = text.lower()
    if "busy" in lowered or "unavailable" in lowered:
        return "The microphone is busy in another app. Close it there, or type your message."
    if "permission" in lowered or "denied" in lowered:
        return (
            "The app is not allowed to use the microphone. Allow it in your system's "
            "privacy settings, or type your message."
        )
    if "invalid device" in lowered or "matching" in lowered or "not found" in lowered:
        return "The chosen microphone is not connected. Pick another in Settings."
    return f"The microphone could not be opened ({text}). You can still type your message."
