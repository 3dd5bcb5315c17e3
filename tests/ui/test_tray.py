"""The tray icon: built only where the desktop has a tray; the menu holds the app's own actions."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from avatar_desktop.ui.tray import Tray


def actions(owner: QWidget) -> list[QAction]:
    names = ("Show window", "Companion", "Mute", "Listening", "Quit")
    made = [QAction(name, owner) for name in names]
    for act in made[1:4]:
        act.setCheckable(True)
    return made


def test_no_tray_builds_nothing_and_says_so(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    if QSystemTrayIcon.isSystemTrayAvailable():
        pytest.skip("this desktop has a tray")
    with caplog.at_level(logging.INFO, logger="avatar_desktop"):
        tray = Tray(actions(owner))
    assert not Tray.available()
    assert tray.icon is None and tray.menu is None
    assert tray.actions() == []
    tray.show()  # harmless without a tray
    tray.hide()
    assert any("No system tray" in r.getMessage() for r in caplog.records)


# With a tray: tests/ui/test_tray_desktop.py, on a real desktop (Xvfb, a session bus, a tray).
