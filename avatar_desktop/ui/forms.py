"""Small layout helpers the dialogs share."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget


def row(*widgets: QWidget) -> QWidget:
    """Widgets side by side; the first one takes the spare width."""
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widgets[0], 1)
    for widget in widgets[1:]:
        layout.addWidget(widget)
    return holder
