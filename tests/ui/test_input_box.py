"""The message input grows with what is typed, from one line to a few, and then scrolls."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from avatar_desktop.ui.input_box import MAX_LINES, MIN_HEIGHT, PLACEHOLDER, InputBox


def shown_box(qtbot: QtBot) -> InputBox:
    box = InputBox()
    qtbot.addWidget(box)
    box.resize(360, 10)
    box.show()
    qtbot.waitExposed(box)
    return box


def test_one_line_is_as_tall_as_the_microphone_button(qtbot: QtBot) -> None:
    box = shown_box(qtbot)
    assert box.height() == MIN_HEIGHT
    assert not box.verticalScrollBar().isVisible()


def test_grows_line_by_line_then_stops_and_scrolls(qtbot: QtBot, qapp: QApplication) -> None:
    box = shown_box(qtbot)
    heights = []
    for lines in range(1, MAX_LINES + 3):
        box.setPlainText("\n".join(f"line {i}" for i in range(lines)))
        qapp.processEvents()
        heights.append(box.height())
    grown = heights[:MAX_LINES]
    assert grown == sorted(grown) and grown[-1] > grown[1] > MIN_HEIGHT - 1
    assert heights[MAX_LINES - 1] == heights[MAX_LINES] == heights[MAX_LINES + 1]
    qtbot.waitUntil(lambda: box.verticalScrollBar().isVisible())


def test_every_line_fits_without_scrolling_below_the_cap(qtbot: QtBot, qapp: QApplication) -> None:
    box = shown_box(qtbot)
    box.setPlainText("one\ntwo\nthree")
    cursor = box.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    box.setTextCursor(cursor)
    qapp.processEvents()
    assert box.firstVisibleBlock().blockNumber() == 0
    assert not box.verticalScrollBar().isVisible()


def test_long_wrapped_text_grows_it_too(qtbot: QtBot, qapp: QApplication) -> None:
    box = shown_box(qtbot)
    box.setPlainText("word " * 40)
    qapp.processEvents()
    assert box.height() > MIN_HEIGHT


def test_the_hint_drops_its_keys_rather_than_wrap(qtbot: QtBot) -> None:
    box = shown_box(qtbot)
    box.resize(900, box.height())
    qtbot.waitUntil(lambda: box.placeholderText() == PLACEHOLDER)
    box.resize(300, box.height())
    qtbot.waitUntil(lambda: box.placeholderText() == "Type a message…")
    room = box.viewport().width() - 2 * box.document().documentMargin()
    assert box.fontMetrics().horizontalAdvance(box.placeholderText()) <= room
    box.show_hint("Turning what you said into text…")
    assert box.placeholderText() == "Turning what you said into text…"
    box.show_hint(PLACEHOLDER)
    box.resize(900, box.height())
    qtbot.waitUntil(lambda: box.placeholderText() == PLACEHOLDER)
