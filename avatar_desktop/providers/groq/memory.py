"""Groq as the memory's extractor: one small JSON-mode call per user message, no streaming."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from avatar_desktop.core.extraction import MalformedExtraction, parse, request_messages
from avatar_desktop.core.memory_items import Change
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.groq.access import GroqAccess
from avatar_desktop.providers.groq.errors import explain
from avatar_desktop.providers.groq.models import DEFAULT_CHAT_MODEL, Reasoning, reasoning_of

EXTRACTION_TOKENS = 400  # the free tier counts tokens per minute: keep each call small


class GroqExtractor:
    """Asks the chosen Groq model for the facts in a message; a 429 raises, to retry later."""

    def __init__(self, *, access: GroqAccess, model: str = DEFAULT_CHAT_MODEL) -> None:
        self.access = access
        self.model = model

    @property
    def name(self) -> str:
        return f"{self.model} (Groq)"

    def extract(self, user_text: str, known_keys: Sequence[str]) -> list[Change]:
        """The changes the model finds; ProviderError on any failure (nothing half-applied)."""
        client = self.access.client()
        try:
            reply = client.chat.completions.create(
                model=self.model,
                messages=request_messages(user_text, known_keys),
                response_format={"type": "json_object"},
                temperature=0,
                max_tokens=EXTRACTION_TOKENS,
                **self._reasoning(),
            )
            content = reply.choices[0].message.content or ""
        except Exception as exc:
            raise explain(exc, model=self.model) from exc
        try:
            return parse(content)
        except MalformedExtraction as exc:
            raise ProviderError(
                f"Groq's memory notes were unreadable ({exc}); that message was not remembered.",
                kind="malformed",
            ) from exc

    def _reasoning(self) -> dict[str, Any]:
        """Reasoning models think briefly and keep it out of the reply."""
        reasoning = reasoning_of(self.model)
        if reasoning is Reasoning.SEPARATE:
            return {"reasoning_effort": "low", "include_reasoning": False}
        if reasoning is Reasoning.INLINE:
            return {"reasoning_format": "hidden"}
        return {}
