"""The app's own icon (window, taskbar, dock), loaded from the PNGs scripts/make_icons.py draws."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

ICON_NAME = "avatar-desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def resources_dir() -> Path:
    """Where the shipped resources are: inside a PyInstaller bundle, or beside the source tree."""
    if getattr(sys, "frozen", False):
        bundle = getattr(sys, "_MEIPASS", None)  # other freezers put data beside the executable
        base = Path(bundle) if bundle else Path(sys.executable).resolve().parent
        return base / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def icon_path(size: int) -> Path:
    """The PNG for one size, so tests and packaging name the files the same way."""
    return resources_dir() / "icons" / f"{ICON_NAME}-{size}.png"


def app_icon() -> QIcon:
    """Every size the icon was drawn at, so Qt never scales a big PNG down into mush."""
    icon = QIcon()
    missing: list[str] = []
    for size in ICON_SIZES:
        path = icon_path(size)
        try:
            found = path.is_file()
        except OSError:  # an unreadable folder is a missing icon, not a crash at start-up
            found = False
        if found:
            icon.addFile(str(path), QSize(size, size))
        else:
            missing.append(path.name)
    if missing:
        _warn_missing(str(resources_dir() / "icons"), ", ".join(missing))
    return QIcon() if len(missing) == len(ICON_SIZES) else icon


@functools.cache
def _warn_missing(folder: str, names: str) -> None:
    """Say once per folder that the icon is incomplete, not on every window that asks for it."""
    log.warning("App icon files missing in %s: %s", folder, names)
