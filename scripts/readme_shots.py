"""Take the README's pictures from the real app (the embedded model answering, the real voice).

    python scripts/readme_shots.py window OUT_DIR     # offscreen: light, dark, mid-gesture
    python scripts/readme_shots.py companion OUT_DIR  # on a real X desktop (readme-shots.sh)

Run through ``scripts/readme-shots.sh``, which starts the PulseAudio null sink (so the voice
really plays) and, for the companion, an Xvfb desktop with a window manager and a compositor.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

QUESTIONS = [
    ("Plan a picnic", "What should I pack for a picnic by the lake?"),
    ("Octopus facts", "Tell me two surprising facts about octopuses."),
]
ASK = "Hi! Could you tell me a little about yourself?"


def spin(qt: QApplication, until: Callable[[], object], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("a step of the screenshots took too long")
        qt.processEvents()
        time.sleep(0.005)


def pause(qt: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    spin(qt, lambda: time.monotonic() > end, seconds + 5)


def build(qt: QApplication):  # type: ignore[no-untyped-def]
    """The real app in a fresh data folder, with a few conversations behind it."""
    os.environ["AVATAR_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="avatar-shots-")
    from avatar_desktop.app.application import AvatarApp
    from avatar_desktop.storage import paths as app_paths

    app = AvatarApp(app_paths.ensure(app_paths.resolve()))
    app.settings.welcomed = True
    app.start()
    spin(qt, lambda: app.ready, 120)
    for title, question in QUESTIONS:
        ask(qt, app, question)
        app.conversation.rename_session(app.conversation.session.id, title)
        app.conversation.new_session()
    return app


def ask(qt: QApplication, app, question: str, *, wait: bool = True) -> None:  # type: ignore[no-untyped-def]
    app.window.input.setPlainText(question)
    app.window.send_button.click()
    if wait:
        spin(qt, lambda: app.conversation.busy or app.stage.speaking, 30)
        spin(qt, lambda: not app.conversation.busy and not app.stage.speaking, 240)


def window_shots(qt: QApplication, out: Path) -> None:
    app = build(qt)
    window = app.window
    window.resize(1440, 900)
    ask(qt, app, ASK, wait=False)
    spin(qt, lambda: app.stage.speaking and app.window.avatar.caption(), 120)
    pause(qt, 1.2)
    for choice in ("light", "dark"):
        app.apply_theme(choice)
        pause(qt, 0.3)
        window.grab().save(str(out / f"window-{choice}.png"))
        print("saved", out / f"window-{choice}.png")
    spin(qt, lambda: not app.conversation.busy and not app.stage.speaking, 240)
    app.apply_theme("light")
    window.set_panels(sidebar=False, chat=False, chat_width=380)
    window.resize(1100, 860)
    pause(qt, 0.5)
    rig = app.speaker.rig
    rig.play_gesture("wave", time.monotonic())
    best = 0.0
    for _ in range(80):  # the wave's highest point
        pause(qt, 0.02)
        lift = rig.pose(time.monotonic()).right_arm_raise
        if lift > best:
            best = lift
            window.stage_area.grab().save(str(out / "gesture.png"))
    print("saved", out / "gesture.png", "arm", round(best, 2))
    window.close()


def companion_shot(qt: QApplication, out: Path) -> None:
    app = build(qt)
    app.window.resize(1180, 760)
    app.window.move(60, 50)
    app.companion.set_on(True)
    screen = qt.primaryScreen().availableGeometry()
    app.companion.view.setGeometry(QRect(screen.right() - 480, screen.bottom() - 560, 420, 500))
    ask(qt, app, ASK, wait=False)
    spin(qt, lambda: app.stage.speaking and app.companion.view.bubble.text(), 120)
    pause(qt, 1.0)
    app.companion.view.show_controls()  # as when the mouse is over it
    print("ready")
    sys.stdout.flush()
    pause(qt, float(os.environ.get("SHOT_HOLD_S", "6")))  # the shell takes the picture now
    app.window.close()


def main(argv: list[str]) -> int:
    what, out = argv[1], Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    qt = QApplication(argv[:1])
    if what == "window":
        window_shots(qt, out)
    else:
        companion_shot(qt, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
