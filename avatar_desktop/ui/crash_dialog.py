"""The dialog for an unhandled error: plain words, and a report the user can copy and share."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

TITLE = "Something went wrong"
INTRO = (
    "Avatar Desktop hit an unexpected error. Your conversations are saved. "
    "You can keep using the app; if it misbehaves, restart it."
)
DETAILS = "Include the error's details (may contain text from your conversation)"


class Report(Protocol):
    """A crash report that can be shown with or without the error's own message."""

    def text(self, include_details: bool = False) -> str: ...


class CrashDialog(QDialog):
    """Says what happened without alarming, and hands over a report that is safe to paste."""

    def __init__(
        self, report: Report, parent: QWidget | None = None, *, log_file: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(TITLE)
        self.setModal(False)  # the window behind stays usable
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._report = report
        intro = QLabel(INTRO)
        intro.setObjectName("crashIntro")
        intro.setWordWrap(True)
        self.report_view = QPlainTextEdit()
        self.report_view.setObjectName("crashReport")
        self.report_view.setReadOnly(True)
        self.report_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.report_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details = QCheckBox(DETAILS)
        self.details.setObjectName("crashDetails")
        self.details.toggled.connect(self._on_details_toggled)
        self.copy_button = QPushButton("Copy report")
        self.copy_button.setObjectName("crashCopyButton")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.copied = QLabel("")
        self.copied.setObjectName("crashCopied")
        close = QPushButton("Close")
        close.setObjectName("crashCloseButton")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.copied)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(self.details)
        if log_file is not None:
            where = QLabel(f"Log file: {log_file}")
            where.setObjectName("crashLogFile")
            where.setWordWrap(True)
            where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(where)
        layout.addLayout(buttons)
        self.resize(640, 420)
        self._render()
        close.setFocus()

    def text(self) -> str:
        """The report exactly as shown."""
        return self.report_view.toPlainText()

    def _render(self) -> None:
        self.report_view.setPlainText(self._report.text(include_details=self.details.isChecked()))
        self.copied.clear()  # what was copied is no longer what is shown

    def _on_details_toggled(self, _checked: bool) -> None:
        self._render()

    def _on_copy_button_clicked(self) -> None:
        QApplication.clipboard().setText(self.text())
        self.copied.setText("Copied")
