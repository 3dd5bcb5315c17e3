"""Whisper's log-mel spectrogram in numpy: what the Whisper encoder and the Smart Turn model read.

Both models were trained on the same features: 25 ms Hann windows every 10 ms of 16 kHz audio,
80 triangular mel bands (Slaney scale, area-normalised) up to 8 kHz, log10 of the power, clipped
to 8 decades below the loudest value and scaled to about [-1, 1]. No Qt, no model code.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms: one frame per 160 samples
N_MELS = 80
FLOOR = 1e-10

Float32 = npt.NDArray[np.float32]


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The Slaney mel scale: linear below 1 kHz, logarithmic above."""
    linear = 3.0 * hz / 200.0
    log_part = 15.0 + 27.0 * np.log(np.maximum(hz, 1e-9) / 1000.0) / np.log(6.4)
    return np.where(hz < 1000.0, linear, log_part)


def _mel_to_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    linear = 200.0 * mel / 3.0
    log_part = 1000.0 * np.exp(np.log(6.4) * (mel - 15.0) / 27.0)
    return np.where(mel < 15.0, linear, log_part)


@lru_cache(maxsize=1)
def mel_filters() -> npt.NDArray[np.float64]:
    """(N_MELS, N_FFT // 2 + 1) triangular filters, each scaled to unit area."""
    bins = np.linspace(0.0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    edges = _mel_to_hz(np.linspace(0.0, _hz_to_mel(np.array(SAMPLE_RATE / 2.0)), N_MELS + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    triangles = np.maximum(0.0, np.minimum(rising, falling))
    return triangles * (2.0 / (upper - lower))


@lru_cache(maxsize=1)
def _window() -> npt.NDArray[np.float64]:
    """A periodic Hann window, as the STFT of both models used."""
    return np.hanning(N_FFT + 1)[:-1]


def normalise(samples: npt.ArrayLike) -> Float32:
    """Zero mean and unit variance, as Smart Turn's training applied to its input."""
    x = np.asarray(samples, dtype=np.float32)
    return ((x - x.mean()) / np.sqrt(x.var() + 1e-7)).astype(np.float32)


def log_mel(samples: npt.ArrayLike) -> Float32:
    """(N_MELS, len(samples) // HOP) features of 16 kHz mono audio."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    frames = len(x) // HOP
    if frames == 0:
        return np.zeros((N_MELS, 0), dtype=np.float32)
    padded = np.pad(x, N_FFT // 2, mode="reflect" if len(x) > N_FFT // 2 else "constant")
    windows = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:frames]
    power = np.abs(np.fft.rfft(windows * _window(), axis=-1)) ** 2
    mel = np.maximum(mel_filters() @ power.T, FLOOR)
    logs = np.log10(mel)
    logs = np.maximum(logs, logs.max() - 8.0)
    return ((logs + 4.0) / 4.0).astype(np.float32)
