"""After a failed turn: a countdown and a bounded retry, an answer on this computer, a new model."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from avatar_desktop.app.controllers.conversation import Conversation
from avatar_desktop.core import notices
from avatar_desktop.core.events import TurnFailed
from avatar_desktop.core.notices import Action
from avatar_desktop.core.session import Message
from avatar_desktop.providers.base import ChatModel

log = logging.getLogger(__name__)

MAX_AUTO_RETRIES = 2
_MODEL_KINDS = ("model_gone", "model_unknown")
_SETTINGS_KINDS = ("auth", "forbidden", "too_large", "bad_request", "empty")
_LOCAL_KINDS = ("server", "capacity", "rate_limited")


class Recovery(QObject):
    """Decides what a user can do about a failed turn, and offers it as a notice's actions.

    Answering again goes through the app's ``interrupt`` first (which also ends a countdown),
    so an answer still being spoken is cut to what was heard before the new one begins.
    """

    def __init__(
        self,
        conversation: Conversation,
        *,
        interrupt: Callable[[], None],
        fallback: Callable[[], ChatModel | None],
        auto_fallback: Callable[[], bool],
        offer_models: Callable[[TurnFailed], None],
        open_settings: Callable[[], object],
    ) -> None:
        super().__init__()
        self._conversation = conversation
        self._interrupt = interrupt
        self._fallback = fallback
        self._auto_fallback = auto_fallback
        self._offer_models = offer_models
        self._open_settings = open_settings
        self._auto_retries = 0
        self._left = 0
        self._message = ""
        self._notice: notices.Notice | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        conversation.turn_failed.connect(self._on_conversation_turn_failed)
        conversation.answer_finished.connect(self._on_conversation_answer_finished)

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
            notices.info(f"{event.message} Answering on this computer instead.")
            self.answer_again(local)
        elif event.kind in _MODEL_KINDS:
            self._offer_models(event)
        else:
            notices.error(event.message, self._actions(event, local))

    def _actions(self, event: TurnFailed, local: ChatModel | None) -> list[Action]:
        """Always a Retry; an answer from this computer or the settings where they can help."""
        actions = [Action("Retry", self.retry)]
        if local is not None and (event.offline or event.kind in _LOCAL_KINDS):
            actions.append(Action("Answer on this computer", lambda: self.answer_again(local)))
        if event.kind in _SETTINGS_KINDS:
            actions.append(Action("Settings…", self._open_settings))
        return actions

    def retry(self) -> None:
        self.answer_again()

    def answer_again(self, model: ChatModel | None = None) -> bool:
        """Answer the last question again (with ``model``, or the current one)."""
        self._interrupt()
        self.cancel_countdown()
        return self._conversation.retry(model)

    def _start_countdown(self, event: TurnFailed) -> None:
        self._auto_retries += 1
        self._left = max(1, round(event.retry_after or 1))
        self._message = event.message
        actions = [Action("Retry now", self.retry), Action("Cancel", self.cancel_countdown)]
        self._notice = notices.warning(self._countdown_text(), actions)
        self._timer.start()

    def _countdown_text(self) -> str:
        unit = "second" if self._left == 1 else "seconds"
        return f"{self._message} Retrying in {self._left} {unit}…"

    def _on_timer_timeout(self) -> None:
        self._left -= 1
        if self._left > 0 and self._notice is not None:
            self._notice = notices.update(self._notice, self._countdown_text())
            return
        self.cancel_countdown()
        if not self.answer_again():
            log.info("automatic retry skipped: nothing to answer")

    def cancel_countdown(self, *_args: Any) -> None:
        if self._timer.isActive():
            self._timer.stop()
            if self._notice is not None:
                notices.withdraw(self._notice)
        self._notice = None
