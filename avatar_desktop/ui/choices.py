"""One radio button per way to fill a role, in the catalogue's order and words.

A new service's choice appears in the settings by itself; a tab only adds the rows of
options that belong under a choice (a model picker, a portrait), enabled while it is chosen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QButtonGroup, QFormLayout, QRadioButton, QWidget

from avatar_desktop.core.catalogue import Choice, ServiceRole, offers

OptionRows = Mapping[Choice, Sequence[tuple[str, QWidget]]]


class ChoiceGroup(QObject):
    """The radios of one role; ``changed`` fires when the user picks another."""

    changed = Signal()

    def __init__(self, role: ServiceRole, current: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.role = role
        self._group = QButtonGroup(parent)
        self.radios: dict[Choice, QRadioButton] = {}
        for offer in offers(role):
            radio = QRadioButton(offer.text, parent)
            radio.setObjectName(f"{role}-{offer.choice}")
            self._group.addButton(radio)
            self.radios[offer.choice] = radio
        self._options: dict[Choice, list[QWidget]] = {}
        self.set(current)
        self._group.buttonToggled.connect(self._on_group_button_toggled)

    def add_to(self, form: QFormLayout, options: OptionRows | None = None) -> None:
        """Each radio, with the rows of options that belong to it right below it."""
        for choice, radio in self.radios.items():
            form.addRow(radio)
            for label, widget in (options or {}).get(choice, ()):
                form.addRow(label, widget)
                self._options.setdefault(choice, []).append(widget)
        self._enable_options()

    def choice(self) -> Choice:
        for choice, radio in self.radios.items():
            if radio.isChecked():
                return choice
        return next(iter(self.radios))

    def set(self, value: str) -> None:
        """Check ``value``'s radio; a value this role does not offer checks the first one."""
        chosen = next((c for c in self.radios if c == value), None)
        self.radios[chosen if chosen is not None else next(iter(self.radios))].setChecked(True)

    def _on_group_button_toggled(self, _button: object, checked: bool) -> None:
        if checked:
            self._enable_options()
            self.changed.emit()

    def _enable_options(self) -> None:
        chosen = self.choice()
        for choice, widgets in self._options.items():
            for widget in widgets:
                widget.setEnabled(choice == chosen)
