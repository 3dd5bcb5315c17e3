"""The first-run welcome: shown once over the window, it says what works without keys and
leads to the settings."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.storage.settings import load_settings
from tests.ui.conftest import MakeApp


def test_the_welcome_is_shown_once_and_explains_what_works_offline(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app(welcomed=False)
    qtbot.waitUntil(lambda: app.welcome_dialog is not None and app.welcome_dialog.isVisible())
    dialog = app.welcome_dialog
    assert dialog is not None
    label = dialog.findChild(QLabel, "welcomeText")
    assert label is not None
    text = label.text()
    assert "offline" in text and "Groq" in text and "D-ID" in text and "ElevenLabs" in text
    assert app.window.isVisible() and app.window.input.isEnabled()  # it does not block
    dialog.start_button.click()
    qtbot.waitUntil(lambda: app.welcome_dialog is None)
    assert load_settings(app.paths.settings_file).welcomed
    again = make_app(welcomed=load_settings(app.paths.settings_file).welcomed)
    assert again.welcome_dialog is None


def test_the_welcome_leads_to_the_settings(
    qtbot: QtBot, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[bool] = []
    monkeypatch.setattr(
        AvatarApp, "_on_window_settings_requested", lambda _self: opened.append(True)
    )
    app = make_app(welcomed=False)
    qtbot.waitUntil(lambda: app.welcome_dialog is not None)
    assert app.welcome_dialog is not None
    app.welcome_dialog.settings_button.click()
    qtbot.waitUntil(lambda: opened == [True])
    assert app.welcome_dialog is None
