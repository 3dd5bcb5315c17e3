"""The per-session persona dialog."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
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
