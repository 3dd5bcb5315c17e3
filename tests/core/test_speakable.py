"""The voice says the words of a segment, never its Markdown."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avatar_desktop.core.segmenter import Segment
from avatar_desktop.core.speakable import speakable


@pytest.mark.parametrize(
    ("raw", "spoken"),
    [
        ("**Bold** move.", "Bold move."),
        ("An *italic* word.", "An italic word."),
        ("Very __strong__ stuff.", "Very strong stuff."),
        ("An _emphasised_ word.", "An emphasised word."),
        ("Set my_var_name and __init__ok.", "Set my_var_name and __init__ok."),
        ("Run `pip install x` now.", "Run pip install x now."),
        ("Call `my_func(*args)` here.", "Call my_func(*args) here."),
        ("See [the docs](https://example.com/a_b) please.", "See the docs please."),
        ("A ![cute cat](cat.png) picture.", "A cute cat picture."),
        ("## Getting started", "Getting started"),
        ("\n- First item", "First item"),
        ("\n* Star item", "Star item"),
        ("\n+ Plus item", "Plus item"),
        ("\n12. Numbered item", "Numbered item"),
        ("\n3) Other numbering", "Other numbering"),
        ("> A quote.", "A quote."),
        ("> - Quoted item", "Quoted item"),
        ("~~old~~ new", "old new"),
        ("  lots   of\n\n space\t here  ", "lots of space here"),
        ("2 * 3 = 6", "2 * 3 = 6"),
        ("#hashtag stays", "#hashtag stays"),
    ],
)
def test_markdown_is_stripped_to_its_words(raw: str, spoken: str) -> None:
    assert speakable(raw) == spoken


@pytest.mark.parametrize(
    ("raw", "spoken"),
    [
        ("**Bold start of a sentence.", "Bold start of a sentence."),
        (" and its end.**", "and its end."),
        ("*Half open", "Half open"),
    ],
)
def test_marks_left_by_a_sentence_cut_are_dropped(raw: str, spoken: str) -> None:
    assert speakable(raw) == spoken


@pytest.mark.parametrize("raw", ["", "   ", "\n\n", "...", "**", "---", "\n* * *", "- ", "`` ``"])
def test_nothing_to_say_gives_empty_text(raw: str) -> None:
    assert speakable(raw) == ""


def test_code_segments_are_never_spoken() -> None:
    assert Segment("```py\nprint('hi')\n```", 0, code=True).speakable == ""
    assert Segment(" **Hi** there.", 4).speakable == "Hi there."


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_output_is_trimmed_collapsed_and_has_something_to_say(raw: str) -> None:
    spoken = speakable(raw)
    assert spoken == spoken.strip()
    assert "  " not in spoken
    assert "\n" not in spoken
    assert spoken == "" or any(char.isalnum() for char in spoken)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9]*", fullmatch=True), min_size=1, max_size=8))
def test_plain_words_are_spoken_unchanged(words: list[str]) -> None:
    text = " ".join(words) + "."
    assert speakable(text) == text


_HOSTILE_RUNS = {
    "backticks": "`" * 100_000,
    "whitespace": " \t" * 50_000,
    "spaces": " " * 100_000,
    "mixed-runs": "".join(
        char * (1 + index % 7) for index, char in enumerate("` *_~[]()!>#\n\t-" * 1_600)
    ),
    "unclosed-bold": "**x " * 25_000,
    "unclosed-links": "[a](" * 25_000,
    "unclosed-images": "![" * 50_000,
    "unclosed-code": "`a ``b " * 15_000,
}


@pytest.mark.parametrize("raw", _HOSTILE_RUNS.values(), ids=_HOSTILE_RUNS.keys())
def test_speakable_is_linear_on_long_runs_of_markup(raw: str) -> None:
    # The old patterns rescanned the rest of the text from every mark: 10 kB of backticks
    # took 15 s, of whitespace 3.5 s. 100 kB must now take well under a second.
    started = time.perf_counter()
    spoken = speakable(raw)
    assert time.perf_counter() - started < 1.0
    assert spoken == spoken.strip() and "  " not in spoken


def test_adjacent_code_spans_stay_two_spans() -> None:
    assert speakable("Use `a``b` and **bold**.") == "Use ab and bold."
    assert speakable("Run ``x ` y`` now.") == "Run x ` y now."
