"""One turn, Qt-free: the model's tokens become visible text, cues and speakable sentences."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from langchain_core.messages import SystemMessage

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.core.cues import CueParser, Tag
from avatar_desktop.core.events import Cue, Sentence, TextDelta, TurnEvent, TurnFailed, TurnFinished
from avatar_desktop.core.memory import context_window, in_steps, tail_within, to_langchain
from avatar_desktop.core.segmenter import Segment, Segmenter
from avatar_desktop.core.session import Message
from avatar_desktop.core.speakable import speakable
from avatar_desktop.core.think import ThinkFilter
from avatar_desktop.providers.base import ChatModel, GenerationOptions, ProviderError

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

log = logging.getLogger(__name__)


class _Shaper:
    """Routes visible text to the segmenter and ties each cue to the sentence it sits in."""

    def __init__(self) -> None:
        self.parser = CueParser()
        self.segmenter = Segmenter(first_phrase=True)  # a long first sentence starts sooner
        self.visible: list[str] = []
        self.offset = 0
        self.sentences = 0
        self.pending: list[tuple[str, int]] = []

    def feed(self, token: str) -> Iterator[TurnEvent]:
        yield from self._route(self.parser.feed(token))

    def flush(self) -> Iterator[TurnEvent]:
        yield from self._route(self.parser.flush())
        yield from self._segments(self.segmenter.flush())
        last = max(self.sentences - 1, 0)
        for name, _ in self.pending:
            yield Cue(name, last)
        self.pending.clear()

    def _route(self, items: Sequence[str | Tag]) -> Iterator[TurnEvent]:
        for item in items:
            if isinstance(item, Tag):
                self.pending.append((item.name, self.offset))
                continue
            self.visible.append(item)
            self.offset += len(item)
            yield TextDelta(item)
            yield from self._segments(self.segmenter.feed(item))

    def _segments(self, segments: Sequence[Segment]) -> Iterator[TurnEvent]:
        for segment in segments:
            text = "" if segment.code else speakable(segment.raw)
            if not text:
                continue
            end = segment.start + len(segment.raw)
            mine = [name for name, at in self.pending if at < end]
            self.pending = [(name, at) for name, at in self.pending if at >= end]
            for name in mine:
                yield Cue(name, self.sentences)
            yield Sentence(self.sentences, text, segment.start, end)
            self.sentences += 1

    @property
    def text(self) -> str:
        return "".join(self.visible)


def failed(exc: ProviderError, partial: str) -> TurnFailed:
    """The failure event, carrying what the app needs to offer a way out."""
    return TurnFailed(
        exc.user_message, partial, kind=exc.kind, retry_after=exc.retry_after, offline=exc.offline
    )


def run_turn(
    model: ChatModel,
    messages: Sequence[BaseMessage],
    *,
    cancel: CancelToken,
    options: GenerationOptions,
) -> Iterator[TurnEvent]:
    """Stream one answer; always ends with TurnFinished or TurnFailed, keeping partial text."""
    shaper, think = _Shaper(), ThinkFilter()
    try:
        for token in model.stream(messages, cancel=cancel, options=options):
            if cancel.cancelled:
                break
            visible = think.feed(token)  # reasoning is never shown, spoken, saved or sent back
            if visible:
                yield from shaper.feed(visible)
        if not cancel.cancelled:
            tail = think.flush()
            if tail:
                yield from shaper.feed(tail)
            yield from shaper.flush()
    except Cancelled:
        pass
    except ProviderError as exc:
        yield failed(exc, shaper.text)
        return
    except Exception as exc:  # a provider bug must not take the window down
        log.exception("chat model failed")
        yield TurnFailed(f"The chat model failed unexpectedly ({type(exc).__name__}).", shaper.text)
        return
    finally:
        if think.dropped:
            log.info("left out %d characters of the model's reasoning", think.dropped)
    if cancel.cancelled:
        yield TurnFinished(shaper.text, interrupted=True, finish_reason="cancelled")
    else:
        yield TurnFinished(shaper.text, interrupted=False)


def answer(
    model: ChatModel,
    history: Sequence[Message],
    persona: str,
    *,
    cancel: CancelToken,
    options: GenerationOptions,
    notes: str = "",
) -> Iterator[TurnEvent]:
    """Answer the last user message of ``history`` within the model's context window.

    ``notes`` (what memory recalled for this message) go just before that message, not into
    the persona: the persona and the history before it stay the prompt the model last read,
    so llama.cpp reads only the newest exchange again, not the whole conversation."""
    try:
        model.ready(cancel)
    except Cancelled:
        yield TurnFinished("", interrupted=True, finish_reason="cancelled")
        return
    except ProviderError as exc:
        yield failed(exc, "")
        return
    budget = model.context_tokens - options.max_tokens
    if notes:
        budget -= model.count_tokens(notes)
    recent = to_langchain(tail_within(history, budget))
    window = context_window(persona, recent, budget=budget, count=model.count_tokens)
    asked = sum(message.role == "user" for message in history)
    window = in_steps(window, asked - sum(message.type == "human" for message in window))
    if notes and len(window) >= 2:
        window = [*window[:-1], SystemMessage(notes), window[-1]]
    if len(window) < 2:
        yield TurnFailed(
            "Your message is too long for this model's memory. Shorten it, "
            "or choose a model with a larger context in Settings.",
            "",
        )
        return
    yield from run_turn(model, window, cancel=cancel, options=options)
