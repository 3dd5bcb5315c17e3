"""D-ID's stock presenters as the settings' picker offers them, each with its picture cached."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from avatar_desktop.core.atomic import atomic_write_bytes
from avatar_desktop.providers.base import ProviderError

if TYPE_CHECKING:  # the client imports requests; the picker only needs this small type
    from avatar_desktop.providers.did.client import DidClient, Presenter


@dataclass(frozen=True, slots=True)
class StockPresenter:
    """A stock presenter as the picker shows it; ``thumbnail`` is a cached file or empty."""

    presenter_id: str
    driver_id: str | None
    name: str
    thumbnail: str = ""


def stock_presenters(client: DidClient, folder: Path | None) -> list[StockPresenter]:
    """The presenters this key may use, pictures fetched once into ``folder`` (a network call)."""
    return [
        StockPresenter(p.presenter_id, p.driver_id, p.name, _thumbnail(client, p, folder))
        for p in client.presenters()
    ]


def _thumbnail(client: DidClient, presenter: Presenter, folder: Path | None) -> str:
    """A presenter's picture, fetched once into the cache; empty when it can't be had."""
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
