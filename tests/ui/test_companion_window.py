"""Companion mode's window, driven as the user would: hover, type, drag, resize, double-click."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QEnterEvent, QImage, QMouseEvent, QRegion
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from avatar_desktop.ui.avatar import AvatarView
from avatar_desktop.ui.companion_bubble import CaptionBubble
from avatar_desktop.ui.companion_window import HIDE_DELAY_MS, CompanionWindow, limitations
from avatar_desktop.ui.video_view import VideoView

# The offscreen platform cannot raise a window; an always-on-top window asks it to on show().
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")

LONG = (
    "Here is a rather long sentence that the avatar is speaking right now, so long that it"
    " cannot possibly fit on three lines of a small companion bubble without being cut short."
)


@pytest.fixture
def companion(qtbot: QtBot) -> Iterator[CompanionWindow]:
    window = CompanionWindow(translucent=True)
    qtbot.addWidget(window)
    window.use_system_move = False
    window.grip.use_system_resize = False
    window.setGeometry(200, 150, 300, 320)
    window.show()
    qtbot.waitExposed(window)
    yield window


def stage() -> AvatarView:
    view = AvatarView()
    VideoView(view)
    return view


def mouse(kind: QEvent.Type, widget: QWidget, at: QPoint, buttons: Qt.MouseButton) -> None:
    """A real mouse event at global ``at`` (QTest's mouseMove drops held buttons)."""
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind,
        QPointF(widget.mapFromGlobal(at)),
        QPointF(at),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def enter(widget: QWidget) -> None:
    centre = QPointF(widget.rect().center())
    QApplication.sendEvent(widget, QEnterEvent(centre, centre, QPointF(widget.mapToGlobal(centre))))


def test_a_frameless_translucent_tool_window_on_top(companion: CompanionWindow) -> None:
    flags = companion.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert flags & Qt.WindowType.Tool == Qt.WindowType.Tool
    assert companion.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    assert companion.isWindow()


def test_hold_and_release_move_the_stage_with_its_video(
    companion: CompanionWindow, qtbot: QtBot
) -> None:
    view = stage()
    qtbot.addWidget(view)
    video = view.findChild(VideoView)
    companion.hold(view)
    assert view.parent() is companion
    assert video is not None and video.parent() is view
    assert not view.backdrop()
    assert view.geometry() == companion.rect()  # it fills the window
    back = companion.release()
    assert back is view
    assert view.parent() is None
    assert view.backdrop()
    assert view.findChild(VideoView) is video
    assert companion.release() is None
    assert companion.stage() is None


def test_hover_shows_the_controls_and_leaving_hides_them_after_a_delay(
    companion: CompanionWindow, qtbot: QtBot
) -> None:
    assert not companion.controls_visible()
    enter(companion)
    assert companion.controls_visible()
    assert companion.grip.isVisible()
    QApplication.sendEvent(companion, QEvent(QEvent.Type.Leave))
    assert companion.controls_visible()  # not at once: the mouse may come straight back
    qtbot.waitUntil(lambda: not companion.controls_visible(), timeout=HIDE_DELAY_MS * 3)
    assert not companion.grip.isVisible()


def test_coming_back_in_time_keeps_the_controls(companion: CompanionWindow, qtbot: QtBot) -> None:
    enter(companion)
    QApplication.sendEvent(companion, QEvent(QEvent.Type.Leave))
    enter(companion)
    qtbot.wait(HIDE_DELAY_MS + 200)
    assert companion.controls_visible()


def test_enter_sends_the_text_once_and_clears(companion: CompanionWindow, qtbot: QtBot) -> None:
    enter(companion)
    sent: list[str] = []
    companion.send_requested.connect(sent.append)
    qtbot.keyClicks(companion.bar.input, "hello there")
    qtbot.keyClick(companion.bar.input, Qt.Key.Key_Return)
    assert sent == ["hello there"]
    assert companion.bar.input.text() == ""


def test_blank_text_is_not_sent(companion: CompanionWindow, qtbot: QtBot) -> None:
    enter(companion)
    sent: list[str] = []
    companion.send_requested.connect(sent.append)
    qtbot.keyClicks(companion.bar.input, "   ")
    qtbot.keyClick(companion.bar.input, Qt.Key.Key_Return)
    assert sent == []


def test_escape_asks_to_stop(companion: CompanionWindow, qtbot: QtBot) -> None:
    enter(companion)
    with qtbot.waitSignal(companion.stop_requested, timeout=1000):
        qtbot.keyClick(companion.bar.input, Qt.Key.Key_Escape)


def test_the_microphone_presses_and_releases(companion: CompanionWindow, qtbot: QtBot) -> None:
    enter(companion)
    with qtbot.waitSignals(
        [companion.record_pressed, companion.record_released], order="strict", timeout=1000
    ):
        qtbot.mouseClick(companion.bar.mic, Qt.MouseButton.LeftButton)


def test_recording_glows_with_the_voice(companion: CompanionWindow) -> None:
    companion.set_recording(True)
    quiet = companion.bar.mic.styleSheet()
    companion.set_input_level(-10.0)
    loud = companion.bar.mic.styleSheet()
    assert "rgba(220, 60, 60" in quiet and quiet != loud
    companion.set_recording(False)
    assert companion.bar.mic.styleSheet() == ""


def test_the_bar_button_and_double_click_restore(companion: CompanionWindow, qtbot: QtBot) -> None:
    view = stage()
    companion.hold(view)
    enter(companion)
    with qtbot.waitSignal(companion.restore_requested, timeout=1000):
        qtbot.mouseClick(companion.bar.restore, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(companion.restore_requested, timeout=1000):
        qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=QPoint(150, 200))


def test_dragging_the_character_moves_the_window(companion: CompanionWindow, qtbot: QtBot) -> None:
    view = stage()
    companion.hold(view)
    start = companion.pos()
    left, at = Qt.MouseButton.LeftButton, view.mapToGlobal(QPoint(150, 200))
    mouse(QEvent.Type.MouseButtonPress, view, at, left)
    mouse(QEvent.Type.MouseMove, view, at + QPoint(40, -30), left)
    mouse(QEvent.Type.MouseMove, view, at + QPoint(80, -50), left)
    mouse(QEvent.Type.MouseButtonRelease, view, at + QPoint(80, -50), Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: companion.pos() == start + QPoint(80, -50), timeout=1000)
    mouse(QEvent.Type.MouseMove, view, at, Qt.MouseButton.NoButton)
    assert companion.pos() == start + QPoint(80, -50)  # released: moving no longer drags


def test_the_corner_grip_resizes_within_limits(companion: CompanionWindow, qtbot: QtBot) -> None:
    enter(companion)
    grip = companion.grip
    left, at = Qt.MouseButton.LeftButton, grip.mapToGlobal(QPoint(9, 9))
    mouse(QEvent.Type.MouseButtonPress, grip, at, left)
    mouse(QEvent.Type.MouseMove, grip, at + QPoint(60, 100), left)
    qtbot.waitUntil(lambda: companion.size() == QSize(360, 420), timeout=1000)
    mouse(QEvent.Type.MouseMove, grip, at + QPoint(-400, -400), left)
    qtbot.waitUntil(lambda: companion.size() == QSize(160, 160), timeout=1000)
    mouse(QEvent.Type.MouseButtonRelease, grip, at, Qt.MouseButton.NoButton)
    assert companion.minimumSize() == QSize(160, 160)


def test_click_through_toggles_input_and_keeps_the_place(
    companion: CompanionWindow, qtbot: QtBot
) -> None:
    geometry = companion.geometry()
    changes: list[bool] = []
    companion.click_through_changed.connect(changes.append)
    enter(companion)
    companion.click_through_action.trigger()
    assert companion.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert companion.isVisible() and companion.geometry() == geometry
    assert not companion.controls_visible()
    enter(companion)
    assert not companion.controls_visible()  # no hover bar while clicks pass through
    companion.set_click_through(False)
    assert not companion.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert companion.isVisible() and companion.geometry() == geometry
    assert not companion.click_through_action.isChecked()
    assert changes == [True, False]


def test_the_context_menu_offers_ours_then_the_apps(companion: CompanionWindow) -> None:
    from PySide6.QtGui import QAction

    mute = QAction("Mute", companion)
    companion.add_menu_actions([mute])
    texts = [a.text() for a in companion.context_menu().actions() if not a.isSeparator()]
    assert texts == ["Back to the window", "Click-through", "Hide", "Mute"]


def test_menu_actions_emit(companion: CompanionWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(companion.hide_requested, timeout=1000):
        companion.hide_action.trigger()
    with qtbot.waitSignal(companion.restore_requested, timeout=1000):
        companion.restore_action.trigger()


def test_the_caption_bubble_wraps_inside_the_window_and_hides_when_empty(
    companion: CompanionWindow,
) -> None:
    companion.set_caption("Hello! Nice to see you.")
    bubble = companion.bubble
    assert bubble.isVisible() and len(bubble.lines()) == 1
    companion.set_caption(LONG)
    assert len(bubble.lines()) == 3
    assert bubble.lines()[-1].endswith("…")
    assert companion.rect().contains(bubble.geometry())
    companion.resize(170, 320)
    assert companion.rect().contains(bubble.geometry())
    companion.set_caption("")
    assert not bubble.isVisible()


def test_the_fallback_panel_paints_where_translucency_is_not_available(
    companion: CompanionWindow,
) -> None:
    corner, middle = QPoint(1, 1), QPoint(150, 30)
    assert QColor.fromRgba(companion.grab().toImage().pixel(middle)).alpha() == 0
    companion.set_translucent(False)
    image = companion.grab().toImage()
    assert QColor.fromRgba(image.pixel(middle)).alpha() > 200
    assert QColor.fromRgba(image.pixel(corner)).alpha() < 100  # rounded corners


def test_limitations_say_what_the_offscreen_platform_cannot_do() -> None:
    notes = limitations()
    assert any("see-through" in note for note in notes)
    assert not any("Wayland" in note for note in notes)


def _bubble_image(qtbot: QtBot, dpr: float) -> tuple[CaptionBubble, QImage]:
    bubble = CaptionBubble()
    qtbot.addWidget(bubble)
    bubble.set_max_width(260)
    bubble.set_text(LONG)
    image = QImage(
        round(bubble.width() * dpr), round(bubble.height() * dpr), QImage.Format.Format_ARGB32
    )
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    bubble.render(image, QPoint(), QRegion(), QWidget.RenderFlag.DrawChildren)
    return bubble, image


@pytest.mark.parametrize("dpr", [1.0, 1.5, 2.0])
def test_the_bubble_text_is_inside_the_bubble_at_every_scale(qtbot: QtBot, dpr: float) -> None:
    bubble, image = _bubble_image(qtbot, dpr)
    body = bubble.body_rect()
    inside = QRect(
        round((body.left() + 6) * dpr),
        round((body.top() + 6) * dpr),
        round((body.width() - 12) * dpr),
        round((body.height() - 12) * dpr),
    )
    dark = []
    for y in range(image.height()):
        for x in range(0, image.width(), 1):
            c = QColor.fromRgba(image.pixel(x, y))
            if c.alpha() > 200 and c.lightness() < 90:
                dark.append(QPoint(x, y))
    assert len(dark) > 200 * dpr * dpr  # three lines of text drawn
    assert all(inside.contains(p) for p in dark)  # none spills out of the body
    outside = QColor.fromRgba(image.pixel(0, image.height() - 1))
    assert outside.alpha() < 40  # the body and its shadow are not clipped at the edge
    fill = QColor.fromRgba(image.pixel(round(body.center().x() * dpr), round(body.top() * dpr) + 3))
    assert fill.lightness() > 230 and fill.alpha() > 230


SCREENS_SCRIPT = """
import json, sys
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
app = QApplication([])
from avatar_desktop.ui.companion_window import CompanionWindow
left, right = QGuiApplication.screens()
window = CompanionWindow(translucent=True)
window.setGeometry(QRect(right.geometry().x() + 500, 300, 300, 320))
window.show()
window.set_caption("Still here after the screen went away")
app.processEvents()
before = window.geometry()
app.screenRemoved.emit(right)
after = window.geometry()
pixmap = window.grab()
print(json.dumps({
    "before": [before.x(), before.y(), before.width(), before.height()],
    "after": [after.x(), after.y(), after.width(), after.height()],
    "left": [left.availableGeometry().x(), left.availableGeometry().y(),
             left.availableGeometry().width(), left.availableGeometry().height()],
    "grab_dpr": pixmap.devicePixelRatio(), "grab_w": pixmap.width(),
    "bubble_in": window.rect().contains(window.bubble.geometry()),
}))
"""


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_a_removed_screen_brings_the_companion_back(tmp_path: Path, scale: float) -> None:
    """Two offscreen screens; Qt's screenRemoved for the right one (the offscreen platform
    cannot unplug at run time) brings the window to the left one, crisp at each scale."""
    config = tmp_path / "screens.json"
    screen = {"logicalDpi": 96, "dpr": 1, "y": 0}
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {"name": "left", "x": 0, "width": 1280, "height": 800, **screen},
                    {"name": "right", "x": 1280, "width": 1024, "height": 768, **screen},
                ]
            }
        )
    )
    env = {
        **__import__("os").environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": str(scale),  # the offscreen "dpr" key does not reach windows
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCREENS_SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    left = QRect(*result["left"])
    assert result["before"][0] > left.right()  # it sat on the right screen
    after = QRect(*result["after"])
    assert left.contains(after)
    assert after.size() == QSize(300, 320)
    assert result["grab_dpr"] == scale and result["grab_w"] == round(300 * scale)
    assert result["bubble_in"]


def test_tab_from_the_character_opens_the_bar_and_goes_into_it(
    companion: CompanionWindow, qtbot: QtBot
) -> None:
    companion.setFocus()
    qtbot.keyClick(companion, Qt.Key.Key_Tab)
    assert companion.controls_visible()
    assert companion.bar.mic.hasFocus()
    qtbot.keyClick(companion.bar.mic, Qt.Key.Key_Tab)
    assert companion.bar.input.hasFocus()
    QApplication.sendEvent(companion, QEvent(QEvent.Type.Leave))
    qtbot.wait(HIDE_DELAY_MS + 200)
    assert companion.controls_visible()  # the keyboard is in it: it stays


def test_the_bubble_sits_just_above_the_characters_head(
    companion: CompanionWindow, qtbot: QtBot
) -> None:
    """In a tall window the character rests at the bottom: the bubble follows it down."""
    view = stage()
    companion.hold(view)
    companion.resize(360, 520)
    companion.set_caption("Hello there!")
    qtbot.waitUntil(lambda: view.height() > 400)
    companion.set_caption("Hello there, again!")
    hair_top = view.mapTo(companion, QPoint(0, int(view.regions()["hair"].top()))).y()
    bubble = companion.bubble.geometry()
    assert hair_top > 150  # the head is well down the window
    assert hair_top - 40 <= bubble.bottom() <= hair_top + 2
