"""After a failed turn: a countdown and a bounded retry, an answer on this computer, a new model."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from avatar_desktop.app.conversation import Conversation
from avatar_desktop.core.events import TurnFailed
from avatar_desktop.core.session import Message
from avatar_desktop.providers.base import ChatModel
from avatar_desktop.ui.main_window import MainWindow
from avatar_desktop.ui.notice_bar import Action

log = logging.getLogger(__name__)

MAX_AUTO_RETRIES = 2
_MODEL_KINDS = ("model_gone", "model_unknown")
_SETTINGS_KINDS = ("auth", "forbidden", "too_large", "bad_request", "empty")
_LOCAL_KINDS = ("server", "capacity", "rate_limited")


class Recovery(QObject):
    """Decides what a user can do about a failed turn, and offers it in the notice bar."""

    def __init__(
        self,
        conversation: Conversation,
        window: MainWindow,
        *,
        fallback: Callable[[], ChatModel | None],
        auto_fallback: Callable[[], bool],
        offer_models: Callable[[TurnFailed], None],
        open_settings: Callable[[], object],
    ) -> None:
        super().__init__()
        self._conversation = conversation
        self._window = window
        self._fallback = fallback
        self._auto_fallback = auto_fallback
        self._offer_models = offer_models
        self._open_settings = open_settings
        self._auto_retries = 0
        self._left = 0
        self._message = ""
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        conversation.turn_failed.connect(self._on_conversation_turn_failed)
        conversation.answer_finished.connect(self._on_conversation_answer_finished)
        window.send_requested.connect(lambda _text: self.cancel_countdown())
        window.stop_requested.connect(self.cancel_countdown)

    @property
    def counting_down(self) -> bool:
        return self._timer.isActive()

    def _on_conversation_answer_finished(self, message: Message) -> None:
        if not message.error:
            self._auto_retries = 0

    def _on_conversation_turn_failed(self, event: TurnFailed) -> None:
        local = self._fallback()
        can_fall_back = event.offline and local is not None
        if event.retry_after is not None and self._auto_retries < MAX_AUTO_RETRIES:
            self._start_countdown(event)
        elif can_fall_back and self._auto_fallback():
            self._window.show_notice("info", f"{event.message} Answering on this computer instead.")
            self._conversation.retry(local)
        elif event.kind in _MODEL_KINDS:
            self._offer_models(event)
        else:
            self._window.show_notice("error", event.message, self._actions(event, local))

    def _actions(self, event: TurnFailed, local: ChatModel | None) -> list[Action]:
        """Always a Retry; an answer from this computer or the settings where they can help."""
        actions: list[Action] = [("Retry", self.retry)]
        if local is not None and (event.offline or event.kind in _LOCAL_KINDS):
            actions.append(("Answer on this computer", lambda: self._conversation.retry(local)))
        if event.kind in _SETTINGS_KINDS:
            actions.append(("Settings…", self._open_settings))
        return actions

    def retry(self) -> None:
        self.cancel_countdown()
        self._conversation.retry()

    def _start_countdown(self, event: TurnFailed) -> None:
        self._auto_retries += 1
        self._left = max(1, round(event.retry_after or 1))
        self._message = event.message
        self._window.show_notice(
            "warning",
            self._countdown_text(),
            [("Retry now", self.retry), ("Cancel", self.cancel_countdown)],
        )
        self._timer.start()

    def _countdown_text(self) -> str:
        unit = "second" if self._left == 1 else "seconds"
        return f"{self._message} Retrying in {self._left} {unit}…"

    def _on_timer_timeout(self) -> None:
        self._left -= 1
        if self._left > 0:
            self._window.notice.update_text(self._countdown_text())
            return
        self._timer.stop()
        self._window.notice.hide()
        if not self._conversation.retry():
            log.info("automatic retry skipped: nothing to answer")

    def cancel_countdown(self, *_args: Any) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._window.notice.hide()
