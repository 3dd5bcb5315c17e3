"""Files derived once from a package's model and kept in the user cache dir."""

from __future__ import annotations

import contextlib
from pathlib import Path


def forget(path: Path) -> None:
    """Drop a cached copy (unreadable, or superseded); the next start makes it again."""
    with contextlib.suppress(OSError):
        path.unlink()


def remove_older(keep: Path, pattern: str) -> None:
    """Other copies matching ``pattern`` beside ``keep`` are never read again: the cache stays
    bounded."""
    for old in keep.parent.glob(pattern):
        if old != keep:
            forget(old)
