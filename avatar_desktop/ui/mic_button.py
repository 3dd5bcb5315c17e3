"""The microphone button's look while it listens: a red glow that grows with the voice.

One look for the window's composer and the companion's bar."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton

LISTENING_TIP = "Listening… click (or let go) when you are done."
SILENT_DB = -90.0


def show_recording(button: QAbstractButton, recording: bool, idle_tip: str) -> None:
    """The microphone is open (it glows, faintly until a voice is heard) or closed."""
    button.setProperty("recording", recording)
    button.setToolTip(LISTENING_TIP if recording else idle_tip)
    show_level(button, SILENT_DB if recording else None)


def show_level(button: QAbstractButton, level_db: float | None) -> None:
    """How loud the microphone hears the user; None: not listening (the theme's look)."""
    if level_db is None:
        button.setStyleSheet("")
        return
    strength = min(1.0, max(0.0, (level_db + 60.0) / 50.0))
    alpha = int(70 + 185 * strength)
    radius = min(button.width(), button.height()) // 2
    selector = f"{button.metaObject().className()}#{button.objectName()}"
    button.setStyleSheet(
        f"{selector} {{ background: rgba(220, 60, 60, {alpha});"
        f" border-radius: {radius}px; border: 2px solid rgb(200, 40, 40); }}"
    )
