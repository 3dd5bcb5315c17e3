"""The app under fault injection: a random script of user actions, each ack reported at once.

Run as ``python -m tests.faults.child SEED [--clean]`` with ``AVATAR_DESKTOP_HOME`` set. It
prints ``ready``, then ``ack <session id> <text>`` when the app says a message is saved and
``del <session id>`` when the user deletes a conversation, one flushed line each, until the
parent kills it. With ``--clean`` it starts, lists the sessions, and quits normally.
"""

from __future__ import annotations

import os
import random
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.core.session import Message
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.secrets import KeyStore
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.scripted_model import ScriptedModel


def say(line: str) -> None:
    """One line to the parent, flushed now: a kill right after must not lose it."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Script:
    """Random user actions through the window's own signals, 0-300 ms apart."""

    def __init__(self, app: AvatarApp, seed: int) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.seed = seed
        self.count = 0
        self.pending: dict[str, str] = {}  # message text -> session id it was sent in
        app.conversation.user_message_added.connect(self._acked)

    def _acked(self, message: Message) -> None:
        session_id = self.pending.pop(message.content, self.app.conversation.session.id)
        say(f"ack {session_id} {message.content}")

    def step(self) -> None:
        actions = [self.send] * 5 + [self.rename_current] * 3 + [self.persona] * 3
        actions += [self.rename_other, self.switch, self.switch, self.new, self.delete]
        self.rng.choice(actions)()
        QTimer.singleShot(self.rng.randint(0, 300), self.step)

    def _others(self) -> list[str]:
        current = self.app.conversation.session.id
        return [s.id for s in self.app.conversation.summaries() if s.id != current]

    def send(self) -> None:
        self.count += 1
        text = f"m{self.seed}-{self.count}"
        self.pending[text] = self.app.conversation.session.id
        self.app.window.send_requested.emit(text)
        if self.rng.random() < 0.5:  # race the save of that message on purpose
            racer = self.rng.choice([self.rename_current, self.persona])
            QTimer.singleShot(self.rng.randint(0, 20), racer)

    def rename_current(self) -> None:
        title = f"t{self.rng.randint(0, 10**6)}"
        self.app.window.rename_requested.emit(self.app.conversation.session.id, title)

    def rename_other(self) -> None:
        if others := self._others():
            self.app.window.rename_requested.emit(self.rng.choice(others), "other")

    def persona(self) -> None:
        self.app.conversation.set_persona(f"You are persona {self.rng.randint(0, 10**6)}.")

    def switch(self) -> None:
        if others := self._others():
            self.app.window.session_selected.emit(self.rng.choice(others))

    def new(self) -> None:
        self.app.window.new_requested.emit()

    def delete(self) -> None:
        summaries = self.app.conversation.summaries()
        if len(summaries) > 2:
            victim = self.rng.choice(summaries).id
            say(f"del {victim}")
            self.app.window.delete_requested.emit(victim)


def main(argv: list[str]) -> int:
    seed, clean = int(argv[0]), "--clean" in argv
    qt_app = QApplication([sys.argv[0]])
    paths = app_paths.ensure(app_paths.resolve())
    # A slow answer, as a real model's: the user message's file is not rewritten until it ends.
    model = ScriptedModel(("An", " answer", " here."), delay=0.3)
    app = AvatarApp(paths, model=model, keys=KeyStore(backend=MemoryKeyring()), speak=False)
    app.settings.welcomed = True
    app.start()
    if clean:
        app.conversation.sessions_changed.connect(lambda _items: QTimer.singleShot(200, quit_))

        def quit_() -> None:
            app.window.close()
            app.pools.wait(5000)
            qt_app.quit()

        QTimer.singleShot(20000, quit_)
    else:
        script = Script(app, seed)
        QTimer.singleShot(100, script.step)
    say("ready")
    return qt_app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
