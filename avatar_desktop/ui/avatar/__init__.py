"""The drawn avatar: a Qt-only renderer of the rig's Pose, with a look the user can change."""

from __future__ import annotations

from avatar_desktop.avatar.look import (
    CLOTHING_COLOURS,
    EYE_COLOURS,
    HAIR_COLOURS,
    HAIR_STYLES,
    SHIRT_STYLES,
    SKIN_TONES,
    Look,
    Swatch,
)
from avatar_desktop.ui.avatar.view import AvatarRenderer, AvatarView, render_to_image

__all__ = [
    "CLOTHING_COLOURS",
    "EYE_COLOURS",
    "HAIR_COLOURS",
    "HAIR_STYLES",
    "SHIRT_STYLES",
    "SKIN_TONES",
    "AvatarRenderer",
    "AvatarView",
    "Look",
    "Swatch",
    "render_to_image",
]
