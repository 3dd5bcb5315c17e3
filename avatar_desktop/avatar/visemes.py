"""One IPA → viseme table, the mouth shape of each viseme, and phone timings → viseme segments.

Piper (espeak-ng) emits one symbol per character. Two kinds of symbol are marks, not sounds,
yet the voice still gives them time:

- stress marks ``ˈ`` and ``ˌ`` stand just before the stressed vowel; their time is the run-in
  to the next sound, so it goes to the following phone, and the next vowel is marked stressed;
- the length marks ``ː`` ``ˑ``, modifier letters (``ʰ ʲ ˤ ˞``), tone digits and any combining
  diacritic (e.g. the syllabic ``n̩`` in "button") lengthen or colour the sound before them, so
  their time extends the preceding phone.

A ``t``/``d`` directly followed by ``ʃ``/``ʒ`` is the affricate ``tʃ``/``dʒ`` and becomes one
CH segment. A symbol that is neither a sound nor a mark is an error in strict mode and is logged
(once per symbol) otherwise, so a new voice's gaps show up instead of passing silently.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from avatar_desktop.avatar.pose import Pose
from avatar_desktop.core.speech import Phone

_log = logging.getLogger(__name__)

VISEMES: tuple[str, ...] = (
    *("sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR"),
    *("aa", "E", "I", "O", "U"),
)
MOUTH_FIELDS: tuple[str, ...] = ("jaw_open", "mouth_wide", "lips_pressed", "lip_bite", "tongue")


def _symbols(spaced: str) -> tuple[str, ...]:
    """Space-separated symbols, so the table below stays readable."""
    return tuple(spaced.split())


# Grouped by viseme for reading; flattened into IPA_TO_VISEME below. Covers en-US espeak-ng
# output and every other symbol in the Piper espeak phoneme set, mapped by place of articulation.
_SOUNDS_BY_VISEME: dict[str, tuple[str, ...]] = {
    "sil": (" ", *_symbols("_ ^ $ ! ' \" ( ) , - . : ; ? # … — – « » “ ” ‘ ’ ¡ ¿")),
    "PP": _symbols("p b m ɓ ʙ ɸ β ʘ"),
    "FF": _symbols("f v ɱ ʋ ⱱ"),
    "TH": _symbols("θ ð"),
    "DD": _symbols("t d ʈ ɖ ɗ ɾ ɽ ǀ ǁ ǂ ǃ"),
    "kk": _symbols("k g ɡ c q ɟ ʄ ɠ ɢ ʛ x ɣ χ ʁ ʀ ɰ ŋ ɴ h ɦ ħ ʕ ʜ ʢ ʡ ʔ"),
    "CH": _symbols("tʃ dʒ ʃ ʒ ɕ ʑ ʂ ʐ ɧ"),
    "SS": _symbols("s z ç ʝ"),
    "nn": _symbols("n ɲ ɳ l ɫ ɭ ʎ ʟ ɬ ɮ ɺ"),
    "RR": _symbols("ɹ ɻ r ɚ ɝ ɜ"),
    "aa": _symbols("a ɑ æ ɐ ʌ ə"),
    "E": _symbols("e ɛ ε ɘ ɤ"),
    "I": _symbols("i ɪ ᵻ ɨ ɯ j"),
    "O": _symbols("o ɔ ɒ ɵ ø œ ɞ ɶ"),
    "U": _symbols("u ʊ ʉ y ʏ w ʍ ɥ"),
}
IPA_TO_VISEME: dict[str, str] = {
    symbol: viseme for viseme, symbols in _SOUNDS_BY_VISEME.items() for symbol in symbols
}

VOWELS = frozenset(_symbols("a ɑ æ ɐ ʌ ə e ɛ ε ɘ ɤ i ɪ ᵻ ɨ ɯ o ɔ ɒ ɵ ø œ ɞ ɶ u ʊ ʉ y ʏ ɚ ɝ ɜ"))
STRESS_MARKS: dict[str, float] = {"ˈ": 1.0, "ˌ": 0.9}  # weight of the stressed vowel
LENGTH_MARKS = frozenset(("ː", "ˑ", "ʰ", "ʲ", "ˤ", "˞", "↓", *"0123456789"))
UNSTRESSED_WEIGHT = 0.8  # unstressed vowels open the mouth less
WORD_GAP_WEIGHT = 0.5  # a space between words pulls the mouth shut only weakly
FALLBACK_VISEME = "DD"  # an unknown sound still moves the mouth a little (after a warning)
_GAP = 1e-4  # seconds between phones that count as a pause rather than rounding

# The mouth each viseme aims for; fields not given stay 0.
VISEME_TARGETS: dict[str, Pose] = {
    "sil": Pose(),
    "PP": Pose(jaw_open=0.0, lips_pressed=1.0),
    "FF": Pose(jaw_open=0.1, mouth_wide=0.1, lip_bite=1.0),
    "TH": Pose(jaw_open=0.2, mouth_wide=0.1, tongue=1.0),
    "DD": Pose(jaw_open=0.3, mouth_wide=0.2, tongue=0.3),
    "kk": Pose(jaw_open=0.35, mouth_wide=0.15),
    "CH": Pose(jaw_open=0.2, mouth_wide=-0.5),
    "SS": Pose(jaw_open=0.1, mouth_wide=0.5),
    "nn": Pose(jaw_open=0.2, mouth_wide=0.1, tongue=0.25),
    "RR": Pose(jaw_open=0.25, mouth_wide=-0.4),
    "aa": Pose(jaw_open=0.9, mouth_wide=0.1),
    "E": Pose(jaw_open=0.45, mouth_wide=0.6),
    "I": Pose(jaw_open=0.25, mouth_wide=0.9),
    "O": Pose(jaw_open=0.5, mouth_wide=-0.8),
    "U": Pose(jaw_open=0.25, mouth_wide=-1.0),
}

_warned: set[str] = set()


class UnknownPhonemeError(ValueError):
    """A symbol the table does not know: the table needs a row for it."""


@dataclass(frozen=True, slots=True)
class VisemeSegment:
    """One mouth shape held from ``start`` to ``end`` (seconds); ``weight`` 0..1 is its emphasis."""

    viseme: str
    start: float
    end: float
    weight: float = 1.0


@dataclass(slots=True)
class _Sound:
    """A sounding phone while marks are still being folded into it."""

    symbol: str
    start: float
    end: float
    stress: float | None = None


def is_mark(symbol: str) -> bool:
    """Stress, length and diacritic marks carry time but no mouth shape of their own."""
    return (
        symbol in STRESS_MARKS
        or symbol in LENGTH_MARKS
        or (len(symbol) == 1 and unicodedata.combining(symbol) != 0)
    )


def is_known(symbol: str) -> bool:
    """True when the symbol is a sound in the table or a mark with a defined timing rule."""
    return symbol in IPA_TO_VISEME or is_mark(symbol)


def viseme_for(symbol: str) -> str:
    """The viseme of one sound; raises so a gap in the table is never hidden."""
    try:
        return IPA_TO_VISEME[symbol]
    except KeyError:
        raise UnknownPhonemeError(f"no viseme for phoneme {symbol!r}") from None


def phones_to_segments(phones: Iterable[Phone], *, strict: bool = False) -> list[VisemeSegment]:
    """Viseme segments covering the phones' time span, contiguous and merged where equal."""
    units = _join_affricates(_split(phones))
    segments: list[VisemeSegment] = []
    for sound in _fold_marks(units):
        if segments:
            end = segments[-1].end
            if sound.start > end + _GAP:
                _append(segments, VisemeSegment("sil", end, sound.start))
            else:
                sound.start = end  # rounding or overlapping timings: keep segments contiguous
        if sound.end > sound.start:
            _append(segments, _segment(sound, strict=strict))
    return segments


def _split(phones: Iterable[Phone]) -> Iterator[Phone]:
    """Multi-character symbols not in the table (e.g. another voice's "aɪ") share their time."""
    for phone in phones:
        symbol = phone.symbol
        if len(symbol) <= 1 or symbol in IPA_TO_VISEME:
            yield phone
            continue
        step = (phone.end - phone.start) / len(symbol)
        for i, char in enumerate(symbol):
            yield Phone(char, phone.start + i * step, phone.start + (i + 1) * step)


def _join_affricates(phones: Iterator[Phone]) -> list[Phone]:
    """Piper spells tʃ and dʒ as two phones; the lips make one shape for both."""
    out: list[Phone] = []
    for phone in phones:
        if out and len(out[-1].symbol) == 1:
            pair = out[-1].symbol + phone.symbol
            if len(pair) == 2 and pair in IPA_TO_VISEME:
                out[-1] = Phone(pair, out[-1].start, phone.end)
                continue
        out.append(phone)
    return out


def _fold_marks(phones: list[Phone]) -> list[_Sound]:
    """Give each mark's time to its neighbour: stress forwards, length and diacritics back."""
    sounds: list[_Sound] = []
    carry_start: float | None = None  # start of stress marks waiting for the next sound
    stress: float | None = None  # stress waiting for the next vowel
    for phone in phones:
        if phone.symbol in STRESS_MARKS:
            carry_start = phone.start if carry_start is None else carry_start
            stress = STRESS_MARKS[phone.symbol]
        elif is_mark(phone.symbol) and sounds:
            sounds[-1].end = max(sounds[-1].end, phone.end)
        elif is_mark(phone.symbol):
            carry_start = phone.start if carry_start is None else carry_start
        else:
            start = phone.start if carry_start is None else carry_start
            sound = _Sound(phone.symbol, start, phone.end)
            if phone.symbol in VOWELS and stress is not None:
                sound.stress, stress = stress, None
            sounds.append(sound)
            carry_start = None
    if carry_start is not None and sounds:
        sounds[-1].end = max(sounds[-1].end, phones[-1].end)
    return sounds


def _segment(sound: _Sound, *, strict: bool) -> VisemeSegment:
    """The segment for one sound, with its emphasis from stress and kind."""
    try:
        viseme = viseme_for(sound.symbol)
    except UnknownPhonemeError:
        if strict:
            raise
        if sound.symbol not in _warned:
            _warned.add(sound.symbol)
            _log.warning("no viseme for phoneme %r; using %s", sound.symbol, FALLBACK_VISEME)
        viseme = FALLBACK_VISEME
    if sound.symbol == " ":
        weight = WORD_GAP_WEIGHT
    elif sound.symbol in VOWELS:
        weight = sound.stress if sound.stress is not None else UNSTRESSED_WEIGHT
    else:
        weight = 1.0
    return VisemeSegment(viseme, sound.start, sound.end, weight)


def _append(segments: list[VisemeSegment], segment: VisemeSegment) -> None:
    """Append, merging into the previous segment when both show the same viseme."""
    if segments and segments[-1].viseme == segment.viseme:
        last = segments[-1]
        segments[-1] = VisemeSegment(
            last.viseme, last.start, segment.end, max(last.weight, segment.weight)
        )
    else:
        segments.append(segment)
