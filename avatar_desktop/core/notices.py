"""The one message bridge for user-facing notices, callable from any layer and any thread.

A notice may offer actions (Retry, Settings…), may have its words updated while it shows (a
countdown) and may be withdrawn once it no longer holds. Notices raised before the window
exists are kept and delivered, in order, when a sink is installed.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

log = logging.getLogger(__name__)


class Level(Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Change(Enum):
    """What happens to a notice: shown anew, its words updated, or taken back."""

    SHOWN = "shown"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Action:
    """A button on a notice: pressing it hides the notice and runs ``run`` (on the GUI thread)."""

    label: str
    run: Callable[[], object]


@dataclass(frozen=True, slots=True)
class Notice:
    """What the user is told; ``id`` ties an update or a withdrawal to the notice it changes."""

    level: Level
    text: str
    actions: tuple[Action, ...] = ()
    id: int = 0


Sink = Callable[[Change, Notice], None]

_lock = threading.Lock()
_sink: Sink | None = None
_pending: list[tuple[Change, Notice]] = []
_ids = itertools.count(1)


def notify(level: Level, text: str, actions: Sequence[Action] = ()) -> Notice:
    """Log ``text`` and show it to the user (now, or once the window is up)."""
    log.info("notice (%s): %s", level.value, text)
    notice = Notice(level, text, tuple(actions), next(_ids))
    _deliver(Change.SHOWN, notice)
    return notice


def info(text: str, actions: Sequence[Action] = ()) -> Notice:
    return notify(Level.INFO, text, actions)


def warning(text: str, actions: Sequence[Action] = ()) -> Notice:
    return notify(Level.WARNING, text, actions)


def error(text: str, actions: Sequence[Action] = ()) -> Notice:
    return notify(Level.ERROR, text, actions)


def update(notice: Notice, text: str) -> Notice:
    """New words for ``notice``, keeping its actions; nothing if it no longer shows."""
    changed = dataclasses.replace(notice, text=text)
    _deliver(Change.UPDATED, changed)
    return changed


def withdraw(notice: Notice) -> None:
    """Hide ``notice`` if it still shows (what it said no longer holds)."""
    _deliver(Change.WITHDRAWN, notice)


def _deliver(change: Change, notice: Notice) -> None:
    with _lock:
        sink = _sink
        if sink is None:
            _pending.append((change, notice))
            return
    sink(change, notice)


def install(sink: Sink | None) -> None:
    """Connect the UI (or None to disconnect); flushes what was kept meanwhile."""
    global _sink
    with _lock:
        _sink = sink
        pending = list(_pending) if sink else []
        if sink:
            _pending.clear()
    for change, notice in pending:
        if sink:
            sink(change, notice)
