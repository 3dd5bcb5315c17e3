"""Wiring: builds the store, settings, model and window, and connects their signals."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog

from avatar_desktop import APP_NAME, __version__
from avatar_desktop.app.conversation import Conversation
from avatar_desktop.app.logs import setup_logging
from avatar_desktop.app.workers import Pools
from avatar_desktop.core import notices
from avatar_desktop.core.persona import default_persona
from avatar_desktop.providers.base import ChatModel, GenerationOptions
from avatar_desktop.providers.local.llm import LocalChatModel
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.sessions import SessionStore
from avatar_desktop.storage.settings import Settings, load_settings, save_settings
from avatar_desktop.ui.dialogs import ChatSettings, PersonaDialog, SettingsDialog
from avatar_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class _NoticeBridge(QObject):
    """Carries notices from any thread to the window (queued onto the GUI thread)."""

    shown = Signal(str, str)


def local_model(settings: Settings) -> LocalChatModel:
    path = Path(settings.chat_model_path) if settings.chat_model_path else None
    return LocalChatModel(model_path=path, context_tokens=settings.context_tokens)


class AvatarApp:
    """The running app: one window, one conversation controller, one set of pools."""

    def __init__(self, paths: app_paths.Paths, *, model: ChatModel | None = None) -> None:
        self.paths = paths
        self.pools = Pools()
        problems: list[str] = []
        self.settings = load_settings(paths.settings_file, problems)
        for problem in problems:
            notices.warning(problem)
        self.store = SessionStore(paths.sessions)
        self.model: ChatModel = model or local_model(self.settings)
        self.window = MainWindow(APP_NAME)
        self.conversation = Conversation(
            store=self.store, model=self.model, pools=self.pools, options=self._options()
        )
        self._bridge = _NoticeBridge()
        self._bridge.shown.connect(self.window.show_notice)
        notices.install(lambda level, text: self._bridge.shown.emit(level.value, text))
        self._model_state = "loading"
        self._connect()
        if self.settings.window_geometry:
            self.window.restoreGeometry(
                QByteArray.fromBase64(self.settings.window_geometry.encode())
            )
        self._update_status()

    def _options(self) -> GenerationOptions:
        return GenerationOptions(self.settings.max_tokens, self.settings.temperature)

    def _connect(self) -> None:
        w, c = self.window, self.conversation
        w.send_requested.connect(c.send)
        w.stop_requested.connect(c.stop)
        w.new_requested.connect(c.new_session)
        w.session_selected.connect(c.open_session)
        w.rename_requested.connect(c.rename_session)
        w.delete_requested.connect(c.delete_session)
        w.persona_requested.connect(self._on_window_persona_requested)
        w.settings_requested.connect(self._on_window_settings_requested)
        w.closing.connect(self.shutdown)
        c.session_opened.connect(w.show_session)
        c.sessions_changed.connect(lambda items: w.set_sessions(items, c.session.id))
        c.user_message_added.connect(w.add_user_message)
        c.message_refused.connect(w.refuse_message)
        c.answer_started.connect(w.begin_answer)
        c.text_delta.connect(w.append_answer)
        c.answer_finished.connect(w.finish_answer)
        c.busy_changed.connect(w.set_busy)

    def start(self) -> None:
        """Show the window first; then load the model and the sessions off the GUI thread."""
        self.window.show()
        QTimer.singleShot(0, self._after_shown)

    def _after_shown(self) -> None:
        self.load_model()
        self.conversation.session_opened.emit(self.conversation.session)
        self.conversation.refresh_sessions(open_id=self.settings.last_session_id, open_newest=True)
        self.window.focus_input()

    def load_model(self) -> None:
        model = self.model
        load = getattr(model, "load", None)
        if load is None:
            self._set_model_state("ready")
            return
        self._set_model_state("loading")

        def failed(exc: Exception) -> None:
            if model is self.model:
                self._set_model_state("failed")
                notices.error(getattr(exc, "user_message", str(exc)))

        def loaded(_result: object) -> None:
            if model is self.model:
                self._set_model_state("ready")

        self.pools.start(self.pools.load, lambda _emit: load(), returned=loaded, errored=failed)

    def _set_model_state(self, state: str) -> None:
        self._model_state = state
        self._update_status()

    def _update_status(self) -> None:
        state = {
            "loading": "loading… (a message sent now waits for it)",
            "ready": "ready",
            "failed": "not loaded — choose a model in Settings",
        }[self._model_state]
        self.window.set_status(
            f"Chat: {self.model.name} — {state}   ·   Voice: text only   ·   Avatar: placeholder"
        )

    def _on_window_persona_requested(self) -> None:
        dialog = PersonaDialog(self.conversation.persona(), default_persona(), self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.conversation.set_persona(dialog.text())

    def _on_window_settings_requested(self) -> None:
        current = ChatSettings(
            self.settings.chat_model_path or "", self.settings.max_tokens, self.settings.temperature
        )
        dialog = SettingsDialog(current, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_settings(dialog.values())

    def apply_settings(self, values: ChatSettings) -> None:
        """Take new settings; a different model file is loaded in the background."""
        new_path = values.model_path or None
        changed = new_path != self.settings.chat_model_path
        self.settings.chat_model_path = new_path
        self.settings.max_tokens = values.max_tokens
        self.settings.temperature = values.temperature
        self.conversation.options = self._options()
        if changed:
            self.conversation.stop()
            self.model = local_model(self.settings)
            self.conversation.model = self.model
            self.load_model()
        self.save_settings()

    def save_settings(self) -> None:
        self.settings.last_session_id = self.conversation.session.id
        geometry = bytes(self.window.saveGeometry().toBase64().data()).decode()
        self.settings.window_geometry = geometry
        try:
            save_settings(self.paths.settings_file, self.settings)
        except Exception as exc:  # settings are a convenience; never lose the window over them
            notices.error(str(exc))

    def shutdown(self) -> None:
        self.conversation.stop()
        self.save_settings()
        self.pools.wait(5000)
        notices.install(None)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the GUI: paths, logging, the window, then the event loop."""
    argv = list(sys.argv if argv is None else argv)
    paths = app_paths.resolve()
    try:
        app_paths.ensure(paths)
    except OSError as exc:
        notices.error(f"Cannot create the app's folders ({exc.strerror}: {exc.filename}).")
    setup_logging(paths.logs)
    log.info("%s %s starting", APP_NAME, __version__)
    qt_app = QApplication(argv)
    qt_app.setApplicationName(APP_NAME)
    qt_app.setApplicationVersion(__version__)
    app = AvatarApp(paths)
    app.start()
    return qt_app.exec()
