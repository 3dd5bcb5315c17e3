"""The small interfaces each provider role implements, and the one error type they raise."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # langchain-core takes ~0.5 s to import; keep it off the start-up path.
    import numpy as np
    from langchain_core.messages import BaseMessage

    from avatar_desktop.core.cancel import CancelToken
    from avatar_desktop.core.speech import Speech


class ProviderError(Exception):
    """A failure with a message a user can act on (what went wrong and what to do).

    Attributes:
        kind: a short machine word for the cause ("auth", "network", "rate_limited", ...).
        retry_after: seconds the service asked us to wait before trying again, if it said.
        offline: the service could not be reached at all, so answering locally makes sense.
        retryable: trying the same request again may well work.
    """

    def __init__(
        self,
        user_message: str,
        *,
        kind: str = "other",
        retry_after: float | None = None,
        offline: bool = False,
        retryable: bool = False,
    ) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.kind = kind
        self.retry_after = retry_after
        self.offline = offline
        self.retryable = retryable or offline or retry_after is not None


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


@runtime_checkable
class Transcriber(Protocol):
    """16 kHz mono speech in, text out."""

    @property
    def name(self) -> str:
        """Short human name for the status line."""
        ...

    def transcribe(self, pcm: np.ndarray, *, cancel: CancelToken) -> str:
        """The words spoken in ``pcm`` (float32 in [-1, 1] at 16 kHz); may raise ProviderError."""
        ...


@runtime_checkable
class Voice(Protocol):
    """Text in, speech with phoneme timings out; one sentence at a time."""

    @property
    def name(self) -> str:
        """Short human name for the status line."""
        ...

    def synthesize(self, text: str, *, cancel: CancelToken, rate: float = 1.0) -> Speech:
        """Speak ``text`` (``rate`` above 1 is faster); may raise ProviderError."""
        ...
