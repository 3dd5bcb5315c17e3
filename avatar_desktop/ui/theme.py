"""Light and dark themes that follow the system: Fusion, one palette and one style sheet.

Widgets that paint themselves read the application palette and recolour on
``QEvent.PaletteChange``; anything else can listen to :func:`notifier`'s ``changed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import QDir, QObject, QPointF, Qt, QTemporaryDir, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QWidget

from avatar_desktop.ui.theme_sheet import DARK, LIGHT, Colours, Glyphs, style_sheet

log = logging.getLogger(__name__)

CHOICES = ("system", "light", "dark")
Scheme = Literal["light", "dark"]
BASE_POINT_SIZE = 10.5  # the system font, but never smaller than this

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup
_system_font: QFont | None = None  # the font the platform gave, before we sized it
_applying = False  # our own scheme request echoes back as a change signal: ignore it
_glyph_dir: QTemporaryDir | None = None  # the sheet's chevrons and checks; gone at exit


class ThemeNotifier(QObject):
    """Says which scheme is now in use, after every :func:`apply` that changed it."""

    changed = Signal(str)


_notifier: ThemeNotifier | None = None


def notifier() -> ThemeNotifier:
    """The one notifier; connect ``changed(str)`` to redraw things a palette event misses."""
    global _notifier
    if _notifier is None:
        _notifier = ThemeNotifier()
    return _notifier


def scheme_for(choice: str, system: Qt.ColorScheme) -> Scheme:
    """The scheme to show for a user's choice; 'system' follows the OS, light when it won't say."""
    if choice in ("light", "dark"):
        return "dark" if choice == "dark" else "light"
    return "dark" if system == Qt.ColorScheme.Dark else "light"


def colours(scheme: str) -> Colours:
    return DARK if scheme == "dark" else LIGHT


def is_dark(target: QGuiApplication | QPalette | QWidget) -> bool:
    """Whether a palette (or an app's or widget's) puts light text on a dark window."""
    palette = target if isinstance(target, QPalette) else target.palette()
    return palette.color(_Role.Window).lightnessF() < 0.5


def make_palette(scheme: str) -> QPalette:
    """A complete palette for Fusion, including the disabled and inactive groups."""
    c = colours(scheme)
    pal = QPalette()
    dark = scheme == "dark"
    roles = {
        _Role.Window: c.window,
        _Role.WindowText: c.text,
        _Role.Base: c.surface,
        _Role.AlternateBase: c.sunken,
        _Role.Text: c.text,
        _Role.PlaceholderText: c.muted,
        _Role.Button: c.raised,
        _Role.ButtonText: c.text,
        _Role.BrightText: "#ffffff",
        _Role.Light: "#3a3f4e" if dark else "#ffffff",
        _Role.Midlight: c.border if dark else "#f0f1f5",
        _Role.Mid: c.border_strong,
        _Role.Dark: "#0b0c10" if dark else "#a3a8b8",
        _Role.Shadow: c.shadow,
        _Role.Highlight: c.accent,
        _Role.HighlightedText: c.on_accent,
        _Role.Accent: c.accent,
        _Role.Link: c.focus if dark else c.accent,
        _Role.LinkVisited: c.accent_hover if dark else c.accent_pressed,
        _Role.ToolTipBase: c.tooltip,
        _Role.ToolTipText: c.tooltip_text,
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText, _Role.HighlightedText):
        pal.setColor(_Group.Disabled, role, QColor(c.muted))
    pal.setColor(_Group.Disabled, _Role.Highlight, QColor(c.border_strong))
    pal.setColor(_Group.Disabled, _Role.Button, QColor(c.window))
    return pal


def apply(app: QApplication, choice: str, *, system: Qt.ColorScheme | None = None) -> None:
    """Fusion, the palette and the sheet for ``choice`` (one of CHOICES; others mean 'system').

    ``system`` is the OS scheme when the caller already knows it (a change signal); otherwise
    it is asked. Only what differs is set, so calling this again costs nothing.
    """
    global _applying
    if choice not in CHOICES:
        log.warning("Unknown theme %r; following the system", choice)
        choice = "system"
    _applying = True
    try:
        _request_scheme(app, choice)
    finally:
        _applying = False
    if system is None:
        system = app.styleHints().colorScheme()
    scheme = scheme_for(choice, system)
    changed = _ensure_fusion(app)
    palette = make_palette(scheme)
    if app.palette() != palette or app.property("avatarTheme") != scheme:
        app.setPalette(palette)
        changed = True
    sheet = style_sheet(colours(scheme), _glyph_files(colours(scheme)))
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
        changed = True
    _ensure_font(app)
    if changed:
        app.setProperty("avatarTheme", scheme)
        log.info("Theme: %s (%s)", scheme, choice)
        notifier().changed.emit(scheme)


def current(app: QApplication) -> Scheme | None:
    """The scheme :func:`apply` last set on ``app``, or None before the first call."""
    scheme = app.property("avatarTheme")
    return scheme if scheme in ("light", "dark") else None


class _SystemFollower(QObject):
    """Re-applies the theme when the OS switches between light and dark, if the user asked."""

    def __init__(self, app: QApplication, choice: Callable[[], str]) -> None:
        super().__init__(app)
        self.setObjectName("themeSystemFollower")
        self.choice = choice
        app.styleHints().colorSchemeChanged.connect(self._on_hints_color_scheme_changed)

    def _on_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if _applying:
            return
        if self.choice() not in ("light", "dark"):
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply(app, "system", system=scheme)


def follow_system(app: QApplication, choice: Callable[[], str]) -> None:
    """While ``choice()`` says 'system', re-apply when the OS scheme changes (once per app)."""
    follower = app.findChild(_SystemFollower, "themeSystemFollower")
    if follower is None:
        _SystemFollower(app, choice)
    else:
        follower.choice = choice


def _request_scheme(app: QApplication, choice: str) -> None:
    """Ask the platform for the chosen scheme too, so native title bars and dialogs match."""
    hints = app.styleHints()
    if choice == "system":
        hints.unsetColorScheme()
    else:
        wanted = Qt.ColorScheme.Dark if choice == "dark" else Qt.ColorScheme.Light
        if hints.colorScheme() != wanted:
            hints.setColorScheme(wanted)


def _ensure_fusion(app: QApplication) -> bool:
    """Fusion draws the same on every platform and takes our palette whole.

    Under a style sheet ``app.style()`` is Qt's sheet style with no name, so remember ours."""
    style = app.style()
    name = style.name().lower() if style is not None else ""
    if name == "fusion" or (not name and app.property("avatarStyle") == "fusion"):
        return False
    app.setStyle("Fusion")
    app.setProperty("avatarStyle", "fusion")
    return True


def _ensure_font(app: QApplication) -> None:
    """The system font at a comfortable reading size; a larger system size is kept."""
    global _system_font
    if _system_font is None:
        _system_font = QFont(app.font())
    font = QFont(_system_font)
    if 0 < font.pointSizeF() < BASE_POINT_SIZE:
        font.setPointSizeF(BASE_POINT_SIZE)
    if app.font() != font:
        app.setFont(font)


_GLYPHS = {  # name: (width, height, polyline in logical pixels)
    "down": (10, 6, ((1.5, 1.0), (5.0, 5.0), (8.5, 1.0))),
    "up": (10, 6, ((1.5, 5.0), (5.0, 1.0), (8.5, 5.0))),
    "check": (12, 10, ((1.5, 5.2), (4.5, 8.2), (10.5, 1.8))),
}


def _glyph_files(c: Colours) -> Glyphs:
    """The sheet's small images (chevrons, check marks) as PNG files with @2x twins."""
    return Glyphs(
        down=_glyph("down", c.muted),
        up=_glyph("up", c.muted),
        check=_glyph("check", c.on_accent),
        menu_check=_glyph("check", c.text),
    )


def _glyph(name: str, colour: str) -> str:
    """One glyph drawn once per colour into a temp folder (a style sheet can only name files);
    empty if there is nowhere to write, and the sheet then shows none."""
    global _glyph_dir
    if _glyph_dir is None:
        # A fixed, plain name: the default template holds the app name, and a space or "<" in
        # it would stop the style sheet from parsing.
        _glyph_dir = QTemporaryDir(f"{QDir.tempPath()}/avatar-desktop-theme-XXXXXX")
    if not _glyph_dir.isValid():
        return ""
    width, height, points = _GLYPHS[name]
    base = f"{_glyph_dir.path()}/{name}-{colour.lstrip('#')}"
    for scale, suffix in ((1, ""), (2, "@2x")):
        if QImage(f"{base}{suffix}.png").isNull():
            image = QImage(width * scale, height * scale, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            p = QPainter(image)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.scale(scale, scale)
            pen = QPen(QColor(colour), 1.7)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            p.drawPolyline([QPointF(x, y) for x, y in points])
            p.end()
            image.save(f"{base}{suffix}.png")
    return f"{base}.png"
