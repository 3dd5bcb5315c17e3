"""Talking frames repaint the face only; what they leave on screen is what a full paint shows."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QObject, QRect, QSize, QSizeF
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from avatar_desktop.avatar.pose import NEUTRAL, Pose
from avatar_desktop.ui.avatar import dirty
from avatar_desktop.ui.avatar.view import AvatarView

SIZE = QSizeF(1400.0, 1100.0)


def test_a_mouth_movement_repaints_the_face_only() -> None:
    rect = dirty.face_rect(NEUTRAL, dataclasses.replace(NEUTRAL, jaw_open=0.6, blink=1.0), SIZE)
    assert rect is not None
    view = QRect(0, 0, 1400, 1100)
    assert view.contains(rect.toAlignedRect())
    assert rect.width() * rect.height() < 0.2 * view.width() * view.height()
    with_mouth = AvatarView().regions(SIZE.toSize())
    assert rect.contains(with_mouth["mouth"]) and rect.contains(with_mouth["eyes"])
    assert rect.contains(with_mouth["brows"])


def test_moving_arms_or_body_repaints_everything() -> None:
    for change in (
        {"right_arm_raise": 0.1},
        {"palms_open": 0.05},
        {"lean": 0.2},
        {"breath": 0.5},
        {"head_roll": 2.0},
        {"head_yaw": 0.3},
    ):
        assert dirty.face_rect(NEUTRAL, dataclasses.replace(NEUTRAL, **change), SIZE) is None
    tiny = dataclasses.replace(NEUTRAL, breath=0.001, jaw_open=0.3)
    assert dirty.face_rect(NEUTRAL, tiny, SIZE) is not None  # a breath's sub-pixel creep


class PaintRects(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())  # type: ignore[attr-defined]
        return False


def differing(a: QImage, b: QImage) -> int:
    count = 0
    for y in range(0, a.height(), 2):
        for x in range(0, a.width(), 2):
            ca, cb = QColor(a.pixel(x, y)), QColor(b.pixel(x, y))
            if max(abs(ca.red() - cb.red()), abs(ca.green() - cb.green())) > 40:
                count += 1
    return count


def test_what_partial_paints_leave_is_what_a_full_paint_shows(qtbot: QtBot) -> None:
    view, fresh = AvatarView(), AvatarView()
    for widget in (view, fresh):
        qtbot.addWidget(widget)
        widget.resize(QSize(1000, 800))
        widget.show()
        qtbot.waitExposed(widget)
    spy = PaintRects()
    view.installEventFilter(spy)
    pose = NEUTRAL
    for step in range(24):  # talking: the mouth, eyes and brows, and a breath creeping up
        pose = Pose(
            jaw_open=(step % 5) / 5,
            mouth_wide=((step % 3) - 1) / 2,
            blink=1.0 if step == 10 else 0.0,
            brow_raise=step / 40,
            gaze_x=step / 48,
            breath=step * 0.0004,
        )
        view.set_pose(pose)
        qtbot.wait(5)
    qtbot.waitUntil(lambda: view.pose() == pose)
    qtbot.wait(30)
    partial = [r for r in spy.rects if not r.contains(view.rect())]
    assert len(partial) > 10  # most frames repainted the face only
    fresh.set_pose(pose)
    qtbot.wait(30)
    # What is on screen (the window's backing store), not grab(), which would paint anew.
    shown = view.screen().grabWindow(view.winId()).toImage()
    full = fresh.screen().grabWindow(fresh.winId()).toImage()
    assert shown.size() == full.size() == QSize(1000, 800)
    assert differing(shown, full) < 20  # no seam, nothing stale
