"""Volume, mute and speaking rate: a small translucent pill that sits on the avatar's stage."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLayout,
    QSizePolicy,
    QSlider,
    QToolButton,
    QWidget,
)

from avatar_desktop.ui import icons

RATES = (0.8, 1.0, 1.2, 1.5)


class VoiceControls(QWidget):
    """Three small controls.

    Signals:
        volume_changed(float): 0 .. 1.
        muted_changed(bool)
        rate_changed(float): speaking rate, 1.0 is normal.
    """

    volume_changed = Signal(float)
    muted_changed = Signal(bool)
    rate_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voiceControls")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._icons = self._speaker_icons()
        self.mute = QToolButton()
        self.mute.setObjectName("muteButton")
        self.mute.setCheckable(True)
        self.mute.setAutoRaise(True)
        self.mute.toggled.connect(self._on_mute_toggled)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("volumeSlider")
        self.volume.setRange(0, 100)
        self.volume.setMinimumWidth(48)  # it gives way first when the stage is narrow
        self.volume.setMaximumWidth(110)
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(lambda v: self.volume_changed.emit(v / 100))
        self.rate = QComboBox()
        self.rate.setObjectName("rateBox")
        self.rate.setToolTip("Speaking rate")
        for rate in RATES:
            self.rate.addItem(f"{rate:g}×", rate)
        self.rate.currentIndexChanged.connect(lambda i: self.rate_changed.emit(RATES[i]))
        self._row = layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(8)
        # The pill may be narrower than its slider needs (see minimumSizeHint).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(self.mute)
        layout.addWidget(self.volume)
        layout.addWidget(self.rate)
        self._on_mute_toggled(False)

    def set_values(self, volume: float, muted: bool, rate: float) -> None:
        """Show stored settings without echoing them back as changes."""
        for widget in (self.volume, self.mute, self.rate):
            widget.blockSignals(True)
        self.volume.setValue(round(volume * 100))
        self.mute.setChecked(muted)
        self._on_mute_toggled(muted, emit=False)
        closest = min(range(len(RATES)), key=lambda i: abs(RATES[i] - rate))
        self.rate.setCurrentIndex(closest)
        for widget in (self.volume, self.mute, self.rate):
            widget.blockSignals(False)

    def _on_mute_toggled(self, muted: bool, *, emit: bool = True) -> None:
        self.mute.setIcon(self._icons[1 if muted else 0])
        self.mute.setToolTip("Unmute" if muted else "Mute")
        self.volume.setEnabled(not muted)
        if emit:
            self.muted_changed.emit(muted)

    def _slider_room(self) -> int:
        return self.volume.minimumWidth() + self._row.spacing()

    def minimumSizeHint(self) -> QSize:
        """Mute and rate alone: on a narrow stage the volume slider steps aside (the View
        menu's mute stays), so the pill never holds the window wider than it must be."""
        hint = super().minimumSizeHint()
        if not self.volume.isHidden():
            hint.setWidth(hint.width() - self._slider_room())
        return hint

    def sizeHint(self) -> QSize:
        """The whole pill, slider too, whether or not it is showing right now."""
        hint = super().sizeHint()
        if self.volume.isHidden():
            hint.setWidth(hint.width() + self.volume.sizeHint().width() + self._row.spacing())
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.volume.setHidden(
            event.size().width() < self.minimumSizeHint().width() + self._slider_room()
        )
        super().resizeEvent(event)

    def _speaker_icons(self) -> tuple[QIcon, QIcon]:
        ink = self.palette().color(QPalette.ColorRole.ButtonText)
        return icons.speaker(ink), icons.speaker(ink, muted=True)

    def changeEvent(self, event: QEvent) -> None:
        """Redraw the speaker in the new theme's ink."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._icons = self._speaker_icons()
            self.mute.setIcon(self._icons[1 if self.mute.isChecked() else 0])

    def paintEvent(self, event: QPaintEvent) -> None:
        """A translucent pill in the window's colour, so the stage shows through around it."""
        window = self.palette().color(QPalette.ColorRole.Window)
        edge = QColor(self.palette().color(QPalette.ColorRole.WindowText))
        fill = QColor(window)
        fill.setAlphaF(0.72)
        edge.setAlphaF(0.12)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(edge)
        painter.setBrush(fill)
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.drawRoundedRect(box, box.height() / 2.0, box.height() / 2.0)
