"""The one message bridge for user-facing notices, callable from any layer and any thread.

Notices raised before the window exists are kept and delivered when a sink is installed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum

log = logging.getLogger(__name__)


class Level(Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


Sink = Callable[[Level, str], None]

_lock = threading.Lock()
_sink: Sink | None = None
_pending: list[tuple[Level, str]] = []


def notify(level: Level, text: str) -> None:
    """Log ``text`` and show it to the user (now, or once the window is up)."""
    log.info("notice (%s): %s", level.value, text)
    with _lock:
        sink = _sink
        if sink is None:
            _pending.append((level, text))
            return
    sink(level, text)


def info(text: str) -> None:
    notify(Level.INFO, text)


def warning(text: str) -> None:
    notify(Level.WARNING, text)


def error(text: str) -> None:
    notify(Level.ERROR, text)


def install(sink: Sink | None) -> None:
    """Connect the UI (or None to disconnect); flushes what was kept meanwhile."""
    global _sink
    with _lock:
        _sink = sink
        pending = list(_pending) if sink else []
        if sink:
            _pending.clear()
    for level, text in pending:
        if sink:
            sink(level, text)
