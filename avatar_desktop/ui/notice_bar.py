"""A non-blocking notice strip above the input: errors stay until dismissed, info fades."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

_STYLES = {
    "info": ("#1f6f43", "rgba(46, 160, 96, 0.14)"),
    "warning": ("#8a5a00", "rgba(230, 160, 20, 0.16)"),
    "error": ("#a12d2d", "rgba(210, 60, 60, 0.14)"),
}
INFO_MS = 8000


class NoticeBar(QFrame):
    """Shows the latest notice; the level decides colour and whether it hides by itself."""

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
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.level = ""
        self.hide()

    def show_notice(self, level: str, text: str) -> None:
        ink, fill = _STYLES.get(level, _STYLES["info"])
        self.level = level
        self.setStyleSheet(
            f"#noticeBar {{ background: {fill}; border: 1px solid {ink}; border-radius: 8px; }}"
            f"#noticeText {{ color: {ink}; }}"
        )
        self.label.setText(text)
        self.show()
        if level == "info":
            self._timer.start(INFO_MS)
        else:
            self._timer.stop()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
