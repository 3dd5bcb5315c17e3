"""Companion mode in the running app: one stage moving between homes, mid-answer and across runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.core.events import Sentence
from tests.audio.pulse import PulseSink, pulse_sink  # noqa: F401
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp
from tests.ui.test_main_window import bubble_texts, interrupted, session_file
from tests.ui.test_speaking_window import ANSWER, voiced_app

SENTENCES = ["Hello there!", "I am your friendly avatar.", "It is lovely to meet you."]


def on_desktop(app: AvatarApp) -> bool:
    """The avatar widget (and the video over it) is in the companion window, not the stage."""
    widget = app.window.avatar_widget
    return widget.window() is app.companion.view and app.window.video.parent() is widget


def test_companion_on_and_off_during_an_answer_keeps_it_playing_once(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    app = voiced_app(make_app, qtbot, ANSWER)
    started: list[str] = []
    bubbles: list[str] = []
    stage_captions: list[str] = []

    def on_sentence(sentence: Sentence) -> None:  # after the app's own handler
        started.append(sentence.text)
        bubbles.append(app.companion.view.bubble.text())
        stage_captions.append(app.window.avatar.caption())

    app.stage.sentence_started.connect(on_sentence)
    app.window.input.setPlainText("Hi!")
    app.window.send_button.click()
    qtbot.waitUntil(lambda: len(started) == 1, timeout=15_000)
    assert stage_captions == ["Hello there!"] and bubbles == [""]

    app.window.companion_action.trigger()  # View → Companion, mid-sentence
    assert on_desktop(app) and app.companion.view.isVisible()
    assert app.window.stage_area.away.isVisibleTo(app.window)  # the stage says where it went
    assert app.stage.speaking  # the sentence goes on
    assert app.companion.view.bubble.text() == "Hello there!"  # the caption moved with it
    assert app.window.avatar.caption() == ""
    for _ in range(6):  # fast toggling changes nothing but where it is drawn
        app.window.companion_action.trigger()
        qtbot.wait(15)
    assert on_desktop(app)
    qtbot.waitUntil(lambda: len(started) == 2, timeout=15_000)
    assert bubbles[1] == "I am your friendly avatar." and stage_captions[1] == ""

    app.companion.view.restore_requested.emit()  # double-click: back to the window
    assert not on_desktop(app) and not app.companion.view.isVisible()
    assert app.window.isVisible() and app.window.stage_area.holds_avatar()
    assert app.window.avatar.caption() == "I am your friendly avatar."
    qtbot.waitUntil(lambda: not app.stage.speaking and not app.conversation.busy, timeout=30_000)

    assert started == SENTENCES  # each spoken once, none cut
    assert bubbles[2] == "" and stage_captions[2] == SENTENCES[2]
    assert [" ".join(text.split()) for text in bubble_texts(app)] == ["Hi!", " ".join(SENTENCES)]
    assert not interrupted(app.window.chat.bubbles()[-1])
    messages = session_file(app)["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert not messages[1].get("interrupted")
    assert app.window.avatar.caption() == ""


def test_the_companion_bar_talks_to_the_same_conversation(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app(ScriptedModel(["Sure, ", "here I am."]))
    app.companion.set_on(True)
    field = app.companion.view.bar.input
    app.companion.view.show_controls()
    field.setFocus()
    qtbot.keyClicks(field, "Are you there?")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not app.conversation.busy and len(bubble_texts(app)) == 2)
    assert bubble_texts(app) == ["Are you there?", "Sure, here I am."]
    assert [m["content"] for m in session_file(app)["messages"]] == bubble_texts(app)


def test_without_a_tray_the_menus_offer_everything_and_the_window_stays_reachable(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app(ScriptedModel(["Hi."]))
    assert app.companion.tray.icon is None  # offscreen has no tray
    w = app.window
    texts = {
        a.text() for menu in w.menuBar().findChildren(type(w.view_menu)) for a in menu.actions()
    }
    for needed in ("Companion", "Click-through", "Mute", "Hands-free listening", "Quit"):
        assert needed in texts, needed
    assert not app.companion.hide_action.isEnabled()  # nowhere to come back from
    app.companion.set_on(True)
    qtbot.waitUntil(lambda: w.isMinimized() or not w.isVisible())
    assert w.companion_action.isChecked() and app.settings.companion
    app.companion.hide_all()  # no tray: hiding everything is refused
    assert app.companion.view.isVisible()
    w.companion_action.trigger()
    assert not app.companion.on and w.isVisible() and w.stage_area.holds_avatar()


def test_companion_mode_and_its_place_are_remembered_across_restarts(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    first = make_app(ScriptedModel(["Hi."]))
    first.companion.set_on(True)
    place = QRect(60, 80, 340, 360)
    first.companion.view.setGeometry(place)
    qtbot.waitUntil(lambda: first.companion.view.geometry() == place)
    first.window.close()  # Quit from the menu

    second = make_app(ScriptedModel(["Hi."]))
    assert second.companion.on and on_desktop(second)
    assert second.companion.view.geometry() == place
    assert second.window.companion_action.isChecked()
    second.window.companion_action.trigger()
    assert not second.companion.on
    second.window.close()
    third = make_app(ScriptedModel(["Hi."]))
    assert not third.companion.on and third.window.stage_area.holds_avatar()


SCREENS_APP = """
import json, sys
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
qt = QApplication([])
from avatar_desktop.app.application import AvatarApp
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.secrets import KeyStore
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.scripted_model import ScriptedModel
left, right = QGuiApplication.screens()
app = AvatarApp(app_paths.ensure(app_paths.resolve()), model=ScriptedModel(["Hi."]),
                keys=KeyStore(backend=MemoryKeyring()), speak=False)
app.settings.welcomed = True
app.start()
qt.processEvents()
app.companion.set_on(True)
app.companion.view.setGeometry(QRect(right.geometry().x() + 300, 200, 320, 340))
qt.processEvents()
before = app.companion.view.geometry()
qt.screenRemoved.emit(right)
qt.processEvents()
after = app.companion.view.geometry()
holds = app.window.avatar_widget.window() is app.companion.view
app.window.close()
print(json.dumps({"before": before.getRect(), "after": after.getRect(),
                  "left": left.availableGeometry().getRect(), "holds": holds,
                  "shown": app.companion.view.isVisible()}))
"""


def test_a_removed_screen_brings_the_companion_back_in_the_app(tmp_path: Path) -> None:
    """The offscreen platform cannot unplug a screen at run time: Qt's own screenRemoved is
    emitted for the right screen of two, as the platform would."""
    config = tmp_path / "screens.json"
    common = {"logicalDpi": 96, "dpr": 1, "y": 0, "height": 900}
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {"name": "left", "x": 0, "width": 1440, **common},
                    {"name": "right", "x": 1440, "width": 1280, **common},
                ]
            }
        )
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "AVATAR_DESKTOP_HOME": str(tmp_path / "home"),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCREENS_APP], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    left = QRect(*result["left"])
    assert result["before"][0] > left.right()  # it sat on the right screen
    after = QRect(*result["after"])
    assert left.contains(after) and after.size() == QRect(*result["before"]).size()
    assert result["holds"]  # still the companion, now where it can be seen
