"""Hair shapes for each style, in head coordinates, built once per look and cached by the kit.

Every style gives a ``back`` layer (drawn behind head and body) and a ``front`` layer (drawn over
the forehead), so hair can frame the face without hiding it. Curves only, no boolean path
operations, so edges stay smooth at any zoom.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath

from avatar_desktop.ui.avatar.shapes import Curve, Point, add_curves, mirrored


@dataclass(frozen=True)
class HairShapes:
    """The two layers of one hairstyle plus the strand lines that give it texture."""

    back: QPainterPath
    front: QPainterPath
    strands: QPainterPath
    sheen: QPainterPath = field(default_factory=lambda: _sheen(-34.0, -62.0, -78.0))


def _sheen(x: float, y: float, top: float) -> QPainterPath:
    """The highlight arc on the crown."""
    path = QPainterPath(QPointF(x, y))
    path.quadTo(QPointF(x + 14.0, top + 2.0), QPointF(x + 34.0, top))
    return path


def _curves(start: Point, curves: Sequence[Curve]) -> QPainterPath:
    path = QPainterPath(QPointF(*start))
    add_curves(path, curves)
    return path


def _ellipse_points(
    rx: float, ry: float, cy: float, start: float, stop: float, count: int
) -> list[QPointF]:
    """Points on an ellipse, angles in degrees with 90 at the top."""
    out = []
    for i in range(count + 1):
        a = math.radians(start + (stop - start) * i / count)
        out.append(QPointF(rx * math.cos(a), cy - ry * math.sin(a)))
    return out


def _scallop(path: QPainterPath, points: Sequence[QPointF], bulge: float) -> None:
    """Continue ``path`` through ``points`` with one round bump per step (curls)."""
    for a, b in itertools.pairwise(points):
        d = b - a
        mid = (a + b) / 2.0
        path.quadTo(mid + QPointF(d.y(), -d.x()) * bulge, b)


_SHORT_CAP: list[Curve] = [
    ((36.0, -84.0), (64.0, -64.0), (64.0, -24.0)),
    ((64.0, -8.0), (62.0, 2.0), (57.0, 10.0)),
]


# A side-swept fringe, walked from the right temple to the left: (control, end) quad pairs,
# alternating a lock's outer curve down to its tip and a short hook back up to the next root.
_SHORT_FRINGE: list[tuple[tuple[float, float], tuple[float, float]]] = [
    ((53.0, -10.0), (50.0, -26.0)),
    ((47.0, -34.0), (38.0, -30.0)),
    ((36.0, -38.0), (32.0, -44.0)),
    ((26.0, -34.0), (12.0, -30.0)),
    ((16.0, -38.0), (10.0, -45.0)),
    ((2.0, -36.0), (-14.0, -32.0)),
    ((-10.0, -40.0), (-16.0, -47.0)),
    ((-28.0, -40.0), (-44.0, -30.0)),
    ((-40.0, -40.0), (-42.0, -46.0)),
    ((-54.0, -30.0), (-53.0, 10.0)),
]


def _short() -> HairShapes:
    cap = _SHORT_CAP
    front = _curves((0.0, -82.0), cap)
    front.lineTo(QPointF(53.0, 10.0))
    for control, end in _SHORT_FRINGE:
        front.quadTo(QPointF(*control), QPointF(*end))
    front.lineTo(QPointF(-57.0, 10.0))
    add_curves(front, mirrored(cap, (0.0, -82.0)))
    front.closeSubpath()
    strands = QPainterPath(QPointF(32.0, -44.0))
    strands.quadTo(QPointF(34.0, -60.0), QPointF(50.0, -62.0))
    strands.moveTo(QPointF(10.0, -45.0))
    strands.quadTo(QPointF(14.0, -66.0), QPointF(36.0, -74.0))
    strands.moveTo(QPointF(-16.0, -47.0))
    strands.quadTo(QPointF(-10.0, -68.0), QPointF(10.0, -78.0))
    strands.moveTo(QPointF(-42.0, -46.0))
    strands.quadTo(QPointF(-36.0, -62.0), QPointF(-22.0, -72.0))
    return HairShapes(back=QPainterPath(), front=front, strands=strands)


def _long() -> HairShapes:
    back = _curves(
        (0.0, -84.0),
        [
            ((44.0, -86.0), (70.0, -60.0), (70.0, -14.0)),
            ((70.0, 40.0), (72.0, 90.0), (76.0, 130.0)),
            ((50.0, 146.0), (-50.0, 146.0), (-76.0, 130.0)),
            ((-72.0, 90.0), (-70.0, 40.0), (-70.0, -14.0)),
            ((-70.0, -60.0), (-44.0, -86.0), (0.0, -84.0)),
        ],
    )
    back.closeSubpath()
    front = _curves((6.0, -80.0), [((40.0, -84.0), (66.0, -60.0), (66.0, -12.0))])
    front.cubicTo(QPointF(66.0, 14.0), QPointF(62.0, 32.0), QPointF(58.0, 44.0))
    front.cubicTo(QPointF(56.0, 26.0), QPointF(54.0, 6.0), QPointF(52.0, -10.0))
    front.cubicTo(QPointF(48.0, -36.0), QPointF(30.0, -54.0), QPointF(6.0, -60.0))
    front.cubicTo(QPointF(-20.0, -52.0), QPointF(-44.0, -40.0), QPointF(-52.0, -10.0))
    front.cubicTo(QPointF(-54.0, 6.0), QPointF(-56.0, 26.0), QPointF(-58.0, 44.0))
    front.cubicTo(QPointF(-62.0, 32.0), QPointF(-66.0, 14.0), QPointF(-66.0, -12.0))
    front.cubicTo(QPointF(-66.0, -60.0), QPointF(-30.0, -84.0), QPointF(6.0, -80.0))
    front.closeSubpath()
    strands = QPainterPath(QPointF(6.0, -64.0))
    strands.quadTo(QPointF(36.0, -60.0), QPointF(52.0, -30.0))
    strands.moveTo(QPointF(4.0, -66.0))
    strands.quadTo(QPointF(-30.0, -60.0), QPointF(-50.0, -30.0))
    for side in (-1.0, 1.0):
        strands.moveTo(QPointF(side * 64.0, 30.0))
        strands.quadTo(QPointF(side * 66.0, 70.0), QPointF(side * 70.0, 110.0))
    return HairShapes(back=back, front=front, strands=strands)


def _curly() -> HairShapes:
    back = QPainterPath()
    outer = _ellipse_points(74.0, 76.0, -12.0, 215.0, -35.0, 16)
    back.moveTo(outer[0])
    _scallop(back, outer, 0.42)
    back.quadTo(QPointF(0.0, 70.0), outer[0])
    back.closeSubpath()
    front = QPainterPath()
    top = _ellipse_points(70.0, 74.0, -12.0, 192.0, -12.0, 14)
    front.moveTo(top[0])
    _scallop(front, top, 0.42)
    hairline = [QPointF(54.0, 4.0), QPointF(51.0, -16.0), QPointF(44.0, -32.0)]
    hairline += [QPointF(x, -40.0 + abs(x) * 0.12) for x in (28.0, 12.0, -4.0, -20.0, -34.0)]
    hairline += [QPointF(-46.0, -30.0), QPointF(-52.0, -14.0), QPointF(-54.0, 4.0)]
    front.lineTo(hairline[0])
    _scallop(front, hairline, 0.34)
    front.closeSubpath()
    strands = QPainterPath()
    for x, y in ((-30.0, -62.0), (2.0, -72.0), (32.0, -60.0), (-52.0, -44.0), (54.0, -40.0)):
        strands.moveTo(QPointF(x - 6.0, y + 2.0))
        strands.quadTo(QPointF(x, y - 6.0), QPointF(x + 6.0, y + 1.0))
    return HairShapes(back=back, front=front, strands=strands)


def _bun() -> HairShapes:
    back = QPainterPath()
    back.addEllipse(QPointF(0.0, -84.0), 25.0, 22.0)
    cap: list[Curve] = [
        ((34.0, -76.0), (60.0, -58.0), (60.0, -22.0)),
        ((60.0, -8.0), (58.0, 2.0), (55.0, 8.0)),
    ]
    front = _curves((0.0, -75.0), cap)
    front.lineTo(QPointF(52.0, 8.0))
    front.cubicTo(QPointF(52.0, -16.0), QPointF(44.0, -40.0), QPointF(16.0, -50.0))
    front.cubicTo(QPointF(4.0, -54.0), QPointF(-2.0, -52.0), QPointF(-10.0, -50.0))
    front.cubicTo(QPointF(-40.0, -44.0), QPointF(-52.0, -18.0), QPointF(-52.0, 8.0))
    add_curves(front, mirrored(cap, (0.0, -75.0)))
    front.closeSubpath()
    strands = QPainterPath(QPointF(-10.0, -50.0))
    strands.quadTo(QPointF(-16.0, -66.0), QPointF(-6.0, -74.0))
    strands.moveTo(QPointF(16.0, -50.0))
    strands.quadTo(QPointF(30.0, -62.0), QPointF(26.0, -72.0))
    strands.moveTo(QPointF(-14.0, -90.0))
    strands.quadTo(QPointF(0.0, -100.0), QPointF(14.0, -88.0))
    strands.moveTo(QPointF(-16.0, -80.0))
    strands.quadTo(QPointF(0.0, -72.0), QPointF(16.0, -82.0))
    return HairShapes(back=back, front=front, strands=strands)


def _bald() -> HairShapes:
    empty = QPainterPath()
    return HairShapes(back=empty, front=empty, strands=empty, sheen=_sheen(-30.0, -52.0, -64.0))


_BUILDERS: dict[str, Callable[[], HairShapes]] = {
    "short": _short,
    "long": _long,
    "curly": _curly,
    "bun": _bun,
    "bald": _bald,
}


def hair_shapes(style: str) -> HairShapes:
    """The shapes for ``style``; an unknown style draws the default short cut."""
    return _BUILDERS.get(style, _short)()
