"""How much of the view a new pose needs repainted: while the character talks, most frames move
only the mouth, eyes and brows, and at full-screen sizes repainting the whole figure for them
is most of a frame's time. Everything else may have moved by a fraction of a pixel since the
last full paint; ``TOLERANCE`` bounds that (so no seam shows at the edge of the repainted face).
"""

from __future__ import annotations

import math
from dataclasses import fields

from PySide6.QtCore import QPointF, QRectF, QSizeF

from avatar_desktop.avatar.pose import Pose
from avatar_desktop.ui.avatar import geometry as g

TOLERANCE = 0.4  # device pixels the rest of the figure may lag behind the face
FACE = QRectF(-62.0, -60.0, 124.0, 134.0)  # head coordinates: brows to chin, cheek to cheek
MARGIN = 3.0  # device pixels around it, for antialiased edges

_FACE_FIELDS = frozenset(
    {
        "jaw_open",
        "mouth_wide",
        "lips_pressed",
        "lip_bite",
        "tongue",
        "smile",
        "brow_raise",
        "brow_inner",
        "blink",
        "eye_wide",
        "gaze_x",
        "gaze_y",
    }
)
_MOVING_FIELDS = frozenset(
    {"head_roll", "head_pitch", "head_yaw", "breath", "shoulders_up", "lean"}
)
_PROBES = [QPointF(x, y) for x in (-90.0, 90.0) for y in (-100.0, 90.0)]  # around the head


def face_rect(old: Pose, new: Pose, size: QSizeF) -> QRectF | None:
    """The widget rectangle to repaint for ``new`` when the view last showed all of ``old``,
    or None when the whole view must be repainted."""
    changed = {f.name for f in fields(Pose) if getattr(old, f.name) != getattr(new, f.name)}
    if changed - _FACE_FIELDS - _MOVING_FIELDS:
        return None  # the arms, or something drawn anywhere
    fit = g.fit_transform(size)
    if _drift(old, new, fit.m11()) > TOLERANCE:
        return None
    head_old, head_new = g.head_transform(old) * fit, g.head_transform(new) * fit
    if max(_distance(head_old.map(p), head_new.map(p)) for p in _PROBES) > TOLERANCE:
        return None
    rect = head_old.mapRect(FACE).united(head_new.mapRect(FACE))
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _drift(old: Pose, new: Pose, scale: float) -> float:
    """How far, in device pixels, the body, neck, ears and hair have moved at most."""
    lift = abs(g.body_lift(new) - g.body_lift(old)) + abs(g.head_lift(new) - g.head_lift(old))
    reach = g.SWAY_PIVOT.y()  # the farthest a point of the upper body is from the hips' pivot
    sway = reach * math.radians(g.SWAY * abs(new.lean - old.lean))
    turn = 3.0 * g.HEAD_SCALE * abs(new.head_yaw - old.head_yaw)  # ears and hair shift
    return (lift + sway + turn) * scale


def _distance(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())
