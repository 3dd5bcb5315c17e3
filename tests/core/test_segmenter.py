"""The segmenter hands each sentence to the voice as soon as it is written, losing nothing."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avatar_desktop.core.cues import CUE_TAGS, CueParser, Tag
from avatar_desktop.core.segmenter import LONG_RUN, Segment, Segmenter
from tests.core.strategies import chunked

ORACLE = re.compile(r"\[\s*(" + "|".join(map(re.escape, CUE_TAGS)) + r")\s*\]", re.IGNORECASE)


def segment(chunks: list[str], *, first_phrase: bool = False) -> list[Segment]:
    segmenter = Segmenter(first_phrase=first_phrase)
    out = [seg for chunk in chunks for seg in segmenter.feed(chunk)]
    return out + segmenter.flush()


def raws(text: str, *, first_phrase: bool = False) -> list[str]:
    """Segments of ``text`` fed one character at a time, the hardest case for lookahead."""
    return [seg.raw for seg in segment(list(text), first_phrase=first_phrase)]


def emitted_after(text: str, *, first_phrase: bool = False) -> list[str]:
    """What ``feed`` alone gives for ``text`` (no flush): what the voice can start on."""
    segmenter = Segmenter(first_phrase=first_phrase)
    return [seg.raw for char in text for seg in segmenter.feed(char)]


# -- sentence ends -------------------------------------------------------------------------


def test_sentence_is_emitted_before_the_answer_ends() -> None:
    segmenter = Segmenter()
    assert segmenter.feed("Hello there.") == []
    assert segmenter.feed(" ") == [Segment("Hello there.", 0)]
    assert segmenter.feed("How") == []
    assert segmenter.flush() == [Segment(" How", 12)]


def test_whitespace_between_sentences_starts_the_next_segment() -> None:
    assert raws("One.  Two!\nThree? Four") == ["One.", "  Two!", "\nThree?", " Four"]


def test_offsets_are_positions_in_the_whole_stream() -> None:
    segments = segment(["First one. Sec", "ond one. Third"])
    assert [(seg.raw, seg.start) for seg in segments] == [
        ("First one.", 0),
        (" Second one.", 10),
        (" Third", 22),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He asked "why?!" Then left.', ['He asked "why?!"', " Then left."]),
        ("(It works.) Next", ["(It works.)", " Next"]),
        ("**Done.** Next", ["**Done.**", " Next"]),
        ("Really?! Yes", ["Really?!", " Yes"]),
        ("In 1999. Then", ["In 1999.", " Then"]),
    ],
)
def test_terminators_with_closers(text: str, expected: list[str]) -> None:
    assert raws(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Smith and Mr. Jones met Mrs. Brown and Ms. White.",
        "Ask Prof. Plum on Baker St. today.",
        "Use a tool, e.g. Python, or i.e. something cf. the docs.",
        "Cats vs. Dogs is old.",
        "We met J. K. Rowling there.",
        "Pi is 3.14 and v1.2.3 is out.",
        "Apples, pears, etc. are fruit.",
        "It was made in the U.S. and sold.",
        "Wait... what happened?",
        "Hmm… maybe not.",
        "Sarah Jr. was here.",
    ],
)
def test_abbreviations_initials_numbers_do_not_end_a_sentence(text: str) -> None:
    assert raws(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Made in the U.S. Then shipped.", ["Made in the U.S.", " Then shipped."]),
        ("Apples etc. The end.", ["Apples etc.", " The end."]),
        ("At 5 p.m. We left.", ["At 5 p.m.", " We left."]),
        ("Wait... What?", ["Wait...", " What?"]),
        ("So… Okay.", ["So…", " Okay."]),
        ("So did I. Then we left.", ["So did I.", " Then we left."]),
    ],
)
def test_ambiguous_endings_end_before_a_capital(text: str, expected: list[str]) -> None:
    assert raws(text) == expected


def test_ellipsis_at_the_end_of_the_stream_ends_the_sentence() -> None:
    segmenter = Segmenter()
    assert segmenter.feed("I wonder... ") == []
    assert [seg.raw for seg in segmenter.flush()] == ["I wonder...", " "]


def test_clear_end_goes_out_on_the_first_space_ambiguous_one_waits_one_char() -> None:
    assert emitted_after("It is done. ") == ["It is done."]
    assert emitted_after("Made in the U.S. ") == []
    assert emitted_after("Made in the U.S. T") == ["Made in the U.S."]
    assert emitted_after("Made in the U.S. t") == []


# -- lines -----------------------------------------------------------------------------------


def test_blank_line_ends_a_segment() -> None:
    assert raws("First part\n\nSecond part") == ["First part", "\n\nSecond part"]
    assert emitted_after("First part\n \n") == ["First part"]


def test_single_newline_inside_a_paragraph_does_not_cut() -> None:
    assert raws("a wrapped\nline of text") == ["a wrapped\nline of text"]


def test_each_list_item_ends_at_its_newline() -> None:
    text = "Options:\n- one\n* two\n+ three\n1. four\n2) five\nDone"
    assert raws(text) == [
        "Options:",
        "\n- one",
        "\n* two",
        "\n+ three",
        "\n1. four",
        "\n2) five",
        "\nDone",
    ]


def test_list_item_goes_out_when_its_newline_arrives() -> None:
    assert emitted_after("- first item\n") == ["- first item"]


def test_numbered_marker_at_line_start_is_not_a_sentence() -> None:
    assert raws("1. Install it. Then run it.\n2. Enjoy") == [
        "1. Install it.",
        " Then run it.",
        "\n2. Enjoy",
    ]


def test_heading_line_ends_at_its_newline() -> None:
    assert raws("# Title\nBody text") == ["# Title", "\nBody text"]
    assert raws("#hashtag\nword") == ["#hashtag\nword"]


# -- code -----------------------------------------------------------------------------------


def test_code_block_is_one_code_segment_after_the_text_before_it() -> None:
    text = "Try this:\n```python\nx = 1. \n\n- y\n```\nThat works."
    segments = segment(list(text))
    assert [(seg.raw, seg.code) for seg in segments] == [
        ("Try this:", False),
        ("\n```python\nx = 1. \n\n- y\n```", True),
        ("\nThat works.", False),
    ]
    assert segments[1].speakable == ""
    assert segments[0].speakable == "Try this:"


def test_code_block_is_emitted_when_its_closing_fence_line_ends() -> None:
    segmenter = Segmenter()
    before = [seg.raw for seg in segmenter.feed("Look:\n~~~\ncode\n~~~")]
    assert before == ["Look:"]
    closing = segmenter.feed("\n")
    assert [(seg.raw, seg.code) for seg in closing] == [("\n~~~\ncode\n~~~", True)]


def test_unclosed_fence_is_still_code_at_flush() -> None:
    segments = segment(["```\nprint(1)\n"])
    assert [(seg.raw, seg.code) for seg in segments] == [("```\nprint(1)\n", True)]


def test_closing_fence_must_be_at_least_as_long_and_alone_on_its_line() -> None:
    text = "````md\n```\nnot closed ```` yet\n````\nOut."
    assert [(seg.raw, seg.code) for seg in segment([text])] == [
        ("````md\n```\nnot closed ```` yet\n````", True),
        ("\nOut.", False),
    ]


def test_inline_triple_backticks_are_not_a_fence() -> None:
    assert [seg.code for seg in segment(list("```x``` is code. Ok"))] == [False, False]


# -- the first phrase -----------------------------------------------------------------------

KILIMANJARO = "The tallest mountain in Africa, at 5,895 metres, is Kilimanjaro. It is in Tanzania."


def test_a_long_first_sentence_is_spoken_from_its_first_phrase() -> None:
    assert raws(KILIMANJARO, first_phrase=True) == [
        "The tallest mountain in Africa,",
        " at 5,895 metres, is Kilimanjaro.",
        " It is in Tanzania.",
    ]
    assert raws(KILIMANJARO) == [
        "The tallest mountain in Africa, at 5,895 metres, is Kilimanjaro.",
        " It is in Tanzania.",
    ]


def test_the_first_phrase_goes_out_when_the_space_after_its_mark_arrives() -> None:
    assert emitted_after("The tallest mountain in Africa,", first_phrase=True) == []
    assert emitted_after("The tallest mountain in Africa, ", first_phrase=True) == [
        "The tallest mountain in Africa,"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sure, the tallest one is Kilimanjaro, in Tanzania.",
         ["Sure,", " the tallest one is Kilimanjaro, in Tanzania."]),
        ("Yes, of course, I can help.", ["Yes,", " of course, I can help."]),
        ("Here is what you need: a map and water.",
         ["Here is what you need:", " a map and water."]),
        ("First boil the water; then add rice.", ["First boil the water;", " then add rice."]),
        ("The tallest mountain — Kilimanjaro — is high.",
         ["The tallest mountain —", " Kilimanjaro — is high."]),
        ("Kilimanjaro is the tallest – by far.", ["Kilimanjaro is the tallest –", " by far."]),
        ("Kilimanjaro is the tallest - by far.", ["Kilimanjaro is the tallest -", " by far."]),
        ("It is 5,895 metres tall and 10-3 is 7.", ["It is 5,895 metres tall", " and 10-3 is 7."]),
        ("The sum of ten and 10 - 3 is 17, I think.",
         ["The sum of ten and 10 - 3", " is 17, I think."]),
        ("It is a well-known peak.", ["It is a well-known peak."]),
        ("[Kilimanjaro](https://example.org/wiki/kili), yes.",
         ["[Kilimanjaro](https://example.org/wiki/kili),", " yes."]),
        ("[](https://example.org/wiki/kili), yes.", ["[](https://example.org/wiki/kili), yes."]),
        ("**The tallest mountain**, by far, is it.",
         ["**The tallest mountain**,", " by far, is it."]),
        ('He said "the tallest one," then left.', ['He said "the tallest one," then left.']),
    ],
)  # fmt: skip
def test_a_clause_mark_ends_the_first_phrase_once_a_word_is_said_before_it(
    text: str, expected: list[str]
) -> None:
    assert raws(text, first_phrase=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The sky looks blue because of Rayleigh scattering.",
         ["The sky looks blue", " because of Rayleigh scattering."]),
        ("Bread is made from flour when yeast and water are mixed in.",
         ["Bread is made from flour", " when yeast and water are mixed in."]),
        ("It is blue because light scatters.", ["It is blue because light scatters."]),
        ("The sky looks blue butterflies say.", ["The sky looks blue butterflies say."]),
        ("The sky looks blue because. Then because it is.",
         ["The sky looks blue", " because.", " Then because it is."]),
        ("The tallest mountain, as far as I know, is high because it is.",
         ["The tallest mountain,", " as far as I know, is high because it is."]),
        ("The tallest mountain in Africa is Kilimanjaro.",
         ["The tallest mountain in Africa", " is Kilimanjaro."]),
        ("The tallest one is Kilimanjaro in Tanzania.",
         ["The tallest one is Kilimanjaro", " in Tanzania."]),
        ("Yes it is the tallest one.", ["Yes it is the tallest one."]),
    ],
)  # fmt: skip
def test_a_long_first_sentence_without_a_mark_is_said_from_before_its_second_clause(
    text: str, expected: list[str]
) -> None:
    assert raws(text, first_phrase=True) == expected


def test_a_joint_waits_for_the_word_after_it_to_be_whole() -> None:
    assert emitted_after("The sky looks blue but", first_phrase=True) == []
    assert emitted_after("The sky looks blue butt", first_phrase=True) == []
    assert emitted_after("The sky looks blue but ", first_phrase=True) == ["The sky looks blue"]
    assert emitted_after("The sky looks blue butter ", first_phrase=True) == []


def test_only_the_first_spoken_segment_is_cut_at_a_phrase() -> None:
    text = "\n\nOkay. The tallest mountain in Africa, at 5,895 metres, is Kilimanjaro."
    assert raws(text, first_phrase=True) == [
        "\n\nOkay.",
        " The tallest mountain in Africa, at 5,895 metres, is Kilimanjaro.",
    ]
    once = "The tallest mountain in Africa, at 5,895 metres, is Kilimanjaro, in Tanzania, east."
    assert raws(once, first_phrase=True) == [
        "The tallest mountain in Africa,",
        " at 5,895 metres, is Kilimanjaro, in Tanzania, east.",
    ]


def test_code_lists_and_headings_keep_their_rules_but_speech_after_code_is_first() -> None:
    code = "```\nx = [1, 2, 3], y\n```\nThe tallest mountain in Africa, at 5,895 metres."
    assert [(seg.raw, seg.code) for seg in segment(list(code), first_phrase=True)] == [
        ("```\nx = [1, 2, 3], y\n```", True),
        ("\nThe tallest mountain in Africa,", False),
        (" at 5,895 metres.", False),
    ]
    items = "- The tallest mountain in Africa, at 5,895 metres\n- Mount Kenya, at 5,199 metres"
    assert raws(items, first_phrase=True) == raws(items)
    heading = "## The tallest mountains of Africa, by height\nKilimanjaro."
    assert raws(heading, first_phrase=True) == raws(heading)


def test_every_answer_gets_its_own_first_phrase() -> None:
    segmenter = Segmenter(first_phrase=True)
    for _answer in range(2):
        segments = segmenter.feed(KILIMANJARO) + segmenter.flush()
        assert [seg.raw for seg in segments][:2] == [
            "The tallest mountain in Africa,",
            " at 5,895 metres, is Kilimanjaro.",
        ]
        assert segments[1].start == len("The tallest mountain in Africa,")


# -- long runs and speed ----------------------------------------------------------------------


def test_long_run_is_split_at_a_clause_mark() -> None:
    text = ", ".join(["some words here"] * 40)
    segments = raws(text)
    assert len(segments) > 1
    assert all(len(raw) <= LONG_RUN + 1 for raw in segments)
    assert all(raw.endswith(",") for raw in segments[:-1])


def test_long_run_without_punctuation_is_split_at_a_space() -> None:
    segments = raws(" ".join(["word"] * 200))
    assert len(segments) > 1
    assert all(raw.endswith("word") and len(raw) <= LONG_RUN for raw in segments)


def test_long_run_without_spaces_is_still_split() -> None:
    segments = raws("x" * 1000)
    assert "".join(segments) == "x" * 1000
    assert max(len(raw) for raw in segments) <= LONG_RUN


def _timed_char_by_char(text: str, *, first_phrase: bool = False) -> float:
    segmenter = Segmenter(first_phrase=first_phrase)
    started = time.perf_counter()
    total = sum(len(seg.raw) for char in text for seg in segmenter.feed(char))
    total += sum(len(seg.raw) for seg in segmenter.flush())
    assert total == len(text)
    return time.perf_counter() - started


@pytest.mark.parametrize(
    "unit",
    [
        "Dr. Who met e.g. someone, then left! Really? Yes... ok. ",
        "- item with words\n",
        "```\nsome code line\n```\n",
        "word ",
        " ",
        "x",
        "[",
    ],
)
def test_feeding_50k_chars_one_at_a_time_is_fast(unit: str) -> None:
    text = (unit * (50_000 // len(unit) + 1))[:50_000]
    assert _timed_char_by_char(text) < 2.0


@pytest.mark.parametrize("opening", ["Sure,", "**a**,", "The tallest mountain in Africa,"])
def test_a_long_gap_after_a_first_clause_fed_char_by_char_is_fast(opening: str) -> None:
    text = opening + " " * 50_000 + "end."
    assert _timed_char_by_char(text, first_phrase=True) < 0.5


def test_a_long_code_block_fed_char_by_char_is_fast() -> None:
    text = "```\n" + "x = 1\n" * 8_000 + "```\n"
    assert _timed_char_by_char(text) < 2.0


# -- properties -------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "Hello", "world", "Dr.", "e.g.", "U.S.", "etc.", "J.", "I.", "3.14", "1.", "2)", ".",
        "...", "…", "?!", "!", '"', "”", ")", ",", ";", ":", " ", "  ", "\n", "\n\n", "\r\n",
        "- ", "* ", "# ", "```", "~~~", "```py\n", "`", "**", "\t", "a", "The",
        ", ", " — ", " – ", " - ", "5,895", "the tallest mountain", "Sure, ",
        "because", "but", "butter",
    ]
)  # fmt: skip
SENTENCEY = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=40).map("".join)


@settings(max_examples=250, deadline=None)
@given(chunked(st.one_of(SENTENCEY, st.text())), st.booleans())
def test_segments_rebuild_the_input_exactly(
    case: tuple[str, list[str]], first_phrase: bool
) -> None:
    text, chunks = case
    segments = segment(chunks, first_phrase=first_phrase)
    assert "".join(seg.raw for seg in segments) == text
    offset = 0
    for seg in segments:
        assert seg.raw
        assert seg.start == offset
        offset += len(seg.raw)


@settings(max_examples=200, deadline=None)
@given(chunked(SENTENCEY), st.booleans())
def test_chunking_never_changes_the_segments(
    case: tuple[str, list[str]], first_phrase: bool
) -> None:
    text, chunks = case
    segments = segment(chunks, first_phrase=first_phrase)
    assert segments == segment([text], first_phrase=first_phrase)
    assert "".join(seg.raw for seg in segments) == text


LONG_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=30)), min_size=20, max_size=200).map(
    "".join
)


@settings(max_examples=150, deadline=None)
@given(chunked(LONG_TEXT), st.booleans())
def test_spoken_segments_stay_short(case: tuple[str, list[str]], first_phrase: bool) -> None:
    text, chunks = case
    segments = segment(chunks, first_phrase=first_phrase)
    for seg in segments:
        assert seg.code or len(seg.raw) <= LONG_RUN + 1
    if first_phrase:  # long runs split the same way whatever the chunks
        assert segments == segment([text], first_phrase=True)


_TAG_TEXT = st.builds(lambda word, pad: f"[{pad}{word}{pad}]", st.sampled_from(CUE_TAGS), _PIECES)


@settings(max_examples=200, deadline=None)
@given(chunked(st.lists(st.one_of(SENTENCEY, _TAG_TEXT, st.just("[")), max_size=8).map("".join)))
def test_parser_then_segmenter_keeps_every_visible_char(case: tuple[str, list[str]]) -> None:
    text, chunks = case
    parser, segmenter = CueParser(), Segmenter()
    segments: list[Segment] = []
    tags: list[str] = []
    for items in [*(parser.feed(chunk) for chunk in chunks), parser.flush()]:
        for item in items:
            if isinstance(item, Tag):
                tags.append(item.name)
            else:
                segments += segmenter.feed(item)
    segments += segmenter.flush()
    assert "".join(seg.raw for seg in segments) == ORACLE.sub("", text)
    assert len(tags) == len(ORACLE.findall(text))


def _cuts(segments: list[Segment]) -> set[int]:
    return {seg.start for seg in segments[1:]}


@settings(max_examples=200, deadline=None)
@given(chunked(SENTENCEY.filter(lambda text: len(text) <= LONG_RUN)))
def test_the_first_phrase_adds_at_most_one_cut_after_a_clause_mark(
    case: tuple[str, list[str]],
) -> None:
    text, chunks = case
    plain, phrased = segment([text]), segment(chunks, first_phrase=True)
    extra = _cuts(phrased) - _cuts(plain)
    assert _cuts(plain) <= _cuts(phrased)
    assert len(extra) <= 1
    for cut in extra:
        assert re.search(r"(?:[,;:]|\s[—–-])\Z", text[:cut]) and text[cut].isspace()
        before = next(seg for seg in phrased if seg.start + len(seg.raw) == cut)
        assert not any(seg.speakable for seg in phrased if seg.start < before.start)
