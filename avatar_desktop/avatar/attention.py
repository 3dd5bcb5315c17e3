"""Where the character looks, and its short reactions to the user starting to type or talk.

Attention eases toward a target in closed form between calls (exponential followers), so the
same look_at calls at the same times give the same poses however often the pose is sampled.
The eyes follow fast (a saccade), the head follows slowly through two cascaded stages, so it
starts softly, and only part of the way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from avatar_desktop.avatar.timeline import ease_out_back, smoothstep

Offsets = dict[str, float]

EYES_TAU = 0.012  # seconds: the eyes cover 96 % of a jump in 40 ms, like a saccade
HEAD_TAU = 0.18  # seconds per stage of the head's two-stage follow (settles in about 1 s)
EYES_SHARE = (0.7, 0.55)  # how far the eyes turn toward the target (x, y)
HEAD_SHARE = (0.35, 0.2)  # how far the head turns: only part of the way
GAZE_LIMIT = 0.85  # the eyes never roll to the edge of the lids
QUIET_WHILE_SPEAKING = 0.25  # a reaction while the character speaks is this much of itself


def _clamp(value: float, limit: float) -> float:
    return -limit if value < -limit else limit if value > limit else value


class Attention:
    """Eyes and head easing toward where the thing to look at is (``None``: the viewer)."""

    def __init__(self) -> None:
        self._target = (0.0, 0.0)
        self._at = math.nan
        self._eyes = [0.0, 0.0]
        self._head = [0.0, 0.0, 0.0, 0.0]  # first stage x, y; second stage x, y

    @property
    def target(self) -> tuple[float, float] | None:
        """The current target, or None while looking at the viewer."""
        return None if self._target == (0.0, 0.0) else self._target

    def look_at(self, target: tuple[float, float] | None, now: float) -> None:
        """From ``now`` on ease toward ``target`` (x, y each -1..1; clamped)."""
        self._advance(now)
        if target is None:
            self._target = (0.0, 0.0)
        else:
            self._target = (_clamp(float(target[0]), 1.0), _clamp(float(target[1]), 1.0))

    def value(self, now: float) -> tuple[float, float, float, float]:
        """Gaze x, gaze y, head yaw and head pitch from attention alone at ``now``."""
        self._advance(now)
        eyes, head = self._eyes, self._head
        return (
            _clamp(eyes[0], GAZE_LIMIT),
            _clamp(eyes[1], GAZE_LIMIT),
            head[2],
            -head[3],  # looking up lifts the chin: a negative (upward) nod
        )

    def _advance(self, now: float) -> None:
        """Move the followers from their last time to ``now`` (exact for a held target)."""
        if math.isnan(self._at):
            self._at = now
        if now <= self._at:
            return
        dt = now - self._at
        self._at = now
        tx, ty = self._target
        eyes_keep = math.exp(-dt / EYES_TAU)
        for i, goal in enumerate((tx * EYES_SHARE[0], ty * EYES_SHARE[1])):
            self._eyes[i] = goal + (self._eyes[i] - goal) * eyes_keep
        decay, ramp = math.exp(-dt / HEAD_TAU), dt / HEAD_TAU
        head = self._head
        for i, goal in enumerate((tx * HEAD_SHARE[0], ty * HEAD_SHARE[1])):
            first, second = head[i] - goal, head[i + 2] - goal
            head[i] = goal + first * decay
            head[i + 2] = goal + (second + first * ramp) * decay


def envelope(
    t: float,
    attack: float,
    hold: float,
    release: float,
    ease: Callable[[float], float] = smoothstep,
) -> float:
    """Attack, hold, release: 0 before and after, eased on the way in and out."""
    if t <= 0.0 or t >= attack + hold + release:
        return 0.0
    if t < attack:
        return ease(t / attack)
    if t < attack + hold:
        return 1.0
    return 1.0 - smoothstep((t - attack - hold) / release)


REACTION_SECONDS = {"typing": 1.3, "talking": 1.2}


@dataclass(frozen=True, slots=True)
class _Reacting:
    kind: str
    start: float
    amount: float
    toward: tuple[float, float]  # where a glance goes (typing: toward the chat)


class Reactions:
    """Short gestures when the user starts typing or talking, layered on top of the pose."""

    def __init__(self) -> None:
        self._playing: _Reacting | None = None

    def start(self, kind: str, now: float, *, toward: tuple[float, float], speaking: bool) -> bool:
        """Begin ``kind``; False if a reaction is still playing (it is not restarted)."""
        if kind not in REACTION_SECONDS:
            raise ValueError(f"unknown reaction {kind!r}")
        playing = self._playing
        if playing is not None and now < playing.start + REACTION_SECONDS[playing.kind]:
            return False
        amount = QUIET_WHILE_SPEAKING if speaking else 1.0
        self._playing = _Reacting(kind, now, amount, toward)
        return True

    def apply(self, values: Offsets, now: float) -> None:
        """Add the reaction in progress to ``values`` (in place)."""
        r = self._playing
        if r is None:
            return
        t = now - r.start
        if t >= REACTION_SECONDS[r.kind]:
            self._playing = None
            return
        if t <= 0.0:
            return
        if r.kind == "typing":
            _typing(values, t, r.amount, r.toward)
        else:
            _talking(values, t, r.amount)


def _add(values: Offsets, name: str, value: float) -> None:
    values[name] = values.get(name, 0.0) + value


def _typing(values: Offsets, t: float, amount: float, toward: tuple[float, float]) -> None:
    """A quick glance toward the chat and an attentive lift of the brows."""
    glance = envelope(t, 0.05, 0.55, 0.3) * amount
    brows = envelope(t, 0.2, 0.6, 0.5) * amount
    _add(values, "gaze_x", 0.5 * toward[0] * glance)
    _add(values, "gaze_y", 0.45 * toward[1] * glance)
    _add(values, "head_yaw", 0.08 * toward[0] * brows)
    _add(values, "head_pitch", -0.06 * toward[1] * brows)
    _add(values, "brow_raise", 0.3 * brows)
    _add(values, "eye_wide", 0.08 * brows)


def _talking(values: Offsets, t: float, amount: float) -> None:
    """A perk-up: brows up, a small tilt and lean in, eyes back on the viewer."""
    perk = envelope(t, 0.25, 0.45, 0.5, ease_out_back) * amount
    back = envelope(t, 0.06, 0.7, 0.4) * amount
    for name in ("gaze_x", "gaze_y"):
        values[name] = values.get(name, 0.0) * (1.0 - back)
    _add(values, "brow_raise", 0.45 * perk)
    _add(values, "eye_wide", 0.2 * perk)
    _add(values, "head_roll", 4.0 * perk)
    _add(values, "head_pitch", 0.06 * perk)
