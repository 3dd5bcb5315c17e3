"""The avatar answers aloud in the real window: real voice, real PortAudio into the null sink."""

from __future__ import annotations

import gc
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.pulse import MonitorRecorder, PulseSink, pulse_sink  # noqa: F401
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp
from tests.ui.test_main_window import bubble_texts, interrupted, send, session_file, wait_idle

ANSWER = [
    "[wave] Hello there! ",
    "I am your friendly avatar. ",
    "[happy] It is lovely to meet you.",
]


def voiced_app(make_app: MakeApp, qtbot: QtBot, tokens: list[str]) -> AvatarApp:
    app = make_app(ScriptedModel(tokens, delay=0.02), speak=True)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    assert "Voice: Joe (on this computer)" in app.window.status_label.text()
    assert app.player.problem is None, app.player.problem
    return app


def test_the_status_says_the_voice_is_loading_until_it_can_speak(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = threading.Event()
    load = PiperVoiceProvider.load

    def slow_load(voice: PiperVoiceProvider) -> None:
        gate.wait(10)
        load(voice)

    monkeypatch.setattr(PiperVoiceProvider, "load", slow_load)
    app = make_app(ScriptedModel(ANSWER), speak=True)
    qtbot.waitUntil(lambda: "— ready" in app.window.status_label.text())
    assert "Voice: Joe (on this computer) — loading…" in app.window.status_label.text()
    assert not app.ready
    frozen = gc.get_freeze_count()
    gate.set()
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    assert "loading" not in app.window.status_label.text()
    assert gc.get_freeze_count() > frozen  # the start-up heap is kept out of the collector's way


def test_a_typed_question_is_answered_aloud(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    app = voiced_app(make_app, qtbot, ANSWER)
    states: list[str] = []
    app.speaker.pose_changed.connect(lambda _pose: states.append(app.speaker.rig.state))
    captions: list[str] = []
    emotions: list[str] = []
    app.speaker.sentence_started.connect(lambda _i, _s, _e, text: captions.append(text))
    app.speaker.sentence_started.connect(lambda *_: emotions.append(app.speaker.rig.emotion))
    with MonitorRecorder() as monitor:
        send(qtbot, app, "Hi!")
        qtbot.waitUntil(lambda: app.speaker.speaking, timeout=10_000)
        assert app.window.stop_button.isEnabled()
        qtbot.waitUntil(lambda: not app.speaker.speaking, timeout=30_000)
        qtbot.wait(300)
        heard = monitor.samples()
    assert float(np.sqrt(np.mean(heard**2))) > 0.01  # the voice really reached the device
    assert captions == ["Hello there!", "I am your friendly avatar.", "It is lovely to meet you."]
    assert emotions == ["neutral", "neutral", "happy"]  # a cue shows with its own sentence
    assert "speaking" in states and states[-1] == "idle"
    assert app.window.avatar.caption() == ""
    wait_idle(qtbot, app)
    assert session_file(app)["messages"][1]["content"].startswith(" Hello there!")


def test_stop_silences_at_once_and_keeps_only_what_was_heard(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    long_answer = [f"This is sentence number {n}, spoken slowly and clearly. " for n in range(1, 9)]
    app = voiced_app(make_app, qtbot, long_answer)
    send(qtbot, app, "Talk to me")
    started: list[int] = []
    app.speaker.sentence_started.connect(lambda index, *_rest: started.append(index))
    qtbot.waitUntil(lambda: len(started) >= 2, timeout=20_000)
    with MonitorRecorder() as monitor:
        qtbot.wait(200)
        stopped_at = time.monotonic()
        qtbot.mouseClick(app.window.stop_button, Qt.MouseButton.LeftButton)
        qtbot.wait(400)
        samples = monitor.samples()
        cut = (
            int(
                np.searchsorted(
                    [monitor.heard_at(i) for i in range(0, len(samples), 256)], stopped_at + 0.12
                )
            )
            * 256
        )
    tail = samples[cut:]
    assert len(tail) > 2000 and float(np.max(np.abs(tail))) < 0.01  # silent soon after Stop
    assert not app.speaker.speaking
    wait_idle(qtbot, app)
    kept = session_file(app)["messages"][-1]
    assert kept["interrupted"] is True
    assert kept["content"].count("This is sentence number") == len(started)
    assert interrupted(app.window.chat.bubbles()[-1])
    assert bubble_texts(app)[-1] == kept["content"]
