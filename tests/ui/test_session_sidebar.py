"""The sidebar draws any saved date, however far off, since it redraws on every message."""

from __future__ import annotations

import math

import pytest
from pytestqt.qtbot import QtBot

from avatar_desktop.core.session import SessionSummary
from avatar_desktop.ui.session_sidebar import SessionSidebar, age

_FAR = [-1e20, -9.2e18, -math.inf, math.inf, math.nan, 1e300, -1e300, 9.2e18]


@pytest.mark.parametrize("updated", _FAR)
def test_age_of_any_float_is_words(updated: float) -> None:
    text = age(updated, now=1_700_000_000.0)
    assert isinstance(text, str) and text


def test_far_past_is_long_ago() -> None:
    assert age(-math.inf, now=1_700_000_000.0) == "long ago"
    assert age(-1e20, now=1_700_000_000.0) == "long ago"


def test_ordinary_dates_unchanged() -> None:
    assert age(1_700_000_000.0 - 30, now=1_700_000_000.0) == "just now"
    assert age(1_700_000_000.0 - 600, now=1_700_000_000.0) == "10 min ago"


def test_sidebar_lists_far_dates(qtbot: QtBot) -> None:
    sidebar = SessionSidebar()
    qtbot.addWidget(sidebar)
    sessions = [SessionSummary(f"s{i}", f"Title {i}", value, 1) for i, value in enumerate(_FAR)]
    sidebar.set_sessions(sessions, current="s0")
    assert sidebar.ids() == [f"s{i}" for i in range(len(_FAR))]
    sidebar.set_sessions(sessions, current="s1")  # a redraw, as after every message
    assert sidebar.title_of("s1") == "Title 1"
