"""The stage layout at small and huge sizes, the folding panels, and what a restart remembers."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from avatar_desktop.ui.avatar.view import AvatarView
from avatar_desktop.ui.chat_panel import MIN_WIDTH
from avatar_desktop.ui.main_window import MainWindow
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp


def rect_in(window: MainWindow, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def resized(qtbot: QtBot, window: MainWindow, size: QSize) -> None:
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size)
    qtbot.wait(50)  # the layout settles


def eye_pixels(view: AvatarView) -> int:
    """Dark iris and lash pixels inside the eyes region: the face is drawn at this size."""
    image = view.grab().toImage()
    area = view.regions()["eyes"].toRect().intersected(view.rect())
    dark = 0
    for y in range(area.top(), area.bottom(), 2):
        for x in range(area.left(), area.right(), 2):
            if QColor(image.pixel(x, y)).lightness() < 90:
                dark += 1
    return dark


@pytest.mark.parametrize("chat", [True, False], ids=["chat-open", "chat-folded"])
@pytest.mark.parametrize("size", [QSize(800, 600), QSize(2560, 1440)], ids=["800x600", "2560x1440"])
def test_the_character_fills_the_stage_and_nothing_overlaps(
    qtbot: QtBot, make_app: MakeApp, size: QSize, chat: bool
) -> None:
    window = make_app(ScriptedModel(["Hi."])).window
    window.set_panels(sidebar=True, chat=chat, chat_width=380)
    resized(qtbot, window, size)
    stage = rect_in(window, window.stage_area.host)
    parts = {
        "stage": stage,
        "composer": rect_in(window, window.composer),
        "sidebar": rect_in(window, window.sidebar),
    }
    for name, widget in [
        ("input", window.input),
        ("send", window.send_button),
        ("stop", window.stop_button),
        ("mic", window.record_button),
        ("voice", window.voice_controls),
    ]:
        assert widget.isVisible(), name
        assert window.rect().contains(rect_in(window, widget)), name
    assert window.chat_panel.isVisible() is chat
    if chat:
        parts["chat"] = rect_in(window, window.chat_panel)
        assert parts["chat"].width() >= MIN_WIDTH
    for name, rect in parts.items():
        assert window.rect().contains(rect), name
        for other, rect2 in parts.items():
            if other != name:
                assert not rect.intersects(rect2), (name, other)
    # The avatar fills the stage, large on a big screen and still readable on a small one.
    assert rect_in(window, window.avatar_widget) == stage
    floor = 1000 if size.width() > 2000 else 240
    assert stage.width() >= floor and stage.height() >= floor
    assert window.input.width() >= 200
    # The drawing scales with the stage (vectors): the eyes sit in the stage, drawn.
    view = window.avatar
    assert isinstance(view, AvatarView)
    eyes = view.regions()["eyes"]
    assert view.rect().contains(eyes.toRect())
    assert eyes.width() > 0.12 * min(stage.width(), stage.height())
    assert eye_pixels(view) > 20


def test_folding_the_chat_gives_its_room_to_the_stage_and_keeps_its_width(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    window = make_app(ScriptedModel(["Hi."])).window
    resized(qtbot, window, QSize(1400, 900))
    window.set_panels(sidebar=True, chat=True, chat_width=460)
    qtbot.waitUntil(lambda: abs(window.chat_panel.width() - 460) <= 2)
    with_chat = window.stage_area.host.width()
    window.chat_action.trigger()  # View → Chat (Ctrl+J)
    qtbot.waitUntil(lambda: not window.chat_panel.isVisible())
    qtbot.waitUntil(lambda: window.stage_area.host.width() > with_chat + 400)
    assert abs(window.chat_width() - 460) <= 2  # remembered while folded
    window.sidebar_action.trigger()
    qtbot.waitUntil(lambda: not window.sidebar.isVisible())
    window.chat_action.trigger()
    qtbot.waitUntil(lambda: abs(window.chat_panel.width() - 460) <= 2)


def test_the_panels_fold_from_the_keyboard(qtbot: QtBot, make_app: MakeApp) -> None:
    window = make_app(ScriptedModel(["Hi."])).window
    keys = {a.shortcut().toString() for a in (window.chat_action, window.sidebar_action)}
    assert keys == {"Ctrl+J", "Ctrl+B"}
    assert window.companion_action.shortcut().toString() == "Ctrl+Shift+M"
    window.input.setFocus()
    qtbot.keyClick(window.input, "j", modifier=Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.chat_panel.isVisible())
    assert window.input.hasFocus()  # typing goes on where it was


def test_the_voice_pill_gives_way_on_a_narrow_stage(qtbot: QtBot, make_app: MakeApp) -> None:
    """At the smallest window with every panel open the volume slider steps aside, so the top
    row never holds the window wider than the panels and the stage need."""
    window = make_app(ScriptedModel(["Hi."])).window
    window.set_panels(sidebar=True, chat=True, chat_width=380)
    pill = window.voice_controls
    resized(qtbot, window, QSize(1400, 900))
    assert pill.volume.isVisible() and pill.mute.isVisible() and pill.rate.isVisible()
    window.resize(200, 150)
    qtbot.waitUntil(lambda: not pill.volume.isVisible())
    assert window.width() <= 760  # the smallest window is well inside 800 pixels
    assert pill.mute.isVisible() and pill.rate.isVisible()
    top_row = rect_in(window, window.stage_area).adjusted(0, 0, 0, -window.stage_area.host.height())
    assert top_row.contains(rect_in(window, pill))
    resized(qtbot, window, QSize(1400, 900))
    qtbot.waitUntil(lambda: pill.volume.isVisible())
    assert pill.volume.width() >= pill.volume.minimumWidth()


def test_a_tiny_window_stays_usable(qtbot: QtBot, make_app: MakeApp) -> None:
    window = make_app(ScriptedModel(["Hi."])).window
    window.resize(200, 150)
    qtbot.wait(100)
    assert window.width() >= 200 and window.height() >= 150  # held at its minimum
    for widget in (window.input, window.send_button, window.stage_area.host):
        assert widget.isVisible()
        assert widget.width() > 0 and widget.height() > 0


def test_panels_theme_and_size_are_remembered_across_restarts(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    first = make_app(ScriptedModel(["Hi."]))
    window = first.window
    resized(qtbot, window, QSize(780, 720))
    window.sidebar_action.trigger()  # View → Conversations: folded
    window.set_panels(sidebar=False, chat=True, chat_width=300)
    qtbot.waitUntil(lambda: abs(window.chat_panel.width() - 300) <= 2)
    window.chat_action.trigger()
    dark = next(a for a in window.theme_group.actions() if a.data() == "dark")
    dark.trigger()
    assert first.settings.theme == "dark"
    window.close()

    second = make_app(ScriptedModel(["Hi."])).window
    assert second.size() == QSize(780, 720)
    assert not second.sidebar_shown() and not second.sidebar.isVisible()
    assert not second.chat_shown() and not second.chat_panel.isVisible()
    assert abs(second.chat_width() - 300) <= 2
    checked = [a.data() for a in second.theme_group.actions() if a.isChecked()]
    assert checked == ["dark"]
    second.chat_action.trigger()
    qtbot.waitUntil(lambda: abs(second.chat_panel.width() - 300) <= 2)
