"""The conversation controller: sessions, turns and saving, bridged from workers to Qt signals."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from avatar_desktop.app.workers import Emit, Pools
from avatar_desktop.core import notices
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.events import Cue, Sentence, TextDelta, TurnFailed, TurnFinished
from avatar_desktop.core.persona import default_persona
from avatar_desktop.core.session import Message, Session, SessionSummary
from avatar_desktop.providers.base import ChatModel, GenerationOptions
from avatar_desktop.storage.sessions import SessionStore

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 20_000


@dataclasses.dataclass
class _Turn:
    id: int
    session: Session
    cancel: CancelToken
    parts: list[str] = dataclasses.field(default_factory=list)


def snapshot(session: Session) -> Session:
    """A copy safe to serialise on another thread while the GUI keeps appending."""
    return dataclasses.replace(session, messages=list(session.messages))


class Conversation(QObject):
    """Owns the current session and the running turn; widgets only see its signals.

    Signals:
        sessions_changed(list): summaries for the sidebar, newest first.
        session_opened(object): the Session now shown.
        user_message_added(object): a user Message, saved to disk.
        message_refused(str, str): text to give back to the input, and why.
        answer_started(): the assistant began answering.
        text_delta(str): visible answer text, in order.
        sentence(int, str, int, int): a speakable sentence, its index and span in the answer.
        cue(str, int): a gesture/emotion cue and its sentence index.
        answer_finished(object): the assistant Message as kept in history.
        turn_failed(object): the TurnFailed event, after answer_finished kept the partial text.
        answer_truncated(object): the last answer, cut to what was spoken before Stop.
        busy_changed(bool): a turn is running or not.
    """

    sessions_changed = Signal(list)
    session_opened = Signal(object)
    user_message_added = Signal(object)
    message_refused = Signal(str, str)
    answer_started = Signal()
    text_delta = Signal(str)
    sentence = Signal(int, str, int, int)
    cue = Signal(str, int)
    answer_finished = Signal(object)
    turn_failed = Signal(object)
    answer_truncated = Signal(object)
    busy_changed = Signal(bool)

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
        self._turn: _Turn | None = None
        self._turn_ids = itertools.count(1)
        self._saving_user = False

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
        self.stop()
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
        self.stop()
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
            self.stop()
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
        if self.session.messages:
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
        return self._turn is not None or self._saving_user

    def send(self, text: str) -> bool:
        """Save the user's message, then answer it. False if the text was not taken."""
        if not text.strip() or self._saving_user:
            return False
        if len(text) > MAX_MESSAGE_CHARS:
            self.message_refused.emit(
                text,
                f"That message is {len(text):,} characters long; the limit is "
                f"{MAX_MESSAGE_CHARS:,}. Shorten it and send again.",
            )
            return False
        self.stop()
        session, message = self.session, Message(role="user", content=text)
        pending = snapshot(session)
        pending.add(message)
        self._saving_user = True
        self.busy_changed.emit(True)

        def saved(_result: Any) -> None:
            self._saving_user = False
            session.add(message)
            self._refresh_summary(session)
            self.user_message_added.emit(message)
            if session is self.session:
                self._start_turn(session)
            else:
                self.busy_changed.emit(self.busy)

        def failed(exc: Exception) -> None:
            self._saving_user = False
            self.busy_changed.emit(self.busy)
            self.message_refused.emit(text, _storage_message(exc))

        self._pools.start(
            self._pools.disk,
            lambda _emit: self.store.save(pending),
            returned=saved,
            errored=failed,
        )
        return True

    def stop(self, keep_upto: int | None = None) -> None:
        """End the running turn now: the partial answer is kept, marked interrupted.

        ``keep_upto`` cuts the kept text at that offset: only what was actually spoken stays.
        """
        turn = self._turn
        if turn is None:
            return
        turn.cancel.cancel()
        text = "".join(turn.parts)
        if keep_upto is not None:
            text = text[:keep_upto]
        self._finish(turn, Message("assistant", text, interrupted=True))

    def truncate_last_answer(self, keep_upto: int) -> None:
        """The answer was written in full but not all spoken: keep the spoken part, marked."""
        messages = self.session.messages
        if self._turn is not None or not messages or messages[-1].role != "assistant":
            return
        last = messages[-1]
        if keep_upto >= len(last.content) and last.interrupted:
            return
        cut = Message(
            "assistant",
            last.content[:keep_upto],
            created=last.created,
            interrupted=True,
            error=last.error,
            id=last.id,
        )
        messages[-1] = cut
        self.answer_truncated.emit(cut)
        self._save(self.session)

    def can_retry(self) -> bool:
        """True when the last word is the user's, or a failed answer to it."""
        if self.busy or not self.session.messages:
            return False
        last = self.session.messages[-1]
        return last.role == "user" or bool(last.error)

    def retry(self, model: ChatModel | None = None) -> bool:
        """Answer the last user message again (the failed answer stays, marked), maybe elsewhere."""
        if not self.can_retry():
            return False
        self.busy_changed.emit(True)
        self._start_turn(self.session, model)
        return True

    def _start_turn(self, session: Session, model: ChatModel | None = None) -> None:
        from avatar_desktop.pipeline.turn import answer  # langchain-core: imported off start-up

        turn = _Turn(next(self._turn_ids), session, CancelToken())
        self._turn = turn
        history, persona, options = list(session.messages), self.persona(), self.options
        model = model or self.model

        def job(emit: Emit) -> None:
            for event in answer(model, history, persona, cancel=turn.cancel, options=options):
                emit((turn.id, event))

        self.answer_started.emit()
        self._pools.start(self._pools.turn, job, progress=self._on_turn_event)

    def _on_turn_event(self, item: tuple[int, object]) -> None:
        turn_id, event = item
        turn = self._turn
        if turn is None or turn.id != turn_id:
            return  # a stopped turn's late events
        if isinstance(event, TextDelta):
            turn.parts.append(event.text)
            self.text_delta.emit(event.text)
        elif isinstance(event, Sentence):
            self.sentence.emit(event.index, event.text, event.start, event.end)
        elif isinstance(event, Cue):
            self.cue.emit(event.name, event.sentence)
        elif isinstance(event, TurnFinished):
            self._finish(turn, Message("assistant", event.text, interrupted=event.interrupted))
        elif isinstance(event, TurnFailed):
            partial = "".join(turn.parts) or event.partial
            message = Message("assistant", partial, interrupted=bool(partial), error=event.message)
            self._finish(turn, message)
            self.turn_failed.emit(event)

    def _finish(self, turn: _Turn, message: Message) -> None:
        self._turn = None
        turn.session.add(message)
        self._refresh_summary(turn.session)
        self.answer_finished.emit(message)
        self.busy_changed.emit(self.busy)
        self._save(turn.session)

    # --- saving -----------------------------------------------------------------------------

    def _save(self, session: Session) -> None:
        copy = snapshot(session)
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
