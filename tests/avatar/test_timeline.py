"""Speech tracks show the right viseme at the audio clock, glide between shapes, and close."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avatar_desktop.avatar.pose import Pose
from avatar_desktop.avatar.timeline import (
    CLOSE,
    TAIL,
    SpeechTrack,
    Timeline,
    smoothstep,
)
from avatar_desktop.avatar.visemes import (
    IPA_TO_VISEME,
    MOUTH_FIELDS,
    STRESS_MARKS,
    is_mark,
)
from avatar_desktop.core.speech import Phone, Speech
from tests.avatar.helpers import FRAME, PER_FRAME, Synthesize, phones

MARKS = ("ˈ", "ˌ", "ː", "\u0329")
PER_MS = 0.08  # and no jump at any instant: at most this much per millisecond
SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Thing, this, measure, church, judge, sing, vision, yes, red, water, button, uh-oh.",
    "Bob met mom by the pub; maybe five of them.",
)


def mouth(pose: Pose) -> np.ndarray:
    return np.array([getattr(pose, name) for name in MOUTH_FIELDS])


def sampled(track: SpeechTrack, step: float, offset: float = 0.0) -> np.ndarray:
    times = np.arange(-0.1, track.duration + 0.1, step) + offset
    return np.array([track.mouth_values(float(t)) for t in times])


def expected_visemes(spoken: tuple[Phone, ...]) -> list[tuple[Phone, str]]:
    """Each phone with the viseme sounding during it, derived straight from the table."""
    sounds = [i for i, p in enumerate(spoken) if not is_mark(p.symbol)]
    out: list[tuple[Phone, str]] = []
    for i, phone in enumerate(spoken):
        if phone.symbol in STRESS_MARKS:  # its time belongs to the next sound
            owner = min((j for j in sounds if j > i), default=max(j for j in sounds if j < i))
        elif is_mark(phone.symbol):  # length and diacritics belong to the sound before
            owner = max(j for j in sounds if j < i)
        else:
            owner = i
        symbol = spoken[owner].symbol
        pair = [spoken[k].symbol for k in (owner - 1, owner, owner + 1) if 0 <= k < len(spoken)]
        affricate = any(a + b in ("tʃ", "dʒ") for a, b in pairwise(pair))
        out.append((phone, "CH" if affricate and symbol in "tdʃʒ" else IPA_TO_VISEME[symbol]))
    return out


def test_viseme_at_for_hand_built_phones() -> None:
    track = SpeechTrack.from_phones(phones(("^", 0.1), ("m", 0.08), ("ˈ", 0.03), ("ɑ", 0.12)))
    assert track.viseme_at(-0.01) == "sil"
    assert track.viseme_at(0.05) == "sil"
    assert track.viseme_at(0.1) == "PP"
    assert track.viseme_at(0.179) == "PP"
    assert track.viseme_at(0.19) == "aa", "the stress mark's time belongs to the vowel"
    assert track.viseme_at(0.32) == "aa"
    assert track.viseme_at(0.33) == "sil"
    assert track.onsets() == [(0.0, "sil"), (0.1, "PP"), (pytest.approx(0.18), "aa")]


def test_viseme_at_matches_the_table_mid_phone_in_real_speech(synthesize: Synthesize) -> None:
    for text in SENTENCES:
        for speech in synthesize(text):
            track = Timeline.for_speech(speech)
            for phone, viseme in expected_visemes(speech.phones):
                midpoint = (phone.start + phone.end) / 2.0
                assert track.viseme_at(midpoint) == viseme, (phone, text)


def test_onsets_fall_on_phone_starts(synthesize: Synthesize) -> None:
    (speech,) = synthesize("Sphinx of black quartz, judge my vow.")
    track = Timeline.for_speech(speech)
    starts = {round(p.start, 9) for p in speech.phones}
    times = [t for t, _ in track.onsets()]
    assert times == sorted(times) and times[0] == 0.0
    assert all(round(t, 9) in starts for t in times)
    assert [v for _, v in track.onsets()] == [track.viseme_at(t) for t in times]


def test_mouth_glides_between_frames_in_real_speech(synthesize: Synthesize) -> None:
    for text in SENTENCES:
        for speech in synthesize(text):
            track = Timeline.for_speech(speech)
            for offset in (0.0, FRAME / 3, FRAME / 2):
                steps = np.abs(np.diff(sampled(track, FRAME, offset), axis=0)).max(axis=0)
                for name, step in zip(MOUTH_FIELDS, steps, strict=True):
                    assert step <= PER_FRAME[name], (name, step, text)
            fine = np.abs(np.diff(sampled(track, 0.001), axis=0)).max()
            assert fine <= PER_MS


def test_no_snap_at_segment_boundaries(synthesize: Synthesize) -> None:
    (speech,) = synthesize("How vexingly quick daft zebras jump!")
    track = Timeline.for_speech(speech)
    for segment in track.segments:
        before = np.array(track.mouth_values(segment.start - 1e-6))
        after = np.array(track.mouth_values(segment.start + 1e-6))
        assert np.abs(after - before).max() < 1e-3


def test_naive_snapping_would_fail_the_frame_bound(synthesize: Synthesize) -> None:
    """The bound has teeth: holding each viseme's target until the next one breaks it."""
    (speech,) = synthesize("Pack my box with five dozen liquor jugs.")
    track = Timeline.for_speech(speech)
    from avatar_desktop.avatar.visemes import VISEME_TARGETS

    times = np.arange(0.0, track.duration, FRAME)
    held = np.array([mouth(VISEME_TARGETS[track.viseme_at(float(t))]) for t in times])
    steps = np.abs(np.diff(held, axis=0)).max(axis=0)
    assert any(step > PER_FRAME[n] for n, step in zip(MOUTH_FIELDS, steps, strict=True))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([*sorted(IPA_TO_VISEME), *MARKS]), st.floats(0.015, 0.25)),
        min_size=1,
        max_size=30,
    )
)
def test_mouth_is_continuous_and_in_range_for_any_phones(spec: list[tuple[str, float]]) -> None:
    track = SpeechTrack.from_phones(phones(*spec))
    values = sampled(track, 0.001)
    assert np.abs(np.diff(values, axis=0)).max() <= 0.1
    assert values[:, 0].min() >= 0.0 and values[:, 0].max() <= 1.0
    assert np.abs(values[:, 1]).max() <= 1.0
    assert values[:, 2:].min() >= 0.0 and values[:, 2:].max() <= 1.0


def test_lips_really_close_for_bilabials_and_open_for_vowels(synthesize: Synthesize) -> None:
    (speech,) = synthesize("Bob met mom by the pub; maybe five of them.")
    track = Timeline.for_speech(speech)
    for segment in track.segments:
        middle = track.mouth_at((segment.start + segment.end) / 2.0)
        if segment.viseme == "PP":
            assert middle.lips_pressed >= 0.9 and middle.jaw_open <= 0.05
        if segment.viseme == "FF":
            assert middle.lip_bite >= 0.9
        if segment.viseme == "aa" and segment.end - segment.start >= 0.08:
            assert middle.jaw_open >= 0.5


def test_mouth_is_shut_before_and_after_and_only_mouth_fields_move() -> None:
    track = SpeechTrack.from_phones(phones(("a", 0.2), ("o", 0.2)))
    assert track.mouth_at(-0.2) == Pose()
    assert track.mouth_at(0.6) == Pose()
    middle = track.mouth_at(0.1)
    assert middle.jaw_open > 0.5
    assert middle == Pose(*(getattr(middle, name) for name in MOUTH_FIELDS))
    assert track.mouth_at(-0.02).jaw_open > 0.0, "the lips get ready before the sound"


def burst(sample_rate: int = 16000) -> np.ndarray:
    """0.3 s silence, 0.4 s of a loud vowel-like tone, 0.3 s silence."""
    t = np.arange(int(0.4 * sample_rate)) / sample_rate
    tone = 0.5 * np.sin(2 * math.pi * 180 * t) + 0.2 * np.sin(2 * math.pi * 720 * t)
    silence = np.zeros(int(0.3 * sample_rate))
    return np.concatenate([silence, tone, silence]).astype(np.float32)


def test_loudness_fallback_opens_on_loud_frames_and_closes_on_silence() -> None:
    track = SpeechTrack.from_loudness(burst(), 16000)
    assert track.duration == pytest.approx(1.0)
    assert track.mouth_at(0.1).jaw_open == 0.0
    assert track.mouth_at(0.5).jaw_open >= 0.6
    assert track.mouth_at(0.95).jaw_open < 0.05
    assert track.viseme_at(0.5) == "aa" and track.viseme_at(0.1) == "sil"
    assert track.onsets()[1][0] == pytest.approx(0.3, abs=0.03)
    steps = np.abs(np.diff(sampled(track, FRAME), axis=0)).max()
    assert steps <= 0.65


def test_loudness_fallback_on_real_speech_and_pure_silence(synthesize: Synthesize) -> None:
    (speech,) = synthesize("Hello there, how are you today?")
    timeline_free = Speech(speech.pcm, speech.sample_rate)
    track = Timeline.for_speech(timeline_free)
    jaws = [track.mouth_at(t).jaw_open for t in np.arange(0, track.duration, FRAME)]
    assert max(jaws) > 0.5 and min(jaws) < 0.05
    silent = SpeechTrack.from_loudness(np.zeros(8000, dtype=np.float32), 16000)
    assert silent.mouth_at(0.2) == Pose() and silent.viseme_at(0.2) == "sil"


def test_timeline_plays_tracks_back_to_back_without_jumps() -> None:
    timeline = Timeline()
    first = SpeechTrack.from_phones(phones(("a", 0.2), ("m", 0.1), ("a", 0.2)))
    second = SpeechTrack.from_phones(phones(("o", 0.3)))
    timeline.play(first, 10.0)
    timeline.play(second, 10.5)
    assert timeline.speech(9.0) == ((0.0, 0.0, 0.0, 0.0, 0.0), 0.0)
    previous = None
    for t in np.arange(9.9, 10.8 + TAIL, FRAME / 4):
        now = float(t)
        values, presence = timeline.speech(now)
        current = np.array([*values, presence])
        if previous is not None:
            assert np.abs(current - previous).max() < 0.25
        previous = current
        if min(abs(now - edge) for edge in (10.0, 10.5, 10.8)) > 1e-6:
            assert timeline.speaking(now) == (10.0 <= now < 10.8)
    assert timeline.speech(10.8 + TAIL + 0.01)[1] == 0.0


def test_stop_closes_the_mouth_smoothly_and_drops_queued_speech_and_cues() -> None:
    timeline = Timeline()
    timeline.play(SpeechTrack.from_phones(phones(("a", 1.0))), 0.0)
    timeline.play(SpeechTrack.from_phones(phones(("o", 1.0))), 1.0)
    timeline.schedule("nod", 1.0)
    before, presence = timeline.speech(0.5)
    timeline.stop(0.5)
    after, presence_after = timeline.speech(0.5)
    assert after == pytest.approx(before) and presence_after == pytest.approx(presence)
    assert timeline.speech(0.5 + CLOSE / 2)[1] == pytest.approx(1.0 - smoothstep(0.5))
    assert timeline.speech(0.5 + CLOSE)[1] == 0.0
    assert timeline.speech(1.5)[1] == 0.0, "the queued sentence never plays"
    assert timeline.due(2.0) == []


def test_cues_fire_in_time_order_once() -> None:
    timeline = Timeline()
    timeline.schedule("wave", 2.0)
    timeline.schedule("happy", 1.0)
    timeline.schedule("nod", 1.0)
    assert timeline.due(0.5) == []
    assert timeline.due(1.0) == [(1.0, "happy"), (1.0, "nod")]
    assert timeline.due(5.0) == [(2.0, "wave")]
    assert timeline.due(6.0) == []


def test_a_track_started_right_after_a_stop_takes_over_smoothly() -> None:
    """The player reports "finished" then "started" in the same frame: the next line must play."""
    timeline = Timeline()
    first = SpeechTrack.from_phones(phones(("a", 0.5)))
    second = SpeechTrack.from_phones(phones(("^", 0.05), ("o", 0.5)))
    timeline.play(first, 0.0)
    timeline.speech(0.45)
    timeline.stop(0.45)
    timeline.play(second, 0.45)
    previous = np.array([*timeline.speech(0.45)[0]])
    for t in np.arange(0.45, 1.0, FRAME / 4):
        values, presence = timeline.speech(float(t))
        assert np.abs(np.array(values) - previous).max() < 0.25
        previous = np.array(values)
    assert timeline.speaking(0.8)
    values, presence = timeline.speech(0.8)
    assert presence == 1.0 and values == pytest.approx(second.mouth_values(0.35))


def test_sync_re_anchors_the_track_to_the_audio_clock() -> None:
    timeline = Timeline()
    track = SpeechTrack.from_phones(phones(("m", 0.1), ("a", 0.3), ("m", 0.1)))
    timeline.play(track, 5.0)
    timeline.sync(5.04)  # the device really started 40 ms later
    assert timeline.speech(5.2)[0] == pytest.approx(track.mouth_values(0.16))
    assert timeline.speaking(5.52) and not timeline.speaking(5.55)
