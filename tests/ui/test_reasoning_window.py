"""A local model that thinks out loud: the window shows, and the disk keeps, only the answer."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp
from tests.ui.test_main_window import bubble_texts, send, session_file, wait_idle

THINKING = ["<think>", "\nOkay, let me try", " to figure out the", " question.\n", "</think>"]
ANSWER = ["\n\nKilimanjaro", " is the tallest", " mountain in Africa."]


def test_a_thinking_gguf_model_shows_and_saves_only_its_answer(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    model = ScriptedModel(THINKING + ANSWER, delay=0.02)
    app = make_app(model)
    seen: list[str] = []
    app.conversation.text_delta.connect(seen.append)
    send(qtbot, app, "What is the tallest mountain in Africa?")
    wait_idle(qtbot, app)
    assert bubble_texts(app)[1].strip() == "Kilimanjaro is the tallest mountain in Africa."
    assert "figure out" not in "".join(seen)
    saved = session_file(app)["messages"][1]["content"]
    assert "figure out" not in saved and "think" not in saved
    assert saved.strip() == "Kilimanjaro is the tallest mountain in Africa."
