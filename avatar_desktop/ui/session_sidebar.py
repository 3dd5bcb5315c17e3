"""The session sidebar: new, switch, rename, delete (with confirmation); newest first."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from avatar_desktop.core.session import SessionSummary
from avatar_desktop.ui import icons

_ID_ROLE = Qt.ItemDataRole.UserRole
_PAD = QSize(10, 8)  # inside each row, on the 8 px grid


def age(updated: float, now: float | None = None) -> str:
    """'just now', '5 min ago', 'yesterday', or a date: a glanceable time for the list.

    Any float is shown without raising (a file may say -1e20 or -Infinity): a redraw must not fail.
    """
    now = time.time() if now is None else now
    seconds = now - updated
    if not math.isfinite(seconds):
        return "long ago" if seconds > 0 or math.isnan(seconds) else "just now"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 2 * 86400:
        return "yesterday"
    try:
        return time.strftime("%d %b %Y", time.localtime(updated))
    except (OverflowError, OSError, ValueError):
        return "long ago"  # before (or far after) what the platform's calendar can show


class _RowDelegate(QStyledItemDelegate):
    """A row as title over a quieter age line; the item's text stays "title\\nage" for a11y."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:  # the background: hover and selection, from the sheet
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        title, _, when = str(index.data() or "").rpartition("\n")
        box = opt.rect.adjusted(_PAD.width(), _PAD.height(), -_PAD.width(), -_PAD.height())
        ink = opt.palette.color(QPalette.ColorRole.Text)
        painter.save()
        painter.setFont(_title_font(opt.font))
        painter.setPen(ink)
        metrics = painter.fontMetrics()
        elide = Qt.TextElideMode.ElideRight
        painter.drawText(
            QRect(box.left(), box.top(), box.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(title or when, elide, box.width()),
        )
        if title:
            small = _age_font(opt.font)
            painter.setFont(small)
            ink.setAlphaF(0.6)
            painter.setPen(ink)
            top = box.top() + metrics.height() + 2
            painter.drawText(
                QRect(box.left(), top, box.width(), QFontMetrics(small).height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                when,
            )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        font = option.font
        height = (
            QFontMetrics(_title_font(font)).height() + 2 + QFontMetrics(_age_font(font)).height()
        )
        return QSize(120, height + 2 * _PAD.height())


def _title_font(font: QFont) -> QFont:
    title = QFont(font)
    title.setWeight(QFont.Weight.Medium)
    return title


def _age_font(font: QFont) -> QFont:
    small = QFont(font)
    if small.pointSizeF() > 0:
        small.setPointSizeF(small.pointSizeF() * 0.88)
    return small


class SessionSidebar(QWidget):
    """List of conversations.

    Signals:
        new_requested(): the New button.
        selected(str): a session id was picked.
        rename_requested(str, str): id and new title.
        delete_requested(str): id, after the user confirmed.
    """

    new_requested = Signal()
    selected = Signal(str)
    rename_requested = Signal(str, str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionSidebar")
        self.new_button = QPushButton("New conversation")
        icons.follow_palette(self.new_button, icons.plus)
        self.new_button.setToolTip("Start a new conversation (Ctrl+N)")
        self.new_button.setObjectName("newSessionButton")
        self.list = QListWidget()
        self.list.setObjectName("sessionList")
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setItemDelegate(_RowDelegate(self.list))
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setFrameShape(QListWidget.Shape.NoFrame)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # the theme's sidebar colour
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(self.new_button)
        layout.addWidget(self.list)
        self.new_button.clicked.connect(self.new_requested)
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu)
        self._current = ""

    def set_sessions(self, sessions: Sequence[SessionSummary], current: str) -> None:
        self._current = current
        self.list.blockSignals(True)
        self.list.clear()
        for summary in sessions:
            item = QListWidgetItem(f"{summary.title}\n{age(summary.updated)}")
            item.setData(_ID_ROLE, summary.id)
            item.setToolTip(summary.title)
            self.list.addItem(item)
            if summary.id == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def ids(self) -> list[str]:
        return [self.list.item(i).data(_ID_ROLE) for i in range(self.list.count())]

    def current_id(self) -> str:
        return self._current

    def title_of(self, session_id: str) -> str:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(_ID_ROLE) == session_id:
                return item.toolTip()
        return ""

    def _on_list_item_clicked(self, item: QListWidgetItem) -> None:
        session_id = item.data(_ID_ROLE)
        if session_id != self._current:
            self.selected.emit(session_id)

    def _on_list_context_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        menu = QMenu(self)
        rename = menu.addAction("Rename…")
        delete = menu.addAction("Delete…")
        chosen = menu.exec(self.list.mapToGlobal(pos))
        if chosen is rename:
            self.ask_rename(item.data(_ID_ROLE))
        elif chosen is delete:
            self.ask_delete(item.data(_ID_ROLE))

    def ask_rename(self, session_id: str) -> None:
        title, ok = QInputDialog.getText(
            self, "Rename conversation", "Title:", text=self.title_of(session_id)
        )
        if ok and title.strip():
            self.rename_requested.emit(session_id, title.strip())

    def ask_delete(self, session_id: str) -> None:
        answer = QMessageBox.question(
            self,
            "Delete conversation",
            f"Delete “{self.title_of(session_id)}”? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(session_id)
