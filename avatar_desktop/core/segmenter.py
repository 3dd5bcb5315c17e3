"""Streaming sentence segmenter: cuts the answer into speakable pieces the moment each is done.

Every character of the input lands in exactly one :class:`Segment`, in order. Cuts are made
just before a run of whitespace, so whitespace between sentences *starts* the next segment
(``"Hi. Bye."`` gives ``"Hi."`` and ``" Bye."``); segments therefore begin with their
leading whitespace and end on their last visible character. A cut happens at:

- a sentence end: ``.``, ``!``, ``?`` or ``…`` (runs like ``?!``, then closing quotes or
  brackets) before whitespace, except after abbreviations, initials, list numbers and
  ellipses followed by a lowercase word;
- a newline that ends a list item or heading line, starts a blank line, or comes before a
  list item, heading or code fence;
- a fenced code block, which is one segment with ``code=True``;
- a long run with no sentence end, split at a clause mark or a space;
- with ``first_phrase``, in the answer's first spoken segment only, a clause mark (``,`` ``;``
  ``:`` or a spaced dash) before whitespace, so the voice can start on "Sure," or "The tallest
  mountain in Africa," at once; and, in a long first sentence with no such mark, the space
  before a word that opens a clause ("The sky looks blue | because …") once enough words
  precede it, or, a little later, a phrase ("The tallest mountain in Africa | is …"). The
  voice makes a short phrase several times faster than a sentence.

Decisions are final as soon as they are made, so feeding the same text in any chunks gives
the same segments; the segmenter waits only where the next character decides the matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from avatar_desktop.core.speakable import speakable as speech_of

LONG_RUN = 220  # characters of speech we are willing to hold without a sentence end

_TITLES = frozenset({"dr", "mr", "mrs", "ms", "prof", "st", "mt", "vs", "e.g", "i.e", "cf"})
_SOFT_ENDS = frozenset({"etc", "jr", "sr", "inc", "ltd", "co"})  # end only before a capital
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # u.s, a.m, p.m: end only before a capital
_OPENERS = "\"'“‘([{*_"
_TOKEN_WINDOW = 40  # how far back to look for the word before a full stop
# The last word before a space: body, terminator run, closing quotes/brackets/emphasis.
_TERMINAL = re.compile(r"(\S*?)([.!?…]+)([\"'”’)\]*_]*)\Z")

_SPACE = re.compile(r"\s")
_NON_SPACE = re.compile(r"\S")
# What a line starts with, decided by its first characters (indentation already skipped).
_BLOCK = re.compile(
    r"(?P<fence>`{3,}+(?=[^`])|~{3,}+(?=[^~]))"
    r"|(?P<heading>#{1,6}(?=\s))"
    r"|(?P<item>(?:[-*+]|\d{1,9}[.)])(?=\s))"
)
_BLOCK_PREFIX = re.compile(r"`+|~+|#{1,6}|[-*+]|\d{1,9}[.)]?")
_FENCE_RUN = re.compile(r"`+|~+")
# Where a long run may be split: after a clause mark, else at the last space.
_CLAUSE_SPLIT = re.compile(r"(?s:.*)(?:[,;:](?=\s)|[，；：。！？、])")
_SPACE_SPLIT = re.compile(r"(?s:.*)\S(?=\s)")
# The end of a first phrase: a clause mark, or a dash standing alone between spaces.
_PHRASE_END = re.compile(r"(?:[,;:]|\s(?:[—–]|(?<!\d\s)-))\Z")
_WORD = re.compile(r"\w+")
PHRASE_WORDS = 1  # a first phrase says at least this much ("Sure," is said on its own)
PHRASE_CHARS = 2
# Words that open a clause: a long first sentence may be said in two, just before one of them.
_JOINTS = frozenset(
    [
        "because", "which", "who", "whose", "where", "when", "while", "although", "though",
        "since", "unless", "but", "whereas", "if",
    ]
)  # fmt: skip
JOINT_WORDS = 4  # words said before a joint ("The sky looks blue | because")
# Words that open a phrase, for a first sentence that has gone on longer with no better place.
_LATE_JOINTS = frozenset(
    ["is", "are", "was", "were", "and", "or", "to", "in", "on", "at", "of", "for", "with", "by"]
)
LATE_JOINT_WORDS = 5  # "The tallest mountain in Africa | is Kilimanjaro."
_NEXT_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of the answer: ``raw`` is the exact input slice starting at offset ``start``."""

    raw: str
    start: int
    code: bool = False

    @property
    def speakable(self) -> str:
        """What the voice says for this piece; code is shown, never read out."""
        return "" if self.code else speech_of(self.raw)


class _Verdict(Enum):
    CUT = "cut"
    KEEP = "keep"
    WAIT = "wait"


@dataclass(slots=True)
class _Fence:
    """An open code fence: its character, its length and where its current line starts."""

    char: str
    size: int
    line: int
    opened: bool = False  # the opening line has been read to its end


@dataclass(slots=True)
class _Run:
    """A whitespace run being read: where it starts, how far it is read, newlines seen."""

    start: int
    end: int
    newlines: int = 0
    phrase: bool | None = None  # ends a first phrase; asked once, however long the run grows
    joint: bool | None = None  # comes before a clause that may start a second phrase


def _line_kind(text: str, at: int, final: bool) -> str | None:
    """How the line whose first visible char is at ``at`` starts; None if text must follow."""
    match = _BLOCK.match(text, at)
    if match is not None:
        return match.lastgroup
    if _BLOCK_PREFIX.fullmatch(text, at):
        if not final:
            return None
        match = _BLOCK.match(text[at:] + "\n")
        return match.lastgroup if match is not None else "plain"
    return "plain"


def _split_point(text: str, start: int, limit: int) -> int:
    """Where to split a long segment starting at ``start``: a clause mark, a space, or hard."""
    match = _CLAUSE_SPLIT.match(text, start + limit // 2, start + limit + 1)
    if match is None:
        match = _SPACE_SPLIT.match(text, start, start + limit + 1)
    return match.end() if match is not None else start + limit


class Segmenter:
    """Cuts streamed visible text into sentences and code blocks as early as it safely can."""

    def __init__(self, *, first_phrase: bool = False) -> None:
        self._first_phrase = first_phrase
        self._reset()

    def _reset(self) -> None:
        self._buf = ""  # text not yet emitted, plus a little lookbehind at most
        self._base = 0  # stream offset of _buf[0]
        self._seg = 0  # where the current segment starts, in _buf
        self._pos = 0  # everything before this is decided (or a pending run starts here)
        self._run: _Run | None = None
        self._line_pending = True  # the next visible char starts a line
        self._line_kind = "plain"
        self._line_head = 0  # stream offset of the current line's first visible char
        self._fence: _Fence | None = None
        self._phrase_open = self._first_phrase  # no spoken segment yet: a phrase may end it

    def feed(self, text: str) -> list[Segment]:
        """Segments completed by ``text``; the rest waits for more text or :meth:`flush`."""
        buf = self._buf
        self._buf = ""  # drop our reference so += can grow the string in place
        buf += text
        self._buf = buf
        return self._advance(final=False)

    def flush(self) -> list[Segment]:
        """End of stream: emit everything left, an unclosed code block as code."""
        out = self._advance(final=True)
        self._reset()
        return out

    def _advance(self, final: bool) -> list[Segment]:
        out: list[Segment] = []
        progressing = True
        while progressing:
            step = self._fence_step if self._fence is not None else self._prose_step
            progressing = step(final, out)
        if final and self._seg < len(self._buf):
            self._emit(len(self._buf), out, code=self._fence is not None)
        self._trim()
        return out

    def _emit(self, cut: int, out: list[Segment], *, code: bool = False) -> None:
        segment = Segment(self._buf[self._seg : cut], self._base + self._seg, code)
        out.append(segment)
        self._seg = cut
        if self._phrase_open and segment.speakable:
            self._phrase_open = False

    def _trim(self) -> None:
        """Forget emitted text so the buffer stays the size of one pending segment."""
        cut = self._seg
        if not cut:
            return
        self._buf = self._buf[cut:]
        self._base += cut
        self._seg = 0
        self._pos -= cut
        if self._run is not None:
            self._run.start -= cut
            self._run.end -= cut
        if self._fence is not None:
            self._fence.line -= cut

    # -- prose -----------------------------------------------------------------------------

    def _prose_step(self, final: bool, out: list[Segment]) -> bool:
        """Decide the next whitespace run; False when more text is needed."""
        buf = self._buf
        if self._line_pending and self._pos < len(buf) and not buf[self._pos].isspace():
            if not self._start_line(final):
                return False
            if self._fence is not None:
                return True
        run = self._next_run()
        self._split_long(run.start if run else len(buf), out)
        if run is None:
            self._pos = len(buf)
            return False
        complete = run.end < len(buf) or final
        verdict = self._decide(run, complete, final)
        if verdict is _Verdict.CUT and run.start > self._seg:
            self._emit(run.start, out)
        if verdict is _Verdict.WAIT or not complete:
            self._pos = run.start
            return False
        self._run = None
        self._pos = run.end
        if run.newlines:
            self._line_pending = True
        return True

    def _next_run(self) -> _Run | None:
        """The whitespace run at or after ``_pos``, read as far as the buffer goes."""
        buf = self._buf
        run = self._run
        if run is None:
            match = _SPACE.search(buf, self._pos)
            if match is None:
                return None
            run = self._run = _Run(match.start(), match.start())
        match = _NON_SPACE.search(buf, run.end)
        end = match.start() if match is not None else len(buf)
        run.newlines += buf.count("\n", run.end, end)
        run.end = end
        return run

    def _start_line(self, final: bool) -> bool:
        """Classify the line starting at ``_pos``; opens a code block at a fence."""
        kind = _line_kind(self._buf, self._pos, final)
        if kind is None:
            return False
        self._line_pending = False
        self._line_kind = kind
        self._line_head = self._base + self._pos
        if kind == "fence":
            fence_run = _FENCE_RUN.match(self._buf, self._pos)
            assert fence_run is not None  # _BLOCK only says "fence" at a fence run
            size = fence_run.end() - self._pos
            self._fence = _Fence(self._buf[self._pos], size, self._pos)
        return True

    def _decide(self, run: _Run, complete: bool, final: bool) -> _Verdict:
        """Whether the segment ends where ``run`` starts; only a certain CUT comes early."""
        if run.start == self._seg:  # nothing before it in this segment
            return _Verdict.KEEP if complete else _Verdict.WAIT
        if self._sentence_end(run, complete):
            return _Verdict.CUT
        if run.newlines and (run.newlines >= 2 or self._line_kind in ("item", "heading")):
            return _Verdict.CUT
        if self._phrase_open and self._line_kind == "plain":
            if self._phrase_end(run):
                return _Verdict.CUT
            joint = self._joint(run, final)
            if joint is None:
                return _Verdict.WAIT
            if joint:
                return _Verdict.CUT
        if not complete:
            return _Verdict.WAIT
        if run.newlines:
            kind = _line_kind(self._buf, run.end, final)
            if kind is None:
                return _Verdict.WAIT
            if kind != "plain":
                return _Verdict.CUT
        return _Verdict.KEEP

    def _sentence_end(self, run: _Run, complete: bool) -> bool | None:
        """Does the word before ``run`` end a sentence? None while the next word decides."""
        low = max(self._seg, run.start - _TOKEN_WINDOW)
        match = _TERMINAL.search(self._buf[low : run.start])
        if match is None:
            return False
        body, term, _closers = match.groups()
        if "!" in term or "?" in term:
            return True
        after = self._buf[run.end] if run.end < len(self._buf) else ""
        if len(term) > 1 or term == "…":
            return (not after.islower()) if complete else None
        core = body.lstrip(_OPENERS)
        word = core.lower()
        if word in _TITLES or (len(core) == 1 and core.isupper() and core != "I"):
            return False
        if core.isdigit() and self._base + low + match.start() == self._line_head:
            return False  # "1. " opening a numbered line
        if word in _SOFT_ENDS or _DOTTED.fullmatch(word):
            return (not after or after.isupper()) if complete else None
        return True

    def _phrase_end(self, run: _Run) -> bool:
        """Does the text before ``run`` close a first phrase long enough to say on its own?"""
        if run.phrase is None:
            mark = _PHRASE_END.search(self._buf, max(self._seg, run.start - 2), run.start)
            said = speech_of(self._buf[self._seg : mark.start()]) if mark else ""  # words heard
            run.phrase = len(said) >= PHRASE_CHARS and len(_WORD.findall(said)) >= PHRASE_WORDS
        return run.phrase

    def _joint(self, run: _Run, final: bool) -> bool | None:
        """Does a long first phrase end before ``run``, the next word opening a clause? None
        while that word may still grow ("but" could be "butter")."""
        if run.joint is not None:
            return run.joint
        word = _NEXT_WORD.match(self._buf, run.end)
        if word is None or run.newlines:
            grown = run.end < len(self._buf) or final
            return False if grown else None
        if word.end() == len(self._buf) and not final:
            return None
        after = word.group().lower()
        joint = after in _JOINTS or after in _LATE_JOINTS
        if joint:
            said = len(_WORD.findall(speech_of(self._buf[self._seg : run.start])))
            joint = said >= (JOINT_WORDS if after in _JOINTS else LATE_JOINT_WORDS)
        run.joint = joint
        return joint

    def _split_long(self, frontier: int, out: list[Segment]) -> None:
        """Split speech that has gone on too long without a sentence end."""
        while frontier - self._seg > LONG_RUN:
            self._emit(_split_point(self._buf, self._seg, LONG_RUN), out)

    # -- code ------------------------------------------------------------------------------

    def _fence_step(self, final: bool, out: list[Segment]) -> bool:
        """Read the code block line by line; True once it has closed."""
        fence = self._fence
        assert fence is not None
        buf = self._buf
        while True:
            newline = buf.find("\n", self._pos)
            if newline < 0:
                self._pos = len(buf)
                if not final:
                    return False
            end = newline if newline >= 0 else len(buf)
            line = buf[fence.line : end]
            if not fence.opened:
                fence.opened = True
                if fence.char == "`" and "`" in line[fence.size :]:
                    return self._leave_code(fence.line)  # ```inline``` is not a fence
            elif _closes(line, fence):
                self._emit(fence.line + len(line.rstrip()), out, code=True)
                return self._leave_code(self._seg)
            if newline < 0:
                return False
            fence.line = self._pos = newline + 1

    def _leave_code(self, resume: int) -> bool:
        self._fence = None
        self._line_kind = "plain"
        self._pos = resume
        return True


def _closes(line: str, fence: _Fence) -> bool:
    """A closing fence: the same character, at least as long, nothing else on the line."""
    mark = line.strip()
    return len(mark) >= fence.size and mark == fence.char * len(mark)
