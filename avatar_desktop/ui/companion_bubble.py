"""The companion's speech bubble: what the avatar says, above its head, readable on any desktop."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from avatar_desktop.ui.avatar.overlay import wrap_caption

MAX_LINES = 3
PAD_X, PAD_Y = 14.0, 9.0
RADIUS = 14.0
TAIL = 10.0  # the tail's height, pointing down at the character
SHADOW = 4.0  # room around the body for the soft shadow
FILL = QColor(255, 255, 255, 242)  # its own colours: a bubble is white on any wallpaper or theme
INK = QColor(28, 32, 44)
EDGE = QColor(0, 0, 0, 46)


def wrap_lines(text: str, fm: QFontMetricsF, width: float, max_lines: int = MAX_LINES) -> list[str]:
    """Word-wrapped like the stage's caption, into at most ``max_lines``."""
    return wrap_caption(text, fm, width, max_lines)


def bubble_path(body: QRectF, tail_x: float) -> QPainterPath:
    """A rounded body with a small tail under it at ``tail_x``, as one outline."""
    path = QPainterPath()
    path.addRoundedRect(body, RADIUS, RADIUS)
    x = min(max(tail_x, body.left() + RADIUS + TAIL), body.right() - RADIUS - TAIL)
    tail = QPainterPath(QPointF(x - TAIL, body.bottom() - 1.0))
    tail.quadTo(QPointF(x - 1.0, body.bottom() + 2.0), QPointF(x + 2.0, body.bottom() + TAIL))
    tail.quadTo(QPointF(x + 3.0, body.bottom() + 3.0), QPointF(x + TAIL, body.bottom() - 1.0))
    tail.closeSubpath()
    return path.united(tail)


class CaptionBubble(QWidget):
    """Sized to its text (up to ``MAX_LINES`` lines within ``set_max_width``); hidden when empty.

    Transparent for the mouse, so dragging works over it as over the character."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("companionBubble")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._text = ""
        self._lines: list[str] = []
        self._max_width = 320.0
        font = QFont(self.font())
        font.setPixelSize(15)
        self.setFont(font)
        self.hide()

    def text(self) -> str:
        return self._text

    def lines(self) -> list[str]:
        """The wrapped lines as shown (tests, accessibility)."""
        return list(self._lines)

    def set_text(self, text: str) -> None:
        self._text = " ".join(text.split())
        self.setAccessibleDescription(self._text)
        self._relayout()

    def set_max_width(self, width: float) -> None:
        """The widest the bubble may be (the window's width less a margin)."""
        self._max_width = max(width, 80.0)
        self._relayout()

    def _relayout(self) -> None:
        fm = QFontMetricsF(self.font())
        room = min(self._max_width - 2 * (PAD_X + SHADOW), fm.averageCharWidth() * 40)
        self._lines = wrap_lines(self._text, fm, room) if self._text else []
        if not self._lines:
            self.hide()
            return
        text_w = max(fm.horizontalAdvance(line) for line in self._lines)
        text_h = fm.lineSpacing() * len(self._lines)
        width = int(text_w + 2 * (PAD_X + SHADOW) + 2)  # +2: antialiased glyph edges
        height = int(text_h + 2 * PAD_Y + TAIL + 2 * SHADOW + 2)
        self.resize(QSize(width, height))
        self.show()
        self.update()

    def body_rect(self) -> QRectF:
        """The rounded body (without tail and shadow margin), in widget coordinates."""
        return QRectF(SHADOW, SHADOW, self.width() - 2 * SHADOW, self.height() - 2 * SHADOW - TAIL)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._lines:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        body = self.body_rect()
        path = bubble_path(body, body.center().x())
        p.setPen(Qt.PenStyle.NoPen)
        for step, alpha in ((3.0, 14), (2.0, 20), (1.0, 26)):  # a soft shadow, below-right
            p.setBrush(QColor(0, 0, 0, alpha))
            p.drawPath(path.translated(step * 0.4, step))
        p.setBrush(FILL)
        p.setPen(QPen(EDGE, 1.0))
        p.drawPath(path)
        p.setPen(INK)
        p.setFont(self.font())
        fm = QFontMetricsF(self.font())
        y = body.top() + PAD_Y + fm.ascent()
        for line in self._lines:
            x = body.center().x() - fm.horizontalAdvance(line) / 2.0
            p.drawText(QPointF(x, y), line)
            y += fm.lineSpacing()
        p.end()
