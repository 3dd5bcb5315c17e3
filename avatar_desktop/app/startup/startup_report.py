"""``--startup-report FILE``: when the window first appeared and when the first answer could
start, as wall-clock times in a JSON file, then quit. For ``python -m bench startup``."""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.core.atomic import atomic_write_text

POLL_MS = 5


class StartupReport(QObject):
    """Watches the app start; writes ``{"window_shown": t, "ready": t}`` and quits when ready.

    ``screenshot``: also save the window (after dismissing the first-run welcome) to this PNG.
    """

    def __init__(self, app: AvatarApp, path: Path, *, screenshot: str | None = None) -> None:
        super().__init__(app.window)
        self.app, self.path, self.screenshot = app, path, screenshot
        self.times: dict[str, float] = {}
        app.window.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and "window_shown" not in self.times:
            self.times["window_shown"] = time.time()
        return False

    def _on_timer_timeout(self) -> None:
        if "window_shown" not in self.times or not self.app.ready:
            return
        self.times.setdefault("ready", time.time())
        if self.screenshot and self.app.welcome_dialog is not None:
            self.app.welcome_dialog.accept()
            return  # one more tick: the window repaints without the welcome
        self._timer.stop()
        if self.screenshot:
            self.app.window.grab().save(self.screenshot)
        atomic_write_text(self.path, json.dumps(self.times))
        self.app.window.close()
        QApplication.quit()
