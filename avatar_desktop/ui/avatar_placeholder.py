"""A calm stand-in for the avatar: a soft drawn face that shows idle, thinking and answering."""

from __future__ import annotations

import math

from PySide6.QtCore import QElapsedTimer, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QRadialGradient
from PySide6.QtWidgets import QSizePolicy, QWidget

STATES = ("idle", "thinking", "answering", "error")
_LABELS = {"idle": "", "thinking": "Thinking…", "answering": "", "error": "Something went wrong"}


class AvatarPlaceholder(QWidget):
    """Draws a friendly face that breathes slowly; it animates only while something happens."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("avatarArea")
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._state = "idle"
        self._clock = QElapsedTimer()
        self._clock.start()
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self.update)

    @property
    def state(self) -> str:
        return self._state

    def set_state(self, state: str) -> None:
        if state not in STATES or state == self._state:
            return
        self._state = state
        if state in ("thinking", "answering"):
            self._timer.start()
        else:
            self._timer.stop()
        self.setToolTip(_LABELS[state])
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self._clock.elapsed() / 1000.0
        side = min(self.width(), self.height()) * 0.72
        breathe = 1.0 + (0.012 * math.sin(t * 1.6) if self._timer.isActive() else 0.0)
        radius = side / 2 * breathe
        centre = QPointF(self.width() / 2, self.height() / 2 - side * 0.04)
        self._draw_head(painter, centre, radius)
        self._draw_face(painter, centre, radius, t)
        if self._state == "thinking":
            self._draw_dots(painter, centre, radius, t)
        painter.end()

    def _palette_colors(self) -> tuple[QColor, QColor]:
        accent = self.palette().color(self.palette().ColorRole.Highlight)
        ink = self.palette().color(self.palette().ColorRole.WindowText)
        if self._state == "error":
            accent = QColor("#c0504d")
        return accent, ink

    def _draw_head(self, painter: QPainter, centre: QPointF, radius: float) -> None:
        accent, _ = self._palette_colors()
        glow = QRadialGradient(centre, radius * 1.25)
        halo = QColor(accent)
        halo.setAlpha(60)
        glow.setColorAt(0.75, halo)
        glow.setColorAt(1.0, QColor(0, 0, 0, 0))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(glow)
        painter.drawEllipse(centre, radius * 1.25, radius * 1.25)
        face = QRadialGradient(centre - QPointF(radius * 0.3, radius * 0.35), radius * 1.4)
        face.setColorAt(0.0, QColor("#fde3cf"))
        face.setColorAt(1.0, QColor("#e9b99a"))
        painter.setBrush(face)
        painter.drawEllipse(centre, radius * 0.86, radius)

    def _draw_face(self, painter: QPainter, centre: QPointF, radius: float, t: float) -> None:
        eye = QColor("#3b2f2f")
        painter.setBrush(eye)
        painter.setPen(Qt.PenStyle.NoPen)
        blink = 0.15 if (t % 4.2) < 0.12 and self._timer.isActive() else 1.0
        for side in (-1, 1):
            spot = centre + QPointF(side * radius * 0.32, -radius * 0.12)
            painter.drawEllipse(spot, radius * 0.075, radius * 0.1 * blink)
        pen = QPen(QColor("#a0524b"), max(2.0, radius * 0.045))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        mouth = QPainterPath()
        open_by = 0.08 * abs(math.sin(t * 9)) if self._state == "answering" else 0.0
        left = centre + QPointF(-radius * 0.24, radius * 0.38)
        right = centre + QPointF(radius * 0.24, radius * 0.38)
        mouth.moveTo(left)
        mouth.quadTo(centre + QPointF(0, radius * (0.52 + open_by)), right)
        painter.drawPath(mouth)

    def _draw_dots(self, painter: QPainter, centre: QPointF, radius: float, t: float) -> None:
        accent, _ = self._palette_colors()
        painter.setPen(Qt.PenStyle.NoPen)
        for i in range(3):
            phase = (math.sin(t * 4 - i * 0.8) + 1) / 2
            color = QColor(accent)
            color.setAlphaF(0.35 + 0.65 * phase)
            painter.setBrush(color)
            spot = centre + QPointF(radius * (0.75 + i * 0.2), -radius * (0.85 + i * 0.12))
            size = radius * (0.05 + i * 0.02)
            painter.drawEllipse(QRectF(spot.x() - size, spot.y() - size, 2 * size, 2 * size))
