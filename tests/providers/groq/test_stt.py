"""Groq's Whisper over a real socket: PCM up as WAV, the words back, failures in words."""

from __future__ import annotations

import numpy as np
import pytest

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.groq.access import GroqAccess
from avatar_desktop.providers.groq.stt import GroqTranscriber, from_settings
from tests.fakes.groq_server import GroqFake

SPEECH = (0.2 * np.sin(np.linspace(0, 440 * 2 * np.pi, 16_000))).astype(np.float32)


def ears(fake: GroqFake, key: str | None = None) -> GroqTranscriber:
    return GroqTranscriber(access=GroqAccess(api_key=key or fake.api_key, base_url=fake.base_url))


def test_speech_goes_up_as_a_wav_and_the_words_come_back(groq_fake: GroqFake) -> None:
    assert ears(groq_fake).transcribe(SPEECH, cancel=CancelToken()) == "Hello from the avatar app."
    sent = groq_fake.requests[-1]
    assert sent.form["model"] == "whisper-large-v3-turbo" and sent.form["language"] == "en"
    name, data = sent.files["file"]
    assert name == "speech-1.wav" and data[:4] == b"RIFF"


def test_a_wrong_key_and_a_too_large_upload_are_explained(groq_fake: GroqFake) -> None:
    with pytest.raises(ProviderError) as wrong:
        ears(groq_fake, key="gsk_wrong_0000000000000000").transcribe(SPEECH, cancel=CancelToken())
    assert wrong.value.kind == "auth"
    groq_fake.fail_next("413_audio")
    with pytest.raises(ProviderError) as large:
        ears(groq_fake).transcribe(SPEECH, cancel=CancelToken())
    assert large.value.kind == "too_large" and "25 MB" in large.value.user_message


def test_a_cancelled_transcription_sends_nothing(groq_fake: GroqFake) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        ears(groq_fake).transcribe(SPEECH, cancel=cancel)
    assert not [r for r in groq_fake.requests if r.path.endswith("/transcriptions")]


def test_the_catalogue_factory_reads_the_base_url_from_the_environment(
    groq_fake: GroqFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROQ_BASE_URL", groq_fake.base_url)
    made = from_settings(groq_fake.api_key, object())
    assert made.access.base_url == groq_fake.base_url and made.name.endswith("(Groq)")
    assert groq_fake.api_key not in repr(made.access)
