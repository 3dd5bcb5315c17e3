"""A message's text as a stack of labels, one per piece, so an update re-lays out only its end.

A QLabel lays out and paints its whole document on every change, which for a long answer
is tens of milliseconds of the GUI thread per streamed update. Here each label holds one
piece (see :mod:`avatar_desktop.core.markdown_pieces`): a streamed update, a finished
answer or a moved highlight re-sets only the labels whose piece changed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from avatar_desktop.core.markdown import render_plain
from avatar_desktop.core.markdown_pieces import Piece
from avatar_desktop.core.markdown_stream import MarkdownStream
from avatar_desktop.ui.rich_label import NO_LIMIT, FittedLabel

_HOVER_EVENTS = (QEvent.Type.Enter, QEvent.Type.MouseMove)


class MarkdownView(QWidget):
    """The text of one message: Markdown in pieces, or the user's plain text in one label.

    The labels are stacked by hand, not by a QLayout: a layout fits its items into the
    widget's old height first and only then into the new one, so every label above a
    growing one would be squeezed, moved back and repainted on each streamed update.

    A finished answer in several pieces becomes one label when the pointer comes over it,
    so a drag or "Select All" takes in the whole answer; that costs one full layout, once,
    when the user may want it, instead of on every update.
    """

    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, markdown: bool = True) -> None:
        super().__init__(parent)
        self._markdown = markdown
        self._stream = MarkdownStream()
        self._pieces: list[Piece] = []
        self._labels: list[FittedLabel] = []
        self._whole: FittedLabel | None = None  # every piece in one label, for selecting
        self._final = True
        self._css = ""
        self._palette = QPalette(self.palette())
        self._max_width = NO_LIMIT
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._label(0).show()

    def show_text(
        self, text: str, *, final: bool, mark: tuple[int, int] | None = None, style: str = ""
    ) -> None:
        """Show ``text``; ``final`` renders it exactly, ``mark`` highlights a span of it."""
        self._final = final
        if not self._markdown:
            self._pieces = [Piece(render_plain(text), render_plain(text), 0, len(text), 0)]
        else:
            self._pieces = self._stream.pieces(text, final=final, mark=mark, style=style)
        if self._whole is not None:
            self._whole.hide()
        for index, piece in enumerate(self._pieces or [Piece("", "", 0, 0, 0)]):
            label = self._label(index)
            if label.contentsMargins().top() != piece.gap:
                label.setContentsMargins(0, piece.gap, 0, 0)
            label.growing = not final
            label.set_body(piece.body, self._css)
            label.show()
        for label in self._labels[max(1, len(self._pieces)) :]:
            label.hide()
            label.set_body("", self._css)
        self._share_width(final)
        self._restack()

    def html(self) -> str:
        """The HTML shown, without list tags added for pieces: the whole text's render."""
        return "".join(piece.html for piece in self._pieces)

    def labels(self) -> list[QLabel]:
        """The labels showing the text now, top to bottom."""
        return list(self._shown())

    def set_style(self, css: str, palette: QPalette) -> None:
        """The stylesheet for the HTML and the palette: ink, selection and (Window) background."""
        self._css, self._palette = css, QPalette(palette)
        for label in self._every_label():
            label.setPalette(palette)
            label.set_body(label.body(), css)
        self._restack()

    def set_max_width(self, width: int) -> None:
        """The widest the text may be; it wraps inside."""
        self._max_width = width
        for label in self._every_label():
            label.setMaximumWidth(width)
        self._restack()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return sum(label.heightForWidth(width) for label in self._shown())

    def sizeHint(self) -> QSize:
        """As wide as the widest label wants, as tall as the labels are at that width."""
        width = max(label.sizeHint().width() for label in self._shown())
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(max(label.minimumSizeHint().width() for label in self._shown()), 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Merge the pieces of a finished answer as the pointer comes over them (see above)."""
        if event.type() in _HOVER_EVENTS and watched in self._labels:
            self._merge()
        return super().eventFilter(watched, event)

    def _shown(self) -> list[FittedLabel]:
        if self._whole is not None and not self._whole.isHidden():
            return [self._whole]
        return [label for label in self._labels if not label.isHidden()]

    def _every_label(self) -> list[FittedLabel]:
        return [*self._labels, *([self._whole] if self._whole is not None else [])]

    def _restack(self) -> None:
        """Place the labels now and tell the bubble its size may have changed."""
        self._place()
        self.updateGeometry()

    def _place(self) -> None:
        """Stack the shown labels top to bottom at the view's width, each as tall as it needs."""
        width, top = self.width(), 0
        for label in self._shown():
            height = label.heightForWidth(width)
            label.setGeometry(0, top, width, height)
            top += height

    def _share_width(self, final: bool) -> None:
        """While streaming in a bubble already wide, labels keep its width without measuring.

        Measuring means laying the text out once more; the final render measures exactly.
        """
        width = min(self.width(), self._max_width)
        wide = not final and width >= self._max_width * 3 // 4
        for label in self._shown():
            label.fills = width if wide else 0

    def _merge(self) -> None:
        if not self._final or len(self._pieces) < 2:
            return
        if self._whole is None:
            self._whole = self._new_label()
            self._whole.setObjectName("wholeText")
        self._whole.set_body(self.html(), self._css)
        if self._whole.isHidden():
            for label in self._labels:
                label.hide()
            self._whole.show()
            self._restack()

    def _label(self, index: int) -> FittedLabel:
        """The label for piece ``index``, made when the text first needs it."""
        while len(self._labels) <= index:
            label = self._new_label()
            label.setObjectName("messageText")
            label.installEventFilter(self)
            self._labels.append(label)
        return self._labels[index]

    def _new_label(self) -> FittedLabel:
        label = FittedLabel(self, rich=True)
        label.setOpenExternalLinks(False)
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        label.setPalette(self._palette)
        label.setMaximumWidth(self._max_width)
        label.make_opaque()
        label.linkActivated.connect(self.link_activated)
        label.linkHovered.connect(self._on_label_link_hovered)
        label.hide()
        return label

    def _on_label_link_hovered(self, url: str) -> None:
        """Show where a link goes before it is clicked."""
        label = self.sender()
        if isinstance(label, QLabel):
            label.setToolTip(url)
