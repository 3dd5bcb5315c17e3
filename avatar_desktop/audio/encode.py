"""16 kHz mono PCM to upload-sized in-memory files, cut where the speaker pauses.

Speech-to-text services take a file of bounded size. A 16-bit WAV costs 32 kB a second, so the
default 24 MiB holds about 13 minutes; longer audio goes up in pieces cut at the quietest moment
near each piece's end, never mid-word. FLAC would halve the bytes, but only ``soundfile`` (with
its bundled libsndfile) encodes it without a heavy dependency; when it is not installed,
:func:`to_flac` returns None and callers upload WAV.
"""

from __future__ import annotations

import functools
import importlib
import io
import logging
import math
import os
import wave
from types import ModuleType
from typing import BinaryIO

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
_RESAMPLE_TAPS = 63
_RESAMPLE_BLOCK = 1 << 20

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


def to_flac(pcm: Samples) -> bytes | None:
    """Half the bytes of WAV when ``soundfile`` is installed; None when it is not."""
    soundfile = _soundfile()
    if soundfile is None:
        return None
    buffer = io.BytesIO()
    soundfile.write(buffer, as_int16(pcm), SAMPLE_RATE, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def flac_available() -> bool:
    """Whether :func:`to_flac` can encode on this machine."""
    return _soundfile() is not None


def as_int16(pcm: Samples) -> Int16:
    """16-bit samples from int16 or float audio; floats outside [-1, 1] clip, NaN is silence."""
    samples = _mono(pcm)
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
    samples = _mono(pcm)
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


def read_wav(source: bytes | str | os.PathLike[str] | BinaryIO) -> tuple[Float32, int]:
    """Samples as float32 in [-1, 1] and the rate: shape (frames,) for mono, else (frames, ch).

    Reads 8-, 16-, 24- and 32-bit integer PCM. Anything else (float or compressed WAV, not a
    WAV at all, a truncated header) raises ValueError with the reason; a missing file OSError.
    """
    if isinstance(source, bytes | bytearray):
        channels, width, rate, raw = _read_frames(io.BytesIO(source))
    elif isinstance(source, str | os.PathLike):
        with open(os.fspath(source), "rb") as handle:  # 3.11's wave.open takes no PathLike
            channels, width, rate, raw = _read_frames(handle)
    else:
        channels, width, rate, raw = _read_frames(source)
    whole = len(raw) - len(raw) % (channels * width)  # a truncated last frame is dropped
    samples = _decode_pcm(raw[:whole], width)
    if channels > 1:
        return samples.reshape(-1, channels), rate
    return samples, rate


def to_mono_16k(pcm: Samples, rate: int) -> Float32:
    """Float32 mono at 16 kHz from any rate and channel count, with numpy alone.

    Channels are averaged; a downsample is low-passed first (windowed sinc) so voices do not
    pick up aliased hiss, then both directions use linear interpolation.
    """
    if rate <= 0:
        raise ValueError(f"sample rate must be positive, not {rate}")
    samples = _as_float32(pcm)
    if samples.ndim == 2:
        samples = samples.mean(axis=1, dtype=np.float32)
    elif samples.ndim != 1:
        raise ValueError(f"PCM must be (frames,) or (frames, channels), not {samples.shape}")
    if rate == SAMPLE_RATE or len(samples) == 0:
        return np.ascontiguousarray(samples, dtype=np.float32)
    if rate > SAMPLE_RATE:
        samples = _low_pass(samples, cutoff=0.45 * SAMPLE_RATE / rate)
    return _interpolate(samples, rate / SAMPLE_RATE, round(len(samples) * SAMPLE_RATE / rate))


def _cut_offset(window: Samples, frame: int, span: int) -> int:
    """Where in this full window to cut: the middle of its last third's quietest stretch."""
    length = len(window)
    tail_start = length - length // 3
    frames = (length - tail_start) // frame
    if frames == 0:
        return length
    span = min(span, frames)
    tail = _as_float32(window[tail_start : tail_start + frames * frame])
    energy = np.mean(np.square(tail.reshape(frames, frame), dtype=np.float64), axis=1)
    stretches = np.convolve(energy, np.full(span, 1.0 / span), mode="valid")
    best = len(stretches) - 1 - int(np.argmin(stretches[::-1]))  # the latest of equals
    quiet, level = math.sqrt(stretches[best]), math.sqrt(float(energy.mean()))
    if quiet > max(_SILENCE_FLOOR, _SILENCE_RATIO * level):
        return length  # no pause near the end: a hard cut at the limit
    return tail_start + best * frame + (span * frame) // 2


def _mono(pcm: Samples) -> Samples:
    array = np.asarray(pcm)
    if array.ndim != 1:
        raise ValueError(f"PCM must be one channel (1-D), not shape {array.shape}")
    return array


def _as_float32(pcm: Samples) -> Float32:
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


def _read_frames(stream: BinaryIO) -> tuple[int, int, int, bytes]:
    """Channels, sample width, rate and frame bytes; malformed files become ValueError."""
    try:
        with wave.open(stream, "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            return channels, width, rate, wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a PCM WAV file: {exc or 'it ends too early'}") from exc


def _decode_pcm(raw: bytes, width: int) -> Float32:
    """Little-endian integer PCM bytes to float32; 24-bit is widened to 32 first."""
    if width == 1:
        return _as_float32(np.frombuffer(raw, dtype=np.uint8))
    if width == 2:
        return _as_float32(np.frombuffer(raw, dtype="<i2"))
    if width == 3:
        padded = np.zeros((len(raw) // 3, 4), dtype=np.uint8)
        padded[:, 1:] = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        return _as_float32(padded.view("<i4").reshape(-1))
    if width == 4:
        return _as_float32(np.frombuffer(raw, dtype="<i4"))
    raise ValueError(f"{8 * width}-bit WAV samples are not supported")


def _low_pass(samples: Float32, *, cutoff: float) -> Float32:
    """A Hamming-windowed sinc FIR; ``cutoff`` is a fraction of the source sample rate."""
    n = np.arange(_RESAMPLE_TAPS) - (_RESAMPLE_TAPS - 1) / 2
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(_RESAMPLE_TAPS)
    taps = (taps / taps.sum()).astype(np.float32)
    delay = (_RESAMPLE_TAPS - 1) // 2  # "full" then trim: "same" pads short input to the taps
    filtered = np.convolve(samples, taps, mode="full")[delay : delay + len(samples)]
    return filtered.astype(np.float32, copy=False)


def _interpolate(samples: Float32, step: float, count: int) -> Float32:
    """Linear interpolation at ``i * step``, in blocks so a long file never needs float64 copies."""
    out = np.empty(count, dtype=np.float32)
    last = len(samples) - 1
    for first in range(0, count, _RESAMPLE_BLOCK):
        where = np.arange(first, min(first + _RESAMPLE_BLOCK, count), dtype=np.float64) * step
        left = np.minimum(where.astype(np.int64), last)
        right = np.minimum(left + 1, last)
        frac = (where - left).astype(np.float32)
        out[first : first + len(where)] = samples[left] + (samples[right] - samples[left]) * frac
    return out


@functools.cache
def _soundfile() -> ModuleType | None:
    """``soundfile`` if importable with its native library; looked up once per run."""
    try:
        return importlib.import_module("soundfile")
    except (ImportError, OSError) as exc:  # OSError: the module is there, libsndfile is not
        log.debug("FLAC encoding unavailable: %s", exc)
        return None
