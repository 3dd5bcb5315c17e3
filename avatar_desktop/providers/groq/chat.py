"""Groq as the brain: answers streamed through langchain-groq's ChatGroq, reasoning kept out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from avatar_desktop.core.cancel import Cancelled, CancelToken, pump
from avatar_desktop.providers.base import GenerationOptions, ProviderError
from avatar_desktop.providers.groq.access import NO_KEY, GroqAccess
from avatar_desktop.providers.groq.errors import explain
from avatar_desktop.providers.groq.models import DEFAULT_CHAT_MODEL, hidden_reasoning

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

# What we send of the history: the free tier allows 8,000 tokens per minute in all.
HISTORY_TOKENS = 6000


class ChatSettings(Protocol):
    """The settings the brain reads (``storage.settings.Settings`` has them)."""

    @property
    def groq_chat_model(self) -> str: ...


def from_settings(key: str | None, settings: ChatSettings) -> GroqChatModel:
    """The catalogue's factory for Groq as the brain."""
    return GroqChatModel(access=GroqAccess.from_env(key), model=settings.groq_chat_model)


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

        chat = ChatGroq(
            model=self.model,
            api_key=SecretStr(self.access.api_key or ""),
            base_url=self.access.base_url,
            timeout=self.access.timeout(),
            max_retries=0,
            temperature=options.temperature,
            max_tokens=options.max_tokens,
            streaming=True,
            **hidden_reasoning(self.model),
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
