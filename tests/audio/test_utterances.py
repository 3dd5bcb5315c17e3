"""The spoken turns `bench v2v` and the window tests play: what each says about itself holds."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from avatar_desktop.providers.local.tts import PiperVoiceProvider
from bench.v2v_audio import locate_stop
from tests.audio.utterances import (
    LEAD_S,
    RATE,
    VOICED,
    Utterance,
    add_noise,
    build,
    make,
    voiced,
)


@pytest.fixture(scope="module")
def voice() -> Iterator[PiperVoiceProvider]:
    piper = PiperVoiceProvider(variation=0.0)
    piper.load()
    yield piper


@pytest.fixture(scope="module")
def material(voice: PiperVoiceProvider) -> list[Utterance]:
    return build(voice)


def test_the_set_is_varied_in_length_speed_noise_and_pauses(material: list[Utterance]) -> None:
    lengths = [len(u.text.split()) for u in material]
    assert len(material) >= 20
    assert min(lengths) == 2 and max(lengths) >= 20
    assert {0.85, 1.25} <= {u.rate for u in material}
    assert sum(u.noisy for u in material) >= 4
    pauses = [u.pause_ms for u in material if u.pause_ms is not None]
    assert len(pauses) >= 8
    assert all(495 <= p <= 905 for p in pauses), pauses
    assert max(pauses) - min(pauses) > 300  # spread across the range, not one length


def test_nothing_is_voiced_after_the_last_voiced_sample(material: list[Utterance]) -> None:
    for u in (u for u in material if not u.noisy):
        assert abs(u.pcm[u.last_voiced]) > VOICED
        assert not np.any(np.abs(u.pcm[u.last_voiced + 1 :]) > VOICED), u.text
        assert u.last_voiced / RATE > LEAD_S + 0.3


def test_a_pause_is_silence_between_the_words_around_the_comma(material: list[Utterance]) -> None:
    paused = [(u, u.pause) for u in material if u.pause is not None and not u.noisy]
    assert paused
    for u, (start, end) in paused:
        assert abs(u.pcm[start]) > VOICED and abs(u.pcm[end]) > VOICED
        assert not np.any(np.abs(u.pcm[start + 1 : end]) > VOICED), u.text
        assert start > int(LEAD_S * RATE) and end < u.last_voiced  # words on both sides


def test_noise_runs_through_the_clip_twenty_db_below_the_speech(
    voice: PiperVoiceProvider,
) -> None:
    text = "So, how far away is the moon?"
    clean = make(voice, text, pause_s=0.7)
    noisy = add_noise(clean, seed=3)
    added = noisy.pcm[: len(clean.pcm)] - clean.pcm
    span = voiced(clean.pcm)
    speech = clean.pcm[span[0] : span[-1] + 1]
    snr = 10 * np.log10(np.mean(speech**2) / np.mean(added[span[0] : span[-1] + 1] ** 2))
    assert 18.5 <= snr <= 21.5
    assert np.std(noisy.pcm[: int(0.3 * RATE)]) > 0.002  # before the first word
    assert np.std(noisy.pcm[noisy.last_voiced + RATE // 10 :]) > 0.002  # and after the last
    assert noisy.last_voiced == clean.last_voiced  # known from the clean signal
    assert noisy.pause == clean.pause


def test_a_pause_needs_a_comma(voice: PiperVoiceProvider) -> None:
    with pytest.raises(ValueError, match="no comma"):
        make(voice, "No pause here", pause_s=0.6)


class _Recording:
    """A finished monitor recording, as `locate_stop` reads one."""

    def __init__(self, samples: np.ndarray) -> None:
        self.samples = samples.astype(np.float32)

    def samples_from(self, start: int) -> np.ndarray:
        return self.samples[start:]


def test_the_bench_finds_the_stop_by_its_sound_after_a_gap_in_playback(
    material: list[Utterance],
) -> None:
    u = next(u for u in material if u.noisy and u.pause is not None)
    assert u.pause is not None
    cut = (u.pause[1] + u.last_voiced) // 2  # a busy machine slipped silence in here
    gap = np.zeros(4000, dtype=np.float32)
    played = np.concatenate([np.zeros(3000, np.float32), u.pcm[:cut], gap, u.pcm[cut:]])
    assert locate_stop(_Recording(played), u, 0) == 3000 + u.last_voiced + len(gap)
    assert locate_stop(_Recording(played[: 3000 + u.last_voiced]), u, 0) is None  # not yet


def test_the_words_said_so_far_stop_at_the_pause_and_end_whole(
    material: list[Utterance],
) -> None:
    u = next(u for u in material if u.pause is not None and u.text.startswith("I was wondering"))
    assert u.pause is not None
    assert u.words_by(0.0) == ""
    assert u.words_by((u.pause[0] + u.pause[1]) / 2 / RATE) == "I was wondering"
    assert u.words_by(u.last_voiced / RATE) == u.text
    halfway = u.words_by((u.pause[1] + u.last_voiced) / 2 / RATE)
    assert u.text.startswith(halfway) and "wondering," in halfway and halfway != u.text
