"""Provider building and the settings dialog's services: keys, key tests and model lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from avatar_desktop.app.workers import Pools
from avatar_desktop.providers.base import ChatModel, ProviderError, Transcriber, Voice
from avatar_desktop.providers.local.llm import LocalChatModel
from avatar_desktop.providers.local.stt import WhisperTranscriber
from avatar_desktop.storage.secrets import KeyStore
from avatar_desktop.storage.settings import Settings
from avatar_desktop.ui.presenter_tab import PresenterChoice

if TYPE_CHECKING:  # the cloud clients import their SDKs (~0.6 s): only when a service is used
    from avatar_desktop.providers.did.client import ClipRequest, DidClient, Presenter, TalkRequest
    from avatar_desktop.providers.groq.chat import GroqAccess, GroqTranscriber

GROQ = "groq"
DID = "did"
ELEVENLABS = "elevenlabs"
_KEY_NAMES = {GROQ: "Groq", DID: "D-ID", ELEVENLABS: "ElevenLabs"}
_KEY_SITES = {GROQ: "console.groq.com", DID: "studio.d-id.com", ELEVENLABS: "elevenlabs.io"}


def local_model(settings: Settings) -> LocalChatModel:
    path = Path(settings.chat_model_path) if settings.chat_model_path else None
    return LocalChatModel(model_path=path, context_tokens=settings.context_tokens)


class Providers:
    """Builds each role's provider from the settings and the keys; the one place that chooses."""

    def __init__(
        self, settings: Settings, keys: KeyStore, pools: Pools, cache_dir: Path | None = None
    ) -> None:
        self.settings = settings
        self.keys = keys
        self._pools = pools
        self.cache_dir = cache_dir
        self._did: DidClient | None = None
        self.local = local_model(settings)
        self._transcriber: GroqTranscriber | None = None
        self.local_ears = WhisperTranscriber()

    def groq_access(self, key: str | None = None) -> GroqAccess:
        from avatar_desktop.providers.groq.chat import GroqAccess

        return GroqAccess.from_env(key or self.keys.get(GROQ))

    def chat_model(self) -> ChatModel:
        if self.settings.chat_provider == GROQ:
            from avatar_desktop.providers.groq.chat import GroqChatModel

            return GroqChatModel(access=self.groq_access(), model=self.settings.groq_chat_model)
        return self.local

    def transcriber(self) -> Transcriber:
        """Whisper on this computer, or on Groq when chosen and a key is set (kept while the key
        stays, so its client is reused)."""
        if self.settings.stt_provider != GROQ or not self.keys.get(GROQ):
            return self.local_ears
        access = self.groq_access()
        if self._transcriber is None or self._transcriber.access != access:
            from avatar_desktop.providers.groq.chat import GroqTranscriber

            self._transcriber = GroqTranscriber(access=access)
        return self._transcriber

    # --- D-ID and ElevenLabs ----------------------------------------------------------------

    def did_client(self, key: str | None = None) -> DidClient:
        """One client (and its connection pool) while the key stays the same."""
        from avatar_desktop.providers.did.client import DidAccess, DidClient

        access = DidAccess.from_env(key or self.keys.get(DID))
        if key:
            return DidClient(access)
        if self._did is None or self._did.access != access:
            self._did = DidClient(access)
        return self._did

    def video_presenter(self) -> str | None:
        """'did_talk' or 'did_clip' when chosen and usable, else None (the drawn avatar)."""
        choice = self.settings.presenter
        if choice == "drawn" or not self.keys.get(DID):
            return None
        if choice == "did_talk" and not self.settings.did_portrait_url:
            return None
        return choice

    def did_request(self, text: str, emotions: list[str]) -> TalkRequest | ClipRequest:
        """What one clip asks D-ID for, from the presenter settings."""
        from avatar_desktop.providers.did.client import ClipRequest, TalkRequest, expressions_for

        s = self.settings
        if s.presenter == "did_talk" and s.did_portrait_url:
            moods = expressions_for([(0.0, name) for name in emotions])
            return TalkRequest(s.did_portrait_url, text, s.did_voice, moods)
        driver = s.did_driver_id or ""
        return ClipRequest(s.did_presenter_id, driver, text, s.did_voice)

    def cloud_voice(self) -> Voice | None:
        """ElevenLabs when chosen and a key is set; None means the voice on this computer."""
        if self.settings.voice_provider != ELEVENLABS:
            return None
        key = self.keys.get(ELEVENLABS)
        if not key:
            return None
        from avatar_desktop.providers.elevenlabs.voice import ElevenLabsAccess, ElevenLabsVoice

        s = self.settings
        return ElevenLabsVoice(
            access=ElevenLabsAccess.from_env(key),
            voice_id=s.elevenlabs_voice_id,
            model_id=s.elevenlabs_model,
            voice_name=s.elevenlabs_voice_name,
        )

    def list_did_presenters(
        self, key: str, done: Callable[[Sequence[PresenterChoice], str], None]
    ) -> None:
        client, folder = self.did_client(key or None), self.cache_dir

        def job(_emit: object) -> list[PresenterChoice]:
            return [
                PresenterChoice(p.presenter_id, p.driver_id, p.name, _thumbnail(client, p, folder))
                for p in client.presenters()
            ]

        self._pools.start(
            self._pools.load,
            job,
            returned=lambda items: done(items, ""),
            errored=lambda exc: done([], _words(exc)),
        )

    def did_credits(self, key: str, done: Callable[[str], None]) -> None:
        client = self.did_client(key or None)

        def job(_emit: object) -> str:
            credits = client.credits()
            return f"{credits.remaining} of {credits.total} left"

        self._pools.start(
            self._pools.load, job, returned=done, errored=lambda exc: done(_words(exc))
        )

    def list_elevenlabs_voices(
        self, key: str, done: Callable[[Sequence[tuple[str, str]], str], None]
    ) -> None:
        from avatar_desktop.providers.elevenlabs.voice import ElevenLabsAccess, list_voices

        access = ElevenLabsAccess.from_env(key or self.keys.get(ELEVENLABS))
        self._pools.start(
            self._pools.load,
            lambda _emit: [(v.voice_id, v.label) for v in list_voices(access)],
            returned=lambda voices: done(voices, ""),
            errored=lambda exc: done([], _words(exc)),
        )

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
            from avatar_desktop.providers.groq.chat import list_chat_models

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
            lambda _emit: chat_model_ids(access),
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
        return self.key_status(GROQ)

    def key_status(self, service: str) -> str:
        source = self.keys.source(service)
        env = {GROQ: "GROQ_API_KEY", DID: "DID_API_KEY", ELEVENLABS: "ELEVENLABS_API_KEY"}
        return {
            "env": f"Using the key from the {env.get(service, '')} environment variable.",
            "keyring": "A key is saved in the system keyring.",
            "session": "A key is kept for this run only (no system keyring).",
        }.get(
            source,
            f"No {_KEY_NAMES.get(service, service)} key yet. "
            f"Get one at {_KEY_SITES.get(service, 'the service')}.",
        )


def _words(exc: Exception) -> str:
    return exc.user_message if isinstance(exc, ProviderError) else f"{type(exc).__name__}: {exc}"


def _thumbnail(client: DidClient, presenter: Presenter, folder: Path | None) -> str:
    """A presenter's picture, fetched once into the cache; empty when it can't be had."""
    from avatar_desktop.core.atomic import atomic_write_bytes

    if folder is None or not presenter.thumbnail_url:
        return ""
    path = folder / "presenters" / f"{presenter.presenter_id}.img"
    if not path.exists():
        try:
            data = client.thumbnail(presenter.thumbnail_url)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, data)
        except (ProviderError, OSError):
            return ""
    return str(path)


def chat_model_ids(access: GroqAccess) -> list[str]:
    """The chat models Groq offers now (a network call: run it off the GUI thread)."""
    from avatar_desktop.providers.groq.chat import list_chat_models

    return [m.id for m in list_chat_models(access)]
