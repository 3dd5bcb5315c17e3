"""The tray icon: show/hide, companion, mute, listening and quit one click away."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from avatar_desktop.ui.app_icon import app_icon

log = logging.getLogger(__name__)


class Tray(QObject):
    """Builds nothing where the desktop has no tray (every entry stays in the View menu).

    The actions are the View menu's own QAction objects, so checked states agree everywhere.
    Signals: toggle_requested() — a left click on the icon (show or hide the window).
    """

    toggle_requested = Signal()

    def __init__(
        self, actions: Sequence[QAction], parent: QObject | None = None, *, tooltip: str = ""
    ) -> None:
        super().__init__(parent)
        self.icon: QSystemTrayIcon | None = None
        self.menu: QMenu | None = None
        if not self.available():
            log.info("No system tray on this desktop: its entries stay in the View menu")
            return
        self.menu = QMenu()
        self.menu.addActions(list(actions))
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setToolTip(tooltip or "Avatar Desktop")
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        if self.icon is not None:
            self.icon.show()

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()

    def actions(self) -> list[QAction]:
        """What the tray's menu offers (empty without a tray)."""
        return list(self.menu.actions()) if self.menu is not None else []

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_requested.emit()
