"""Neck, torso, arms and hands in body coordinates (the model space, lifted by breathing)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen

from avatar_desktop.ui.avatar import geometry as g
from avatar_desktop.ui.avatar.kit import Kit

PALM = QRectF(-12.0, -1.0, 24.0, 22.0)
HAND_SCALE = 1.15
# Fingers from the thumb side: (offset across the palm, length). They are spaced one finger
# width apart, so the merged outline leaves a dark line between neighbours.
_FINGERS = ((9.0, 17.0), (3.0, 19.0), (-3.0, 18.0), (-9.0, 14.0))


def draw_neck(p: QPainter, kit: Kit) -> None:
    p.setPen(kit.skin_pen)
    p.setBrush(kit.neck_brush)
    p.drawPath(kit.neck)


def draw_torso(p: QPainter, kit: Kit) -> None:
    """The shirt with its neckline trim and a couple of folds that give it volume."""
    p.setPen(kit.cloth_pen)
    p.setBrush(kit.cloth_brush)
    p.drawPath(kit.torso)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(kit.fold_pen)
    p.drawPath(kit.folds)
    if kit.look.shirt_style == "collar":
        _draw_collar(p, kit)
    else:
        p.setPen(kit.trim_pen)
        neckline = QPainterPath(QPointF(g.CX - 18.5, g.NECK_BASE_Y + 1.0))
        neckline.quadTo(
            QPointF(g.CX, g.NECK_BASE_Y + 16.0), QPointF(g.CX + 18.5, g.NECK_BASE_Y + 1.0)
        )
        p.drawPath(neckline)


def _draw_collar(p: QPainter, kit: Kit) -> None:
    cx, top = g.CX, g.NECK_BASE_Y
    p.setPen(kit.cloth_pen)
    p.setBrush(kit.trim)
    for side in (-1.0, 1.0):
        flap = QPainterPath(QPointF(cx + side * 15.0, top - 6.0))
        flap.lineTo(QPointF(cx + side * 30.0, top + 14.0))
        flap.lineTo(QPointF(cx + side * 2.0, top + 16.0))
        flap.quadTo(QPointF(cx + side * 10.0, top + 4.0), QPointF(cx + side * 15.0, top - 6.0))
        p.drawPath(flap)
    p.setPen(kit.fold_pen)
    p.drawLine(QPointF(cx, top + 16.0), QPointF(cx, 340.0))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(kit.cloth_line)
    for y in (top + 30.0, top + 58.0, top + 86.0):
        p.drawEllipse(QPointF(cx + 4.0, y), 2.2, 2.2)


class _ArmStrokes:
    """The arm as polylines: cloth (sleeve) and skin, split where the sleeve ends."""

    def __init__(self, kit: Kit, arm: g.Arm) -> None:
        if kit.long_sleeves:
            cuff = _lerp(arm.elbow, arm.wrist, 0.84)
            self.upper = [arm.shoulder, arm.elbow]
            self.cloth = [arm.shoulder, arm.elbow, cuff]
            self.lower_cloth = [arm.elbow, cuff]
            self.skin = [cuff, arm.wrist]
        else:
            hem = _lerp(arm.shoulder, arm.elbow, 0.55)
            self.upper = [arm.shoulder, hem]
            self.cloth = self.upper
            self.lower_cloth = []
            self.skin = [hem, arm.elbow, arm.wrist]


def draw_arm_back(p: QPainter, kit: Kit, arm: g.Arm) -> None:
    """The sleeve's outline, drawn before the torso so sleeve and shirt share one silhouette."""
    _polyline(p, _ArmStrokes(kit, arm).upper, kit.sleeve_outline_pen)


def draw_arm_front(p: QPainter, kit: Kit, arm: g.Arm) -> None:
    """Forearm, hand and all fills, drawn after the torso so the arm sits in front of it."""
    strokes = _ArmStrokes(kit, arm)
    _polyline(p, strokes.skin, kit.arm_outline_pen)
    if strokes.lower_cloth:
        _polyline(p, strokes.lower_cloth, kit.sleeve_outline_pen)
    _draw_hand(p, kit, arm)
    _polyline(p, strokes.skin, kit.arm_pen)
    _polyline(p, strokes.cloth, kit.sleeve_pen)
    _draw_hem(p, kit, strokes.cloth)
    _draw_inner_edge(p, kit, strokes.upper)


def _draw_inner_edge(p: QPainter, kit: Kit, upper: list[QPointF]) -> None:
    """The sleeve's underside, where it hangs over the shirt and would otherwise merge into it."""
    a, b = upper[0], upper[-1]
    d = b - a
    length = max(math.hypot(d.x(), d.y()), 1e-6)
    if d.y() < 0.5 * length:
        return  # a raised arm is clear of the shirt and already outlined
    n = QPointF(-d.y(), d.x()) / length
    towards_body = QPointF(g.CX, 330.0) - a
    if n.x() * towards_body.x() + n.y() * towards_body.y() < 0:
        n = -n
    offset = n * (kit.sleeve_width / 2.0)
    edge = QPainterPath(_lerp(a, b, 0.4) + offset)
    edge.lineTo(b + offset)
    p.setPen(kit.cloth_pen)
    p.drawPath(edge)


def _lerp(a: QPointF, b: QPointF, t: float) -> QPointF:
    return a + (b - a) * t


def _polyline(p: QPainter, points: list[QPointF], stroke: QPen) -> None:
    path = QPainterPath(points[0])
    for point in points[1:]:
        path.lineTo(point)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(stroke)
    p.drawPath(path)


def _draw_hem(p: QPainter, kit: Kit, cloth_pts: list[QPointF]) -> None:
    """A line across the sleeve's end so it reads as cloth over the arm."""
    end, before = cloth_pts[-1], cloth_pts[-2]
    d = end - before
    length = max(math.hypot(d.x(), d.y()), 1e-6)
    n = QPointF(-d.y(), d.x()) * (kit.sleeve_width / 2.0 / length)
    p.setPen(kit.hem_pen)
    p.drawLine(end + n, end - n)


def _draw_hand(p: QPainter, kit: Kit, arm: g.Arm) -> None:
    """An open palm, a relaxed hand or a pointing fist, depending on the finger curl."""
    p.save()
    p.translate(arm.wrist)
    p.rotate(arm.hand_angle)
    p.scale(HAND_SCALE, HAND_SCALE)
    across = math.cos(math.radians(arm.hand_angle)) * -arm.side
    thumb, fingers = _digits(arm, -1.0 if across < 0 else 1.0)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(kit.finger_outline_pen)
    p.drawPath(fingers)
    p.setPen(kit.palm_pen)
    p.setBrush(kit.skin)
    p.drawRoundedRect(PALM, 9.0, 9.0)
    p.setPen(kit.finger_pen)
    p.drawPath(fingers)
    p.setPen(kit.finger_outline_pen)
    p.drawPath(thumb)
    p.setPen(kit.finger_pen)
    p.drawPath(thumb)
    p.restore()


def _digits(arm: g.Arm, thumb_side: float) -> tuple[QPainterPath, QPainterPath]:
    """Thumb and fingers as centre lines, to be stroked with round caps."""
    base = QPointF(thumb_side * 9.0, 8.0)
    angle = math.radians(thumb_side * (50.0 + 16.0 * arm.spread - 30.0 * arm.curl))
    thumb = QPainterPath(base)
    thumb.lineTo(base + _unit(angle) * (13.0 * (1.0 - 0.3 * arm.curl)))
    fingers = QPainterPath()
    for i, (offset, length) in enumerate(_FINGERS):
        curl = arm.index_curl if i == 0 else arm.curl
        fan = math.radians(thumb_side * (1.5 - i) * 8.0 * arm.spread)
        root = QPointF(thumb_side * offset, 17.0)
        fingers.moveTo(root)
        fingers.lineTo(root + _unit(fan) * (length * (1.0 - 0.72 * curl)))
    return thumb, fingers


def _unit(angle: float) -> QPointF:
    """Direction ``angle`` radians from the hand's +y axis (along the fingers)."""
    return QPointF(math.sin(angle), math.cos(angle))
