"""Any WAV in, 16 kHz mono out; FLAC when available. Upload-sized WAVs cut at pauses are made
in ``core.wav`` (the cloud ears use them too) and re-exported here.

FLAC would halve the bytes, but only ``soundfile`` (with its bundled libsndfile) encodes it
without a heavy dependency; when it is not installed, :func:`to_flac` returns None and callers
upload WAV.
"""

from __future__ import annotations

import functools
import importlib
import io
import logging
import os
import wave
from types import ModuleType
from typing import BinaryIO

import numpy as np

from avatar_desktop.core.wav import (
    DEFAULT_MAX_BYTES,
    SAMPLE_RATE,
    SAMPLE_WIDTH,
    WAV_HEADER_BYTES,
    Float32,
    Int16,
    Samples,
    as_float32,
    as_int16,
    split_at_silences,
    to_wav,
    upload_chunks,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SAMPLE_RATE",
    "SAMPLE_WIDTH",
    "WAV_HEADER_BYTES",
    "Float32",
    "Int16",
    "Samples",
    "as_int16",
    "flac_available",
    "read_wav",
    "split_at_silences",
    "to_flac",
    "to_mono_16k",
    "to_wav",
    "upload_chunks",
]

log = logging.getLogger(__name__)

_RESAMPLE_TAPS = 63
_RESAMPLE_BLOCK = 1 << 20


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
    samples = as_float32(pcm)
    if samples.ndim == 2:
        samples = samples.mean(axis=1, dtype=np.float32)
    elif samples.ndim != 1:
        raise ValueError(f"PCM must be (frames,) or (frames, channels), not {samples.shape}")
    if rate == SAMPLE_RATE or len(samples) == 0:
        return np.ascontiguousarray(samples, dtype=np.float32)
    if rate > SAMPLE_RATE:
        samples = _low_pass(samples, cutoff=0.45 * SAMPLE_RATE / rate)
    return _interpolate(samples, rate / SAMPLE_RATE, round(len(samples) * SAMPLE_RATE / rate))


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
        return as_float32(np.frombuffer(raw, dtype=np.uint8))
    if width == 2:
        return as_float32(np.frombuffer(raw, dtype="<i2"))
    if width == 3:
        padded = np.zeros((len(raw) // 3, 4), dtype=np.uint8)
        padded[:, 1:] = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        return as_float32(padded.view("<i4").reshape(-1))
    if width == 4:
        return as_float32(np.frombuffer(raw, dtype="<i4"))
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
