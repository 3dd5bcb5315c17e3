"""The first-run welcome: what works with no keys at all, and what each key adds."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from avatar_desktop.ui.app_icon import app_icon

WELCOME_HTML = """
<h2>Welcome to Avatar Desktop</h2>
<p>Talk to the avatar by typing, or hold the microphone button (or <b>Ctrl+Space</b>) and
speak. It answers out loud, with its lips, face and hands.</p>
<p><b>Everything works on this computer, offline, with no account and no key:</b> a small
chat model, a voice, speech recognition and the drawn avatar. Your conversations stay in your
user folder.</p>
<p><b>Optional keys</b> (Settings → Keys; kept in your system keyring, never in a file):</p>
<ul>
<li><b>Groq</b> — much faster and smarter answers, and more accurate ears.</li>
<li><b>D-ID</b> — a photoreal video presenter: your own portrait, or a stock presenter.</li>
<li><b>ElevenLabs</b> — natural cloud voices for the drawn avatar.</li>
</ul>
"""


class WelcomeDialog(QDialog):
    """Shown once, over the window, without blocking it.

    Signals:
        settings_requested(): the user wants to add a key now.
    """

    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle("Welcome")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        text = QLabel(WELCOME_HTML)
        text.setObjectName("welcomeText")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.settings_button = QPushButton("Add a key in Settings…")
        self.settings_button.setObjectName("welcomeSettings")
        self.settings_button.clicked.connect(self._on_settings_clicked)
        self.start_button = QPushButton("Start talking")
        self.start_button.setObjectName("welcomeStart")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(text, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.settings_button)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        self.resize(580, 400)

    def _on_settings_clicked(self) -> None:
        self.accept()
        self.settings_requested.emit()
