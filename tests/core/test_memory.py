"""Memory: LangChain's history interface over a session, trimmed to the model's context."""

from __future__ import annotations

import itertools

from langchain_core.messages import AIMessage, HumanMessage

from avatar_desktop.core.memory import (
    INTERRUPTED_MARK,
    STEP_EXCHANGES,
    SessionHistory,
    context_window,
    in_steps,
    tail_within,
    to_langchain,
)
from avatar_desktop.core.session import Message, Session


def count(text: str) -> int:
    return len(text.split())


def test_history_reads_and_writes_the_session() -> None:
    session = Session()
    history = SessionHistory(session)
    history.add_messages([HumanMessage("Hi there"), AIMessage("Hello!")])
    assert [(m.role, m.content) for m in session.messages] == [
        ("user", "Hi there"),
        ("assistant", "Hello!"),
    ]
    assert session.title == "Hi there"
    assert [m.content for m in history.messages] == ["Hi there", "Hello!"]
    history.clear()
    assert session.messages == []


def test_failed_turns_are_left_out_and_interrupted_ones_marked() -> None:
    messages = [
        Message("user", "Q1"),
        Message("assistant", "", error="Network down"),
        Message("user", "Q2"),
        Message("assistant", "Half an", interrupted=True),
        Message("user", "Q3"),
        Message("assistant", "Cut sho", interrupted=True, error="Connection broke"),
    ]
    out = to_langchain(messages)
    assert [m.content for m in out] == ["Q1", "Q2", "Half an" + INTERRUPTED_MARK, "Q3"]


def test_trimming_drops_oldest_turns_and_keeps_the_persona() -> None:
    history = []
    for i in range(50):
        history += [HumanMessage(f"question {i} " * 5), AIMessage(f"answer {i} " * 5)]
    history.append(HumanMessage("last question"))
    window = context_window("You are Ava.", history, budget=200, count=count)
    assert window[0].type == "system" and window[0].content == "You are Ava."
    assert window[1].type == "human"  # never starts on an orphan answer
    assert window[-1].content == "last question"
    assert len(window) < len(history)
    total = sum(count(str(m.content)) + 4 for m in window)
    assert total <= 200


def test_cheap_cut_keeps_everything_that_could_fit() -> None:
    messages = [Message("user", "x" * 80) for _ in range(10_000)]
    kept = tail_within(messages, 1000)
    assert 0 < len(kept) < 200
    assert kept[-1] is messages[-1]
    assert tail_within(messages[:3], 1000) == messages[:3]


def test_a_full_window_moves_on_in_steps_so_its_start_stays_the_same_for_turns() -> None:
    history: list[HumanMessage | AIMessage] = []
    starts: list[str] = []
    for i in range(40):
        history.append(HumanMessage(f"question {i} " * 5))
        window = context_window("You are Ava.", history, budget=200, count=count)
        asked = i + 1
        window = in_steps(window, asked - sum(m.type == "human" for m in window))
        assert window[-1] is history[-1] and window[1].type == "human"
        assert sum(count(str(m.content)) + 4 for m in window) <= 200
        starts.append(str(window[1].content))
        history.append(AIMessage(f"answer {i} " * 5))
    moves = [n for n in range(1, len(starts)) if starts[n] != starts[n - 1]]
    assert moves, "the window never filled: the test proves nothing"
    assert all(b - a >= STEP_EXCHANGES for a, b in itertools.pairwise(moves))
    kept = [int(start.split()[1]) for start in starts]
    assert all(k % STEP_EXCHANGES == 0 for k in kept)  # the user's messages before it


def test_stepping_never_drops_the_newest_exchange() -> None:
    window = [HumanMessage("only question")]
    assert in_steps([AIMessage("persona"), *window], earlier=1) == [AIMessage("persona"), *window]
