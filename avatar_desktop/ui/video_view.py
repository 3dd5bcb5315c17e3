"""The presenter's video, laid over the drawn avatar: it fades in over it and out again."""

from __future__ import annotations

import time

from PySide6.QtCore import Property, QEasingCurve, QPropertyAnimation, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

from avatar_desktop.ui.avatar import overlay

FADE_MS = 220
FIRST_OPACITY = 0.1


class VideoView(QWidget):
    """Paints the latest video frame, letterboxed on the avatar's background, at an opacity
    that animates, so the switch between the drawn avatar and the video is a cross-fade.

    Transparent for the mouse; when fully faded out it paints nothing and the avatar shows.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoView")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self._image: QImage | None = None
        self._opacity = 0.0
        self._caption = ""
        self._shown_at: float | None = None
        self.frames_painted = 0
        self._fade = QPropertyAnimation(self, b"opacity", self)
        self._fade.setDuration(FADE_MS)
        self._fade.setEasingCurve(QEasingCurve.Type.InOutQuad)
        self.hide()

    def sizeHint(self) -> QSize:
        return QSize(320, 240)

    # --- state in ----------------------------------------------------------------------------

    def set_frame(self, image: QImage) -> None:
        """Show ``image`` now; the first frame after a fade-out starts the fade-in."""
        self._image = image
        if not self.isVisible() or self._fade_target() == 0.0:
            self._fade_to(1.0)
        self.update()

    def fade_out(self) -> None:
        """Back to the drawn avatar (the turn's clips are over, or were stopped)."""
        if self.isVisible() and self._fade_target() != 0.0:
            self._fade_to(0.0)

    def clear(self) -> None:
        """Gone at once, no fade (Stop)."""
        self._fade.stop()
        self._set_opacity(0.0)
        self._image = None

    def set_caption(self, text: str) -> None:
        self._caption = text
        if self.isVisible():
            self.update()

    @property
    def showing(self) -> bool:
        """A frame is on screen at some opacity."""
        return self.isVisible() and self._image is not None and self._opacity > 0.0

    @property
    def first_frame_painted_at(self) -> float | None:
        """When the first frame since the last fade-in was painted (monotonic seconds)."""
        return self._shown_at

    # --- the fade ----------------------------------------------------------------------------

    def _fade_target(self) -> float:
        running = self._fade.state() == QPropertyAnimation.State.Running
        return float(self._fade.endValue()) if running else self._opacity

    def _fade_to(self, target: float) -> None:
        self._fade.stop()
        if target > 0.0:
            self._shown_at = None
            self.show()
            self.raise_()
        start = self._opacity
        if target > 0.0 and start <= 0.0:
            start = FIRST_OPACITY  # the first frame is on screen at once, then fades up
        self._fade.setStartValue(start)
        self._fade.setEndValue(target)
        self._fade.start()

    def _get_opacity(self) -> float:
        return self._opacity

    def _set_opacity(self, value: float) -> None:
        self._opacity = value
        if value <= 0.0:
            self.hide()
        self.update()

    opacity = Property(float, _get_opacity, _set_opacity)

    # --- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image is None or self._opacity <= 0.0:
            return
        p = QPainter(self)
        p.setOpacity(self._opacity)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Window))
        p.drawImage(self._fit(self._image), self._image)
        if self._caption:
            cap_font = overlay.caption_font(self.font(), self.height())
            width = min(self.width() - 48.0, cap_font.pixelSize() * 34.0)
            lines = overlay.wrap_caption(self._caption, QFontMetricsF(cap_font), width)
            overlay.draw_caption(p, QRectF(self.rect()), cap_font, lines)
        p.end()
        self.frames_painted += 1
        if self._shown_at is None:
            self._shown_at = time.monotonic()

    def _fit(self, image: QImage) -> QRectF:
        """The image scaled to fit the view, centred, keeping its shape."""
        w, h = max(image.width(), 1), max(image.height(), 1)
        scale = min(self.width() / w, self.height() / h)
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2.0, (self.height() - dh) / 2.0, dw, dh)
