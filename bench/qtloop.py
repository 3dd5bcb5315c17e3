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
