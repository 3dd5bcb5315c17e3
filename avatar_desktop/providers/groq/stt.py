"""Groq as the ears: Whisper, with long audio sent up in pieces cut where the speaker pauses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.wav import upload_chunks
from avatar_desktop.providers.groq.access import GroqAccess
from avatar_desktop.providers.groq.errors import explain

if TYPE_CHECKING:
    import numpy as np

TRANSCRIBE_MODEL = "whisper-large-v3-turbo"


def from_settings(key: str | None, _settings: object) -> GroqTranscriber:
    """The catalogue's factory for Groq as the ears (nothing in the settings to read yet)."""
    return GroqTranscriber(access=GroqAccess.from_env(key))


class GroqTranscriber:
    """Whisper on Groq: 16 kHz mono in, text out; long audio goes up in pieces cut at silences."""

    def __init__(self, *, access: GroqAccess, model: str = TRANSCRIBE_MODEL) -> None:
        self.access = access
        self.model = model
        self._client: Any = None

    def _sdk(self) -> Any:
        """One SDK client per transcriber: building one (TLS context, pool) costs ~20 ms."""
        if self._client is None:
            self._client = self.access.client()
        return self._client

    @property
    def name(self) -> str:
        return f"{self.model} (Groq)"

    def transcribe(self, pcm: np.ndarray, *, cancel: CancelToken) -> str:
        client = self._sdk()
        texts = []
        for filename, data in upload_chunks(pcm):
            cancel.raise_if_cancelled()
            try:
                result = client.audio.transcriptions.create(
                    file=(filename, data), model=self.model, response_format="json", language="en"
                )
            except Exception as exc:
                raise explain(exc, model=self.model) from exc
            texts.append(str(getattr(result, "text", "")).strip())
        return " ".join(t for t in texts if t)
