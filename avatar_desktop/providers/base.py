"""The small interfaces each provider role implements, and the one error type they raise."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # langchain-core takes ~0.5 s to import; keep it off the start-up path.
    from langchain_core.messages import BaseMessage

    from avatar_desktop.core.cancel import CancelToken


class ProviderError(Exception):
    """A failure with a message a user can act on (what went wrong and what to do)."""

    def __init__(self, user_message: str, *, retryable: bool = False) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class GenerationOptions:
    """Per-turn knobs for a chat model."""

    max_tokens: int = 256
    temperature: float = 0.7


@runtime_checkable
class ChatModel(Protocol):
    """Messages in, a stream of text tokens out; cancellable between tokens."""

    @property
    def name(self) -> str:
        """Short human name for the status line, e.g. 'SmolLM2-135M (on this computer)'."""
        ...

    @property
    def context_tokens(self) -> int:
        """How many tokens of prompt plus answer the model can hold."""
        ...

    def ready(self, cancel: CancelToken) -> None:
        """Block until the model can answer (e.g. weights loaded); raise ProviderError if never."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this model's prompt (an estimate is fine before loading)."""
        ...

    def stream(
        self,
        messages: Sequence[BaseMessage],
        *,
        cancel: CancelToken,
        options: GenerationOptions,
    ) -> Iterator[str]:
        """Yield answer text as it is generated; stop promptly once ``cancel`` is set."""
        ...
