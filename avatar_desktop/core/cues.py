"""Cue vocabulary and a streaming parser that lifts ``[smile]``-style tags out of model text.

The model writes tags such as ``[smile]`` or ``[ Wave ]`` inline. The parser removes every
recognised tag and hands it on as a :class:`Tag`; anything else in brackets (``[1]``,
``[citation needed]``, a lone ``[``) stays visible, exactly as written. Only a ``[`` that can
still grow into a tag is held back, so text reaches the screen and the voice without delay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMOTIONS: tuple[str, ...] = ("neutral", "happy", "sad", "surprised", "angry", "thinking")
GESTURES: tuple[str, ...] = ("nod", "shake", "wave", "shrug", "tilt", "point", "brows", "explain")
ALIASES: dict[str, str] = {
    "calm": "neutral",
    "smile": "happy",
    "laugh": "happy",
    "grin": "happy",
    "frown": "sad",
    "cry": "sad",
    "surprise": "surprised",
    "wow": "surprised",
    "anger": "angry",
    "mad": "angry",
    "think": "thinking",
    "hmm": "thinking",
    "headshake": "shake",
    "head_shake": "shake",
    "shake_head": "shake",
    "raise_brows": "brows",
    "eyebrows": "brows",
    "eyebrow": "brows",
    "gesture": "explain",
}
CUE_TAGS: tuple[str, ...] = (*EMOTIONS, *GESTURES, *ALIASES)

# One capturing group per word, so ``lastindex`` names the word that matched. Matching goes
# through ``re`` with IGNORECASE everywhere, so case rules (``ſ`` for ``s``, ``K`` for ``k``)
# are the same as for anyone checking the output with a plain ``re`` pattern.
_WORD_GROUPS = "|".join(f"({re.escape(word)})" for word in CUE_TAGS)
_WORD = re.compile(f"(?:{_WORD_GROUPS})", re.IGNORECASE)
# Possessive ``\s*+``: same matches as ``\s*`` (words never start with a space), no backtracking.
_TAG = re.compile(rf"\[\s*+(?:{_WORD_GROUPS})\s*+\]", re.IGNORECASE)
_PREFIXES = sorted({word[:n] for word in CUE_TAGS for n in range(1, len(word))})
# The start of a tag that has not closed yet: used with fullmatch on a tail of the text.
_LIVE = re.compile(
    r"\[\s*+(?:(?:{})\s*+|(?:{}))?".format(
        "|".join(map(re.escape, CUE_TAGS)), "|".join(map(re.escape, _PREFIXES))
    ),
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def canonical(name: str) -> str:
    """The vocabulary name for a tag word in any case or alias; ValueError if it is no cue."""
    match = _WORD.fullmatch(name)
    if match is None or match.lastindex is None:
        raise ValueError(f"not a cue tag: {name!r}")
    word = CUE_TAGS[match.lastindex - 1]
    return ALIASES.get(word, word)


@dataclass(frozen=True, slots=True)
class Tag:
    """A recognised cue, by its canonical name, at its place in the text stream."""

    name: str

    @property
    def is_emotion(self) -> bool:
        """Emotions set a mood that lasts; gestures play once."""
        return self.name in EMOTIONS


class _Pieces:
    """Collects parser output, merging neighbouring text without quadratic joins."""

    def __init__(self) -> None:
        self.items: list[str | Tag] = []
        self._text: list[str] = []

    def text(self, text: str) -> None:
        if text:
            self._text.append(text)

    def tag(self, match: re.Match[str]) -> None:
        self._close_text()
        assert match.lastindex is not None  # every alternative of _TAG is a group
        word = CUE_TAGS[match.lastindex - 1]
        self.items.append(Tag(ALIASES.get(word, word)))

    def done(self) -> list[str | Tag]:
        self._close_text()
        return self.items

    def _close_text(self) -> None:
        if self._text:
            self.items.append("".join(self._text))
            self._text.clear()


class CueParser:
    """Splits streamed model text into visible text and cue tags, holding back only a maybe-tag."""

    def __init__(self) -> None:
        self._held: list[str] = []  # raw text of a possible tag, starting with "["
        self._key = ""  # the held text with whitespace runs collapsed, so checks stay short

    def feed(self, chunk: str) -> list[str | Tag]:
        """Visible text and tags completed by ``chunk``, in stream order."""
        out = _Pieces()
        rest = self._resume(chunk, out) if self._held else chunk
        self._scan(rest, out)
        return out.done()

    def flush(self) -> list[str | Tag]:
        """End of stream: a tag that never closed was just text."""
        out = _Pieces()
        out.text("".join(self._held))
        self._held.clear()
        self._key = ""
        return out.done()

    def _resume(self, chunk: str, out: _Pieces) -> str:
        """Continue a held ``[``; return the raw text still to scan."""
        key = self._key + chunk
        match = _TAG.match(key)
        if match is not None:
            out.tag(match)
            consumed = match.end() - len(self._key)
            self._held.clear()
            self._key = ""
            return chunk[consumed:]
        if _LIVE.fullmatch(key):
            self._held.append(chunk)
            self._key = _SPACES.sub(" ", key)
            return ""
        held = "".join(self._held)
        self._held.clear()
        self._key = ""
        out.text("[")
        return held[1:] + chunk  # no "[" after the first one: a live candidate never has one

    def _scan(self, text: str, out: _Pieces) -> None:
        """Scan text with nothing held, holding back a trailing candidate if there is one."""
        pos = 0
        while (start := text.find("[", pos)) >= 0:
            out.text(text[pos:start])
            match = _TAG.match(text, start)
            if match is not None:
                out.tag(match)
                pos = match.end()
            elif _LIVE.fullmatch(text, start):
                tail = text[start:]
                self._held.append(tail)
                self._key = _SPACES.sub(" ", tail)
                return
            else:
                out.text("[")
                pos = start + 1
        out.text(text[pos:])
