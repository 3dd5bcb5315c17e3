"""Background work yields the CPU and the GIL to the window, and threads it starts do too."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from pytestqt.qtbot import QtBot

from avatar_desktop.app.workers import ANSWER_NICE, BACKGROUND_NICE, GIL_SWITCH_S, Pools


def niceness_in(qtbot: QtBot, pools: Pools, pool_name: str) -> tuple[int, int]:
    """The nice value of a job on that pool, and of a thread the job starts (as llama.cpp's)."""
    seen: list[tuple[int, int]] = []

    def job(_emit: object) -> tuple[int, int]:
        child: list[int] = []
        thread = threading.Thread(
            target=lambda: child.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        )
        thread.start()
        thread.join()
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), child[0]

    pools.start(getattr(pools, pool_name), job, returned=seen.append)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    return seen[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nice values are Linux's")
def test_heavy_pools_run_below_the_window_but_disk_writes_and_voice_do_not(qtbot: QtBot) -> None:
    pools = Pools()
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    expected = max(mine, BACKGROUND_NICE)
    for name in ("ears", "load"):
        assert niceness_in(qtbot, pools, name) == (expected, expected), name
    # The answer's writer yields to the ears and the voice as well: they are what the user
    # waits on at the end of a spoken turn.
    answer = max(mine, ANSWER_NICE)
    assert niceness_in(qtbot, pools, "turn") == (answer, answer)
    assert niceness_in(qtbot, pools, "disk") == (mine, mine)  # saving must not wait behind a model
    assert niceness_in(qtbot, pools, "voice") == (mine, mine)  # the next sound the user hears
    assert pools.wait(5000)


def test_the_gil_changes_hands_often_enough_for_smooth_frames() -> None:
    Pools()
    assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_S)
