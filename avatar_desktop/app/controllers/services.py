"""Provider building and the settings dialog's services, all read from the catalogue.

What a choice needs (which service, whose key, which factory) comes from
``core.catalogue``; a factory is imported on first use, so a cloud SDK costs nothing until
its service is chosen.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from avatar_desktop.app.workers import Pools
from avatar_desktop.core.catalogue import (
    Choice,
    PresenterKind,
    Service,
    ServiceRole,
    row,
    service_of,
)
from avatar_desktop.providers.base import ChatModel, ProviderError, Transcriber, Voice
from avatar_desktop.providers.local.llm import LocalChatModel
from avatar_desktop.providers.local.stt import WhisperTranscriber
from avatar_desktop.storage.secrets import KeyStore
from avatar_desktop.storage.settings import Settings

if TYPE_CHECKING:  # the cloud clients import their SDKs (~0.6 s): only when a service is used
    from avatar_desktop.pipeline.remembering import Extractor
    from avatar_desktop.providers.did.client import DidClient
    from avatar_desktop.providers.did.clips import ClipRequest, TalkRequest
    from avatar_desktop.providers.did.stock import StockPresenter

_KEY_SOURCES = {
    "keyring": "A key is saved in the system keyring.",
    "session": "A key is kept for this run only (no system keyring).",
}


def local_model(settings: Settings) -> LocalChatModel:
    path = Path(settings.chat_model_path) if settings.chat_model_path else None
    return LocalChatModel(model_path=path, context_tokens=settings.context_tokens)


def resolve(reference: str) -> Callable[..., Any]:
    """A catalogue reference ("module:attr") to what it names, importing the module now."""
    module, _, attr = reference.partition(":")
    return cast(Callable[..., Any], getattr(importlib.import_module(module), attr))


class Providers:
    """Builds each role's provider from the settings and the keys; the one place that chooses."""

    def __init__(
        self, settings: Settings, keys: KeyStore, pools: Pools, cache_dir: Path | None = None
    ) -> None:
        self.settings = settings
        self.keys = keys
        self._pools = pools
        self.cache_dir = cache_dir
        self.local = local_model(settings)
        self.local_ears = WhisperTranscriber()
        # Kept while the key stays the same, so their connection pools are reused.
        self._ears: tuple[tuple[Choice, str], Transcriber] | None = None
        self._did: tuple[str | None, DidClient] | None = None

    def _make(self, service: Service, role: ServiceRole, key: str | None = None) -> Any:
        """``service``'s provider for ``role``, built by its catalogue factory."""
        factory = resolve(row(service).factory(role))
        return factory(key or self.keys.get(service), self.settings)

    def _usable(self, choice: Choice) -> tuple[Service, str] | None:
        """The service a cloud choice needs and its key; None for this computer or no key."""
        service = service_of(choice)
        key = self.keys.get(service) if service is not None else None
        return (service, key) if service is not None and key else None

    def chat_model(self) -> ChatModel:
        """The brain chosen; a cloud one without a key says so when it is first asked."""
        service = service_of(self.settings.chat_provider)
        if service is None:
            return self.local
        return cast(ChatModel, self._make(service, ServiceRole.BRAIN))

    def memory_extractor(self) -> Extractor | None:
        """Groq extracts memory when it is the brain and has a key; None: the offline rules.
        Imports the Groq SDK: call it off the GUI thread."""
        usable = self._usable(self.settings.chat_provider)
        if usable is None or usable[0] is not Service.GROQ:
            return None
        from avatar_desktop.providers.groq.access import GroqAccess
        from avatar_desktop.providers.groq.memory import GroqExtractor

        model = self.settings.groq_chat_model
        return GroqExtractor(access=GroqAccess.from_env(usable[1]), model=model)

    def transcriber(self) -> Transcriber:
        """Whisper on this computer, or the cloud ears when chosen and a key is set."""
        choice = self.settings.stt_provider
        usable = self._usable(choice)
        if usable is None:
            return self.local_ears
        service, key = usable
        if self._ears is None or self._ears[0] != (choice, key):
            self._ears = (
                (choice, key),
                cast(Transcriber, self._make(service, ServiceRole.EARS, key)),
            )
        return self._ears[1]

    def cloud_voice(self) -> Voice | None:
        """The cloud voice when chosen and a key is set; None means the voice on this computer."""
        usable = self._usable(self.settings.voice_provider)
        if usable is None:
            return None
        return cast(Voice, self._make(usable[0], ServiceRole.VOICE, usable[1]))

    # --- D-ID -------------------------------------------------------------------------------

    def did_client(self, key: str | None = None) -> DidClient:
        """One client (and its connection pool) while the stored key stays the same; a key
        typed in the settings dialog gets a client of its own."""
        if key:
            return cast("DidClient", self._make(Service.DID, ServiceRole.PRESENTER, key))
        stored = self.keys.get(Service.DID)
        if self._did is None or self._did[0] != stored:
            self._did = (stored, self._make(Service.DID, ServiceRole.PRESENTER, stored))
        return self._did[1]

    def video_presenter(self) -> PresenterKind | None:
        """The video presenter when chosen and usable, else None (the drawn avatar)."""
        kind = self.settings.presenter
        if self._usable(kind) is None:
            return None
        if kind is PresenterKind.DID_TALK and not self.settings.did_portrait_url:
            return None
        return kind

    def did_request(self, text: str, emotions: list[str]) -> TalkRequest | ClipRequest:
        """What one clip asks D-ID for, from the presenter settings."""
        from avatar_desktop.providers.did.clips import request_for

        return request_for(self.settings, text, emotions)

    # --- what the settings dialog asks for -------------------------------------------------

    def _run(
        self, job: Callable[[], Any], returned: Callable[[Any], None], failed: Callable[[str], None]
    ) -> None:
        """``job`` on the loading pool; a failure reaches ``failed`` in words."""
        self._pools.start(
            self._pools.load,
            lambda _emit: job(),
            returned=returned,
            errored=lambda exc: failed(_words(exc)),
        )

    def test_key(self, service: Service, key: str, done: Callable[[bool, str], None]) -> None:
        """Ask ``service`` whether the key (typed, else stored) works; its answer in words."""
        check = row(service).key_check
        key = key or self.keys.get(service) or ""
        self._run(
            lambda: resolve(check)(key),
            lambda text: done(True, text),
            lambda words: done(False, words),
        )

    def key_status(self, service: Service) -> str:
        """Which key is in use for ``service``, or where to get one."""
        info = row(service)
        source = self.keys.source(service)
        if source == "env":
            return f"Using the key from the {info.key_env} environment variable."
        return _KEY_SOURCES.get(source, f"No {info.label} key yet. Get one at {info.key_site}.")

    def list_groq_models(self, key: str, done: Callable[[Sequence[str], str], None]) -> None:
        from avatar_desktop.providers.groq.access import GroqAccess
        from avatar_desktop.providers.groq.models import chat_model_ids

        access = GroqAccess.from_env(key or self.keys.get(Service.GROQ))
        self._run(lambda: chat_model_ids(access), lambda ids: done(ids, ""), lambda w: done([], w))

    def list_did_presenters(
        self, key: str, done: Callable[[Sequence[StockPresenter], str], None]
    ) -> None:
        from avatar_desktop.providers.did.stock import stock_presenters

        client, folder = self.did_client(key or None), self.cache_dir
        self._run(
            lambda: stock_presenters(client, folder),
            lambda items: done(items, ""),
            lambda words: done([], words),
        )

    def did_credits(self, key: str, done: Callable[[str], None]) -> None:
        client = self.did_client(key or None)

        def job() -> str:
            credits = client.credits()
            return f"{credits.remaining} of {credits.total} left"

        self._run(job, done, done)

    def list_elevenlabs_voices(
        self, key: str, done: Callable[[Sequence[tuple[str, str]], str], None]
    ) -> None:
        from avatar_desktop.providers.elevenlabs.voice import ElevenLabsAccess, list_voices

        access = ElevenLabsAccess.from_env(key or self.keys.get(Service.ELEVENLABS))
        self._run(
            lambda: [(v.voice_id, v.label) for v in list_voices(access)],
            lambda voices: done(voices, ""),
            lambda words: done([], words),
        )

    def output_devices(self) -> list[tuple[str, str]]:
        from avatar_desktop.audio.playback import Player

        return [(str(key), title) for key, title in Player.output_devices()]

    def input_devices(self) -> list[tuple[str, str]]:
        from avatar_desktop.audio.capture import input_devices

        return input_devices()

    def reload_local(self) -> bool:
        """A new local model object if the GGUF path changed; True when it did."""
        fresh = local_model(self.settings)
        if fresh.path == self.local.path:
            return False
        self.local = fresh
        return True


def _words(exc: Exception) -> str:
    return exc.user_message if isinstance(exc, ProviderError) else f"{type(exc).__name__}: {exc}"
