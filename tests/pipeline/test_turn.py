"""The Qt-free turn pipeline as event sequences: text, cues at their sentence, and cancellation."""

from __future__ import annotations

import threading
import time

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.events import Cue, Sentence, TextDelta, TurnFailed, TurnFinished
from avatar_desktop.core.session import Message
from avatar_desktop.pipeline.turn import answer, run_turn
from avatar_desktop.providers.base import GenerationOptions
from tests.fakes.scripted_model import ScriptedModel

OPTIONS = GenerationOptions(max_tokens=64)


def events_of(tokens: list[str]) -> list[object]:
    model = ScriptedModel(tokens)
    return list(run_turn(model, [], cancel=CancelToken(), options=OPTIONS))


def test_visible_text_has_no_tags_and_cues_sit_at_their_sentence() -> None:
    events = events_of(["[wa", "ve] Hello there! ", "It is sunny. [sm", "ile] Enjoy it."])
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == " Hello there! It is sunny.  Enjoy it."
    flow = [
        (type(e).__name__, getattr(e, "name", None) or getattr(e, "text", None))
        for e in events
        if isinstance(e, Cue | Sentence)
    ]
    assert flow == [
        ("Cue", "wave"),
        ("Sentence", "Hello there!"),
        ("Sentence", "It is sunny."),
        ("Cue", "happy"),
        ("Sentence", "Enjoy it."),
    ]
    cues = [e for e in events if isinstance(e, Cue)]
    assert [c.sentence for c in cues] == [0, 2]
    assert events[-1] == TurnFinished(text, interrupted=False)


def test_a_trailing_tag_belongs_to_the_last_sentence() -> None:
    events = events_of(["Nice to meet you! [wave]"])
    assert [e for e in events if isinstance(e, Cue)] == [Cue("wave", 0)]


def test_first_sentence_comes_before_the_answer_ends() -> None:
    model = ScriptedModel(["First one.", " Second", " one is", " longer."])
    seen: list[str] = []
    for event in run_turn(model, [], cancel=CancelToken(), options=OPTIONS):
        if isinstance(event, Sentence):
            seen.append(f"{event.text}@{model.yielded}")
    assert seen[0] == "First one.@2"  # emitted when the next token showed the boundary


def test_a_long_first_sentence_is_spoken_from_its_first_phrase() -> None:
    tokens = ["[wave] The tallest", " mountain in", " Africa,", " at 5,895", " metres,"]
    tokens += [" is Kilimanjaro.", " It is", " in Tanzania, near", " Kenya."]
    model = ScriptedModel(tokens)
    events: list[tuple[object, int]] = []
    for event in run_turn(model, [], cancel=CancelToken(), options=OPTIONS):
        events.append((event, model.yielded))
    shown = "".join(e.text for e, _ in events if isinstance(e, TextDelta))
    sentences = [(e, at) for e, at in events if isinstance(e, Sentence)]
    assert [(e.text, at) for e, at in sentences] == [
        ("The tallest mountain in Africa,", 4),  # as soon as the space after the comma came
        ("at 5,895 metres, is Kilimanjaro.", 7),
        ("It is in Tanzania, near Kenya.", 9),
    ]
    for sentence, _ in sentences:  # offsets stay exact positions in the shown text
        assert shown[sentence.start : sentence.end].strip() == sentence.text
    assert [e for e, _ in events if isinstance(e, Cue)] == [Cue("wave", 0)]


def test_a_short_opener_is_said_on_its_own_so_the_voice_starts_sooner() -> None:
    events = events_of(["Sure,", " I can", " help with that.", " Ask away."])
    assert [e.text for e in events if isinstance(e, Sentence)] == [
        "Sure,",
        "I can help with that.",
        "Ask away.",
    ]


def test_code_blocks_are_shown_but_not_spoken() -> None:
    events = events_of(["Run this:\n```py\nprint(1)\n```\n", "Done."])
    spoken = [e.text for e in events if isinstance(e, Sentence)]
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "print(1)" in shown
    assert spoken == ["Run this:", "Done."]


def test_cancel_stops_within_100_ms_and_keeps_the_partial_text() -> None:
    model = ScriptedModel([f" w{i}" for i in range(500)], delay=0.02)
    cancel = CancelToken()
    out: list[object] = []

    def consume() -> None:
        out.extend(run_turn(model, [], cancel=cancel, options=OPTIONS))

    worker = threading.Thread(target=consume)
    worker.start()
    while model.yielded < 5:
        time.sleep(0.005)
    started = time.perf_counter()
    cancel.cancel()
    worker.join(2)
    assert not worker.is_alive()
    assert time.perf_counter() - started < 0.1
    last = out[-1]
    assert isinstance(last, TurnFinished) and last.interrupted
    assert last.text.startswith(" w0 w1 w2 w3 w4")
    assert model.yielded < 500


def test_provider_error_ends_in_turn_failed_with_partial() -> None:
    model = ScriptedModel(["Partial", " text", " more"], fail_after=2, error="No luck.")
    events = list(run_turn(model, [], cancel=CancelToken(), options=OPTIONS))
    assert events[-1] == TurnFailed("No luck.", "Partial text")


def test_answer_puts_the_persona_first_and_the_question_last() -> None:
    model = ScriptedModel(["Hi."])
    history = [Message("user", "Earlier"), Message("assistant", "Reply"), Message("user", "Now?")]
    events = list(answer(model, history, "Be kind.", cancel=CancelToken(), options=OPTIONS))
    assert isinstance(events[-1], TurnFinished)
    sent = model.calls[0]
    assert [m.type for m in sent] == ["system", "human", "ai", "human"]
    assert sent[0].content == "Be kind." and sent[-1].content == "Now?"


def test_answer_refuses_a_question_that_cannot_fit_the_context() -> None:
    model = ScriptedModel(["never"])
    history = [Message("user", "word " * 20_000)]
    events = list(answer(model, history, "Persona.", cancel=CancelToken(), options=OPTIONS))
    assert isinstance(events[-1], TurnFailed)
    assert "too long" in events[-1].message
    assert model.calls == []


def test_answer_waiting_for_a_loading_model_can_be_cancelled() -> None:
    model = ScriptedModel(["never"])
    model.ready_event.clear()
    cancel = CancelToken()
    threading.Timer(0.05, cancel.cancel).start()
    events = list(answer(model, [Message("user", "Hi")], "P", cancel=cancel, options=OPTIONS))
    assert events == [TurnFinished("", interrupted=True, finish_reason="cancelled")]


def test_a_thinking_model_s_reasoning_is_never_shown_spoken_or_kept() -> None:
    tokens = ["<th", "ink>", "Okay, let me try", " to figure out", " what they want.", "</thi"]
    tokens += ["nk>\n\n", "The tallest mountain", " in Africa is Kilimanjaro.", " Enjoy!"]
    events = events_of(tokens)
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    spoken = " ".join(e.text for e in events if isinstance(e, Sentence))
    kept = next(e for e in events if isinstance(e, TurnFinished)).text
    for text in (shown, spoken, kept):
        assert "figure out" not in text and "think" not in text
    assert spoken == "The tallest mountain in Africa is Kilimanjaro. Enjoy!"
    assert kept.strip() == "The tallest mountain in Africa is Kilimanjaro. Enjoy!"


def test_reasoning_left_open_when_the_stream_ends_is_dropped() -> None:
    events = events_of(["Sure. ", "<think>Now I should also mention"])
    kept = next(e for e in events if isinstance(e, TurnFinished)).text
    assert kept == "Sure. "
    assert [e.text for e in events if isinstance(e, Sentence)] == ["Sure."]


def test_reasoning_saved_by_an_older_version_is_not_sent_back() -> None:
    model = ScriptedModel(["Fine."])
    history = [
        Message("user", "Hi"),
        Message("assistant", "<think>They greet me.</think>Hello!"),
        Message("user", "How are you?"),
    ]
    list(answer(model, history, "Be kind.", cancel=CancelToken(), options=OPTIONS))
    sent = " ".join(str(m.content) for m in model.calls[0])
    assert "They greet me" not in sent and "Hello!" in sent


def test_recalled_notes_sit_before_the_newest_message_and_leave_the_prompt_start_alone() -> None:
    model = ScriptedModel(["Fine."])
    history = [Message("user", "Hi"), Message("assistant", "Hello!"), Message("user", "My dog?")]
    list(answer(model, history, "Be kind.", cancel=CancelToken(), options=OPTIONS, notes="N: Rex"))
    list(answer(model, history, "Be kind.", cancel=CancelToken(), options=OPTIONS))
    with_notes, without = model.calls
    assert [(m.type, m.content) for m in with_notes] == [
        ("system", "Be kind."),
        ("human", "Hi"),
        ("ai", "Hello!"),
        ("system", "N: Rex"),
        ("human", "My dog?"),
    ]
    assert with_notes[:3] == without[:3]  # what the model read last turn is read the same
