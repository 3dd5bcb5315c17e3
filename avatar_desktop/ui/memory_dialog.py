"""The Memory panel: every remembered item with where it came from; search, edit, delete."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from avatar_desktop.core.memory_items import MemoryItem

ID_ROLE = Qt.ItemDataRole.UserRole
SEARCH_DELAY_MS = 200
_HEADERS = ("Remembered", "Kind", "From", "Used")


class MemoryDialog(QDialog):
    """Widgets only: the app fills it with ``set_items`` and acts on its signals.

    Signals:
        search_changed(str): the search words changed (after a short pause in typing).
        edit_requested(int, str): an item's new text, typed in its cell.
        delete_requested(list): ids of the selected items.
        forget_all_requested(): the user confirmed forgetting everything.
        pause_toggled(bool): True pauses remembering.
        export_requested(str), import_requested(str): a JSON file path the user chose.
    """

    search_changed = Signal(str)
    edit_requested = Signal(int, str)
    delete_requested = Signal(list)
    forget_all_requested = Signal()
    pause_toggled = Signal(bool)
    export_requested = Signal(str)
    import_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Memory")
        self.setObjectName("memoryDialog")
        self._filling = False
        self.search = QLineEdit(placeholderText="Search what is remembered…")
        self.search.setClearButtonEnabled(True)
        self.table = self._build_table()
        self.summary = QLabel()
        self.summary.setObjectName("memorySummary")
        self.pause = QCheckBox(
            "Pause remembering (nothing new is kept; what is kept is still used)"
        )
        self.delete_button = QPushButton("Delete")
        self.forget_button = QPushButton("Forget everything…")
        self.export_button = QPushButton("Export…")
        self.import_button = QPushButton("Import…")
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._layout()
        self._wire()
        self.resize(760, 460)

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(0, len(_HEADERS))
        table.setObjectName("memoryTable")
        table.setHorizontalHeaderLabels(list(_HEADERS))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(_HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        table.setWordWrap(True)
        return table

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.delete_button, self.forget_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.export_button, self.import_button):
            buttons.addWidget(button)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        note = QLabel(
            "What the assistant remembers about you, kept on this computer only. It is given "
            "to the model you chose as notes, never as instructions. Double-click a note to "
            "correct it."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.pause)
        layout.addLayout(buttons)

    def _wire(self) -> None:
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer.timeout.connect(
            lambda: self.search_changed.emit(self.search.text().strip())
        )
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.forget_button.clicked.connect(self._on_forget_clicked)
        self.pause.toggled.connect(self.pause_toggled)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self._update_buttons()

    # --- filled by the app ----------------------------------------------------------------

    def set_items(self, items: Sequence[MemoryItem], titles: Mapping[str, str]) -> None:
        """Show ``items``; ``titles`` names the conversations they came from."""
        self._filling = True
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            kind = f"{item.kind}, {'all personas' if item.persona is None else 'one persona'}"
            cells = (item.text, kind, _source(item, titles), _used(item))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ID_ROLE, item.id)
                if column:
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()
        self._filling = False
        searching = bool(self.search.text().strip())
        count = f"{len(items)} found" if searching else f"{len(items)} remembered"
        self.summary.setText(count)
        self._update_buttons()

    def set_paused(self, paused: bool) -> None:
        self.pause.blockSignals(True)
        self.pause.setChecked(paused)
        self.pause.blockSignals(False)

    def shown_texts(self) -> list[str]:
        rows = range(self.table.rowCount())
        return [cell.text() for r in rows if (cell := self.table.item(r, 0)) is not None]

    def select_text(self, text: str) -> None:
        """Select the row showing ``text`` (for keyboard users' tests and the screenshot)."""
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None and cell.text() == text:
                self.table.selectRow(row)

    # --- the user's actions -----------------------------------------------------------------

    def _selected_ids(self) -> list[int]:
        rows = {index.row() for index in self.table.selectedIndexes()}
        cells = [self.table.item(row, 0) for row in sorted(rows)]
        return [int(cell.data(ID_ROLE)) for cell in cells if cell is not None]

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(bool(self._selected_ids()))
        self.forget_button.setEnabled(self.table.rowCount() > 0)

    def _on_table_item_changed(self, cell: QTableWidgetItem) -> None:
        if self._filling or cell.column() != 0:
            return
        text = " ".join(cell.text().split())
        if text:
            self.edit_requested.emit(int(cell.data(ID_ROLE)), text)

    def _on_delete_clicked(self) -> None:
        ids = self._selected_ids()
        if ids:
            self.delete_requested.emit(ids)

    def _on_forget_clicked(self) -> None:
        answer = QMessageBox.question(
            self,
            "Forget everything?",
            "Delete everything the assistant remembers about you? This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.forget_all_requested.emit()

    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export memory", "memory.json", "JSON (*.json)")
        if path:
            self.export_requested.emit(path)

    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import memory", "", "JSON (*.json)")
        if path:
            self.import_requested.emit(path)


def _source(item: MemoryItem, titles: Mapping[str, str]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(item.source.told or item.created))
    title = titles.get(item.source.session_id or "", "")
    if title:
        return f"“{title}”, {when}"
    return f"a conversation, {when}" if item.source.session_id else f"imported or typed, {when}"


def _used(item: MemoryItem) -> str:
    if not item.uses or item.last_used is None:
        return "not yet"
    day = time.strftime("%Y-%m-%d", time.localtime(item.last_used))
    return f"{item.uses}× (last {day})"
