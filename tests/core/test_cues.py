"""The cue parser lifts exactly the tags a plain regex finds, however the stream is split."""

from __future__ import annotations

import re
import time
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avatar_desktop.core.cues import (
    ALIASES,
    CUE_TAGS,
    EMOTIONS,
    GESTURES,
    CueParser,
    Tag,
    canonical,
)
from tests.core.strategies import chunked

ORACLE = re.compile(r"\[\s*(" + "|".join(map(re.escape, CUE_TAGS)) + r")\s*\]", re.IGNORECASE)


def run(chunks: list[str]) -> list[list[str | Tag]]:
    """Every list the parser returns: one per chunk, then the flush."""
    parser = CueParser()
    return [parser.feed(chunk) for chunk in chunks] + [parser.flush()]


def flat(chunks: list[str]) -> list[str | Tag]:
    """The parser's output as one list, adjacent text merged."""
    merged: list[str | Tag] = []
    for item in (item for batch in run(chunks) for item in batch):
        if isinstance(item, str) and merged and isinstance(merged[-1], str):
            merged[-1] += item
        else:
            merged.append(item)
    return merged


def test_vocabulary_is_declared_once_and_aliases_land_on_it() -> None:
    assert set(ALIASES.values()) <= set(EMOTIONS) | set(GESTURES)
    assert not set(ALIASES) & (set(EMOTIONS) | set(GESTURES))
    assert len(CUE_TAGS) == len(set(CUE_TAGS)) == len(EMOTIONS) + len(GESTURES) + len(ALIASES)
    required = {
        "smile": "happy",
        "laugh": "happy",
        "frown": "sad",
        "think": "thinking",
        "headshake": "shake",
        "head_shake": "shake",
        "raise_brows": "brows",
        "eyebrows": "brows",
    }
    assert {word: ALIASES[word] for word in required} == required


@pytest.mark.parametrize(
    ("word", "name"),
    [("smile", "happy"), ("Smile", "happy"), ("WAVE", "wave"), ("Head_Shake", "shake")],
)
def test_canonical_names_ignore_case_and_resolve_aliases(word: str, name: str) -> None:
    assert canonical(word) == name


@pytest.mark.parametrize("word", ["", "smiles", "sm", " smile", "citation needed"])
def test_canonical_rejects_words_outside_the_vocabulary(word: str) -> None:
    with pytest.raises(ValueError):
        canonical(word)


def test_tag_knows_whether_it_is_an_emotion() -> None:
    assert Tag("happy").is_emotion
    assert not Tag("wave").is_emotion


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[smile] Hi", [Tag("happy"), " Hi"]),
        ("Hi [Smile]!", ["Hi ", Tag("happy"), "!"]),
        ("[ wave ]there", [Tag("wave"), "there"]),
        ("[\tNOD\n]", [Tag("nod")]),
        ("a [1] b [citation needed] c", ["a [1] b [citation needed] c"]),
        ("[[smile]", ["[", Tag("happy")]),
        ("[smile][nod]", [Tag("happy"), Tag("nod")]),
        ("[thinking] and [think]", [Tag("thinking"), " and ", Tag("thinking")]),
        ("[smile wave]", ["[smile wave]"]),
        ("[smile", ["[smile"]),
        ("x [", ["x ["]),
    ],
)
def test_examples_in_one_chunk(text: str, expected: list[str | Tag]) -> None:
    assert flat([text]) == expected


def test_tag_split_across_tokens_is_found() -> None:
    parser = CueParser()
    assert parser.feed("[sm") == []
    assert parser.feed("ile] Hi") == [Tag("happy"), " Hi"]
    assert parser.flush() == []


def test_text_before_a_candidate_is_not_held_back() -> None:
    parser = CueParser()
    assert parser.feed("Hello [wa") == ["Hello "]
    assert parser.feed("ve]") == [Tag("wave")]


def test_candidate_is_released_as_soon_as_it_cannot_be_a_tag() -> None:
    parser = CueParser()
    assert parser.feed("[smi") == []
    assert parser.feed("x") == ["[smix"]
    assert parser.feed("[1") == ["[1"]
    assert parser.feed("[  ") == []
    assert parser.feed("?") == ["[  ?"]


def test_flush_releases_an_unclosed_tag_as_text() -> None:
    parser = CueParser()
    assert parser.feed("see [") == ["see "]
    assert parser.flush() == ["["]
    assert parser.feed("[nod]") == [Tag("nod")]


def test_adjacent_text_is_merged_within_one_result() -> None:
    parser = CueParser()
    assert parser.feed("a[b[c[") == ["a[b[c"]
    assert parser.feed("1]") == ["[1]"]


def test_spaces_inside_a_tag_may_arrive_one_by_one() -> None:
    parser = CueParser()
    for chunk in ["[", " ", "\n", " ", "Sm", "ILE", " ", " "]:
        assert parser.feed(chunk) == []
    assert parser.feed("]!") == [Tag("happy"), "!"]


_CASES = st.sampled_from([str.lower, str.upper, str.title, str.swapcase])
_PAD = st.sampled_from(["", " ", "  ", "\t", "\n "])
_TAG_TEXT = st.builds(
    lambda word, case, left, right: f"[{left}{case(word)}{right}]",
    st.sampled_from(CUE_TAGS),
    _CASES,
    _PAD,
    _PAD,
)
_NOISE = st.sampled_from(["[", "]", " ", "[[", "[1]", "[sm", "ile]", "[think", "ing ]", "ſ", "\n"])
TAGGY_TEXT = st.lists(st.one_of(st.text(max_size=10), _TAG_TEXT, _NOISE), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(chunked(st.one_of(TAGGY_TEXT, st.text()), max_cuts=12))
def test_parser_equals_regex_oracle_for_any_chunking(case: tuple[str, list[str]]) -> None:
    text, chunks = case
    batches = run(chunks)
    items = [item for batch in batches for item in batch]
    visible = "".join(item for item in items if isinstance(item, str))
    tags = [item.name for item in items if isinstance(item, Tag)]
    assert visible == ORACLE.sub("", text)
    assert tags == [canonical(word) for word in ORACLE.findall(text)]
    for batch in batches:
        assert "" not in batch
        assert not any(isinstance(a, str) and isinstance(b, str) for a, b in pairwise(batch))


@settings(max_examples=100, deadline=None)
@given(TAGGY_TEXT)
def test_tags_come_out_in_place(text: str) -> None:
    """Each tag sits between the text before and after it, as the oracle splits the input."""
    expected: list[str | Tag] = []
    for index, part in enumerate(ORACLE.split(text)):
        if index % 2:
            expected.append(Tag(canonical(part)))
        elif part:
            expected.append(part)
    assert flat(list(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[" + " " * 100_000 + "smile]",
        "[" * 100_000,
        "Hello [smile] there, [citation needed] [1] ok. " * 2_000,
    ],
)
def test_feeding_100k_chars_one_at_a_time_is_fast(text: str) -> None:
    parser = CueParser()
    started = time.perf_counter()
    visible = sum(len(item) for char in text for item in parser.feed(char) if isinstance(item, str))
    visible += sum(len(item) for item in parser.flush() if isinstance(item, str))
    assert time.perf_counter() - started < 2.0
    assert visible == len(ORACLE.sub("", text))
