"""A loopback fake of the ElevenLabs API speaking the wire format of api-contracts.md §3."""

from __future__ import annotations

import base64
import io
import re
import uuid
import wave
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import pytest

from tests.fakes.loopback import JsonDict, LoopbackFake, LoopbackHandler, Recorded, check_mode

STATUS_MODES = frozenset({"401", "quota", "429_concurrent", "429_busy", "500"})
FAIL_MODES = STATUS_MODES | {"malformed", "hang", "drop"}
DEFAULT_MODEL = "eleven_multilingual_v2"
MODEL_LIMITS = {
    "eleven_flash_v2_5": 40_000,
    "eleven_turbo_v2_5": 40_000,
    "eleven_flash_v2": 30_000,
    "eleven_turbo_v2": 30_000,
    "eleven_multilingual_v2": 10_000,
    "eleven_v3": 5_000,
}
PCM_RATES = frozenset({8000, 16000, 22050, 24000, 32000, 44100, 48000})
MP3_FORMATS = frozenset({(22050, 32), (24000, 48), *((44100, b) for b in (32, 64, 96, 128, 192))})
TTS_PATH = re.compile(r"^/v1/text-to-speech/(?P<voice>[^/]+)(?P<kind>|/stream|/with-timestamps)$")
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class AudioFormat:
    """A parsed ``output_format``: container, sample rate and (for mp3) kbit/s."""

    kind: str
    rate: int
    kbps: int = 0

    @property
    def content_type(self) -> str:
        return {"mp3": "audio/mpeg", "wav": "audio/wav"}.get(self.kind, "audio/pcm")


def default_voices() -> list[JsonDict]:
    """Three premade voices in the ``GET /v1/voices`` shape, Rachel first."""
    people = [
        ("21m00Tcm4TlvDq8ikWAM", "Rachel", "american", "female", "calm"),
        ("pNInz6obpgDQGcFmaJgB", "Adam", "american", "male", "deep"),
        ("JBFqnCBsd6RMkjVDRZzb", "George", "british", "male", "warm"),
    ]
    return [
        {
            "voice_id": voice_id,
            "name": name,
            "category": "premade",
            "labels": {"accent": accent, "gender": gender, "description": description},
            "description": None,
            "preview_url": f"https://example.invalid/premade/voices/{voice_id}/preview.mp3",
            "settings": None,
            "samples": None,
            "available_for_tiers": [],
            "high_quality_base_model_ids": ["eleven_multilingual_v2", "eleven_flash_v2_5"],
        }
        for voice_id, name, accent, gender, description in people
    ]


def parse_format(value: str) -> AudioFormat | None:
    """``pcm_22050`` / ``wav_16000`` / ``mp3_44100_128`` → AudioFormat; None if not served."""
    parts = value.split("_")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        return None
    if parts[0] in ("pcm", "wav") and len(numbers) == 1 and numbers[0] in PCM_RATES:
        return AudioFormat(parts[0], numbers[0])
    if parts[0] == "mp3" and len(numbers) == 2 and (numbers[0], numbers[1]) in MP3_FORMATS:
        return AudioFormat("mp3", numbers[0], numbers[1])
    return None


def speech_wave(seconds: float, rate: int) -> np.ndarray:
    """A voice-like int16 signal: a wavering 140 Hz buzz with harmonics, four syllables a second."""
    t = np.arange(round(seconds * rate)) / rate
    pitch = 140.0 + 20.0 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    buzz = sum(np.sin(k * phase) / k for k in range(1, 5)) / 2.1
    syllables = 0.5 * (1.0 - np.cos(2 * np.pi * 4.0 * t))
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    return np.asarray(0.3 * 32767 * buzz * syllables * fade, dtype=np.int16)


def encode(samples: np.ndarray, fmt: AudioFormat) -> bytes:
    """The bytes ElevenLabs would send: raw s16le for pcm, a WAV file, or an MP3 stream."""
    if fmt.kind == "pcm":
        return samples.astype("<i2").tobytes()
    if fmt.kind == "wav":
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(fmt.rate)
            out.writeframes(samples.astype("<i2").tobytes())
        return buffer.getvalue()
    return _mp3(samples, fmt)


def _mp3(samples: np.ndarray, fmt: AudioFormat) -> bytes:
    """MP3 made with PyAV (imported late: only mp3 requests need it)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as container:
        stream = container.add_stream("mp3", rate=fmt.rate)
        stream.bit_rate = fmt.kbps * 1000
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(
            samples.astype(np.int16).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = fmt.rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def normalize(text: str) -> str:
    """Roughly what ElevenLabs' normalizer does for the fake: digits spelled, spaces around."""
    spelled = re.sub(r"\d", lambda m: f" {DIGIT_WORDS[int(m.group())]} ", text)
    return f" {' '.join(spelled.split())} "


def alignment(text: str, seconds: float, *, leading_gap: bool = False) -> JsonDict:
    """Characters with times spread evenly over ``seconds``; a leading space may take no time."""
    chars = list(text)
    timed = chars[1:] if leading_gap and chars else chars
    step = seconds / max(1, len(timed))
    starts = [round(i * step, 3) for i in range(len(timed))]
    ends = [*starts[1:], round(seconds, 3)] if timed else []
    if len(timed) < len(chars):
        starts, ends = [0.0, *starts], [0.0, *ends]
    return {
        "characters": chars,
        "character_start_times_seconds": starts,
        "character_end_times_seconds": ends,
    }


def error_body(status: str, message: str) -> JsonDict:
    return {"detail": {"status": status, "message": message}}


def validation_body(loc: list[str], msg: str, kind: str) -> JsonDict:
    """FastAPI's 422 shape (the SDK's HTTPValidationError)."""
    return {"detail": [{"loc": loc, "msg": msg, "type": kind}]}


FAILURE_BODIES: dict[str, tuple[int, JsonDict]] = {
    "401": (401, error_body("invalid_api_key", "Invalid API key")),
    "quota": (
        401,
        error_body(
            "quota_exceeded",
            "This request exceeds your quota of 10000. You have 20 credits remaining, while "
            "150 credits are required for this request.",
        ),
    ),
    "429_concurrent": (
        429,
        error_body(
            "too_many_concurrent_requests",
            "Too many concurrent requests. Your plan allows 2 at a time.",
        ),
    ),
    "429_busy": (
        429,
        error_body("system_busy", "We are experiencing heavy traffic, please try again later."),
    ),
    "500": (500, {"detail": "Internal Server Error"}),
}


class ElevenLabsFake(LoopbackFake):
    """A real HTTP server on 127.0.0.1 that answers like ElevenLabs, with switchable failures."""

    label = "elevenlabs fake"

    def __init__(self) -> None:
        super().__init__(_Handler)
        self.valid_key: str | None = None  # None: any non-empty xi-api-key is accepted
        self.chars_per_s = 15.0
        self.latency_s = 0.0
        self.hang_s = 30.0
        self.voices: list[JsonDict] = default_voices()
        self._failures: deque[str] = deque()

    def fail_next(self, mode: str, count: int = 1) -> None:
        """Make the next ``count`` requests (any endpoint) fail as ``mode``."""
        check_mode(mode, FAIL_MODES)
        with self._lock:
            self._failures.extend([mode] * count)

    def voice_ids(self) -> set[str]:
        return {str(voice["voice_id"]) for voice in self.voices}

    def _take_failure(self) -> str | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None


class _Handler(LoopbackHandler[ElevenLabsFake]):
    """One connection's requests: failure modes, then auth, then validation, then the answer."""

    json_needs_type = False

    def _handle(self) -> None:
        recorded = self._read_request(urlsplit(self.path).path)
        self.fake._record(recorded)
        route = self._route(recorded.path)
        if route is None:
            self._send_json(404, {"detail": "Not Found"})
            return
        failure = self.fake._take_failure()
        if failure in STATUS_MODES:
            self._send_json(*FAILURE_BODIES[failure])
        elif failure == "drop":
            self._drop()
        elif failure == "hang" and self._stall(self.fake.hang_s):
            return  # stopped meanwhile: the connection just closes
        elif not self._authorized():
            self._send_json(*FAILURE_BODIES["401"])
        elif not self._stall(self.fake.latency_s):
            route(recorded, failure == "malformed")

    def _route(self, path: str) -> Callable[[Recorded, bool], None] | None:
        if self.command == "GET" and path == "/v1/voices":
            return self._voices_v1
        if self.command == "GET" and path == "/v2/voices":
            return self._voices_v2
        if self.command == "POST" and TTS_PATH.match(path):
            return self._tts
        return None

    def _authorized(self) -> bool:
        """Only ``xi-api-key`` counts; an ``Authorization`` header is ignored, as by ElevenLabs."""
        key = self.headers.get("xi-api-key", "").strip()
        wanted = self.fake.valid_key
        return bool(key) and (wanted is None or key == wanted)

    # -- endpoints ----------------------------------------------------------------------------

    def _voices_v1(self, recorded: Recorded, malformed: bool) -> None:
        self._send_json(200, {"oops": []} if malformed else {"voices": self.fake.voices})

    def _voices_v2(self, recorded: Recorded, malformed: bool) -> None:
        search = recorded.query.get("search", "").casefold()
        found = [v for v in self.fake.voices if search in str(v["name"]).casefold()]
        size = int(recorded.query.get("page_size") or 10)
        page = {"voices": found[:size], "has_more": len(found) > size}
        self._send_json(200, {**page, "total_count": len(found), "next_page_token": None})

    def _tts(self, recorded: Recorded, malformed: bool) -> None:
        match = TTS_PATH.match(recorded.path)
        assert match is not None
        problem = self._tts_problem(match["voice"], recorded)
        if problem is not None:
            self._send_json(*problem)
            return
        body = recorded.json or {}
        fmt = parse_format(recorded.query.get("output_format", "mp3_44100_128"))
        assert fmt is not None
        text = str(body["text"])
        seconds = len(text) / self.fake.chars_per_s
        audio = encode(speech_wave(seconds, fmt.rate), fmt)
        extra = {"character-cost": str(len(text)), "history-item-id": uuid.uuid4().hex[:20]}
        if match["kind"] == "/with-timestamps":
            self._send_json(200, self._timed(text, seconds, audio, malformed), extra)
        elif match["kind"] == "/stream":
            self._send_chunked(audio, fmt.content_type, extra)
        else:
            self._send(200, audio, fmt.content_type, extra)

    def _tts_problem(self, voice_id: str, recorded: Recorded) -> tuple[int, JsonDict] | None:
        """The error the real service gives for this request, or None when it is fine."""
        if voice_id not in self.fake.voice_ids():
            message = f"A voice with voice_id {voice_id} was not found."
            return 404, error_body("voice_not_found", message)
        body = recorded.json
        if body is None or not isinstance(body.get("text"), str):
            return 422, validation_body(["body", "text"], "field required", "value_error.missing")
        if parse_format(recorded.query.get("output_format", "mp3_44100_128")) is None:
            loc = ["query", "output_format"]
            return 422, validation_body(loc, "unsupported output format", "type_error.enum")
        settings = body.get("voice_settings") or {}
        speed = settings.get("speed", 1.0) if isinstance(settings, dict) else 1.0
        if not isinstance(speed, int | float) or not 0.7 <= speed <= 1.2:
            loc = ["body", "voice_settings", "speed"]
            return 422, validation_body(loc, "speed must be between 0.7 and 1.2", "value_error")
        model = str(body.get("model_id") or DEFAULT_MODEL)
        limit = MODEL_LIMITS.get(model, 10_000)
        if len(body["text"]) > limit:
            message = f"The text is {len(body['text'])} characters; {model} takes {limit}."
            return 400, error_body("max_character_limit_exceeded", message)
        return None

    def _timed(self, text: str, seconds: float, audio: bytes, malformed: bool) -> JsonDict:
        said = alignment(text, seconds)
        normalized = alignment(normalize(text), seconds, leading_gap=True)
        if malformed:
            said["character_end_times_seconds"] = said["character_end_times_seconds"][:-1]
            normalized["characters"] = normalized["characters"][:-2]
        encoded = base64.b64encode(audio).decode("ascii")
        return {"audio_base64": encoded, "alignment": said, "normalized_alignment": normalized}

    # -- response side ------------------------------------------------------------------------

    def _own_headers(self) -> dict[str, str]:
        """A fresh ``request-id`` on every response, as ElevenLabs sends."""
        return {"request-id": uuid.uuid4().hex}

    def _send_chunked(self, body: bytes, content_type: str, extra: dict[str, str]) -> None:
        """The /stream answer: the audio in 4 KiB chunks."""
        self._start_chunked(content_type, extra)
        for at in range(0, len(body), 4096):
            self._chunk(body[at : at + 4096])
        self._end_chunks()


@pytest.fixture
def elevenlabs_fake() -> Iterator[ElevenLabsFake]:
    """A started ElevenLabs fake for one test, stopped afterwards."""
    with ElevenLabsFake() as fake:
        yield fake
