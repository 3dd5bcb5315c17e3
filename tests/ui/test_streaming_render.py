"""A long answer streamed into the chat: pieces look like one label, and only the end is redone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QEnterEvent, QImage, QPaintEvent, QTextDocument
from PySide6.QtWidgets import QApplication, QFrame, QLabel
from pytestqt.qtbot import QtBot

from avatar_desktop.core.markdown import render_markdown
from avatar_desktop.core.markdown_pieces import PIECE_CHARS
from avatar_desktop.ui.chat_view import ChatView, MessageBubble
from avatar_desktop.ui.markdown_view import MarkdownView
from avatar_desktop.ui.rich_label import FittedLabel
from tests.fakes.markdown_answers import CORPUS, LONG_ANSWER
from tests.ui.conftest import shown_chat_view


@pytest.fixture
def view(qtbot: QtBot) -> ChatView:
    return shown_chat_view(qtbot, 760, 640)


class BodySet(NamedTuple):
    """A label's text changed: what Qt must lay out again, and where the label stood."""

    label: FittedLabel
    body: str
    from_end: int  # 0 for the last label shown, 1 for the one above it...


@pytest.fixture
def bodies_set(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BodySet]]:
    calls: list[BodySet] = []
    original = FittedLabel.set_body

    def recording(label: FittedLabel, body: str, css: str) -> None:
        view = label.parentWidget()
        if body != label.body() and body and isinstance(view, MarkdownView):
            shown = view.labels()
            from_end = len(shown) - 1 - shown.index(label) if label in shown else 0  # new
            calls.append(BodySet(label, body, from_end))
        original(label, body, css)

    monkeypatch.setattr(FittedLabel, "set_body", recording)
    yield calls


def stream_into(bubble: MessageBubble, qtbot: QtBot, text: str, size: int = 4) -> int:
    """Append ``text`` in token-sized pieces, letting each throttled render happen; renders."""
    bubble._render_timer.setInterval(0)
    renders = 0
    for start in range(0, len(text), size * 6):
        for offset in range(start, min(start + size * 6, len(text)), size):
            bubble.append_text(text[offset : offset + size])
        qtbot.waitUntil(lambda: not bubble._render_timer.isActive())
        QApplication.processEvents()
        renders += 1
    return renders


def settle(qtbot: QtBot, bubble: MessageBubble) -> None:
    """Wait until the bubble's layout has stopped changing."""
    sizes: list[object] = []

    def still() -> bool:
        QApplication.processEvents()
        sizes.append((bubble.size(), [label.geometry() for label in bubble.text_labels()]))
        return len(sizes) > 3 and sizes[-1] == sizes[-2] == sizes[-3]

    qtbot.waitUntil(still)


def hover(label: QLabel) -> None:
    """The pointer comes over ``label`` (offscreen windows get no real pointer)."""
    point = QPointF(label.width() / 2, 2)
    enter = QEnterEvent(point, label.mapToGlobal(point), label.mapToGlobal(point))
    QApplication.sendEvent(label, enter)


def card_image(bubble: MessageBubble) -> QImage:
    card = bubble.findChild(QFrame, "assistantCard")
    assert card is not None
    return card.grab().toImage()


def test_a_streamed_long_answer_ends_exactly_as_the_one_shot_render(
    view: ChatView, qtbot: QtBot
) -> None:
    answer = view.add_message("assistant", "")
    stream_into(answer, qtbot, LONG_ANSWER)
    answer.finish()
    assert answer.shown_html() == render_markdown(LONG_ANSWER)
    labels = answer.text_labels()
    assert len(labels) >= 4  # no label holds the whole answer
    text = "\n".join(label.text() for label in labels)
    for words in ("Planning a week", "Shopping list", "def scale", "Read the whole recipe"):
        assert words in text


@pytest.mark.parametrize("text", [*CORPUS, LONG_ANSWER], ids=range(len(CORPUS) + 1))
def test_pieces_look_exactly_like_one_label(view: ChatView, qtbot: QtBot, text: str) -> None:
    answer = view.add_message("assistant", text)
    settle(qtbot, answer)
    pieces = answer.text_labels()
    before = card_image(answer)

    hover(pieces[-1])  # the pieces become one label with the whole render
    settle(qtbot, answer)
    (whole,) = answer.text_labels()
    assert whole.text().endswith(f"<body>{render_markdown(text)}</body></html>")
    assert card_image(answer) == before


def test_streaming_lays_out_only_the_end_of_the_answer(
    view: ChatView, qtbot: QtBot, bodies_set: list[BodySet]
) -> None:
    answer = view.add_message("assistant", "")
    renders = stream_into(answer, qtbot, LONG_ANSWER)
    assert len({id(call.label) for call in bodies_set}) >= 4
    # Only the last label or the one above it (which the finished blocks join) is redone:
    assert {call.from_end for call in bodies_set} <= {0, 1}
    # so each update lays out a piece or two, not everything so far (60 times this at the end).
    assert sum(len(call.body) for call in bodies_set) / renders < 2 * PIECE_CHARS

    bodies_set.clear()
    answer.finish()
    assert sum(len(call.body) for call in bodies_set) < 3 * PIECE_CHARS


def test_labels_above_the_growing_end_are_not_repainted(view: ChatView, qtbot: QtBot) -> None:
    answer = view.add_message("assistant", "")
    stream_into(answer, qtbot, LONG_ANSWER[:3000])
    first = answer.text_labels()[-2]
    painted: list[int] = []
    original = first.paintEvent

    def counting(event: QPaintEvent) -> None:
        painted.append(1)
        original(event)

    first.paintEvent = counting  # type: ignore[method-assign]
    stream_into(answer, qtbot, LONG_ANSWER[3000:3400])
    assert len(painted) <= 3


def test_moving_the_highlight_redoes_only_the_pieces_it_touches(
    view: ChatView, qtbot: QtBot, bodies_set: list[BodySet]
) -> None:
    answer = view.add_message("assistant", LONG_ANSWER)
    labels = answer.text_labels()
    bodies_set.clear()
    start = LONG_ANSWER.index("Rice, pasta")
    answer.set_highlight((start, start + 60))
    later = LONG_ANSWER.index("Cook once")
    answer.set_highlight((later, later + 50))
    touched = {id(call.label) for call in bodies_set}
    assert 1 <= len(touched) <= 2 < len(labels)
    assert "background-color" in "".join(label.text() for label in answer.text_labels())
    answer.set_highlight(None)
    assert answer.shown_html() == render_markdown(LONG_ANSWER)


def test_the_whole_answer_can_be_selected_once_the_pointer_is_over_it(
    view: ChatView, qtbot: QtBot
) -> None:
    answer = view.add_message("assistant", "")
    stream_into(answer, qtbot, LONG_ANSWER)
    answer.finish()
    hover(answer.text_labels()[2])
    (whole,) = answer.text_labels()
    document = QTextDocument()
    document.setHtml(whole.text())
    whole.setSelection(0, document.characterCount() - 1)
    selected = whole.selectedText()
    assert selected.startswith("Planning a week")
    assert "def scale(recipe" in selected
    assert selected.rstrip().endswith("went into every plate.")


def test_a_link_in_a_later_piece_opens(view: ChatView, qtbot: QtBot) -> None:
    opened: list[object] = []
    view.open_url = opened.append
    answer = view.add_message(
        "assistant", LONG_ANSWER + "\n\n[More recipes](https://example.com/r)"
    )
    last = answer.text_labels()[-1]
    assert last is not answer.text_label
    with qtbot.waitSignal(view.link_clicked) as clicked:
        last.linkActivated.emit("https://example.com/r")
    assert clicked.args == ["https://example.com/r"]
    assert len(opened) == 1


@pytest.mark.parametrize("text", [CORPUS[3], CORPUS[7], LONG_ANSWER[:1500]])
def test_a_fitted_label_sizes_and_paints_as_qlabel_does(qtbot: QtBot, text: str) -> None:
    label = FittedLabel()
    qtbot.addWidget(label)
    label.set_body(render_markdown(text), "p { margin-bottom: 8px; } td { padding: 3px; }")
    label.setContentsMargins(0, 8, 0, 0)
    for width in (160, 377, 600):
        assert label.heightForWidth(width) == QLabel.heightForWidth(label, width)
    label.resize(600, label.heightForWidth(600))
    label.show()
    qtbot.waitExposed(label)
    ours = label.grab().toImage()
    label.setSelection(0, 1)  # with a selection, QLabel paints itself
    label.setSelection(0, 0)
    label.paintEvent = lambda event: QLabel.paintEvent(label, event)  # type: ignore[method-assign]
    label.update()
    assert label.grab().toImage() == ours


def test_text_in_the_card_does_not_flicker_while_scrolled_away(
    view: ChatView, qtbot: QtBot
) -> None:
    """Not following the end, a growing answer repaints nothing the reader can see."""
    view.set_messages([("user", f"message {i}", False, None) for i in range(30)])
    answer = view.add_message("assistant", "")
    stream_into(answer, qtbot, LONG_ANSWER[:800])
    view.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    label = view.bubbles()[0].text_label
    painted: list[int] = []
    original = label.paintEvent

    def counting(event: QPaintEvent) -> None:
        painted.append(1)
        original(event)

    label.paintEvent = counting  # type: ignore[method-assign]
    stream_into(answer, qtbot, LONG_ANSWER[800:1600])
    assert painted == []
