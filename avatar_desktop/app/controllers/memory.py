"""Long-term memory's app side: open the store, learn after each turn, recall before each answer.

Learning runs on its own one-thread pool after the answer is written, so it never delays a
reply; a failed extraction costs that one message. A rate-limited Groq call is kept and tried
again when Groq says it may be; while it waits, later messages queue behind it in order.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from avatar_desktop.app.controllers.conversation import Conversation, snapshot
from avatar_desktop.app.workers import Emit, Pools
from avatar_desktop.core import notices
from avatar_desktop.core.events import MemoryUsed
from avatar_desktop.core.memory_items import MemoryItem, Source, persona_scope
from avatar_desktop.core.persona import default_persona
from avatar_desktop.core.recall import NOTHING, Recalled
from avatar_desktop.core.session import Message, Session
from avatar_desktop.pipeline.remembering import Extractor, OfflineExtractor, Remembering
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.storage.memory_store import MemoryStore

log = logging.getLogger(__name__)

BACKLOG = 30  # messages kept for a rate-limited extractor; older ones get the offline rules
DEFAULT_WAIT_S = 20.0
QUIET_MS = 10 * 60 * 1000  # a conversation this long without a word has "gone quiet"


@dataclass(frozen=True)
class Told:
    """A user message waiting to be learnt from."""

    text: str
    source: Source


class MemoryKeeper(QObject):
    """Owns the memory store for the app; its methods are called on the GUI thread except
    ``recall``, which the turn's thread calls.

    Signals:
        opened(): the store is open (``problem`` is set if the old file was set aside).
        changed(): items were added or removed, by learning or by the panel.
    """

    opened = Signal()
    changed = Signal()

    def __init__(
        self,
        path: Path,
        pools: Pools,
        *,
        enabled: Callable[[], bool],
        extractor: Callable[[], Extractor | None],
    ) -> None:
        super().__init__()
        self._pools = pools
        self._enabled = enabled
        self._extractor = extractor
        self.memory: Remembering | None = None
        self._store: MemoryStore | None = None
        self._closed = False
        self._conversation: Conversation | None = None
        self._told: tuple[Session, Message] | None = None  # the user message being answered
        self._shown: Session | None = None  # the conversation on screen, for its episode
        self._backlog: deque[Told] = deque()
        self._waiting = False  # a rate-limited call holds the queue
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._on_retry_timeout)
        self.quiet_timer = QTimer(self)  # the conversation went quiet: keep its episode
        self.quiet_timer.setSingleShot(True)
        self.quiet_timer.setInterval(QUIET_MS)
        self.quiet_timer.timeout.connect(self._on_quiet_timer_timeout)
        pools.start(
            pools.memory,
            lambda _emit: MemoryStore.open(path),
            returned=self._on_store_opened,
            errored=self._on_store_failed,
        )

    @property
    def store(self) -> MemoryStore | None:
        return self._store

    def _on_store_opened(self, store: MemoryStore) -> None:
        self._store, self.memory = store, Remembering(store)
        if store.problem:
            notices.warning(store.problem)
        self.opened.emit()

    def _on_store_failed(self, exc: Exception) -> None:
        log.warning("memory could not be opened: %s", exc)
        notices.warning(f"Memory is off for this run: the memory file could not be opened ({exc}).")

    def follow(self, conversation: Conversation) -> None:
        """Recall for its answers, learn after its turns, keep an episode of each one left."""
        self._conversation = conversation
        conversation.recall = self.recall
        conversation.user_message_added.connect(self._on_conversation_user_message_added)
        conversation.answer_finished.connect(self._on_conversation_answer_finished)
        conversation.memory_used.connect(self._on_conversation_memory_used)
        conversation.session_opened.connect(self._on_conversation_session_opened)

    def _on_conversation_user_message_added(self, message: Message) -> None:
        if self._conversation is not None:
            self._told = (self._conversation.session, message)
            self.quiet_timer.start()

    def _on_quiet_timer_timeout(self) -> None:
        if self._conversation is not None:
            self.keep_episode(snapshot(self._conversation.session))

    def _on_conversation_answer_finished(self, answer: Message) -> None:
        """After the turn, never before its answer: learn from what the user said. A failed
        answer (Groq busy, no network) waits for its retry, so learning adds no load then."""
        if answer.error:
            return
        told, self._told = self._told, None
        if told is not None:
            self.learn(*told)

    def _on_conversation_memory_used(self, used: MemoryUsed) -> None:
        self.used(used.ids)

    def _on_conversation_session_opened(self, session: Session) -> None:
        """Leaving a conversation keeps a short summary of it as an episode."""
        left, self._shown = self._shown, session
        if left is not None and left.id != session.id:
            self.keep_episode(snapshot(left))

    # --- recalling (the turn's thread) -------------------------------------------------------

    def recall(self, text: str, persona: str) -> Recalled:
        """Notes for an answer to ``text`` by ``persona`` (the notes for every persona, and its
        own episodes); nothing, never an error, when memory is unusable."""
        memory = self.memory
        if memory is None:
            return NOTHING
        try:
            return memory.recall(text, persona=persona_scope(persona))
        except sqlite3.Error as exc:
            log.warning("recall failed: %s", exc)
            return NOTHING

    def used(self, ids: tuple[int, ...]) -> None:
        """The notes went into an answer: they count as useful, and as recently used."""
        store = self.store
        if store is not None and ids:
            self.run(lambda: store.mark_used(ids))

    # --- learning ------------------------------------------------------------------------------

    def learn(self, session: Session, message: Message) -> None:
        """After a turn: learn from the user's message, in the background, unless paused."""
        if not self._enabled() or self.memory is None or message.role != "user":
            return
        self._backlog.append(Told(message.content, Source(session.id, message.id, message.created)))
        while len(self._backlog) > BACKLOG:
            self._learn_offline(self._backlog.popleft())
        if not self._waiting:
            self._next()

    def _next(self) -> None:
        if not self._backlog or self.memory is None:
            return
        told, memory = self._backlog[0], self.memory
        self._waiting = True

        def job(_emit: Emit) -> int:
            extractor = self._extractor() or OfflineExtractor()
            added, removed = memory.learn(told.text, extractor, source=told.source)
            return len(added) + removed

        self._pools.start(
            self._pools.memory,
            job,
            returned=lambda changed: self._on_learnt(told, changed),
            errored=lambda exc: self._on_learn_failed(told, exc),
        )

    def _on_learnt(self, told: Told, changed: int) -> None:
        if self._backlog and self._backlog[0] is told:
            self._backlog.popleft()
        self._waiting = False
        if changed:
            self.changed.emit()
        self._next()

    def _on_learn_failed(self, told: Told, exc: Exception) -> None:
        if isinstance(exc, ProviderError) and exc.kind == "rate_limited":
            wait = exc.retry_after or DEFAULT_WAIT_S
            log.info("memory extraction rate-limited; trying again in %.0f s", wait)
            self._retry.start(int(wait * 1000))
            return  # the message stays first in the queue
        log.info("memory extraction failed (%s); that message is not remembered", exc)
        self._on_learnt(told, 0)

    def _on_retry_timeout(self) -> None:
        self._waiting = False
        self._next()

    def _learn_offline(self, told: Told) -> None:
        memory = self.memory
        if memory is not None:
            self.run(lambda: memory.learn(told.text, OfflineExtractor(), source=told.source))

    def keep_episode(self, session: Session) -> None:
        """A conversation was left or closed: keep a short summary of it, unless paused."""
        memory = self.memory
        users = [m.content for m in session.messages if m.role == "user" and not m.error]
        if memory is None or not self._enabled() or not users:
            return
        title, session_id = session.title, session.id
        scope = persona_scope(session.persona or default_persona())

        def keep() -> MemoryItem | None:
            return memory.keep_episode(session_id, title, users, persona=scope)

        self.run(keep, changed=True)

    # --- the panel's errands --------------------------------------------------------------------

    def run(
        self,
        fn: Callable[[], Any],
        *,
        done: Callable[[Any], object] | None = None,
        changed: bool = False,
    ) -> None:
        """``fn`` on the memory pool, after whatever is queued there; failures become a notice."""
        if self._closed:
            return

        def returned(result: Any) -> None:
            if done is not None:
                done(result)
            if changed:
                self.changed.emit()

        self._pools.start(
            self._pools.memory,
            lambda _emit: fn(),
            returned=returned,
            errored=self._on_errand_failed,
        )

    def _on_errand_failed(self, exc: Exception) -> None:
        log.warning("memory errand failed: %s", exc)
        notices.warning(f"Memory could not be changed: {exc}")

    def items(self, text: str, done: Callable[[list[MemoryItem]], object]) -> None:
        store = self.store
        if store is not None:
            self.run(lambda: store.items(text), done=done)

    def close(self) -> None:
        """At shutdown, after the pools are done."""
        self._retry.stop()
        self.quiet_timer.stop()
        store, self._store, self.memory, self._closed = self._store, None, None, True
        if store is not None:
            store.close()
