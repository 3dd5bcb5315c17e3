"""The bar under the stage where the user talks or writes: microphone, message, Send, Stop."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from avatar_desktop.ui import icons, mic_button
from avatar_desktop.ui.input_box import PLACEHOLDER, InputBox

RECORD_TIP = "Talk: click, speak, click again — or hold it (or Ctrl+Space) while you speak"
RECORD_SIZE = 44


class Composer(QFrame):
    """Holds the window's input widgets; the window wires their signals."""

    def __init__(self, input_box: InputBox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.input = input_box
        self.record_button = QToolButton()
        self.record_button.setObjectName("recordButton")
        self.record_button.setIconSize(QSize(24, 24))
        self.record_button.setToolTip(RECORD_TIP)
        self.record_button.setFixedSize(RECORD_SIZE, RECORD_SIZE)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.send_button.setToolTip("Send the message (Enter)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip("Stop the answer (Esc)")
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 10)
        row.setSpacing(10)
        row.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.input, 1)
        row.addLayout(buttons)
        icons.follow_palette(self.record_button, icons.microphone)  # redrawn with the theme

    def set_recording(self, recording: bool) -> None:
        """The microphone is open (the button glows with the voice) or closed."""
        mic_button.show_recording(self.record_button, recording, RECORD_TIP)

    def set_input_level(self, level_db: float | None) -> None:
        mic_button.show_level(self.record_button, level_db)

    def set_transcribing(self, busy: bool) -> None:
        self.record_button.setEnabled(not busy)
        text = "Turning what you said into text…" if busy else PLACEHOLDER
        self.input.show_hint(text)
