"""A reply cut into pieces: exact when joined, stable while it grows, highlighted in place."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from avatar_desktop.core import markdown_stream as stream_module
from avatar_desktop.core.markdown import render_markdown
from avatar_desktop.core.markdown_pieces import (
    PIECE_CHARS,
    Piece,
    fragments,
    group,
    mark_spans,
    strip_marks,
)
from avatar_desktop.core.markdown_stream import MarkdownStream
from avatar_desktop.core.segmenter import Segmenter
from tests.core.strategies import chunked
from tests.fakes.markdown_answers import CORPUS, LONG_ANSWER

MARK = "background: X;"
_SPAN = re.compile(r'<span style="background: X;">|</span>')


def stream(chunks: list[str], *, mark: tuple[int, int] | None = None) -> list[list[Piece]]:
    """The pieces after every chunk, then the final ones."""
    renderer, text, seen = MarkdownStream(), "", []
    for chunk in chunks:
        text += chunk
        seen.append(renderer.pieces(text, final=False, mark=mark, style=MARK))
    seen.append(renderer.pieces(text, final=True, mark=mark, style=MARK))
    return seen


def joined(pieces: list[Piece]) -> str:
    return "".join(piece.html for piece in pieces)


def words(text: str, size: int = 4) -> list[str]:
    """``text`` in token-sized chunks, as a model streams it."""
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_the_corpus_joins_into_the_one_shot_render() -> None:
    for text in CORPUS:
        parts = fragments(text)
        assert "".join(part.html for part in parts) == render_markdown(text), text
        for live in (False, True):
            assert joined(group(parts, [p.html for p in parts], live=live)) == render_markdown(text)


def test_streamed_token_by_token_every_update_is_exact() -> None:
    for text in [*CORPUS, LONG_ANSWER]:
        chunks = words(text, 3)
        for end, pieces in enumerate(stream(chunks)[:-1], start=1):
            prefix = "".join(chunks[:end])
            assert joined(pieces) == render_markdown(prefix), (text, prefix)


def test_a_long_answer_is_cut_into_several_pieces_of_bounded_size() -> None:
    pieces = MarkdownStream().pieces(LONG_ANSWER, final=True)
    assert len(pieces) >= 4
    assert joined(pieces) == render_markdown(LONG_ANSWER)
    for piece in pieces[:-1]:
        assert piece.end - piece.start < 2 * PIECE_CHARS


def test_while_streaming_only_the_last_pieces_change() -> None:
    """What Qt must lay out again per update is the last piece or two, never the whole."""
    updates = stream(words(LONG_ANSWER))
    for before, after in itertools.pairwise(updates[:-1]):
        changed = [i for i, piece in enumerate(after) if i >= len(before) or before[i] != piece]
        assert not changed or changed[0] >= len(after) - 2, changed
        assert sum(len(after[i].body) for i in changed) < 3 * PIECE_CHARS


def test_a_list_split_over_pieces_reopens_its_numbering() -> None:
    text = "".join(
        f"{n}. Step number {n} of a long recipe, done with care.\n" for n in range(1, 60)
    )
    pieces = MarkdownStream().pieces(text, final=True)
    assert len(pieces) > 1
    assert pieces[0].body.startswith("<ol>") and pieces[0].body.endswith("</ol>\n")
    for piece in pieces[1:]:
        first = re.search(r"Step number (\d+)", piece.body)
        assert first is not None
        assert piece.body.startswith(f'<ol start="{first.group(1)}">')
        assert piece.gap == 2  # a tight item's bottom margin
    assert joined(pieces) == render_markdown(text)


def test_a_link_defined_after_its_use_is_exact_once_final() -> None:
    text = "See [the docs][d] first.\n\nMore text here.\n\n[d]: https://example.com\n"
    updates = stream(words(text))
    assert 'href="https://example.com"' in joined(updates[-1])
    assert joined(updates[-1]) == render_markdown(text)


def test_a_fence_inside_a_list_item_ends_with_the_item() -> None:
    """The second fence is a new one, so "Some text" is code, not a block to settle after."""
    text = "- item\n  ```\n1. first\n  ```\n\nSome text\n\n```\n- more\n"
    for end, pieces in enumerate(stream(list(text))[:-1], start=1):
        assert joined(pieces) == render_markdown(text[:end]), text[:end]


def test_replaced_text_starts_over() -> None:
    renderer = MarkdownStream()
    renderer.pieces("First paragraph.\n\nSecond", final=False)
    assert joined(renderer.pieces("Other text", final=True)) == render_markdown("Other text")


def spans(text: str) -> list[tuple[int, int]]:
    """The spoken sentences of ``text``, as the turn pipeline locates them."""
    segmenter = Segmenter()
    segments = [*segmenter.feed(text), *segmenter.flush()]
    return [(s.start, s.start + len(s.raw)) for s in segments if s.raw.strip() and not s.code]


def test_a_spoken_sentence_is_marked_on_its_words_in_lists_and_headings() -> None:
    text = "Intro.\n\n- Rice and pasta.\n- Beans.\n\n## Head line\n\n1. **Monday** soup.\n"
    html = {span: joined(MarkdownStream().pieces(text, final=True, mark=span, style=MARK))
            for span in spans(text)}  # fmt: skip
    marked = [re.search(r'<span style="background: X;">(.*?)</span>', h) for h in html.values()]
    assert [m.group(1) if m else None for m in marked] == [
        "Intro.",
        "Rice and pasta.",
        "Beans.",
        "Head line",
        "<strong>Monday</strong> soup.",
    ]
    for h in html.values():
        assert _SPAN.sub("", h) == render_markdown(text)  # nothing else moved


def test_moving_the_highlight_changes_only_the_pieces_it_leaves_and_enters() -> None:
    renderer = MarkdownStream()
    plain = renderer.pieces(LONG_ANSWER, final=True)

    def touched(span: tuple[int, int] | None) -> set[int]:
        if span is None:
            return set()
        return {i for i, p in enumerate(plain) if p.start < span[1] and span[0] < p.end}

    previous, before = plain, None
    for span in [*spans(LONG_ANSWER)[::5], None]:
        pieces = renderer.pieces(LONG_ANSWER, final=True, mark=span, style=MARK)
        changed = {i for i, (a, b) in enumerate(zip(previous, pieces, strict=True)) if a != b}
        assert changed <= touched(before) | touched(span)
        assert _SPAN.sub("", joined(pieces)) == render_markdown(LONG_ANSWER)
        previous, before = pieces, span
    assert previous == plain


def test_marks_never_land_on_block_syntax() -> None:
    text = "> - quoted item\n"
    parts = fragments(text)
    marked = mark_spans(text, parts, (0, len(text)))
    assert strip_marks(marked) == text
    assert marked.index("\ue000") == text.index("quoted")


_LINES = st.sampled_from(
    [
        "", "", "Some words here.", "More **bold** and `code`.", "- item", "- item two",
        "  - nested", "    - deeper", "1. first", "2. second", "10) tenth", "* star",
        "> quoted", "> - quoted item", "# Heading", "### Small", "Setext", "---", "===",
        "```", "```python", "~~~", "    indented code", "| a | b |", "|---|:-:|",
        "| 1 | 2 |", "[ref]: https://example.com", "See [ref] and [x](https://x.y).",
        "<b>raw</b>", "text  ", "   ", "\t- tabbed",
    ]
)  # fmt: skip
MARKDOWN = st.lists(st.one_of(_LINES, st.text(max_size=12)), max_size=30).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(chunked(MARKDOWN, max_cuts=25))
def test_any_chunking_ends_in_the_one_shot_render(case: tuple[str, list[str]]) -> None:
    text, chunks = case
    updates = stream(chunks)
    assert joined(updates[-1]) == render_markdown(text)
    if "]:" not in text:
        prefix = ""
        for chunk, pieces in zip(chunks, updates, strict=False):
            prefix += chunk
            assert joined(pieces) == render_markdown(prefix)


@settings(max_examples=150, deadline=None)
@given(MARKDOWN, st.data())
def test_highlighting_never_changes_anything_but_the_mark(text: str, data: st.DataObject) -> None:
    found = spans(text)
    span = data.draw(st.sampled_from(found)) if found else (0, len(text))
    pieces = MarkdownStream().pieces(text, final=True, mark=span, style=MARK)
    assert _SPAN.sub("", joined(pieces)) == render_markdown(text)


_LIST_LINES = st.sampled_from(
    [
        "- a tight item with **bold** words in it", "- another item, plain and simple text",
        "* a star item that starts another list", "+ plus", "1. first of the numbered ones",
        "2. second numbered item with `code`", "7) a paren-numbered item", "10. tenth",
        "  - a nested item under the one above", "  continued text of the item above",
        "lazy continuation line at the left edge", "", "", "- - -", "* * *", "---",
        "  ```", "  code inside an item", "```", "plain paragraph text here",
        "## A heading between lists", "> a quote", "- [link](https://x.y) in an item",
        "   3. indented number", "-", "1.",
    ]
)  # fmt: skip
LONG_LISTS = st.lists(_LIST_LINES, min_size=20, max_size=80).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(chunked(LONG_LISTS, max_cuts=40))
def test_long_lists_cut_at_their_items_stay_exact(case: tuple[str, list[str]]) -> None:
    text, chunks = case
    prefix = ""
    updates = stream(chunks)
    for chunk, pieces in zip(chunks, updates, strict=False):
        prefix += chunk
        assert joined(pieces) == render_markdown(prefix)
    assert joined(updates[-1]) == render_markdown(text)


def test_a_long_list_is_parsed_about_one_item_per_update(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each update parses the item being written, not the whole list so far."""
    parsed: list[int] = []
    original = stream_module.parse_blocks

    def counting(source: str, env: dict[str, object]) -> list[Token]:
        parsed.append(len(source))
        return original(source, env)

    monkeypatch.setattr(stream_module, "parse_blocks", counting)
    items = [f"- Tip {n}: keep the kitchen tidy and cook twice as much.\n" for n in range(80)]
    text = "Here are my tips:\n\n" + "".join(items)
    renderer, prefix = MarkdownStream(), ""
    for chunk in words(text, 8):
        prefix += chunk
        parsed.clear()
        pieces = renderer.pieces(prefix, final=False)
        if len(prefix) > 1000:  # a short tail is parsed whole, which is cheap
            assert sum(parsed) < 200, (len(prefix), parsed)
    assert joined(pieces) == render_markdown(text)
    assert joined(renderer.pieces(text, final=True)) == render_markdown(text)
