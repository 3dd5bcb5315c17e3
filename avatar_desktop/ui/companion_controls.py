"""The companion's hover bar (microphone, a line to type, back to the window) and corner grip."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QWidget

from avatar_desktop.ui import icons, mic_button

BAR_HEIGHT = 46
MIC_SIZE = 34
LIGHT = QColor(240, 242, 248)
BAR_STYLE = """
QWidget#companionBar { background: rgba(24, 27, 36, 225); border-radius: 23px; }
QLineEdit#companionInput {
  background: rgba(255, 255, 255, 235); color: rgb(28, 32, 44);
  border: none; border-radius: 14px; padding: 4px 10px; font-size: 14px;
}
QToolButton#companionRestore, QToolButton#companionMic {
  background: transparent; border: none; border-radius: 17px;
}
QToolButton#companionRestore:hover, QToolButton#companionMic:hover,
QToolButton#companionRestore:focus, QToolButton#companionMic:focus {
  background: rgba(255, 255, 255, 40);
}
"""
RECORD_TIP = "Talk: click, speak, click again — or hold it while you speak"


def restore_icon(color: QColor) -> QIcon:
    """A window with a title bar: back to the full window."""
    icon = QIcon()
    for size in (16, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = size / 24.0
        p.setPen(QPen(color, 1.8 * s))
        p.drawRoundedRect(QRectF(4 * s, 5 * s, 16 * s, 14 * s), 2.5 * s, 2.5 * s)
        p.drawLine(QPointF(4 * s, 9 * s), QPointF(20 * s, 9 * s))
        p.end()
        icon.addPixmap(pixmap)
    return icon


class _Input(QLineEdit):
    """A line that sends on Enter and asks to stop on Esc."""

    stop_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.stop_requested.emit()
            return
        super().keyPressEvent(event)


class ControlBar(QWidget):
    """Signals: send_requested(str), stop_requested(), record_pressed(), record_released(),
    restore_requested()."""

    send_requested = Signal(str)
    stop_requested = Signal()
    record_pressed = Signal()
    record_released = Signal()
    restore_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("companionBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(BAR_STYLE)
        self.setFixedHeight(BAR_HEIGHT)
        self.mic = QToolButton()
        self.mic.setObjectName("companionMic")
        self.mic.setIcon(icons.microphone(LIGHT))
        self.mic.setIconSize(QSize(20, 20))
        self.mic.setFixedSize(MIC_SIZE, MIC_SIZE)
        self.mic.setToolTip(RECORD_TIP)
        self.mic.setAccessibleName("Talk")
        self.input = _Input()
        self.input.setObjectName("companionInput")
        self.input.setPlaceholderText("Say something…")
        self.input.setAccessibleName("Message")
        self.input.setMinimumWidth(40)
        self.input.setFixedHeight(30)
        self.restore = QToolButton()
        self.restore.setObjectName("companionRestore")
        self.restore.setIcon(restore_icon(LIGHT))
        self.restore.setIconSize(QSize(18, 18))
        self.restore.setFixedSize(MIC_SIZE, MIC_SIZE)
        self.restore.setToolTip("Back to the window")
        self.restore.setAccessibleName("Back to the window")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 6, 6, 6)
        row.setSpacing(6)
        row.addWidget(self.mic)
        row.addWidget(self.input, 1)
        row.addWidget(self.restore)
        self.mic.pressed.connect(self.record_pressed)
        self.mic.released.connect(self.record_released)
        self.restore.clicked.connect(self.restore_requested)
        self.input.returnPressed.connect(self._on_input_return_pressed)
        self.input.stop_requested.connect(self.stop_requested)

    def _on_input_return_pressed(self) -> None:
        text = self.input.text()
        if text.strip():
            self.input.clear()
            self.send_requested.emit(text.strip())

    def set_recording(self, recording: bool) -> None:
        """The microphone is open (the button glows with the voice) or closed."""
        mic_button.show_recording(self.mic, recording, RECORD_TIP)

    def set_input_level(self, level_db: float | None) -> None:
        mic_button.show_level(self.mic, level_db)


class CornerGrip(QWidget):
    """Drag to resize the window: by the system where it can, else from the mouse deltas.

    Signals: resize_to(QSize) — the size asked for by a manual drag (the window clamps it)."""

    resize_to = Signal(QSize)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("companionGrip")
        self.setFixedSize(18, 18)
        self.setCursor(Qt.CursorShape.SizeFDiagCursor)
        self.setToolTip("Drag to resize")
        self.use_system_resize = True
        self._start: tuple[QPoint, QSize] | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        handle = self.window().windowHandle()
        edges = Qt.Edge.BottomEdge | Qt.Edge.RightEdge
        if self.use_system_resize and handle is not None and handle.startSystemResize(edges):
            return None
        self._start = (event.globalPosition().toPoint(), self.window().size())
        event.accept()
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._start is None:
            return super().mouseMoveEvent(event)
        origin, size = self._start
        delta = event.globalPosition().toPoint() - origin
        self.resize_to.emit(QSize(size.width() + delta.x(), size.height() + delta.y()))
        return None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._start = None
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        for offset, colour in ((1.0, QColor(0, 0, 0, 90)), (0.0, QColor(255, 255, 255, 200))):
            pen = QPen(colour, 1.6)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            for k in (5.0, 9.0, 13.0):
                w, h = self.width() - 3.0 + offset, self.height() - 3.0 + offset
                p.drawLine(QPointF(w - k, h), QPointF(w, h - k))
        p.end()
