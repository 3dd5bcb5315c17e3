"""The light and dark themes: the scheme chosen, following the system, and every custom-painted
part (avatar backdrop, bubbles, notices, icons, dialogs) repainting when the theme changes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from avatar_desktop.ui import icons, theme
from avatar_desktop.ui.avatar.view import AvatarView
from avatar_desktop.ui.chat_view import ChatView
from avatar_desktop.ui.dialogs import PersonaDialog
from avatar_desktop.ui.notice_bar import NoticeBar
from avatar_desktop.ui.voice_controls import VoiceControls
from avatar_desktop.ui.welcome import WelcomeDialog

_Role = QPalette.ColorRole
_Scheme = Qt.ColorScheme


@pytest.fixture
def app(qapp: QApplication) -> QApplication:
    """The test app; tests/ui/conftest.py puts its theme back afterwards."""
    return qapp


def shown(qtbot: QtBot, widget: QWidget, width: int, height: int) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def pixel(image: QImage, x: int, y: int) -> QColor:
    return QColor.fromRgb(image.pixel(x, y))


@pytest.mark.parametrize(
    ("choice", "system", "expected"),
    [
        ("light", _Scheme.Dark, "light"),
        ("dark", _Scheme.Light, "dark"),
        ("system", _Scheme.Dark, "dark"),
        ("system", _Scheme.Light, "light"),
        ("system", _Scheme.Unknown, "light"),
        ("sepia", _Scheme.Dark, "dark"),
    ],
)
def test_scheme_for_a_choice_and_the_system_scheme(
    choice: str, system: Qt.ColorScheme, expected: str
) -> None:
    assert theme.scheme_for(choice, system) == expected


def test_light_then_dark_changes_palette_sheet_and_style(app: QApplication) -> None:
    theme.apply(app, "light")
    light_window, light_sheet = app.palette().color(_Role.Window), app.styleSheet()
    assert light_window.lightnessF() > 0.85 and not theme.is_dark(app)
    assert theme.current(app) == "light"
    assert "QPushButton#sendButton" in light_sheet and "#chatPanel" in light_sheet

    theme.apply(app, "dark")
    assert app.palette().color(_Role.Window).lightnessF() < 0.15
    assert theme.is_dark(app) and theme.is_dark(app.palette())
    assert app.styleSheet() != light_sheet
    assert theme.current(app) == "dark"
    assert app.font().pointSizeF() >= theme.BASE_POINT_SIZE
    app.setStyleSheet("")  # under a sheet, app.style() is Qt's nameless sheet style
    assert app.style().name().lower() == "fusion"


def test_apply_is_idempotent_and_says_only_real_changes(app: QApplication, qtbot: QtBot) -> None:
    theme.apply(app, "dark")
    said: list[str] = []
    theme.notifier().changed.connect(said.append)
    try:
        theme.apply(app, "dark")
        assert said == []
        theme.apply(app, "light")
        assert said == ["light"]
    finally:
        theme.notifier().changed.disconnect(said.append)


def test_an_unknown_choice_follows_the_system(app: QApplication) -> None:
    theme.apply(app, "dark")
    theme.apply(app, "sepia")
    expected = theme.scheme_for("system", app.styleHints().colorScheme())
    assert theme.current(app) == expected


def test_follow_system_reapplies_only_while_the_choice_is_system(app: QApplication) -> None:
    choice = ["system"]
    theme.apply(app, "system", system=_Scheme.Light)
    theme.follow_system(app, lambda: choice[0])
    theme.follow_system(app, lambda: choice[0])  # a second call must not connect twice
    hints = app.styleHints()

    hints.colorSchemeChanged.emit(_Scheme.Dark)
    assert theme.current(app) == "dark"
    hints.colorSchemeChanged.emit(_Scheme.Light)
    assert theme.current(app) == "light"

    choice[0] = "light"
    hints.colorSchemeChanged.emit(_Scheme.Dark)
    assert theme.current(app) == "light"


def test_the_drawn_avatar_repaints_its_backdrop_after_a_switch(
    app: QApplication, qtbot: QtBot
) -> None:
    theme.apply(app, "light")
    view = shown(qtbot, AvatarView(), 480, 360)
    corner = pixel(view.grab().toImage(), 4, 4)
    assert corner.lightnessF() > 0.8

    theme.apply(app, "dark")
    qtbot.waitUntil(lambda: pixel(view.grab().toImage(), 4, 4) != corner)
    dark_corner = pixel(view.grab().toImage(), 4, 4)
    assert dark_corner.lightnessF() < 0.25


def test_bubbles_recolour_with_the_theme(app: QApplication, qtbot: QtBot) -> None:
    theme.apply(app, "light")
    chat = shown(qtbot, ChatView(), 520, 400)
    assert isinstance(chat, ChatView)
    user = chat.add_message("user", "Hello there")
    answer = chat.add_message("assistant", "Hi! How can I help?")
    qtbot.waitUntil(lambda: answer.height() > 20 and user.height() > 20)

    def fills() -> tuple[QColor, QColor]:
        """A pixel inside each card's padding: left edge of the answer, right of the question."""
        mine, theirs = user.grab().toImage(), answer.grab().toImage()
        return (
            pixel(mine, mine.width() - 6, mine.height() // 2),
            pixel(theirs, 6, theirs.height() // 2),
        )

    light_user, light_answer = fills()
    assert light_user.lightnessF() > 0.8 and light_answer.lightnessF() > 0.8
    assert light_user != light_answer  # the user's bubble carries the accent's tint
    assert light_user.blueF() > light_user.greenF()

    theme.apply(app, "dark")
    qtbot.waitUntil(lambda: fills()[1].lightnessF() < 0.3)
    dark_user, dark_answer = fills()
    assert dark_user.lightnessF() < 0.4 and dark_user != dark_answer
    ink = answer.text_label.palette().color(_Role.WindowText)
    assert ink.lightnessF() > 0.8  # the text turned light with the card
    for bubble, card in ((user, dark_user), (answer, dark_answer)):
        # The text's own fill is the card's too: the new sheet re-polishes every label, and a
        # fill set before that showed as a window-coloured box behind the words.
        label = bubble.text_label
        corner = pixel(bubble.grab().toImage(), *label.mapTo(bubble, QPoint(1, 1)).toTuple())
        assert corner == card, (corner.name(), card.name())


def test_notice_ink_reads_on_either_theme(app: QApplication, qtbot: QtBot) -> None:
    theme.apply(app, "light")
    notice = shown(qtbot, NoticeBar(), 400, 40)
    assert isinstance(notice, NoticeBar)
    notice.show_notice("warning", "Slow down")
    light_ink = notice.label.palette().color(_Role.WindowText)
    assert light_ink.lightnessF() < 0.4

    theme.apply(app, "dark")
    qtbot.waitUntil(lambda: notice.label.palette().color(_Role.WindowText).lightnessF() > 0.5)
    assert notice.text() == "Slow down" and notice.level == "warning"


def test_icons_follow_the_palette(app: QApplication, qtbot: QtBot) -> None:
    theme.apply(app, "light")
    button = QPushButton("New")
    icons.follow_palette(button, icons.plus)
    controls = VoiceControls()
    for widget in (button, controls):
        shown(qtbot, widget, 200, 40)

    def inks() -> list[float]:
        return [ink_of(b.icon()).lightnessF() for b in (button, controls.mute)]

    assert max(inks()) < 0.3
    theme.apply(app, "dark")
    qtbot.waitUntil(lambda: min(inks()) > 0.7)


def ink_of(icon: QIcon) -> QColor:
    """The most opaque pixel of an icon: its ink."""
    image = icon.pixmap(24, 24).toImage()
    best, alpha = QColor(), -1
    for y in range(image.height()):
        for x in range(image.width()):
            colour = QColor.fromRgba(image.pixel(x, y))
            if colour.alpha() > alpha:
                best, alpha = colour, colour.alpha()
    return best


@pytest.mark.parametrize("choice", ["light", "dark"])
def test_dialogs_take_the_theme(app: QApplication, qtbot: QtBot, choice: str) -> None:
    """The sheet parses (a Qt warning would fail this) and dialogs paint the theme's window."""
    theme.apply(app, choice)
    for dialog in (WelcomeDialog(), PersonaDialog("Be kind.", "Be helpful.")):
        shown(qtbot, dialog, 520, 360)
        image = dialog.grab().toImage()
        window = app.palette().color(_Role.Window)
        assert pixel(image, 2, image.height() - 2) == window
        dialog.close()


def test_the_sheet_parses_whatever_the_app_is_called(
    app: QApplication, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The glyph folder once took the app's name; "<stdin>" or a space broke the whole sheet."""
    monkeypatch.setattr(theme, "_glyph_dir", None)
    name = app.applicationName()
    app.setApplicationName("Avatar <Desktop> test")
    try:
        theme.apply(app, "dark")
    finally:
        app.setApplicationName(name)
    assert "avatar-desktop-theme-" in app.styleSheet()
    box = QComboBox()
    box.addItems(["one", "two"])
    with qtbot.captureExceptions():
        shown(qtbot, box, 160, 40)  # polishing parses the sheet: a failure is a Qt warning
