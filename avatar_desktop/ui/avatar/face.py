"""Eyes, brows, nose, cheeks and the mouth, drawn from a Pose in head coordinates."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath

from avatar_desktop.avatar.pose import Pose
from avatar_desktop.ui.avatar import geometry as g
from avatar_desktop.ui.avatar.kit import Kit, pen

_K = 4.0 / 3.0  # a cubic whose controls sit 4/3 r out reaches r at its middle


def _lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def draw_face(p: QPainter, kit: Kit, pose: Pose) -> None:
    """The features that move with the face (call with the painter in head coordinates)."""
    _draw_cheeks(p, kit)
    _draw_nose(p, kit, pose)
    draw_mouth(p, kit, pose)
    for side in (-1.0, 1.0):
        _draw_eye(p, kit, pose, side)


def _draw_cheeks(p: QPainter, kit: Kit) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    for side in (-1.0, 1.0):
        p.setBrush(kit.blush[side])
        p.drawEllipse(QPointF(side * g.CHEEK_X, g.CHEEK_Y), 13.0, 8.0)


def _draw_nose(p: QPainter, kit: Kit, pose: Pose) -> None:
    x = 2.0 * pose.head_yaw
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(kit.nose_pen)
    tip = QPainterPath(QPointF(x - 4.5, g.NOSE_Y - 1.0))
    tip.quadTo(QPointF(x, g.NOSE_Y + 3.5), QPointF(x + 4.5, g.NOSE_Y - 1.0))
    p.drawPath(tip)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(kit.skin_light)
    p.drawEllipse(QPointF(x - 1.5, g.NOSE_Y - 5.0), 2.2, 2.0)


_CORNER = 0.5  # lid controls at this fraction of the corner x: 1 is a round eye, less is almond


def _corners(side: float) -> tuple[QPointF, QPointF]:
    """Inner and outer eye corners (the outer one a touch higher, for a friendly lift)."""
    return QPointF(-side * g.EYE_RX, 1.5), QPointF(side * g.EYE_RX, -0.5)


def _lid_curve(path: QPainterPath, start: QPointF, end: QPointF, bow: float) -> None:
    """One lid from ``start`` to ``end``, bowing ``bow`` eye-radii out (negative is up)."""
    y = bow * _K * g.EYE_RY
    path.cubicTo(
        QPointF(start.x() * _CORNER, y + start.y() * 0.5),
        QPointF(end.x() * _CORNER, y + end.y() * 0.5),
        end,
    )


def _eye_opening(side: float, top: float, bottom: float) -> QPainterPath:
    """Almond between two lids around the eye centre; ``top``/``bottom`` scale each lid's bow."""
    inner, outer = _corners(side)
    path = QPainterPath(inner)
    _lid_curve(path, inner, outer, top)
    _lid_curve(path, outer, inner, bottom)
    return path


def _upper_lid(side: float, top: float) -> QPainterPath:
    """The lash line: the upper lid's edge, ending in a small wing at the outer corner."""
    inner, outer = _corners(side)
    path = QPainterPath(inner)
    _lid_curve(path, inner, outer, top)
    path.quadTo(outer + QPointF(side * 2.2, -0.2), outer + QPointF(side * 4.0, -2.6))
    return path


def _draw_eye(p: QPainter, kit: Kit, pose: Pose, side: float) -> None:
    blink = min(max(pose.blink, 0.0), 1.0)
    glare = 0.16 * max(-pose.brow_raise, 0.0)  # lowered brows narrow the eyes a little
    cheer = 0.22 * max(pose.smile, 0.0)  # a smile lifts the lower lids
    top = _lerp(-(0.95 + 0.3 * pose.eye_wide - glare), 0.28, blink)
    bottom = _lerp(0.92 + 0.08 * pose.eye_wide - cheer, 0.28, blink)
    p.save()
    p.translate(side * g.EYE_X, g.EYE_Y)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if blink < 0.96:
        opening = _eye_opening(side, top, bottom)
        p.setPen(kit.lower_lid_pen)
        p.setBrush(kit.sclera_brush)
        p.drawPath(opening)
        p.setClipPath(opening)
        _draw_iris(p, kit, pose)
        p.setClipping(False)
        p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(kit.lash_pen)
    p.drawPath(_upper_lid(side, top))
    p.restore()


def _draw_iris(p: QPainter, kit: Kit, pose: Pose) -> None:
    x, y = 4.2 * pose.gaze_x, 1.0 - 3.6 * pose.gaze_y
    shrink = 0.8 * pose.eye_wide
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(kit.pupil)
    p.drawEllipse(QPointF(x, y), 9.0, 9.4)
    p.translate(x, y)
    p.setBrush(kit.iris_brush)
    p.drawEllipse(QPointF(0.0, 0.0), 8.0, 8.4)
    p.setBrush(kit.pupil)
    p.drawEllipse(QPointF(0.0, 0.5), 4.2 - shrink, 4.4 - shrink)
    p.setBrush(kit.sclera)
    p.drawEllipse(QPointF(-3.0, -3.4), 2.6, 2.6)
    p.drawEllipse(QPointF(3.2, 3.4), 1.2, 1.2)
    p.translate(-x, -y)


def draw_brows(p: QPainter, kit: Kit, pose: Pose) -> None:
    """Brows carry most of an expression, so they are drawn last, over any fringe."""
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(kit.brow)
    for side in (-1.0, 1.0):
        p.drawPath(_brow_path(pose, side))


def _brow_path(pose: Pose, side: float) -> QPainterPath:
    """A tapered arc: thick at the inner end, pointed at the outer end."""
    lift = (9.0 if pose.brow_raise > 0 else 5.0) * pose.brow_raise
    y = g.BROW_Y - lift
    inner = QPointF(side * 10.0, y + 2.0 - 5.5 * pose.brow_inner)
    outer = QPointF(side * 37.0, y + 3.0 + 1.5 * pose.brow_inner)
    arch = QPointF(side * 24.0, y - 4.5 - 2.0 * max(pose.brow_raise, 0.0))
    path = QPainterPath(inner + QPointF(0.0, -2.7))
    path.quadTo(arch + QPointF(0.0, -2.4), outer)
    path.quadTo(arch + QPointF(0.0, 2.0), inner + QPointF(0.0, 2.5))
    path.quadTo(inner + QPointF(-side * 3.2, 0.0), inner + QPointF(0.0, -2.7))
    return path


def draw_mouth(p: QPainter, kit: Kit, pose: Pose) -> None:
    """Open mouth with teeth and tongue, or closed lips (pressed, bitten or relaxed)."""
    m = _MouthShape(pose)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if m.opening < 0.8:
        _draw_closed_mouth(p, kit, pose, m)
    else:
        _draw_open_mouth(p, kit, pose, m)
    if pose.tongue > 0.05:
        _draw_tongue_tip(p, kit, pose, m)
    if pose.lip_bite > 0.05:
        _draw_bite(p, kit, pose, m)


class _MouthShape:
    """Corner and lip positions of the mouth for one pose (mouth coordinates)."""

    def __init__(self, pose: Pose) -> None:
        smile, jaw, wide = pose.smile, pose.jaw_open, pose.mouth_wide
        pressed, bite = pose.lips_pressed, pose.lip_bite
        self.half_w = (
            16.0
            * (1.0 + (0.3 if wide > 0 else 0.4) * wide)
            * (1.0 + 0.12 * max(smile, 0.0))
            * (1.0 - 0.1 * jaw)
            * (1.0 - 0.12 * pressed)
        )
        self.round = max(-wide, 0.0)
        self.opening = 23.0 * jaw * (1.0 - pressed) * (1.0 - 0.85 * bite) * (1.0 + 0.4 * self.round)
        flat = 1.0 - 0.7 * pressed
        self.corner_y = g.MOUTH_Y - (1.2 + 4.5 * smile) * flat + 0.22 * self.opening
        self.upper_y = g.MOUTH_Y + (0.9 + 2.4 * smile) * flat * (1.0 - 0.6 * jaw)
        self.upper_y -= 0.16 * self.opening
        self.lower_y = self.upper_y + self.opening * (1.0 + 0.25 * max(smile, 0.0))
        self.squeeze = 0.5 + 0.5 * self.round

    def curve(self, path: QPainterPath, mid_y: float, forward: bool) -> None:
        """Append one lip curve between the corners, passing through ``mid_y`` at the centre."""
        cy = (4.0 * mid_y - self.corner_y) / 3.0
        cx = self.half_w * self.squeeze
        sign = 1.0 if forward else -1.0
        path.cubicTo(
            QPointF(-sign * cx, cy),
            QPointF(sign * cx, cy),
            QPointF(sign * self.half_w, self.corner_y),
        )

    def corner(self, side: float) -> QPointF:
        return QPointF(side * self.half_w, self.corner_y)


def _draw_closed_mouth(p: QPainter, kit: Kit, pose: Pose, m: _MouthShape) -> None:
    line = QPainterPath(m.corner(-1.0))
    m.curve(line, m.upper_y, forward=True)
    p.setPen(pen(kit.lip_line, 2.3 + 0.9 * pose.lips_pressed))
    p.drawPath(line)
    if pose.lips_pressed > 0.05:
        p.setOpacity(min(pose.lips_pressed, 1.0))
        _draw_lower_lip(p, kit, m, m.upper_y + 3.4)
        p.setPen(kit.crease_pen)
        for side in (-1.0, 1.0):
            c = m.corner(side)
            p.drawLine(c + QPointF(side * 1.5, -2.5), c + QPointF(side * 1.5, 2.5))
        p.setOpacity(1.0)


def _draw_lower_lip(p: QPainter, kit: Kit, m: _MouthShape, y: float) -> None:
    lip = QPainterPath(QPointF(-m.half_w * 0.45, y - 1.0))
    lip.quadTo(QPointF(0.0, y + 2.5), QPointF(m.half_w * 0.45, y - 1.0))
    p.setPen(kit.lower_lip_pen)
    p.drawPath(lip)


def _draw_open_mouth(p: QPainter, kit: Kit, pose: Pose, m: _MouthShape) -> None:
    inside = QPainterPath(m.corner(-1.0))
    m.curve(inside, m.upper_y, forward=True)
    m.curve(inside, m.lower_y, forward=False)
    inside.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(kit.mouth_dark)
    p.drawPath(inside)
    p.save()
    p.setClipPath(inside)
    teeth_h = 2.5 + min(3.5, 0.22 * m.opening)
    p.setBrush(kit.teeth)
    p.drawRect(QRectF(-m.half_w, m.upper_y - 6.0, 2.0 * m.half_w, 6.0 + teeth_h))
    ry = max(3.0, 0.36 * m.opening)
    ty = _lerp(m.lower_y - 0.2 * ry, m.upper_y + teeth_h + ry * 0.6, pose.tongue)
    p.setBrush(kit.tongue)
    p.drawEllipse(QPointF(0.0, ty), m.half_w * 0.62, ry)
    p.restore()
    p.setBrush(Qt.BrushStyle.NoBrush)
    if m.round > 0.05:
        p.setPen(pen(kit.lip, 2.2 + 2.6 * m.round))
        p.drawPath(inside)
    p.setPen(pen(kit.lip_line, 2.2))
    p.drawPath(inside)


def _draw_tongue_tip(p: QPainter, kit: Kit, pose: Pose, m: _MouthShape) -> None:
    amount = min(pose.tongue, 1.0)
    y = m.upper_y + max(0.55 * m.opening, 2.0)
    p.setPen(pen(kit.lip_line, 1.6))
    p.setBrush(kit.tongue)
    p.drawEllipse(QPointF(0.0, y), m.half_w * 0.42 * (0.6 + 0.4 * amount), 3.4 * amount)
    p.setBrush(Qt.BrushStyle.NoBrush)


def _draw_bite(p: QPainter, kit: Kit, pose: Pose, m: _MouthShape) -> None:
    """Upper teeth resting on the lower lip (f, v)."""
    amount = min(pose.lip_bite, 1.0)
    w = m.half_w * 0.55
    p.setOpacity(amount)
    _draw_lower_lip(p, kit, m, m.upper_y + 5.6)
    p.setOpacity(1.0)
    p.setPen(pen(kit.lip_line, 1.4))
    p.setBrush(kit.teeth)
    p.drawRoundedRect(QRectF(-w, m.upper_y - 0.6, 2.0 * w, 3.8 * amount), 1.6, 1.6)
    p.setBrush(Qt.BrushStyle.NoBrush)
