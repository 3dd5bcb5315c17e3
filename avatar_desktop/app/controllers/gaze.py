"""Where the character looks at rest: at the cursor when it moves, at the message being typed.

A slow poll (a few times a second) of the cursor and the focused input is enough: the rig eases
eyes and head toward the target itself, so this costs nothing per frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QWidget

from avatar_desktop.avatar.rig import Rig

POLL_MS = 100
CURSOR_HOLD_S = 2.5  # after the cursor stops, the character keeps looking there this long
TYPING_HOLD_S = 4.0  # after the last keystroke, it keeps watching the message this long
HEAD_AT = (0.5, 0.42)  # the face's centre in the avatar widget, as fractions of its size
REACH = 0.5  # a target this many widget-heights away is at the edge of the gaze range


def toward(head: QPoint, target: QPoint, height: int) -> tuple[float, float]:
    """``target`` as the rig wants it: x right, y up, about ±1 at ``REACH`` heights away."""
    scale = max(1.0, REACH * height)
    x = (target.x() - head.x()) / scale
    y = (head.y() - target.y()) / scale
    return (max(-1.0, min(1.0, x)), max(-1.0, min(1.0, y)))


class Gaze(QObject):
    """Polls the cursor and typing; tells the rig where to look (``None``: at the viewer)."""

    def __init__(
        self,
        rig: Rig,
        avatar: QWidget,
        typing_at: Callable[[], QWidget | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.rig, self.avatar, self._typing_at = rig, avatar, typing_at
        self._cursor = QCursor.pos()
        self._cursor_moved = -1e9
        self._typed = -1e9
        self.target: tuple[float, float] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.update)
        self._timer.start()

    def typed(self) -> None:
        """The user pressed a key in a message field."""
        self._typed = time.monotonic()

    def update(self) -> None:
        now = time.monotonic()
        cursor = QCursor.pos()
        if cursor != self._cursor:
            self._cursor, self._cursor_moved = cursor, now
        target = self._choose(now)
        if target != self.target:
            self.target = target
            self.rig.look_at(target, now)

    def _choose(self, now: float) -> tuple[float, float] | None:
        if not self.avatar.isVisible() or self.avatar.height() <= 0:
            return None
        size = self.avatar.size()
        head = self.avatar.mapToGlobal(
            QPoint(int(size.width() * HEAD_AT[0]), int(size.height() * HEAD_AT[1]))
        )
        field = self._typing_at()
        if field is not None and now - self._typed < TYPING_HOLD_S and field.isVisible():
            centre = field.mapToGlobal(field.rect().center())
            return toward(head, centre, size.height())
        if now - self._cursor_moved < CURSOR_HOLD_S:
            return toward(head, self._cursor, size.height())
        return None

    def stop(self) -> None:
        self._timer.stop()
