"""Talking to the real window: speech played into the null sink reaches the real recorder,
Whisper on this computer turns it into text, and the text waits in the input box."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.app.controllers.listener import DIDNT_CATCH, HOLD_S
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.pulse import PulseSink, pulse_sink  # noqa: F401
from tests.audio.speech import noise, silence, spoken, word_error_rate
from tests.audio.test_capture import play_into_sink
from tests.ui.conftest import MakeApp
from tests.ui.test_main_window import bubble_texts, send, wait_idle

QUESTION = "How do I make a cup of green tea?"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(scope="module")
def question_audio() -> np.ndarray:
    voice = PiperVoiceProvider(variation=0.0)
    voice.load()
    return np.concatenate([silence(0.3), spoken(voice, QUESTION), silence(0.4)])


def say(qtbot: QtBot, pcm: np.ndarray) -> None:
    """Play ``pcm`` into the sink and let the window run until it has been heard."""
    player = play_into_sink(pcm)
    qtbot.wait(int(len(pcm) / 16) + 300)
    player.wait(5)


def wait_for_words(qtbot: QtBot, app: AvatarApp) -> str:
    qtbot.waitUntil(lambda: bool(app.window.input.toPlainText()), timeout=20_000)
    return app.window.input.toPlainText()


def test_holding_the_button_records_until_let_go_and_the_words_wait_in_the_input(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    question_audio: np.ndarray,
) -> None:
    app = make_app()
    button = app.window.record_button
    assert button.isEnabled()
    qtbot.mousePress(button, LEFT)
    assert app.listener.recording and button.property("recording")
    say(qtbot, question_audio)
    assert "rgba(220, 60, 60" in button.styleSheet()  # the live level shows on the button
    qtbot.mouseRelease(button, LEFT)
    assert not app.listener.recording and not button.property("recording")
    said = wait_for_words(qtbot, app)
    assert word_error_rate([(QUESTION, said)]) <= 0.15, said
    assert bubble_texts(app) == []  # push-to-talk lets the user check before sending
    assert app.window.input.hasFocus()
    qtbot.keyClick(app.window.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(bubble_texts(app)) >= 1)
    assert bubble_texts(app)[0] == said
    wait_idle(qtbot, app)


def test_a_click_starts_listening_and_another_click_ends_it(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    question_audio: np.ndarray,
) -> None:
    app = make_app()
    button = app.window.record_button
    qtbot.mouseClick(button, LEFT)  # a quick click: still listening afterwards
    assert app.listener.recording
    say(qtbot, question_audio)
    assert app.listener.recording
    started = time.monotonic()
    qtbot.mouseClick(button, LEFT)
    assert not app.listener.recording
    said = wait_for_words(qtbot, app)
    assert word_error_rate([(QUESTION, said)]) <= 0.15, said
    assert time.monotonic() - started < HOLD_S + 5


def test_noise_only_is_not_sent_and_the_user_is_told(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    app = make_app()
    qtbot.mouseClick(app.window.record_button, LEFT)
    say(qtbot, noise(1.5))
    qtbot.mouseClick(app.window.record_button, LEFT)
    qtbot.waitUntil(lambda: DIDNT_CATCH in app.window.notice.text(), timeout=10_000)
    assert app.window.input.toPlainText() == "" and bubble_texts(app) == []
    assert app.window.record_button.isEnabled()


def test_a_missing_microphone_is_explained_and_typing_still_works(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    app = make_app()
    app.settings.input_device = "microphone that is not plugged in"
    qtbot.mouseClick(app.window.record_button, LEFT)
    qtbot.waitUntil(lambda: "not connected" in app.window.notice.text(), timeout=5000)
    assert not app.listener.recording and not app.window.record_button.property("recording")
    send(qtbot, app, "Hello by keyboard")
    qtbot.waitUntil(lambda: "Hello by keyboard" in bubble_texts(app))
    wait_idle(qtbot, app)


def test_the_microphone_is_chosen_in_settings_and_used(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    question_audio: np.ndarray,
) -> None:
    from avatar_desktop.ui.settings_dialog import SettingsDialog

    app = make_app()
    dialog = SettingsDialog(app.settings_values(), app.providers, app.window)
    qtbot.addWidget(dialog)
    titles = [dialog.input_device.itemText(i) for i in range(dialog.input_device.count())]
    assert titles[0] == "The system's default microphone" and "pulse" in titles
    dialog.input_device.setCurrentIndex(titles.index("pulse"))
    app.apply_settings(dialog.values())
    assert app.settings.input_device == "pulse"
    assert '"input_device": "pulse"' in app.paths.settings_file.read_text(encoding="utf-8")
    qtbot.mousePress(app.window.record_button, LEFT)
    say(qtbot, question_audio)
    qtbot.mouseRelease(app.window.record_button, LEFT)
    said = wait_for_words(qtbot, app)
    assert word_error_rate([(QUESTION, said)]) <= 0.15, said


def test_holding_ctrl_space_is_push_to_talk_and_types_nothing(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    question_audio: np.ndarray,
) -> None:
    app = make_app()
    box = app.window.input
    box.setFocus()
    qtbot.keyPress(box, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert app.listener.recording
    say(qtbot, question_audio)
    qtbot.keyRelease(box, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert not app.listener.recording
    said = wait_for_words(qtbot, app)
    assert said == box.toPlainText() and not said.startswith(" ")
    assert word_error_rate([(QUESTION, said)]) <= 0.15, said
