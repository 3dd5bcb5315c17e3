"""The turn's state as event sequences, without Qt: what history keeps when a turn ends."""

from __future__ import annotations

import pytest

from avatar_desktop.core.events import Sentence, TextDelta, TurnFailed, TurnFinished
from avatar_desktop.core.session import Message, Session
from avatar_desktop.pipeline.turn_state import Answering, TurnState

FIRST, SECOND, THIRD = "One is here. ", "Two is here. ", "Three is here."
ANSWER = FIRST + SECOND + THIRD


def asked(question: str = "Count to three") -> tuple[TurnState, Session, Answering]:
    session = Session()
    session.add(Message("user", question))
    state = TurnState()
    return state, session, state.begin(session)


def write(state: TurnState, turn: Answering, *parts: str) -> list[Sentence]:
    """Feed the visible text; returns each part as the sentence it is, spans included."""
    sentences: list[Sentence] = []
    offset = len(turn.text)
    for part in parts:
        assert state.accept(turn.id, TextDelta(part)) is turn
        sentence = Sentence(len(sentences), part.strip(), offset, offset + len(part))
        assert state.accept(turn.id, sentence) is turn
        sentences.append(sentence)
        offset += len(part)
    return sentences


def test_a_turn_answers_the_last_user_message_and_keeps_the_answer() -> None:
    state, session, turn = asked()
    assert turn.message is session.messages[0] and state.busy
    write(state, turn, FIRST, SECOND, THIRD)
    kept = state.finish(TurnFinished(ANSWER, interrupted=False))
    assert not state.busy and not kept.replaced
    assert session.messages[-1] is kept.message
    assert (kept.message.content, kept.message.interrupted) == (ANSWER, False)


def test_stop_while_voicing_keeps_up_to_the_last_sentence_that_began_to_be_heard() -> None:
    state, session, turn = asked()
    first, second, _ = write(state, turn, FIRST, SECOND, THIRD)
    state.hear(first)
    state.hear(second)
    kept = state.stop(speaking=True, voiced=True)
    assert kept is not None and turn.cancel.cancelled
    assert (kept.message.content, kept.message.interrupted) == (FIRST + SECOND, True)
    assert session.messages == [session.messages[0], kept.message]
    assert not state.busy


def test_what_the_performers_report_on_stopping_is_the_last_word_on_what_was_heard() -> None:
    state, _, turn = asked()
    first, _, _ = write(state, turn, FIRST, SECOND, THIRD)
    state.hear(first)
    kept = state.stop(speaking=True, voiced=True, heard=len(FIRST + SECOND))
    assert kept is not None and kept.message.content == FIRST + SECOND


def test_stop_before_anything_was_heard_keeps_nothing_but_marks_it() -> None:
    state, _, turn = asked()
    write(state, turn, FIRST, SECOND)
    kept = state.stop(speaking=True, voiced=True)
    assert kept is not None and (kept.message.content, kept.message.interrupted) == ("", True)


@pytest.mark.parametrize(
    ("speaking", "voiced"),
    [(True, False), (False, True), (False, False)],
    ids=["speech off or no sound device", "nothing being performed", "neither"],
)
def test_stop_keeps_the_whole_written_part_when_it_was_not_being_voiced(
    speaking: bool, voiced: bool
) -> None:
    state, _, turn = asked()
    first, _ = write(state, turn, FIRST, SECOND)
    state.hear(first)
    kept = state.stop(speaking=speaking, voiced=voiced)
    assert kept is not None and (kept.message.content, kept.message.interrupted) == (
        FIRST + SECOND,
        True,
    )


def test_a_stopped_turns_late_events_are_ignored() -> None:
    state, session, turn = asked()
    write(state, turn, FIRST)
    state.stop(speaking=False, voiced=False)
    assert state.accept(turn.id, TextDelta(SECOND)) is None
    assert state.accept(turn.id, TurnFinished(FIRST + SECOND, interrupted=False)) is None
    assert [m.content for m in session.messages] == ["Count to three", FIRST]


def test_an_answer_written_in_full_but_heard_in_part_is_cut_when_stopped() -> None:
    state, session, turn = asked()
    first, second, _ = write(state, turn, FIRST, SECOND, THIRD)
    kept = state.finish(TurnFinished(ANSWER, interrupted=False))
    state.hear(first)
    state.hear(second)
    cut = state.stop(speaking=True, voiced=True)
    assert cut is not None and cut.replaced and cut.session is session
    assert (cut.message.content, cut.message.interrupted) == (FIRST + SECOND, True)
    assert (cut.message.id, cut.message.created) == (kept.message.id, kept.message.created)
    assert session.messages[-1] is cut.message and len(session.messages) == 2


def test_an_answer_that_finished_being_heard_is_left_alone() -> None:
    state, session, turn = asked()
    write(state, turn, FIRST, SECOND, THIRD)
    kept = state.finish(TurnFinished(ANSWER, interrupted=False))
    assert state.stop(speaking=False, voiced=True) is None
    assert session.messages[-1] is kept.message


def test_cutting_keeps_the_error_of_a_failed_answer_still_being_heard() -> None:
    state, _, turn = asked()
    first, _ = write(state, turn, FIRST, SECOND)
    state.finish(TurnFailed("The stream broke off.", ""))
    state.hear(first)
    cut = state.stop(speaking=True, voiced=True)
    assert cut is not None and cut.message.content == FIRST
    assert cut.message.error == "The stream broke off." and cut.message.interrupted


def test_a_failed_turn_keeps_its_partial_text_and_can_be_answered_again() -> None:
    state, session, turn = asked()
    write(state, turn, FIRST)
    kept = state.finish(TurnFailed("Groq could not be reached.", "", offline=True))
    assert (kept.message.content, kept.message.interrupted) == (FIRST, True)
    assert kept.message.error == "Groq could not be reached."
    assert state.can_retry(session)
    assert state.to_answer_again(session) is session.messages[0]
    again = state.begin(session)
    assert again.message is session.messages[0] and again.id != turn.id


def test_a_failure_before_any_text_keeps_an_empty_answer_not_marked_interrupted() -> None:
    state, session, _ = asked()
    kept = state.finish(TurnFailed("Groq rejected the API key.", ""))
    assert (kept.message.content, kept.message.interrupted) == ("", False)
    assert state.can_retry(session)


def test_nothing_to_answer_again_after_a_good_answer_or_while_busy() -> None:
    state, session, _ = asked()
    assert not state.can_retry(session)  # still answering
    state.finish(TurnFinished("Done.", interrupted=False))
    assert not state.can_retry(session)  # the last word is a good answer
    session.add(Message("user", "And again?"))
    assert state.can_retry(session)
    state.saving = True  # a message on its way to disk is answered next anyway
    assert state.busy and not state.can_retry(session)


def test_while_the_users_message_is_being_saved_stop_changes_nothing() -> None:
    state, session, turn = asked()
    write(state, turn, FIRST)
    state.finish(TurnFinished(FIRST, interrupted=False))
    state.saving = True
    assert state.stop(speaking=True, voiced=True) is None
    assert session.messages[-1].content == FIRST


def test_a_session_without_a_user_message_has_nothing_to_answer() -> None:
    with pytest.raises(ValueError):
        TurnState().begin(Session())
