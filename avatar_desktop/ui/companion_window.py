"""Companion mode: the character alone on the desktop, in a frameless always-on-top window.

The lead's wiring: ``hold(stage)`` takes the app's stage (the avatar with the video laid over
it), ``release()`` gives it back. Intents go out as signals, state comes in through methods,
as in the main window. While click-through is on the window gets no mouse at all (no hover bar,
no context menu): the tray or the View menu turns it off, through the same ``click_through_action``.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QEnterEvent,
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QRegion,
    QResizeEvent,
    QScreen,
)
from PySide6.QtWidgets import QApplication, QMenu, QVBoxLayout, QWidget

from avatar_desktop.ui import placement
from avatar_desktop.ui.companion_bubble import CaptionBubble
from avatar_desktop.ui.companion_controls import ControlBar, CornerGrip

log = logging.getLogger(__name__)

HIDE_DELAY_MS = 700  # the bar stays a moment after the mouse leaves, so it does not flicker
DEFAULT_SIZE = QSize(300, 320)
PANEL = QColor(34, 38, 50, 235)  # the soft backdrop where the desktop cannot show through
PANEL_RADIUS = 22
BUBBLE_MARGIN = 4  # the bubble never sits closer than this to the window's top


def translucency_available() -> bool:
    """Whether the desktop can show through the window (a compositor blends it)."""
    name = QGuiApplication.platformName()
    if name in ("offscreen", "minimal", "vnc", "linuxfb"):
        return False
    if name == "xcb":
        return os.environ.get("AVATAR_DESKTOP_NO_COMPOSITOR", "") == ""
    return True


def limitations() -> list[str]:
    """What companion mode cannot do here, in sentences for the user (and the README)."""
    name = QGuiApplication.platformName()
    notes: list[str] = []
    if name.startswith("wayland"):
        notes.append(
            "On Wayland the desktop decides whether the companion stays on top of other windows"
            " and where it may go: some desktops ignore the app's request."
        )
    if not translucency_available():
        notes.append(
            "This desktop cannot show windows see-through, so the companion sits on a soft"
            " rounded panel instead."
        )
    return notes


class CompanionWindow(QWidget):
    """Frameless, always on top, no taskbar entry; the character, a bubble, a hover bar.

    Signals: send_requested(str), stop_requested(), record_pressed(), record_released(),
    restore_requested() (double-click, the bar's button, the menu), hide_requested() (menu),
    click_through_changed(bool).
    """

    send_requested = Signal(str)
    stop_requested = Signal()
    record_pressed = Signal()
    record_released = Signal()
    restore_requested = Signal()
    hide_requested = Signal()
    click_through_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, translucent: bool | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("companionWindow")
        self.setWindowTitle("Avatar companion")
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(placement.MIN_SIZE)
        self.resize(DEFAULT_SIZE)
        self.use_system_move = True  # off: always move from the mouse deltas (tests)
        self._stage: QWidget | None = None
        self._translucent = True
        self._drag: tuple[QPoint, QPoint] | None = None
        self._extra_actions: list[QAction] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.bubble = CaptionBubble(self)
        self.bar = ControlBar(self)
        self.bar.hide()
        self.grip = CornerGrip(self)
        self.grip.hide()  # with the bar, on hover: at rest only the character shows
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(HIDE_DELAY_MS)
        self._hide_timer.timeout.connect(self._on_hide_timer_timeout)
        self._build_actions()
        self._wire()
        self.set_translucent(translucency_available() if translucent is None else translucent)

    def _build_actions(self) -> None:
        self.restore_action = QAction("Back to the window", self)
        self.restore_action.triggered.connect(self.restore_requested)
        self.click_through_action = QAction("Click-through", self)
        self.click_through_action.setCheckable(True)
        self.click_through_action.setToolTip("Clicks go to the windows behind the companion")
        self.click_through_action.toggled.connect(self.set_click_through)
        self.hide_action = QAction("Hide", self)
        self.hide_action.triggered.connect(self.hide_requested)

    def _wire(self) -> None:
        bar = self.bar
        bar.send_requested.connect(self.send_requested)
        bar.stop_requested.connect(self.stop_requested)
        bar.record_pressed.connect(self.record_pressed)
        bar.record_released.connect(self.record_released)
        bar.restore_requested.connect(self.restore_requested)
        self.grip.resize_to.connect(self._on_grip_resize_to)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenRemoved.connect(self.keep_visible)

    # --- the stage ------------------------------------------------------------------------------

    def hold(self, stage: QWidget) -> None:
        """Lay the app's stage out to fill the window, drawn without its backdrop."""
        if self._stage is stage:
            return
        self.release()
        self._stage = stage
        self._layout.addWidget(stage)
        stage.show()
        self._set_backdrop(stage, False)
        self._place_overlays()

    def release(self) -> QWidget | None:
        """Give the stage back, unparented and with its backdrop, for the main window to take."""
        stage, self._stage = self._stage, None
        if stage is None:
            return None
        self._layout.removeWidget(stage)
        stage.setParent(None)
        self._set_backdrop(stage, True)
        return stage

    def stage(self) -> QWidget | None:
        return self._stage

    @staticmethod
    def _set_backdrop(stage: QWidget, on: bool) -> None:
        setter = getattr(stage, "set_backdrop", None)
        if callable(setter):
            setter(on)

    # --- state in -------------------------------------------------------------------------------

    def set_caption(self, text: str) -> None:
        """The sentence being spoken, in the bubble above the head; empty hides it."""
        self.bubble.set_text(text)
        self._place_overlays()

    def set_recording(self, recording: bool) -> None:
        self.bar.set_recording(recording)

    def set_input_level(self, level_db: float | None) -> None:
        self.bar.set_input_level(level_db)

    def add_menu_actions(self, actions: list[QAction]) -> None:
        """More entries for the context menu (the app's mute, listening, quit…), below ours."""
        self._extra_actions.extend(actions)

    def controls_visible(self) -> bool:
        return self.bar.isVisible()

    def show_controls(self) -> None:
        self._hide_timer.stop()
        if not self.click_through():
            self.bar.show()
            self.grip.show()
            self._raise_overlays()

    def click_through(self) -> bool:
        return bool(self.windowFlags() & Qt.WindowType.WindowTransparentForInput)

    def set_click_through(self, on: bool) -> None:
        """Let clicks pass to the windows behind; re-shown where it was (a flag change hides)."""
        if on == self.click_through():
            return
        geometry, visible = self.geometry(), self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowTransparentForInput, on)
        if on:
            self.bar.hide()
            self.grip.hide()
        self.setGeometry(geometry)
        if visible:
            self.show()
        self.click_through_action.setChecked(on)
        self.click_through_changed.emit(on)

    def translucent(self) -> bool:
        return self._translucent

    def set_translucent(self, on: bool) -> None:
        """See-through to the desktop, or (no compositor) a soft rounded panel behind it."""
        self._translucent = on
        self._update_mask()
        self.update()

    # --- screens --------------------------------------------------------------------------------

    def keep_visible(self, removed: QScreen | None = None) -> None:
        """Come back onto a visible screen (Qt tells of a removed screen before it is gone)."""
        screens = [s for s in QGuiApplication.screens() if s is not removed]
        if not screens:
            return
        primary = QGuiApplication.primaryScreen()
        home = primary if primary in screens else screens[0]
        rects = [s.availableGeometry() for s in screens]
        place = placement.visible_place(self.geometry(), rects, home.availableGeometry())
        if place != self.geometry():
            log.info("Companion moved onto a visible screen: %s", place)
            self.setGeometry(place)

    def place_at_home(self) -> None:
        """The bottom-right corner of its screen (first show, no remembered place)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(placement.home_place(self.size(), screen.availableGeometry()))

    # --- hover, mouse, menu ---------------------------------------------------------------------

    def enterEvent(self, event: QEnterEvent) -> None:
        self.show_controls()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hide_timer.start()
        super().leaveEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            self.show_controls()
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Tab from the character opens the bar and goes into it (hidden widgets take no focus)."""
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not self.bar.isVisible():
            self.show_controls()
            first = event.key() == Qt.Key.Key_Tab
            (self.bar.mic if first else self.bar.restore).setFocus(Qt.FocusReason.TabFocusReason)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.stop_requested.emit()
            return
        super().keyPressEvent(event)

    def _on_hide_timer_timeout(self) -> None:
        focus = QApplication.focusWidget()
        if focus is None or not self.bar.isAncestorOf(focus):  # not while typing in it
            self.bar.hide()
            self.grip.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        event.accept()
        handle = self.windowHandle()
        if self.use_system_move and handle is not None and handle.startSystemMove():
            return None
        self._drag = (event.globalPosition().toPoint(), self.pos())
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return super().mouseMoveEvent(event)
        origin, start = self._drag
        self.move(start + event.globalPosition().toPoint() - origin)
        return None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag = None
            self.restore_requested.emit()
            return
        super().mouseDoubleClickEvent(event)

    def context_menu(self) -> QMenu:
        """Back to the window, Click-through, Hide, then whatever the app added."""
        menu = QMenu(self)
        menu.addActions([self.restore_action, self.click_through_action, self.hide_action])
        if self._extra_actions:
            menu.addSeparator()
            menu.addActions(self._extra_actions)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu()
        menu.exec(event.globalPos())
        menu.deleteLater()

    # --- geometry and painting ------------------------------------------------------------------

    def _on_grip_resize_to(self, size: QSize) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry().size() if screen is not None else size
        self.resize(placement.companion_size(size, available))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.bubble.set_max_width(self.width() - 16)
        self._place_overlays()
        self._update_mask()

    def _place_overlays(self) -> None:
        margin, grip = 8, self.grip.width() + 4
        bar_y = self.height() - self.bar.height() - margin
        self.bar.setGeometry(QRect(margin, bar_y, self.width() - margin - grip, self.bar.height()))
        self.grip.move(self.width() - self.grip.width() - 2, self.height() - self.grip.height() - 2)
        bubble = self.bubble
        bubble.move(max((self.width() - bubble.width()) // 2, 0), self._bubble_top())
        self._raise_overlays()

    def _bubble_top(self) -> int:
        """Just above the character's hair when the stage says where that is, else the top."""
        regions = getattr(self._stage, "regions", None)
        if self._stage is None or not callable(regions):
            return BUBBLE_MARGIN
        hair = regions().get("hair")
        if hair is None:
            return BUBBLE_MARGIN
        head_top = self._stage.mapTo(self, QPoint(0, int(hair.top()))).y()
        return max(BUBBLE_MARGIN, head_top - self.bubble.height())

    def _raise_overlays(self) -> None:
        for widget in (self.bubble, self.bar, self.grip):
            widget.raise_()

    def _update_mask(self) -> None:
        """Without a compositor the panel's corners would be black: cut them off (X11 only)."""
        if QGuiApplication.platformName() != "xcb":
            return
        if self._translucent:
            self.clearMask()
            return
        path = QPainterPath()
        path.addRoundedRect(self.rect().toRectF(), PANEL_RADIUS, PANEL_RADIUS)
        self.setMask(QRegion(path.toFillPolygon().toPolygon()))

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._translucent:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(PANEL)
        p.drawRoundedRect(self.rect().toRectF(), PANEL_RADIUS, PANEL_RADIUS)
        p.end()
