"""A wrapping rich-text label sized to its text, the building block of chat bubbles.

QLabel is costly with long rich text: every heightForWidth() lays its whole document out
twice (and repaints it), and every paint draws the whole document whatever the exposed
area. So this label keeps a second QTextDocument with the same HTML, laid out once per text
and width, answers sizes from it and paints only the exposed part of it. QLabel's own
document still does what only it can: selection, link clicks and focus, and accessibility;
while text is selected or a link has focus, QLabel paints as usual.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QLabel, QStyleOption, QWidget

from avatar_desktop.core.markdown import FULL_WIDTH_MARK

NO_LIMIT = 16777215  # QWIDGETSIZE_MAX
_MIN_WIDTH = 48  # narrowest a text label may be squeezed


class FittedLabel(QLabel):
    """Wrapping label whose preferred width is its longest wrapped line, not Qt's 5:3 guess."""

    def __init__(self, parent: QWidget | None = None, *, rich: bool = True) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        self.growing = False  # while streaming, a label that fills its width stays that wide
        self.fills = 0  # if set, the width to take without measuring (see MarkdownView)
        self._body = ""
        self._css = ""
        self._measured: tuple[str, int, str] | None = None
        self._ideal_width = 0
        self._heights: dict[int, int] = {}  # heightForWidth answers for the current text
        self._document = _label_document(self) if rich else None

    def body(self) -> str:
        return self._body

    def set_body(self, body: str, css: str) -> None:
        """Show rich-text ``body`` styled by ``css``, skipping the relayout if nothing changed."""
        if body == self._body and (css == self._css or not body):
            self._css = css  # an empty label needs no stylesheet parsed yet
            return
        self._body, self._css = body, css
        self.setText(f"<html><head><style>{css}</style></head><body>{body}</body></html>")

    def setText(self, text: str) -> None:
        self._heights.clear()
        if self._document is not None:
            self._document.setHtml(text)
        super().setText(text)

    def make_opaque(self) -> None:
        """Fill the background and keep contents on resize: when the bubble around it grows,
        Qt then repaints neither this label nor what it covers. The fill is the palette's Window
        (the bubble's colour): unset, the role is inherited, and a scroll area's is Base."""
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)

    def setContentsMargins(self, left: int, top: int, right: int, bottom: int) -> None:  # type: ignore[override]
        self._heights.clear()
        super().setContentsMargins(left, top, right, bottom)

    def heightForWidth(self, width: int) -> int:
        """The height QLabel would give, from the label's own document, remembered per width."""
        height = self._heights.get(width)
        if height is None:
            if self._document is None:
                height = super().heightForWidth(width)
            else:
                margins = self.contentsMargins()
                size = self._laid_out(width - margins.left() - margins.right()).size()
                height = math.ceil(size.height()) + margins.top() + margins.bottom()
            self._heights[width] = height
        return height

    def sizeHint(self) -> QSize:
        """Shrink-wrap short messages; long ones fill the width the view allows."""
        limit = self.maximumWidth()
        empty = not self.text() if self.textFormat() == Qt.TextFormat.PlainText else not self._body
        if limit >= NO_LIMIT or empty:
            return super().sizeHint()
        width = max(1, min(limit, self._measured_width(limit)))
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        """Qt's version lays the text out three times, once a word per line; hfw gives heights."""
        return QSize(min(self.maximumWidth(), _MIN_WIDTH), 0)

    def measured_width(self) -> int:
        """The width its text needs at the current limit, or 0 if not measured for that."""
        measured = self._measured
        if measured is None or measured[1] != self.maximumWidth() or measured[0] != self.text():
            return 0
        return self._ideal_width

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw only the exposed part of the text, as QLabel would draw it."""
        if self._document is None or self.hasSelectedText() or self.hasFocus():
            super().paintEvent(event)
            return
        area = self.contentsRect()
        document = self._laid_out(area.width())
        option = QStyleOption()
        option.initFrom(self)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = option.palette
        if self.foregroundRole() != QPalette.ColorRole.Text and self.isEnabled():
            ink = option.palette.color(self.foregroundRole())
            context.palette.setColor(QPalette.ColorRole.Text, ink)
        clip = QRectF(event.rect().intersected(area).translated(-area.topLeft()))
        context.clip = clip
        painter = QPainter(self)
        painter.translate(area.topLeft())
        painter.setClipRect(clip)
        document.documentLayout().draw(painter, context)
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Static contents are only kept for a change of height: a new width re-wraps them."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._heights.clear()
            if self._document is not None:
                self._document.setDefaultFont(self.font())
        super().changeEvent(event)

    def _laid_out(self, width: int) -> QTextDocument:
        """The label's document laid out at ``width`` (a new width costs a layout)."""
        document = self._document
        assert document is not None
        if document.textWidth() != width:
            document.setTextWidth(width)
        return document

    def _measured_width(self, limit: int) -> int:
        if self.fills:
            return self.fills
        key = (self.text(), limit, self.font().key())
        if key == self._measured or (self.growing and self._ideal_width >= limit):
            return self._ideal_width
        if FULL_WIDTH_MARK in self._body:
            self._ideal_width = limit  # a code box spans the width, so no need to measure
        elif self._document is None:
            metrics = self.fontMetrics()
            lines = self.text().split("\n")
            self._ideal_width = max(metrics.horizontalAdvance(line) for line in lines) + 1
        else:
            self._ideal_width = math.ceil(self._laid_out(limit).idealWidth())
        self._measured = key
        return self._ideal_width


def _label_document(label: QLabel) -> QTextDocument:
    """A document laid out as QLabel lays out its own: no margin, word wrap, its alignment."""
    document = QTextDocument(label)
    document.setUndoRedoEnabled(False)
    document.setDocumentMargin(0)
    document.setDefaultFont(label.font())
    option = document.defaultTextOption()
    option.setAlignment(label.alignment())
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    document.setDefaultTextOption(option)
    return document
