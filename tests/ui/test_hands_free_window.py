"""Hands-free listening in the real window: talk and it is sent when you stop; talk over the
avatar and it stops at once, keeping only what was heard; its own voice never interrupts it."""

from __future__ import annotations

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.audio.turns import POLICIES
from avatar_desktop.core.catalogue import Responsiveness
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.pulse import PulseSink, pulse_sink  # noqa: F401
from tests.audio.speech import silence, spoken, word_error_rate
from tests.audio.test_capture import play_into_sink
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp
from tests.ui.test_main_window import bubble_texts, send, session_file, wait_idle

QUESTION = "Why is the sky blue during the day?"
LONG_ANSWER = [f"This is sentence number {n}, spoken slowly and clearly. " for n in range(1, 9)]


@pytest.fixture(scope="module")
def question_audio() -> np.ndarray:
    voice = PiperVoiceProvider(variation=0.0)
    voice.load()
    return np.concatenate([silence(0.2), spoken(voice, QUESTION), silence(0.2)])


def hands_free_app(make_app: MakeApp, qtbot: QtBot, tokens: list[str]) -> AvatarApp:
    app = make_app(ScriptedModel(tokens, delay=0.02), speak=True)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    app.window.hands_free_action.setChecked(True)
    assert app.listener.hands_free and app.listener.recording
    return app


def test_talking_hands_free_sends_the_question_when_the_user_stops(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    question_audio: np.ndarray,
) -> None:
    app = hands_free_app(make_app, qtbot, ["Because air scatters blue light."])
    play_into_sink(question_audio)
    qtbot.waitUntil(lambda: len(bubble_texts(app)) >= 1, timeout=20_000)
    said = bubble_texts(app)[0]
    assert word_error_rate([(QUESTION, said)]) <= 0.15, said
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: not app.speaker.speaking, timeout=20_000)
    wait_idle(qtbot, app)
    assert len(session_file(app)["messages"]) == 2  # its own answer was not heard as a question
    app.window.hands_free_action.setChecked(False)
    assert not app.listener.recording


def test_talking_over_the_avatar_stops_it_and_keeps_what_was_heard(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    question_audio: np.ndarray,
) -> None:
    app = hands_free_app(make_app, qtbot, LONG_ANSWER)
    app.player.volume = 0.15  # the speakers are quieter than the user's voice at the mic
    started: list[int] = []
    app.speaker.sentence_started.connect(lambda sentence: started.append(sentence.index))
    barged: list[bool] = []
    app.listener.barge_in.connect(lambda: barged.append(True))
    send(qtbot, app, "Talk to me")
    qtbot.waitUntil(lambda: len(started) >= 2, timeout=20_000)
    play_into_sink(question_audio)
    qtbot.waitUntil(lambda: bool(barged), timeout=5000)
    qtbot.waitUntil(lambda: not app.speaker.speaking, timeout=2000)
    qtbot.waitUntil(lambda: len(session_file(app)["messages"]) >= 3, timeout=20_000)
    messages = session_file(app)["messages"]
    kept = messages[1]
    assert kept["interrupted"] is True
    assert kept["content"].count("This is sentence number") < len(LONG_ANSWER)
    assert word_error_rate([(QUESTION, messages[2]["content"])]) <= 0.25, messages[2]
    app.window.hands_free_action.setChecked(False)
    app.interrupt()
    wait_idle(qtbot, app)


def test_the_avatars_own_voice_does_not_interrupt_it(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    app = hands_free_app(make_app, qtbot, LONG_ANSWER[:3])
    barged: list[bool] = []
    app.listener.barge_in.connect(lambda: barged.append(True))
    send(qtbot, app, "Talk to me")
    qtbot.waitUntil(lambda: app.speaker.speaking, timeout=10_000)
    qtbot.waitUntil(lambda: not app.speaker.speaking, timeout=30_000)
    qtbot.wait(1500)  # any echo "utterance" would have ended and been sent by now
    wait_idle(qtbot, app)
    messages = session_file(app)["messages"]
    assert barged == [] and len(messages) == 2
    assert not messages[1].get("interrupted")
    app.window.hands_free_action.setChecked(False)


def test_barge_in_and_the_responsiveness_are_settings(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    question_audio: np.ndarray,
) -> None:
    from avatar_desktop.ui.settings_dialog import SettingsDialog

    app = hands_free_app(make_app, qtbot, LONG_ANSWER[:4])
    assert app.listener.turn_policy == POLICIES[Responsiveness.BALANCED]
    dialog = SettingsDialog(app.settings_values(), app.providers, app.window)
    qtbot.addWidget(dialog)
    assert "end-of-turn model on this computer" in dialog.turn_model_note.text()
    dialog.responsiveness.setCurrentIndex(dialog.responsiveness.findData(Responsiveness.PATIENT))
    dialog.end_of_speech.setValue(900)
    dialog.barge_in.setChecked(False)
    app.apply_settings(dialog.values())
    assert app.listener.hands_free
    assert app.listener.turn_policy == POLICIES[Responsiveness.PATIENT]
    saved = app.paths.settings_file.read_text(encoding="utf-8")
    assert '"barge_in": false' in saved and '"end_of_speech_ms": 900' in saved
    assert '"responsiveness": "patient"' in saved
    app.player.volume = 0.15
    started: list[int] = []
    app.speaker.sentence_started.connect(lambda sentence: started.append(sentence.index))
    send(qtbot, app, "Talk to me")
    qtbot.waitUntil(lambda: len(started) >= 2, timeout=20_000)
    play_into_sink(question_audio)
    qtbot.wait(int(len(question_audio) / 16) + 300)
    assert app.speaker.speaking  # barge-in is off: the avatar carries on
    qtbot.waitUntil(lambda: not app.speaker.speaking, timeout=30_000)
    wait_idle(qtbot, app)
    assert not session_file(app)["messages"][1].get("interrupted")
    app.window.hands_free_action.setChecked(False)
