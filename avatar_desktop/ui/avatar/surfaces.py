"""The kinds of avatar the window can show, by the name the ``avatar_kind`` setting keeps.

Each kind is a factory that builds an avatar surface (``avatar/surface.py``) whose ``widget()``
is a QWidget. The drawn avatar is the default, and the fallback when the chosen kind is unknown
or cannot start (a 3D renderer without OpenGL, say): the app always has an avatar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from avatar_desktop.avatar.surface import AvatarSurface
from avatar_desktop.core import notices
from avatar_desktop.ui.avatar.view import AvatarView

log = logging.getLogger(__name__)

SurfaceFactory = Callable[[], AvatarSurface]
DRAWN = "drawn"

_kinds: dict[str, SurfaceFactory] = {DRAWN: AvatarView}


def register(kind: str, factory: SurfaceFactory) -> None:
    """Make ``kind`` available to the ``avatar_kind`` setting (a later call replaces it)."""
    _kinds[kind] = factory


def unregister(kind: str) -> None:
    """Forget ``kind`` (tests); the drawn avatar always stays."""
    if kind != DRAWN:
        _kinds.pop(kind, None)


def kinds() -> tuple[str, ...]:
    """The kinds that can be chosen, the drawn avatar first."""
    return (DRAWN, *sorted(k for k in _kinds if k != DRAWN))


def build(kind: str) -> AvatarSurface:
    """A new surface of ``kind``; the drawn avatar (and a notice) when that kind cannot be had."""
    factory = _kinds.get(kind)
    if factory is None:
        log.warning("unknown avatar kind %r; showing the drawn avatar", kind)
        notices.warning(f'The avatar "{kind}" is not available; the drawn avatar is shown.')
        return AvatarView()
    try:
        surface = factory()
    except Exception:  # a renderer that fails to start must not take the window with it
        if kind == DRAWN:
            raise
        log.warning("the %r avatar could not start; showing the drawn avatar", kind, exc_info=True)
        notices.warning(f'The avatar "{kind}" could not start; the drawn avatar is shown.')
        return AvatarView()
    if not isinstance(surface.widget(), QWidget):
        raise TypeError(f"the {kind!r} avatar's widget() is not a QWidget")
    return surface
