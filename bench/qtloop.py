"""Driving the real window's event loop from a benchmark, without blocking it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def spin(qt_app: Any, until: Callable[[], object], seconds: float) -> None:
    """Process events until ``until()`` is true; a step that never finishes fails loudly."""
    deadline = time.perf_counter() + seconds
    while not until():
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark step timed out")
        qt_app.processEvents()
        time.sleep(0.001)


def wait_events(qt_app: Any, until: Callable[[], object], seconds: float) -> None:
    """Like :func:`spin`, but waiting for events as ``exec()`` does instead of sleeping.

    A sleep between passes would be counted in every gap a stall clock measures.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.perf_counter() + seconds
    wake = QTimer()
    wake.setInterval(5)  # check ``until`` at least this often, even with nothing to do
    wake.start()
    try:
        while not until():
            if time.perf_counter() > deadline:
                raise TimeoutError("benchmark step timed out")
            qt_app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        wake.stop()
