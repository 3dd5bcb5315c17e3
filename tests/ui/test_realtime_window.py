"""The real-time voice loop in the real window, with real audio through the null sink: a pause
to think is not an end of turn, an answer started early and thrown away leaves no trace, and
without the end-of-turn model turns still end (on silence)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.audio import turns
from avatar_desktop.audio.encode import to_mono_16k
from avatar_desktop.audio.turn_model import SmartTurn
from avatar_desktop.audio.turns import TurnPolicy
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.catalogue import Responsiveness
from avatar_desktop.core.latency import ReplyLatency
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.pulse import PulseSink, pulse_sink  # noqa: F401
from tests.audio.speech import silence, spoken, word_error_rate
from tests.audio.test_capture import play_into_sink
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp
from tests.ui.test_main_window import bubble_texts, session_file, wait_idle

PAUSED = "I was wondering, what's the tallest mountain in Africa?"
FIRST, SECOND = "What is the weather like today?", "And what about tomorrow?"
ANSWER = ["It", " is", " Kilimanjaro", "."]


@pytest.fixture(scope="module")
def voice() -> PiperVoiceProvider:
    voice = PiperVoiceProvider(variation=0.0)
    voice.load()
    return voice


def cut_at_comma(voice: PiperVoiceProvider, text: str, pause_s: float) -> np.ndarray:
    """The whole sentence spoken at once (so it keeps its mid-sentence tune), with a pause to
    think inserted where its comma is."""
    speech = voice.synthesize(text, cancel=CancelToken())
    comma = next(p for p in speech.phones if p.symbol == ",")
    cut = int(comma.start * speech.sample_rate)
    first = to_mono_16k(speech.pcm[:cut], speech.sample_rate)
    rest = to_mono_16k(speech.pcm[cut:], speech.sample_rate)
    return np.concatenate([silence(0.3), first, silence(pause_s), rest, silence(0.3)])


def listening_app(make_app: MakeApp, qtbot: QtBot, model: ScriptedModel) -> AvatarApp:
    app = make_app(model)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    app.window.hands_free_action.setChecked(True)
    assert app.listener.hands_free
    return app


def test_a_pause_to_think_does_not_end_the_turn(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    voice: PiperVoiceProvider,
) -> None:
    model = ScriptedModel(ANSWER, delay=0.02)
    app = listening_app(make_app, qtbot, model)
    measured: list[ReplyLatency] = []
    app.latency_measured.connect(measured.append)
    play_into_sink(cut_at_comma(voice, PAUSED, 0.8))
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=20_000)
    wait_idle(qtbot, app)
    said = bubble_texts(app)[0]
    assert word_error_rate([(PAUSED, said)]) <= 0.25, said  # one message: both halves
    assert [m["role"] for m in session_file(app)["messages"]] == ["user", "assistant"]
    assert len(model.calls) >= 1 and PAUSED.split(",")[0] in str(model.calls[-1][-1].content)


@pytest.fixture
def slow_to_end(monkeypatch: pytest.MonkeyPatch) -> TurnPolicy:
    """A finished thought (or question) ends the turn only after 1.3 s here, so that a 0.9 s
    pause after a finished first question reliably gets an early answer that the second one
    cancels."""
    policy = TurnPolicy(complete_silence_ms=1300, question_silence_ms=1300, cap_silence_ms=2000)
    monkeypatch.setitem(turns.POLICIES, Responsiveness.BALANCED, policy)
    return policy


def test_an_answer_started_early_and_thrown_away_leaves_no_trace(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    voice: PiperVoiceProvider,
    slow_to_end: TurnPolicy,
) -> None:
    model = ScriptedModel(["Sunny", " today", ", ", "and", " tomorrow", "."], delay=0.05)
    app = listening_app(make_app, qtbot, model)
    drafts: list[str] = []
    dropped: list[bool] = []
    app.listener.turns.draft.connect(drafts.append)
    app.listener.turns.draft_dropped.connect(lambda: dropped.append(True))
    first, second = spoken(voice, FIRST), spoken(voice, SECOND)
    play_into_sink(np.concatenate([silence(0.3), first, silence(0.9), second, silence(0.3)]))
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=20_000)
    wait_idle(qtbot, app)
    assert drafts and dropped, "no answer was started early and thrown away"
    assert word_error_rate([(FIRST, drafts[0])]) <= 0.25, drafts
    said = bubble_texts(app)[0]
    assert word_error_rate([(f"{FIRST} {SECOND}", said)]) <= 0.25, said
    messages = session_file(app)["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    final_call = model.calls[-1]
    users = [m for m in final_call if m.type == "human"]
    assert len(users) == 1 and str(users[0].content) == said  # no draft in the history sent


def test_without_the_turn_model_turns_end_on_silence(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    voice: PiperVoiceProvider,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from avatar_desktop.ui.settings_dialog import SettingsDialog

    broken = tmp_path / "smart-turn.onnx"
    broken.write_bytes(b"not a model")
    model = ScriptedModel(ANSWER, delay=0.02)
    app = make_app(model)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    app.listener.turn_model = SmartTurn(broken)
    with caplog.at_level(logging.WARNING):
        app.window.hands_free_action.setChecked(True)
        app.window.hands_free_action.setChecked(False)
        app.window.hands_free_action.setChecked(True)  # said once, not on every reopen
    assert app.listener.hands_free and app.listener.turn_model_problem
    warnings = [r for r in caplog.records if "silence" in r.getMessage()]
    assert len(warnings) == 1
    policy = app.listener.turn_policy
    assert policy is not None
    assert policy.complete_silence_ms == policy.cap_silence_ms == app.settings.end_of_speech_ms
    dialog = SettingsDialog(app.settings_values(), app.providers, app.window)
    qtbot.addWidget(dialog)
    assert "cannot run" in dialog.turn_model_note.text()
    play_into_sink(np.concatenate([silence(0.3), spoken(voice, FIRST), silence(0.3)]))
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=20_000)
    wait_idle(qtbot, app)
    assert word_error_rate([(FIRST, bubble_texts(app)[0])]) <= 0.25
