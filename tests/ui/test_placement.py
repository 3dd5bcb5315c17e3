"""Where the companion may sit: on a visible screen, remembered per screen, bad data refused."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize

from avatar_desktop.ui import placement
from avatar_desktop.ui.placement import (
    MARGIN,
    companion_size,
    home_place,
    recall,
    remember,
    screen_key,
    visible_place,
)

PRIMARY = QRect(0, 0, 1920, 1040)  # available geometry: a taskbar takes the bottom 40 px
SECOND = QRect(1920, 0, 1280, 1024)
LEFT = QRect(-1280, 0, 1280, 1024)  # a screen left of the primary: negative coordinates


def fully_on(rect: QRect, screen: QRect) -> bool:
    return screen.contains(rect)


def test_a_window_on_a_screen_stays_where_it_is() -> None:
    rect = QRect(100, 100, 300, 320)
    assert visible_place(rect, [PRIMARY, SECOND]) == rect


def test_a_window_on_the_second_screen_stays_there() -> None:
    rect = QRect(2500, 400, 300, 320)
    assert visible_place(rect, [PRIMARY, SECOND]) == rect


def test_half_on_a_screen_is_visible_enough() -> None:
    rect = QRect(PRIMARY.right() - 150, 100, 300, 320)  # half hangs off the right edge
    assert visible_place(rect, [PRIMARY]) == rect


def test_a_sliver_on_a_screen_comes_home() -> None:
    rect = QRect(PRIMARY.right() - 40, 100, 300, 320)  # 40 px of 300 visible
    place = visible_place(rect, [PRIMARY])
    assert fully_on(place, PRIMARY)
    assert place.size() == rect.size()


def test_fully_off_screen_comes_home_at_the_bottom_right() -> None:
    rect = QRect(5000, 5000, 300, 320)
    place = visible_place(rect, [PRIMARY])
    assert place == QRect(
        PRIMARY.right() + 1 - 300 - MARGIN, PRIMARY.bottom() + 1 - 320 - MARGIN, 300, 320
    )


def test_on_a_removed_second_screen_it_comes_to_the_first() -> None:
    on_second = QRect(2500, 600, 300, 320)
    place = visible_place(on_second, [PRIMARY])  # the second screen is gone from the list
    assert fully_on(place, PRIMARY)
    assert place.size() == on_second.size()


def test_the_preferred_screen_wins_over_the_first() -> None:
    place = visible_place(QRect(9000, 0, 300, 320), [PRIMARY, SECOND], preferred=SECOND)
    assert fully_on(place, SECOND)


def test_bigger_than_the_screen_is_shrunk_to_fit() -> None:
    small = QRect(0, 0, 800, 600)
    place = visible_place(QRect(4000, 0, 1200, 900), [small])
    assert fully_on(place, small)
    assert place.size() == QSize(800, 600)


def test_bigger_than_the_screen_but_mostly_on_it_is_kept() -> None:
    rect = QRect(0, 0, 2000, 1100)  # most of it is on the primary: the user chose this
    assert visible_place(rect, [PRIMARY]) == rect


def test_negative_coordinates_on_a_left_screen_are_visible() -> None:
    rect = QRect(-900, 200, 300, 320)
    assert visible_place(rect, [PRIMARY, LEFT]) == rect


def test_negative_coordinates_without_the_left_screen_come_home() -> None:
    place = visible_place(QRect(-900, 200, 300, 320), [PRIMARY])
    assert fully_on(place, PRIMARY)


def test_home_on_a_screen_with_an_offset_origin() -> None:
    place = home_place(QSize(300, 320), LEFT)
    assert fully_on(place, LEFT)
    assert place.right() == LEFT.right() - MARGIN
    assert place.bottom() == LEFT.bottom() - MARGIN


def test_no_screens_leaves_the_rect_alone() -> None:
    rect = QRect(5000, 5000, 300, 320)
    assert visible_place(rect, []) == rect


def test_an_empty_rect_is_placed_at_least_at_the_minimum_size() -> None:
    place = visible_place(QRect(0, 0, 0, 0), [PRIMARY])
    assert place.width() >= placement.MIN_SIZE.width()
    assert fully_on(place, PRIMARY)


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (QSize(50, 50), QSize(160, 160)),  # the minimum holds
        (QSize(5000, 5000), QSize(1733, 1040)),  # screen-high, and not flatter than 0.6
        (QSize(600, 100), QSize(600, 360)),  # too flat: taller, to 0.6 of the width
        (QSize(200, 900), QSize(200, 360)),  # too tall a sliver: as high as 1.8 widths
        (QSize(400, 420), QSize(400, 420)),  # a sensible shape is kept
    ],
)
def test_companion_size_clamps_and_keeps_a_sensible_shape(
    requested: QSize, expected: QSize
) -> None:
    assert companion_size(requested, QSize(1920, 1040)) == expected


def test_screen_keys_tell_apart_names_and_arrangements() -> None:
    assert screen_key("HDMI-1", SECOND) != screen_key("HDMI-1", QRect(0, 0, 1280, 1024))
    assert screen_key("HDMI-1", SECOND) != screen_key("DP-1", SECOND)
    assert screen_key("DP-1", LEFT) == "DP-1@-1280,0,1280x1024"


def test_remember_and_recall_round_trip() -> None:
    places: dict[str, str] = {}
    remember(places, "a", QRect(-900, 12, 300, 320))
    assert places == {"a": "-900,12,300,320"}
    assert recall(places, "a") == QRect(-900, 12, 300, 320)
    assert recall(places, "missing") is None


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "1,2,3",
        "1,2,3,4,5",
        "a,b,c,d",
        "1.5,2,3,4",
        "0,0,0,10",
        "0,0,10,-5",
        "1e9,0,9,9",
        None,
        42,
    ],
)
def test_bad_stored_places_recall_as_none(stored: object) -> None:
    assert recall({"k": stored}, "k") is None
