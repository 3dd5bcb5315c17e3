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
from dataclasses import dataclass

from markdown_it.token import Token

from avatar_desktop.core.markdown import parse_blocks, render_blocks

PIECE_CHARS = 1000  # source characters gathered into one label before a new one starts
PARAGRAPH_GAP = 8  # pixels: a block's bottom margin in document_css
ITEM_GAP = 2  # pixels: a tight list item's bottom margin in document_css

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Closing tags that end a block without adding space of their own, peeled off to find the
# last block that does; and block syntax a highlight must not start before.
_CLOSERS = re.compile(r"(?:\s|</li>|</ul>|</ol>|</blockquote>)+\Z")
_BLOCK_SYNTAX = re.compile(r"[ \t]*(?:(?:>|[*+-]|\d{1,9}[.)]|#{1,6}|\|)(?:[ \t]+|$))*")
_BLOCK_END = re.compile(r"(</(?:p|table|ul|ol|blockquote|h[1-6]|pre)>|<hr />)\s*\Z")
LIST_OPENERS = ("bullet_list_open", "ordered_list_open")
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
    source: str,
    offset: int = 0,
    found: dict[str, object] | None = None,
    *,
    follows: int | None = None,
    goes_on: bool = False,
    loose: bool = False,
) -> list[Fragment]:
    """``source`` rendered and cut into fragments; offsets are shifted by ``offset``.

    ``found`` receives what the parse found (``"references"``: link reference definitions).
    The flags are those of :func:`split`.
    """
    tokens = parse_blocks(source, {} if found is None else found)
    return split(tokens, source, offset, follows=follows, goes_on=goes_on, loose=loose)


def split(
    tokens: Sequence[Token],
    source: str,
    offset: int = 0,
    *,
    follows: int | None = None,
    goes_on: bool = False,
    loose: bool = False,
) -> list[Fragment]:
    """The parsed ``source`` rendered and cut into fragments.

    For a source cut out of a longer list: ``follows`` numbers a first list that continues
    one before it (its opening tag belongs to that one), ``goes_on`` says the last list
    continues after it (its closing tag belongs there), ``loose`` makes that list loose.
    """
    blocks = list(_blocks(tokens))
    if loose and blocks:
        _loosen(tokens[blocks[-1][0] : blocks[-1][1] + 1])
    env: dict[str, object] = {}
    lines = [0, *(m.end() for m in _LINE_BREAK.finditer(source))]

    def where(token: Token) -> tuple[int, int]:
        first, last = token.map or (0, 0)
        end = lines[last] if last < len(lines) else len(source)
        return offset + lines[min(first, len(lines) - 1)], offset + end

    out: list[Fragment] = []
    for number, (index, close) in enumerate(blocks):
        opener = tokens[index]
        if opener.type in LIST_OPENERS:
            first = follows if number == 0 else None
            last = goes_on and number == len(blocks) - 1
            out.extend(_items(tokens, index, close, env, where, first, last))
        else:
            start, end = where(opener)
            out.append(Fragment(render_blocks(tokens[index : close + 1], env), start, end))
    return out


@dataclass(frozen=True, slots=True)
class ListEnd:
    """The list a source ends with, as far as joining it with the source after matters."""

    alone: bool  # the source is that one list and nothing else
    kind: tuple[str, str]  # tag and marker: a "-" list never goes on as a "*" one
    start: int  # the number of its first item
    items: int
    loose: bool | None  # None when no item has a paragraph to tell


def list_end(tokens: Sequence[Token]) -> ListEnd | None:
    """How the last top-level block of ``tokens`` looks, if it is a list."""
    blocks = list(_blocks(tokens))
    if not blocks or tokens[blocks[-1][0]].type not in LIST_OPENERS:
        return None
    first, last = blocks[-1]
    block = tokens[first : last + 1]
    items = [t for t in block if t.type == "list_item_open" and t.level == 1]
    hidden = {t.hidden for t in block if t.level == 2 and t.type == "paragraph_open"}
    return ListEnd(
        alone=len(blocks) == 1,
        kind=(block[0].tag, items[0].markup if items else ""),
        start=int(block[0].attrGet("start") or 1),
        items=len(items),
        loose=None if not hidden else False in hidden,
    )


def _blocks(tokens: Sequence[Token]) -> Iterator[tuple[int, int]]:
    """The first and last token index of each top-level block."""
    index = 0
    while index < len(tokens):
        close = _block_end(tokens, index)
        yield index, close
        index = close + 1


def _loosen(block: Sequence[Token]) -> None:
    """Show the paragraphs of a top-level list's items, as markdown-it does in a loose list."""
    if block and block[0].type in LIST_OPENERS:
        for token in block:
            if token.level == 2 and token.type in ("paragraph_open", "paragraph_close"):
                token.hidden = False


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
    follows: int | None,
    goes_on: bool,
) -> Iterator[Fragment]:
    """One fragment per item of the list between ``opening`` and ``closing``."""
    starts = [
        at
        for at in range(opening + 1, closing)
        if tokens[at].type == "list_item_open" and tokens[at].level == tokens[opening].level + 1
    ]
    bounds = [*starts, closing]
    list_close = render_blocks([tokens[closing]], env)
    first_number = int(tokens[opening].attrGet("start") or 1) if follows is None else follows
    for number, (begin, end) in enumerate(itertools.pairwise(bounds)):
        first = number == 0 and follows is None
        last = end == closing and not goes_on
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
