"""Groq as brain and ears: streamed chat through langchain-groq, Whisper through the groq SDK."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from avatar_desktop.core.cancel import Cancelled, CancelToken, pump
from avatar_desktop.providers.base import GenerationOptions, ProviderError
from avatar_desktop.providers.groq.errors import explain

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.messages import BaseMessage

DEFAULT_CHAT_MODEL = "openai/gpt-oss-20b"
TRANSCRIBE_MODEL = "whisper-large-v3-turbo"
BASE_URL_ENV = "GROQ_BASE_URL"
# What we send of the history: the free tier allows 8,000 tokens per minute in all.
HISTORY_TOKENS = 6000
_NOT_CHAT = ("whisper", "guard", "orpheus", "tts", "distil")
NO_KEY = "No Groq API key is set. Add one in Settings → Keys, or set GROQ_API_KEY."


@dataclass(frozen=True, slots=True)
class GroqAccess:
    """Where and as whom to talk to Groq; the base URL None means the SDK's default."""

    api_key: str | None
    base_url: str | None = None
    timeout_s: float = 30.0
    connect_timeout_s: float = 5.0

    @classmethod
    def from_env(cls, api_key: str | None) -> GroqAccess:
        return cls(api_key=api_key, base_url=os.environ.get(BASE_URL_ENV) or None)

    def timeout(self) -> Any:
        import httpx

        return httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s)

    def client(self) -> Any:
        if not self.api_key:
            raise ProviderError(NO_KEY, kind="auth")
        import groq

        return groq.Groq(
            api_key=self.api_key, base_url=self.base_url, timeout=self.timeout(), max_retries=0
        )


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    context_window: int
    owned_by: str


def list_chat_models(access: GroqAccess) -> list[ModelInfo]:
    """The chat models this key can use, as Groq lists them (model ids are data, not code)."""
    try:
        listed = access.client().models.list()
    except Exception as exc:
        raise explain(exc) from exc
    models = [
        ModelInfo(m.id, int(getattr(m, "context_window", 0) or 0), str(m.owned_by or ""))
        for m in listed.data
        if getattr(m, "active", True) is not False and not any(w in m.id for w in _NOT_CHAT)
    ]
    return sorted(models, key=lambda m: (m.id != DEFAULT_CHAT_MODEL, m.id))


def is_reasoning(model: str) -> bool:
    return model.startswith("openai/gpt-oss")


class GroqChatModel:
    """Streams answers from Groq through ChatGroq; reasoning stays hidden so speech starts fast."""

    def __init__(self, *, access: GroqAccess, model: str = DEFAULT_CHAT_MODEL) -> None:
        self.access = access
        self.model = model
        self._cached: tuple[GenerationOptions, Any] | None = None

    @property
    def name(self) -> str:
        return f"{self.model} (Groq)"

    @property
    def context_tokens(self) -> int:
        return HISTORY_TOKENS

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def ready(self, cancel: CancelToken) -> None:
        if not self.access.api_key:
            raise ProviderError(NO_KEY, kind="auth")

    def _chat(self, options: GenerationOptions) -> Any:
        """A ChatGroq for these options, kept for the next turn (building one costs ~10 ms)."""
        if self._cached is not None and self._cached[0] == options:
            return self._cached[1]
        from langchain_groq import ChatGroq
        from pydantic import SecretStr

        extra: dict[str, Any] = {}
        if is_reasoning(self.model):
            extra = {"reasoning_effort": "low", "model_kwargs": {"include_reasoning": False}}
        chat = ChatGroq(
            model=self.model,
            api_key=SecretStr(self.access.api_key or ""),
            base_url=self.access.base_url,
            timeout=self.access.timeout(),
            max_retries=0,
            temperature=options.temperature,
            max_tokens=options.max_tokens,
            streaming=True,
            **extra,
        )
        self._cached = (options, chat)
        return chat

    def stream(
        self,
        messages: Sequence[BaseMessage],
        *,
        cancel: CancelToken,
        options: GenerationOptions,
    ) -> Iterator[str]:
        self.ready(cancel)
        chat = self._chat(options)
        finish: list[str] = []

        def produce() -> Iterator[str]:
            for chunk in chat.stream(list(messages)):
                reason = chunk.response_metadata.get("finish_reason")
                if reason:
                    finish.append(reason)
                if isinstance(chunk.content, str) and chunk.content:
                    yield chunk.content

        said = False
        try:
            for text in pump(produce, cancel):
                said = True
                yield text
        except Cancelled:
            raise
        except Exception as exc:
            raise explain(exc, model=self.model) from exc
        if not said and finish[-1:] == ["length"]:
            raise ProviderError(
                "Groq's model used its whole answer budget before saying anything. "
                "Retry, or raise “Longest answer” in Settings.",
                kind="empty",
                retryable=True,
            )


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
        from avatar_desktop.audio.encode import upload_chunks

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
