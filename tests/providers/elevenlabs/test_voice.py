"""The ElevenLabs voice over real sockets: the real client against the loopback fake."""

from __future__ import annotations

import base64
import itertools
import logging
import socket
import threading
import time
from typing import Any

import numpy as np
import pytest

from avatar_desktop.avatar.visemes import phones_to_segments
from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.core.speech import Speech
from avatar_desktop.providers.base import ProviderError, Voice
from avatar_desktop.providers.elevenlabs import voice as elevenlabs
from avatar_desktop.providers.elevenlabs.voice import (
    DEFAULT_BASE_URL,
    ElevenLabsAccess,
    ElevenLabsVoice,
    list_voices,
    speech_from_payload,
)
from tests.fakes import elevenlabs_server
from tests.fakes.elevenlabs_server import ElevenLabsFake

elevenlabs_fake = elevenlabs_server.elevenlabs_fake

KEY = "sk_test_SECRET_1234567890"
RACHEL = "21m00Tcm4TlvDq8ikWAM"
SENTENCE = "Hello from the avatar, nice to meet you."


def voice_for(
    fake: ElevenLabsFake, *, key: str | None = KEY, timeout: float = 3.0
) -> ElevenLabsVoice:
    access = ElevenLabsAccess(key=key, base_url=fake.base_url, timeout=timeout)
    return ElevenLabsVoice(access=access)


def say(voice: ElevenLabsVoice, text: str = SENTENCE, rate: float = 1.0) -> Speech:
    return voice.synthesize(text, cancel=CancelToken(), rate=rate)


def failure(voice: ElevenLabsVoice, text: str = SENTENCE) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        say(voice, text)
    return info.value


def test_a_sentence_becomes_speech_at_22050_hz(elevenlabs_fake: ElevenLabsFake) -> None:
    speech = say(voice_for(elevenlabs_fake))
    assert speech.sample_rate == 22050 and speech.text == SENTENCE
    assert speech.pcm.dtype == np.float32 and speech.pcm.ndim == 1
    assert len(speech.pcm) == round(len(SENTENCE) / elevenlabs_fake.chars_per_s * 22050)
    assert 0.1 < float(np.max(np.abs(speech.pcm))) <= 1.0


def test_phones_cover_the_audio_and_map_to_visemes(elevenlabs_fake: ElevenLabsFake) -> None:
    speech = say(voice_for(elevenlabs_fake))
    phones = speech.phones
    assert phones[0].start == 0.0
    assert phones[-1].end == pytest.approx(speech.duration, abs=1e-3)
    assert all(a.end <= b.start for a, b in itertools.pairwise(phones))
    segments = phones_to_segments(phones, strict=True)
    assert segments[-1].end == pytest.approx(speech.duration, abs=1e-3)
    shapes = {s.viseme for s in segments}
    assert {"PP", "aa", "nn", "TH"} <= shapes  # "m", "a", "n", "th" of the sentence


def test_request_follows_the_contract(elevenlabs_fake: ElevenLabsFake) -> None:
    say(voice_for(elevenlabs_fake))
    (sent,) = elevenlabs_fake.requests
    assert sent.method == "POST"
    assert sent.path == f"/v1/text-to-speech/{RACHEL}/with-timestamps"
    assert sent.query == {"output_format": "pcm_22050"}
    assert sent.headers["xi-api-key"] == KEY
    assert "authorization" not in sent.headers
    assert sent.json == {
        "text": SENTENCE,
        "model_id": "eleven_flash_v2_5",
        "voice_settings": {"stability": 0.5, "similarity_boost": 0.75, "speed": 1.0},
    }


@pytest.mark.parametrize(("rate", "speed"), [(1.1, 1.1), (0.8, 0.8), (2.0, 1.2), (0.3, 0.7)])
def test_rate_reaches_voice_settings_speed_within_limits(
    elevenlabs_fake: ElevenLabsFake, rate: float, speed: float
) -> None:
    say(voice_for(elevenlabs_fake), "Quick.", rate=rate)
    sent = elevenlabs_fake.requests[-1].json
    assert sent is not None and sent["voice_settings"]["speed"] == speed


def test_the_session_is_reused_between_sentences(elevenlabs_fake: ElevenLabsFake) -> None:
    voice = voice_for(elevenlabs_fake)
    first, second = say(voice, "One."), say(voice, "Two more.")
    assert second.duration > first.duration
    assert len(elevenlabs_fake.requests) == 2


def test_voice_identity(elevenlabs_fake: ElevenLabsFake) -> None:
    voice = voice_for(elevenlabs_fake)
    assert isinstance(voice, Voice)
    assert voice.name == "ElevenLabs Rachel" and voice.sample_rate == 22050
    voice.load()  # a no-op, and sends nothing
    assert elevenlabs_fake.requests == []
    access = ElevenLabsAccess(key=KEY, base_url=elevenlabs_fake.base_url)
    named = ElevenLabsVoice(access=access, voice_id="JBFqnCBsd6RMkjVDRZzb", voice_name="George")
    assert named.name == "ElevenLabs George"
    say(named, "Hi.")
    assert elevenlabs_fake.requests[-1].path.startswith("/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/")


def test_empty_text_is_silence_without_a_request(elevenlabs_fake: ElevenLabsFake) -> None:
    speech = say(voice_for(elevenlabs_fake), "  ")
    assert len(speech.pcm) == 0 and speech.phones == ()
    assert elevenlabs_fake.requests == []


def test_voices_are_listed_by_name(elevenlabs_fake: ElevenLabsFake) -> None:
    access = ElevenLabsAccess(key=KEY, base_url=elevenlabs_fake.base_url)
    voices = list_voices(access)
    assert [v.name for v in voices] == ["Adam", "George", "Rachel"]
    rachel = voices[-1]
    assert (rachel.voice_id, rachel.category) == (RACHEL, "premade")
    assert (rachel.accent, rachel.gender) == ("american", "female")
    assert rachel.label == "Rachel (american, female)"
    sent = elevenlabs_fake.requests[-1]
    assert (sent.method, sent.path, sent.headers["xi-api-key"]) == ("GET", "/v1/voices", KEY)


def test_listing_voices_maps_errors(elevenlabs_fake: ElevenLabsFake) -> None:
    access = ElevenLabsAccess(key=KEY, base_url=elevenlabs_fake.base_url)
    elevenlabs_fake.fail_next("401")
    with pytest.raises(ProviderError) as info:
        list_voices(access)
    assert info.value.kind == "auth"
    elevenlabs_fake.fail_next("malformed")
    with pytest.raises(ProviderError) as info:
        list_voices(access)
    assert info.value.kind == "malformed"


def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ELEVENLABS_BASE_URL", raising=False)
    assert ElevenLabsAccess.from_env(KEY).base_url == DEFAULT_BASE_URL
    monkeypatch.setenv("ELEVENLABS_BASE_URL", "http://127.0.0.1:9/")
    access = ElevenLabsAccess.from_env(KEY)
    assert access.base_url == "http://127.0.0.1:9/" and access.key == KEY
    assert access.url("/v1/voices") == "http://127.0.0.1:9/v1/voices"
    assert KEY not in repr(access)


# -- failures ------------------------------------------------------------------------------------

ERROR_MODES = [
    ("401", "auth", False, "rejected the API key"),
    ("quota", "quota", False, "not enough credits"),
    ("429_concurrent", "rate_limited", True, "as many requests"),
    ("429_busy", "rate_limited", True, "overloaded"),
    ("500", "server", True, "HTTP 500"),
    ("malformed", "malformed", True, "could not be read"),
    ("drop", "network", True, "broke off"),
    ("hang", "timeout", True, "did not answer in time"),  # the same kind for every vendor
]


@pytest.mark.parametrize(("mode", "kind", "retryable", "words"), ERROR_MODES)
def test_every_failure_mode_gives_a_clear_error(
    elevenlabs_fake: ElevenLabsFake, mode: str, kind: str, retryable: bool, words: str
) -> None:
    elevenlabs_fake.fail_next(mode)
    started = time.perf_counter()
    error = failure(voice_for(elevenlabs_fake, timeout=0.3))
    assert time.perf_counter() - started < 2.0
    assert error.kind == kind and error.retryable is retryable
    assert error.offline is (kind in ("network", "timeout"))
    assert words in error.user_message and "ElevenLabs" in error.user_message
    assert KEY not in str(error) and KEY not in repr(error.args)


def test_rate_limits_say_when_to_retry(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.fail_next("429_busy")
    assert failure(voice_for(elevenlabs_fake)).retry_after == 1.0


def test_a_wrong_key_is_rejected(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.valid_key = "sk_the_right_one"
    error = failure(voice_for(elevenlabs_fake))
    assert error.kind == "auth" and KEY not in error.user_message


def test_no_key_fails_before_any_request(elevenlabs_fake: ElevenLabsFake) -> None:
    error = failure(voice_for(elevenlabs_fake, key=None))
    assert error.kind == "auth" and "ELEVENLABS_API_KEY" in error.user_message
    assert elevenlabs_fake.requests == []


def test_an_unknown_voice_says_which(elevenlabs_fake: ElevenLabsFake) -> None:
    access = ElevenLabsAccess(key=KEY, base_url=elevenlabs_fake.base_url)
    error = failure(ElevenLabsVoice(access=access, voice_id="nobody123"))
    assert error.kind == "voice" and "nobody123" in error.user_message
    assert not error.retryable


def test_text_over_the_model_limit(elevenlabs_fake: ElevenLabsFake) -> None:
    error = failure(voice_for(elevenlabs_fake), "a" * 40_001)
    assert error.kind == "bad_request" and "too long" in error.user_message


def test_a_validation_error_names_the_field(
    elevenlabs_fake: ElevenLabsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(elevenlabs, "OUTPUT_FORMAT", "pcm_12345")
    error = failure(voice_for(elevenlabs_fake))
    assert error.kind == "bad_request" and "output_format" in error.user_message


def test_an_unreachable_service_counts_as_offline() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    access = ElevenLabsAccess(key=KEY, base_url=f"http://127.0.0.1:{port}", timeout=1.0)
    error = failure(ElevenLabsVoice(access=access))
    assert error.kind == "network" and error.offline
    assert "could not be reached" in error.user_message


def test_the_key_never_reaches_the_log(
    elevenlabs_fake: ElevenLabsFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    voice = voice_for(elevenlabs_fake)
    say(voice)
    for mode in ("401", "malformed", "drop"):
        elevenlabs_fake.fail_next(mode)
        failure(voice)
    assert "text-to-speech" in caplog.text  # the logs were captured at all
    assert KEY not in caplog.text


# -- cancel --------------------------------------------------------------------------------------


def test_cancel_before_the_request_sends_nothing(elevenlabs_fake: ElevenLabsFake) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        voice_for(elevenlabs_fake).synthesize(SENTENCE, cancel=cancel)
    assert elevenlabs_fake.requests == []


def test_cancel_during_the_request_returns_at_once(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.latency_s = 2.0
    cancel = CancelToken()
    threading.Timer(0.1, cancel.cancel).start()
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        voice_for(elevenlabs_fake).synthesize(SENTENCE, cancel=cancel)
    assert time.perf_counter() - started < 0.6
    assert len(elevenlabs_fake.requests) == 1


# -- reading the answer --------------------------------------------------------------------------


def timed(**changes: Any) -> dict[str, Any]:
    """A good alignment for "ab" with one array changed."""
    good = {
        "characters": ["a", "b"],
        "character_start_times_seconds": [0.0, 0.05],
        "character_end_times_seconds": [0.05, 0.1],
    }
    return {**good, **changes}


def payload(**changes: Any) -> dict[str, Any]:
    """A with-timestamps answer: 0.1 s of audio for "ab", changed as asked."""
    audio = (np.ones(2205, dtype="<i2") * 16384).tobytes()
    base = {"audio_base64": base64.b64encode(audio).decode(), "alignment": timed()}
    return {**base, "normalized_alignment": None, **changes}


def test_audio_is_decoded_as_16_bit_pcm() -> None:
    speech = speech_from_payload(payload(), "ab")
    assert len(speech.pcm) == 2205 and speech.duration == pytest.approx(0.1)
    assert np.allclose(speech.pcm, 0.5)
    assert [p.symbol for p in speech.phones] == ["æ", "b"]


def test_the_normalized_alignment_is_preferred() -> None:
    normalized = {
        "characters": [" ", "m", "o"],
        "character_start_times_seconds": [0.0, 0.0, 0.04],
        "character_end_times_seconds": [0.0, 0.04, 0.1],
    }
    speech = speech_from_payload(payload(normalized_alignment=normalized), "mo")
    assert [p.symbol for p in speech.phones] == ["m", "o"]


@pytest.mark.parametrize(
    "broken",
    [
        {"audio_base64": None},
        {"audio_base64": "not base64!!"},
        {"audio_base64": base64.b64encode(b"\x00\x01\x02").decode()},
        {"alignment": None},
        {"alignment": timed(character_end_times_seconds=[0.05])},
        {"alignment": timed(characters=["a", "b", "c"])},
        {"alignment": timed(characters=["a", 7])},
        {"alignment": timed(character_start_times_seconds=["x", 0.05])},
        {"alignment": timed(character_start_times_seconds=[float("nan"), 0.05])},
    ],
)
def test_a_malformed_answer_is_reported(broken: dict[str, Any]) -> None:
    with pytest.raises(ProviderError) as info:
        speech_from_payload(payload(**broken), "ab")
    assert info.value.kind == "malformed" and info.value.retryable
