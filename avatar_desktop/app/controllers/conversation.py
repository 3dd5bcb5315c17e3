"""The conversation controller: sessions, turns and saving, bridged from workers to Qt signals."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from avatar_desktop.app.workers import Emit, Pools
from avatar_desktop.core import notices
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.events import (
    Cue,
    MemoryUsed,
    Sentence,
    TextDelta,
    TurnEvent,
    TurnFailed,
    TurnFinished,
)
from avatar_desktop.core.persona import default_persona
from avatar_desktop.core.recall import NOTHING, Recalled
from avatar_desktop.core.session import Message, Session, SessionSummary
from avatar_desktop.pipeline.turn_state import Kept, TurnState
from avatar_desktop.providers.base import ChatModel, GenerationOptions
from avatar_desktop.storage.sessions import SessionStore

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 20_000
# Once an answer's first phrase is written, the model waits (at most this long) until it is
# heard: on two cores, the voice making that phrase is what the user is waiting for.
FIRST_VOICE_HOLD_S = 1.5


@dataclass(eq=False)
class Draft:
    """An answer started before the user's turn was declared over: unseen until committed.

    ``state``: "draft" (held), "committing" (the user's message is being saved), "live" (its
    events now go to the running turn ``turn_id``) or "dropped" (cancelled; nothing kept).
    """

    session: Session
    size: int  # messages the session had: a draft answers only that history
    message: Message
    cancel: CancelToken = field(default_factory=CancelToken)
    events: list[TurnEvent] = field(default_factory=list)
    first_phrase_at: float | None = None
    state: str = "draft"
    turn_id: int | None = None


def snapshot(session: Session) -> Session:
    """A copy safe to serialise on another thread while the GUI keeps appending."""
    return dataclasses.replace(session, messages=list(session.messages))


class Conversation(QObject):
    """Owns the current session and the running turn; widgets only see its signals.

    The turn's state (what is answered, written, heard; how it ends) is ``turn``, Qt-free.
    A turn ends early only through ``interrupt``, after the app has silenced the stage.

    Signals:
        sessions_changed(list): summaries for the sidebar, newest first.
        session_opened(object): the Session now shown.
        user_message_added(object): a user Message, saved to disk.
        message_refused(str, str): text to give back to the input, and why.
        answer_started(): the assistant began answering.
        text_delta(str): visible answer text, in order.
        performance(object): a Sentence or Cue event of the answer, in order, for the stage.
        answer_finished(object): the assistant Message as kept in history.
        turn_failed(object): the TurnFailed event, after answer_finished kept the partial text.
        answer_truncated(object): the last answer, cut to what was heard before it was stopped.
        busy_changed(bool): a turn is running or not.
        draft_phrase(str): a draft's first sentence, to get its voice ready before it is needed.
        memory_used(object): the MemoryUsed event of the answer now being written.
    """

    sessions_changed = Signal(list)
    session_opened = Signal(object)
    user_message_added = Signal(object)
    message_refused = Signal(str, str)
    answer_started = Signal()
    text_delta = Signal(str)
    performance = Signal(object)
    answer_finished = Signal(object)
    turn_failed = Signal(object)
    answer_truncated = Signal(object)
    busy_changed = Signal(bool)
    draft_phrase = Signal(str)
    memory_used = Signal(object)

    def __init__(
        self,
        *,
        store: SessionStore,
        model: ChatModel,
        pools: Pools,
        options: GenerationOptions,
    ) -> None:
        super().__init__()
        self.store = store
        self.model = model
        self.options = options
        self._pools = pools
        self.session = Session()
        self._summaries: list[SessionSummary] = []
        self.turn = TurnState()
        # The user message being saved, acknowledged but not yet in its session's history:
        # every other save of that session must carry it, or a crash could lose it.
        self._pending: tuple[Session, Message] | None = None
        self.draft: Draft | None = None
        self.hold_for_voice: Callable[[], bool] = lambda: False  # the stage will voice answers
        # Long-term memory for an answer to these words, as this persona (on the turn's thread).
        self.recall: Callable[[str, str], Recalled] = lambda _text, _persona: NOTHING
        self._voice_gate = CancelToken()  # opened when the latest answer is first heard

    # --- sessions -------------------------------------------------------------------------

    def refresh_sessions(self, *, open_id: str | None = None, open_newest: bool = False) -> None:
        """Re-list sessions off the GUI thread; optionally open one when the list arrives."""

        def done(summaries: list[SessionSummary]) -> None:
            self._summaries = summaries
            self._report_problems()
            self._emit_sessions()
            target = open_id if any(s.id == open_id for s in summaries) else None
            if target is None and open_newest and summaries:
                target = summaries[0].id
            untouched = not self.session.messages and not self.busy
            if target and untouched:  # never pull the user away from what they just started
                self.open_session(target)

        self._pools.start(
            self._pools.disk,
            lambda _emit: self.store.list(),
            returned=done,
            errored=self._on_storage_error,
        )

    def open_session(self, session_id: str) -> None:
        if session_id == self.session.id:
            return
        before, size = self.session, len(self.session.messages)

        def done(session: Session) -> None:
            if self.session is not before or len(before.messages) != size or self.busy:
                return  # the user moved on (sent, switched) while it loaded: stay with them
            self.session = session
            self.session_opened.emit(session)
            self._emit_sessions()

        def failed(exc: Exception) -> None:
            self._on_storage_error(exc)
            self.refresh_sessions()

        self._pools.start(
            self._pools.disk,
            lambda _emit: self.store.load(session_id),
            returned=done,
            errored=failed,
        )

    def new_session(self) -> None:
        self.session = Session()
        self.session_opened.emit(self.session)
        self._emit_sessions()

    def rename_session(self, session_id: str, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            return
        if session_id == self.session.id:
            self.session.title = title
            self._save(self.session)
            return

        def job(_emit: Emit) -> None:
            session = self.store.load(session_id)
            session.title = title
            self.store.save(session)

        self._pools.start(
            self._pools.disk,
            job,
            returned=lambda _r: self.refresh_sessions(),
            errored=self._on_storage_error,
        )

    def delete_session(self, session_id: str) -> None:
        if session_id == self.session.id:
            self.session = Session()
            self.session_opened.emit(self.session)

        self._pools.start(
            self._pools.disk,
            lambda _emit: self.store.delete(session_id),
            returned=lambda _r: self.refresh_sessions(),
            errored=self._on_storage_error,
        )

    def set_persona(self, persona: str | None) -> None:
        """Per-session persona; None or the default text means 'use the default'."""
        text = (persona or "").strip()
        self.session.persona = None if not text or text == default_persona() else text
        saving_first = self._pending is not None and self._pending[0] is self.session
        if self.session.messages or saving_first:
            self._save(self.session)

    def persona(self) -> str:
        return self.session.persona or default_persona()

    def summaries(self) -> list[SessionSummary]:
        """Saved sessions plus the current one if it is new and not on disk yet."""
        items = list(self._summaries)
        if not any(s.id == self.session.id for s in items):
            items.insert(0, self.session.summary())
        return items

    def _emit_sessions(self) -> None:
        self.sessions_changed.emit(self.summaries())

    # --- turns ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.turn.busy

    def send(self, text: str) -> bool:
        """Save the user's message, then answer it. False if the text was not taken."""
        self.drop_draft()
        if not self._acceptable(text):
            return False
        self._save_user(Message(role="user", content=text), self._start_turn, lambda: None)
        return True

    def _acceptable(self, text: str) -> bool:
        if not text.strip() or self.turn.saving:
            return False
        if len(text) > MAX_MESSAGE_CHARS:
            self.message_refused.emit(
                text,
                f"That message is {len(text):,} characters long; the limit is "
                f"{MAX_MESSAGE_CHARS:,}. Shorten it and send again.",
            )
            return False
        return True

    def _save_user(
        self, message: Message, answer: Callable[[Session], None], refused: Callable[[], None]
    ) -> None:
        """The user's message goes to disk first; only then is it shown and ``answer``ed."""
        session = self.session
        self._pending = (session, message)
        pending = self._snapshot(session)
        self.turn.saving = True
        self.busy_changed.emit(True)

        def saved(_result: Any) -> None:
            self.turn.saving = False
            self._pending = None
            session.add(message)
            self._refresh_summary(session)
            self.user_message_added.emit(message)
            if session is self.session:
                answer(session)
            else:
                refused()
                self.busy_changed.emit(self.busy)

        def failed(exc: Exception) -> None:
            self.turn.saving = False
            self._pending = None
            refused()
            self.busy_changed.emit(self.busy)
            self.message_refused.emit(message.content, _storage_message(exc))

        self._pools.start(
            self._pools.disk,
            lambda _emit: self.store.save(pending),
            returned=saved,
            errored=failed,
        )

    # --- answers started early -------------------------------------------------------------

    def start_draft(self, text: str) -> None:
        """Start answering ``text`` now, unseen: nothing is shown, spoken or saved unless
        ``commit_draft`` is called with the same words."""
        self.drop_draft()
        if self.busy or not text.strip() or len(text) > MAX_MESSAGE_CHARS:
            return
        session = self.session
        draft = Draft(session, len(session.messages), Message(role="user", content=text))
        write = self._answering(self.model, [*session.messages, draft.message], draft.cancel)
        self.draft = draft

        def job(emit: Emit) -> None:
            write(emit)

        self._pools.start(self._pools.turn, job, progress=lambda e: self._on_draft_event(draft, e))

    def _on_draft_event(self, draft: Draft, event: TurnEvent) -> None:
        if draft.state == "live" and draft.turn_id is not None:
            self._on_turn_event((draft.turn_id, event))
        elif draft.state in ("draft", "committing"):
            draft.events.append(event)
            if isinstance(event, Sentence) and draft.first_phrase_at is None:
                draft.first_phrase_at = time.monotonic()
                self.draft_phrase.emit(event.text)

    def drop_draft(self) -> None:
        """Forget the draft: its answer is cancelled and leaves no trace anywhere."""
        draft, self.draft = self.draft, None
        if draft is not None and draft.state != "live":
            draft.state = "dropped"
            draft.cancel.cancel()

    def commit_draft(self, text: str) -> bool:
        """The turn is over and its words are ``text``: if the draft answered exactly that,
        save the message and let the draft's answer through. False (draft dropped) otherwise."""
        draft = self.draft
        usable = (
            draft is not None
            and draft.state == "draft"
            and draft.message.content == text
            and draft.session is self.session
            and len(self.session.messages) == draft.size
            and not self.busy
        )
        if not usable or draft is None:
            self.drop_draft()
            return False
        draft.state = "committing"

        def refused() -> None:
            if draft.state == "committing":
                self.drop_draft()

        self._save_user(draft.message, lambda session: self._go_live(draft, session), refused)
        return True

    def _go_live(self, draft: Draft, session: Session) -> None:
        if draft.state != "committing":
            return
        self.draft = None
        turn = self.turn.begin(session, draft.cancel)
        draft.state, draft.turn_id = "live", turn.id
        self.answer_started.emit()
        held, draft.events = draft.events, []
        for event in held:
            self._on_turn_event((turn.id, event))

    def interrupt(self, *, speaking: bool, voiced: bool, heard: int | None) -> None:
        """End the turn now, keeping what was heard (see ``TurnState.stop``); the app calls
        this once it has silenced the stage, which reports ``speaking``, ``voiced``, ``heard``."""
        self.drop_draft()
        kept = self.turn.stop(speaking=speaking, voiced=voiced, heard=heard)
        if kept is None:
            return
        if kept.replaced:
            self.answer_truncated.emit(kept.message)
            self._save(kept.session)
        else:
            self._finished(kept)

    def hear(self, sentence: Sentence) -> None:
        """The stage began to voice ``sentence``: that much of the answer has been said."""
        self.turn.hear(sentence)

    def can_retry(self) -> bool:
        """True when the last word is the user's, or a failed answer to it."""
        return self.turn.can_retry(self.session)

    def retry(self, model: ChatModel | None = None) -> bool:
        """Answer the last user message again (the failed answer stays, marked), maybe elsewhere."""
        if not self.can_retry():
            return False
        self.busy_changed.emit(True)
        self._start_turn(self.session, model)
        return True

    def first_phrase_heard(self) -> None:
        """The stage began to voice the answer: its model may write on."""
        self._voice_gate.cancel()

    def _answering(
        self, model: ChatModel, history: list[Message], cancel: CancelToken
    ) -> Callable[[Callable[[TurnEvent], None]], None]:
        """The job that writes an answer, holding after its first phrase until it is heard."""
        from avatar_desktop.pipeline.turn import answer  # langchain-core: imported off start-up

        persona, options, recall = self.persona(), self.options, self.recall
        gate = self._voice_gate = CancelToken()
        cancel.on_cancel(gate.cancel)
        hold = self.hold_for_voice()
        asked = next((m.content for m in reversed(history) if m.role == "user"), "")

        def job(emit: Callable[[TurnEvent], None]) -> None:
            notes = recall(asked, persona)
            if notes:
                emit(
                    MemoryUsed(tuple(i.id for i in notes.items), tuple(i.text for i in notes.items))
                )
            block = notes.block if notes else ""
            for event in answer(
                model, history, persona, cancel=cancel, options=options, notes=block
            ):
                emit(event)
                if hold and isinstance(event, Sentence) and event.index == 0:
                    gate.wait(FIRST_VOICE_HOLD_S)

        return job

    def _start_turn(self, session: Session, model: ChatModel | None = None) -> None:
        turn = self.turn.begin(session)
        write = self._answering(model or self.model, list(session.messages), turn.cancel)

        def job(emit: Emit) -> None:
            write(lambda event: emit((turn.id, event)))

        self.answer_started.emit()
        self._pools.start(self._pools.turn, job, progress=self._on_turn_event)

    def _on_turn_event(self, item: tuple[int, TurnEvent]) -> None:
        turn_id, event = item
        if self.turn.accept(turn_id, event) is None:
            return  # a stopped turn's late events
        if isinstance(event, TextDelta):
            self.text_delta.emit(event.text)
        elif isinstance(event, Sentence | Cue):
            self.performance.emit(event)
        elif isinstance(event, MemoryUsed):
            self.memory_used.emit(event)
        elif isinstance(event, TurnFinished | TurnFailed):
            self._finished(self.turn.finish(event))
            if isinstance(event, TurnFailed):
                self.turn_failed.emit(event)

    def _finished(self, kept: Kept) -> None:
        self._refresh_summary(kept.session)
        self.answer_finished.emit(kept.message)
        self.busy_changed.emit(self.busy)
        self._save(kept.session)

    # --- saving -----------------------------------------------------------------------------

    def _snapshot(self, session: Session) -> Session:
        """The session as it must be on disk: with the user message still being saved, if any."""
        copy = snapshot(session)
        if self._pending is not None and self._pending[0] is session:
            copy.add(self._pending[1])
        return copy

    def _save(self, session: Session) -> None:
        copy = self._snapshot(session)
        self._pools.start(
            self._pools.disk,
            lambda _emit: self.store.save(copy),
            returned=lambda _r: self._refresh_summary(session),
            errored=self._on_storage_error,
        )

    def _refresh_summary(self, session: Session) -> None:
        summary = session.summary()
        others = [s for s in self._summaries if s.id != session.id]
        self._summaries = sorted([summary, *others], key=lambda s: s.updated, reverse=True)
        self._emit_sessions()

    def _report_problems(self) -> None:
        for problem in self.store.take_problems():
            notices.warning(str(problem))

    def _on_storage_error(self, exc: Exception) -> None:
        notices.error(_storage_message(exc))


def _storage_message(exc: Exception) -> str:
    return str(exc) or f"Could not read or write the conversation ({type(exc).__name__})."
