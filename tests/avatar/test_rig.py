"""The rig keeps the character alive, expressive and in time, deterministically and cheaply."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import astuple, fields

import numpy as np
import pytest

from avatar_desktop.avatar.pose import Pose
from avatar_desktop.avatar.rig import (
    BLINK_INTERVAL,
    EMOTION_BLEND,
    EMOTION_TARGETS,
    GESTURE_MOTIONS,
    STATE_BLEND,
    Rig,
)
from avatar_desktop.avatar.timeline import SpeechTrack
from avatar_desktop.avatar.visemes import MOUTH_FIELDS
from avatar_desktop.core.cues import EMOTIONS, GESTURES
from tests.avatar.helpers import FRAME, PER_FRAME, phones

START = 1000.0  # a monotonic clock rarely starts at 0
NAMES = [f.name for f in fields(Pose)]


def rig(seed: int = 7) -> Rig:
    return Rig(rng=random.Random(seed))


def run(r: Rig, start: float, seconds: float) -> list[tuple[float, Pose]]:
    """Poses at 60 fps from ``start`` for ``seconds``."""
    times = START + start + np.arange(0.0, seconds, FRAME)
    return [(float(t), r.pose(float(t))) for t in times]


def differences(
    act: Callable[[Rig], object], start: float, seconds: float, seed: int = 7
) -> list[tuple[float, dict[str, float]]]:
    """Per frame, how a rig that did ``act`` differs from an identical one that did not."""
    acted, control = rig(seed), rig(seed)
    acted.pose(START)
    control.pose(START)
    act(acted)
    out = []
    for (t, a), (_, b) in zip(
        run(acted, start, seconds), run(control, start, seconds), strict=True
    ):
        out.append((t, {n: getattr(a, n) - getattr(b, n) for n in NAMES}))
    return out


def peak(diffs: list[tuple[float, dict[str, float]]], name: str) -> float:
    return max(abs(d[name]) for _, d in diffs)


def test_same_seed_and_times_give_the_same_poses() -> None:
    a, b = rig(3), rig(3)
    for r in (a, b):
        r.set_emotion("happy", START + 1.0)
        r.play_gesture("wave", START + 2.0)
    assert run(a, 0.0, 10.0) == run(b, 0.0, 10.0)
    assert run(rig(4), 0.0, 10.0) != run(rig(5), 0.0, 10.0)


def test_life_does_not_depend_on_how_often_pose_is_called() -> None:
    dense, sparse = rig(), rig()
    dense_poses = dict(run(dense, 0.0, 20.0))
    for t in list(dense_poses)[::37]:
        assert sparse.pose(t) == dense_poses[t]


def test_idle_is_never_frozen() -> None:
    poses = [astuple(p) for _, p in run(rig(), 0.0, 60.0)]
    values = np.array(poses)
    window = 60
    for i in range(0, len(values) - window, 15):
        chunk = values[i : i + window]
        assert (chunk.max(axis=0) - chunk.min(axis=0)).max() > 0.01, f"frozen at frame {i}"


def test_blinks_come_at_irregular_two_to_six_second_intervals() -> None:
    frames = run(rig(11), 0.0, 60.0)
    closed = [
        t
        for (t, p), (_, before) in zip(frames[1:], frames, strict=False)
        if p.blink >= 0.5 > before.blink
    ]
    intervals = np.diff(closed)
    low, high = BLINK_INTERVAL
    assert len(closed) >= 60 / high
    assert intervals.min() >= low - 2 * FRAME and intervals.max() <= high + 2 * FRAME
    assert intervals.std() > 0.3, "irregular, not a metronome"
    shut = sum(1 for _, p in frames if p.blink > 0.0)
    assert shut <= len(closed) * (0.15 / FRAME + 1) + 1, "each blink takes about 150 ms"


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_emotions_reach_their_targets_after_the_blend(emotion: str) -> None:
    diffs = differences(lambda r: r.set_emotion(emotion, START + 1.0), 0.0, 2.0)
    by_time = dict(diffs)
    settled = by_time[min(by_time, key=lambda t: abs(t - (START + 1.0 + EMOTION_BLEND + 0.05)))]
    expected = {n: 0.0 for n in NAMES} | EMOTION_TARGETS[emotion]
    assert settled == pytest.approx(expected, abs=1e-9)
    halfway = by_time[min(by_time, key=lambda t: abs(t - (START + 1.0 + EMOTION_BLEND / 2)))]
    for name, target in EMOTION_TARGETS[emotion].items():
        assert abs(halfway[name]) < abs(target), "eased, not snapped"


def test_emotion_names_follow_the_cue_vocabulary() -> None:
    r = rig()
    r.set_emotion("smile", START)
    assert r.emotion == "happy"
    with pytest.raises(ValueError):
        r.set_emotion("wave", START)
    with pytest.raises(ValueError):
        r.set_emotion("bored", START)
    assert set(EMOTION_TARGETS) == set(EMOTIONS)
    assert set(GESTURE_MOTIONS) == set(GESTURES)


GESTURE_FIELDS = {
    "nod": ("head_pitch",),
    "shake": ("head_yaw",),
    "wave": ("right_arm_raise", "right_forearm"),
    "shrug": ("shoulders_up", "palms_open", "brow_raise", "head_roll"),
    "tilt": ("head_roll",),
    "point": ("point",),
    "brows": ("brow_raise",),
    "explain": ("palms_open",),
}


@pytest.mark.parametrize("gesture", GESTURES)
def test_each_gesture_moves_its_fields_and_returns_to_rest(gesture: str) -> None:
    duration = GESTURE_MOTIONS[gesture].duration
    assert 0.8 <= duration <= 1.8
    diffs = differences(lambda r: r.play_gesture(gesture, START + 1.0), 0.0, duration + 2.0)
    for name in GESTURE_FIELDS[gesture]:
        assert peak(diffs, name) > 0.2, name
    after = [d for t, d in diffs if t >= START + 1.0 + duration + 1e-9]
    assert after and all(all(abs(v) < 1e-9 for v in d.values()) for d in after)
    before = [d for t, d in diffs if t <= START + 1.0]
    assert all(all(abs(v) < 1e-9 for v in d.values()) for d in before)


def test_gesture_shapes() -> None:
    def track(gesture: str, name: str) -> np.ndarray:
        duration = GESTURE_MOTIONS[gesture].duration
        diffs = differences(lambda r: r.play_gesture(gesture, START), 0.0, duration)
        return np.array([d[name] for _, d in diffs])

    pitch = track("nod", "head_pitch")
    dips = [i for i in range(1, len(pitch) - 1) if pitch[i - 1] < pitch[i] >= pitch[i + 1]]
    assert len(dips) == 2 and pitch.min() >= 0.0
    yaw = track("shake", "head_yaw")
    assert np.count_nonzero(np.diff(np.sign(yaw[np.abs(yaw) > 0.01]))) >= 3
    forearm = track("wave", "right_forearm")
    crossings = np.count_nonzero(np.diff(np.sign(forearm[np.abs(forearm) > 0.01])))
    assert 4 <= crossings <= 9, "about 2.5 swings a second"
    assert track("wave", "right_arm_raise").max() >= 0.99
    assert track("tilt", "head_roll").max() == pytest.approx(8.0, abs=1.0)
    assert track("point", "point").max() >= 0.99
    assert track("shrug", "shoulders_up").max() >= 0.99
    assert track("explain", "palms_open").max() >= 0.8


def test_a_playing_gesture_is_not_restarted() -> None:
    r = rig()
    assert r.play_gesture("nod", START)
    assert not r.play_gesture("nod", START + 0.5)
    assert r.play_gesture("shake", START + 0.5)
    r.pose(START + 1.1)
    assert r.play_gesture("nod", START + 1.1)


@pytest.mark.parametrize(
    ("text", "gestures"),
    [
        ("Hello there!", ["wave", "brows"]),
        ("Good morning, how can I help?", ["wave", "tilt"]),
        ("Hey.", ["wave"]),
        ("Welcome back.", ["wave"]),
        ("Is that right?", ["tilt"]),
        ('She said "really?"', ["tilt"]),
        ("That is amazing!", ["brows"]),
        ("Here is the answer.", []),
        ("They said hello.", []),
        ("This is history.", []),
    ],
)
def test_sentence_rules(text: str, gestures: list[str]) -> None:
    assert rig().on_sentence(text, START) == gestures


def test_sentence_rules_show_in_the_pose() -> None:
    diffs = differences(lambda r: r.on_sentence("Is it?", START), 0.0, 1.0)
    assert peak(diffs, "head_roll") > 6.0


def test_cues_dispatch_to_emotions_and_gestures(caplog: pytest.LogCaptureFixture) -> None:
    r = rig()
    assert r.on_cue("Smile", START)
    assert r.emotion == "happy"
    diffs = differences(lambda r: r.on_cue("headshake", START), 0.0, 1.2)
    assert peak(diffs, "head_yaw") > 0.2
    assert not r.on_cue("dance", START)
    assert "dance" in caplog.text


def test_scheduled_cues_fire_at_their_time() -> None:
    diffs = differences(lambda r: r.schedule_cue("wave", START + 2.0), 0.0, 4.0)
    moving = [t for t, d in diffs if abs(d["right_arm_raise"]) > 0.0]
    assert moving and START + 2.0 <= moving[0] <= START + 2.0 + FRAME


def test_states_have_their_look() -> None:
    def settled(state: str) -> dict[str, float]:
        diffs = differences(lambda r: r.set_state(state, START), 0.0, STATE_BLEND + 0.1)
        return diffs[-1][1]

    listening = settled("listening")
    assert listening["brow_raise"] > 0.1 and listening["head_roll"] > 2.0
    thinking = settled("thinking")
    assert thinking["gaze_y"] > 0.3 and thinking["brow_raise"] < 0.0
    error = settled("error")
    assert error["smile"] < 0.0 and error["brow_inner"] > 0.3
    shake = differences(lambda r: r.set_state("error", START), 0.0, 1.5)
    assert peak(shake, "head_yaw") > 0.1
    with pytest.raises(ValueError):
        rig().set_state("dancing", START)


def test_speech_owns_the_mouth_and_eases_the_smile() -> None:
    track = SpeechTrack.from_phones(phones(("^", 0.1), ("ˈ", 0.02), ("ɑ", 0.3), ("m", 0.1)))
    r = rig()
    r.set_emotion("surprised", START - 1.0)  # its open jaw gives way to the speech
    r.set_emotion("happy", START - 0.5)
    r.speak(track, START)
    assert r.is_speaking(START + 0.2) and not r.is_speaking(START - 0.1)
    open_ = r.pose(START + 0.25)
    expected = track.mouth_at(0.25)
    for name in MOUTH_FIELDS:
        assert getattr(open_, name) == pytest.approx(getattr(expected, name))
    assert 0.3 < open_.smile < 0.8
    closed = r.pose(START + 0.47)
    assert closed.lips_pressed > 0.95 and closed.smile == pytest.approx(0.8)


def test_sync_speech_follows_the_audio_clock() -> None:
    track = SpeechTrack.from_phones(phones(("a", 0.2), ("m", 0.1), ("a", 0.2)))
    r = rig()
    r.speak(track, START)
    r.sync_speech(START + 0.03)
    pose = r.pose(START + 0.25)
    assert pose.lips_pressed == pytest.approx(track.mouth_at(0.22).lips_pressed)


def test_stop_speaking_closes_the_mouth_smoothly() -> None:
    r = rig()
    r.speak(SpeechTrack.from_phones(phones(("a", 2.0))), START)
    frames = run(r, 0.0, 0.5)
    r.stop_speaking(START + 0.5)
    frames += run(r, 0.5, 0.5)
    jaws = np.array([p.jaw_open for _, p in frames])
    assert jaws[len(jaws) // 2 - 1] > 0.6
    assert np.abs(np.diff(jaws)).max() < 0.3
    assert jaws[-1] == 0.0


def test_the_whole_pose_never_snaps() -> None:
    r = rig()
    track = SpeechTrack.from_phones(phones(("a", 0.2), ("m", 0.08), ("i", 0.2), ("u", 0.2)))
    script: dict[int, Callable[[float], object]] = {
        30: lambda t: r.set_state("listening", t),
        90: lambda t: r.set_state("thinking", t),
        120: lambda t: r.set_emotion("surprised", t),
        130: lambda t: r.set_emotion("angry", t),
        150: lambda t: r.on_sentence("Hello, how are you?", t),
        160: lambda t: r.speak(track, t),
        170: lambda t: r.play_gesture("shrug", t),
        185: lambda t: r.stop_speaking(t),
        200: lambda t: r.set_state("error", t),
    }
    limits = {n: 0.5 for n in NAMES} | PER_FRAME | {"head_roll": 2.0}
    previous = None
    for i in range(400):
        t = START + i * FRAME
        if i in script:
            script[i](t)
        pose = r.pose(t)
        if previous is not None:
            for name in NAMES:
                step = abs(getattr(pose, name) - getattr(previous, name))
                assert step <= limits[name], (i, name, step)
        previous = pose


def test_pose_is_cheap_enough_for_60_fps() -> None:
    r = rig()
    r.set_state("speaking", START)
    r.set_emotion("happy", START)
    r.play_gesture("explain", START)
    r.play_gesture("nod", START)
    r.speak(SpeechTrack.from_phones(phones(*[("a", 0.05), ("m", 0.05), ("i", 0.05)] * 20)), START)
    began = time.perf_counter()
    for i in range(1000):
        r.pose(START + i * 0.001)
    assert time.perf_counter() - began < 0.5


def test_named_changes_reach_a_listener_once_each() -> None:
    from avatar_desktop.avatar.surface import (
        AvatarEvent,
        EmotionChanged,
        GestureStarted,
        StateChanged,
    )

    r = rig()
    heard: list[AvatarEvent] = []
    r.listen(heard.append)
    r.set_state("thinking", START)
    r.set_state("thinking", START + 0.1)  # no change, no event
    r.on_cue("happy", START + 0.2)
    r.on_cue("wave", START + 0.3)
    r.on_cue("wave", START + 0.4)  # still waving: not restarted, not told again
    r.set_state("error", START + 0.5)  # the error state shakes the head, gently
    assert heard == [
        StateChanged("thinking", START),
        EmotionChanged("happy", START + 0.2),
        GestureStarted("wave", 1.0, START + 0.3),
        StateChanged("error", START + 0.5),
        GestureStarted("shake", 0.5, START + 0.5),
    ]
