"""Drops a model's reasoning (``<think>…</think>``) from its streamed answer.

Reasoning models (Qwen3, DeepSeek-R1 and GGUF files of them) write their chain of thought into
the answer text between think tags unless told otherwise. None of it may be shown, spoken,
saved or sent back, so the turn filters every model's stream, whatever the provider promised:
tags may be split across chunks, an unclosed block at the end is dropped, and only a ``<`` that
can still grow into a tag is held back, so ordinary text flows on without delay.
"""

from __future__ import annotations

import re

_NAMES = ("think", "thinking", "reasoning")
_OPEN = re.compile(r"<\s*(?:{})\s*>".format("|".join(_NAMES)), re.IGNORECASE)
_CLOSE = re.compile(r"<\s*/\s*(?:{})\s*>".format("|".join(_NAMES)), re.IGNORECASE)
_LONGEST_TAG = 24  # the longest tag with some room for spaces inside it


class ThinkFilter:
    """Feed the raw stream in; get back only what lies outside think blocks."""

    def __init__(self) -> None:
        self._held = ""  # text that may be the start of a tag
        self._inside = False
        self.dropped = 0  # characters of reasoning removed, for the log

    def feed(self, chunk: str) -> str:
        """The visible part of ``chunk`` that is certain now (a partial tag waits)."""
        text, self._held = self._held + chunk, ""
        out: list[str] = []
        while text:
            pattern = _CLOSE if self._inside else _OPEN
            match = pattern.search(text)
            if match is not None:
                self._take(out, text[: match.start()])
                self._inside = not self._inside
                text = text[match.end() :]
                continue
            keep = _partial_tag_start(text)
            self._take(out, text[:keep])
            self._held = text[keep:]
            break
        return "".join(out)

    def flush(self) -> str:
        """The end of the stream: a held ``<`` was text after all; an open block is dropped."""
        held, self._held = self._held, ""
        if self._inside:
            self.dropped += len(held)
            return ""
        return held

    def _take(self, out: list[str], text: str) -> None:
        if self._inside:
            self.dropped += len(text)
        else:
            out.append(text)


def _partial_tag_start(text: str) -> int:
    """Where a trailing ``<…`` that could still become a think tag begins (len: none)."""
    at = text.rfind("<", max(0, len(text) - _LONGEST_TAG))
    if at < 0:
        return len(text)
    tail = text[at + 1 :].lstrip().lstrip("/").lstrip().lower()
    if ">" in tail:
        return len(text)
    if any(name.startswith(tail.rstrip()) or tail.rstrip() == name for name in _NAMES):
        return at
    return len(text)


def strip_think(text: str) -> str:
    """``text`` without its think blocks (for whole texts, e.g. a saved message)."""
    think = ThinkFilter()
    return think.feed(text) + think.flush()
