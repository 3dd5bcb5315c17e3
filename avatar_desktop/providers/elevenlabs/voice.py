"""ElevenLabs as a cloud voice: PCM with per-character timings, turned into lip-sync phones."""

from __future__ import annotations

import base64
import binascii
import logging
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import requests

from avatar_desktop.core.cancel import CancelToken, pump
from avatar_desktop.core.speech import Speech
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.elevenlabs.errors import (
    ELEVENLABS,
    NO_KEY,
    StatusError,
    explain,
    malformed,
)
from avatar_desktop.providers.elevenlabs.letters import letters_to_phones

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.elevenlabs.io"
DEFAULT_VOICE_ID = "21m00Tcm4TlvDq8ikWAM"
DEFAULT_MODEL_ID = "eleven_flash_v2_5"
SAMPLE_RATE = 22050  # the app's player runs at this rate, like the local Piper voice
OUTPUT_FORMAT = f"pcm_{SAMPLE_RATE}"
MIN_SPEED, MAX_SPEED = 0.7, 1.2  # what ElevenLabs accepts for voice_settings.speed
STABILITY, SIMILARITY = 0.5, 0.75
KNOWN_VOICES = {DEFAULT_VOICE_ID: "Rachel"}


@dataclass(frozen=True, slots=True)
class ElevenLabsAccess:
    """Where and as whom to talk to ElevenLabs; the key never shows in a repr or a log."""

    key: str | None = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 20.0
    connect_timeout: float = 5.0

    @classmethod
    def from_env(cls, key: str | None) -> ElevenLabsAccess:
        return cls(key=key, base_url=os.environ.get(ELEVENLABS.base_url_env) or DEFAULT_BASE_URL)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def headers(self, accept: str = "application/json") -> dict[str, str]:
        """ElevenLabs authenticates with ``xi-api-key``, not ``Authorization``."""
        if not self.key:
            raise ProviderError(NO_KEY, kind="auth")
        return {"xi-api-key": self.key, "Accept": accept}

    def timeouts(self) -> tuple[float, float]:
        return (min(self.connect_timeout, self.timeout), self.timeout)


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """One voice the key may use, as ElevenLabs lists it."""

    voice_id: str
    name: str
    category: str = ""
    accent: str = ""
    gender: str = ""
    labels: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """A line for a voice picker, e.g. 'Rachel (american, female)'."""
        traits = ", ".join(t for t in (self.accent, self.gender) if t)
        return f"{self.name} ({traits})" if traits else self.name


def list_voices(access: ElevenLabsAccess) -> list[VoiceInfo]:
    """The voices this key can use (voice ids are data, not code), sorted by name."""
    try:
        response = requests.get(
            access.url("/v1/voices"),
            headers=access.headers(),
            timeout=access.timeouts(),
            allow_redirects=False,
        )
        if response.status_code != 200:
            raise StatusError(response)
        voices = response.json()["voices"]
        listed = [_voice_info(item) for item in voices]
    except (KeyError, TypeError) as exc:
        raise malformed() from exc
    except Exception as exc:
        raise explain(exc, key=access.key) from exc
    return sorted(listed, key=lambda v: (v.name.casefold(), v.voice_id))


def _voice_info(item: dict[str, Any]) -> VoiceInfo:
    raw = item.get("labels")
    labels = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    return VoiceInfo(
        voice_id=str(item["voice_id"]),
        name=str(item.get("name") or item["voice_id"]),
        category=str(item.get("category") or ""),
        accent=labels.get("accent", ""),
        gender=labels.get("gender", ""),
        labels=labels,
    )


class VoiceSettings(Protocol):
    """The voice settings read here (``storage.settings.Settings`` has them)."""

    @property
    def elevenlabs_voice_id(self) -> str: ...
    @property
    def elevenlabs_model(self) -> str: ...
    @property
    def elevenlabs_voice_name(self) -> str: ...


def from_settings(key: str | None, settings: VoiceSettings) -> ElevenLabsVoice:
    """The catalogue's factory for ElevenLabs as the drawn avatar's voice."""
    return ElevenLabsVoice(
        access=ElevenLabsAccess.from_env(key),
        voice_id=settings.elevenlabs_voice_id,
        model_id=settings.elevenlabs_model,
        voice_name=settings.elevenlabs_voice_name,
    )


def check_key(key: str) -> str:
    """The settings dialog's Test: listing the voices proves the key works."""
    voices = list_voices(ElevenLabsAccess.from_env(key))
    return f"ElevenLabs accepted the key; {len(voices)} voices are available."


class ElevenLabsVoice:
    """Speaks through ElevenLabs' with-timestamps endpoint; one HTTP session per voice."""

    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        *,
        access: ElevenLabsAccess,
        voice_id: str = DEFAULT_VOICE_ID,
        model_id: str = DEFAULT_MODEL_ID,
        voice_name: str | None = None,
    ) -> None:
        self.access = access
        self.voice_id = voice_id
        self.model_id = model_id
        self._voice_name = voice_name or KNOWN_VOICES.get(voice_id, voice_id)
        self._session = requests.Session()

    @property
    def name(self) -> str:
        return f"ElevenLabs {self._voice_name}"

    def load(self) -> None:
        """Nothing to load for a cloud voice; present so the app treats every voice alike."""

    def close(self) -> None:
        self._session.close()

    def synthesize(self, text: str, *, cancel: CancelToken, rate: float = 1.0) -> Speech:
        """Speak ``text``; ``rate`` above 1 is faster (ElevenLabs allows 0.7–1.2)."""
        cancel.raise_if_cancelled()
        if not text.strip():
            return Speech(np.zeros(0, dtype=np.float32), SAMPLE_RATE, (), text)
        started = time.perf_counter()
        body = self._body(text, rate)
        # The request runs on a helper thread, so a barge-in stops waiting at once.
        payload = next(pump(lambda: iter((self._post(body),)), cancel))
        cancel.raise_if_cancelled()
        speech = speech_from_payload(payload, text)
        log.debug(
            "ElevenLabs spoke %.2f s of audio in %.3f s",
            speech.duration,
            time.perf_counter() - started,
        )
        return speech

    def _body(self, text: str, rate: float) -> dict[str, Any]:
        speed = min(MAX_SPEED, max(MIN_SPEED, rate))
        settings = {"stability": STABILITY, "similarity_boost": SIMILARITY, "speed": speed}
        return {"text": text, "model_id": self.model_id, "voice_settings": settings}

    def _post(self, body: dict[str, Any]) -> Any:
        """One with-timestamps request; any failure comes back as a ProviderError."""
        path = f"/v1/text-to-speech/{self.voice_id}/with-timestamps"
        try:
            response = self._session.post(
                self.access.url(path),
                params={"output_format": OUTPUT_FORMAT},
                json=body,
                headers=self.access.headers(),
                timeout=self.access.timeouts(),
                allow_redirects=False,  # a redirect must not carry the key to another host
            )
            if response.status_code != 200:
                raise StatusError(response)
            return response.json()
        except Exception as exc:
            raise explain(exc, key=self.access.key, voice_id=self.voice_id) from exc


def speech_from_payload(payload: object, text: str) -> Speech:
    """Speech from a with-timestamps answer; anything missing or inconsistent is 'malformed'."""
    if not isinstance(payload, dict) or not isinstance(payload.get("audio_base64"), str):
        raise malformed()
    try:
        raw = base64.b64decode(payload["audio_base64"], validate=True)
    except binascii.Error as exc:
        raise malformed() from exc
    if len(raw) % 2:
        raise malformed()
    pcm = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    alignment = payload.get("normalized_alignment") or payload.get("alignment")
    characters, starts, ends = _alignment(alignment)
    phones = letters_to_phones(characters, starts, ends, duration=len(pcm) / SAMPLE_RATE)
    return Speech(pcm, SAMPLE_RATE, phones, text)


def _alignment(alignment: object) -> tuple[list[str], list[float], list[float]]:
    """Characters and their start/end seconds; the three arrays must match in length."""
    if not isinstance(alignment, dict):
        raise malformed()
    characters = alignment.get("characters")
    starts = _seconds(alignment.get("character_start_times_seconds"))
    ends = _seconds(alignment.get("character_end_times_seconds"))
    if (
        not isinstance(characters, list)
        or not all(isinstance(c, str) for c in characters)
        or not len(characters) == len(starts) == len(ends)
    ):
        raise malformed()
    return characters, starts, ends


def _seconds(values: object) -> list[float]:
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise malformed()
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise malformed()
    seconds = [float(v) for v in values]
    if not all(math.isfinite(v) and v >= 0 for v in seconds):
        raise malformed()
    return seconds
