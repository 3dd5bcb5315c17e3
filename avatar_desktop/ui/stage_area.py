"""The stage: the character fills the main area; panel toggles and the voice sit on a slim top row.

The avatar widget (with the presenter's video laid over it) can be lent to the companion window;
while it is away the stage says where it went and offers to bring it back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

IconMaker = Callable[[QColor], QIcon]
MIN_STAGE = 240  # the character stays readable down to this many pixels each way


class StageArea(QWidget):
    """Signals: recall_requested() — the user asks for the character back from the desktop."""

    recall_requested = Signal()

    def __init__(self, avatar_widget: QWidget, voice_controls: QWidget) -> None:
        super().__init__()
        self.setObjectName("stageArea")
        self.avatar_widget = avatar_widget
        self._icons: list[tuple[QAction, IconMaker]] = []
        self.top_row = QHBoxLayout()
        self.top_row.setContentsMargins(8, 6, 8, 0)
        self.top_row.setSpacing(6)
        self._left = QHBoxLayout()
        self._right = QHBoxLayout()
        self.top_row.addLayout(self._left)
        self.top_row.addStretch(1)
        self.top_row.addWidget(voice_controls)  # beside the stage, not over it: the character
        self.top_row.addLayout(self._right)  # repaints every frame, and anything over it too
        self.host = QWidget()
        self.host.setObjectName("stage")
        self.host.setMinimumSize(MIN_STAGE, MIN_STAGE)
        self.host.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._stack = QStackedLayout(self.host)
        self._stack.addWidget(avatar_widget)
        self.away = self._build_away()
        self._stack.addWidget(self.away)
        self.host.setMinimumSize(MIN_STAGE, MIN_STAGE)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(self.top_row)
        column.addWidget(self.host, 1)

    def _build_away(self) -> QWidget:
        away = QWidget()
        away.setObjectName("stageAway")
        label = QLabel("The character is on your desktop.")
        label.setObjectName("stageAwayLabel")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        back = QPushButton("Bring it back here")
        back.setObjectName("stageAwayButton")
        back.clicked.connect(self.recall_requested)
        column = QVBoxLayout(away)
        column.addStretch(1)
        column.addWidget(label)
        column.addWidget(back, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        return away

    def add_toggle(self, action: QAction, icon: IconMaker, *, right: bool) -> QToolButton:
        """A small flat icon button for a panel or mode, sharing the menu's action (and state)."""
        button = QToolButton()
        button.setObjectName("panelToggle")
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        button.setIconSize(QSize(20, 20))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self._icons.append((action, icon))
        action.setIcon(icon(self._ink()))
        (self._right if right else self._left).addWidget(button)
        return button

    def _ink(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.ButtonText)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # icons follow the theme's ink
            for action, icon in self._icons:
                action.setIcon(icon(self._ink()))
        super().changeEvent(event)

    def lend(self) -> QWidget:
        """Hand the avatar widget out (to the companion); the stage shows where it went."""
        self._stack.removeWidget(self.avatar_widget)
        self._stack.setCurrentWidget(self.away)
        return self.avatar_widget

    def take_back(self) -> None:
        """The avatar widget is home again: it fills the stage."""
        if self._stack.indexOf(self.avatar_widget) < 0:
            self._stack.insertWidget(0, self.avatar_widget)
        self._stack.setCurrentWidget(self.avatar_widget)
        self.avatar_widget.show()

    def holds_avatar(self) -> bool:
        return self._stack.indexOf(self.avatar_widget) >= 0
