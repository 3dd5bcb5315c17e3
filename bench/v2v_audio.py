"""The two recordings of `bench v2v` and the user's voice played into its sink.

Everything here reads the null sinks' monitors as they grow; times are ``time.monotonic()``.
"""

from __future__ import annotations

import bisect
import subprocess
import tempfile
import time
from typing import Any

import numpy as np

from tests.audio.utterances import RATE, Utterance

LOUD = 0.003  # both monitors carry digital silence apart from the voices (and the noise)
TAIL_S = 0.3  # the last stretch of voice looked for in the recording, to find the stop
MATCH = 0.9  # normalised correlation at which the recorded tail is the one played
NEAR_CHUNKS = 16  # about a second of parec's chunks either side bounds a sample's time
PLAY_BUFFER_MS = 1000  # pacat's buffer: a busy machine must not open gaps in the user's voice


def first_loud(samples: np.ndarray, after: int = 0) -> int | None:
    loud = np.flatnonzero(np.abs(samples[after:]) > LOUD)
    return after + int(loud[0]) if len(loud) else None


def recorder(source: str | None = None) -> Any:
    """A monitor recording for a whole session, read from a given sample on without copying
    all of it each time. A fresh parec first hands over the monitor's last second again, so
    one recorder is kept open across utterances rather than one per utterance."""
    from tests.audio.pulse import MONITOR, MonitorRecorder

    class Growing(MonitorRecorder):
        def __init__(self, source: str) -> None:
            super().__init__(sample_rate=RATE, source=source)
            self._ends: list[int] = []  # bytes received up to the end of each chunk

        def _indexed(self) -> list[int]:
            ends, chunks = self._ends, self._chunks
            for k in range(len(ends), len(chunks)):
                ends.append((ends[-1] if ends else 0) + len(chunks[k][1]))
            return ends

        def count(self) -> int:
            ends = self._indexed()
            return ends[-1] // 4 if ends else 0

        def samples_from(self, start: int) -> np.ndarray:
            """Samples ``start`` onwards (absolute indices, as ``heard_at`` takes)."""
            ends = self._indexed()
            k = bisect.bisect_right(ends, start * 4)
            offset = ends[k - 1] if k else 0
            data = b"".join(chunk for _, chunk in self._chunks[k : len(ends)])
            data = data[start * 4 - offset :]
            return np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4")

        def heard_at(self, index: int) -> float:
            """When sample ``index`` came out of the sink. Each chunk's arrival bounds it from
            above (the stream runs at its rate), and the reader thread is only ever late, never
            early: so the tightest bound from the chunks around it is the best estimate."""
            ends = self._indexed()
            k = bisect.bisect_right(ends, index * 4)
            low, high = max(0, k - NEAR_CHUNKS), min(len(ends), k + NEAR_CHUNKS + 1)
            arrivals = np.array([at for at, _ in self._chunks[low:high]])
            ended = np.array(ends[low:high]) / 4  # samples received by each arrival
            return float(np.min(arrivals + (index - ended) / self.sample_rate))

    return Growing(source or MONITOR)


def index_at(monitor: Any, moment: float, low: int, high: int) -> int:
    """The first sample in ``low``..``high`` heard at or after ``moment`` (binary search)."""
    while low < high:
        mid = (low + high) // 2
        if monitor.heard_at(mid) < moment:
            low = mid + 1
        else:
            high = mid
    return low


def loud_between(monitor: Any, start: int, moment: float | None = None) -> int | None:
    """The first loud sample from ``start`` on (heard at or after ``moment``, when given)."""
    samples = monitor.samples_from(start)
    if not len(samples):
        return None
    if moment is not None:
        start = index_at(monitor, moment, start, start + len(samples))
        samples = monitor.samples_from(start)
    found = first_loud(samples)
    return start + found if found is not None else None


def heard_after(monitor: Any, start: int, moment: float) -> float | None:
    """When the first loud sample after ``moment`` came out of the sink; None if none yet."""
    if time.monotonic() < moment:
        return None
    found = loud_between(monitor, start, moment)
    return monitor.heard_at(found) if found is not None else None


def sounded_before(monitor: Any, start: int, moment: float) -> float | None:
    """When the avatar first made a sound between sample ``start`` and ``moment``, if it did."""
    found = loud_between(monitor, start)
    heard = monitor.heard_at(found) if found is not None else None
    return heard if heard is not None and heard < moment else None


def play(pcm: np.ndarray, sink: str) -> subprocess.Popen[bytes]:
    """Say ``pcm`` (16 kHz mono) into ``sink``. pacat reads it from a file with a deep buffer:
    fed from this busy process, or with a shallow one, it would slip silence into the voice
    (silence the app hears, and a stop that moves)."""
    with tempfile.TemporaryFile() as clip:
        clip.write(np.asarray(pcm, dtype="<f4").tobytes())
        clip.seek(0)
        return subprocess.Popen(
            [
                "pacat",
                "--playback",
                f"--device={sink}",
                "--format=float32le",
                f"--rate={RATE}",
                "--channels=1",
                f"--latency-msec={PLAY_BUFFER_MS}",
            ],
            stdin=clip,
        )


def correlate(region: np.ndarray, probe: np.ndarray) -> np.ndarray:
    """``probe`` slid along ``region`` (valid positions only), by FFT."""
    n = len(region) + len(probe)
    size = 1 << (n - 1).bit_length()
    spectrum = np.fft.rfft(region, size) * np.conj(np.fft.rfft(probe, size))
    return np.fft.irfft(spectrum, size)[: len(region) - len(probe) + 1]


def locate_stop(monitor: Any, utterance: Utterance, start: int) -> int | None:
    """The recorded sample where the user's last voiced sample came out, found by the voice's
    last stretch itself (so a gap earlier in the playback does not shift it); None until the
    recording holds it."""
    length = int(TAIL_S * RATE)
    probe = utterance.pcm[utterance.last_voiced - length + 1 : utterance.last_voiced + 1]
    region = monitor.samples_from(start).astype(np.float64)
    if len(region) < len(probe):
        return None
    probe64 = probe.astype(np.float64)
    energy = np.concatenate([[0.0], np.cumsum(region**2)])
    windows = energy[length:] - energy[:-length]  # each candidate stretch's own energy
    scores = correlate(region, probe64) / np.sqrt(
        np.maximum(windows, 1e-12) * float(probe64 @ probe64)
    )
    best = int(np.argmax(scores))
    return start + best + length - 1 if scores[best] >= MATCH else None
