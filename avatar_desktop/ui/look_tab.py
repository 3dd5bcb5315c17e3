"""The settings page for the avatar's look and where its voice comes out."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QWidget

from avatar_desktop.avatar.look import (
    CLOTHING_COLOURS,
    EYE_COLOURS,
    HAIR_COLOURS,
    HAIR_STYLES,
    SHIRT_STYLES,
    SKIN_TONES,
    Look,
    Swatch,
)
from avatar_desktop.avatar.pose import Pose
from avatar_desktop.ui.avatar.view import render_to_image

_COLOUR_FIELDS = (
    ("skin", "Skin tone", SKIN_TONES),
    ("hair_colour", "Hair colour", HAIR_COLOURS),
    ("eye_colour", "Eye colour", EYE_COLOURS),
    ("clothing_colour", "Clothes", CLOTHING_COLOURS),
)
_CHOICE_FIELDS = (("hair_style", "Hair style", HAIR_STYLES), ("shirt_style", "Top", SHIRT_STYLES))
DEFAULT_DEVICE = "System default"
_PREVIEW_POSE = Pose(smile=0.5)


def _swatch_icon(colour: str) -> QIcon:
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class LookTab(QWidget):
    """Pick skin, hair, eyes and clothes with a live preview, and the sound output."""

    def __init__(
        self,
        look: Look,
        devices: Sequence[tuple[str, str]],
        device: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._boxes: dict[str, QComboBox] = {}
        form = QFormLayout()
        for name, label, swatches in _COLOUR_FIELDS:
            form.addRow(f"{label}:", self._colour_box(name, swatches, getattr(look, name)))
        for name, label, choices in _CHOICE_FIELDS:
            box = QComboBox()
            for choice in choices:
                box.addItem(choice.capitalize(), choice)
            box.setCurrentIndex(max(0, box.findData(getattr(look, name))))
            box.currentIndexChanged.connect(self._refresh)
            self._boxes[name] = box
            form.addRow(f"{label}:", box)
        self.device = QComboBox()
        self.device.setObjectName("outputDevice")
        self.device.addItem(DEFAULT_DEVICE, None)
        for key, title in devices:
            self.device.addItem(title, key)
        self.device.setCurrentIndex(max(0, self.device.findData(device)))
        form.addRow("Sound output:", self.device)
        self.preview = QLabel()
        self.preview.setObjectName("lookPreview")
        self.preview.setFixedSize(QSize(200, 200))
        row = QHBoxLayout(self)
        row.addLayout(form, 1)
        row.addWidget(self.preview)
        self._refresh()

    def _colour_box(self, name: str, swatches: Sequence[Swatch], current: str) -> QComboBox:
        box = QComboBox()
        for swatch in swatches:
            box.addItem(_swatch_icon(swatch.colour), swatch.name, swatch.colour)
        index = box.findData(current.lower())
        if index < 0:
            box.addItem(_swatch_icon(current), current, current)
            index = box.count() - 1
        box.setCurrentIndex(index)
        box.currentIndexChanged.connect(self._refresh)
        self._boxes[name] = box
        return box

    def look(self) -> Look:
        return Look.from_dict({name: box.currentData() for name, box in self._boxes.items()})

    def output_device(self) -> str | None:
        data = self.device.currentData()
        return None if data is None else str(data)

    def _refresh(self) -> None:
        image = render_to_image(_PREVIEW_POSE, QSize(200, 200), self.look())
        self.preview.setPixmap(QPixmap.fromImage(image))
