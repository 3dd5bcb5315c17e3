"""The drawn avatar: each pose changes the pixels where it should, and only there."""

from __future__ import annotations

import json
import time
from dataclasses import fields, replace

import numpy as np
import pytest
from PySide6.QtCore import QRectF, QSize, QSizeF
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from avatar_desktop.avatar.pose import NEUTRAL, Pose
from avatar_desktop.ui.avatar import (
    CLOTHING_COLOURS,
    EYE_COLOURS,
    HAIR_COLOURS,
    HAIR_STYLES,
    SKIN_TONES,
    AvatarView,
    Look,
    render_to_image,
)

SIZE = QSize(400, 320)
REGION_NAMES = ("mouth", "eyes", "brows", "right_arm", "hair")
# Visible, in-range values for each Pose field (the wave's forearm only shows with the arm up).
FIELD_VALUES: dict[str, float] = {
    "jaw_open": 0.9,
    "mouth_wide": 1.0,
    "lips_pressed": 1.0,
    "lip_bite": 1.0,
    "tongue": 1.0,
    "smile": 1.0,
    "brow_raise": 1.0,
    "brow_inner": 1.0,
    "blink": 1.0,
    "eye_wide": 1.0,
    "gaze_x": -1.0,
    "gaze_y": 1.0,
    "head_roll": 10.0,
    "head_pitch": 1.0,
    "head_yaw": 1.0,
    "breath": 1.0,
    "shoulders_up": 1.0,
    "right_arm_raise": 1.0,
    "right_forearm": 1.0,
    "point": 1.0,
    "palms_open": 1.0,
    "lean": 1.0,
}


def pixels(image: QImage) -> np.ndarray:
    """The image as a (height, width, 4) array, honouring the row padding."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    height, width, stride = image.height(), image.width(), image.bytesPerLine()
    flat = np.frombuffer(image.constBits(), dtype=np.uint8, count=height * stride)
    return flat.reshape(height, stride)[:, : width * 4].reshape(height, width, 4).copy()


def render(
    pose: Pose,
    look: Look | None = None,
    *,
    state_label: str = "",
    caption: str = "",
    error: bool = False,
) -> np.ndarray:
    image = render_to_image(pose, SIZE, look, state_label=state_label, caption=caption, error=error)
    return pixels(image)


def area(array: np.ndarray, rect: QRectF, dpr: float = 1.0) -> np.ndarray:
    r = QRectF(rect.x() * dpr, rect.y() * dpr, rect.width() * dpr, rect.height() * dpr)
    box = r.toAlignedRect()
    top, left = max(box.top(), 0), max(box.left(), 0)
    return array[top : box.bottom() + 1, left : box.right() + 1].astype(np.int16)


def changed_pixels(a: np.ndarray, b: np.ndarray, rect: QRectF) -> int:
    """How many pixels in ``rect`` differ clearly (more than antialiasing noise)."""
    diff = np.abs(area(a, rect) - area(b, rect)).max(axis=2)
    return int((diff > 24).sum())


def same(a: np.ndarray, b: np.ndarray, rect: QRectF) -> bool:
    return bool(np.array_equal(area(a, rect), area(b, rect)))


@pytest.fixture
def regions(qtbot: QtBot) -> dict[str, QRectF]:
    view = AvatarView()
    qtbot.addWidget(view)
    return view.regions(SIZE)


def test_regions_are_named_inside_the_view_and_do_not_overlap(
    regions: dict[str, QRectF],
) -> None:
    assert set(REGION_NAMES) <= set(regions)
    bounds = QRectF(0, 0, SIZE.width(), SIZE.height())
    for name in REGION_NAMES:
        assert bounds.contains(regions[name]), name
        assert regions[name].width() > 10 and regions[name].height() > 10
    for a in REGION_NAMES:
        for b in REGION_NAMES:
            if a < b:
                assert not regions[a].intersects(regions[b]), (a, b)


def test_open_vowel_and_closed_lips_differ_only_at_the_mouth(
    regions: dict[str, QRectF],
) -> None:
    aa = render(Pose(jaw_open=0.9))
    pp = render(Pose(lips_pressed=1.0))
    assert changed_pixels(aa, pp, regions["mouth"]) > 60
    for name in ("eyes", "brows", "hair", "right_arm"):
        assert same(aa, pp, regions[name]), name


def test_raised_brows_move_the_brows_not_the_mouth(regions: dict[str, QRectF]) -> None:
    raised = render(Pose(brow_raise=1.0))
    rest = render(NEUTRAL)
    assert changed_pixels(raised, rest, regions["brows"]) > 40
    assert same(raised, rest, regions["mouth"])
    assert same(raised, rest, regions["right_arm"])


def test_wave_raises_the_right_arm_beside_the_head(regions: dict[str, QRectF]) -> None:
    wave = render(Pose(right_arm_raise=1.0))
    rest = render(NEUTRAL)
    assert changed_pixels(wave, rest, regions["right_arm"]) > 300
    for name in ("mouth", "eyes", "brows", "hair"):
        assert same(wave, rest, regions[name]), name


def test_blink_closes_the_eyes(regions: dict[str, QRectF]) -> None:
    closed = render(Pose(blink=1.0))
    open_ = render(NEUTRAL)
    assert changed_pixels(closed, open_, regions["eyes"]) > 40
    assert same(closed, open_, regions["mouth"])

    def white(array: np.ndarray) -> int:
        eyes = area(array, regions["eyes"])
        return int((eyes[..., :3].min(axis=2) > 235).sum())  # the whites of the eyes

    assert white(open_) > 40
    assert white(closed) < white(open_) // 10


def test_the_same_pose_renders_identically() -> None:
    pose = Pose(jaw_open=0.4, smile=0.6, gaze_x=0.3, head_roll=4.0, right_arm_raise=0.7)
    first, second = render(pose), render(pose)
    assert np.array_equal(first, second)


def test_looks_differ_in_the_hair(regions: dict[str, QRectF]) -> None:
    default = render(NEUTRAL)
    other = render(NEUTRAL, Look(hair_style="curly", hair_colour=HAIR_COLOURS[5].colour))
    assert changed_pixels(default, other, regions["hair"]) > 200
    assert same(default, other, regions["mouth"])


@pytest.mark.parametrize("name", [f.name for f in fields(Pose)])
def test_every_pose_field_changes_the_picture(name: str) -> None:
    base = Pose(right_arm_raise=1.0) if name == "right_forearm" else NEUTRAL
    moved = replace(base, **{name: FIELD_VALUES[name]})
    assert changed_pixels(render(base), render(moved), QRectF(0, 0, 400, 320)) > 20


def test_error_state_mutes_the_picture_and_differs_from_every_other_state() -> None:
    normal = render(NEUTRAL)
    thinking = render(NEUTRAL, state_label="Thinking…")
    failed = render(NEUTRAL, state_label="Offline", error=True)
    whole = QRectF(0, 0, 400, 320)
    assert changed_pixels(normal, failed, whole) > 5000
    assert changed_pixels(thinking, failed, whole) > 5000

    def saturation(array: np.ndarray) -> float:
        rgb = array[..., :3].astype(np.float64)
        return float((rgb.max(axis=2) - rgb.min(axis=2)).mean())

    assert saturation(failed) < saturation(normal) * 0.8


def test_caption_and_state_chip_draw_over_the_picture() -> None:
    plain = render(NEUTRAL)
    chip = render(NEUTRAL, state_label="Listening…")
    caption = render(NEUTRAL, caption="A sentence long enough to wrap onto a second line " * 4)
    top_left = QRectF(0, 0, 140, 40)
    bottom = QRectF(0, 230, 400, 90)
    assert changed_pixels(plain, chip, top_left) > 50
    assert same(plain, chip, bottom)
    assert changed_pixels(plain, caption, bottom) > 500
    assert same(plain, caption, top_left)


def test_high_dpi_renders_at_device_resolution(regions: dict[str, QRectF]) -> None:
    image = render_to_image(Pose(jaw_open=0.9), SIZE, dpr=2.0)
    assert (image.width(), image.height()) == (800, 640)
    assert image.devicePixelRatio() == 2.0
    sharp = pixels(image)
    closed = pixels(render_to_image(Pose(lips_pressed=1.0), SIZE, dpr=2.0))
    mouth = np.abs(area(sharp, regions["mouth"], 2.0) - area(closed, regions["mouth"], 2.0))
    assert int((mouth.max(axis=2) > 24).sum()) > 4 * 60


def test_view_api_stores_pose_look_and_overlays(qtbot: QtBot) -> None:
    view = AvatarView()
    qtbot.addWidget(view)
    pose = Pose(smile=1.0)
    view.set_pose(pose)
    view.set_look(Look(hair_style="bun"))
    view.set_state_label("Thinking…")
    view.set_caption("Hello there.")
    view.set_error(True)
    assert view.pose() == pose
    assert view.look().hair_style == "bun"
    assert (view.state_label(), view.caption(), view.error()) == ("Thinking…", "Hello there.", True)
    assert view.sizeHint() == QSize(360, 300)
    assert view.minimumSizeHint().width() <= 200
    assert set(REGION_NAMES) <= set(view.regions(QSizeF(320, 240)))


def test_sixty_paints_at_640x480_stay_inside_the_frame_budget(qtbot: QtBot) -> None:
    view = AvatarView()
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.set_caption("Here are three tips for better sleep tonight.")
    image = QImage(640, 480, QImage.Format.Format_ARGB32_Premultiplied)
    poses = [
        Pose(jaw_open=(i % 9) / 9, smile=0.5, right_arm_raise=0.8, right_forearm=(i % 5 - 2) / 2)
        for i in range(60)
    ]
    view.render(image)  # the first paint builds the caches
    start = time.perf_counter()
    for pose in poses:
        view.set_pose(pose)
        view.render(image)
    assert time.perf_counter() - start < 0.6


def test_look_round_trips_through_json_and_ignores_bad_values() -> None:
    look = Look(
        skin=SKIN_TONES[-1].colour,
        hair_style="long",
        hair_colour=HAIR_COLOURS[0].colour,
        eye_colour=EYE_COLOURS[3].colour,
        clothing_colour=CLOTHING_COLOURS[4].colour,
        shirt_style="collar",
    )
    stored = json.loads(json.dumps(look.to_dict()))
    assert Look.from_dict(stored) == look
    bad = {"skin": "pink", "hair_style": "mohawk", "eye_colour": 3, "extra": "x"}
    assert Look.from_dict(bad) == Look()
    assert Look.from_dict(None) == Look()
    assert Look.from_dict({"hair_colour": "#ABCDEF"}).hair_colour == "#abcdef"


def test_palettes_offer_enough_choices() -> None:
    assert len(SKIN_TONES) >= 6
    assert {"short", "long", "curly", "bun"} <= set(HAIR_STYLES)
    lightness = [sum(int(s.colour[i : i + 2], 16) for i in (1, 3, 5)) for s in SKIN_TONES]
    assert lightness == sorted(lightness, reverse=True)  # light to deep
    for palette in (SKIN_TONES, HAIR_COLOURS, EYE_COLOURS, CLOTHING_COLOURS):
        assert len({s.colour for s in palette}) == len(palette)
