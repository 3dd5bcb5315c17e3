"""Written text with per-character timings → phones for lip sync.

A cloud voice such as ElevenLabs tells us when each *character* sounds, not each phoneme. The
mouth only needs a viseme, so English spelling rules that are right most of the time do: digraphs
first ("th" → θ, "ee" → i), then single letters with a little context (a "c" before e/i/y is s, a
final "e" after another vowel is silent and lends its time to the letter before it). Every symbol
produced here is in ``avatar_desktop.avatar.visemes.IPA_TO_VISEME``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from avatar_desktop.core.speech import Phone

SILENT = ()  # a letter that makes no sound of its own (its time goes to the letter before)
PAUSE = "_"  # digits, symbols and letters of other scripts: the mouth rests
WORD_GAP = " "
VOWEL_LETTERS = frozenset("aeiouy")
_MIN_PHONE_S = 1e-6

DIGRAPHS: dict[str, tuple[str, ...]] = {
    **{"th": ("θ",), "sh": ("ʃ",), "ch": ("tʃ",), "ph": ("f",), "ng": ("ŋ",), "ck": ("k",)},
    **{"qu": ("k", "w"), "wh": ("w",), "ee": ("i",), "ea": ("i",), "oo": ("u",)},
    **{"ou": ("a", "ʊ"), "ow": ("a", "ʊ"), "ai": ("e",), "ay": ("e",), "oa": ("o",)},
    **{"oi": ("ɔ", "ɪ"), "oy": ("ɔ", "ɪ"), "au": ("ɔ",), "aw": ("ɔ",)},
    **{"er": ("ɚ",), "ir": ("ɚ",), "ur": ("ɚ",), "ar": ("ɑ", "ɹ"), "or": ("ɔ", "ɹ")},
}
# Only at the start of a word: the first letter is silent ("know", "write").
WORD_START_DIGRAPHS: dict[str, tuple[str, ...]] = {"kn": ("n",), "wr": ("ɹ",), "gh": ("ɡ",)}
LETTERS: dict[str, tuple[str, ...]] = {
    **{"a": ("æ",), "b": ("b",), "c": ("k",), "d": ("d",), "e": ("ɛ",), "f": ("f",)},
    **{"g": ("ɡ",), "h": ("h",), "i": ("ɪ",), "j": ("dʒ",), "k": ("k",), "l": ("l",)},
    **{"m": ("m",), "n": ("n",), "o": ("ɒ",), "p": ("p",), "q": ("k",), "r": ("ɹ",)},
    **{"s": ("s",), "t": ("t",), "u": ("ʌ",), "v": ("v",), "w": ("w",), "x": ("k", "s")},
    **{"y": ("ɪ",), "z": ("z",)},
}
# A vowel made long by a silent final "e" one consonant later ("make", "time", "home").
LONG_VOWELS: dict[str, tuple[str, ...]] = {
    **{"a": ("e", "ɪ"), "i": ("a", "ɪ"), "o": ("o",), "u": ("u",), "e": ("i",)},
}


@dataclass(slots=True)
class _Unit:
    """Symbols spoken over characters ``first``..``last`` (inclusive) of the text."""

    symbols: tuple[str, ...]
    first: int
    last: int


def letters_to_phones(
    characters: Sequence[str],
    starts: Sequence[float],
    ends: Sequence[float],
    *,
    duration: float | None = None,
) -> tuple[Phone, ...]:
    """Phones for timed characters: ordered, non-overlapping, and (given ``duration``) tiling it."""
    if not len(characters) == len(starts) == len(ends):
        raise ValueError("characters and their start and end times differ in length")
    chars, char_starts, char_ends = _one_char_each(characters, starts, ends)
    phones: list[Phone] = []
    at = 0.0
    for unit in _units("".join(chars)):
        start = max(at, char_starts[unit.first])
        end = max(start, char_ends[unit.last])
        if duration is not None:
            start, end = min(start, duration), min(end, duration)
        phones += _spread(unit.symbols, start, end)
        at = end
    return _cover(phones, duration)


def spell(text: str) -> list[str]:
    """The symbols ``text`` becomes, untimed; for tests and for reading the rules' output."""
    return [symbol for unit in _units(text) for symbol in unit.symbols]


def _one_char_each(
    characters: Sequence[str], starts: Sequence[float], ends: Sequence[float]
) -> tuple[list[str], list[float], list[float]]:
    """Entries holding several characters share their time; empty entries are dropped."""
    chars: list[str] = []
    char_starts: list[float] = []
    char_ends: list[float] = []
    for text, start, end in zip(characters, starts, ends, strict=True):
        step = (float(end) - float(start)) / max(1, len(text))
        for i, char in enumerate(text):
            chars.append(char)
            char_starts.append(float(start) + i * step)
            char_ends.append(float(start) + (i + 1) * step)
    return chars, char_starts, char_ends


def _units(text: str) -> list[_Unit]:
    """Split text into spoken units; silent letters widen the unit before them."""
    letters = [_plain_letter(char) for char in text]
    units: list[_Unit] = []
    i = 0
    while i < len(text):
        symbols, width = _read(letters, i) if letters[i] else (_non_letter(text[i]), 1)
        last = i + width - 1
        if symbols == SILENT and units:
            units[-1].last = last
        else:
            units.append(_Unit(symbols or (PAUSE,), i, last))
        i += width
    return units


def _plain_letter(char: str) -> str:
    """The a–z letter a character is, accents stripped ("é" → "e"); "" for anything else."""
    base = unicodedata.normalize("NFKD", char.lower())[:1]
    return base if "a" <= base <= "z" else ""


def _non_letter(char: str) -> tuple[str, ...]:
    """Spaces part words; punctuation, digits and anything else are a rest."""
    if char.isspace():
        return (WORD_GAP,)
    if unicodedata.combining(char):
        return SILENT  # a separated accent belongs to the letter before it
    return (PAUSE,)


def _read(letters: list[str], i: int) -> tuple[tuple[str, ...], int]:
    """The symbols for the letter(s) at ``i`` and how many letters they used."""
    here, after = letters[i], _at(letters, i + 1)
    word_start = not _at(letters, i - 1)
    if here in LONG_VOWELS and _magic_e(letters, i):
        return LONG_VOWELS[here], 1
    if word_start and here + after in WORD_START_DIGRAPHS:
        return WORD_START_DIGRAPHS[here + after], 2
    if here + after in DIGRAPHS:
        return DIGRAPHS[here + after], 2
    if here == after and here not in VOWEL_LETTERS:
        return LETTERS[here], 2  # "ll", "ss", "tt": one sound held longer
    if here == "g" and after == "h":
        return SILENT, 2  # "night", "though"
    return _single(letters, i), 1


def _single(letters: list[str], i: int) -> tuple[str, ...]:
    """One letter, with the little context English spelling needs."""
    here, before, after = letters[i], _at(letters, i - 1), _at(letters, i + 1)
    word_end = not after
    if here == "e" and word_end:
        return SILENT if _vowel_before(letters, i) else ("i",)  # "made" vs "he", "the"
    if here == "c" and after in ("e", "i", "y"):
        return ("s",)
    if here == "g" and after == "e" and not _at(letters, i + 2):
        return ("dʒ",)  # "page", "large"
    if here == "y":
        if not before and after in VOWEL_LETTERS:
            return ("j",)  # "yes"
        if word_end:
            return ("i",) if _vowel_before(letters, i) else ("a", "ɪ")  # "happy" vs "my"
    if here == "a" and word_end:
        return ("ə",)  # "a", "idea"
    if here == "o" and word_end:
        return ("o",)  # "go", "so"
    return LETTERS[here]


def _magic_e(letters: list[str], i: int) -> bool:
    """A vowel, one plain consonant, then a final silent "e": "make", "fire", "home"."""
    consonant, e, end = _at(letters, i + 1), _at(letters, i + 2), _at(letters, i + 3)
    return (
        bool(consonant)
        and consonant not in VOWEL_LETTERS
        and consonant not in "wx"
        and e == "e"
        and not end
    )


def _vowel_before(letters: list[str], i: int) -> bool:
    """True when the word holding letter ``i`` has a vowel letter before it."""
    j = i - 1
    while j >= 0 and letters[j]:
        if letters[j] in VOWEL_LETTERS:
            return True
        j -= 1
    return False


def _at(letters: list[str], i: int) -> str:
    return letters[i] if 0 <= i < len(letters) else ""


def _spread(symbols: tuple[str, ...], start: float, end: float) -> list[Phone]:
    """Several symbols from one unit ("x" → k s) share its time evenly."""
    step = (end - start) / len(symbols)
    edges = [start + k * step for k in range(len(symbols))] + [end]
    return [
        Phone(symbol, edges[k], edges[k + 1])
        for k, symbol in enumerate(symbols)
        if edges[k + 1] - edges[k] > _MIN_PHONE_S
    ]


def _cover(phones: list[Phone], duration: float | None) -> tuple[Phone, ...]:
    """Rests before the first and after the last phone, so the phones tile the whole audio."""
    if duration is None:
        return tuple(phones)
    if not phones:
        return (Phone(PAUSE, 0.0, duration),) if duration > _MIN_PHONE_S else ()
    first, last = phones[0].start, phones[-1].end
    head = [Phone(PAUSE, 0.0, first)] if first > _MIN_PHONE_S else []
    tail = [Phone(PAUSE, last, duration)] if duration - last > _MIN_PHONE_S else []
    return (*head, *phones, *tail)
