"""Small dialogs: settings (chat model file and answer length) and the per-session persona."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """What the settings dialog edits; an empty model path means the bundled model."""

    model_path: str
    max_tokens: int
    temperature: float


class SettingsDialog(QDialog):
    """Pick the embedded chat model file and how long and lively answers are."""

    def __init__(self, current: ChatSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self.model_path = QLineEdit(current.model_path)
        self.model_path.setObjectName("modelPath")
        self.model_path.setPlaceholderText("Bundled: SmolLM2-135M-Instruct")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        bundled = QPushButton("Use bundled")
        bundled.clicked.connect(self.model_path.clear)
        row = QHBoxLayout()
        row.addWidget(self.model_path, 1)
        row.addWidget(browse)
        row.addWidget(bundled)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(16, 4096)
        self.max_tokens.setValue(current.max_tokens)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(current.temperature)
        form = QFormLayout()
        form.addRow("Chat model (GGUF file):", row)
        form.addRow("Longest answer (tokens):", self.max_tokens)
        form.addRow("Creativity (temperature):", self.temperature)
        note = QLabel("Runs on this computer; no key and no network needed.")
        note.setEnabled(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a GGUF chat model", "", "GGUF models (*.gguf);;All files (*)"
        )
        if path:
            self.model_path.setText(path)

    def values(self) -> ChatSettings:
        return ChatSettings(
            self.model_path.text().strip(), self.max_tokens.value(), self.temperature.value()
        )


class PersonaDialog(QDialog):
    """Edit this conversation's persona (the system prompt), with a way back to the default."""

    def __init__(self, current: str, default: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Persona for this conversation")
        self.setObjectName("personaDialog")
        self._default = default
        self.editor = QPlainTextEdit(current)
        self.editor.setObjectName("personaEditor")
        reset = QPushButton("Reset to default")
        reset.clicked.connect(lambda: self.editor.setPlainText(self._default))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.addButton(reset, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("How the assistant should behave in this conversation:"))
        layout.addWidget(self.editor)
        layout.addWidget(buttons)
        self.resize(520, 320)

    def text(self) -> str:
        return self.editor.toPlainText().strip()
