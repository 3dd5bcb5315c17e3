"""A ChatModel of our own interface that streams a script, for driving the real window."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from langchain_core.messages import BaseMessage

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import GenerationOptions, ProviderError


class ScriptedModel:
    """Yields ``tokens`` with ``delay`` seconds between them; records what it was asked."""

    def __init__(
        self,
        tokens: Sequence[str] = ("Hello", " there", "!"),
        *,
        delay: float = 0.0,
        fail_after: int | None = None,
        error: str = "The model broke down.",
    ) -> None:
        self.tokens = list(tokens)
        self.delay = delay
        self.fail_after = fail_after
        self.error = error
        self.calls: list[list[BaseMessage]] = []
        self.ready_event = threading.Event()
        self.ready_event.set()
        self.yielded = 0

    name = "Scripted (test)"
    context_tokens = 2048

    def ready(self, cancel: CancelToken) -> None:
        while not self.ready_event.wait(0.02):
            cancel.raise_if_cancelled()

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def stream(
        self, messages: Sequence[BaseMessage], *, cancel: CancelToken, options: GenerationOptions
    ) -> Iterator[str]:
        self.calls.append(list(messages))
        for index, token in enumerate(self.tokens):
            if self.fail_after is not None and index == self.fail_after:
                raise ProviderError(self.error)
            if self.delay and cancel.wait(self.delay):
                raise Cancelled()
            self.yielded += 1
            yield token
