"""The main window's menus: every command has an entry and most a key, so the keyboard does all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


def action(
    window: QMainWindow, text: str, keys: Sequence[Any], slot: Callable[..., Any] | SignalInstance
) -> QAction:
    """An action known to the window (its keys work anywhere in it)."""
    act = QAction(text, window)
    act.setShortcuts([QKeySequence(k) for k in keys])
    act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.triggered.connect(slot)
    window.addAction(act)
    return act


def toggle(window: QMainWindow, text: str, keys: Sequence[Any], tip: str) -> QAction:
    """A checkable action; its owner connects ``toggled``."""
    act = action(window, text, keys, lambda: None)
    act.setCheckable(True)
    act.setToolTip(f"{tip} ({act.shortcut().toString()})" if keys else tip)
    return act


def theme_menu(window: QMainWindow, parent: QMenu, chosen: Callable[[str], None]) -> QActionGroup:
    """View → Theme: system, light or dark, one checked."""
    menu = parent.addMenu("&Theme")
    group = QActionGroup(window)
    group.setExclusive(True)
    for name, label in THEMES:
        act = QAction(label, window)
        act.setCheckable(True)
        act.setData(name)
        act.triggered.connect(lambda _checked=False, n=name: chosen(n))
        group.addAction(act)
        menu.addAction(act)
    return group


def fill(menu: QMenu, actions: Sequence[QAction | None]) -> None:
    """Entries in order; None is a separator."""
    for act in actions:
        if act is None:
            menu.addSeparator()
        else:
            menu.addAction(act)
