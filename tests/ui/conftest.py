"""Fixtures that build the real app window around a scripted or real chat model."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.providers.base import ChatModel
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.secrets import KeyStore
from avatar_desktop.ui import theme
from avatar_desktop.ui.chat_view import ChatView
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.scripted_model import ScriptedModel

MakeApp = Callable[..., AvatarApp]


@pytest.fixture(autouse=True)
def _theme_put_back(qapp: QApplication) -> Iterator[None]:
    """The app applies its theme to the shared QApplication: each test gets it back as it was
    (palette, sheet, font, no system follower)."""
    palette, sheet, font = QPalette(qapp.palette()), qapp.styleSheet(), QFont(qapp.font())
    yield
    follower = qapp.findChild(theme._SystemFollower, "themeSystemFollower")
    if follower is not None:
        shiboken6.delete(follower)
    qapp.styleHints().unsetColorScheme()
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setProperty("avatarTheme", None)


@pytest.fixture
def make_app(qtbot: QtBot) -> Iterator[MakeApp]:
    """Build (and on teardown close) the real app; each call is one app start."""
    apps: list[AvatarApp] = []
    closed: list[AvatarApp] = []

    def make(
        model: ChatModel | None = None,
        *,
        speak: bool = False,
        keys: KeyStore | None = None,
        welcomed: bool = True,
    ) -> AvatarApp:
        """``speak`` uses the real voice and sound device; off, answers stay text (faster)."""
        paths = app_paths.ensure(app_paths.resolve())
        keys = keys or KeyStore(backend=MemoryKeyring())
        app = AvatarApp(paths, model=model or ScriptedModel(), keys=keys, speak=speak)
        qtbot.addWidget(app.window)
        app.settings.welcomed = welcomed  # the first-run welcome has its own test
        app.start()
        qtbot.waitExposed(app.window)
        with qtbot.waitActive(app.window):
            app.window.activateWindow()  # offscreen windows are not activated by show()
        apps.append(app)
        app.window.closing.connect(lambda: closed.append(app))
        return app

    yield make
    for app in apps:
        if app not in closed:  # also a window hidden by companion mode
            app.window.close()
        app.pools.wait(5000)


def shown_chat_view(qtbot: QtBot, width: int, height: int) -> ChatView:
    """A real chat view of that size, shown and exposed, closed with the test."""
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(width, height)
    chat.show()
    qtbot.waitExposed(chat)
    return chat
