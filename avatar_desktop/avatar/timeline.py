"""Speech tracks (the mouth over a sentence's time) and the timeline that plays them with cues.

Co-articulation follows the dominance idea of Cohen and Massaro: every viseme segment pulls the
mouth towards its shape with a strength that is full while it sounds and fades in smoothly
``ANTICIPATION`` seconds before it (the lips get ready early) and out ``CARRYOVER`` seconds after
it. The mouth is the strength-weighted mean of the shapes, so it glides, never snaps, and a short
phone between strong neighbours undershoots its shape as real lips do. Lip closures are the
exception people notice: for p/b/m and f/v the lips must really close, so those shapes are
enforced over the whole phone on top of the mean, easing in ``CLOSING`` seconds before it and
out ``OPENING`` seconds after. Outside the track the mouth is pulled shut.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from avatar_desktop.avatar.pose import Pose
from avatar_desktop.avatar.visemes import (
    MOUTH_FIELDS,
    VISEME_TARGETS,
    VisemeSegment,
    phones_to_segments,
)

if TYPE_CHECKING:
    import numpy as np

    from avatar_desktop.core.speech import Phone, Speech

Mouth = tuple[float, float, float, float, float]  # values of MOUTH_FIELDS, in that order

ANTICIPATION = 0.05  # seconds a viseme starts to show before its phone sounds
CARRYOVER = 0.04  # seconds a viseme lingers after its phone ends
DOMINANCE: dict[str, float] = {
    **dict.fromkeys(("sil", "TH", "RR", "aa", "E", "I"), 1.0),
    **{"CH": 1.2, "O": 1.2, "U": 1.2, "SS": 0.9},
    **dict.fromkeys(("DD", "nn"), 0.6),
    "kk": 0.5,  # the tongue works out of sight; the lips follow the neighbouring vowels
    **dict.fromkeys(("PP", "FF"), 0.4),  # closures are enforced below, not averaged in
}
CLOSURES: tuple[str, ...] = ("PP", "FF")  # shapes enforced over their whole phone
CLOSING = 0.06  # seconds the lips take to close before a closure sounds
OPENING = 0.05  # seconds they take to open after it
LOUDNESS_FRAME = 0.02  # seconds of audio per loudness frame
LOUDNESS_ATTACK = 0.03  # seconds for the jaw to follow a rise in loudness
LOUDNESS_RELEASE = 0.09  # seconds for the jaw to follow a fall
LOUDNESS_RANGE_DB = 30.0  # loudness this far below the clip's loud frames keeps the jaw shut
LOUDNESS_JAW = 0.8  # jaw opening at full loudness
LOUDNESS_OPEN = 0.15  # jaw above this counts as an open "aa" for viseme_at
TAKEOVER = ANTICIPATION  # a new track takes the mouth over this early, cross-fading
TAIL = 0.2  # seconds after a track ends until the face has the mouth back
CLOSE = 0.12  # seconds to close the mouth after stop()

CLOSED: Mouth = (0.0, 0.0, 0.0, 0.0, 0.0)
_BEFORE = max(ANTICIPATION, CLOSING)  # how far ahead a segment can matter
_AFTER = max(CARRYOVER, OPENING)  # how long after its end it can matter
_FAR = 1e9  # sentinel time: the silence before and after every track


def clamp01(x: float) -> float:
    """Easing inputs outside 0..1 mean "not started" or "done"."""
    return 0.0 if x <= 0.0 else 1.0 if x >= 1.0 else x


def smoothstep(x: float) -> float:
    """Ease in and out with zero speed at both ends, so motions start and stop softly."""
    x = clamp01(x)
    return x * x * (3.0 - 2.0 * x)


def ease_out_back(x: float, overshoot: float = 1.2) -> float:
    """Arrive with a small springy overshoot, for motions that should feel lively."""
    x = clamp01(x) - 1.0
    return 1.0 + x * x * ((overshoot + 1.0) * x + overshoot)


def _mouth_of(pose: Pose, weight: float) -> Mouth:
    """A viseme target's mouth values, scaled by the segment's emphasis."""
    jaw, wide, pressed, bite, tongue = (getattr(pose, name) * weight for name in MOUTH_FIELDS)
    return (jaw, wide, pressed, bite, tongue)


def _scaled(mouth: Mouth, factor: float) -> Mouth:
    """Mouth arithmetic on plain tuples: Pose objects would cost too much per frame."""
    jaw, wide, pressed, bite, tongue = mouth
    return (jaw * factor, wide * factor, pressed * factor, bite * factor, tongue * factor)


def _mixed(a: Mouth, b: Mouth, amount: float) -> Mouth:
    """Linear mix towards ``b``."""
    return _added(_scaled(a, 1.0 - amount), _scaled(b, amount))


def _added(a: Mouth, b: Mouth) -> Mouth:
    """Field-wise sum."""
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4])


_CLOSURE_TARGETS: tuple[Mouth, ...] = tuple(_mouth_of(VISEME_TARGETS[v], 1.0) for v in CLOSURES)


def _with_closures(mouth: Mouth, closed: Sequence[float]) -> Mouth:
    """Pull the mouth into the lip closures that are due, however the mean came out."""
    amount = max(closed)
    if amount <= 0.0:
        return mouth
    # Where two closures' margins overlap (f then m) the nearer one dominates, and the shape
    # stays continuous because nothing depends on an order of application.
    pulls = [a * a for a in closed]
    total = sum(pulls)
    target = CLOSED
    for pull, shape in zip(pulls, _CLOSURE_TARGETS, strict=True):
        target = _added(target, _scaled(shape, pull / total))
    return _mixed(mouth, target, amount)


def mouth_pose(mouth: Mouth) -> Pose:
    """A Pose with only the mouth fields set."""
    return Pose(*mouth)


class SpeechTrack:
    """The mouth over one sentence's audio, sampled at the playback clock (seconds from 0)."""

    def __init__(
        self,
        segments: Sequence[VisemeSegment],
        duration: float | None = None,
        *,
        jaw_envelope: Sequence[float] | None = None,
    ) -> None:
        self.segments: tuple[VisemeSegment, ...] = tuple(segments)
        end = self.segments[-1].end if self.segments else 0.0
        self.duration = max(duration or 0.0, end)
        self._starts = [seg.start for seg in self.segments]
        self._jaw = list(jaw_envelope) if jaw_envelope is not None else None
        first = self.segments[0].start if self.segments else _FAR
        inner = [(s.start, s.end, s.viseme, s.weight) for s in self.segments]
        spans = [(-_FAR, first, "sil", 1.0), *inner, (end, _FAR, "sil", 1.0)]
        self._co_starts = [span[0] for span in spans]
        self._co_ends = [span[1] for span in spans]
        self._co_strength = [DOMINANCE[v] * w for _, _, v, w in spans]
        self._co_targets = [_mouth_of(VISEME_TARGETS[v], w) for _, _, v, w in spans]
        self._co_closure = [CLOSURES.index(v) if v in CLOSURES else -1 for _, _, v, _ in spans]

    @classmethod
    def from_phones(
        cls, phones: Sequence[Phone], duration: float | None = None, *, strict: bool = False
    ) -> SpeechTrack:
        """A track from a voice's phoneme timings."""
        return cls(phones_to_segments(phones, strict=strict), duration)

    @classmethod
    def from_loudness(cls, pcm: np.ndarray, sample_rate: int) -> SpeechTrack:
        """For voices without timings: the jaw follows short-term loudness, so lips still move."""
        jaw = _loudness_jaw(pcm, sample_rate)
        segments: list[VisemeSegment] = []
        for k, value in enumerate(jaw):
            viseme = "aa" if value >= LOUDNESS_OPEN else "sil"
            start, end = k * LOUDNESS_FRAME, (k + 1) * LOUDNESS_FRAME
            if segments and segments[-1].viseme == viseme:
                segments[-1] = VisemeSegment(viseme, segments[-1].start, end)
            else:
                segments.append(VisemeSegment(viseme, start, end))
        duration = len(pcm) / sample_rate if sample_rate else 0.0
        return cls(segments, duration, jaw_envelope=jaw)

    def viseme_at(self, t: float) -> str:
        """The viseme of the phone sounding at ``t``; "sil" outside the track."""
        i = bisect_right(self._starts, t) - 1
        if i < 0 or t >= self.segments[i].end:
            return "sil"
        return self.segments[i].viseme

    def onsets(self) -> list[tuple[float, str]]:
        """When each viseme starts sounding, for A/V-sync measurement."""
        return [(seg.start, seg.viseme) for seg in self.segments]

    def mouth_at(self, t: float) -> Pose:
        """The co-articulated mouth at ``t`` (only the mouth fields are set)."""
        return mouth_pose(self.mouth_values(t))

    def mouth_values(self, t: float) -> Mouth:
        """The mouth at ``t`` as plain numbers, cheap enough for every frame."""
        if self._jaw is not None:
            return self._loudness_mouth(t)
        near = self._near(t)
        return _with_closures(self._blend(near, t), self._closures(near, t))

    def _near(self, t: float) -> range:
        """Indices of the spans whose reach, or lip closure, may extend to ``t``."""
        starts, ends = self._co_starts, self._co_ends
        i = max(bisect_right(starts, t) - 1, 0)
        lo = i
        while lo > 0 and ends[lo - 1] + _AFTER > t:
            lo -= 1
        hi = i + 1
        while hi < len(starts) and starts[hi] - _BEFORE < t:
            hi += 1
        return range(lo, hi)

    def _blend(self, near: range, t: float) -> Mouth:
        """The dominance-weighted mean of the nearby shapes."""
        total = 0.0
        acc = [0.0, 0.0, 0.0, 0.0, 0.0]
        for j in near:
            pull = self._co_strength[j] * _reach(self._co_starts[j], self._co_ends[j], t)
            if pull > 0.0:
                total += pull
                for k, value in enumerate(self._co_targets[j]):
                    acc[k] += pull * value
        if total <= 0.0:
            return CLOSED
        return (acc[0] / total, acc[1] / total, acc[2] / total, acc[3] / total, acc[4] / total)

    def _closures(self, near: range, t: float) -> list[float]:
        """How closed the lips must be for each kind of closure in CLOSURES."""
        closed = [0.0] * len(CLOSURES)
        for j in near:
            kind = self._co_closure[j]
            if kind >= 0:
                reach = _reach(self._co_starts[j], self._co_ends[j], t, CLOSING, OPENING)
                closed[kind] = max(closed[kind], reach)
        return closed

    def _loudness_mouth(self, t: float) -> Mouth:
        """Linear interpolation of the jaw envelope, closed outside it."""
        assert self._jaw is not None
        x = t / LOUDNESS_FRAME
        k = math.floor(x)
        if k < 0 or k >= len(self._jaw):
            return CLOSED
        after = self._jaw[k + 1] if k + 1 < len(self._jaw) else 0.0
        jaw = self._jaw[k] + (after - self._jaw[k]) * (x - k)
        return (jaw, 0.1 * jaw, 0.0, 0.0, 0.0)


def _reach(
    start: float, end: float, t: float, before: float = ANTICIPATION, after: float = CARRYOVER
) -> float:
    """How strongly a segment spanning start..end pulls at ``t``: 1 inside, easing to 0 outside."""
    if t < start:
        return smoothstep(1.0 - (start - t) / before)
    if t > end:
        return smoothstep(1.0 - (t - end) / after)
    return 1.0


def _loudness_jaw(pcm: np.ndarray, sample_rate: int) -> list[float]:
    """Jaw opening per 20 ms frame from RMS in dB, smoothed with attack and release."""
    import numpy as np  # the module itself stays importable without numpy

    samples = np.asarray(pcm, dtype=np.float64).reshape(-1)
    size = max(1, round(sample_rate * LOUDNESS_FRAME))
    count = -(-len(samples) // size)
    if count == 0:
        return []
    padded = np.zeros(count * size)
    padded[: len(samples)] = samples
    rms = np.sqrt(np.mean(padded.reshape(count, size) ** 2, axis=1))
    loud = float(np.percentile(rms, 95))
    if loud < 1e-4:
        return [0.0] * count
    db = 20.0 * np.log10(np.maximum(rms, 1e-9) / loud)
    levels = np.clip((db + LOUDNESS_RANGE_DB) / LOUDNESS_RANGE_DB, 0.0, 1.0)
    rise = 1.0 - math.exp(-LOUDNESS_FRAME / LOUDNESS_ATTACK)
    fall = 1.0 - math.exp(-LOUDNESS_FRAME / LOUDNESS_RELEASE)
    jaw: list[float] = []
    level = 0.0
    for target in levels.tolist():
        level += (rise if target > level else fall) * (target - level)
        jaw.append(LOUDNESS_JAW * level)
    return jaw


@dataclass(frozen=True, slots=True)
class _Playing:
    """A track sounding from ``start``, owning the mouth from ``takeover`` (usually earlier)."""

    track: SpeechTrack
    start: float
    takeover: float
    fade: float = TAKEOVER

    def sample(self, now: float) -> tuple[Mouth, float]:
        """Mouth and how much of the mouth the speech owns (1 while it plays)."""
        t = now - self.start
        over = t - self.track.duration
        presence = 1.0 if over <= 0.0 else 1.0 - smoothstep(over / TAIL)
        return self.track.mouth_values(t), presence

    def done(self, now: float) -> bool:
        """True once the face has the mouth back."""
        return now - self.start >= self.track.duration + TAIL


@dataclass(frozen=True, slots=True)
class _Closing:
    """After a stop: the mouth as it was hands back to the face over CLOSE seconds."""

    mouth: Mouth
    presence: float
    takeover: float
    fade: float = 0.0

    def sample(self, now: float) -> tuple[Mouth, float]:
        """The mouth as it was at the stop, owned less and less."""
        return self.mouth, self.presence * (1.0 - smoothstep((now - self.takeover) / CLOSE))

    def done(self, now: float) -> bool:
        """True once the face has the mouth back."""
        return now - self.takeover >= CLOSE


class Timeline:
    """The speech now playing (and queued behind it) plus cues scheduled on the same clock."""

    def __init__(self) -> None:
        self._sources: list[_Playing | _Closing] = []
        self._cues: list[tuple[float, int, str]] = []
        self._cue_count = 0

    @staticmethod
    def for_speech(speech: Speech) -> SpeechTrack:
        """A track from the voice's phone timings, or from loudness when it gave none."""
        if speech.phones:
            return SpeechTrack.from_phones(speech.phones, speech.duration)
        return SpeechTrack.from_loudness(speech.pcm, speech.sample_rate)

    def play(self, track: SpeechTrack, start_at: float) -> None:
        """Queue ``track`` to sound from ``start_at``; it replaces earlier tracks from then on."""
        takeover = start_at - TAKEOVER
        for source in self._sources:  # a stop just before it must not hide the new track
            if isinstance(source, _Closing) and source.takeover <= start_at:
                takeover = max(takeover, source.takeover)
        self._insert(_Playing(track, start_at, takeover))

    def sync(self, start_at: float) -> None:
        """Re-anchor the latest track to the audio clock: its sound really began at ``start_at``."""
        for i in reversed(range(len(self._sources))):
            source = self._sources[i]
            if isinstance(source, _Playing):
                shift = start_at - source.start
                del self._sources[i]
                self._insert(_Playing(source.track, start_at, source.takeover + shift))
                return

    def _insert(self, source: _Playing | _Closing) -> None:
        """Keep sources ordered by takeover; on a tie the newer one comes later and wins."""
        keys = [s.takeover for s in self._sources]
        self._sources.insert(bisect_right(keys, source.takeover), source)

    def stop(self, now: float) -> None:
        """Barge-in: drop all speech and pending cues; the mouth eases back to the face."""
        mouth, presence = self.speech(now)
        self._sources.clear()
        self._cues.clear()
        if presence > 1e-6:
            self._sources.append(_Closing(_scaled(mouth, 1.0 / presence), presence, now))

    def speaking(self, now: float) -> bool:
        """True while a track is sounding at ``now``."""
        return any(
            isinstance(s, _Playing) and s.start <= now < s.start + s.track.duration
            for s in self._sources
        )

    def speech(self, now: float) -> tuple[Mouth, float]:
        """Presence-weighted speech mouth and its presence (0: the face owns the mouth)."""
        keys = [s.takeover for s in self._sources]
        k = bisect_right(keys, now) - 1
        if k < 0:
            return CLOSED, 0.0
        current = self._sources[k]
        mix = smoothstep((now - current.takeover) / current.fade) if current.fade else 1.0
        if mix >= 1.0:
            del self._sources[:k]
            k = 0
        if current.done(now) and k == len(self._sources) - 1:
            self._sources.clear()
            return CLOSED, 0.0
        mouth, presence = current.sample(now)
        mouth, weight = _scaled(mouth, mix * presence), mix * presence
        if mix < 1.0 and k > 0:
            before, was = self._sources[k - 1].sample(now)
            mouth = _added(mouth, _scaled(before, (1.0 - mix) * was))
            weight += (1.0 - mix) * was
        return mouth, weight

    def schedule(self, name: str, at: float) -> None:
        """Fire cue ``name`` when the clock reaches ``at`` (e.g. its sentence's start)."""
        heapq.heappush(self._cues, (at, self._cue_count, name))
        self._cue_count += 1

    def due(self, now: float) -> list[tuple[float, str]]:
        """Cues whose time has come, in time order, removed from the schedule."""
        fired: list[tuple[float, str]] = []
        while self._cues and self._cues[0][0] <= now:
            at, _, name = heapq.heappop(self._cues)
            fired.append((at, name))
        return fired
