"""The head without its face: hair layers, ears and the skin shape, in head coordinates."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter, QPainterPath

from avatar_desktop.avatar.pose import Pose
from avatar_desktop.ui.avatar import geometry as g
from avatar_desktop.ui.avatar.kit import Kit


def draw_hair_back(p: QPainter, kit: Kit) -> None:
    """Hair that falls behind the head and shoulders (long hair, a bun)."""
    back = kit.shapes.back
    if back.isEmpty():
        return
    p.setPen(kit.hair_pen)
    p.setBrush(kit.hair_back_brush)
    p.drawPath(back)


def draw_head(p: QPainter, kit: Kit, pose: Pose) -> None:
    """Ears first, then the face shape over them so the head outline tucks the ears in."""
    ear_dx = -3.0 * pose.head_yaw
    for side in (-1.0, 1.0):
        _draw_ear(p, kit, QPointF(side * g.EAR_X + ear_dx, g.EAR_Y), side)
    p.setPen(kit.skin_pen)
    p.setBrush(kit.head_brush)
    p.drawPath(kit.head_path)


def _draw_ear(p: QPainter, kit: Kit, centre: QPointF, side: float) -> None:
    p.setPen(kit.skin_pen)
    p.setBrush(kit.skin)
    p.drawEllipse(centre, 8.5, 12.0)
    inner = QPainterPath(centre + QPointF(-side * 1.0, -6.0))
    inner.quadTo(centre + QPointF(side * 5.0, -3.0), centre + QPointF(side * 1.5, 5.0))
    p.setPen(kit.crease_pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(inner)


def draw_hair_front(p: QPainter, kit: Kit, pose: Pose) -> None:
    """The hair over the forehead; it shifts a little less than the face when the head turns."""
    front = kit.shapes.front
    if front.isEmpty():
        _draw_scalp_shine(p, kit)
        return
    p.save()
    p.translate(3.0 * pose.head_yaw, 0.0)
    p.setPen(kit.hair_pen)
    p.setBrush(kit.hair_brush)
    p.drawPath(front)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(kit.strand_pen)
    p.drawPath(kit.shapes.strands)
    p.setPen(kit.sheen_pen)
    p.drawPath(kit.shapes.sheen)
    p.restore()


def _draw_scalp_shine(p: QPainter, kit: Kit) -> None:
    """A bald head still needs a highlight so it reads as round."""
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(kit.scalp_pen)
    p.drawPath(kit.shapes.sheen)
