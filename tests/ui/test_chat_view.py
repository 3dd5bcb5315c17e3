"""The chat pane: bubbles, throttled streaming, paging of long sessions, links and scrolling."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QPushButton
from pytestqt.qtbot import QtBot

from avatar_desktop.ui.chat_view import PAGE_SIZE, ChatView, MessageBubble, MessageRow
from tests.ui.conftest import shown_chat_view


@pytest.fixture
def view(qtbot: QtBot) -> ChatView:
    return shown_chat_view(qtbot, 700, 600)


def rows(count: int) -> list[MessageRow]:
    return [("assistant" if i % 2 else "user", f"message {i}", False, None) for i in range(count)]


def card(bubble: MessageBubble) -> QFrame:
    """The colored box of a bubble (the bubble itself also holds the notes)."""
    found = bubble.findChild(QFrame, f"{bubble.role}Card")
    assert found is not None
    return found


def at_bottom(view: ChatView) -> Callable[[], bool]:
    bar = view.verticalScrollBar()
    return lambda: bar.maximum() > 0 and bar.value() == bar.maximum()


def more_button(view: ChatView) -> QPushButton:
    button = view.findChild(QPushButton, "showEarlierButton")
    assert button is not None
    return button


def test_messages_become_bubbles_by_role(view: ChatView) -> None:
    user = view.add_message("user", "Is **this** <b>bold</b>?")
    answer = view.add_message("assistant", "It is **bold**.")

    assert view.bubbles() == [user, answer]
    assert (user.objectName(), answer.objectName()) == ("userMessage", "assistantMessage")
    assert user.accessibleName() and answer.accessibleName()
    assert user.text() == "Is **this** <b>bold</b>?"
    assert "**this** &lt;b&gt;bold&lt;/b&gt;" in user.text_label.text()
    assert "<strong>bold</strong>" in answer.text_label.text()
    assert answer.text_label.textFormat() == Qt.TextFormat.RichText
    assert not answer.text_label.openExternalLinks()


def test_user_bubbles_sit_right_and_answers_left(view: ChatView, qtbot: QtBot) -> None:
    user = view.add_message("user", "Hi")
    answer = view.add_message("assistant", "Hello")
    user_card = card(user)
    answer_card = card(answer)
    qtbot.waitUntil(lambda: user_card.mapTo(view, user_card.rect().topRight()).x() > 600)
    assert answer_card.mapTo(view, answer_card.rect().topLeft()).x() < 50
    assert user_card.width() < 150  # short messages shrink-wrap


def test_long_bubbles_stay_within_three_quarters_of_the_view(view: ChatView, qtbot: QtBot) -> None:
    answer = view.add_message("assistant", "word " * 400)
    box = card(answer)
    qtbot.waitUntil(lambda: box.height() > 100)
    assert view.viewport().width() * 0.6 < box.width() <= view.viewport().width() * 0.75
    assert box.height() >= answer.text_label.heightForWidth(answer.text_label.width())


def test_streamed_text_appears_after_the_throttle(view: ChatView, qtbot: QtBot) -> None:
    answer = view.add_message("assistant", "")
    answer.append_text("Hello **wor")
    assert "Hello" not in answer.shown_html()  # throttled, not rendered per token
    qtbot.waitUntil(lambda: "Hello" in answer.shown_html(), timeout=1000)
    assert answer.text() == "Hello **wor"


def test_streamed_pieces_are_coalesced_into_one_render(
    view: ChatView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = view.add_message("assistant", "")
    renders: list[bool] = []
    original = answer._render

    def counting_render(*, final: bool) -> None:
        renders.append(final)
        original(final=final)

    monkeypatch.setattr(answer, "_render", counting_render)
    for word in ["one ", "two ", "three ", "four"]:
        answer.append_text(word)
    qtbot.waitUntil(lambda: "four" in answer.shown_html(), timeout=1000)
    assert renders == [False]


def test_finish_renders_at_once(view: ChatView) -> None:
    answer = view.add_message("assistant", "")
    answer.append_text("Hello **world**\n\n- a\n- b")
    answer.finish()
    assert "<strong>world</strong>" in answer.text_label.text()
    assert "<li>b</li>" in answer.shown_html()


def test_set_text_renders_at_once(view: ChatView) -> None:
    answer = view.add_message("assistant", "draft")
    answer.set_text("Final *answer*")
    assert answer.text() == "Final *answer*"
    assert "<em>answer</em>" in answer.shown_html()
    assert "draft" not in answer.shown_html()


def test_unclosed_fence_mid_stream_renders(view: ChatView, qtbot: QtBot) -> None:
    answer = view.add_message("assistant", "")
    answer.append_text("Code:\n\n```python\nprint('hi')\n")
    qtbot.waitUntil(lambda: "<pre>" in answer.shown_html(), timeout=1000)
    answer.append_text("```\n\nDone.")
    answer.finish()
    assert "Done." in answer.text_label.text()


def test_a_long_session_opens_with_one_page(view: ChatView, qtbot: QtBot) -> None:
    messages = rows(10_000)
    started = time.perf_counter()
    view.set_messages(messages)
    assert time.perf_counter() - started < 5  # ~0.1 s here; 10,000 bubbles would take minutes

    bubbles = view.bubbles()
    assert len(bubbles) == PAGE_SIZE
    assert [b.text() for b in bubbles] == [m[1] for m in messages[-PAGE_SIZE:]]
    assert view.earlier_count() == 10_000 - PAGE_SIZE
    assert more_button(view).isVisible()

    qtbot.mouseClick(more_button(view), Qt.MouseButton.LeftButton)
    bubbles = view.bubbles()
    assert len(bubbles) == 2 * PAGE_SIZE
    assert [b.text() for b in bubbles] == [m[1] for m in messages[-2 * PAGE_SIZE :]]


def test_show_earlier_until_the_start(view: ChatView) -> None:
    view.set_messages(rows(250))
    view.show_earlier()
    view.show_earlier()
    assert [b.text() for b in view.bubbles()] == [f"message {i}" for i in range(250)]
    assert view.earlier_count() == 0
    assert not more_button(view).isVisible()


def test_short_session_has_no_show_earlier_button(view: ChatView) -> None:
    view.set_messages(rows(3))
    assert len(view.bubbles()) == 3
    assert not more_button(view).isVisible()


def test_show_earlier_keeps_the_reader_in_place(view: ChatView, qtbot: QtBot) -> None:
    view.set_messages(rows(300))
    bar = view.verticalScrollBar()
    qtbot.waitUntil(at_bottom(view))
    bar.setValue(0)
    first = view.bubbles()[0]
    offset = first.y() - bar.value()

    view.show_earlier()
    qtbot.waitUntil(lambda: bar.value() > 0 and first.y() - bar.value() == offset)


def test_set_messages_shows_notes_and_scrolls_to_the_end(view: ChatView, qtbot: QtBot) -> None:
    messages = [*rows(40), ("assistant", "cut", True, None), ("user", "hi", False, "No network")]
    view.set_messages(messages)
    qtbot.waitUntil(at_bottom(view))
    cut, failed = view.bubbles()[-2:]
    interrupted, error = cut.note("interruptedNote"), failed.note("errorNote")
    assert interrupted is not None and interrupted.isVisible()
    assert error is not None and error.isVisible()
    assert error.text() == "No network"


def test_interrupted_and_error_notes_are_visible(view: ChatView, qtbot: QtBot) -> None:
    answer = view.add_message("assistant", "Partial answ", interrupted=True)
    note = answer.note("interruptedNote")
    assert note is not None
    qtbot.waitUntil(note.isVisible)
    assert "nterrupted" in note.text()

    failed = view.add_message("assistant", "", error="Groq rejected the API key")
    error = failed.note("errorNote")
    assert error is not None
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "Groq rejected the API key"
    assert card(failed).isHidden()  # no empty bubble above it

    failed.set_error(None)
    assert not error.isVisible()
    assert not card(failed).isHidden()


def test_notes_can_be_added_to_a_live_bubble(view: ChatView, qtbot: QtBot) -> None:
    answer = view.add_message("assistant", "")
    assert answer.note("interruptedNote") is None
    answer.append_text("I was saying")
    answer.mark_interrupted()
    answer.set_error("Stream cut")
    answer.finish()
    interrupted, error = answer.note("interruptedNote"), answer.note("errorNote")
    assert interrupted is not None and error is not None
    qtbot.waitUntil(lambda: interrupted.isVisible() and error.isVisible())
    assert card(answer).isVisible()


def click_link(bubble: MessageBubble, url: str) -> None:
    bubble.text_label.linkActivated.emit(url)


@pytest.mark.parametrize(
    "url", ["https://example.com/a?b=1", "http://example.com", "mailto:me@example.com"]
)
def test_web_and_mail_links_open_on_click(view: ChatView, qtbot: QtBot, url: str) -> None:
    opened: list[QUrl] = []
    view.open_url = opened.append
    answer = view.add_message("assistant", f"[here]({url})")
    assert opened == []  # nothing opens until clicked
    with qtbot.waitSignal(view.link_clicked) as clicked:
        click_link(answer, url)
    assert clicked.args == [url]
    assert opened == [QUrl(url)]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi", "relative.html", "ftp://x"],
)
def test_other_links_never_open(view: ChatView, url: str) -> None:
    opened: list[QUrl] = []
    view.open_url = opened.append
    click_link(view.add_message("assistant", "text"), url)
    assert opened == []


def test_rendered_links_and_images(view: ChatView) -> None:
    answer = view.add_message(
        "assistant",
        "[ok](https://ok.example) [bad](javascript:alert(1)) ![pic](https://img.example/p.png)"
        " <img src=https://img.example/raw.png>",
    )
    html = answer.text_label.text()
    assert 'href="https://ok.example"' in html
    assert 'href="https://img.example/p.png"' in html
    assert 'href="javascript' not in html
    assert "<img" not in html


def test_streaming_follows_the_end_only_if_the_reader_is_there(
    view: ChatView, qtbot: QtBot
) -> None:
    view.set_messages(rows(30))
    bar = view.verticalScrollBar()
    qtbot.waitUntil(at_bottom(view))
    answer = view.add_message("assistant", "")
    old_maximum = bar.maximum()
    answer.append_text("A long answer. " * 200)
    qtbot.waitUntil(lambda: bar.maximum() > old_maximum + 100, timeout=2000)
    qtbot.waitUntil(at_bottom(view))

    bar.setValue(bar.maximum() // 2)
    reading = bar.value()
    old_maximum = bar.maximum()
    answer.append_text("\n\nMore text. " * 200)
    answer.finish()
    qtbot.waitUntil(lambda: bar.maximum() > old_maximum + 100, timeout=2000)
    assert bar.value() == reading


def test_the_users_own_message_brings_the_view_to_the_end(view: ChatView, qtbot: QtBot) -> None:
    view.set_messages(rows(30))
    bar = view.verticalScrollBar()
    qtbot.waitUntil(at_bottom(view))
    bar.setValue(0)
    view.add_message("user", "new question")
    qtbot.waitUntil(at_bottom(view))


def test_clear_removes_everything(view: ChatView) -> None:
    view.set_messages(rows(150))
    view.clear()
    assert view.bubbles() == []
    assert view.earlier_count() == 0
    assert not more_button(view).isVisible()


def test_palette_change_recolors_bubbles(view: ChatView, qtbot: QtBot) -> None:
    answer = view.add_message("assistant", "`code`")
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1b1b1d"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e8e8e8"))
    view.setPalette(dark)
    qtbot.waitUntil(
        lambda: answer.text_label.palette().color(QPalette.ColorRole.Text) == QColor("#e8e8e8")
    )
    late = view.add_message("assistant", "later")
    assert late.text_label.palette().color(QPalette.ColorRole.Text) == QColor("#e8e8e8")


def test_text_sits_on_its_bubble_s_colour_and_can_be_read(view: ChatView, qtbot: QtBot) -> None:
    """The text's own background is the bubble's colour (a scroll area's Base would show as a
    white box in every bubble, and hide the user's white-on-accent text)."""
    view.add_message("user", "How do I make tea?")
    view.add_message("assistant", "Here is a plan:\n\n1. Boil the water.\n2. Warm the pot.")
    for bubble in view.bubbles():
        bubble.finish()
    qtbot.wait(50)
    image = view.grab().toImage()
    for bubble in view.bubbles():
        counts: Counter[str] = Counter()
        for label in bubble.text_labels():
            rect = label.rect().translated(label.mapTo(view, label.rect().topLeft()))
            counts.update(
                image.pixelColor(x, y).name()
                for x in range(rect.left(), rect.right())
                for y in range(rect.top(), rect.bottom())
            )
        card_colour = card(bubble).palette().color(QPalette.ColorRole.Window)
        fill = bubble.text_label.palette().color(QPalette.ColorRole.Window).name()
        most = counts.most_common(1)[0][0]
        assert most == fill, (bubble.role, most, fill, card_colour.name())
        ink = bubble.text_label.palette().color(QPalette.ColorRole.WindowText)
        inked = sum(n for colour, n in counts.items() if _near(QColor(colour), ink))
        assert inked > 20, f"{bubble.role}: no text visible on the bubble"


def _near(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 90
