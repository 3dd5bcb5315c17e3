"""Answers started before the user's turn is over: unseen until the turn is, gone if it isn't.

These drive the hands-free turn's signals directly (the audio path is in
test_realtime_window.py); the window, the conversation and the session file are real.
"""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.core.latency import ReplyLatency
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp
from tests.ui.test_main_window import bubble_texts, send, session_file, wait_idle

QUESTION = "What is the capital of France?"
ANSWER = ["Paris", " is", " the", " capital", "."]


def said_hands_free(app: AvatarApp, text: str) -> None:
    """The listener's word that the turn is over and what was said."""
    now = time.monotonic()
    app.listener.turns.said.emit(text, ReplyLatency(user_stopped=now - 0.3, turn_over=now))


def model_saw(model: ScriptedModel, call: int) -> str:
    return " ".join(str(m.content) for m in model.calls[call])


def start_draft(qtbot: QtBot, app: AvatarApp, model: ScriptedModel, text: str) -> None:
    app.listener.turns.draft.emit(text)
    qtbot.waitUntil(lambda: app.conversation.draft is not None, timeout=2000)
    qtbot.waitUntil(lambda: model.yielded >= 2, timeout=5000)


def test_a_dropped_draft_leaves_no_trace(qtbot: QtBot, make_app: MakeApp) -> None:
    model = ScriptedModel(ANSWER, delay=0.02)
    app = make_app(model)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    start_draft(qtbot, app, model, QUESTION)
    assert bubble_texts(app) == []  # nothing shown while it is a draft
    app.listener.turns.draft_dropped.emit()  # the user went on talking
    assert app.conversation.draft is None
    qtbot.wait(300)
    assert bubble_texts(app) == [] and not app.conversation.busy
    send(qtbot, app, "Hello")
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=5000)
    wait_idle(qtbot, app)
    assert bubble_texts(app)[0] == "Hello"
    saved = session_file(app)["messages"]
    assert [m["content"] for m in saved] == ["Hello", "".join(ANSWER)]
    assert "France" not in model_saw(model, 1)  # the history sent to the model: no draft
    assert "France" in model_saw(model, 0)  # (the draft really was asked)


def test_a_committed_draft_is_saved_before_its_answer_shows(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    model = ScriptedModel(ANSWER, delay=0.02)
    app = make_app(model)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    on_disk_when_shown: list[list[str]] = []
    app.conversation.answer_started.connect(
        lambda: on_disk_when_shown.append([m["content"] for m in session_file(app)["messages"]])
    )
    start_draft(qtbot, app, model, QUESTION)
    said_hands_free(app, QUESTION)
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=5000)
    wait_idle(qtbot, app)
    assert on_disk_when_shown == [[QUESTION]]
    assert bubble_texts(app) == [QUESTION, "".join(ANSWER)]
    assert [m["content"] for m in session_file(app)["messages"]] == [QUESTION, "".join(ANSWER)]
    assert len(model.calls) == 1  # the draft's answer was used, not asked again


def test_a_draft_for_other_words_is_replaced_by_the_final_words(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    model = ScriptedModel(ANSWER, delay=0.02)
    app = make_app(model)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    start_draft(qtbot, app, model, "What is the capital")
    said_hands_free(app, QUESTION)
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=5000)
    wait_idle(qtbot, app)
    assert bubble_texts(app)[0] == QUESTION
    assert len(model.calls) == 2 and QUESTION in model_saw(model, 1)
    assert [m["content"] for m in session_file(app)["messages"]] == [QUESTION, "".join(ANSWER)]


def test_a_draft_is_dropped_when_the_user_types_instead(qtbot: QtBot, make_app: MakeApp) -> None:
    model = ScriptedModel(ANSWER, delay=0.02)
    app = make_app(model)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    start_draft(qtbot, app, model, QUESTION)
    send(qtbot, app, "Never mind")
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=5000)
    wait_idle(qtbot, app)
    assert "France" not in model_saw(model, 1)
    said_hands_free(app, QUESTION)  # a late end of turn finds no draft: it is a new message
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 4, timeout=5000)
    wait_idle(qtbot, app)
    contents = [m["content"] for m in session_file(app)["messages"]]
    assert contents == ["Never mind", "".join(ANSWER), QUESTION, "".join(ANSWER)]
