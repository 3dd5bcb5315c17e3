"""Conversation memory: a session seen through LangChain's history interface, trimmed to fit."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    trim_messages,
)

from avatar_desktop.core.session import Message, Role, Session
from avatar_desktop.core.think import strip_think

INTERRUPTED_MARK = " …"
# A full window's oldest exchanges go this many at a time: a model that keeps the prompt it
# last read (llama.cpp) then reads only the new messages on most turns, instead of the whole
# history again each time one old exchange falls out (about 0.6 s on two cores).
STEP_EXCHANGES = 3
_PER_MESSAGE_OVERHEAD = 4  # role markers and separators of a chat template


class SessionHistory(BaseChatMessageHistory):
    """One history per session, backed by the session's own message list."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        return to_langchain(self.session.messages)

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        for message in messages:
            role: Role = "user" if message.type == "human" else "assistant"
            self.session.add(Message(role=role, content=str(message.content)))

    def clear(self) -> None:
        self.session.messages.clear()


def to_langchain(messages: Sequence[Message]) -> list[BaseMessage]:
    """What the model sees: failed answers left out, interrupted ones marked as cut short.

    A failed answer stays in the session for the user to see, but the model is asked afresh.
    Reasoning saved by an older version is never sent back.
    """
    out: list[BaseMessage] = []
    for message in messages:
        if message.role == "user":
            out.append(HumanMessage(message.content))
        elif message.content and not message.error:
            text = strip_think(message.content) + (INTERRUPTED_MARK if message.interrupted else "")
            out.append(AIMessage(text))
    return out


def tail_within(messages: Sequence[Message], budget: int) -> Sequence[Message]:
    """A cheap cut before exact trimming, so a 10,000-message session costs nothing extra.

    Keeps every message that could fit even if a token were as long as 8 characters.
    """
    total = 0
    for start in range(len(messages) - 1, -1, -1):
        total += len(messages[start].content) // 8 + _PER_MESSAGE_OVERHEAD
        if total > budget:
            return messages[start:]
    return messages


def context_window(
    persona: str,
    history: Sequence[BaseMessage],
    *,
    budget: int,
    count: Callable[[str], int],
) -> list[BaseMessage]:
    """Persona plus the newest turns that fit ``budget`` tokens; the oldest go first."""

    def counter(messages: list[BaseMessage]) -> int:
        return sum(count(str(m.content)) + _PER_MESSAGE_OVERHEAD for m in messages)

    return trim_messages(
        [SystemMessage(persona), *history],
        max_tokens=budget,
        token_counter=counter,
        strategy="last",
        include_system=True,
        start_on="human",
        allow_partial=False,
    )


def in_steps(window: list[BaseMessage], earlier: int) -> list[BaseMessage]:
    """``window`` (persona first) less its oldest exchanges, so that the number of the user's
    messages before it is a multiple of STEP_EXCHANGES; ``earlier``: how many there are now.
    The newest exchange always stays."""
    system, rest = window[:1], window[1:]
    humans = [i for i, message in enumerate(rest) if message.type == "human"]
    extra = -earlier % STEP_EXCHANGES
    if extra == 0 or extra >= len(humans):
        return window
    return system + rest[humans[extra] :]
