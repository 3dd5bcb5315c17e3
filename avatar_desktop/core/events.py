"""Typed events that flow through a turn, from the model's tokens to the screen and the voice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextDelta:
    """Visible answer text (cue tags removed), in arrival order."""

    text: str


@dataclass(frozen=True, slots=True)
class Cue:
    """A gesture or emotion tag, attached to the sentence it belongs to."""

    name: str
    sentence: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """A complete speakable sentence, emitted as soon as the model has written it.

    ``start``/``end`` locate it in the visible answer text, so what was spoken can be kept
    (and highlighted) exactly.
    """

    index: int
    text: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class TurnFinished:
    """The turn ended; ``text`` is the visible answer as kept in history."""

    text: str
    interrupted: bool
    finish_reason: str = "stop"


@dataclass(frozen=True, slots=True)
class TurnFailed:
    """The turn ended in an error; ``partial`` is what had arrived before it.

    ``kind``, ``retry_after`` and ``offline`` say what the app can offer: a countdown and
    retry, an answer from the model on this computer, or another model.
    """

    message: str
    partial: str
    kind: str = "other"
    retry_after: float | None = None
    offline: bool = False


@dataclass(frozen=True, slots=True)
class MemoryUsed:
    """Before the answer: the remembered notes the model was given (ids and texts)."""

    ids: tuple[int, ...]
    notes: tuple[str, ...]


TurnEvent = TextDelta | Cue | Sentence | TurnFinished | TurnFailed | MemoryUsed
