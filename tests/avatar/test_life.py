"""Life at rest: weight shifts, saccades, breath, attention and reactions; seeded and cheap."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

import numpy as np
import pytest

from avatar_desktop.avatar.attention import REACTION_SECONDS
from avatar_desktop.avatar.life import LEAN_INTERVAL
from avatar_desktop.avatar.pose import Pose
from avatar_desktop.avatar.rig import Rig
from avatar_desktop.avatar.timeline import SpeechTrack
from tests.avatar.helpers import FRAME, phones

START = 1000.0


def rig(seed: int = 7) -> Rig:
    return Rig(rng=random.Random(seed))


def frames(
    r: Rig, seconds: float, every: Callable[[Rig, float], object] | None = None
) -> list[Pose]:
    """Poses at 60 fps from START, calling ``every`` before each one."""
    out = []
    for i in range(round(seconds / FRAME)):
        t = START + i * FRAME
        if every is not None:
            every(r, t)
        out.append(r.pose(t))
    return out


def series(poses: list[Pose], name: str) -> np.ndarray:
    return np.array([getattr(p, name) for p in poses])


def diff(
    act: Callable[[Rig], object], seconds: float, name: str, *, speak: bool = False
) -> np.ndarray:
    """Per frame, how ``name`` differs in a rig that did ``act`` from one that did not."""
    acted, control = rig(), rig()
    for r in (acted, control):
        r.pose(START)
        if speak:
            r.speak(SpeechTrack.from_phones(phones(("a", 3.0))), START)
    act(acted)
    return series(frames(acted, seconds), name) - series(frames(control, seconds), name)


@pytest.fixture(scope="module")
def idle() -> list[Pose]:
    return frames(rig(11), 60.0)


def test_weight_shifts_slowly_between_several_positions(idle: list[Pose]) -> None:
    lean = series(idle, "lean")
    assert lean.min() >= -1.0 and lean.max() <= 1.0
    assert np.abs(np.diff(lean)).max() < 0.03, "the weight moves, it never jumps"
    resting = np.round(lean[np.abs(np.gradient(lean)) < 1e-9], 3)
    assert len(set(resting.tolist())) >= 60.0 / LEAN_INTERVAL[1]
    assert lean.max() - lean.min() > 0.8, "the sway reads at a large size"


def runs(moving: np.ndarray) -> list[tuple[bool, int]]:
    """Lengths of consecutive frames that are moving or still."""
    out: list[tuple[bool, int]] = []
    for m in moving.tolist():
        if out and out[-1][0] == m:
            out[-1] = (m, out[-1][1] + 1)
        else:
            out.append((m, 1))
    return out


def test_saccades_are_quick_jumps_between_fixations(idle: list[Pose]) -> None:
    gaze = np.stack([series(idle, "gaze_x"), series(idle, "gaze_y")], axis=1)
    step = np.linalg.norm(np.diff(gaze, axis=0), axis=1)
    spans = runs(step > 1e-9)[1:-1]
    jumps = [n for moving, n in spans if moving]
    fixations = [n for moving, n in spans if not moving]
    assert len(jumps) >= 30, "the eyes keep moving"
    # A jump that starts between two frames changes the frames around it too, one more.
    assert (max(jumps) - 1) * FRAME <= 0.051, "each saccade is done within about 50 ms"
    assert min(fixations) * FRAME > 0.1
    assert sum(1 for n in fixations if n * FRAME < 0.3) >= 2, "some saccades come in pairs"
    at_target = np.linalg.norm(gaze, axis=1) < 1e-9
    assert at_target.mean() > 0.25, "the eyes often come back to the target of attention"


def test_breath_spans_its_range_calmly(idle: list[Pose]) -> None:
    breath = series(idle, "breath")
    assert breath.min() < 0.02 and breath.max() > 0.98
    assert np.abs(np.diff(breath)).max() < 0.05
    peaks = [i for i in range(1, len(breath) - 1) if breath[i - 1] < breath[i] >= breath[i + 1]]
    assert 12 <= len(peaks) <= 18, "about 15 breaths a minute"


def test_looking_to_the_viewers_right_turns_eyes_fast_and_head_slowly() -> None:
    def look(r: Rig) -> None:
        r.look_at((1.0, 0.0), START)

    gaze, yaw = diff(look, 2.0, "gaze_x"), diff(look, 2.0, "head_yaw")
    assert gaze[-1] > 0.5 and yaw[-1] > 0.2, "positive x is the viewer's right"
    assert yaw[-1] < gaze[-1], "the head turns only part of the way"

    def settled(values: np.ndarray) -> float:
        return float(np.argmax(np.abs(values) >= 0.9 * abs(values[-1])) * FRAME)

    assert settled(gaze) <= 0.07 and settled(yaw) >= 0.4
    up = diff(lambda r: r.look_at((0.0, 1.0), START), 2.0, "gaze_y")
    assert up[-1] > 0.3
    chin = diff(lambda r: r.look_at((0.0, 1.0), START), 2.0, "head_pitch")
    assert chin[-1] < -0.1, "looking up lifts the chin"


def test_looking_back_at_the_viewer_and_never_too_far() -> None:
    def there_and_back(r: Rig) -> None:
        r.look_at((5.0, -5.0), START)  # far off: clamped
        r.pose(START + 1.5)
        r.look_at(None, START + 1.5)

    gaze, yaw = diff(there_and_back, 4.0, "gaze_x"), diff(there_and_back, 4.0, "head_yaw")
    assert np.abs(gaze).max() <= 0.85 and np.abs(yaw).max() <= 0.36
    assert abs(gaze[-1]) < 0.01 and abs(yaw[-1]) < 0.01


def test_a_target_moving_every_frame_is_followed_smoothly() -> None:
    def cursor(r: Rig, t: float) -> None:
        r.look_at((math.sin(3.0 * (t - START)), 0.5 * math.sin(2.0 * (t - START))), t)

    followed, control = rig(), rig()
    moved = frames(followed, 4.0, cursor)
    still = frames(control, 4.0)
    for name, bound in (
        ("gaze_x", 0.06),
        ("gaze_y", 0.04),
        ("head_yaw", 0.02),
        ("head_pitch", 0.02),
    ):
        delta = series(moved, name) - series(still, name)
        assert np.abs(np.diff(delta)).max() < bound, name
    assert np.abs(series(moved, "gaze_x") - series(still, "gaze_x")).max() > 0.5


@pytest.mark.parametrize(
    ("kind", "field", "least"),
    [("typing", "brow_raise", 0.25), ("typing", "gaze_y", 0.2), ("talking", "brow_raise", 0.4)],
)
def test_reactions_show_briefly_and_return_to_rest(kind: str, field: str, least: float) -> None:
    moved = diff(lambda r: r.react(kind, START), REACTION_SECONDS[kind] + 1.0, field)
    assert np.abs(moved).max() >= least
    after = moved[round(REACTION_SECONDS[kind] / FRAME) + 1 :]
    assert np.abs(after).max() < 1e-9


def test_talking_brings_the_eyes_back_to_the_viewer() -> None:
    r = rig()
    r.look_at((1.0, 0.0), START)
    r.pose(START + 1.0)
    before = r.pose(START + 1.0).gaze_x
    r.react("talking", START + 1.0)
    assert abs(r.pose(START + 1.4).gaze_x) < 0.3 * abs(before)


def test_a_playing_reaction_is_not_restarted() -> None:
    r = rig()
    assert r.react("typing", START)
    assert not r.react("typing", START + 0.5)
    assert not r.react("talking", START + 0.5)
    r.pose(START + REACTION_SECONDS["typing"] + 0.01)
    assert r.react("talking", START + REACTION_SECONDS["typing"] + 0.01)
    with pytest.raises(ValueError):
        r.react("dancing", START + 5.0)

    def twice(r: Rig) -> None:
        r.react("talking", START)
        r.pose(START + 0.4)
        r.react("talking", START + 0.4)

    once = diff(lambda r: r.react("talking", START), 2.0, "brow_raise")
    assert np.array_equal(diff(twice, 2.0, "brow_raise"), once)


@pytest.mark.parametrize("kind", REACTION_SECONDS)
def test_reactions_keep_out_of_the_way_of_speech(kind: str) -> None:
    def react(r: Rig) -> None:
        r.react(kind, START + 0.5)

    calm = np.abs(diff(react, 2.0, "brow_raise")).max()
    spoken = diff(react, 2.0, "brow_raise", speak=True)
    assert 0.0 < np.abs(spoken).max() <= 0.3 * calm


def test_the_same_seed_and_calls_give_the_same_life() -> None:
    def script(r: Rig, t: float) -> None:
        i = round((t - START) / FRAME)
        if i % 3 == 0:
            r.look_at((math.sin(t), -0.3), t)
        if i in (200, 900):
            r.react("typing" if i == 200 else "talking", t)

    a, b = frames(rig(5), 20.0, script), frames(rig(5), 20.0, script)
    assert a == b
    assert frames(rig(6), 20.0, script) != a


def test_attention_does_not_depend_on_how_often_pose_is_called() -> None:
    dense, sparse = rig(), rig()
    for r in (dense, sparse):
        r.look_at((0.8, 0.4), START)
    dense_poses = frames(dense, 6.0)
    for i in range(0, len(dense_poses), 41):
        pose = sparse.pose(START + i * FRAME)
        assert pose.head_yaw == pytest.approx(dense_poses[i].head_yaw, abs=1e-9)
        assert pose.gaze_x == pytest.approx(dense_poses[i].gaze_x, abs=1e-9)
        assert pose.lean == dense_poses[i].lean


def test_pose_with_attention_and_reactions_stays_cheap() -> None:
    r = rig()
    r.set_state("listening", START)
    best = math.inf
    for attempt in range(3):
        began = time.perf_counter()
        for i in range(1000):
            t = START + attempt + i * 0.001
            r.look_at((math.sin(t), 0.2), t)
            if i == 500:
                r.react("talking", t)
            r.pose(t)
        best = min(best, (time.perf_counter() - began) / 1000)
    assert best < 0.2e-3, f"{best * 1e3:.3f} ms per pose"
