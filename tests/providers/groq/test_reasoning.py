"""Reasoning models on Groq: every one is asked to keep its reasoning out of the answer, and
what a model still thinks aloud never reaches the turn's text, sentences or saved answer.

Real ChatGroq over a socket to the loopback fake, which thinks aloud (``<think>`` inside the
answer text) for Qwen3 unless ``reasoning_format`` is hidden or parsed.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.events import Sentence, TextDelta, TurnEvent, TurnFinished
from avatar_desktop.pipeline.turn import run_turn
from avatar_desktop.providers.base import GenerationOptions
from avatar_desktop.providers.groq.access import GroqAccess
from avatar_desktop.providers.groq.chat import GroqChatModel
from avatar_desktop.providers.groq.models import Reasoning, reasoning_of
from tests.fakes.groq_server import GroqFake

QWEN = "qwen/qwen3-32b"
GPT_OSS = "openai/gpt-oss-20b"
THOUGHT = "Okay, let me try to figure out what the user wants. They said hi, so greet them."
OPTIONS = GenerationOptions(max_tokens=128)
MESSAGES = [SystemMessage("Be brief."), HumanMessage("Hi!")]


def chat_model(fake: GroqFake, model: str) -> GroqChatModel:
    access = GroqAccess(api_key=fake.api_key, base_url=fake.base_url, timeout_s=5.0)
    return GroqChatModel(access=access, model=model)


def sent_body(fake: GroqFake) -> dict[str, object]:
    body = fake.requests[-1].json
    assert body is not None and body["stream"] is True
    return body


def test_a_qwen3_request_asks_groq_to_hide_the_reasoning(groq_fake: GroqFake) -> None:
    groq_fake.reasoning = THOUGHT
    model = chat_model(groq_fake, QWEN)
    answer = "".join(model.stream(MESSAGES, cancel=CancelToken(), options=OPTIONS))
    sent = sent_body(groq_fake)
    assert sent["model"] == QWEN and sent["reasoning_format"] == "hidden"
    assert "include_reasoning" not in sent  # gpt-oss's switch; Groq's docs say they conflict
    assert answer == groq_fake.chat_reply


def test_a_gpt_oss_request_turns_reasoning_off_and_keeps_effort_low(groq_fake: GroqFake) -> None:
    model = chat_model(groq_fake, GPT_OSS)
    answer = "".join(model.stream(MESSAGES, cancel=CancelToken(), options=OPTIONS))
    sent = sent_body(groq_fake)
    assert sent["include_reasoning"] is False and sent["reasoning_effort"] == "low"
    assert sent.get("reasoning_format") is None
    assert answer == groq_fake.chat_reply


def test_a_model_that_does_not_reason_is_sent_no_reasoning_options(groq_fake: GroqFake) -> None:
    groq_fake.models.append({**groq_fake.models[0], "id": "llama-3.1-70b-chat"})
    model = chat_model(groq_fake, "llama-3.1-70b-chat")
    assert "".join(model.stream(MESSAGES, cancel=CancelToken(), options=OPTIONS))
    sent = sent_body(groq_fake)
    assert sent.get("reasoning_format") is None and "include_reasoning" not in sent


@pytest.mark.parametrize(
    ("model", "reasoning"),
    [
        ("qwen/qwen3-32b", Reasoning.INLINE),
        ("qwen/qwen3.8-27b", Reasoning.INLINE),
        ("qwen-qwq-32b", Reasoning.INLINE),
        ("deepseek-r1-distill-llama-70b", Reasoning.INLINE),
        ("openai/gpt-oss-20b", Reasoning.SEPARATE),
        ("openai/gpt-oss-safeguard-20b", Reasoning.SEPARATE),
        ("llama-3.3-70b-versatile", Reasoning.NONE),
        ("meta-llama/llama-4-scout-17b-16e-instruct", Reasoning.NONE),
        ("moonshotai/kimi-k2-instruct", Reasoning.NONE),
    ],
)
def test_reasoning_models_are_known_by_their_family(model: str, reasoning: Reasoning) -> None:
    assert reasoning_of(model) is reasoning


def test_reasoning_a_model_thinks_aloud_anyway_never_reaches_the_turn(groq_fake: GroqFake) -> None:
    """The service ignores ``reasoning_format``: the turn's own filter still drops it all."""
    groq_fake.reasoning = THOUGHT
    groq_fake.ignore_reasoning_format = True
    events: list[TurnEvent] = list(
        run_turn(chat_model(groq_fake, QWEN), MESSAGES, cancel=CancelToken(), options=OPTIONS)
    )
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    spoken = [e.text for e in events if isinstance(e, Sentence)]
    finished = events[-1]
    assert isinstance(finished, TurnFinished) and not finished.interrupted
    for text in (shown, *spoken, finished.text):
        assert "think" not in text and "figure out" not in text
    assert shown.strip() == finished.text.strip() == groq_fake.chat_reply
    assert spoken and "".join(spoken).replace(" ", "") == groq_fake.chat_reply.replace(" ", "")
