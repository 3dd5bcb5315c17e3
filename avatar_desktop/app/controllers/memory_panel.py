"""The Memory panel's errands: list, search, edit, delete, forget all, pause, export, import.

Every database call runs on the memory pool, in order with the learning; the dialog only
ever sees finished lists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from avatar_desktop.app.controllers.memory import MemoryKeeper
from avatar_desktop.core import notices
from avatar_desktop.core.atomic import atomic_write_text
from avatar_desktop.core.memory_items import MemoryItem
from avatar_desktop.storage.memory_export import IMPORT_BYTES, export_json, import_json
from avatar_desktop.storage.memory_store import MemoryStore
from avatar_desktop.storage.safe_read import read_regular
from avatar_desktop.ui.memory_dialog import MemoryDialog

log = logging.getLogger(__name__)


class MemoryPanel:
    """Keeps one open dialog in step with the store."""

    def __init__(
        self,
        dialog: MemoryDialog,
        keeper: MemoryKeeper,
        *,
        titles: Callable[[], dict[str, str]],
        paused: Callable[[], bool],
        set_paused: Callable[[bool], None],
    ) -> None:
        self.dialog = dialog
        self.keeper = keeper
        self._titles = titles
        self._set_paused = set_paused
        self._query = ""
        dialog.set_paused(paused())
        dialog.search_changed.connect(self._on_dialog_search_changed)
        dialog.edit_requested.connect(self._on_dialog_edit_requested)
        dialog.delete_requested.connect(self._on_dialog_delete_requested)
        dialog.forget_all_requested.connect(self._on_dialog_forget_all_requested)
        dialog.pause_toggled.connect(set_paused)
        dialog.export_requested.connect(self._on_dialog_export_requested)
        dialog.import_requested.connect(self._on_dialog_import_requested)
        keeper.changed.connect(self.refresh)
        keeper.opened.connect(self.refresh)
        dialog.finished.connect(self._on_dialog_finished)
        self.refresh()

    def _on_dialog_finished(self, _result: int) -> None:
        self.keeper.changed.disconnect(self.refresh)
        self.keeper.opened.disconnect(self.refresh)

    def refresh(self) -> None:
        self.keeper.items(self._query, self._show)

    def _show(self, items: list[MemoryItem]) -> None:
        self.dialog.set_items(items, self._titles())

    def _errand(self, job: Callable[[MemoryStore], object]) -> None:
        store = self.keeper.store
        if store is None:
            notices.warning("Memory is not open yet; try again in a moment.")
            return
        self.keeper.run(lambda: job(store), changed=True)

    def _on_dialog_search_changed(self, text: str) -> None:
        self._query = text
        self.refresh()

    def _on_dialog_edit_requested(self, item_id: int, text: str) -> None:
        self._errand(lambda store: store.update(item_id, text))

    def _on_dialog_delete_requested(self, ids: list[int]) -> None:
        self._errand(lambda store: store.delete(ids))

    def _on_dialog_forget_all_requested(self) -> None:
        self._errand(lambda store: store.clear())

    def _on_dialog_export_requested(self, path: str) -> None:
        store = self.keeper.store
        if store is None:
            return

        def done(_result: object) -> None:
            notices.info(f"Memory exported to {path}. It holds what you told the assistant.")

        self.keeper.run(
            lambda: atomic_write_text(Path(path), export_json(store.items())), done=done
        )

    def _on_dialog_import_requested(self, path: str) -> None:
        store = self.keeper.store
        if store is None:
            return

        def job() -> int:
            data = read_regular(Path(path), IMPORT_BYTES)
            return import_json(store, data.decode("utf-8", errors="replace"))

        def done(added: int) -> None:
            notices.info(f"{added} remembered items were imported.")

        self.keeper.run(job, done=done, changed=True)
