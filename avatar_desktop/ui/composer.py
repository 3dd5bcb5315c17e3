"""The bar under the stage where the user talks or writes: microphone, message, Send, Stop."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from avatar_desktop.ui import icons
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
        self.record_button.setProperty("recording", recording)
        self.record_button.setToolTip(
            "Listening… click (or let go) when you are done." if recording else RECORD_TIP
        )
        self.set_input_level(-90.0 if recording else None)

    def set_input_level(self, level_db: float | None) -> None:
        """Show how loud the microphone hears the user: a red glow that grows with the voice."""
        if level_db is None:
            self.record_button.setStyleSheet("")
            return
        strength = min(1.0, max(0.0, (level_db + 60.0) / 50.0))
        alpha = int(70 + 185 * strength)
        radius = RECORD_SIZE // 2
        self.record_button.setStyleSheet(
            f"QToolButton#recordButton {{ background: rgba(220, 60, 60, {alpha});"
            f" border-radius: {radius}px; border: 2px solid rgb(200, 40, 40); }}"
        )

    def set_transcribing(self, busy: bool) -> None:
        self.record_button.setEnabled(not busy)
        text = "Turning what you said into text…" if busy else PLACEHOLDER
        self.input.setPlaceholderText(text)
