"""Atomic file writes live in ``core.atomic`` (providers use them too); storage keeps its names."""

from avatar_desktop.core.atomic import (
    TEMP_SUFFIX,
    atomic_write_bytes,
    atomic_write_text,
    move_aside,
)

__all__ = ["TEMP_SUFFIX", "atomic_write_bytes", "atomic_write_text", "move_aside"]
