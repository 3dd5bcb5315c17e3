"""Small builders and limits shared by the avatar tests."""

from __future__ import annotations

from collections.abc import Callable

from avatar_desktop.core.speech import Phone, Speech

Synthesize = Callable[[str], list[Speech]]

FRAME = 1.0 / 60.0
# Largest change of a mouth field between two frames: a real mouth closes in about 50 ms, so
# fast articulation may cover half of a field's range per frame, but never jumps all of it.
# Swapping one lip closure for the other across a short word gap ("of my") is the fastest
# move: both shapes keep the mouth shut, only which lip does it changes.
PER_FRAME = {
    "jaw_open": 0.65,
    "mouth_wide": 0.8,
    "lips_pressed": 0.75,
    "lip_bite": 0.75,
    "tongue": 0.65,
}


def phones(*spec: tuple[str, float]) -> list[Phone]:
    """Contiguous phones from (symbol, duration) pairs, starting at 0."""
    out: list[Phone] = []
    t = 0.0
    for symbol, duration in spec:
        out.append(Phone(symbol, t, t + duration))
        t += duration
    return out
