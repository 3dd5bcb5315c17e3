"""Groq's models as data: the list a key may use, and which of them reason before answering."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from avatar_desktop.providers.groq.access import GroqAccess
from avatar_desktop.providers.groq.errors import explain

DEFAULT_CHAT_MODEL = "openai/gpt-oss-20b"
_NOT_CHAT = ("whisper", "guard", "orpheus", "tts", "distil")


class Reasoning(Enum):
    """How a model reasons, and so how Groq is told to keep the reasoning out of the answer."""

    NONE = "none"
    SEPARATE = "separate"  # gpt-oss: in its own field unless include_reasoning is false
    INLINE = "inline"  # Qwen3, QwQ, DeepSeek-R1: in the answer text, between <think> tags


# Groq's reasoning models by id family (console.groq.com/docs/reasoning), matched on the name
# after the owner ("qwen/qwen3-32b" → "qwen3-32b"), so a new size or version is known at once.
REASONING_FAMILIES: tuple[tuple[str, Reasoning], ...] = (
    ("gpt-oss", Reasoning.SEPARATE),
    ("qwen3", Reasoning.INLINE),
    ("qwen-qwq", Reasoning.INLINE),
    ("qwq", Reasoning.INLINE),
    ("deepseek-r1", Reasoning.INLINE),
)


def reasoning_of(model: str) -> Reasoning:
    name = model.strip().lower().rsplit("/", 1)[-1]
    for family, reasoning in REASONING_FAMILIES:
        if name.startswith(family):
            return reasoning
    return Reasoning.NONE


def hidden_reasoning(model: str) -> dict[str, Any]:
    """ChatGroq arguments that keep ``model``'s reasoning out of the answer, so speech starts
    with the answer (and nothing of the reasoning is shown, spoken or saved)."""
    reasoning = reasoning_of(model)
    if reasoning is Reasoning.SEPARATE:  # reasoning_format is not for gpt-oss
        return {"reasoning_effort": "low", "model_kwargs": {"include_reasoning": False}}
    if reasoning is Reasoning.INLINE:
        return {"reasoning_format": "hidden"}
    return {}


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    context_window: int
    owned_by: str


def list_chat_models(access: GroqAccess) -> list[ModelInfo]:
    """The chat models this key can use, as Groq lists them (model ids are data, not code)."""
    try:
        listed = access.client().models.list()
    except Exception as exc:
        raise explain(exc) from exc
    models = [
        ModelInfo(m.id, int(getattr(m, "context_window", 0) or 0), str(m.owned_by or ""))
        for m in listed.data
        if getattr(m, "active", True) is not False and not any(w in m.id for w in _NOT_CHAT)
    ]
    return sorted(models, key=lambda m: (m.id != DEFAULT_CHAT_MODEL, m.id))


def chat_model_ids(access: GroqAccess) -> list[str]:
    """The chat models Groq offers now (a network call: run it off the GUI thread)."""
    return [m.id for m in list_chat_models(access)]


def check_key(key: str) -> str:
    """The settings dialog's Test: listing the models proves the key works."""
    models = list_chat_models(GroqAccess.from_env(key))
    return f"Groq accepted the key; {len(models)} chat models are available."
