"""16 kHz mono PCM to upload-sized WAV files, cut where the speaker pauses.

Speech-to-text services take a file of bounded size. A 16-bit WAV costs 32 kB a second, so the
default 24 MiB holds about 13 minutes; longer audio goes up in pieces cut at the quietest moment
near each piece's end, never mid-word. Pure numpy, so cloud ears (``providers/``) and the audio
code (``audio/encode.py``) share it without either reaching into the other.
"""

from __future__ import annotations

import io
import logging
import math
import wave

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
SAMPLE_WIDTH = 2  # bytes: 16-bit PCM
WAV_HEADER_BYTES = 44
DEFAULT_MAX_BYTES = 24 * 1024 * 1024

_HEADROOM = 0.98  # keep each file a little under the limit, whatever the service counts
_SILENCE_RATIO = 0.1  # a pause is 20 dB below the average level around it …
_SILENCE_FLOOR = 10 ** (-50 / 20)  # … or quieter than -50 dBFS outright

Samples = npt.NDArray[np.generic]
Float32 = npt.NDArray[np.float32]
Int16 = npt.NDArray[np.int16]


def to_wav(pcm: Samples) -> bytes:
    """A 16 kHz mono 16-bit WAV in memory: the format every speech service accepts."""
    samples = as_int16(pcm)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.astype("<i2", copy=False).tobytes())
    return buffer.getvalue()


def as_int16(pcm: Samples) -> Int16:
    """16-bit samples from int16 or float audio; floats outside [-1, 1] clip, NaN is silence."""
    samples = mono(pcm)
    if samples.dtype == np.int16:
        return samples.astype(np.int16, copy=False)
    if not np.issubdtype(samples.dtype, np.floating):
        raise TypeError(f"PCM must be float in [-1, 1] or int16, not {samples.dtype}")
    clean = np.nan_to_num(samples.astype(np.float32, copy=False), nan=0.0)
    return np.rint(np.clip(clean, -1.0, 1.0) * 32767.0).astype(np.int16)


def split_at_silences(
    pcm: Samples, *, max_seconds: float, min_silence_ms: int = 300, frame_ms: int = 30
) -> list[Samples]:
    """Pieces of at most ``max_seconds``, cut in pauses so no word is split between uploads.

    Each cut lands in the middle of the quietest ``min_silence_ms`` stretch within the last
    third of the window; when nothing there is quiet enough to be a pause, the cut falls at
    ``max_seconds``. The pieces are views of the input and concatenate back to it exactly.
    """
    samples = mono(pcm)
    limit = int(max_seconds * SAMPLE_RATE)
    if limit < 1:
        raise ValueError(f"max_seconds={max_seconds} is shorter than one sample")
    frame = max(1, SAMPLE_RATE * frame_ms // 1000)
    span = max(1, math.ceil(min_silence_ms / max(frame_ms, 1)))
    pieces: list[Samples] = []
    start = 0
    while len(samples) - start > limit:
        end = start + _cut_offset(samples[start : start + limit], frame, span)
        pieces.append(samples[start:end])
        start = end
    if start < len(samples):
        pieces.append(samples[start:])
    return pieces


def upload_chunks(pcm: Samples, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[tuple[str, bytes]]:
    """``[("speech-1.wav", data), …]``, each file under ``max_bytes``, cut at pauses."""
    max_samples = (int(max_bytes * _HEADROOM) - WAV_HEADER_BYTES) // SAMPLE_WIDTH
    if max_samples < SAMPLE_RATE // 10:
        raise ValueError(f"max_bytes={max_bytes} leaves room for under 0.1 s of audio")
    samples = as_int16(pcm)
    pieces = split_at_silences(samples, max_seconds=max_samples / SAMPLE_RATE)
    if len(pieces) > 1:
        log.info("Uploading %.0f s of audio in %d pieces", len(samples) / SAMPLE_RATE, len(pieces))
    return [(f"speech-{n}.wav", to_wav(piece)) for n, piece in enumerate(pieces, start=1)]


def _cut_offset(window: Samples, frame: int, span: int) -> int:
    """Where in this full window to cut: the middle of its last third's quietest stretch."""
    length = len(window)
    tail_start = length - length // 3
    frames = (length - tail_start) // frame
    if frames == 0:
        return length
    span = min(span, frames)
    tail = as_float32(window[tail_start : tail_start + frames * frame])
    energy = np.mean(np.square(tail.reshape(frames, frame), dtype=np.float64), axis=1)
    stretches = np.convolve(energy, np.full(span, 1.0 / span), mode="valid")
    best = len(stretches) - 1 - int(np.argmin(stretches[::-1]))  # the latest of equals
    quiet, level = math.sqrt(stretches[best]), math.sqrt(float(energy.mean()))
    if quiet > max(_SILENCE_FLOOR, _SILENCE_RATIO * level):
        return length  # no pause near the end: a hard cut at the limit
    return tail_start + best * frame + (span * frame) // 2


def mono(pcm: Samples) -> Samples:
    """The samples as a 1-D array; more channels than one is a caller's mistake."""
    array = np.asarray(pcm)
    if array.ndim != 1:
        raise ValueError(f"PCM must be one channel (1-D), not shape {array.shape}")
    return array


def as_float32(pcm: Samples) -> Float32:
    """Float32 in [-1, 1] from float or integer PCM (uint8 is offset, as in 8-bit WAV)."""
    array = np.asarray(pcm)
    if np.issubdtype(array.dtype, np.floating):
        return array.astype(np.float32, copy=False)
    if array.dtype == np.uint8:
        return (array.astype(np.float32) - 128.0) / 128.0
    if np.issubdtype(array.dtype, np.signedinteger):
        scale = float(2 ** (8 * array.dtype.itemsize - 1))
        return (array.astype(np.float32) / scale).astype(np.float32, copy=False)
    raise TypeError(f"unsupported PCM sample type {array.dtype}")
