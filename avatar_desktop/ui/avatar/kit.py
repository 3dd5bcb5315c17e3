"""Colours, gradients and shapes that depend only on the Look, built once and reused every frame."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QLinearGradient,
    QPen,
    QRadialGradient,
    QTransform,
)

from avatar_desktop.avatar.look import Look
from avatar_desktop.ui.avatar import geometry as g
from avatar_desktop.ui.avatar import shapes
from avatar_desktop.ui.avatar.hair import HairShapes, hair_shapes

OUTLINE = 2.0  # model units; scales with the character
ARM_W = 19.0
SLEEVE_W = 30.0
LONG_SLEEVE_W = 24.0
FINGER_W = 5.8


def mix(a: QColor, b: QColor, amount: float, alpha: float | None = None) -> QColor:
    """``amount`` of ``b`` blended into ``a``: shades derived from one base colour stay in tune."""
    out = QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )
    out.setAlphaF(a.alphaF() if alpha is None else alpha)
    return out


def pen(
    colour: QColor | QBrush, width: float, cap: Qt.PenCapStyle = Qt.PenCapStyle.RoundCap
) -> QPen:
    """A round-joined pen; every line in the character uses one of these."""
    out = QPen(QBrush(colour), width)
    out.setCapStyle(cap)
    out.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return out


_INK = QColor("#2a1c1a")
_WHITE = QColor("#ffffff")
_ROSE = QColor("#d0606c")


class Kit:
    """Everything the painter needs for one Look; rebuilt only when the look changes."""

    def __init__(self, look: Look) -> None:
        self.look = look
        self._skin(QColor(look.skin))
        self._face(QColor(look.skin), QColor(look.eye_colour))
        self._hair(QColor(look.hair_colour), hair_shapes(look.hair_style))
        self._cloth(QColor(look.clothing_colour))

    def _skin(self, skin: QColor) -> None:
        self.skin = skin
        self.skin_light = mix(skin, _WHITE, 0.22)
        self.skin_shade = mix(skin, _INK, 0.16)
        self.skin_line = mix(skin, _INK, 0.55)
        self.skin_pen = pen(self.skin_line, OUTLINE)
        self.crease_pen = pen(mix(skin, _INK, 0.35, alpha=0.55), 1.6)
        self.arm_pen = pen(skin, ARM_W)
        self.arm_outline_pen = pen(self.skin_line, ARM_W + 2 * OUTLINE)
        self.finger_pen = pen(skin, FINGER_W)
        self.finger_outline_pen = pen(self.skin_line, FINGER_W + 2 * OUTLINE)
        self.palm_pen = pen(self.skin_line, OUTLINE)
        head = QRadialGradient(QPointF(-16.0, -24.0), 96.0, QPointF(-22.0, -34.0))
        head.setColorAt(0.0, self.skin_light)
        head.setColorAt(0.55, skin)
        head.setColorAt(1.0, self.skin_shade)
        self.head_brush = QBrush(head)
        neck = QLinearGradient(0.0, g.NECK_TOP + 20.0, 0.0, g.NECK_BASE_Y)
        neck.setColorAt(0.0, mix(skin, _INK, 0.32))
        neck.setColorAt(0.55, self.skin_shade)
        neck.setColorAt(1.0, skin)
        self.neck_brush = QBrush(neck)
        self.head_path = shapes.head_path()

    def _face(self, skin: QColor, iris: QColor) -> None:
        self.lip = mix(mix(skin, _ROSE, 0.45), _INK, 0.12)
        self.lip_line = mix(mix(skin, _ROSE, 0.3), _INK, 0.55)
        self.mouth_dark = mix(QColor("#5a1e26"), _INK, 0.25)
        self.teeth = QColor("#fbf8f2")
        self.tongue = QColor("#e3727c")
        self.sclera = QColor("#fdfbf8")
        self.lash = mix(_INK, skin, 0.08)
        self.iris_brush = QBrush(_iris_gradient(iris))
        self.pupil = mix(iris, _INK, 0.85)
        blush = QRadialGradient(QPointF(0.0, 0.0), 13.0)
        blush.setColorAt(0.0, mix(_ROSE, skin, 0.25, alpha=0.42))
        blush.setColorAt(1.0, mix(_ROSE, skin, 0.25, alpha=0.0))
        self.blush: dict[float, QBrush] = {}
        for side in (-1.0, 1.0):
            brush = QBrush(blush)
            brush.setTransform(QTransform(1.0, 0.0, 0.0, 0.62, side * g.CHEEK_X, g.CHEEK_Y))
            self.blush[side] = brush
        self.nose_pen = pen(mix(skin, _INK, 0.4, alpha=0.8), 2.0)
        self.lash_pen = pen(self.lash, 2.6)
        sclera = QLinearGradient(0.0, -g.EYE_RY, 0.0, g.EYE_RY * 0.4)
        sclera.setColorAt(0.0, mix(self.sclera, skin, 0.55))
        sclera.setColorAt(0.45, self.sclera)
        sclera.setColorAt(1.0, self.sclera)
        self.sclera_brush = QBrush(sclera)
        self.lower_lid_pen = pen(mix(skin, _INK, 0.45, alpha=0.45), 1.0)
        self.lower_lip_pen = pen(mix(self.lip, skin, 0.35, alpha=0.8), 2.4)

    def _hair(self, hair: QColor, shapes: HairShapes) -> None:
        self.shapes = shapes
        self.hair = hair
        self.hair_line = mix(hair, _INK, 0.6)
        grad = QLinearGradient(0.0, -86.0, 0.0, 40.0)
        grad.setColorAt(0.0, mix(hair, _WHITE, 0.14))
        grad.setColorAt(0.5, hair)
        grad.setColorAt(1.0, mix(hair, _INK, 0.3))
        self.hair_brush = QBrush(grad)
        back = QLinearGradient(0.0, -90.0, 0.0, 150.0)
        back.setColorAt(0.0, mix(hair, _INK, 0.08))
        back.setColorAt(1.0, mix(hair, _INK, 0.3))
        self.hair_back_brush = QBrush(back)
        self.strand_pen = pen(mix(hair, _INK, 0.45, alpha=0.55), 1.5)
        self.sheen_pen = pen(mix(hair, _WHITE, 0.6, alpha=0.35), 3.0)
        self.hair_pen = pen(self.hair_line, OUTLINE)
        self.scalp_pen = pen(mix(self.skin_light, _WHITE, 0.3, alpha=0.8), 4.0)
        self.brow = mix(hair, _INK, 0.35) if self.look.hair_style != "bald" else self.skin_line
        lighter = hair.lightnessF() > 0.6
        self.brow = mix(self.brow, _INK, 0.35) if lighter else self.brow

    def _cloth(self, cloth: QColor) -> None:
        self.cloth = cloth
        self.cloth_line = mix(cloth, _INK, 0.6)
        self.cloth_shade = mix(cloth, _INK, 0.22)
        self.cloth_pen = pen(self.cloth_line, OUTLINE)
        self.fold_pen = pen(mix(cloth, _INK, 0.4, alpha=0.5), 1.6)
        self.trim = mix(cloth, _INK, 0.12) if cloth.lightnessF() > 0.35 else mix(cloth, _WHITE, 0.1)
        grad = QLinearGradient(g.CX - 80.0, 230.0, g.CX + 70.0, 360.0)
        grad.setColorAt(0.0, mix(cloth, _WHITE, 0.12))
        grad.setColorAt(0.6, cloth)
        grad.setColorAt(1.0, self.cloth_shade)
        self.cloth_brush = QBrush(grad)
        self.long_sleeves = self.look.shirt_style != "tee"
        self.sleeve_width = LONG_SLEEVE_W if self.long_sleeves else SLEEVE_W
        self.sleeve_pen = pen(self.cloth_brush, self.sleeve_width)
        self.sleeve_outline_pen = pen(self.cloth_line, self.sleeve_width + 2 * OUTLINE)
        self.hem_pen = pen(self.cloth_line, 1.6)
        self.trim_pen = pen(self.trim, 4.0)
        self.torso = shapes.torso_path(self.look.shirt_style)
        self.neck = shapes.neck_path()
        self.folds = shapes.folds_path()


def _iris_gradient(iris: QColor) -> QRadialGradient:
    grad = QRadialGradient(QPointF(0.0, 2.0), 9.0, QPointF(0.0, 4.0))
    grad.setColorAt(0.0, mix(iris, _WHITE, 0.35))
    grad.setColorAt(0.7, iris)
    grad.setColorAt(1.0, mix(iris, _INK, 0.55))
    return grad
