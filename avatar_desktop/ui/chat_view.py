"""The chat pane: a scrolling column of message bubbles that follows a streaming reply."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import QFrame, QPushButton, QScrollArea, QVBoxLayout, QWidget

from avatar_desktop.ui.message_bubble import BubbleTheme, MessageBubble

__all__ = ["BubbleTheme", "ChatView", "MessageBubble", "MessageRow"]

MessageRow = tuple[str, str, bool, str | None]  # role, text, interrupted, error

PAGE_SIZE = 100  # messages shown at once, and added per "Show earlier messages" click
BUBBLE_WIDTH_RATIO = 0.75
OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})
_BOTTOM_SLACK = 4  # pixels from the end that still count as "at the bottom"


class ChatView(QScrollArea):
    """The conversation; follows new text only while the reader is already at the end."""

    link_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._retheme_timer = QTimer(self)  # first: a palette change may come in construction
        self._retheme_timer.setSingleShot(True)
        self._retheme_timer.setInterval(0)
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._bubbles: list[MessageBubble] = []
        self._earlier: list[MessageRow] = []  # not yet shown, oldest first
        self._theme = BubbleTheme.from_palette(self.palette())
        self._stick_to_bottom = True
        self._anchor: tuple[QWidget, int] | None = None  # keep this widget at this offset
        self._adjusting = False

        self.setObjectName("chatView")
        self.setAccessibleName("Conversation")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        column = QWidget(self)
        column.setObjectName("chatColumn")
        # Opaque, so following a growing answer scrolls by copying pixels and repaints only
        # the strip that comes into view, not every bubble on screen.
        column.setBackgroundRole(QPalette.ColorRole.Base)
        column.setAutoFillBackground(True)
        self._layout = QVBoxLayout(column)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(10)
        self._more_button = QPushButton("Show earlier messages", column)
        self._more_button.setObjectName("showEarlierButton")
        self._more_button.clicked.connect(self._on_more_button_clicked)
        self._more_button.hide()
        self._layout.addWidget(self._more_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addStretch(1)
        self.setWidget(column)

        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrollbar_value_changed)
        bar.rangeChanged.connect(self._on_scrollbar_range_changed)
        # Following a growing answer waits until what it changed is painted: Qt scrolls by
        # copying pixels only when nothing on screen is waiting to be repainted.
        self._follow_timer = QTimer(self)
        self._follow_timer.setSingleShot(True)
        self._follow_timer.setInterval(0)
        self._follow_timer.timeout.connect(self._on_follow_timer_timeout)
        self._retheme_timer.timeout.connect(self._on_retheme_timer_timeout)

    def bubbles(self) -> list[MessageBubble]:
        """The bubbles on screen, oldest first."""
        return list(self._bubbles)

    def earlier_count(self) -> int:
        """How many older messages are still behind "Show earlier messages"."""
        return len(self._earlier)

    def add_message(
        self, role: str, text: str, *, interrupted: bool = False, error: str | None = None
    ) -> MessageBubble:
        """Append a message; the user's own message always brings the view to the end."""
        if role == "user":
            self._stick_to_bottom = True
        bubble = self._make_bubble((role, text, interrupted, error))
        self._layout.insertWidget(self._layout.count() - 1, bubble)
        self._bubbles.append(bubble)
        return bubble

    def set_messages(self, messages: Sequence[MessageRow]) -> None:
        """Show a whole session: the last page now, older ones on request."""
        self.clear()
        split = max(0, len(messages) - PAGE_SIZE)
        self._earlier = list(messages[:split])
        self._insert_rows(messages[split:])
        self._more_button.setVisible(bool(self._earlier))
        self.scroll_to_bottom()

    def clear(self) -> None:
        """Remove every message."""
        for bubble in self._bubbles:
            self._layout.removeWidget(bubble)
            bubble.hide()
            bubble.deleteLater()
        self._bubbles.clear()
        self._earlier.clear()
        self._more_button.hide()
        self._anchor = None
        self._stick_to_bottom = True

    def show_earlier(self) -> None:
        """Prepend the previous page of messages, keeping the reader's place."""
        if not self._earlier:
            return
        split = max(0, len(self._earlier) - PAGE_SIZE)
        rows, self._earlier = self._earlier[split:], self._earlier[:split]
        if self._bubbles:
            first = self._bubbles[0]
            self._anchor = (first, first.y() - self.verticalScrollBar().value())
        self._insert_rows(rows)
        self._more_button.setVisible(bool(self._earlier))

    def scroll_to_bottom(self) -> None:
        """Jump to the newest message and follow it from now on."""
        self._stick_to_bottom = True
        self._set_scroll(self.verticalScrollBar().maximum())

    def viewportEvent(self, event: QEvent) -> bool:
        """Bubble widths follow the viewport, which also changes when the scrollbar appears."""
        if event.type() == QEvent.Type.Resize:
            width = self._bubble_width()
            for bubble in self._bubbles:
                bubble.set_max_width(width)
        return super().viewportEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """Recolor when the user switches between light and dark themes: once the new palette
        and style sheet have both reached every bubble (re-polishing resets a label's palette,
        so colours set before it would be lost)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._retheme_timer.start()

    def _on_retheme_timer_timeout(self) -> None:
        self._theme = BubbleTheme.from_palette(self.palette())
        for bubble in self._bubbles:
            bubble.set_theme(self._theme)

    def _insert_rows(self, rows: Sequence[MessageRow]) -> None:
        """Put ``rows`` above the bubbles already shown, in one batch."""
        bubbles = [self._make_bubble(row) for row in rows]
        for offset, bubble in enumerate(bubbles):
            self._layout.insertWidget(1 + offset, bubble)
        self._bubbles[:0] = bubbles

    def _make_bubble(self, row: MessageRow) -> MessageBubble:
        role, text, interrupted, error = row
        bubble = MessageBubble(role, text, self.widget(), theme=self._theme)
        bubble.set_max_width(self._bubble_width())
        if interrupted:
            bubble.mark_interrupted()
        if error:
            bubble.set_error(error)
        bubble.link_activated.connect(self._on_bubble_link_activated)
        return bubble

    def _bubble_width(self) -> int:
        return max(120, int(self.viewport().width() * BUBBLE_WIDTH_RATIO))

    def _set_scroll(self, value: int) -> None:
        self._adjusting = True
        try:
            self.verticalScrollBar().setValue(value)
        finally:
            self._adjusting = False

    def _on_more_button_clicked(self) -> None:
        self.show_earlier()

    def _on_bubble_link_activated(self, url: str) -> None:
        """Report every click, but hand only web and mail links to the desktop."""
        self.link_clicked.emit(url)
        target = QUrl(url)
        if target.isValid() and target.scheme().lower() in OPENABLE_SCHEMES:
            self.open_url(target)

    def _on_scrollbar_value_changed(self, value: int) -> None:
        if not self._adjusting:
            self._anchor = None  # the reader moved; stop holding their old place
        self._stick_to_bottom = value >= self.verticalScrollBar().maximum() - _BOTTOM_SLACK

    def _on_scrollbar_range_changed(self, minimum: int, maximum: int) -> None:
        """Follow the end if the reader is there; else keep what they were reading in place."""
        if self._stick_to_bottom:
            self._follow_timer.start()
        elif self._anchor is not None:
            widget, offset = self._anchor
            self._set_scroll(widget.y() - offset)

    def _on_follow_timer_timeout(self) -> None:
        if self._stick_to_bottom:
            self._set_scroll(self.verticalScrollBar().maximum())
