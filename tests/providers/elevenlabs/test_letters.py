"""Spelling → lip-sync phones: every symbol is one the avatar knows, and the timings tile."""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avatar_desktop.avatar.visemes import is_known, is_mark, phones_to_segments, viseme_for
from avatar_desktop.core.speech import Phone
from avatar_desktop.providers.elevenlabs.letters import (
    DIGRAPHS,
    LETTERS,
    LONG_VOWELS,
    WORD_START_DIGRAPHS,
    letters_to_phones,
    spell,
)


def evenly(text: str, step: float = 0.1) -> tuple[list[str], list[float], list[float]]:
    """Characters of ``text``, each ``step`` seconds long, back to back."""
    return (
        list(text),
        [i * step for i in range(len(text))],
        [(i + 1) * step for i in range(len(text))],
    )


def assert_sound(symbol: str) -> None:
    """A sound the viseme table maps (not a mark, which would be folded into a neighbour)."""
    assert is_known(symbol), symbol
    assert not is_mark(symbol), symbol
    viseme_for(symbol)


@pytest.mark.parametrize("letter", string.ascii_lowercase)
def test_every_letter_in_every_position_is_a_known_sound(letter: str) -> None:
    for text in (letter, f"{letter}at", f"ta{letter}", f"a{letter}e", f"{letter}{letter}"):
        symbols = spell(text)
        assert symbols, text
        for symbol in symbols:
            assert_sound(symbol)


def test_every_rule_table_symbol_is_a_known_sound() -> None:
    tables = (DIGRAPHS, WORD_START_DIGRAPHS, LETTERS, LONG_VOWELS)
    for table in tables:
        for spelling, symbols in table.items():
            assert symbols, spelling
            for symbol in symbols:
                assert_sound(symbol)
    assert set(LETTERS) == set(string.ascii_lowercase)


@pytest.mark.parametrize("digraph", sorted(DIGRAPHS))
def test_digraphs_win_over_single_letters(digraph: str) -> None:
    assert spell(f"b{digraph}t")[1 : 1 + len(DIGRAPHS[digraph])] == list(DIGRAPHS[digraph])


@pytest.mark.parametrize(
    ("word", "symbols"),
    [
        ("thing", ["θ", "ɪ", "ŋ"]),
        ("ship", ["ʃ", "ɪ", "p"]),
        ("chop", ["tʃ", "ɒ", "p"]),
        ("phone", ["f", "o", "n"]),
        ("queen", ["k", "w", "i", "n"]),
        ("quick", ["k", "w", "ɪ", "k"]),
        ("cat", ["k", "æ", "t"]),
        ("city", ["s", "ɪ", "t", "i"]),
        ("make", ["m", "e", "ɪ", "k"]),
        ("time", ["t", "a", "ɪ", "m"]),
        ("box", ["b", "ɒ", "k", "s"]),
        ("jam", ["dʒ", "æ", "m"]),
        ("yes", ["j", "ɛ", "s"]),
        ("my", ["m", "a", "ɪ"]),
        ("he", ["h", "i"]),
        ("bell", ["b", "ɛ", "l"]),
        ("boat", ["b", "o", "t"]),
        ("rain", ["ɹ", "e", "n"]),
        ("out", ["a", "ʊ", "t"]),
        ("know", ["n", "a", "ʊ"]),
        ("night", ["n", "ɪ", "t"]),
        ("page", ["p", "e", "ɪ", "dʒ"]),
        ("Go", ["ɡ", "o"]),
    ],
)
def test_english_spelling_rules(word: str, symbols: list[str]) -> None:
    assert spell(word) == symbols


def test_spaces_punctuation_and_digits_rest_the_mouth() -> None:
    symbols = spell("Hi, 42 cats!")
    assert symbols == ["h", "ɪ", "_", " ", "_", "_", " ", "k", "æ", "t", "s", "_"]
    segments = phones_to_segments(letters_to_phones(*evenly("Hi, 42 cats!")), strict=True)
    rests = [s for s in segments if 0.2 <= s.start < 0.6]
    assert [s.viseme for s in rests] == ["sil"]  # ", 42 " is one pause


def test_accents_are_read_as_their_base_letter() -> None:
    assert spell("señor") == ["s", "ɛ", "n", "ɔ", "ɹ"]


def test_a_digraph_spans_its_first_start_to_its_last_end() -> None:
    phones = letters_to_phones(["t", "h", "e"], [0.0, 0.1, 0.25], [0.1, 0.25, 0.4])
    assert phones[0] == Phone("θ", 0.0, 0.25)
    assert phones[1] == Phone("i", 0.25, 0.4)


def test_a_silent_final_e_lends_its_time_to_the_letter_before() -> None:
    phones = letters_to_phones(*evenly("made"))
    assert [p.symbol for p in phones] == ["m", "e", "ɪ", "d"]
    assert phones[-1].start == pytest.approx(0.2) and phones[-1].end == pytest.approx(0.4)


def test_one_letter_two_sounds_share_its_time() -> None:
    phones = letters_to_phones(["x"], [1.0], [1.2])
    assert [p.symbol for p in phones] == ["k", "s"]
    edges = [t for p in phones for t in (p.start, p.end)]
    assert edges == pytest.approx([1.0, 1.1, 1.1, 1.2])


def test_entries_of_several_characters_are_split() -> None:
    phones = letters_to_phones(["sh", "e"], [0.0, 0.2], [0.2, 0.3])
    assert [p.symbol for p in phones] == ["ʃ", "i"]
    assert phones[0].end == pytest.approx(0.2)


def test_overlapping_input_times_become_ordered_phones() -> None:
    phones = letters_to_phones(["b", "a", "t"], [0.0, 0.05, 0.3], [0.2, 0.25, 0.28])
    assert phones == (Phone("b", 0.0, 0.2), Phone("æ", 0.2, 0.25))  # "t" got no time at all


def test_duration_adds_rests_so_the_phones_tile_the_audio() -> None:
    phones = letters_to_phones(["o", "k"], [0.1, 0.2], [0.2, 0.5], duration=0.8)
    assert phones[0] == Phone("_", 0.0, 0.1)
    assert phones[-1] == Phone("_", 0.5, 0.8)
    clipped = letters_to_phones(["o", "k"], [0.1, 0.2], [0.2, 0.5], duration=0.3)
    assert clipped[-1].end == pytest.approx(0.3)
    assert letters_to_phones([], [], [], duration=0.5) == (Phone("_", 0.0, 0.5),)


def test_arrays_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        letters_to_phones(["a", "b"], [0.0], [0.1, 0.2])


TEXT = st.text(
    alphabet=st.sampled_from(string.ascii_letters + " ,.!?'-0123456789éüñ\u0301&—" + "\n"),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(text=TEXT, data=st.data())
def test_any_text_and_timing_gives_tiling_known_phones(text: str, data: st.DataObject) -> None:
    times = st.floats(min_value=0.0, max_value=3.0, allow_nan=False)
    starts = data.draw(st.lists(times, min_size=len(text), max_size=len(text)))
    ends = data.draw(st.lists(times, min_size=len(text), max_size=len(text)))
    phones = letters_to_phones(list(text), starts, ends, duration=2.0)
    for phone in phones:
        assert_sound(phone.symbol)
        assert 0.0 <= phone.start < phone.end <= 2.0
    for before, after in itertools.pairwise(phones):
        assert before.end <= after.start + 1e-9
    assert phones[0].start == pytest.approx(0.0, abs=1e-5)
    assert phones[-1].end == pytest.approx(2.0, abs=1e-5)
    segments = phones_to_segments(phones, strict=True)
    assert sum(s.end - s.start for s in segments) == pytest.approx(2.0, abs=1e-5)
