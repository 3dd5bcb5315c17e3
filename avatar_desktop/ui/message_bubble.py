"""One chat message on screen: a rounded bubble that renders Markdown as the reply streams in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from avatar_desktop.core.markdown import document_css
from avatar_desktop.ui.markdown_view import MarkdownView
from avatar_desktop.ui.rich_label import FittedLabel

RENDER_INTERVAL_MS = 30  # streaming re-renders at most this often
CARD_MARGINS = (14, 10, 14, 10)
CARD_RADIUS = 16.0

_Role = QPalette.ColorRole


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``amount`` of ``b`` blended into ``a``, so tints follow light and dark palettes alike."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


@dataclass(frozen=True, eq=False)
class BubbleTheme:
    """Every color a bubble uses, derived from one palette so light and dark themes both work."""

    palette: QPalette
    css: str  # stylesheet for the rendered Markdown
    card: QColor  # assistant bubble: the surface, a shade deeper
    user_card: QColor  # user bubble: the surface tinted with the accent
    muted: QColor  # the "interrupted" note
    error: QColor

    @classmethod
    def from_palette(cls, palette: QPalette) -> BubbleTheme:
        base, text = palette.color(_Role.Base), palette.color(_Role.Text)
        dark = base.lightnessF() < 0.5
        card = _mix(base, text, 0.075 if dark else 0.055)
        css = document_css(
            code_background=_mix(card, text, 0.08).name(),
            border=_mix(card, text, 0.3).name(),
            quote=_mix(text, card, 0.35).name(),
            code_font=QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family(),
            background=card.name(),
        )
        return cls(
            palette=QPalette(palette),
            css=css,
            card=card,
            user_card=_mix(base, palette.color(_Role.Highlight), 0.3 if dark else 0.14),
            muted=_mix(text, base, 0.45),
            error=QColor("#ff7b72" if dark else "#c62828"),
        )

    def ink(self, ink: QColor) -> QPalette:
        """A palette for text in ``ink``, keeping the theme's selection colours."""
        palette = QPalette(self.palette)
        for role in (_Role.WindowText, _Role.Text):
            palette.setColor(role, ink)
        return palette


class _Card(QFrame):
    """A bubble's rounded background, painted directly: a stylesheet costs ~1 ms per bubble."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color = QColor()

    def set_color(self, color: QColor) -> None:
        self._color = QColor(color)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._color)
        painter.drawRoundedRect(QRectF(self.rect()), CARD_RADIUS, CARD_RADIUS)


class MessageBubble(QFrame):
    """One message: a rounded card with its text, plus notes when it was cut short or failed.

    A streamed reply is re-rendered at most every RENDER_INTERVAL_MS, and then only its
    last piece (see :class:`MarkdownView`); ``finish()`` renders it exactly.
    """

    link_activated = Signal(str)

    def __init__(
        self,
        role: str,
        text: str = "",
        parent: QWidget | None = None,
        *,
        theme: BubbleTheme | None = None,
    ) -> None:
        super().__init__(parent)
        self._role = role
        self._text = text
        self._theme = theme or BubbleTheme.from_palette(self.palette())
        self._exact: str | None = None  # the text last rendered exactly, to skip repeats
        self._highlight: tuple[int, int] | None = None
        self._notes: dict[str, FittedLabel] = {}
        self.setObjectName(f"{role}Message")
        self.setAccessibleName("Your message" if self.is_user else "Assistant message")
        self._card = _Card(self)
        self._card.setObjectName("userCard" if self.is_user else "assistantCard")
        card_layout = QVBoxLayout(self._card)
        card_layout.setContentsMargins(*CARD_MARGINS)
        self._view = MarkdownView(self._card, markdown=not self.is_user)
        self._view.link_activated.connect(self.link_activated)
        card_layout.addWidget(self._view)
        self._column = self._build_column()

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_INTERVAL_MS)
        self._render_timer.timeout.connect(self._on_render_timer_timeout)
        self.set_theme(self._theme)
        self._render(final=True)

    @property
    def role(self) -> str:
        return self._role

    @property
    def is_user(self) -> bool:
        return self._role == "user"

    @property
    def text_label(self) -> QLabel:
        """The (first) label showing the text, for wiring and a11y tools."""
        return self._view.labels()[0]

    def text_labels(self) -> list[QLabel]:
        """Every label showing the text now, top to bottom."""
        return self._view.labels()

    def text(self) -> str:
        """The raw text as written, not the rendered HTML."""
        return self._text

    def shown_html(self) -> str:
        """The HTML on screen right now, without its stylesheet; lags the text while streaming."""
        return self._view.html()

    def set_text(self, text: str) -> None:
        """Replace the text and show it at once."""
        self._text = text
        self.finish()

    def append_text(self, delta: str) -> None:
        """Add a streamed piece; the display catches up within one render interval."""
        if not delta:
            return
        self._text += delta
        if not self._render_timer.isActive():
            self._render_timer.start()

    def finish(self) -> None:
        """The text is complete: render it exactly, now."""
        self._render_timer.stop()
        if self._exact != self._text:
            self._render(final=True)

    def mark_interrupted(self) -> None:
        """Say under the text that this answer was cut short."""
        self._note("interruptedNote", "Interrupted").show()
        self._sync_card()

    def set_error(self, text: str | None) -> None:
        """Show why this message failed, or clear that note with None."""
        if text:
            self._note("errorNote", text).show()
        elif "errorNote" in self._notes:
            self._notes["errorNote"].hide()
        self._sync_card()

    def mark_memory(self, notes: Sequence[str]) -> None:
        """Say under the answer which remembered notes it was given (the tooltip lists all)."""
        shown = "; ".join(f"“{n if len(n) <= 70 else n[:69] + '…'}”" for n in notes[:3])
        more = f" and {len(notes) - 3} more" if len(notes) > 3 else ""
        label = self._note("memoryNote", f"Used memory: {shown}{more}")
        label.setToolTip("\n".join(notes))
        label.show()

    def note(self, name: str) -> QLabel | None:
        """The ``interruptedNote`` or ``errorNote`` label, if it was ever shown."""
        return self._notes.get(name)

    def set_theme(self, theme: BubbleTheme) -> None:
        """Recolor the bubble, e.g. after the user switched between light and dark."""
        self._theme = theme
        fill = theme.user_card if self.is_user else theme.card
        self._card.set_color(fill)
        palette = theme.ink(theme.palette.color(_Role.Text))
        palette.setColor(_Role.Window, fill)
        self._view.set_style(theme.css, palette)
        for name, note in self._notes.items():
            note.setPalette(theme.ink(theme.error if name == "errorNote" else theme.muted))

    def set_max_width(self, width: int) -> None:
        """Cap the bubble at ``width`` pixels; its text wraps inside."""
        self._column.setMaximumWidth(width)
        self._view.set_max_width(max(1, width - CARD_MARGINS[0] - CARD_MARGINS[2]))
        for note in self._notes.values():
            note.setMaximumWidth(width)

    def _build_column(self) -> QWidget:
        """Card and notes in a column pushed to the user's or the assistant's side."""
        column = QWidget(self)
        self._column_layout = QVBoxLayout(column)
        self._column_layout.setContentsMargins(0, 0, 0, 0)
        self._column_layout.setSpacing(2)
        self._column_layout.addWidget(self._card)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        if self.is_user:
            row.addStretch(1)
        row.addWidget(column)
        if not self.is_user:
            row.addStretch(1)
        return column

    def set_highlight(self, span: tuple[int, int] | None) -> None:
        """Mark the sentence being spoken (offsets into the raw text), or clear it with None."""
        if span == self._highlight:
            return
        self._highlight = span
        self._exact = None
        self._render(final=not self._render_timer.isActive())

    def highlight(self) -> tuple[int, int] | None:
        return self._highlight

    def _render(self, *, final: bool) -> None:
        self._exact = self._text if final else None
        mark = self._theme.palette.color(_Role.Highlight)
        style = f"background-color: rgba({mark.red()}, {mark.green()}, {mark.blue()}, 90);"
        self._view.show_text(self._text, final=final, mark=self._highlight, style=style)
        self._sync_card()

    def _sync_card(self) -> None:
        """Hide an empty card when a note already says what happened."""
        has_note = any(
            not note.isHidden() for name, note in self._notes.items() if name != "memoryNote"
        )
        hide = not self._text and has_note
        if hide != self._card.isHidden():
            self._card.setHidden(hide)

    def _note(self, name: str, text: str) -> QLabel:
        note = self._notes.get(name)
        if note is None:
            note = FittedLabel(self._column, rich=False)
            note.setObjectName(name)
            note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            note.setAlignment(
                Qt.AlignmentFlag.AlignRight if self.is_user else Qt.AlignmentFlag.AlignLeft
            )
            note.setMaximumWidth(self._column.maximumWidth())
            theme = self._theme
            note.setPalette(theme.ink(theme.error if name == "errorNote" else theme.muted))
            note.setFont(_note_font(self.font(), italic=name == "interruptedNote"))
            self._column_layout.addWidget(note)
            self._notes[name] = note
        note.setText(text)
        note.setAccessibleName(text)
        return note

    def _on_render_timer_timeout(self) -> None:
        self._render(final=False)


def _note_font(font: QFont, *, italic: bool) -> QFont:
    """A slightly smaller font for notes, whether the app font is sized in points or pixels."""
    note = QFont(font)
    if note.pointSizeF() > 0:
        note.setPointSizeF(note.pointSizeF() * 0.88)
    else:
        note.setPixelSize(max(8, round(note.pixelSize() * 0.88)))
    note.setItalic(italic)
    return note
