"""A reply's pieces as it streams in: settled blocks are parsed once, and so are list items.

Text before a stable boundary (see :func:`stable_boundaries`) never changes meaning when
later text arrives, so it is parsed once. What follows, the tail, may still change; but a
long list in it, which has no stable boundary until it ends, is cut at its items: each
item is parsed once and only the last one again, then joined with the others when every
cut is between two items of one list, which is checked on the parse. So an update costs
about the size of the last block or item, however long the reply has grown.

Joined, the pieces are always exactly :func:`render_markdown` of the text, except that a
link reference definition may be used before it is written; a final render of text that
holds one parses it whole.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from avatar_desktop.core.markdown import parse_blocks
from avatar_desktop.core.markdown_pieces import (
    Fragment,
    ListEnd,
    Piece,
    fragments,
    group,
    list_end,
    mark_spans,
    split,
    strip_marks,
    unmark,
)

# A line that opens or closes a fence at the top level, and one that starts a list item.
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_LIST_ITEM = re.compile(r"(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
_CUT_TAIL_AT = 600  # a tail this long is cut at its list items

_Flags = tuple[int | None, bool, bool]  # follows, goes_on, loose: see markdown_pieces.split


@dataclass
class _Region:
    """A stretch of source parsed on its own, and its fragments for each way it is joined."""

    start: int
    source: str
    defines_links: bool = field(init=False)  # holds a link reference definition
    ends: ListEnd | None = field(init=False)
    open_fence: bool = field(init=False)  # ends inside a code fence that text after may close
    _tokens: list[Token] = field(init=False, repr=False)
    _parts: dict[_Flags, list[Fragment]] = field(default_factory=dict, repr=False)
    _marked: tuple[object, list[str]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        found: dict[str, object] = {}
        self._tokens = parse_blocks(self.source, found)
        self.defines_links = bool(found.get("references"))
        self.ends = list_end(self._tokens)
        self.open_fence = _ends_in_open_fence(self._tokens, self.source)

    @property
    def end(self) -> int:
        return self.start + len(self.source)

    def parts(self, flags: _Flags = (None, False, False)) -> list[Fragment]:
        """The fragments, joined to the regions around it as ``flags`` say."""
        parts = self._parts.get(flags)
        if parts is None:
            follows, goes_on, loose = flags
            tokens = self._tokens
            if loose and self.ends is not None and not self.ends.loose:
                tokens = parse_blocks(self.source, {})  # loosened by split; keep ours as parsed
            parts = split(
                tokens, self.source, self.start, follows=follows, goes_on=goes_on, loose=loose
            )
            self._parts[flags] = parts
        return parts

    def shown(self, flags: _Flags, span: tuple[int, int] | None, style: str) -> list[str]:
        """Each fragment's HTML with the part of ``span`` inside this region marked."""
        parts = self.parts(flags)
        if span is None or span[1] <= self.start or span[0] >= self.end or not parts:
            return [part.html for part in parts]
        key = (flags, max(span[0], self.start), min(span[1], self.end), style)
        if self._marked is None or self._marked[0] != key:
            marked = mark_spans(self.source, parts, (key[1], key[2]), self.start)
            follows, goes_on, loose = flags
            redone = fragments(marked, self.start, follows=follows, goes_on=goes_on, loose=loose)
            if len(redone) != len(parts):  # the marks moved a block: show none
                redone = parts
            shown = [
                unmark(new.html, style) if strip_marks(new.html) == old.html else old.html
                for new, old in zip(redone, parts, strict=True)
            ]  # a mark that changed what it marks (say, a table cell's spacing) is left out
            self._marked = (key, shown)
        return list(self._marked[1])


def stable_boundaries(text: str, start: int = 0) -> Iterator[int]:
    """Each block boundary after ``start`` that later text cannot move, in order.

    That is the start of a complete, unindented line after a blank line, outside any fence,
    that does not start a list item (which could continue the list above). ``start`` must
    itself be such a boundary or 0. A fence indented inside a list item ends with the item,
    which this line scan cannot see; so the stream checks, on the parse, that the text up to
    a boundary does not end inside a fence.
    """
    for offset, line, previous_blank in _top_level_lines(text, start):
        if previous_blank and line and line[:1] not in (" ", "\t") and not _LIST_ITEM.match(line):
            yield offset


def stable_prefix_end(text: str, start: int = 0) -> int:
    """Offset of the last block boundary after ``start`` that later text cannot move."""
    last = start
    for last in stable_boundaries(text, start):  # noqa: B007 - only the last one is wanted
        pass
    return last


def item_starts(text: str) -> Iterator[tuple[int, bool]]:
    """Lines of ``text`` (after its first) that start a list item at the left edge, outside
    fences, each with whether a blank line comes before it (which makes a list loose)."""
    for offset, line, previous_blank in _top_level_lines(text, 0, complete=False):
        if offset and _LIST_ITEM.match(line):
            yield offset, previous_blank


def _top_level_lines(
    text: str, start: int, *, complete: bool = True
) -> Iterator[tuple[int, str, bool]]:
    """Each line outside a fence (a fence's opening line included) with whether a blank line
    comes before it; an unfinished last line only when not ``complete``."""
    fence: str | None = None
    previous_blank = False
    offset = start
    while offset < len(text):
        end = text.find("\n", offset)
        if end == -1 and complete:
            return  # the unfinished last line may still become anything
        end = len(text) if end == -1 else end
        line = text[offset:end].rstrip("\r")
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = fence if match.group(2).strip() else None
        else:
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = match.group(1)
            yield offset, line, previous_blank
        previous_blank = fence is None and not line.strip(" \t")  # as markdown-it sees it
        offset = end + 1


class MarkdownStream:
    """The pieces of a reply as it grows (see the module's docstring)."""

    def __init__(self) -> None:
        self._regions: list[_Region] = []
        self._settled = ""
        self._cache: dict[tuple[int, str], _Region] = {}  # the tail's regions, by source
        self._whole: _Region | None = None

    def pieces(
        self, text: str, *, final: bool, mark: tuple[int, int] | None = None, style: str = ""
    ) -> list[Piece]:
        """The pieces for ``text``; ``mark`` highlights a span of it in ``style``."""
        plain: _Flags = (None, False, False)
        joined = [(region, plain) for region in self._settle(text)]
        joined += self._tail(text)
        if final and any(region.defines_links for region, _flags in joined):
            if self._whole is None or self._whole.source != text:
                self._whole = _Region(0, text)  # a link may be used before it is defined
            joined = [(self._whole, plain)]
        parts = [part for region, flags in joined for part in region.parts(flags)]
        shown = [html for region, flags in joined for html in region.shown(flags, mark, style)]
        return group(parts, shown, live=not final)

    def render(self, text: str, *, final: bool = False) -> str:
        """The whole HTML for ``text``, as the pieces show it."""
        return "".join(piece.html for piece in self.pieces(text, final=final))

    def _settle(self, text: str) -> list[_Region]:
        """The settled regions of ``text``, parsing what newly settled."""
        if not text.startswith(self._settled):
            self._regions, self._settled = [], ""
        begin = len(self._settled)
        for boundary in stable_boundaries(text, begin):
            region = self._region(begin, text[begin:boundary])
            if region.open_fence:  # the fence goes on past this line: not a boundary after all
                continue
            self._regions.append(region)
            begin = boundary
        self._settled = text[:begin]
        return list(self._regions)

    def _tail(self, text: str) -> list[tuple[_Region, _Flags]]:
        """The unsettled rest of ``text``: one region, or one per item of a long list in it."""
        begin = len(self._settled)
        tail = text[begin:]
        cuts = list(item_starts(tail)) if len(tail) > _CUT_TAIL_AT else []
        bounds = [0, *(offset for offset, _blank in cuts), len(tail)]
        regions = [self._region(begin + a, tail[a:b]) for a, b in itertools.pairwise(bounds)]
        joined = self._join(regions, [blank for _offset, blank in cuts])
        used = {(region.start, region.source) for region, _flags in joined}
        self._cache = {key: region for key, region in self._cache.items() if key in used}
        return joined

    def _join(
        self, regions: Sequence[_Region], blank_before: Sequence[bool]
    ) -> list[tuple[_Region, _Flags]]:
        """The regions, each with how it joins the next: as items of one list where their
        parses show a cut between two items of a list, parsed together everywhere else."""
        groups: list[tuple[list[_Region], bool]] = []  # a list cut into regions; blank cuts
        for region, blank in zip(regions, [False, *blank_before], strict=True):
            if groups:
                group, blanks = groups[-1]
                before, after = group[-1].ends, region.ends
                if before and after and after.alone and after.kind == before.kind:
                    groups[-1] = ([*group, region], blanks or blank)
                    continue
                groups.pop()  # not one list: parse them together
                source = "".join(r.source for r in group) + region.source
                region = self._region(group[0].start, source)
            groups.append(([region], False))
        return [joined for group, blank in groups for joined in _list_flags(group, blank)]

    def _region(self, start: int, source: str) -> _Region:
        """The region for this stretch of source, parsed once while it stays the same."""
        region = self._cache.get((start, source))
        if region is None:
            region = self._cache[(start, source)] = _Region(start, source)
        return region


def _list_flags(group: Sequence[_Region], blank_cut: bool) -> Iterator[tuple[_Region, _Flags]]:
    """How each region of one list cut into regions joins: numbered on, and all loose if any
    part is (markdown-it makes the whole list loose for one blank line between items)."""
    if len(group) == 1:
        yield group[0], (None, False, False)
        return
    ends = [region.ends for region in group]
    assert all(end is not None for end in ends)
    loose = blank_cut or any(end.loose for end in ends if end is not None)
    number = ends[0].start if ends[0] is not None else 1
    for index, (region, end) in enumerate(zip(group, ends, strict=True)):
        yield region, (None if index == 0 else number, index < len(group) - 1, loose)
        number += end.items if end is not None else 0


def _ends_in_open_fence(tokens: Sequence[Token], source: str) -> bool:
    """Whether the last top-level block is a code fence that no closing line has ended."""
    if not tokens or tokens[-1].type != "fence" or tokens[-1].level != 0:
        return False
    first, last = tokens[-1].map or (0, 0)
    lines = source.splitlines()
    if last - first < 2 or last > len(lines):
        return True  # the opening line, or nothing, is all there is
    marker = tokens[-1].markup
    closing = lines[last - 1].strip(" ")
    return not (closing.startswith(marker) and not closing.strip(marker[0]))
