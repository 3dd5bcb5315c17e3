"""What a voice should say for a piece of Markdown: the words, without the markup around them.

A text-to-speech engine reads ``**`` as "asterisk asterisk" and a URL letter by letter, so a
segment is reduced to its readable words before it is spoken: emphasis and code marks go, a
link or image becomes its text, block markers at line starts go, whitespace collapses.

Every step is linear in the text: no pattern can rescan the rest of the text from each of many
starting points (a run of backticks or spaces once took seconds per 10 kB).
"""

from __future__ import annotations

import re

# Block syntax at the start of a line: horizontal rules, then quote/heading/list markers.
# Possessive quantifiers: a long run of blanks is scanned once, never re-split.
_RULE = re.compile(r"^[ \t]*+([-*_])(?:[ \t]*+\1){2,}+[ \t]*+$", re.MULTILINE)
_LINE_MARKER = re.compile(
    r"^[ \t]*+(?:>[ \t]?+)*+[ \t]*+(?:#{1,6}|[-*+]|\d{1,9}[.)])(?=\s|$)", re.MULTILINE
)
_QUOTE = re.compile(r"^[ \t]*+(?:>[ \t]?+)++", re.MULTILINE)
_BACKTICKS = re.compile(r"`+")
# Neither link text nor target holds a bracket: a scan stops at the next bracket, so many
# unclosed ``[`` or ``](`` never rescan the rest of the text from each of them.
_TARGET = r"\([^)\[\]]*\)"
_IMAGE = re.compile(r"!\[([^\[\]]*)\]" + _TARGET)
_LINK = re.compile(r"\[([^\[\]]*)\]" + _TARGET)
# Emphasis pairs as (mark, opener, closer): ``_`` and ``__`` only at word edges, so snake_case
# stays as written. An opener is closed by the first closer after at least one character.
_EMPHASIS = (
    ("**", re.compile(r"\*\*(?=\S)"), re.compile(r"(?<=\S)\*\*")),
    ("__", re.compile(r"(?<!\w)__(?=\S)"), re.compile(r"(?<=\S)__(?!\w)")),
    ("~~", re.compile(r"~~(?=\S)"), re.compile(r"(?<=\S)~~")),
    ("*", re.compile(r"(?<![\w*])\*(?=[^\s*])"), re.compile(r"(?<=[^\s*])\*(?![\w*])")),
    ("_", re.compile(r"(?<![\w_])_(?=[^\s_])"), re.compile(r"(?<=[^\s_])_(?![\w_])")),
)
# Marks left over when a sentence cut fell inside a bold span or similar. Underscores stay:
# a lone ``__`` is more often part of a name (``__init__``) than half of a bold span.
_STRAY = re.compile(r"\*{2,}|~~|`+|(?<!\w)\*(?=\w)|(?<=\w)\*(?!\w)")
_SPACES = re.compile(r"\s+")


def speakable(raw: str) -> str:
    """The words of a non-code segment, ready for a voice; "" when there is nothing to say."""
    text = _RULE.sub("", raw)
    text = _LINE_MARKER.sub("", text)
    text = _QUOTE.sub("", text)
    parts: list[str] = []
    pos = 0
    for start, end, width in _code_spans(text):
        parts.append(_inline(text[pos:start]))
        parts.append(text[start + width : end - width])
        pos = end
    parts.append(_inline(text[pos:]))
    spoken = _SPACES.sub(" ", "".join(parts)).strip()
    return spoken if any(char.isalnum() for char in spoken) else ""


def _code_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, width) of each code span: a run of n backticks up to the next run of n or more.

    The first n backticks of the closing run close the span; the rest of it is a run of its own.
    An opener is tried only if some
    later run is long enough (a suffix maximum), and a closer search passes only runs that end
    up inside the span, so the whole scan is linear.
    """
    runs = [(match.start(), match.end()) for match in _BACKTICKS.finditer(text)]
    longest_after = [0] * (len(runs) + 1)
    for index in range(len(runs) - 1, -1, -1):
        start, end = runs[index]
        longest_after[index] = max(longest_after[index + 1], end - start)
    spans: list[tuple[int, int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        width = end - start
        index += 1
        if longest_after[index] < width:
            continue  # no closer anywhere: the run stays literal (and is dropped as a stray)
        while runs[index][1] - runs[index][0] < width:
            index += 1
        closer_start, closer_end = runs[index]
        spans.append((start, closer_start + width, width))
        if closer_end - closer_start == width:
            index += 1
        else:  # the rest of the closing run may open the next span
            runs[index] = (closer_start + width, closer_end)
    return spans


def _inline(text: str) -> str:
    """Strip inline Markdown from text that holds no code span."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    for mark, opener, closer in _EMPHASIS:
        text = _pair(
            text, len(mark), _positions(text, mark, opener), _positions(text, mark, closer)
        )
    return _STRAY.sub("", text)


def _positions(text: str, mark: str, pattern: re.Pattern[str]) -> list[int]:
    """Every index where ``pattern`` (which starts with ``mark``) matches, overlaps included."""
    found: list[int] = []
    index = text.find(mark)
    while index != -1:
        if pattern.match(text, index):
            found.append(index)
        index = text.find(mark, index + 1)
    return found


def _pair(text: str, width: int, openers: list[int], closers: list[int]) -> str:
    """Each opener with the first closer after it (leftmost first, as a lazy regex pairs them)
    replaced by what they hold; one pass over both lists."""
    if not openers or not closers:
        return text
    parts: list[str] = []
    pos = 0
    next_closer = 0
    for start in openers:
        if start < pos:
            continue
        while next_closer < len(closers) and closers[next_closer] < start + width + 1:
            next_closer += 1
        if next_closer == len(closers):
            break
        end = closers[next_closer]
        parts.append(text[pos:start])
        parts.append(text[start + width : end])
        pos = end + width
        next_closer += 1
    parts.append(text[pos:])
    return "".join(parts)
