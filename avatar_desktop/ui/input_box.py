"""The message input: Enter sends, Shift+Enter starts a new line, huge pastes are cut; it grows
with what is typed, from one line to a few, then scrolls."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

PASTE_LIMIT = 20_000
MIN_LINES, MAX_LINES = 1, 6
MIN_HEIGHT = 44  # the height of the round microphone button beside it


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
        self._hint = PLACEHOLDER
        self.setPlaceholderText(PLACEHOLDER)
        self.setTabChangesFocus(True)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._fit_height()

    def show_hint(self, text: str) -> None:
        """The placeholder. Where it would wrap, only its part before " (" shows (the keys)."""
        self._hint = text
        self._fit_hint()

    def _fit_hint(self) -> None:
        room = self.viewport().width() - 2 * self.document().documentMargin()
        text = self._hint
        if self.fontMetrics().horizontalAdvance(text) > room:
            text = text.split(" (")[0]
        if self.placeholderText() != text:
            self.setPlaceholderText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_hint()

    def _fit_height(self, *_: object) -> None:
        """As tall as its lines (wrapped ones too), between one line and MAX_LINES."""
        wanted = round(self.document().size().height())
        lines = max(MIN_LINES, min(MAX_LINES, wanted))
        policy = Qt.ScrollBarPolicy
        self.setVerticalScrollBarPolicy(
            policy.ScrollBarAsNeeded if wanted > MAX_LINES else policy.ScrollBarAlwaysOff
        )
        chrome = self.height() - self.viewport().height()  # frame and the sheet's padding
        text = lines * self.fontMetrics().lineSpacing() + 2 * self.document().documentMargin()
        height = max(MIN_HEIGHT, round(text) + chrome)
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def changeEvent(self, event: QEvent) -> None:
        """A new font or style sheet (the theme) changes the line height and the padding."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_height()

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
