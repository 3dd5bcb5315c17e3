"""The ElevenLabs fake over real sockets with requests, checked against §3 of the contract."""

from __future__ import annotations

import base64
import io
import time
import wave
from typing import Any

import pytest
import requests

from tests.fakes import elevenlabs_server
from tests.fakes.elevenlabs_server import FAIL_MODES, ElevenLabsFake

elevenlabs_fake = elevenlabs_server.elevenlabs_fake

KEY = "sk_test_fake_0123456789"
RACHEL = "21m00Tcm4TlvDq8ikWAM"
TEXT = "Hello from the avatar."
HEADERS = {"xi-api-key": KEY}


def tts(
    fake: ElevenLabsFake,
    kind: str = "/with-timestamps",
    *,
    body: dict[str, Any] | None = None,
    voice: str = RACHEL,
    fmt: str | None = "pcm_22050",
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> requests.Response:
    """One text-to-speech request as a client would send it."""
    return requests.post(
        f"{fake.base_url}/v1/text-to-speech/{voice}{kind}",
        params={"output_format": fmt} if fmt else None,
        json={"text": TEXT, "model_id": "eleven_flash_v2_5"} if body is None else body,
        headers=HEADERS if headers is None else headers,
        timeout=timeout,
    )


def detail(response: requests.Response) -> Any:
    assert response.headers["Content-Type"] == "application/json"
    return response.json()["detail"]


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100])
def test_with_timestamps_gives_pcm_and_matching_alignments(
    elevenlabs_fake: ElevenLabsFake, rate: int
) -> None:
    response = tts(elevenlabs_fake, fmt=f"pcm_{rate}")
    assert response.status_code == 200
    answer = response.json()
    audio = base64.b64decode(answer["audio_base64"])
    seconds = len(TEXT) / elevenlabs_fake.chars_per_s
    assert len(audio) == 2 * round(seconds * rate)
    for name in ("alignment", "normalized_alignment"):
        timed = answer[name]
        chars = timed["characters"]
        assert len(chars) == len(timed["character_start_times_seconds"])
        assert len(chars) == len(timed["character_end_times_seconds"])
        assert timed["character_end_times_seconds"][-1] == pytest.approx(seconds, abs=1e-3)
    assert "".join(answer["alignment"]["characters"]) == TEXT
    assert "".join(answer["normalized_alignment"]["characters"]) == f" {TEXT} "


def test_audio_sounds_like_speech_not_silence(elevenlabs_fake: ElevenLabsFake) -> None:
    import numpy as np

    audio = base64.b64decode(tts(elevenlabs_fake).json()["audio_base64"])
    samples = np.frombuffer(audio, dtype="<i2").astype(np.float64) / 32768
    assert 0.1 < np.max(np.abs(samples)) <= 1.0
    frames = np.array_split(samples, len(samples) // 441)  # 20 ms each
    loudness = [float(np.sqrt(np.mean(frame**2))) for frame in frames]
    assert max(loudness) > 5 * min(loudness)  # syllables rise and fall


def test_numbers_are_spelled_in_the_normalized_alignment(elevenlabs_fake: ElevenLabsFake) -> None:
    answer = tts(elevenlabs_fake, body={"text": "Room 42."}).json()
    assert "".join(answer["alignment"]["characters"]) == "Room 42."
    assert "".join(answer["normalized_alignment"]["characters"]) == " Room four two . "


def test_plain_tts_defaults_to_a_real_mp3(elevenlabs_fake: ElevenLabsFake) -> None:
    av = pytest.importorskip("av")
    response = tts(elevenlabs_fake, "", fmt=None)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["request-id"]
    with av.open(io.BytesIO(response.content)) as container:
        stream = container.streams.audio[0]
        assert container.format.name == "mp3" and stream.rate == 44100
        decoded = sum(frame.samples for frame in container.decode(stream))
    expected = len(TEXT) / elevenlabs_fake.chars_per_s * 44100
    assert abs(decoded - expected) < 0.1 * 44100


def test_wav_format_is_a_wav_file(elevenlabs_fake: ElevenLabsFake) -> None:
    response = tts(elevenlabs_fake, "", fmt="wav_16000")
    with wave.open(io.BytesIO(response.content)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        seconds = wav.getnframes() / 16000
    assert seconds == pytest.approx(len(TEXT) / elevenlabs_fake.chars_per_s, abs=1e-3)


def test_stream_sends_the_same_bytes_chunked(elevenlabs_fake: ElevenLabsFake) -> None:
    whole = tts(elevenlabs_fake, "").content
    streamed = tts(elevenlabs_fake, "/stream")
    assert streamed.headers["Transfer-Encoding"] == "chunked"
    assert streamed.content == whole and len(whole) > 4096


def test_speaking_speed_sets_the_length(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.chars_per_s = 30.0
    audio = base64.b64decode(tts(elevenlabs_fake).json()["audio_base64"])
    assert len(audio) == 2 * round(len(TEXT) / 30.0 * 22050)


def test_latency_delays_the_answer(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.latency_s = 0.3
    started = time.perf_counter()
    assert tts(elevenlabs_fake).status_code == 200
    assert 0.3 <= time.perf_counter() - started < 1.5


# -- what the service refuses --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"xi-api-key": ""}, {"Authorization": f"Bearer {KEY}"}],
    ids=["none", "empty", "authorization-only"],
)
def test_xi_api_key_is_required(elevenlabs_fake: ElevenLabsFake, headers: dict[str, str]) -> None:
    response = tts(elevenlabs_fake, headers=headers)
    assert response.status_code == 401
    assert detail(response)["status"] == "invalid_api_key"


def test_valid_key_is_enforced_when_set(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.valid_key = KEY
    assert tts(elevenlabs_fake, headers={"xi-api-key": "sk_other"}).status_code == 401
    assert tts(elevenlabs_fake).status_code == 200


def test_unknown_voice_is_not_found(elevenlabs_fake: ElevenLabsFake) -> None:
    response = tts(elevenlabs_fake, voice="nobody")
    assert response.status_code == 404
    assert detail(response)["status"] == "voice_not_found"


def test_missing_text_is_a_validation_error(elevenlabs_fake: ElevenLabsFake) -> None:
    response = tts(elevenlabs_fake, body={"model_id": "eleven_flash_v2_5"})
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["body", "text"]


@pytest.mark.parametrize(("model", "limit"), [("eleven_flash_v2_5", 40_000), (None, 10_000)])
def test_text_over_the_model_limit(elevenlabs_fake: ElevenLabsFake, model: Any, limit: int) -> None:
    body = {"text": "a" * (limit + 1), "model_id": model}
    response = tts(elevenlabs_fake, body=body)
    assert response.status_code == 400
    assert detail(response)["status"] == "max_character_limit_exceeded"


@pytest.mark.parametrize("fmt", ["pcm_12345", "flac_44100", "mp3_44100_999"])
def test_unknown_output_format_is_refused(elevenlabs_fake: ElevenLabsFake, fmt: str) -> None:
    response = tts(elevenlabs_fake, fmt=fmt)
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["query", "output_format"]


def test_speed_outside_the_allowed_range_is_refused(elevenlabs_fake: ElevenLabsFake) -> None:
    body = {"text": TEXT, "voice_settings": {"speed": 1.5}}
    assert tts(elevenlabs_fake, body=body).status_code == 422


def test_unknown_path_is_404(elevenlabs_fake: ElevenLabsFake) -> None:
    response = requests.get(f"{elevenlabs_fake.base_url}/v1/models/x", headers=HEADERS, timeout=5)
    assert response.status_code == 404


# -- voices and recording ------------------------------------------------------------------------


def test_voices_v1_lists_the_premade_voices(elevenlabs_fake: ElevenLabsFake) -> None:
    response = requests.get(f"{elevenlabs_fake.base_url}/v1/voices", headers=HEADERS, timeout=5)
    voices = response.json()["voices"]
    assert 2 <= len(voices) <= 3
    rachel = next(v for v in voices if v["voice_id"] == RACHEL)
    assert rachel["name"] == "Rachel" and rachel["category"] == "premade"
    assert rachel["labels"]["gender"] == "female"


def test_voices_v2_searches_and_pages(elevenlabs_fake: ElevenLabsFake) -> None:
    url = f"{elevenlabs_fake.base_url}/v2/voices"
    found = requests.get(url, params={"search": "rach"}, headers=HEADERS, timeout=5).json()
    assert [v["name"] for v in found["voices"]] == ["Rachel"] and found["total_count"] == 1
    page = requests.get(url, params={"page_size": 2}, headers=HEADERS, timeout=5).json()
    assert len(page["voices"]) == 2 and page["has_more"] is True


def test_requests_are_recorded_with_headers_and_json(elevenlabs_fake: ElevenLabsFake) -> None:
    tts(elevenlabs_fake)
    (seen,) = elevenlabs_fake.requests
    assert seen.method == "POST" and seen.path.endswith("/with-timestamps")
    assert seen.query == {"output_format": "pcm_22050"}
    assert seen.headers["xi-api-key"] == KEY
    assert seen.json == {"text": TEXT, "model_id": "eleven_flash_v2_5"}


# -- failure modes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [
        ("401", 401, "invalid_api_key"),
        ("quota", 401, "quota_exceeded"),
        ("429_concurrent", 429, "too_many_concurrent_requests"),
        ("429_busy", 429, "system_busy"),
    ],
)
def test_status_failure_modes(
    elevenlabs_fake: ElevenLabsFake, mode: str, status: int, code: str
) -> None:
    elevenlabs_fake.fail_next(mode)
    response = tts(elevenlabs_fake)
    assert response.status_code == status and detail(response)["status"] == code
    assert tts(elevenlabs_fake).status_code == 200  # one failure, then back to normal


def test_failures_can_repeat(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.fail_next("500", count=2)
    assert [tts(elevenlabs_fake).status_code for _ in range(3)] == [500, 500, 200]


def test_malformed_sends_arrays_of_different_lengths(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.fail_next("malformed")
    answer = tts(elevenlabs_fake).json()
    timed = answer["alignment"]
    assert len(timed["characters"]) != len(timed["character_end_times_seconds"])


def test_drop_closes_without_an_answer(elevenlabs_fake: ElevenLabsFake) -> None:
    elevenlabs_fake.fail_next("drop")
    with pytest.raises(requests.ConnectionError):
        tts(elevenlabs_fake)


def test_hang_outlasts_the_client_and_stops_fast() -> None:
    fake = ElevenLabsFake().start()
    fake.fail_next("hang")
    with pytest.raises(requests.Timeout):
        tts(fake, timeout=0.2)
    started = time.perf_counter()
    fake.stop()
    assert time.perf_counter() - started < 1.0


def test_unknown_failure_mode_is_refused(elevenlabs_fake: ElevenLabsFake) -> None:
    with pytest.raises(ValueError, match="unknown failure mode"):
        elevenlabs_fake.fail_next("teapot")
    assert {"401", "quota", "hang", "drop", "malformed"} <= FAIL_MODES


def test_context_manager_starts_and_stops() -> None:
    with ElevenLabsFake() as fake:
        response = requests.get(f"{fake.base_url}/v1/voices", headers=HEADERS, timeout=5)
        assert response.status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fake.base_url}/v1/voices", headers=HEADERS, timeout=1)
