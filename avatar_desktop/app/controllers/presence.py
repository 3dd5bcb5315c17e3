"""The character's presence with the user: where it lives (the window or the desktop), where it
looks at rest, and how it reacts when the user starts typing or talking."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from avatar_desktop.app.controllers import companion as companion_mode
from avatar_desktop.app.controllers.gaze import Gaze
from avatar_desktop.app.controllers.listener import Listener
from avatar_desktop.avatar.rig import Rig
from avatar_desktop.storage.settings import Settings
from avatar_desktop.ui.main_window import MainWindow


class Presence:
    """Owns companion mode and the gaze; the companion's bar talks to the app's own handlers."""

    def __init__(
        self,
        window: MainWindow,
        settings: Settings,
        rig: Rig,
        listener: Listener,
        *,
        send: Callable[[str], None],
        stop: Callable[[], None],
    ) -> None:
        self.window, self.rig = window, rig
        self.companion = companion_mode.CompanionMode(window, settings)
        self.gaze = Gaze(rig, window.avatar_widget, self._typing_field, window)
        self._typing = False
        view = self.companion.view
        companion_mode.wire(
            self.companion, send=send, stop=stop, press=listener.press, release=listener.release
        )
        view.record_pressed.connect(self.user_started_talking)
        view.bar.input.textChanged.connect(self.gaze.typed)
        listener.recording_changed.connect(view.set_recording)
        listener.level.connect(view.set_input_level)
        listener.turns.turn_started.connect(self.user_started_talking)
        window.record_pressed.connect(self.user_started_talking)

    def _typing_field(self) -> QWidget | None:
        """Where the user is writing: the character watches it."""
        if self.companion.on:
            return self.companion.view.bar.input
        return self.window.input

    def user_started_talking(self) -> None:
        self.rig.react("talking", time.monotonic())

    def user_typed(self, typing: bool) -> None:
        """A keystroke in the message field; the first one of a message catches its eye."""
        self.gaze.typed()
        if typing and not self._typing:
            self.rig.react("typing", time.monotonic())
        self._typing = typing

    def show_caption(self, text: str) -> None:
        self.companion.show_caption(text)

    def close(self) -> None:
        self.gaze.stop()
        self.companion.close()
