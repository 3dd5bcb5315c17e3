"""Provider building and the settings dialog's services: keys, key tests and model lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from avatar_desktop.app.workers import Pools
from avatar_desktop.providers.base import ChatModel, ProviderError, Transcriber
from avatar_desktop.providers.groq import (
    GroqAccess,
    GroqChatModel,
    GroqTranscriber,
    list_chat_models,
)
from avatar_desktop.providers.local.llm import LocalChatModel
from avatar_desktop.providers.local.stt import WhisperTranscriber
from avatar_desktop.storage.secrets import KeyStore
from avatar_desktop.storage.settings import Settings

GROQ = "groq"


def local_model(settings: Settings) -> LocalChatModel:
    path = Path(settings.chat_model_path) if settings.chat_model_path else None
    return LocalChatModel(model_path=path, context_tokens=settings.context_tokens)


class Providers:
    """Builds each role's provider from the settings and the keys; the one place that chooses."""

    def __init__(self, settings: Settings, keys: KeyStore, pools: Pools) -> None:
        self.settings = settings
        self.keys = keys
        self._pools = pools
        self.local = local_model(settings)
        self._transcriber: GroqTranscriber | None = None
        self.local_ears = WhisperTranscriber()

    def groq_access(self, key: str | None = None) -> GroqAccess:
        return GroqAccess.from_env(key or self.keys.get(GROQ))

    def chat_model(self) -> ChatModel:
        if self.settings.chat_provider == GROQ:
            return GroqChatModel(access=self.groq_access(), model=self.settings.groq_chat_model)
        return self.local

    def transcriber(self) -> Transcriber:
        """Whisper on this computer, or on Groq when chosen and a key is set (kept while the key
        stays, so its client is reused)."""
        if self.settings.stt_provider != GROQ or not self.keys.get(GROQ):
            return self.local_ears
        access = self.groq_access()
        if self._transcriber is None or self._transcriber.access != access:
            self._transcriber = GroqTranscriber(access=access)
        return self._transcriber

    def reload_local(self) -> bool:
        """A new local model object if the GGUF path changed; True when it did."""
        fresh = local_model(self.settings)
        if fresh.path == self.local.path:
            return False
        self.local = fresh
        return True

    # --- what the settings dialog asks for -------------------------------------------------

    def test_groq_key(self, key: str, done: Callable[[bool, str], None]) -> None:
        access = self.groq_access(key)

        def job(_emit: object) -> str:
            models = list_chat_models(access)
            return f"Groq accepted the key; {len(models)} chat models are available."

        self._pools.start(
            self._pools.load,
            job,
            returned=lambda text: done(True, text),
            errored=lambda exc: done(False, _words(exc)),
        )

    def list_groq_models(self, key: str, done: Callable[[Sequence[str], str], None]) -> None:
        access = self.groq_access(key)
        self._pools.start(
            self._pools.load,
            lambda _emit: [m.id for m in list_chat_models(access)],
            returned=lambda ids: done(ids, ""),
            errored=lambda exc: done([], _words(exc)),
        )

    def output_devices(self) -> list[tuple[str, str]]:
        from avatar_desktop.audio.playback import Player

        return [(str(key), title) for key, title in Player.output_devices()]

    def input_devices(self) -> list[tuple[str, str]]:
        from avatar_desktop.audio.capture import input_devices

        return input_devices()

    def groq_key_status(self) -> str:
        source = self.keys.source(GROQ)
        return {
            "env": "Using the key from the GROQ_API_KEY environment variable.",
            "keyring": "A key is saved in the system keyring.",
            "session": "A key is kept for this run only (no system keyring).",
        }.get(source, "No Groq key yet. Get one at console.groq.com.")


def _words(exc: Exception) -> str:
    return exc.user_message if isinstance(exc, ProviderError) else f"{type(exc).__name__}: {exc}"
