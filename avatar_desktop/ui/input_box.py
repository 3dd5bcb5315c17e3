"""The message input: Enter sends, Shift+Enter starts a new line, huge pastes are cut."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

PASTE_LIMIT = 20_000


PLACEHOLDER = "Type a message… (Enter to send, Shift+Enter for a new line)"


class InputBox(QPlainTextEdit):
    """Multi-line input.

    Signals:
        submitted(str): Enter pressed with the current text.
        paste_truncated(int, int): a paste of N characters was cut to M.
    """

    submitted = Signal(str)
    paste_truncated = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageInput")
        self.setPlaceholderText(PLACEHOLDER)
        self.setTabChangesFocus(True)
        self.setFixedHeight(84)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit(self.toPlainText())
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        text = source.text()
        room = max(0, PASTE_LIMIT - len(self.toPlainText()) + len(self.textCursor().selectedText()))
        if len(text) > room:
            self.paste_truncated.emit(len(text), room)
            text = text[:room]
        self.textCursor().insertText(text)

    def take_text(self, expected: str) -> None:
        """Clear the box once ``expected`` was taken, unless the user already typed more."""
        if self.toPlainText() == expected:
            self.clear()
