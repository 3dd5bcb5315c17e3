"""The avatar answers aloud in the real window: real voice, real PortAudio into the null sink."""

from __future__ import annotations

import gc
import json
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.pulse import MonitorRecorder, PulseSink, pulse_sink  # noqa: F401
from tests.audio.speech import spoken
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
    app.speaker.sentence_started.connect(lambda sentence: captions.append(sentence.text))
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


def begun(started: list[str]) -> int:
    """How many of the long answer's sentences began to be heard, of the pieces that did (the
    first may come as two: "This is sentence number 1 spoken slowly", " and clearly.")."""
    return sum(text.startswith("This is sentence number") for text in started)


def speaking_a_long_answer(qtbot: QtBot, make_app: MakeApp) -> tuple[AvatarApp, list[str]]:
    """The avatar is in the middle of a long answer (two pieces have begun to be heard)."""
    long_answer = [f"This is sentence number {n} spoken slowly and clearly. " for n in range(1, 9)]
    app = voiced_app(make_app, qtbot, long_answer)
    send(qtbot, app, "Talk to me")
    started: list[str] = []
    app.speaker.sentence_started.connect(lambda sentence: started.append(sentence.text))
    qtbot.waitUntil(lambda: len(started) >= 2, timeout=20_000)
    return app, started


def test_stop_silences_at_once_and_keeps_only_what_was_heard(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    app, started = speaking_a_long_answer(qtbot, make_app)
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
    assert kept["content"].count("This is sentence number") == begun(started)
    assert interrupted(app.window.chat.bubbles()[-1])
    assert bubble_texts(app)[-1] == kept["content"]


def write_wav(path: Path, pcm: np.ndarray, rate: int) -> None:
    """16-bit mono WAV, as a recorder would save it."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(pcm, -1.0, 1.0) * 32767).astype("<i2").tobytes())


def test_transcribing_a_file_while_speaking_keeps_only_what_was_heard(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    tmp_path: Path,
) -> None:
    long_answer = [f"This is sentence number {n} spoken slowly and clearly. " for n in range(1, 13)]
    app = voiced_app(make_app, qtbot, long_answer)
    assert app.local_voice is not None
    path = tmp_path / "question.wav"
    write_wav(path, spoken(app.local_voice, "What is the capital city of France?"), 16_000)
    send(qtbot, app, "Talk to me")
    started: list[str] = []
    app.speaker.sentence_started.connect(lambda sentence: started.append(sentence.text))
    qtbot.waitUntil(lambda: len(started) >= 2, timeout=20_000)
    at_send: list[tuple[int, bool]] = []  # sentences heard, and still talking, as it was sent
    app.conversation.user_message_added.connect(
        lambda _m: at_send.append((begun(started), app.stage.speaking))
    )
    app.window.transcribe_requested.emit(str(path))  # File → Transcribe audio file…
    qtbot.waitUntil(lambda: bool(at_send), timeout=30_000)
    heard, still_talking = at_send[0]
    assert not still_talking  # silenced before the transcribed message went in
    app.interrupt()
    wait_idle(qtbot, app)
    messages = session_file(app)["messages"]
    assert [m["role"] for m in messages[:3]] == ["user", "assistant", "user"]
    kept = messages[1]
    assert kept["interrupted"] is True
    assert 1 <= heard < len(long_answer)
    assert kept["content"].count("This is sentence number") == heard
    assert "france" in messages[2]["content"].lower()
    assert interrupted(app.window.chat.bubbles()[1])
    assert bubble_texts(app)[1] == kept["content"]


def _new_conversation(app: AvatarApp) -> None:
    app.window.new_requested.emit()


def _another_brain(app: AvatarApp) -> None:
    app.use_model(ScriptedModel(["A different brain."]))


@pytest.mark.parametrize("leave", [_new_conversation, _another_brain], ids=lambda f: f.__name__)
def test_leaving_the_turn_any_other_way_also_keeps_only_what_was_heard(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    leave: Callable[[AvatarApp], None],
) -> None:
    app, started = speaking_a_long_answer(qtbot, make_app)
    session = app.conversation.session
    leave(app)
    assert not app.stage.speaking
    wait_idle(qtbot, app)
    path = app.paths.sessions / f"{session.id}.json"
    kept = json.loads(path.read_text(encoding="utf-8"))["messages"][-1]
    assert kept["interrupted"] is True
    assert kept["content"].count("This is sentence number") == begun(started)
