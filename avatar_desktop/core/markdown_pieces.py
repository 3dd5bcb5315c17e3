"""A reply's Markdown cut into pieces, one label each, so a growing reply re-lays out only its end.

Qt lays out and paints a rich-text label in time proportional to its whole document, so a
long answer shown in one label costs tens of milliseconds per update. Here the answer is cut
at top-level blocks and at the items of top-level lists. Every piece's ``html`` is an exact
slice of :func:`render_markdown` of the whole text, so the pieces joined are the one-shot
render; a piece's ``body`` adds the list tags it needs to stand alone, and ``gap`` is the
space Qt would have put above it in one document, so stacked labels look the same as one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from avatar_desktop.core.markdown import parse_blocks, render_blocks

PIECE_CHARS = 1000  # source characters gathered into one label before a new one starts
PARAGRAPH_GAP = 8  # pixels: a block's bottom margin in document_css
ITEM_GAP = 2  # pixels: a tight list item's bottom margin in document_css

# A line that opens or closes a fence at the top level, and one that starts a list item.
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_LIST_ITEM = re.compile(r"(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Closing tags that end a block without adding space of their own, peeled off to find the
# last block that does; and block syntax a highlight must not start before.
_CLOSERS = re.compile(r"(?:\s|</li>|</ul>|</ol>|</blockquote>)+\Z")
_BLOCK_SYNTAX = re.compile(r"[ \t]*(?:(?:>|[*+-]|\d{1,9}[.)]|#{1,6}|\|)(?:[ \t]+|$))*")
_BLOCK_END = re.compile(r"(</(?:p|table|ul|ol|blockquote|h[1-6]|pre)>|<hr />)\s*\Z")
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: never in model output


@dataclass(frozen=True, slots=True)
class Fragment:
    """One top-level block, or one item of a top-level list, with the source it came from."""

    html: str  # an exact slice of the whole render
    start: int  # source offsets, [start, end)
    end: int
    opens: str = ""  # for a list item after the first: its list's opening tag, to stand alone
    closes: str = ""  # for a list item before the last: its list's closing tag


@dataclass(frozen=True, slots=True)
class Piece:
    """Fragments shown by one label: the exact HTML, what the label shows, the gap above it."""

    html: str
    body: str
    start: int
    end: int
    gap: int


def fragments(
    source: str, offset: int = 0, found: dict[str, object] | None = None
) -> list[Fragment]:
    """``source`` rendered and cut into fragments; offsets are shifted by ``offset``.

    ``found`` receives what the parse found (``"references"``: link reference definitions).
    """
    found = {} if found is None else found
    tokens = parse_blocks(source, found)
    env: dict[str, object] = {}
    lines = [0, *(m.end() for m in _LINE_BREAK.finditer(source))]

    def where(token: Token) -> tuple[int, int]:
        first, last = token.map or (0, 0)
        end = lines[last] if last < len(lines) else len(source)
        return offset + lines[min(first, len(lines) - 1)], offset + end

    out: list[Fragment] = []
    index = 0
    while index < len(tokens):
        close = _block_end(tokens, index)
        opener = tokens[index]
        if opener.type in ("bullet_list_open", "ordered_list_open"):
            out.extend(_items(tokens, index, close, env, where))
        else:
            start, end = where(opener)
            out.append(Fragment(render_blocks(tokens[index : close + 1], env), start, end))
        index = close + 1
    return out


def _block_end(tokens: Sequence[Token], index: int) -> int:
    """Index of the token that closes the block opened at ``index`` (itself if it is whole)."""
    level = tokens[index].level
    if tokens[index].nesting != 1:
        return index
    for at in range(index + 1, len(tokens)):
        if tokens[at].level == level and tokens[at].nesting == -1:
            return at
    return len(tokens) - 1


def _items(
    tokens: Sequence[Token],
    opening: int,
    closing: int,
    env: dict[str, object],
    where: Callable[[Token], tuple[int, int]],
) -> Iterator[Fragment]:
    """One fragment per item of the list between ``opening`` and ``closing``."""
    starts = [
        at
        for at in range(opening + 1, closing)
        if tokens[at].type == "list_item_open" and tokens[at].level == tokens[opening].level + 1
    ]
    bounds = [*starts, closing]
    list_close = render_blocks([tokens[closing]], env)
    first_number = int(tokens[opening].attrGet("start") or 1)
    for number, (begin, end) in enumerate(itertools.pairwise(bounds)):
        first, last = number == 0, end == closing
        chunk = tokens[opening if first else begin : end + 1 if last else end]
        opens = "" if first else _reopen(tokens[opening], first_number + number, env)
        start, stop = where(tokens[begin])
        html = render_blocks(chunk, env)
        yield Fragment(html, start, stop, opens, "" if last else list_close)


def _reopen(list_open: Token, number: int, env: dict[str, object]) -> str:
    """The list's opening tag for a continuation, numbered on from the items before it."""
    token = list_open.copy()
    if token.tag == "ol":
        token.attrSet("start", number)
    return render_blocks([token], env)


def gap_between(before: Fragment, after: Fragment) -> int | None:
    """Pixels Qt puts between the two in one document, or None where that is not known."""
    if after.opens:  # two items of one list
        inside = before.html[: before.html.rstrip().rfind("</li>")].rstrip()
        ended = _BLOCK_END.search(inside)
        if ended is None:
            return ITEM_GAP  # the item ends in text: a tight item
        return {"</p>": PARAGRAPH_GAP, "</table>": 0}.get(ended.group(1))
    if after.html.startswith("<table"):
        return 0
    last = _CLOSERS.sub("", before.html)
    return 0 if last.endswith(("</table>", "<hr />")) else PARAGRAPH_GAP


def group(parts: Sequence[Fragment], shown: Sequence[str], *, live: bool) -> list[Piece]:
    """Gather fragments into pieces of about PIECE_CHARS; a ``live`` last one stands alone.

    Where a piece ends depends only on the fragments before it, so the pieces of a reply
    stay the same as it grows and only the last one or two change.
    """
    pieces: list[Piece] = []
    begin, above = 0, 0
    for index in range(1, len(parts) + 1):
        gap: int | None = 0
        if index < len(parts):
            gap = gap_between(parts[index - 1], parts[index])
            full = parts[index - 1].end - parts[begin].start >= PIECE_CHARS
            if gap is None or not (full or (live and index == len(parts) - 1)):
                continue
        html = "".join(shown[begin:index])
        first, last = parts[begin], parts[index - 1]
        body = first.opens + html + last.closes
        pieces.append(Piece(html, body, first.start, last.end, above))
        begin, above = index, gap or 0
    return pieces


def mark_spans(
    source: str, parts: Sequence[Fragment], span: tuple[int, int], offset: int = 0
) -> str:
    """``source`` with ``span`` marked in each fragment it touches, on words, not syntax."""
    cuts: list[tuple[int, int]] = []
    for part in parts:
        start = max(span[0], part.start) - offset
        end = min(span[1], part.end) - offset
        if start >= end:
            continue
        syntax = _BLOCK_SYNTAX.match(source, _skip_space(source, start, end))
        start = syntax.end() if syntax else start
        end = len(source[:end].rstrip())
        if start < end:
            cuts.append((start, end))
    for start, end in reversed(cuts):
        source = source[:start] + _MARK_OPEN + source[start:end] + _MARK_CLOSE + source[end:]
    return source


def _skip_space(source: str, start: int, end: int) -> int:
    while start < end and source[start].isspace():
        start += 1
    return start


def unmark(html: str, style: str) -> str:
    """Turn the marks left by :func:`mark_spans` into a styled span."""
    return html.replace(_MARK_OPEN, f'<span style="{style}">').replace(_MARK_CLOSE, "</span>")


def strip_marks(text: str) -> str:
    return text.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, "")


@dataclass
class _Region:
    """Source whose fragments no later text can change, parsed once."""

    start: int
    source: str
    parts: list[Fragment] = field(init=False)
    defines_links: bool = field(init=False)  # holds a link reference definition
    marked: tuple[tuple[int, int], list[str]] | None = field(default=None)

    def __post_init__(self) -> None:
        found: dict[str, object] = {}
        self.parts = fragments(self.source, self.start, found)
        self.defines_links = bool(found.get("references"))

    @property
    def end(self) -> int:
        return self.start + len(self.source)

    def shown(self, span: tuple[int, int] | None, style: str) -> list[str]:
        """Each fragment's HTML with the part of ``span`` inside this region marked."""
        if span is None or span[1] <= self.start or span[0] >= self.end or not self.parts:
            return [part.html for part in self.parts]
        key = (max(span[0], self.start), min(span[1], self.end))
        if self.marked is None or self.marked[0] != key:
            redone = fragments(mark_spans(self.source, self.parts, key, self.start), self.start)
            if len(redone) != len(self.parts):  # the marks moved a block: show none
                redone = self.parts
            shown = [
                unmark(new.html, style) if strip_marks(new.html) == old.html else old.html
                for new, old in zip(redone, self.parts, strict=True)
            ]  # a mark that changed what it marks (say, a table cell's spacing) is left out
            self.marked = (key, shown)
        return list(self.marked[1])


def stable_boundaries(text: str, start: int = 0) -> Iterator[int]:
    """Each block boundary after ``start`` that later text cannot move, in order.

    That is the start of a complete, unindented line after a blank line, outside any fence,
    that does not start a list item (which could continue the list above). ``start`` must
    itself be such a boundary or 0.
    """
    fence: str | None = None
    previous_blank = False
    offset = start
    while (end := text.find("\n", offset)) != -1:  # the unfinished last line stays in the tail
        line = text[offset:end].rstrip("\r")
        match = _FENCE.match(line)
        opens_block = previous_blank and line[:1] not in (" ", "\t")
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = fence if match.group(2).strip() else None
        elif match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
            if opens_block:
                yield offset
        elif opens_block and line and not _LIST_ITEM.match(line):
            yield offset
        previous_blank = fence is None and not line.strip(" \t")  # as markdown-it sees it
        offset = end + 1


def stable_prefix_end(text: str, start: int = 0) -> int:
    """Offset of the last block boundary after ``start`` that later text cannot move."""
    last = start
    for last in stable_boundaries(text, start):  # noqa: B007 - only the last one is wanted
        pass
    return last


class MarkdownStream:
    """The pieces of a reply as it grows: settled blocks are parsed once, only the tail again.

    Text before a stable boundary never changes meaning once later text arrives, except
    through a link reference definition written after its use; a final render of text that
    may hold one parses it whole, so the result is always exactly :func:`render_markdown`.
    """

    def __init__(self) -> None:
        self._regions: list[_Region] = []
        self._settled = ""
        self._tail: _Region | None = None
        self._whole: _Region | None = None

    def pieces(
        self, text: str, *, final: bool, mark: tuple[int, int] | None = None, style: str = ""
    ) -> list[Piece]:
        """The pieces for ``text``; ``mark`` highlights a span of it in ``style``."""
        regions = self._settle(text)
        if final and any(region.defines_links for region in regions):
            if self._whole is None or self._whole.source != text:
                self._whole = _Region(0, text)  # a link may be used before it is defined
            regions = [self._whole]
        parts = [part for region in regions for part in region.parts]
        shown = [html for region in regions for html in region.shown(mark, style)]
        return group(parts, shown, live=not final)

    def render(self, text: str, *, final: bool = False) -> str:
        """The whole HTML for ``text``, as the pieces show it."""
        return "".join(piece.html for piece in self.pieces(text, final=final))

    def _settle(self, text: str) -> list[_Region]:
        """The settled regions of ``text`` (parsing what newly settled) and then its tail."""
        if not text.startswith(self._settled):
            self._regions, self._settled = [], ""
        begin = len(self._settled)
        for boundary in stable_boundaries(text, begin):
            self._regions.append(self._region(begin, text[begin:boundary]))
            begin = boundary
        self._settled = text[:begin]
        tail = text[begin:]
        if self._tail is None or (self._tail.start, self._tail.source) != (begin, tail):
            self._tail = _Region(begin, tail)
        return [*self._regions, self._tail]

    def _region(self, start: int, source: str) -> _Region:
        """A newly settled region, reusing the tail's parse when it covered exactly this."""
        tail = self._tail
        if tail is not None and tail.start == start and tail.source == source:
            return tail
        return _Region(start, source)
