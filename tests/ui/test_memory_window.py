"""Long-term memory in the real window, against the loopback Groq fake over real sockets."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.core.catalogue import BrainChoice
from avatar_desktop.storage.settings import Settings
from tests.fakes.extraction_model import ScriptedExtraction
from tests.fakes.groq_server import GroqFake
from tests.ui.test_groq_window import start_app
from tests.ui.test_main_window import send, wait_idle

SISTER = "The user's sister is named Zinnia."


def chat_requests(fake: GroqFake) -> list[dict]:
    """The answer requests (streamed), not the memory's JSON-mode extractions."""
    return [r.json for r in fake.requests if r.json and r.json.get("stream") is True]


def system_prompt(body: dict) -> str:
    return str(body["messages"][0]["content"])


def start(qtbot: QtBot, fake: GroqFake) -> AvatarApp:
    app, _ = start_app(qtbot, fake, Settings(chat_provider=BrainChoice.GROQ))
    qtbot.waitUntil(lambda: app.memory.store is not None, timeout=5000)
    return app


def settle(qtbot: QtBot, app: AvatarApp) -> None:
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: app.pools.memory.activeThreadCount() == 0, timeout=5000)


def quit_app(qtbot: QtBot, app: AvatarApp) -> None:
    app.window.close()
    qtbot.waitUntil(lambda: not app.window.isVisible(), timeout=5000)


@pytest.fixture
def groq_memory(groq_fake: GroqFake, monkeypatch: pytest.MonkeyPatch) -> ScriptedExtraction:
    monkeypatch.setenv("GROQ_BASE_URL", groq_fake.base_url)
    model = ScriptedExtraction()
    model.tell("By the way, my sister is called Zinnia.", ("sister.name", SISTER))
    groq_fake.json_reply = model
    return model


def test_a_fact_told_reaches_the_model_after_a_restart(
    qtbot: QtBot, groq_fake: GroqFake, groq_memory: ScriptedExtraction
) -> None:
    app = start(qtbot, groq_fake)
    send(qtbot, app, "By the way, my sister is called Zinnia.")
    qtbot.waitUntil(lambda: app.memory.store is not None and app.memory.store.count() == 1)
    settle(qtbot, app)
    assert groq_memory.seen == ["By the way, my sister is called Zinnia."]
    first = chat_requests(groq_fake)
    assert len(first) == 1 and "Zinnia" not in system_prompt(first[0])  # learnt after the turn
    quit_app(qtbot, app)

    again = start(qtbot, groq_fake)
    again.window.new_requested.emit()
    send(qtbot, again, "What is my sister's name?")
    settle(qtbot, again)
    prompt = system_prompt(chat_requests(groq_fake)[-1])
    assert f'"{SISTER}"' in prompt and "<remembered_notes>" in prompt


def extraction_requests(fake: GroqFake) -> list[dict]:
    return [r.json for r in fake.requests if r.json and "response_format" in r.json]


@pytest.mark.parametrize("raw", ["this is not json", '{"facts": 12}'])
def test_a_failed_extraction_costs_that_message_only(
    qtbot: QtBot, groq_fake: GroqFake, groq_memory: ScriptedExtraction, raw: str
) -> None:
    app = start(qtbot, groq_fake)
    groq_memory.raw = raw
    send(qtbot, app, "By the way, my sister is called Zinnia.")
    qtbot.waitUntil(lambda: len(extraction_requests(groq_fake)) == 1, timeout=5000)
    settle(qtbot, app)
    assert app.conversation.session.messages[-1].content == groq_fake.chat_reply
    assert app.window.notice.text() == "" and app.memory.store and app.memory.store.count() == 0
    groq_memory.raw = None
    send(qtbot, app, "By the way, my sister is called Zinnia.")
    qtbot.waitUntil(lambda: app.memory.store is not None and app.memory.store.count() == 1)


def test_a_rate_limited_extraction_is_caught_up_later(
    qtbot: QtBot, groq_fake: GroqFake, groq_memory: ScriptedExtraction
) -> None:
    app = start(qtbot, groq_fake)
    send(qtbot, app, "Hello there")
    settle(qtbot, app)
    session = app.conversation.session
    told = session.messages[0]
    told.content = "By the way, my sister is called Zinnia."
    before = len(extraction_requests(groq_fake))
    groq_fake.fail_next("429", retry_after=1)
    app.memory.learn(session, told)
    qtbot.waitUntil(lambda: app.memory.store is not None and app.memory.store.count() == 1)
    assert len(extraction_requests(groq_fake)) == before + 2  # refused, then caught up
    assert groq_memory.seen == ["Hello there", told.content]  # the 429 never reached it
    assert app.window.notice.text() == ""


def test_paused_memory_sends_nothing_and_keeps_nothing(
    qtbot: QtBot, groq_fake: GroqFake, groq_memory: ScriptedExtraction
) -> None:
    app = start(qtbot, groq_fake)
    app.settings.remember = False
    send(qtbot, app, "By the way, my sister is called Zinnia.")
    settle(qtbot, app)
    app.window.new_requested.emit()
    settle(qtbot, app)
    assert extraction_requests(groq_fake) == [] and groq_memory.seen == []
    assert app.memory.store is not None and app.memory.store.count() == 0
