"""Icons drawn with QPainter, so they are crisp at any scale and need no emoji font."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

_SIZES = (16, 24, 32, 48, 64)


def _canvas(size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


def microphone(color: QColor) -> QIcon:
    """A microphone: capsule, cradle and stand."""
    icon = QIcon()
    for size in _SIZES:
        pixmap = _canvas(size)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = size / 24.0
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(9 * s, 3 * s, 6 * s, 11 * s), 3 * s, 3 * s)
        pen = QPen(color, 1.8 * s)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        cradle = QPainterPath(QPointF(6 * s, 11 * s))
        cradle.cubicTo(6 * s, 19 * s, 18 * s, 19 * s, 18 * s, 11 * s)
        painter.drawPath(cradle)
        painter.drawLine(QPointF(12 * s, 17 * s), QPointF(12 * s, 21 * s))
        painter.drawLine(QPointF(8.5 * s, 21 * s), QPointF(15.5 * s, 21 * s))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def plus(color: QColor) -> QIcon:
    """A plus sign for 'new'."""
    icon = QIcon()
    for size in _SIZES:
        pixmap = _canvas(size)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(color, 2.2 * size / 24.0)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        m, c, e = size * 0.22, size / 2, size * 0.78
        painter.drawLine(QPointF(c, m), QPointF(c, e))
        painter.drawLine(QPointF(m, c), QPointF(e, c))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
