"""Idle life: blinks, breath, weight shifts, head drift and saccades around where it looks.

Each kind of randomness has its own stream, drawn only as its own events come due, so the
sequence depends on the seed and the times, never on how often the pose is sampled.
"""

from __future__ import annotations

import math
import random

from avatar_desktop.avatar.attention import Attention
from avatar_desktop.avatar.timeline import smoothstep

Offsets = dict[str, float]

BLINK = 0.15  # seconds a blink takes
BLINK_CLOSING = 0.06  # of which closing (the lids close faster than they open)
BLINK_INTERVAL = (2.0, 6.0)  # seconds between blinks, drawn uniformly
FIXATION = (0.3, 1.7)  # seconds the eyes rest between saccades
PAIRED = 0.2  # chance that a saccade is followed quickly by a second (a correction)
PAIR_GAP = (0.16, 0.26)  # seconds between the two of a pair (a fixation of 120 ms or more)
SACCADE = 0.04  # seconds a saccade takes
SACCADE_REACH = (0.22, 0.12)  # how far the eyes wander from the target (x, y)
BACK_TO_TARGET = 0.4  # chance a saccade lands right back on the target of attention
BREATH_HZ = 0.25
INHALE = 0.4  # share of a breath spent breathing in (out is slower)
LEAN_INTERVAL = (4.0, 9.0)  # seconds between weight shifts
LEAN_MOVE = 2.2  # seconds the weight takes to move across


class Life:
    """Motion that never lets the character freeze, around where its attention is."""

    def __init__(self, rng: random.Random) -> None:
        self._blinks = random.Random(rng.getrandbits(64))
        self._glances = random.Random(rng.getrandbits(64))
        self._phases = [rng.uniform(0.0, 2.0 * math.pi) for _ in range(5)]
        self._leans = random.Random(rng.getrandbits(64))  # drawn after, so old streams hold
        self.attention = Attention()
        self._next_blink = math.nan
        self._blink_at = -math.inf
        self._next_glance = math.nan
        self._glance_at = -math.inf
        self._gaze_from = (0.0, 0.0)
        self._gaze_to = (0.0, 0.0)
        self._next_lean = math.nan
        self._lean_at = -math.inf
        self._lean_from = 0.0
        self._lean_to = 0.0

    def offsets(self, now: float) -> Offsets:
        """A fresh dict of life's offsets at ``now``; the pose is built on top of it."""
        p = self._phases
        breath = self._breath(now)
        look_x, look_y, yaw, pitch = self.attention.value(now)
        gaze_x, gaze_y = self._gaze(now)
        return {
            "blink": self._blink(now),
            "breath": breath,
            "gaze_x": look_x + gaze_x,
            "gaze_y": look_y + gaze_y,
            "head_roll": 1.2 * math.sin(0.69 * now + p[1]) + 0.5 * math.sin(1.45 * now + p[2]),
            "head_yaw": yaw + 0.04 * math.sin(0.44 * now + p[3]),
            "head_pitch": pitch + 0.025 * math.sin(1.07 * now + p[4]) + 0.02 * breath,
            "lean": self._lean(now),
        }

    def _breath(self, now: float) -> float:
        """0 breathed out .. 1 in: a quicker inhale, a slower exhale, both eased."""
        phase = (BREATH_HZ * now + self._phases[0] / (2.0 * math.pi)) % 1.0
        if phase < INHALE:
            return smoothstep(phase / INHALE)
        return 1.0 - smoothstep((phase - INHALE) / (1.0 - INHALE))

    def _blink(self, now: float) -> float:
        """Lid closure: blinks at random 2-6 s intervals, each closing fast and opening slower."""
        if math.isnan(self._next_blink):
            self._next_blink = now + self._blinks.uniform(*BLINK_INTERVAL)
        while now >= self._next_blink:
            self._blink_at = self._next_blink
            self._next_blink += self._blinks.uniform(*BLINK_INTERVAL)
        t = now - self._blink_at
        if t >= BLINK:
            return 0.0
        if t < BLINK_CLOSING:
            return smoothstep(t / BLINK_CLOSING)
        return 1.0 - smoothstep((t - BLINK_CLOSING) / (BLINK - BLINK_CLOSING))

    def _gaze(self, now: float) -> tuple[float, float]:
        """Saccades: quick jumps between fixations, sometimes in pairs, often back on target."""
        if math.isnan(self._next_glance):
            self._next_glance = now + self._glances.uniform(*FIXATION)
        while now >= self._next_glance:
            rng = self._glances
            self._gaze_from = self._gaze_to
            if rng.random() < BACK_TO_TARGET:
                self._gaze_to = (0.0, 0.0)
            else:
                reach_x, reach_y = SACCADE_REACH
                self._gaze_to = (rng.uniform(-reach_x, reach_x), rng.uniform(-reach_y, reach_y))
            self._glance_at = self._next_glance
            paired = rng.random() < PAIRED
            self._next_glance += rng.uniform(*(PAIR_GAP if paired else FIXATION))
        mix = smoothstep((now - self._glance_at) / SACCADE)
        (x0, y0), (x1, y1) = self._gaze_from, self._gaze_to
        return x0 + (x1 - x0) * mix, y0 + (y1 - y0) * mix

    def _lean(self, now: float) -> float:
        """The weight moves slowly from one side to the other every several seconds."""
        if math.isnan(self._next_lean):
            self._next_lean = now + self._leans.uniform(*LEAN_INTERVAL)
        while now >= self._next_lean:
            rng = self._leans
            self._lean_from = self._lean_to
            side = -1.0 if self._lean_to > 0.0 else 1.0
            far = rng.random() < 0.7  # mostly across to the other foot, sometimes back to centre
            self._lean_to = side * rng.uniform(0.35, 1.0) if far else rng.uniform(-0.3, 0.3)
            self._lean_at = self._next_lean
            self._next_lean += rng.uniform(*LEAN_INTERVAL)
        mix = smoothstep((now - self._lean_at) / LEAN_MOVE)
        return self._lean_from + (self._lean_to - self._lean_from) * mix
