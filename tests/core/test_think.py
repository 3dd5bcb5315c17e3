"""A model's reasoning never reaches the answer: think blocks are dropped from any stream."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from avatar_desktop.core.think import ThinkFilter, strip_think

REASONING = "<think>\nOkay, let me try to figure out what the user wants.\n</think>\n\n"
ANSWER = "Mount Kilimanjaro is the tallest mountain in Africa."


def filtered(chunks: list[str]) -> str:
    think = ThinkFilter()
    return "".join(think.feed(chunk) for chunk in chunks) + think.flush()


def test_a_leading_think_block_is_dropped() -> None:
    assert filtered([REASONING + ANSWER]).strip() == ANSWER


def test_tags_split_across_chunks_are_still_found() -> None:
    chunks = ["<thi", "nk>Okay, the user", " asks about Africa.</th", "ink>", ANSWER]
    assert filtered(chunks) == ANSWER


def test_an_unclosed_block_at_the_end_is_dropped_not_spoken() -> None:
    assert filtered(["Hello! ", "<think>and now I wonder whether"]) == "Hello! "


def test_variants_of_the_tag_and_blocks_in_the_middle() -> None:
    text = "A <Thinking >hmm</ thinking>B <reasoning>x</reasoning>C"
    assert strip_think(text) == "A B C"


def test_ordinary_angle_brackets_pass_through_unchanged() -> None:
    text = "If a < b and c > d, write <b>bold</b> or <thin> or <tag>."
    assert filtered(list(text)) == text


def test_a_lone_less_than_at_the_end_is_text_after_all() -> None:
    assert filtered(["x <", ""]) == "x <"
    assert filtered(["x <th"]) == "x <th"


def test_only_a_possible_tag_start_is_held_back() -> None:
    think = ThinkFilter()
    assert think.feed("Hello there, ") == "Hello there, "
    assert think.feed("it is <th") == "it is "
    assert think.feed("e end.") == "<the end."


def test_dropped_characters_are_counted() -> None:
    think = ThinkFilter()
    think.feed("<think>abc</think>ok")
    assert think.dropped == 3


@given(
    before=st.text(alphabet="ab <>/", max_size=30),
    reasoning=st.text(alphabet="ab <>", max_size=30).filter(lambda t: "<" not in t),
    after=st.text(alphabet="ab <>/", max_size=30),
    cuts=st.lists(st.integers(min_value=0, max_value=120), max_size=6),
)
def test_any_chunking_gives_the_same_result_as_one_piece(
    before: str, reasoning: str, after: str, cuts: list[int]
) -> None:
    text = f"{before}<think>{reasoning}</think>{after}"
    whole = strip_think(text)
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert filtered(pieces) == whole
    assert reasoning not in whole or reasoning in before + after
