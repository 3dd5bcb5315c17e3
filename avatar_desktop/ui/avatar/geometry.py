"""Where every part of the character sits, shared by the painter and the tests' regions.

The character is drawn in a fixed model space (``MODEL``) that is scaled to the widget, so all
numbers here are in model units. Head features use head coordinates: origin at the face centre,
y down, before the head's roll, nod and lift are applied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSizeF
from PySide6.QtGui import QTransform

from avatar_desktop.avatar.pose import NEUTRAL, Pose

MODEL = QRectF(0.0, 0.0, 440.0, 340.0)
CX = 220.0
HEAD_CENTRE = QPointF(CX, 114.0)
HEAD_PIVOT = QPointF(CX, 178.0)  # the head rolls and nods about the top of the neck
HEAD_SCALE = 1.12  # head coordinates are drawn this much larger (a friendly, big-headed look)
HEAD_RX = 56.0
HEAD_TOP = -68.0
HEAD_CHIN = 64.0
NECK_TOP = 150.0
NECK_BASE_Y = 212.0
SHOULDER_X = 80.0
SHOULDER_Y = 246.0
UPPER_ARM = 58.0
FOREARM = 50.0
SWAY_PIVOT = QPointF(CX, 430.0)  # the upper body sways about the hips, below the picture
SWAY = 2.2  # degrees the upper body sways at full lean
COUNTER_ROLL = 3.2  # degrees the head rolls back against full lean, so it stays about level

# Face features, head coordinates.
EYE_X = 24.0
EYE_Y = 4.0
EYE_RX = 11.5
EYE_RY = 12.5
BROW_Y = -24.0
NOSE_Y = 21.0
MOUTH_Y = 38.0
CHEEK_X = 37.0
CHEEK_Y = 25.0
EAR_X = 54.0
EAR_Y = 10.0


@dataclass(frozen=True, slots=True)
class ArmKey:
    """One arm shape: angles in degrees from hanging straight down, positive away from the body."""

    upper: float
    fore: float
    reach: float  # forearm length factor (a pointing forearm is foreshortened)
    curl: float  # 0 fingers straight .. 1 curled into a fist
    index_curl: float
    spread: float  # 0 fingers together .. 1 fanned out

    def mix(self, other: ArmKey, amount: float) -> ArmKey:
        """Linear blend, so gestures fade in and out instead of snapping."""
        if amount <= 0.0:
            return self
        a = min(amount, 1.0)
        return ArmKey(
            *(
                (1 - a) * getattr(self, n) + a * getattr(other, n)
                for n in ("upper", "fore", "reach", "curl", "index_curl", "spread")
            )
        )


REST = ArmKey(upper=15.0, fore=9.0, reach=1.0, curl=0.45, index_curl=0.4, spread=0.2)
PALMS = ArmKey(upper=10.0, fore=140.0, reach=1.0, curl=0.0, index_curl=0.0, spread=1.0)
POINTING = ArmKey(upper=58.0, fore=100.0, reach=0.78, curl=1.0, index_curl=0.0, spread=0.0)
WAVING = ArmKey(upper=125.0, fore=168.0, reach=1.0, curl=0.0, index_curl=0.0, spread=0.85)


@dataclass(frozen=True, slots=True)
class Arm:
    """Joint positions of one arm in body coordinates, and how its hand is held."""

    side: int  # -1 the character's right arm (viewer's left), +1 its left arm
    shoulder: QPointF
    elbow: QPointF
    wrist: QPointF
    hand_angle: float  # painter rotation that points a hand's local +y along the forearm
    curl: float
    index_curl: float
    spread: float


def body_lift(pose: Pose) -> float:
    """How far chest and shoulders rise (breathing, shrugging)."""
    return 4.0 * pose.breath + 10.0 * pose.shoulders_up


def head_lift(pose: Pose) -> float:
    """The head rises less than the shoulders, so a shrug shortens the neck."""
    return 2.4 * pose.breath + 3.0 * pose.shoulders_up


def body_transform(pose: Pose) -> QTransform:
    """Weight moving between the feet: the upper body sways sideways about the hips."""
    t = QTransform()
    if pose.lean != 0.0:
        t.translate(SWAY_PIVOT.x(), SWAY_PIVOT.y())
        t.rotate(SWAY * pose.lean)
        t.translate(-SWAY_PIVOT.x(), -SWAY_PIVOT.y())
    return t


def feature_shift(pose: Pose) -> QPointF:
    """Turning or nodding moves the face across the head a little (a cheap sense of depth)."""
    return QPointF(8.0 * pose.head_yaw, 5.0 * pose.head_pitch)


def head_transform(pose: Pose) -> QTransform:
    """Maps head coordinates to body coordinates."""
    t = QTransform()
    pivot = body_transform(pose).map(HEAD_PIVOT) if pose.lean != 0.0 else HEAD_PIVOT
    t.translate(pivot.x(), pivot.y() - head_lift(pose) + 3.0 * pose.head_pitch)
    t.rotate(pose.head_roll + (SWAY - COUNTER_ROLL) * pose.lean)
    t.translate(0.0, HEAD_CENTRE.y() - HEAD_PIVOT.y())
    t.scale(HEAD_SCALE, HEAD_SCALE)
    return t


def fit_transform(size: QSizeF) -> QTransform:
    """Scales the model into ``size`` keeping proportions: centred across, resting on the bottom
    edge, so a tall view never shows where the bust is cut off."""
    scale = min(size.width() / MODEL.width(), size.height() / MODEL.height())
    t = QTransform()
    t.translate(
        (size.width() - MODEL.width() * scale) / 2.0,
        size.height() - MODEL.height() * scale,
    )
    t.scale(scale, scale)
    return t


def _direction(side: int, degrees: float) -> QPointF:
    rad = math.radians(degrees)
    return QPointF(side * math.sin(rad), math.cos(rad))


def arm(pose: Pose, side: int) -> Arm:
    """Where one arm's joints are for ``pose`` (the right arm also points and waves)."""
    key = REST.mix(PALMS, pose.palms_open)
    if side < 0:
        key = key.mix(POINTING, pose.point)
        wave = ArmKey(
            WAVING.upper, WAVING.fore + 22.0 * pose.right_forearm, 1.0, 0.0, 0.0, WAVING.spread
        )
        key = key.mix(wave, pose.right_arm_raise)
    shoulder = QPointF(CX + side * SHOULDER_X, SHOULDER_Y - body_lift(pose))
    elbow = shoulder + _direction(side, key.upper) * UPPER_ARM
    wrist = elbow + _direction(side, key.fore) * (FOREARM * key.reach)
    return Arm(
        side=side,
        shoulder=shoulder,
        elbow=elbow,
        wrist=wrist,
        hand_angle=-side * key.fore,
        curl=key.curl,
        index_curl=key.index_curl,
        spread=key.spread,
    )


_HEAD_REGIONS = {
    "mouth": QRectF(-26.0, MOUTH_Y - 13.0, 52.0, 36.0),
    "eyes": QRectF(-EYE_X - 17.0, -14.5, 2 * (EYE_X + 17.0), 33.0),
    "brows": QRectF(-44.0, -46.0, 88.0, 30.0),
    "hair": QRectF(-46.0, -86.0, 92.0, 30.0),
}
_BODY_REGIONS = {"right_arm": QRectF(CX - 176.0, 96.0, 90.0, 126.0)}


def regions(size: QSizeF) -> dict[str, QRectF]:
    """Widget-space rectangles of the parts tests look at, for the neutral pose."""
    fit = fit_transform(size)
    head = head_transform(NEUTRAL) * fit
    out = {name: head.mapRect(rect) for name, rect in _HEAD_REGIONS.items()}
    out.update({name: fit.mapRect(rect) for name, rect in _BODY_REGIONS.items()})
    return out
