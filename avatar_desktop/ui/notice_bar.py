"""A non-blocking notice strip above the input: errors stay until dismissed, info fades."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

_STYLES = {
    "info": ("#1f6f43", "rgba(46, 160, 96, 0.14)"),
    "warning": ("#8a5a00", "rgba(230, 160, 20, 0.16)"),
    "error": ("#a12d2d", "rgba(210, 60, 60, 0.14)"),
}
INFO_MS = 8000
Action = tuple[str, Callable[[], object]]


class NoticeBar(QFrame):
    """Shows the latest notice and its actions (e.g. Retry); the level decides colour and life."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self._layout.setContentsMargins(10, 6, 6, 6)
        self._layout.addWidget(self.label, 1)
        self._close = close
        self._layout.addWidget(close)
        self._buttons: list[QPushButton] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.level = ""
        self.key = 0  # which notice of the message bridge shows (0: one of the window's own)
        self.hide()

    def show_notice(
        self, level: str, text: str, actions: Sequence[Action] = (), key: int = 0
    ) -> None:
        ink, fill = _STYLES.get(level, _STYLES["info"])
        self.level, self.key = level, key
        self.setStyleSheet(
            f"#noticeBar {{ background: {fill}; border: 1px solid {ink}; border-radius: 8px; }}"
            f"#noticeText {{ color: {ink}; }}"
        )
        self.label.setText(text)
        self._set_actions(actions)
        self.show()
        if level == "info" and not actions:
            self._timer.start(INFO_MS)
        else:
            self._timer.stop()

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
