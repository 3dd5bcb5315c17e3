"""Companion mode: moves the one stage between the window and the desktop, and keeps the tray.

There is only ever one avatar widget (with the presenter's video over it): turning companion mode
on lends it to the frameless window, turning it off gives it back, so an answer that is playing
goes on playing and nothing is drawn, spoken or captioned twice. Where it sat is remembered per
screen in the settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QAction, QGuiApplication, QScreen

from avatar_desktop.core import notices
from avatar_desktop.storage.settings import Settings
from avatar_desktop.ui import placement
from avatar_desktop.ui.companion_window import CompanionWindow, limitations
from avatar_desktop.ui.main_window import MainWindow
from avatar_desktop.ui.tray import Tray

log = logging.getLogger(__name__)


class CompanionMode(QObject):
    """Owns the companion window and the tray; the app wires their intents to its handlers."""

    def __init__(self, window: MainWindow, settings: Settings, *, translucent: bool | None = None):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.view = CompanionWindow(translucent=translucent)
        self._caption = ""
        self._told_limits = False
        self._places: dict[str, str] = self._load_places()
        self.show_action = QAction("Show the window", self)
        self.show_action.triggered.connect(self.show_window)
        self.hide_action = QAction("Hide to the tray", self)
        self.hide_action.triggered.connect(self.hide_all)
        self.click_through_action = self.view.click_through_action
        self.view.add_menu_actions(
            [window.mute_action, window.hands_free_action, window.quit_action]
        )
        tray_actions = [
            self.show_action,
            window.companion_action,
            window.mute_action,
            window.hands_free_action,
            window.quit_action,
        ]
        self.tray = Tray(tray_actions, self, tooltip=window.windowTitle())
        self.tray.toggle_requested.connect(self._on_tray_toggle_requested)
        self.hide_action.setEnabled(self.tray.icon is not None)  # nowhere to come back from
        window.companion_toggled.connect(self.set_on)
        window.view_menu.insertAction(window.full_screen_action, self.click_through_action)
        self.view.restore_requested.connect(self.show_window)
        self.view.hide_requested.connect(self.hide_all)
        self.view.installEventFilter(self)
        self.tray.show()

    # --- the mode ---------------------------------------------------------------------------

    @property
    def on(self) -> bool:
        return self.view.stage() is not None

    def set_on(self, on: bool) -> None:
        """Lend the stage to the desktop window, or bring it home to the main window."""
        if on == self.on:
            return
        if on:
            self._enter()
        else:
            self._leave()
        self.settings.companion = on
        if self.window.companion_action.isChecked() != on:
            self.window.companion_action.setChecked(on)
        self.show_caption(self._caption)
        self.window.set_stage_caption(self._caption)  # shown only while the stage holds it

    def _enter(self) -> None:
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        self.view.hold(self.window.lend_stage())
        self._place_on(screen)
        self.view.show()
        self.view.raise_()
        if self.tray.icon is not None:
            self.window.hide()  # the tray brings it back
        else:
            self.window.showMinimized()  # no tray: the taskbar and the View menu do
        self._tell_limits()

    def _leave(self) -> None:
        self._remember()
        self.view.set_click_through(False)
        self.view.hide()
        self.view.release()
        self.window.take_stage_back()
        self.show_window()

    def show_caption(self, text: str) -> None:
        """The sentence being spoken: in the bubble on the desktop, or on the stage at home."""
        self._caption = text
        self.view.set_caption(text if self.on else "")

    def show_window(self) -> None:
        """Back to the full window (double-click, the bar, the tray)."""
        if self.on:
            self.set_on(False)
            return
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def hide_all(self) -> None:
        """Only the tray icon stays; its menu brings everything back."""
        if self.tray.icon is None:
            return
        self.view.hide()
        self.window.hide()

    def _on_tray_toggle_requested(self) -> None:
        shown = self.window.isVisible() or self.view.isVisible()
        if not shown:
            if self.on:
                self.view.show()
            else:
                self.show_window()
        elif self.on:
            self.view.hide()
        else:
            self.window.hide()

    def _tell_limits(self) -> None:
        if not self._told_limits:
            self._told_limits = True
            for sentence in limitations():
                log.info("Companion limitation: %s", sentence)
                notices.info(sentence)

    # --- where it sits ------------------------------------------------------------------------

    def _load_places(self) -> dict[str, str]:
        try:
            data = json.loads(self.settings.companion_places or "{}")
        except ValueError:  # settings validate it; stay safe anyway
            data = {}
        return {k: v for k, v in data.items() if isinstance(v, str)}

    def _place_on(self, screen: QScreen | None) -> None:
        screens = QGuiApplication.screens()
        target = screen if screen in screens else QGuiApplication.primaryScreen()
        if target is None:
            return
        area = target.availableGeometry()
        rect = placement.recall(self._places, placement.screen_key(target.name(), area))
        if rect is not None and placement.is_visible_enough(rect, [area]):
            self.view.setGeometry(rect)
        else:
            self.view.resize(placement.fit_size(self.view.size(), area))
            self.view.setGeometry(placement.home_place(self.view.size(), area))
        self.view.keep_visible()

    def _remember(self) -> None:
        screen = self.view.screen()
        if screen is None or not self.view.isVisible():
            return
        key = placement.screen_key(screen.name(), screen.availableGeometry())
        placement.remember(self._places, key, self.view.geometry())
        self.settings.companion_places = json.dumps(self._places, sort_keys=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() in (QEvent.Type.Move, QEvent.Type.Resize):
            self._remember()
        return super().eventFilter(watched, event)

    def place(self) -> QRect:
        return self.view.geometry()

    def close(self) -> None:
        """At quit: remember the place, take the tray icon away."""
        if self.on:
            self._remember()
        self.tray.hide()
        self.view.hide()


def wire(
    mode: CompanionMode,
    *,
    send: Callable[[str], None],
    stop: Callable[[], None],
    press: Callable[[], None],
    release: Callable[[], None],
) -> None:
    """The companion's bar speaks to the same handlers as the window's composer."""
    mode.view.send_requested.connect(send)
    mode.view.stop_requested.connect(stop)
    mode.view.record_pressed.connect(press)
    mode.view.record_released.connect(release)
