"""The avatar's changeable appearance, kept as plain values so settings can store it as JSON."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, fields
from typing import Any, NamedTuple

log = logging.getLogger(__name__)


class Swatch(NamedTuple):
    """One named choice in a palette, so a settings UI can show a label next to the colour."""

    name: str
    colour: str  # "#rrggbb"


SKIN_TONES: tuple[Swatch, ...] = (
    Swatch("Porcelain", "#f7dcc9"),
    Swatch("Light", "#f0c3a2"),
    Swatch("Warm beige", "#dfa982"),
    Swatch("Olive", "#c9956a"),
    Swatch("Tan", "#b07650"),
    Swatch("Brown", "#8d5a3b"),
    Swatch("Dark brown", "#6b4129"),
    Swatch("Deep", "#4e2e1e"),
)
HAIR_COLOURS: tuple[Swatch, ...] = (
    Swatch("Black", "#2b2222"),
    Swatch("Dark brown", "#4a3024"),
    Swatch("Chestnut", "#7a4630"),
    Swatch("Auburn", "#9c4a2b"),
    Swatch("Copper", "#c2652e"),
    Swatch("Blonde", "#d9b36c"),
    Swatch("Platinum", "#e6dcc4"),
    Swatch("Grey", "#9a9794"),
    Swatch("Blue", "#3f6fb5"),
    Swatch("Pink", "#d777a4"),
)
EYE_COLOURS: tuple[Swatch, ...] = (
    Swatch("Brown", "#6b4226"),
    Swatch("Hazel", "#8a6a35"),
    Swatch("Amber", "#b07a22"),
    Swatch("Green", "#4f8a4a"),
    Swatch("Blue", "#3f7fc0"),
    Swatch("Grey", "#7d8a96"),
    Swatch("Dark", "#3a2a24"),
)
CLOTHING_COLOURS: tuple[Swatch, ...] = (
    Swatch("Teal", "#2f8f8a"),
    Swatch("Blue", "#3b6fc4"),
    Swatch("Navy", "#2c3e66"),
    Swatch("Coral", "#e0705a"),
    Swatch("Mustard", "#d9a93b"),
    Swatch("Forest", "#3f7a4c"),
    Swatch("Plum", "#7a4a8c"),
    Swatch("Charcoal", "#44474f"),
    Swatch("White", "#eeeeea"),
)
HAIR_STYLES: tuple[str, ...] = ("short", "long", "curly", "bun", "bald")
SHIRT_STYLES: tuple[str, ...] = ("tee", "sweater", "collar")

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_CHOICES: dict[str, tuple[str, ...]] = {"hair_style": HAIR_STYLES, "shirt_style": SHIRT_STYLES}


@dataclass(frozen=True, slots=True)
class Look:
    """What the character looks like; every field is a plain string so it round-trips as JSON."""

    skin: str = SKIN_TONES[2].colour
    hair_style: str = "short"
    hair_colour: str = HAIR_COLOURS[2].colour
    eye_colour: str = EYE_COLOURS[0].colour
    clothing_colour: str = CLOTHING_COLOURS[0].colour
    shirt_style: str = "tee"

    def to_dict(self) -> dict[str, str]:
        """Plain values for the settings file."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Look:
        """Read a stored look; anything unknown or malformed falls back to the default."""
        if not isinstance(data, dict):
            return cls()
        values: dict[str, str] = {}
        for field in fields(cls):
            value = data.get(field.name)
            if value is None:
                continue
            if isinstance(value, str) and _valid(field.name, value):
                values[field.name] = value if field.name in _CHOICES else value.lower()
            else:
                # The type, not the value: a deeply nested value cannot even be repr()'d.
                log.info(
                    "Ignoring avatar look %s (%s); using the default",
                    field.name,
                    type(value).__name__,
                )
        return cls(**values)


def _valid(name: str, value: str) -> bool:
    """Whether ``value`` can be drawn for field ``name``."""
    if name in _CHOICES:
        return value in _CHOICES[name]
    return bool(_HEX.match(value))
