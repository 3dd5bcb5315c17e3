"""The bridge from ``core.notices`` to the window's notice bar: the one place that shows them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from avatar_desktop.core import notices
from avatar_desktop.core.notices import Change, Notice
from avatar_desktop.ui.main_window import MainWindow


class NoticeBridge(QObject):
    """Carries notices from any thread to the window (queued onto the GUI thread).

    Everything else in the app calls ``core.notices``; only this shows, updates or withdraws.
    """

    changed = Signal(object, object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self._window = window
        self.changed.connect(self._on_changed)
        notices.install(self.changed.emit)

    def close(self) -> None:
        """The window is going: notices wait again until another bridge is installed."""
        notices.install(None)

    def _on_changed(self, change: Change, notice: Notice) -> None:
        bar = self._window.notice
        if change is Change.UPDATED:
            bar.update_text(notice.text, notice.id)
        elif change is Change.WITHDRAWN:
            bar.withdraw(notice.id)
        else:
            actions = [(action.label, action.run) for action in notice.actions]
            self._window.show_notice(notice.level.value, notice.text, actions, notice.id)
