"""Outlines that never change with the pose: face, neck and torso, in their own coordinates."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath

from avatar_desktop.ui.avatar import geometry as g

Point = tuple[float, float]
Curve = tuple[Point, Point, Point]  # cubic: two controls and the end point


def add_curves(
    path: QPainterPath, curves: Sequence[Curve], dx: float = 0.0, dy: float = 0.0
) -> None:
    """Append cubics to ``path``, offset by (dx, dy)."""
    for c1, c2, end in curves:
        path.cubicTo(
            QPointF(c1[0] + dx, c1[1] + dy),
            QPointF(c2[0] + dx, c2[1] + dy),
            QPointF(end[0] + dx, end[1] + dy),
        )


def mirrored(curves: Sequence[Curve], start: Point) -> list[Curve]:
    """The same outline reflected in x = 0 and walked backwards, ending at ``start``'s mirror."""
    out: list[Curve] = []
    points = [start] + [c[2] for c in curves]
    for i in range(len(curves) - 1, -1, -1):
        c1, c2, _ = curves[i]
        end = points[i]
        out.append(((-c2[0], c2[1]), (-c1[0], c1[1]), (-end[0], end[1])))
    return out


_HEAD_TOP: Point = (0.0, g.HEAD_TOP)
_HEAD_RIGHT: list[Curve] = [
    ((31.0, g.HEAD_TOP), (g.HEAD_RX, -48.0), (g.HEAD_RX, -10.0)),
    ((g.HEAD_RX, 20.0), (49.0, 42.0), (32.0, 55.0)),
    ((21.0, 63.0), (10.0, g.HEAD_CHIN), (0.0, g.HEAD_CHIN)),
]


def head_path() -> QPainterPath:
    """The face outline: a round crown, soft cheeks and a small chin."""
    path = QPainterPath(QPointF(*_HEAD_TOP))
    add_curves(path, _HEAD_RIGHT)
    add_curves(path, mirrored(_HEAD_RIGHT, _HEAD_TOP))
    path.closeSubpath()
    return path


# Right half of the torso outline, relative to (CX, NECK_BASE_Y): trapezius, shoulder, flank.
_NECK_RIGHT: Point = (17.0, 0.0)
_TORSO_RIGHT: list[Curve] = [
    ((40.0, 3.0), (64.0, 8.0), (78.0, 18.0)),
    ((90.0, 28.0), (95.0, 48.0), (95.0, 100.0)),
    ((94.0, 130.0), (92.0, 150.0), (92.0, 168.0)),
]


def torso_path(style: str) -> QPainterPath:
    """Shoulders and chest, open at the neckline; the bottom runs off the model's edge."""
    cx, top = g.CX, g.NECK_BASE_Y
    path = QPainterPath(QPointF(cx + _NECK_RIGHT[0], top))
    add_curves(path, _TORSO_RIGHT, cx, top)
    bottom = _TORSO_RIGHT[-1][2]
    path.lineTo(QPointF(cx - bottom[0], top + bottom[1]))
    add_curves(path, mirrored(_TORSO_RIGHT, _NECK_RIGHT), cx, top)
    dip = 26.0 if style == "collar" else 14.0
    path.quadTo(QPointF(cx, top + dip), QPointF(cx + _NECK_RIGHT[0], top))
    path.closeSubpath()
    return path


def neck_path() -> QPainterPath:
    path = QPainterPath(QPointF(g.CX - 15.0, g.NECK_TOP))
    path.lineTo(QPointF(g.CX - 16.5, g.NECK_BASE_Y + 16.0))
    path.lineTo(QPointF(g.CX + 16.5, g.NECK_BASE_Y + 16.0))
    path.lineTo(QPointF(g.CX + 15.0, g.NECK_TOP))
    path.closeSubpath()
    return path


def folds_path() -> QPainterPath:
    """Soft creases below the armpits."""
    cx = g.CX
    path = QPainterPath()
    for side in (-1.0, 1.0):
        path.moveTo(QPointF(cx + side * 74.0, 268.0))
        path.quadTo(QPointF(cx + side * 66.0, 284.0), QPointF(cx + side * 68.0, 304.0))
    return path
