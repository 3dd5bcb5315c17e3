"""What a voice should say for a piece of Markdown: the words, without the markup around them.

A text-to-speech engine reads ``**`` as "asterisk asterisk" and a URL letter by letter, so a
segment is reduced to its readable words before it is spoken: emphasis and code marks go, a
link or image becomes its text, block markers at line starts go, whitespace collapses.
"""

from __future__ import annotations

import re

# Block syntax at the start of a line: horizontal rules, then quote/heading/list markers.
_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)
_LINE_MARKER = re.compile(
    r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:#{1,6}|[-*+]|\d{1,9}[.)])(?=\s|$)", re.MULTILINE
)
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# Emphasis pairs. ``_`` and ``__`` only at word edges, so snake_case stays as written.
_EMPHASIS = (
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL),
    re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)", re.DOTALL),
    re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.DOTALL),
    re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", re.DOTALL),
    re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])", re.DOTALL),
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
    for span in _CODE_SPAN.finditer(text):
        parts.append(_inline(text[pos : span.start()]))
        parts.append(span.group(2))
        pos = span.end()
    parts.append(_inline(text[pos:]))
    spoken = _SPACES.sub(" ", "".join(parts)).strip()
    return spoken if any(char.isalnum() for char in spoken) else ""


def _inline(text: str) -> str:
    """Strip inline Markdown from text that holds no code span."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    return _STRAY.sub("", text)
