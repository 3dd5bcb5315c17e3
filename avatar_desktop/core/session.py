"""The session and message model: what a conversation is, independent of disk and screen."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["user", "assistant"]

TITLE_MAX = 60
DEFAULT_TITLE = "New conversation"


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Message:
    """One message; ``interrupted`` marks an answer cut short by Stop or barge-in."""

    role: Role
    content: str
    created: float = field(default_factory=time.time)
    interrupted: bool = False
    error: str | None = None
    id: str = field(default_factory=new_id)


@dataclass
class Session:
    """A conversation: its messages, its persona (None means the default) and its title."""

    id: str = field(default_factory=new_id)
    title: str = DEFAULT_TITLE
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    persona: str | None = None
    messages: list[Message] = field(default_factory=list)

    def add(self, message: Message) -> Message:
        """Append a message, taking the title from the first user message."""
        self.messages.append(message)
        self.updated = message.created
        if message.role == "user" and self.title == DEFAULT_TITLE:
            self.title = title_from(message.content)
        return message

    def summary(self) -> SessionSummary:
        return SessionSummary(self.id, self.title, self.updated, len(self.messages))


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """What the conversation list shows, without holding every message in memory."""

    id: str
    title: str
    updated: float
    message_count: int


def title_from(text: str) -> str:
    """A one-line title from a message: first line, whitespace collapsed, cut at a word."""
    line = " ".join(text.split())
    if not line:
        return DEFAULT_TITLE
    if len(line) <= TITLE_MAX:
        return line
    cut = line[:TITLE_MAX].rsplit(" ", 1)[0]
    return (cut or line[:TITLE_MAX]).rstrip(",.;:") + "…"
