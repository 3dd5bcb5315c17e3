"""Whisper tiny.en on this computer: real speech from our own voice in, the words out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import ProviderError, Transcriber
from avatar_desktop.providers.local.stt import WhisperTranscriber, bundled_model_dir
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.speech import SENTENCES, noise, silence, spoken, word_error_rate


@pytest.fixture(scope="module")
def voice() -> PiperVoiceProvider:
    provider = PiperVoiceProvider()
    provider.load()
    return provider


@pytest.fixture(scope="module")
def ears() -> WhisperTranscriber:
    transcriber = WhisperTranscriber()
    transcriber.load()
    return transcriber


def test_the_model_ships_in_a_package() -> None:
    folder = bundled_model_dir()
    assert folder is not None and (folder / "model.bin").stat().st_size > 30_000_000
    assert isinstance(WhisperTranscriber(), Transcriber)


def test_spoken_questions_come_back_as_their_words(
    voice: PiperVoiceProvider, ears: WhisperTranscriber
) -> None:
    pairs = []
    for text in SENTENCES:
        pcm = np.concatenate([silence(0.2), spoken(voice, text), silence(0.3)])
        pairs.append((text, ears.transcribe(pcm, cancel=CancelToken())))
    assert len(pairs) >= 10
    assert word_error_rate(pairs) <= 0.10, pairs


@pytest.mark.parametrize("clip", ["silence", "noise"])
def test_nothing_said_gives_no_words(ears: WhisperTranscriber, clip: str) -> None:
    pcm = silence(2.0) if clip == "silence" else noise(3.0)
    assert ears.transcribe(pcm, cancel=CancelToken()) == ""


def test_a_click_too_short_to_be_speech_is_not_even_decoded() -> None:
    transcriber = WhisperTranscriber()
    assert transcriber.transcribe(np.ones(800, np.float32), cancel=CancelToken()) == ""
    assert not transcriber.is_loaded


def test_a_cancelled_request_raises(voice: PiperVoiceProvider, ears: WhisperTranscriber) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        ears.transcribe(spoken(voice, "Hello there."), cancel=cancel)


def test_a_folder_without_the_model_is_reported_in_words(tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="no speech recognizer model") as caught:
        WhisperTranscriber(tmp_path).load()
    assert caught.value.kind == "missing"
    (tmp_path / "model.bin").write_bytes(b"not a model")
    with pytest.raises(ProviderError, match="could not be loaded"):
        WhisperTranscriber(tmp_path).load()
