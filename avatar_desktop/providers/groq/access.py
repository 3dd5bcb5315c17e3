"""Where and as whom to talk to Groq, shared by the chat model, the ears and the model list."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from avatar_desktop.core.catalogue import Service, row
from avatar_desktop.providers.base import ProviderError

GROQ = row(Service.GROQ)
NO_KEY = f"No Groq API key is set. Add one in Settings → Keys, or set {GROQ.key_env}."


@dataclass(frozen=True, slots=True)
class GroqAccess:
    """The key and base URL (None means the SDK's default); the key never shows in a repr."""

    api_key: str | None = field(repr=False)
    base_url: str | None = None
    timeout_s: float = 30.0
    connect_timeout_s: float = 5.0

    @classmethod
    def from_env(cls, api_key: str | None) -> GroqAccess:
        return cls(api_key=api_key, base_url=os.environ.get(GROQ.base_url_env) or None)

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
