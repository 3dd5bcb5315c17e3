"""Speech as the voices make it and the avatar plays it: PCM with phoneme timings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class Phone:
    """One phoneme of synthesized speech and when it sounds, in seconds from the audio start."""

    symbol: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Speech:
    """What a voice returns: mono float32 PCM in [-1, 1] and its phoneme timings."""

    pcm: np.ndarray
    sample_rate: int
    phones: tuple[Phone, ...] = ()
    text: str = ""

    @property
    def duration(self) -> float:
        return len(self.pcm) / self.sample_rate if self.sample_rate else 0.0
