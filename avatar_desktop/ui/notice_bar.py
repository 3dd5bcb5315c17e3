"""A non-blocking notice strip above the input: errors stay until dismissed, info fades."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from avatar_desktop.ui.theme import is_dark

# level: (ink on a light window, ink on a dark window, the hue of the tint behind it)
_STYLES = {
    "info": ("#1d6b40", "#7fdca4", "#2ea060"),
    "warning": ("#7d5200", "#f2c45a", "#e6a014"),
    "error": ("#a12d2d", "#ff9b94", "#d23c3c"),
}
INFO_MS = 8000
Action = tuple[str, Callable[[], object]]


class NoticeBar(QFrame):
    """Shows the latest notice and its actions (e.g. Retry); the level decides colour and life."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = ""
        self.key = 0  # which notice of the message bridge shows (0: one of the window's own)
        self.setObjectName("noticeBar")
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 6, 6, 6)
        self._layout.setSpacing(8)
        self._layout.addWidget(self.label, 1)
        self._close = close
        self._layout.addWidget(close)
        self._buttons: list[QPushButton] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_notice(
        self, level: str, text: str, actions: Sequence[Action] = (), key: int = 0
    ) -> None:
        self.level, self.key = level, key
        self._restyle()
        self.label.setText(text)
        self._set_actions(actions)
        self.show()
        if level == "info" and not actions:
            self._timer.start(INFO_MS)
        else:
            self._timer.stop()

    def changeEvent(self, event: QEvent) -> None:
        """Pick inks that read on the new theme (dark inks vanish on a dark window)."""
        super().changeEvent(event)
        palette_events = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in palette_events and self.level:
            self._restyle()

    def _restyle(self) -> None:
        """A tinted strip in the level's hue, its text in an ink that reads on this theme."""
        light_ink, dark_ink, hue = _STYLES.get(self.level, _STYLES["info"])
        dark = is_dark(QApplication.palette())
        ink, tint = QColor(dark_ink if dark else light_ink), QColor(hue)
        rgb = f"{tint.red()}, {tint.green()}, {tint.blue()}"
        fill, edge = f"rgba({rgb}, {48 if dark else 30})", f"rgba({rgb}, {140 if dark else 115})"
        sheet = (
            f"#noticeBar {{ background: {fill}; border: 1px solid {edge}; border-radius: 10px; }}"
            f"#noticeText {{ color: {ink.name()}; }}"
        )
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)

    def update_text(self, text: str, key: int) -> None:
        """Change the words but keep the actions (a countdown ticking), if notice ``key`` shows."""
        if self.isVisible() and self.key == key:
            self.label.setText(text)

    def withdraw(self, key: int) -> None:
        """Hide notice ``key`` if it still shows; a newer notice stays."""
        if self.key == key:
            self.hide()

    def _set_actions(self, actions: Sequence[Action]) -> None:
        for button in self._buttons:
            button.deleteLater()
        self._buttons = []
        for title, callback in actions:
            button = QPushButton(title)
            button.setObjectName("noticeAction")
            button.clicked.connect(lambda _checked=False, run=callback: self._run(run))
            self._layout.insertWidget(self._layout.indexOf(self._close), button)
            self._buttons.append(button)

    def _run(self, callback: Callable[[], object]) -> None:
        self.hide()
        callback()

    def action_titles(self) -> list[str]:
        return [b.text() for b in self._buttons] if self.isVisible() else []

    def trigger(self, title: str) -> None:
        """Press the action button named ``title`` (keyboard users and tests)."""
        for button in self._buttons:
            if button.text() == title:
                button.click()
                return
        raise KeyError(title)

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
