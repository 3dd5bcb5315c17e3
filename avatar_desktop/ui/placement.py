"""Where the companion window may sit: kept on a visible screen, remembered per screen.

Pure geometry on QRect/QPoint/QSize, so every case is testable without a live window."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence

from PySide6.QtCore import QRect, QSize

MARGIN = 24  # from the screen's edges, where a companion sits by default
MIN_SIZE = QSize(160, 160)
ASPECT_RANGE = (0.6, 1.8)  # height / width: from a wide bust to a tall one, never a sliver


def _area(rect: QRect) -> int:
    return max(rect.width(), 0) * max(rect.height(), 0)


def is_visible_enough(rect: QRect, screens: Sequence[QRect]) -> bool:
    """A third of the window is on one screen, so the user can see and grab it."""
    if rect.isEmpty():
        return False
    best = max((_area(rect.intersected(screen)) for screen in screens), default=0)
    return best * 3 >= _area(rect)


def home_place(size: QSize, screen: QRect) -> QRect:
    """The companion's usual home: the bottom-right corner of ``screen``, inside a margin."""
    fitted = fit_size(size, screen)
    margin_x = min(MARGIN, max((screen.width() - fitted.width()) // 2, 0))
    margin_y = min(MARGIN, max((screen.height() - fitted.height()) // 2, 0))
    x = screen.x() + screen.width() - fitted.width() - margin_x
    y = screen.y() + screen.height() - fitted.height() - margin_y
    return QRect(x, y, fitted.width(), fitted.height())


def visible_place(rect: QRect, screens: Sequence[QRect], preferred: QRect | None = None) -> QRect:
    """``rect`` if enough of it is on a screen, else the same size at home on ``preferred``
    (or the first screen), shrunk to fit that screen when it is bigger."""
    usable = [screen for screen in screens if not screen.isEmpty()]
    if not usable:
        return QRect(rect)
    if is_visible_enough(rect, usable):
        return QRect(rect)
    target = preferred if preferred is not None and not preferred.isEmpty() else usable[0]
    return home_place(rect.size(), target)


def fit_size(size: QSize, screen: QRect) -> QSize:
    """At least the minimum, at most the screen (the minimum wins on a tiny screen)."""
    width = max(min(size.width(), screen.width()), MIN_SIZE.width())
    height = max(min(size.height(), screen.height()), MIN_SIZE.height())
    return QSize(width, height)


def companion_size(requested: QSize, available: QSize) -> QSize:
    """A size a corner drag may give: within min and the screen, and a sensible shape."""
    low, high = ASPECT_RANGE
    width = max(MIN_SIZE.width(), min(requested.width(), available.width()))
    height = max(MIN_SIZE.height(), min(requested.height(), available.height()))
    height = min(max(height, round(width * low)), round(width * high))
    height = max(MIN_SIZE.height(), min(height, available.height()))
    width = min(max(width, round(height / high)), round(height / low))
    width = max(MIN_SIZE.width(), min(width, available.width()))
    return QSize(width, height)


def screen_key(name: str, geometry: QRect) -> str:
    """One key per monitor and arrangement: the same name at another place is another home."""
    g = geometry
    return f"{name}@{g.x()},{g.y()},{g.width()}x{g.height()}"


def remember(places: MutableMapping[str, str], key: str, rect: QRect) -> None:
    """Store ``rect`` compactly ("x,y,w,h") for the settings JSON."""
    places[key] = f"{rect.x()},{rect.y()},{rect.width()},{rect.height()}"


def recall(places: Mapping[str, object], key: str) -> QRect | None:
    """The stored place for ``key``; None when absent or not a valid "x,y,w,h"."""
    text = places.get(key)
    if not isinstance(text, str):
        return None
    parts = text.split(",")
    if len(parts) != 4:
        return None
    try:
        x, y, w, h = (int(part.strip()) for part in parts)
    except ValueError:
        return None
    if w <= 0 or h <= 0 or max(abs(x), abs(y), w, h) > 1_000_000:
        return None
    return QRect(x, y, w, h)
