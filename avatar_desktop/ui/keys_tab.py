"""Settings → Keys: one row per service in the catalogue — the key, a Test, what is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from avatar_desktop.core.catalogue import CATALOGUE, Service, ServiceInfo
from avatar_desktop.ui.forms import row


class KeyServices(Protocol):
    """What the tab may ask of the app; answers come back through the callbacks."""

    def test_key(self, service: Service, key: str, done: Callable[[bool, str], None]) -> None: ...

    def key_status(self, service: Service) -> str: ...


class KeyRow:
    """One service's key: the field (never echoed), Test and its answer, and Remove."""

    def __init__(self, info: ServiceInfo, services: KeyServices, form: QFormLayout) -> None:
        self.info = info
        self._services = services
        self.field = QLineEdit()
        self.field.setObjectName(f"{info.id}Key")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText(f"{info.key_hint}  (leave empty to keep the saved key)")
        self.test_button = QPushButton("Test")
        self.test_button.setObjectName(f"{info.id}TestKey")
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.status = QLabel(services.key_status(info.id))
        self.status.setObjectName(f"{info.id}KeyStatus")
        self.status.setWordWrap(True)
        self.result = QLabel("")
        self.result.setObjectName(f"{info.id}KeyTest")
        self.result.setWordWrap(True)
        self.remove = QCheckBox(f"Remove the saved {info.label} key")
        form.addRow(f"{info.label} API key:", row(self.field, self.test_button))
        for widget in (self.status, self.result, self.remove):
            form.addRow("", widget)

    def typed(self) -> str:
        return self.field.text().strip()

    def _on_test_button_clicked(self) -> None:
        self.result.setText("Testing…")
        self.test_button.setEnabled(False)
        self._services.test_key(self.info.id, self.typed(), self.show_result)

    def show_result(self, ok: bool, text: str) -> None:
        self.test_button.setEnabled(True)
        self.result.setText(("✓ " if ok else "✗ ") + text)


class KeysTab(QWidget):
    """Every service's key in catalogue order; keys go to the keyring, never to a file."""

    def __init__(self, services: KeyServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.rows = {service: KeyRow(info, services, form) for service, info in CATALOGUE.items()}
        names = [info.key_env for info in CATALOGUE.values()]
        note = QLabel(
            "Keys are kept in your system's keyring, never in a file or a log. The "
            f"{', '.join(names[:-1])} and {names[-1]} environment variables also work."
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        form.addRow(note)

    def typed(self, service: Service) -> str:
        """The key typed for ``service`` (empty: keep the stored one)."""
        return self.rows[service].typed()

    def typed_keys(self) -> dict[Service, str]:
        return {service: key for service in self.rows if (key := self.typed(service))}

    def removed(self) -> frozenset[Service]:
        return frozenset(s for s, key_row in self.rows.items() if key_row.remove.isChecked())
