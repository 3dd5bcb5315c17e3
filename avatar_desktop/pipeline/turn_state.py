"""The turn's state, Qt-free: what is being answered, what was written and heard, how it ends.

Every way a turn ends early (Stop, a new message, barge-in, another conversation or brain)
comes here as one ``stop``, so history keeps exactly what the user heard, marked interrupted.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.events import Sentence, TextDelta, TurnEvent, TurnFailed, TurnFinished
from avatar_desktop.core.session import Message, Session


@dataclass(eq=False)
class Answering:
    """The answer being written: to which message of which session, and how to cancel it."""

    id: int
    session: Session
    message: Message  # the user's message being answered
    cancel: CancelToken = field(default_factory=CancelToken)
    written: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The visible answer written so far."""
        return "".join(self.written)


@dataclass(frozen=True, slots=True)
class Kept:
    """An answer now last in ``session``; ``replaced``: it cut short one that was already kept."""

    session: Session
    message: Message
    replaced: bool = False


class TurnState:
    """One conversation's turn, from the user's message to what history keeps of the answer."""

    def __init__(self) -> None:
        self.answering: Answering | None = None
        self.saving = False  # the user's message is on its way to disk; its answer comes next
        self.heard: int | None = None  # end offset of the last sentence that began to be heard
        self._answered: Kept | None = None  # this turn's kept answer, maybe still being heard
        self._ids = itertools.count(1)

    @property
    def busy(self) -> bool:
        return self.answering is not None or self.saving

    # --- a turn's life --------------------------------------------------------------------

    def begin(self, session: Session, cancel: CancelToken | None = None) -> Answering:
        """Start answering the last user message of ``session`` (``cancel``: an answer already
        started as a draft, taken over by this turn)."""
        message = _last_user_message(session)
        if message is None:
            raise ValueError("there is no user message to answer")
        turn = Answering(next(self._ids), session, message, cancel or CancelToken())
        self.answering, self.heard, self._answered = turn, None, None
        return turn

    def accept(self, turn_id: int, event: TurnEvent) -> Answering | None:
        """The running turn if ``event`` is its own (a stopped turn's late events are not)."""
        turn = self.answering
        if turn is None or turn.id != turn_id:
            return None
        if isinstance(event, TextDelta):
            turn.written.append(event.text)
        return turn

    def hear(self, sentence: Sentence) -> None:
        """A sentence began to be heard: everything up to its end counts as said."""
        self.heard = sentence.end

    def finish(self, event: TurnFinished | TurnFailed) -> Kept:
        """The turn ended by itself: its answer (partial and marked, if it failed) is kept."""
        turn = self.answering
        if turn is None:
            raise RuntimeError("no turn is running")
        if isinstance(event, TurnFailed):
            partial = turn.text or event.partial
            message = Message("assistant", partial, interrupted=bool(partial), error=event.message)
        else:
            message = Message("assistant", event.text, interrupted=event.interrupted)
        return self._keep(turn, message)

    # --- ending early ---------------------------------------------------------------------

    def stop(self, *, speaking: bool, voiced: bool, heard: int | None = None) -> Kept | None:
        """End the turn now and keep what was heard; None when history does not change.

        ``speaking``: the performers were busy when silenced; ``voiced``: they could be heard
        (not with speech off or no sound device, where the whole written part is kept);
        ``heard``: what the performers report as heard when silenced, their last word on it.
        """
        if heard is not None:
            self.heard = heard
        said = self.heard or 0
        turn = self.answering
        if turn is not None:
            turn.cancel.cancel()
            text = turn.text[:said] if voiced and speaking else turn.text
            return self._keep(turn, Message("assistant", text, interrupted=True))
        if speaking and not self.saving:  # written in full, heard in part (or not at all)
            return self._truncate(said)
        return None

    def _truncate(self, keep_upto: int) -> Kept | None:
        kept = self._answered
        if kept is None or not kept.session.messages:
            return None
        session, last = kept.session, kept.message
        if session.messages[-1] is not last:
            return None
        if keep_upto >= len(last.content) and last.interrupted:
            return None
        cut = Message(
            "assistant",
            last.content[:keep_upto],
            created=last.created,
            interrupted=True,
            error=last.error,
            id=last.id,
        )
        session.messages[-1] = cut
        self._answered = Kept(session, cut)
        return Kept(session, cut, replaced=True)

    def _keep(self, turn: Answering, message: Message) -> Kept:
        self.answering = None
        turn.session.add(message)
        self._answered = Kept(turn.session, message)
        return self._answered

    # --- answering again ------------------------------------------------------------------

    def to_answer_again(self, session: Session) -> Message | None:
        """The message a retry answers: the last word is the user's, or a failed answer to it."""
        if self.busy or not session.messages:
            return None
        last = session.messages[-1]
        if last.role != "user" and not last.error:
            return None
        return _last_user_message(session)

    def can_retry(self, session: Session) -> bool:
        return self.to_answer_again(session) is not None


def _last_user_message(session: Session) -> Message | None:
    return next((m for m in reversed(session.messages) if m.role == "user"), None)
