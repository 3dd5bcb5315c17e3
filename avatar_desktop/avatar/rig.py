"""The character's whole pose at any instant: state, mood, gestures, speech and life when idle.

The rig keeps no clock of its own: every call takes ``now`` in seconds from the caller's
monotonic clock (the audio clock while speaking), so the same seed and the same times give the
same poses. Layers add up: life (blinks, breath, weight shifts, saccades, attention) + state +
emotion + gestures + reactions; while speech plays its track owns the mouth, and the smile is
eased back as the jaw opens.
"""

from __future__ import annotations

import logging
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, fields

from avatar_desktop.avatar.attention import REACTION_SECONDS as REACTION_SECONDS
from avatar_desktop.avatar.attention import Reactions
from avatar_desktop.avatar.attention import envelope as envelope
from avatar_desktop.avatar.life import BLINK_INTERVAL as BLINK_INTERVAL
from avatar_desktop.avatar.life import Life
from avatar_desktop.avatar.pose import STATES, Pose
from avatar_desktop.avatar.surface import AvatarEvent, EmotionChanged, GestureStarted, StateChanged
from avatar_desktop.avatar.timeline import SpeechTrack, Timeline, ease_out_back, smoothstep
from avatar_desktop.avatar.visemes import MOUTH_FIELDS
from avatar_desktop.core.cues import EMOTIONS, GESTURES, canonical

_log = logging.getLogger(__name__)

Offsets = dict[str, float]

EMOTION_BLEND = 0.3  # seconds to ease from one expression to the next
STATE_BLEND = 0.4  # seconds to ease between listening, thinking, ...
SMILE_EASED_OPEN = 0.5  # share of the smile given up at full jaw opening
SPEECH_BOB = 0.06  # head dips this much with a fully open jaw, so speech looks embodied
ERROR_SHAKE = 0.5  # the error state shakes the head once, gently

EMOTION_TARGETS: dict[str, Offsets] = {
    "neutral": {},
    "happy": {"smile": 0.8, "brow_raise": 0.1, "eye_wide": 0.1},
    "sad": {"smile": -0.6, "brow_inner": 0.8, "gaze_y": -0.2, "head_pitch": 0.08},
    "surprised": {"brow_raise": 1.0, "eye_wide": 1.0, "jaw_open": 0.25},
    "angry": {"brow_raise": -0.6, "brow_inner": -1.0, "smile": -0.3},
    "thinking": {"brow_raise": -0.2, "gaze_x": 0.5, "gaze_y": 0.6, "head_roll": -4.0},
}
STATE_TARGETS: dict[str, Offsets] = {
    "idle": {},
    "listening": {"brow_raise": 0.25, "eye_wide": 0.15, "head_roll": 5.0, "head_pitch": 0.08},
    "thinking": {"gaze_x": 0.35, "gaze_y": 0.5, "brow_raise": -0.25, "smile": -0.1},
    "speaking": {},
    "error": {"smile": -0.4, "brow_inner": 0.6, "brow_raise": -0.1, "gaze_y": -0.15},
}
_SIGNED = ("mouth_wide", "smile", "brow_raise", "brow_inner", "gaze_x", "gaze_y", "lean")
RANGES: dict[str, tuple[float, float]] = {
    **{f.name: (0.0, 1.0) for f in fields(Pose)},
    **dict.fromkeys((*_SIGNED, "head_pitch", "head_yaw", "right_forearm"), (-1.0, 1.0)),
    "head_roll": (-20.0, 20.0),
}
_GREETING = re.compile(
    r"^\W*(hi|hello|hey|hiya|howdy|greetings|welcome|good\s+(morning|afternoon|evening|day))\b",
    re.IGNORECASE,
)
_CLOSERS = " \t\n\"'”’)]»"
TYPING_GLANCE = (0.0, -0.6)  # where typing glances when nothing is being looked at: down


@dataclass(frozen=True, slots=True)
class Gesture:
    """A motion of ``duration`` seconds: offsets added to the pose at time ``t`` into it."""

    duration: float
    motion: Callable[[float], Offsets]


def _held(
    attack: float, hold: float, release: float, shape: Offsets, *, springy: bool = False
) -> Gesture:
    """A gesture that moves into ``shape``, holds it and lets go."""
    ease = ease_out_back if springy else smoothstep

    def motion(t: float) -> Offsets:
        """The shape scaled by the eased envelope."""
        amount = envelope(t, attack, hold, release, ease)
        return {name: value * amount for name, value in shape.items()}

    return Gesture(attack + hold + release, motion)


def _nod(t: float) -> Offsets:
    """Two dips of the head, the second a little smaller."""
    return {"head_pitch": 0.3 * math.sin(2.0 * math.pi * t) ** 2 * (1.0 - 0.4 * t)}


def _shake(t: float) -> Offsets:
    """Two swings left and right inside a soft window."""
    window = math.sin(math.pi * t / 1.2)
    return {"head_yaw": 0.45 * math.sin(2.0 * math.pi * 2.0 * t / 1.2) * window}


def _wave(t: float) -> Offsets:
    """Arm up, forearm swinging at 2.5 Hz, arm down; a friendly smile with it."""
    arm = envelope(t, 0.35, 1.1, 0.35)
    swing = math.sin(2.0 * math.pi * 2.5 * t)
    return {"right_arm_raise": arm, "right_forearm": 0.6 * swing * arm, "smile": 0.15 * arm}


def _explain(t: float) -> Offsets:
    """Open palms that bob gently, as when walking someone through an idea."""
    amount = envelope(t, 0.35, 1.0, 0.45)
    bob = math.sin(2.0 * math.pi * 1.5 * t)
    return {
        "palms_open": amount * (0.8 + 0.2 * bob),
        "head_pitch": 0.04 * bob * amount,
        "right_forearm": 0.1 * bob * amount,
    }


GESTURE_MOTIONS: dict[str, Gesture] = {
    "nod": Gesture(1.0, _nod),
    "shake": Gesture(1.2, _shake),
    "wave": Gesture(1.8, _wave),
    "shrug": _held(
        0.25,
        0.55,
        0.5,
        {"shoulders_up": 1.0, "palms_open": 0.8, "brow_raise": 0.5, "head_roll": 6.0},
    ),
    "tilt": _held(0.3, 0.7, 0.5, {"head_roll": 8.0}, springy=True),
    "point": _held(0.3, 0.7, 0.4, {"point": 1.0, "brow_raise": 0.15}),
    "brows": _held(0.15, 0.25, 0.4, {"brow_raise": 0.8, "eye_wide": 0.3}, springy=True),
    "explain": Gesture(1.8, _explain),
}


def _add(into: Offsets, offsets: Offsets, amount: float = 1.0) -> None:
    """Layers combine by adding their offsets."""
    for name, value in offsets.items():
        into[name] = into.get(name, 0.0) + value * amount


class _Blend:
    """A layer that eases from whatever it shows now to a new target."""

    def __init__(self, duration: float) -> None:
        self._duration = duration
        self._from: Offsets = {}
        self._to: Offsets = {}
        self._start = -math.inf

    def retarget(self, target: Offsets, now: float) -> None:
        """Start easing from the current value, so a change mid-blend does not jump."""
        self._from = self.value(now)
        self._to = dict(target)
        self._start = now

    def value(self, now: float) -> Offsets:
        """The layer's offsets at ``now`` (do not modify the returned dict)."""
        mix = smoothstep((now - self._start) / self._duration)
        if mix >= 1.0:
            return self._to
        a, b = self._from, self._to
        return {k: a.get(k, 0.0) + (b.get(k, 0.0) - a.get(k, 0.0)) * mix for k in a.keys() | b}


@dataclass(frozen=True, slots=True)
class _Gesturing:
    """A gesture in progress, scaled by ``amount``."""

    name: str
    start: float
    amount: float


class Rig:
    """Turns state, cues and speech into one Pose per frame; cheap enough for 60 fps."""

    def __init__(self, *, rng: random.Random | None = None) -> None:
        self._life = Life(rng if rng is not None else random.Random())
        self._reactions = Reactions()
        self._timeline = Timeline()
        self._state = "idle"
        self._emotion = "neutral"
        self._state_layer = _Blend(STATE_BLEND)
        self._emotion_layer = _Blend(EMOTION_BLEND)
        self._gestures: list[_Gesturing] = []
        self._listeners: list[Callable[[AvatarEvent], None]] = []

    def listen(self, listener: Callable[[AvatarEvent], None]) -> None:
        """Tell ``listener`` (an avatar surface's ``on_event``) each named change as it happens."""
        self._listeners.append(listener)

    def _tell(self, event: AvatarEvent) -> None:
        for listener in self._listeners:
            listener(event)

    @property
    def state(self) -> str:
        """The current state, one of pose.STATES."""
        return self._state

    @property
    def emotion(self) -> str:
        """The current emotion, one of cues.EMOTIONS."""
        return self._emotion

    def set_state(self, state: str, now: float) -> None:
        """Ease into idle, listening, thinking, speaking or error (which also shakes once)."""
        if state not in STATES:
            raise ValueError(f"unknown avatar state {state!r}")
        if state == self._state:
            return
        self._state = state
        self._state_layer.retarget(STATE_TARGETS[state], now)
        self._tell(StateChanged(state, now))
        if state == "error":
            self.play_gesture("shake", now, amount=ERROR_SHAKE)

    def set_emotion(self, name: str, now: float) -> None:
        """Ease into an emotion (canonical name or alias) over EMOTION_BLEND seconds."""
        emotion = canonical(name)
        if emotion not in EMOTIONS:
            raise ValueError(f"{name!r} is a gesture, not an emotion")
        if emotion != self._emotion:
            self._emotion = emotion
            self._emotion_layer.retarget(EMOTION_TARGETS[emotion], now)
            self._tell(EmotionChanged(emotion, now))

    def play_gesture(self, name: str, now: float, *, amount: float = 1.0) -> bool:
        """Start a gesture; False when the same gesture is still playing (it is not restarted)."""
        gesture = canonical(name)
        if gesture not in GESTURES:
            raise ValueError(f"{name!r} is an emotion, not a gesture")
        if any(
            g.name == gesture and now < g.start + GESTURE_MOTIONS[g.name].duration
            for g in self._gestures
        ):
            return False
        self._gestures.append(_Gesturing(gesture, now, amount))
        self._tell(GestureStarted(gesture, amount, now))
        return True

    def look_at(self, target: tuple[float, float] | None, now: float) -> None:
        """Turn the eyes (fast) and the head (slowly, part of the way) toward ``target``.

        ``target`` is where the thing to look at is, as the viewer sees the character: x from
        -1 (the viewer's left of the face) to 1 (the viewer's right), y from -1 (below) to 1
        (above); values beyond are clamped. ``None`` looks back at the viewer. Positive x turns
        gaze_x and head_yaw positive (drawn toward the viewer's right); positive y turns gaze_y
        up and lifts the chin. Calling it every frame with a moving target is smooth.
        """
        self._life.attention.look_at(target, now)

    def react(self, kind: str, now: float) -> bool:
        """A short reaction to the user: "typing" (glance at the chat, brows lift) or "talking"
        (perk up, eyes to the viewer); False if one is still playing. Small while speaking."""
        toward = self._life.attention.target or TYPING_GLANCE
        speaking = self.is_speaking(now)
        return self._reactions.start(kind, now, toward=toward, speaking=speaking)

    def speak(self, track: SpeechTrack, start_at: float) -> None:
        """Lip-sync ``track`` with its audio, which starts sounding at ``start_at``."""
        self._timeline.play(track, start_at)

    def sync_speech(self, start_at: float) -> None:
        """Keep the lips on the audio clock: the current track's sound began at ``start_at``."""
        self._timeline.sync(start_at)

    def stop_speaking(self, now: float) -> None:
        """Barge-in: drop queued speech and its cues; the mouth closes smoothly."""
        self._timeline.stop(now)

    def is_speaking(self, now: float) -> bool:
        """True while a speech track is sounding at ``now``."""
        return self._timeline.speaking(now)

    def schedule_cue(self, name: str, at: float) -> None:
        """Play an emotion or gesture cue when the clock reaches ``at`` (its sentence's start)."""
        self._timeline.schedule(canonical(name), at)

    def on_cue(self, name: str, now: float) -> bool:
        """Dispatch a cue to the emotion or gesture it names; False (logged) if it names none."""
        try:
            cue = canonical(name)
        except ValueError:
            _log.warning("ignoring unknown cue %r", name)
            return False
        if cue in EMOTIONS:
            self.set_emotion(cue, now)
            return True
        return self.play_gesture(cue, now)

    def on_sentence(self, text: str, now: float) -> list[str]:
        """Simple body language for a sentence about to be spoken; returns the gestures played."""
        played: list[str] = []
        ending = text.rstrip(_CLOSERS)
        if _GREETING.match(text):
            played.append("wave")
        if ending.endswith("?"):
            played.append("tilt")
        if ending.endswith("!"):
            played.append("brows")
        return [name for name in played if self.play_gesture(name, now)]

    def pose(self, now: float) -> Pose:
        """The pose at ``now``; ``now`` must not go backwards between calls."""
        for at, name in self._timeline.due(now):
            self.on_cue(name, at)
        values = self._life.offsets(now)
        _add(values, self._state_layer.value(now))
        _add(values, self._emotion_layer.value(now))
        self._add_gestures(values, now)
        self._reactions.apply(values, now)
        self._add_speech(values, now)
        return Pose(**{name: _clamped(name, value) for name, value in values.items()})

    def _add_gestures(self, values: Offsets, now: float) -> None:
        """Add the gestures in progress and forget those that have ended."""
        playing: list[_Gesturing] = []
        for g in self._gestures:
            gesture = GESTURE_MOTIONS[g.name]
            t = now - g.start
            if t < gesture.duration:
                playing.append(g)
                if t > 0.0:  # a gesture may be started ahead of time
                    _add(values, gesture.motion(t), g.amount)
        self._gestures = playing

    def _add_speech(self, values: Offsets, now: float) -> None:
        """Hand the mouth to speech as far as it is present; ease the smile as the jaw opens."""
        mouth, presence = self._timeline.speech(now)
        if presence > 0.0:
            for name, value in zip(MOUTH_FIELDS, mouth, strict=True):
                values[name] = values.get(name, 0.0) * (1.0 - presence) + value
            values["head_pitch"] = values.get("head_pitch", 0.0) + SPEECH_BOB * mouth[0]
        if "smile" in values:
            values["smile"] *= 1.0 - SMILE_EASED_OPEN * values.get("jaw_open", 0.0)


def _clamped(name: str, value: float) -> float:
    """Added layers can overshoot; the renderer gets every field within its range."""
    low, high = RANGES[name]
    return low if value < low else high if value > high else value
