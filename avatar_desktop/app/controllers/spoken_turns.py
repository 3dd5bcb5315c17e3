"""The app's side of a hands-free turn: the avatar's face while the user talks, the answer
started early (its first phrase voiced ahead), and how long the reply took to be heard."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from avatar_desktop.app.controllers.conversation import Conversation
from avatar_desktop.app.controllers.hands_free import HandsFreeTurns
from avatar_desktop.app.stage.speaker import Speaker
from avatar_desktop.app.stage.stage import Stage
from avatar_desktop.core import notices
from avatar_desktop.core.events import Sentence
from avatar_desktop.core.latency import ReplyLatency

log = logging.getLogger(__name__)


class SpokenTurns(QObject):
    """Signals:
    latency_measured(object): a ReplyLatency, each time a spoken reply is first heard.
    """

    latency_measured = Signal(object)

    def __init__(
        self,
        turns: HandsFreeTurns,
        conversation: Conversation,
        stage: Stage,
        *,
        send: Callable[[str], None],
        muted: Callable[[], bool],
    ) -> None:
        super().__init__()
        self._conversation, self._stage, self._send, self._muted = conversation, stage, send, muted
        self._latency: ReplyLatency | None = None  # the spoken reply being timed
        conversation.hold_for_voice = self._voices_answers
        turns.turn_started.connect(self._on_turn_started)
        turns.draft.connect(conversation.start_draft)
        turns.draft_dropped.connect(conversation.drop_draft)
        turns.turn_over.connect(self._on_turn_over)
        turns.said.connect(self._on_said)
        turns.nothing_said.connect(self._on_nothing_said)
        turns.problem.connect(notices.warning)
        conversation.performance.connect(self._on_first_phrase)
        conversation.draft_phrase.connect(self._on_draft_phrase)

    @property
    def _speaker(self) -> Speaker:
        return self._stage.speaker

    def _on_turn_started(self) -> None:
        self._latency = None
        if not self._stage.speaking:
            self._speaker.rig.set_state("listening", time.monotonic())

    def _on_turn_over(self) -> None:
        """No dead air: the avatar shows it heard the end of the turn before the first word."""
        if not self._stage.speaking:
            now = time.monotonic()
            self._speaker.rig.set_state("thinking", now)
            self._speaker.rig.play_gesture("nod", now, amount=0.5)

    def _on_nothing_said(self) -> None:
        if not self._stage.speaking and not self._conversation.busy:
            self._speaker.rig.set_state("idle", time.monotonic())

    def _on_said(self, text: str, latency: ReplyLatency) -> None:
        """The turn's words: the answer already started for them is kept, or one starts now."""
        draft = self._conversation.draft
        early = draft.first_phrase_at if draft is not None else None
        if self._conversation.commit_draft(text):
            self._latency = latency.with_(speculative=True)
            if early is not None:
                self._latency = self._latency.with_(first_phrase=early)
            return
        self._latency = latency
        self._send(text)

    def _voices_answers(self) -> bool:
        """The drawn avatar will speak the answer aloud (so its first phrase is worth waiting
        for): not muted, not a D-ID presenter, a voice loaded, a sound device open."""
        return self._stage.presenter is None and self._speaker.audible and not self._muted()

    def _on_draft_phrase(self, text: str) -> None:
        """An answer started early: its first phrase gets its voice now, heard only if kept."""
        if self._stage.presenter is None:  # a D-ID presenter speaks for itself
            self._speaker.prepare(text)

    def _on_first_phrase(self, event: object) -> None:
        latency = self._latency
        if latency is not None and latency.first_phrase is None and isinstance(event, Sentence):
            self._latency = latency.with_(first_phrase=time.monotonic())

    def heard(self, sentence: Sentence) -> ReplyLatency | None:
        """The stage began to voice ``sentence``: the model may write on, and the first
        sentence of a timed reply completes its record (returned, logged and signalled)."""
        self._conversation.first_phrase_heard()
        latency, self._latency = self._latency, None
        if latency is None or sentence.index != 0 or latency.user_stopped is None:
            return None
        latency = latency.with_(first_audio=time.monotonic())
        log.info("spoken reply latency: %s", latency.describe())
        self.latency_measured.emit(latency)
        return latency
