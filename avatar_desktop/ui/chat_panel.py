"""The chat as a side panel beside the stage: a title row and the transcript; it can fold away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from avatar_desktop.ui.chat_view import ChatView

MIN_WIDTH = 260
DEFAULT_WIDTH = 380


class ChatPanel(QWidget):
    """The transcript under a header whose button folds the panel (the View menu's action);
    a rounded card (``#chatPanel``) set in from the window's edges."""

    def __init__(self, chat: ChatView, fold: QAction) -> None:
        super().__init__()
        self.setObjectName("chatPanelHolder")
        self.setMinimumWidth(MIN_WIDTH)
        self.card = QFrame()
        self.card.setObjectName("chatPanel")
        self.card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 8, 10, 8)
        outer.addWidget(self.card)
        title = QLabel("Conversation")
        title.setObjectName("chatPanelTitle")
        close = QToolButton()
        close.setObjectName("panelToggle")
        close.setText("Hide")
        close.setToolTip(f"Fold the chat away ({fold.shortcut().toString()})")
        close.setAutoRaise(True)
        close.clicked.connect(lambda: fold.setChecked(False))
        header = QHBoxLayout()
        header.setContentsMargins(14, 8, 8, 4)
        header.addWidget(title, 1)
        header.addWidget(close)
        column = QVBoxLayout(self.card)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(header)
        column.addWidget(chat, 1)
