"""The two colour sets and the one app-wide style sheet built from them.

The sheet styles by object name and class, so a new layout picks it up by naming its parts:
``#stage``, ``#chatPanel``, ``#composer``, ``#sidebar``, ``#panelToggle``, ``#sendButton``,
``#stopButton``, ``#recordButton``. Anything not named here is drawn by Fusion from the palette.
Spacing sits on a 4/8 px grid; one accent colour marks what is primary, selected or focused.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor


@dataclass(frozen=True)
class Colours:
    """Every colour the theme uses, as ``#rrggbb``; the palette and the sheet both read these."""

    window: str  # the stage and the window behind the panels
    surface: str  # the chat panel, input fields and lists (the palette's Base)
    sunken: str  # the conversations sidebar
    raised: str  # buttons
    border: str
    border_strong: str  # hovered fields and buttons
    text: str
    muted: str  # secondary text, placeholders
    accent: str
    accent_hover: str
    accent_pressed: str
    on_accent: str
    accent_soft: str  # a tint of the accent: hover and selection backgrounds
    focus: str  # keyboard focus rings
    tooltip: str
    tooltip_text: str
    shadow: str


LIGHT = Colours(
    window="#f3f4f8",
    surface="#ffffff",
    sunken="#eaecf2",
    raised="#ffffff",
    border="#dadde7",
    border_strong="#b9bece",
    text="#1d1f2b",
    muted="#60667a",
    accent="#5b5bd6",
    accent_hover="#4f4fc7",
    accent_pressed="#4343b3",
    on_accent="#ffffff",
    accent_soft="#e4e4fa",
    focus="#7b7be6",
    tooltip="#262835",
    tooltip_text="#f3f4f8",
    shadow="#9ba0b0",
)

DARK = Colours(
    window="#14161c",
    surface="#1c1f27",
    sunken="#101217",
    raised="#262a35",
    border="#2d313d",
    border_strong="#444a5c",
    text="#e6e7ee",
    muted="#9a9fb2",
    accent="#6b6be0",
    accent_hover="#7a7aea",
    accent_pressed="#5d5dcf",
    on_accent="#ffffff",
    accent_soft="#2b2c4d",
    focus="#9d9df5",
    tooltip="#2c2f3b",
    tooltip_text="#e6e7ee",
    shadow="#000000",
)


@dataclass(frozen=True)
class Glyphs:
    """Files of the small images a sheet must name (it cannot draw them); empty: none shown."""

    down: str = ""
    up: str = ""
    check: str = ""  # on the accent, in a ticked box
    menu_check: str = ""  # in text colour, by a ticked menu item


def rgba(colour: str, alpha: float) -> str:
    """``colour`` at ``alpha`` opacity, in the sheet's ``rgba()`` syntax."""
    c = QColor(colour)
    return f"rgba({c.red()}, {c.green()}, {c.blue()}, {round(alpha * 255)})"


def style_sheet(c: Colours, glyphs: Glyphs | None = None) -> str:
    """The whole app's style sheet for one colour set (a styled box or menu loses the arrows
    and ticks Fusion would draw, so ``glyphs`` names images for them)."""
    g = glyphs or Glyphs()
    parts = (_window, _panels, _composer, _buttons, _bars)
    return "\n".join([*(part(c) for part in parts), _fields(c, g), _checks(c, g), _menus(c, g)])


def _window(c: Colours) -> str:
    return f"""
QMainWindow#mainWindow {{ background: {c.window}; }}
QMainWindow#mainWindow::separator {{ background: transparent; width: 6px; height: 6px; }}
#stage {{ border: none; }}
QDialog {{ background: {c.window}; }}
QToolTip {{
    color: {c.tooltip_text}; background: {c.tooltip}; border: 1px solid {c.tooltip};
    border-radius: 6px; padding: 4px 8px;
}}
QLabel[heading="true"] {{ font-weight: 600; }}
"""


def _panels(c: Colours) -> str:
    return f"""
#chatPanel {{
    background: {c.surface}; border: 1px solid {c.border}; border-radius: 12px; padding: 6px;
}}
#sidebar, #sessionSidebar {{ background: {c.sunken}; border: none; }}
QListWidget#sessionList {{ background: transparent; border: none; outline: none; }}
QListWidget#sessionList::item {{
    color: {c.text}; padding: 8px 10px; margin: 1px 0; border-radius: 8px;
}}
QListWidget#sessionList::item:hover:!selected {{ background: {rgba(c.text, 0.06)}; }}
QListWidget#sessionList::item:selected {{ background: {c.accent_soft}; color: {c.text}; }}
QListWidget#sessionList:focus {{ border: none; }}
QListWidget#sessionList::item:focus {{ border: 1px solid {c.focus}; }}
QToolButton#panelToggle {{
    background: transparent; border: 1px solid transparent; border-radius: 8px; padding: 4px;
}}
QToolButton#panelToggle:hover {{ background: {rgba(c.text, 0.07)}; }}
QToolButton#panelToggle:checked {{ background: {c.accent_soft}; }}
QToolButton#panelToggle:focus {{ border-color: {c.focus}; }}
QSplitter::handle {{ background: transparent; }}
QSplitter::handle:horizontal {{ width: 6px; }}
QSplitter::handle:vertical {{ height: 6px; }}
QSplitter::handle:hover {{ background: {rgba(c.accent, 0.35)}; }}
QTabWidget::pane {{
    background: {c.surface}; border: 1px solid {c.border}; border-radius: 10px; top: -1px;
}}
QTabBar::tab {{
    color: {c.muted}; background: transparent; border: none; border-bottom: 2px solid transparent;
    padding: 8px 14px; margin-right: 2px;
}}
QTabBar::tab:hover {{ color: {c.text}; }}
QTabBar::tab:selected {{ color: {c.text}; border-bottom-color: {c.accent}; }}
QTabBar::tab:focus {{ color: {c.text}; background: {c.accent_soft}; border-radius: 6px; }}
QGroupBox {{
    border: 1px solid {c.border}; border-radius: 10px; margin-top: 16px; padding: 8px;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: 12px; padding: 0 4px; color: {c.text}; }}
"""


def _composer(c: Colours) -> str:
    return f"""
#composer {{ background: transparent; border: none; }}
QPlainTextEdit#messageInput {{
    background: {c.surface}; color: {c.text}; border: 1px solid {c.border};
    border-radius: 14px; padding: 6px 10px;
    selection-background-color: {c.accent}; selection-color: {c.on_accent};
}}
QPlainTextEdit#messageInput:hover {{ border-color: {c.border_strong}; }}
QPlainTextEdit#messageInput:focus {{ border: 2px solid {c.focus}; padding: 5px 9px; }}
QPushButton#sendButton {{
    background: {c.accent}; color: {c.on_accent}; border: 2px solid {c.accent};
    border-radius: 18px; padding: 6px 20px; min-height: 20px; font-weight: 600;
}}
QPushButton#sendButton:hover {{ background: {c.accent_hover}; border-color: {c.accent_hover}; }}
QPushButton#sendButton:pressed {{ background: {c.accent_pressed}; }}
QPushButton#sendButton:focus {{ border-color: {c.text}; }}
QPushButton#sendButton:disabled {{
    background: {c.accent_soft}; border-color: {c.accent_soft}; color: {c.muted};
}}
QPushButton#stopButton {{
    background: transparent; color: {c.text}; border: 1px solid {c.border_strong};
    border-radius: 18px; padding: 7px 18px; min-height: 20px;
}}
QPushButton#stopButton:hover {{ background: {rgba(c.text, 0.06)}; }}
QPushButton#stopButton:focus {{ border: 2px solid {c.focus}; padding: 6px 17px; }}
QPushButton#stopButton:disabled {{ color: {c.muted}; border-color: {c.border}; }}
QToolButton#recordButton {{
    background: {c.raised}; border: 1px solid {c.border_strong}; border-radius: 22px;
}}
QToolButton#recordButton:hover {{ background: {c.accent_soft}; border-color: {c.accent}; }}
QToolButton#recordButton:pressed {{ background: {rgba(c.accent, 0.3)}; }}
QToolButton#recordButton:focus {{ border: 2px solid {c.focus}; }}
QToolButton#recordButton:disabled {{ background: transparent; border-color: {c.border}; }}
"""


def _buttons(c: Colours) -> str:
    return f"""
QPushButton {{
    background: {c.raised}; color: {c.text}; border: 1px solid {c.border_strong};
    border-radius: 8px; padding: 6px 14px; min-height: 20px;
}}
QPushButton:hover {{ background: {c.accent_soft}; border-color: {c.accent}; }}
QPushButton:pressed {{ background: {rgba(c.accent, 0.3)}; }}
QPushButton:focus {{ border: 2px solid {c.focus}; padding: 5px 13px; }}
QPushButton:disabled {{ color: {c.muted}; background: transparent; border-color: {c.border}; }}
QDialogButtonBox QPushButton:default, QPushButton#welcomeStart {{
    background: {c.accent}; color: {c.on_accent}; border: 1px solid {c.accent};
}}
QDialogButtonBox QPushButton:default:hover, QPushButton#welcomeStart:hover {{
    background: {c.accent_hover};
}}
QDialogButtonBox QPushButton:default:pressed, QPushButton#welcomeStart:pressed {{
    background: {c.accent_pressed};
}}
QDialogButtonBox QPushButton:default:focus, QPushButton#welcomeStart:focus {{
    border: 2px solid {c.text}; padding: 5px 13px;
}}
QToolButton {{
    background: transparent; border: 1px solid transparent; border-radius: 8px; padding: 4px;
}}
QToolButton:hover {{ background: {rgba(c.text, 0.07)}; }}
QToolButton:pressed, QToolButton:checked {{ background: {c.accent_soft}; }}
QToolButton:focus {{ border-color: {c.focus}; }}
"""


def _fields(c: Colours, g: Glyphs) -> str:
    return f"""
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox {{
    background: {c.surface}; color: {c.text}; border: 1px solid {c.border_strong};
    border-radius: 8px; padding: 5px 8px; min-height: 20px;
    selection-background-color: {c.accent}; selection-color: {c.on_accent};
}}
QLineEdit:hover, QComboBox:hover, QSpinBox:hover, QDoubleSpinBox:hover {{
    border-color: {c.muted};
}}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QDoubleSpinBox:focus {{
    border: 2px solid {c.focus}; padding: 4px 7px;
}}
QLineEdit:disabled, QComboBox:disabled {{ color: {c.muted}; border-color: {c.border}; }}
QComboBox {{ padding-right: 24px; }}
QComboBox:focus {{ padding-right: 23px; }}
QComboBox::drop-down {{
    subcontrol-origin: padding; subcontrol-position: center right; width: 22px;
    border: none; background: transparent;
}}
QComboBox::down-arrow, QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{
    image: url("{g.down}"); width: 10px; height: 6px;
}}
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{ image: url("{g.up}"); width: 10px; height: 6px; }}
QSpinBox::up-button, QSpinBox::down-button, QDoubleSpinBox::up-button,
QDoubleSpinBox::down-button {{ border: none; background: transparent; width: 20px; }}
QSpinBox, QDoubleSpinBox {{ padding-left: 8px; padding-right: 22px; }}
QComboBox QAbstractItemView {{
    background: {c.surface}; color: {c.text}; border: 1px solid {c.border};
    selection-background-color: {c.accent_soft}; selection-color: {c.text}; outline: none;
    padding: 4px;
}}
QPlainTextEdit, QTextEdit, QListView, QTreeView, QTableView, QListWidget, QTableWidget {{
    background: {c.surface}; color: {c.text}; border: 1px solid {c.border}; border-radius: 8px;
    selection-background-color: {c.accent}; selection-color: {c.on_accent};
}}
QPlainTextEdit, QTextEdit {{ padding: 4px 6px; }}
QPlainTextEdit:focus, QTextEdit:focus, QTableView:focus, QListView:focus {{
    border-color: {c.focus};
}}
QHeaderView::section {{
    background: {c.window}; color: {c.muted}; border: none;
    border-bottom: 1px solid {c.border}; padding: 6px 8px;
}}
#voiceControls QComboBox {{ background: transparent; border: 1px solid transparent; }}
#voiceControls QComboBox:hover {{ border-color: {c.border_strong}; }}
#voiceControls QComboBox:focus {{ border: 2px solid {c.focus}; }}
QSlider::groove:horizontal {{ height: 4px; border-radius: 2px; background: {c.border}; }}
QSlider::sub-page:horizontal {{ border-radius: 2px; background: {c.accent}; }}
QSlider::sub-page:horizontal:disabled {{ background: {c.border_strong}; }}
QSlider::handle:horizontal {{
    background: {c.surface}; border: 2px solid {c.accent}; width: 10px; height: 10px;
    margin: -5px 0; border-radius: 7px;
}}
QSlider::handle:horizontal:hover {{ background: {c.accent_soft}; }}
QSlider::handle:horizontal:disabled {{ border-color: {c.border_strong}; }}
QSlider:focus {{ border: none; }}
QSlider::handle:horizontal:focus {{ border: 2px solid {c.focus}; background: {c.focus}; }}
"""


def _checks(c: Colours, g: Glyphs) -> str:
    return f"""
QCheckBox, QRadioButton {{ spacing: 8px; }}
QCheckBox::indicator, QRadioButton::indicator {{
    width: 16px; height: 16px; background: {c.surface}; border: 1px solid {c.border_strong};
}}
QCheckBox::indicator {{ border-radius: 5px; }}
QRadioButton::indicator {{ border-radius: 9px; }}
QCheckBox::indicator:hover, QRadioButton::indicator:hover {{ border-color: {c.accent}; }}
QCheckBox:focus, QRadioButton:focus {{ color: {c.text}; }}
QCheckBox::indicator:focus, QRadioButton::indicator:focus {{ border: 2px solid {c.focus}; }}
QCheckBox::indicator:focus {{ width: 14px; height: 14px; }}
QCheckBox::indicator:checked {{
    background: {c.accent}; border: 1px solid {c.accent}; image: url("{g.check}");
}}
QCheckBox::indicator:checked:focus {{ border: 2px solid {c.focus}; }}
QRadioButton::indicator:checked {{
    background: {c.surface}; border: 5px solid {c.accent}; width: 8px; height: 8px;
}}
QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{
    background: {c.window}; border-color: {c.border};
}}
QRadioButton::indicator:checked:disabled {{ border-color: {c.border_strong}; }}
"""


def _menus(c: Colours, g: Glyphs) -> str:
    return f"""
QMenuBar {{ background: {c.window}; color: {c.text}; padding: 2px 4px; }}
QMenuBar::item {{ background: transparent; padding: 4px 10px; border-radius: 6px; }}
QMenuBar::item:selected {{ background: {rgba(c.text, 0.08)}; }}
QMenuBar::item:pressed {{ background: {c.accent_soft}; }}
QMenu {{
    background: {c.surface}; color: {c.text}; border: 1px solid {c.border};
    border-radius: 10px; padding: 6px;
}}
QMenu::item {{ padding: 6px 24px 6px 12px; border-radius: 6px; }}
QMenu::item:selected {{ background: {c.accent_soft}; color: {c.text}; }}
QMenu::item:disabled {{ color: {c.muted}; }}
QMenu::separator {{ height: 1px; background: {c.border}; margin: 4px 8px; }}
QMenu::indicator {{ width: 14px; height: 14px; left: 6px; }}
QMenu::indicator:checked {{ image: url("{g.menu_check}"); }}
"""


def _bars(c: Colours) -> str:
    return f"""
QStatusBar {{ background: {c.window}; color: {c.muted}; border-top: 1px solid {c.border}; }}
QStatusBar QLabel {{ color: {c.muted}; padding: 0 8px; }}
QStatusBar::item {{ border: none; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle {{ background: {rgba(c.text, 0.22)}; border-radius: 3px; }}
QScrollBar::handle:hover {{ background: {rgba(c.text, 0.38)}; }}
QScrollBar::handle:vertical {{ min-height: 32px; }}
QScrollBar::handle:horizontal {{ min-width: 32px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
"""
