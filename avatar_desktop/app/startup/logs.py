"""Logging to a rotating file in the user log dir; never print, never log keys or message text."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from avatar_desktop.storage.secrets import KeyStore, RedactingFilter

LOG_FILE = "avatar-desktop.log"


def setup_logging(folder: Path, *, level: int = logging.INFO) -> Path | None:
    """Send the app's logs to a rotating file; returns its path (None if it cannot be opened)."""
    root = logging.getLogger("avatar_desktop")
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_avatar_desktop", False):
            root.removeHandler(handler)
            handler.close()
    path = folder / LOG_FILE
    try:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler._avatar_desktop = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path


def install_redaction(keys: KeyStore) -> None:
    """Scrub every known key from every record our log handlers write, whoever logged it."""
    for logger in (logging.getLogger(), logging.getLogger("avatar_desktop")):
        for handler in logger.handlers:
            handler.filters = [f for f in handler.filters if not isinstance(f, RedactingFilter)]
            handler.addFilter(RedactingFilter(keys))
