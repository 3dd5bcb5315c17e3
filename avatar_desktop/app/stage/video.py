"""The D-ID side of the app: the presenter when chosen, its credits and the user's portrait."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from avatar_desktop.app.controllers.services import Providers
from avatar_desktop.app.stage.stage import Stage
from avatar_desktop.app.workers import Pools
from avatar_desktop.core import notices
from avatar_desktop.core.catalogue import PresenterKind, Service
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.storage.media_cache import MediaCache
from avatar_desktop.ui.clip_player import ClipPlayer
from avatar_desktop.ui.video_view import VideoView

if TYPE_CHECKING:  # D-ID's client and Pillow load when the presenter is first used
    from avatar_desktop.app.stage.did_presenter import DidPresenter

log = logging.getLogger(__name__)

MB = 1024 * 1024
KIND_NAMES = {
    PresenterKind.DID_TALK: "D-ID (your portrait)",
    PresenterKind.DID_CLIP: "D-ID presenter",
}


class Video:
    """Builds the presenter from the settings and keeps what the status line says about it."""

    def __init__(
        self, *, providers: Providers, pools: Pools, stage: Stage, view: VideoView, cache_dir: Path
    ) -> None:
        self.providers, self._pools, self.stage, self.view = providers, pools, stage, view
        settings = providers.settings
        self.cache = MediaCache(cache_dir, settings.video_cache_mb * MB)
        self.player = ClipPlayer()
        self.player.set_volume(settings.volume, settings.muted)
        self.presenter: DidPresenter | None = None
        self.credits = ""  # "18 of 20 left" once asked
        self._uploading: str | None = None
        self._uploaded: str | None = None  # the portrait path whose URL is known good
        self.on_change: Callable[[], None] = lambda: None  # the app refreshes its status line
        self.on_failed: Callable[[str], None] = lambda _words: None  # a clip failed: say so

    @property
    def kind(self) -> PresenterKind | None:
        """The video presenter in use for the next turn, or None for the drawn avatar."""
        return self.providers.video_presenter()

    def status(self) -> str:
        kind = self.kind
        if kind is None:
            return ""
        credits = f" — {self.credits} credits" if self.credits else ""
        return f"Presenter: {KIND_NAMES[kind]}{credits}"

    def configure(self) -> None:
        """Follow the settings: a presenter when D-ID is chosen and usable, else none."""
        settings = self.providers.settings
        self.cache.limit_bytes = settings.video_cache_mb * MB
        wanted = self.kind
        if wanted is None:
            self.stage.set_presenter(None)
        else:
            if self.presenter is None:
                from avatar_desktop.app.stage.did_presenter import DidPresenter

                self.presenter = DidPresenter(
                    pools=self._pools,
                    player=self.player,
                    view=self.view,
                    cache=self.cache,
                    client=self.providers.did_client,
                    make_request=self.providers.did_request,
                )
                self.presenter.speaking_changed.connect(self._on_presenter_speaking_changed)
                self.presenter.failed.connect(lambda words: self.on_failed(words))
            self.stage.set_presenter(self.presenter)
            self.refresh_credits()
        self._explain_missing()
        self.upload_portrait()
        self.on_change()

    def _explain_missing(self) -> None:
        s = self.providers.settings
        if s.presenter is PresenterKind.DRAWN or self.kind is not None:
            return
        if not self.providers.keys.get(Service.DID):
            notices.warning("D-ID needs an API key (Settings → Keys); the drawn avatar answers.")
        elif s.presenter is PresenterKind.DID_TALK and not s.did_portrait_path:
            notices.warning("Choose a portrait in Settings → Presenter for D-ID to animate.")

    def refresh_credits(self) -> None:
        client = self.providers.did_client()

        def shown(text: str) -> None:
            self.credits = text
            self.on_change()

        def job(_emit: object) -> str:
            got = client.credits()
            return f"{got.remaining} of {got.total}"

        def failed(exc: Exception) -> None:
            if isinstance(exc, ProviderError) and exc.kind in ("auth", "forbidden"):
                notices.warning(exc.user_message)
            shown("")

        self._pools.start(self._pools.load, job, returned=shown, errored=failed)

    def upload_portrait(self) -> None:
        """Check, shrink and upload the chosen portrait once; remember where D-ID keeps it."""
        s = self.providers.settings
        path = s.did_portrait_path
        if (
            s.presenter is not PresenterKind.DID_TALK
            or not path
            or path in (self._uploading, self._uploaded)
        ):
            return
        if not self.providers.keys.get(Service.DID):
            return
        client, known = self.providers.did_client(), (s.did_portrait_key, s.did_portrait_url)
        self._uploading = path

        def job(_emit: object) -> tuple[str, str, bool]:
            from avatar_desktop.providers.did.portrait import portrait_key, prepare_portrait

            picture = prepare_portrait(Path(path))
            key = portrait_key(picture.data)
            if known[0] == key and known[1]:
                return key, known[1], False
            return key, client.upload_image(picture.data, picture.filename), True

        def done(result: tuple[str, str, bool]) -> None:
            self._uploading = None
            key, url, fresh = result
            if s.did_portrait_path != path:
                return
            self._uploaded = path
            s.did_portrait_key, s.did_portrait_url = key, url
            if fresh:
                notices.info("Your portrait is with D-ID; answers now come as video.")
            self.configure()

        def failed(exc: Exception) -> None:
            self._uploading = None
            words = exc.user_message if isinstance(exc, ProviderError) else str(exc)
            notices.warning(f"The portrait could not be used: {words}")

        self._pools.start(self._pools.load, job, returned=done, errored=failed)

    def _on_presenter_speaking_changed(self, busy: bool) -> None:
        if not busy:
            self.refresh_credits()
