"""Icons drawn with QPainter, so they are crisp at any scale and need no emoji font."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QAbstractButton

_SIZES = (16, 24, 32, 48, 64)


def _icon(draw: Callable[[QPainter, float], None]) -> QIcon:
    """An icon with one pixmap per size, drawn on a 24-unit grid scaled to each size."""
    icon = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        draw(painter, size / 24.0)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _pen(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def microphone(color: QColor) -> QIcon:
    """A microphone: capsule, cradle and stand."""

    def draw(painter: QPainter, s: float) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(9 * s, 3 * s, 6 * s, 11 * s), 3 * s, 3 * s)
        painter.setPen(_pen(color, 1.8 * s))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        cradle = QPainterPath(QPointF(6 * s, 11 * s))
        cradle.cubicTo(6 * s, 19 * s, 18 * s, 19 * s, 18 * s, 11 * s)
        painter.drawPath(cradle)
        painter.drawLine(QPointF(12 * s, 17 * s), QPointF(12 * s, 21 * s))
        painter.drawLine(QPointF(8.5 * s, 21 * s), QPointF(15.5 * s, 21 * s))

    return _icon(draw)


def plus(color: QColor) -> QIcon:
    """A plus sign for 'new'."""

    def draw(painter: QPainter, s: float) -> None:
        painter.setPen(_pen(color, 2.2 * s))
        painter.drawLine(QPointF(12 * s, 5 * s), QPointF(12 * s, 19 * s))
        painter.drawLine(QPointF(5 * s, 12 * s), QPointF(19 * s, 12 * s))

    return _icon(draw)


def speaker(color: QColor, *, muted: bool = False) -> QIcon:
    """A loudspeaker with sound waves, or with a cross when muted."""

    def draw(painter: QPainter, s: float) -> None:
        body = QPainterPath(QPointF(3 * s, 9 * s))
        for x, y in ((7, 9), (12, 4.5), (12, 19.5), (7, 15), (3, 15)):
            body.lineTo(QPointF(x * s, y * s))
        body.closeSubpath()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPath(body)
        painter.setPen(_pen(color, 1.8 * s))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if muted:
            painter.drawLine(QPointF(15 * s, 9 * s), QPointF(21 * s, 15 * s))
            painter.drawLine(QPointF(21 * s, 9 * s), QPointF(15 * s, 15 * s))
            return
        for radius in (4.0, 7.5):
            painter.drawArc(
                QRectF((12 - radius) * s, (12 - radius) * s, 2 * radius * s, 2 * radius * s),
                -45 * 16,
                90 * 16,
            )

    return _icon(draw)


def panel(color: QColor, *, right: bool) -> QIcon:
    """A window with its side panel shaded: the conversations (left) or the chat (right)."""

    def draw(painter: QPainter, s: float) -> None:
        painter.setPen(_pen(color, 1.8 * s))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(3 * s, 5 * s, 18 * s, 14 * s), 2.5 * s, 2.5 * s)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        x = 14 if right else 4
        painter.drawRoundedRect(QRectF(x * s, 6 * s, 6 * s, 12 * s), 1.5 * s, 1.5 * s)

    return _icon(draw)


def companion(color: QColor) -> QIcon:
    """Head and shoulders stepping out of a window: the character goes to the desktop."""

    def draw(painter: QPainter, s: float) -> None:
        painter.setPen(_pen(color, 1.6 * s))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        frame = QPainterPath(QPointF(11 * s, 19 * s))
        for x, y in ((3, 19), (3, 5), (17, 5), (17, 9)):
            frame.lineTo(QPointF(x * s, y * s))
        painter.drawPath(frame)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(QPointF(17 * s, 13 * s), 2.6 * s, 2.6 * s)
        shoulders = QPainterPath(QPointF(12 * s, 21 * s))
        shoulders.cubicTo(12 * s, 16.5 * s, 22 * s, 16.5 * s, 22 * s, 21 * s)
        shoulders.closeSubpath()
        painter.drawPath(shoulders)

    return _icon(draw)


class _PaletteIcon(QObject):
    """Redraws a button's icon in its current ink whenever its palette changes (the theme)."""

    def __init__(
        self, button: QAbstractButton, make: Callable[[QColor], QIcon], role: QPalette.ColorRole
    ) -> None:
        super().__init__(button)
        self._button, self._make, self._role = button, make, role
        self._ink = QColor()
        button.installEventFilter(self)
        self.refresh()

    def refresh(self) -> None:
        ink = self._button.palette().color(self._role)
        if ink != self._ink:
            self._ink = ink
            self._button.setIcon(self._make(ink))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.PaletteChange:
            self.refresh()
        return False


def follow_palette(
    button: QAbstractButton,
    make: Callable[[QColor], QIcon],
    role: QPalette.ColorRole = QPalette.ColorRole.ButtonText,
) -> None:
    """Give ``button`` the icon ``make(ink)`` now and again after every theme change."""
    _PaletteIcon(button, make, role)
