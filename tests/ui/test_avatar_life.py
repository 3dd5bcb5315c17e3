"""Life as drawn: the weight shift sways the upper body in one piece; the eyes look where told."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSizeF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from avatar_desktop.avatar.look import Look
from avatar_desktop.avatar.pose import NEUTRAL, Pose
from avatar_desktop.avatar.rig import Rig
from avatar_desktop.ui.avatar import geometry as g
from avatar_desktop.ui.avatar import render_to_image
from tests.ui.test_avatar_view import area, pixels

SIZE = (400, 400)
START = 1000.0


def render(pose: Pose) -> np.ndarray:
    return pixels(render_to_image(pose, SIZE))


def centre_x(mask: np.ndarray, rect: QRectF) -> float:
    """Mean column of the ``mask`` pixels, in widget coordinates."""
    _, cols = np.nonzero(mask)
    assert len(cols) > 20, "too few pixels to place"
    return float(cols.mean()) + max(rect.toAlignedRect().left(), 0)


def test_lean_sways_the_head_and_keeps_the_neck_joined(qapp: QApplication) -> None:
    regions = g.regions(QSizeF(*SIZE))
    band = regions["eyes"].united(regions["hair"])
    band = QRectF(0.0, band.top(), SIZE[0], band.height())
    fit = g.fit_transform(QSizeF(*SIZE))
    backdrop = render(NEUTRAL)[5, 5, :3].astype(np.int16)
    xs = {}
    for lean in (-1.0, 0.0, 1.0):
        pose = Pose(lean=lean)
        image = render(pose)
        head = np.abs(area(image, band)[..., :3] - backdrop).max(axis=2) > 40
        xs[lean] = centre_x(head, band)
        chin = (g.head_transform(pose) * fit).map(QPointF(0.0, g.HEAD_CHIN - 4.0))
        base = (g.body_transform(pose) * fit).map(QPointF(g.CX, g.NECK_BASE_Y + 4.0))
        for share in np.linspace(0.0, 1.0, 25):  # from the chin down the neck into the shirt
            at = chin + (base - chin) * float(share)
            pixel = image[round(at.y()), round(at.x()), :3].astype(np.int16)
            assert np.abs(pixel - backdrop).max() > 40, (lean, share, "a gap at the neck")
    assert xs[1.0] > xs[0.0] + 3.0 and xs[-1.0] < xs[0.0] - 3.0
    assert abs((xs[1.0] - xs[0.0]) + (xs[-1.0] - xs[0.0])) < 1.0, "symmetric"


def test_looking_to_the_viewers_right_moves_the_pupils_right(qapp: QApplication) -> None:
    rig = Rig(rng=random.Random(3))
    rig.pose(START)
    rig.look_at((1.0, 0.0), START)
    looking = replace(rig.pose(START + 2.0), blink=0.0)
    assert looking.gaze_x > 0.0 and looking.head_yaw > 0.0
    eyes = g.regions(QSizeF(*SIZE))["eyes"]
    colour = QColor(Look().eye_colour)
    iris = np.array([colour.red(), colour.green(), colour.blue()], dtype=np.int16)

    def pupils_x(pose: Pose) -> float:
        rgb = area(render(pose), eyes)[..., 2::-1]  # BGRA in memory, RGB here
        dark = rgb.max(axis=2) < 70
        near_iris = np.abs(rgb - iris).max(axis=2) < 45
        return centre_x(dark | near_iris, eyes)

    still = replace(looking, gaze_x=0.0, gaze_y=0.0, head_yaw=0.0, head_pitch=0.0)
    assert pupils_x(looking) > pupils_x(still) + 2.0
    assert pupils_x(replace(looking, head_yaw=0.0)) > pupils_x(still) + 1.0, "eyes alone"
