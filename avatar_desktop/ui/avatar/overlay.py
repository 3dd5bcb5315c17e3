"""What sits around the character: a palette-derived backdrop, the state chip, the caption, and
the error veil and badge. Drawn in widget coordinates so text stays crisp and legible."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QRadialGradient,
)

from avatar_desktop.ui.avatar.kit import mix, pen
from avatar_desktop.ui.theme import is_dark

_Role = QPalette.ColorRole
_WHITE = QColor("#ffffff")
_BLUE_GREY = QColor("#3b4a66")
CAPTION_LINES = 2


def error_colour(palette: QPalette) -> QColor:
    """Red that keeps its contrast on either theme."""
    return QColor("#ff7b72" if is_dark(palette) else "#c9443c")


def backdrop_brush(palette: QPalette, centre: QPointF, radius: float, error: bool) -> QBrush:
    """A soft glow behind the character that fades into the window colour (grey when failing):
    airy, near white in a light theme; a deep blue-grey in a dark one."""
    window = palette.color(_Role.Window)
    dark = is_dark(palette)
    if error:
        glow = mix(window, palette.color(_Role.WindowText), 0.07)
    elif dark:
        glow = mix(mix(window, _BLUE_GREY, 0.42), palette.color(_Role.Highlight), 0.03)
    else:
        glow = mix(mix(window, _WHITE, 0.85), palette.color(_Role.Highlight), 0.05)
    grad = QRadialGradient(centre, radius)
    grad.setColorAt(0.0, glow)
    for at, amount in ((0.25, 0.12), (0.5, 0.42), (0.75, 0.78)):
        grad.setColorAt(at, mix(glow, window, amount))
    grad.setColorAt(1.0, window)
    return QBrush(grad)


def draw_error(
    p: QPainter, rect: QRectF, palette: QPalette, badge_at: QPointF, size: float
) -> None:
    """Mute the character behind a veil (over ``rect``; none if empty) and pin a warning badge
    by its head."""
    if not rect.isEmpty():
        veil = QColor(palette.color(_Role.Window))
        veil.setAlphaF(0.42)
        p.fillRect(rect, veil)
    r = max(size, 9.0)
    p.setPen(pen(palette.color(_Role.Window), max(r * 0.16, 1.5)))
    p.setBrush(error_colour(palette))
    p.drawEllipse(badge_at, r, r)
    mark = QPainterPath()
    mark.addRoundedRect(QRectF(-r * 0.11, -r * 0.55, r * 0.22, r * 0.68), r * 0.11, r * 0.11)
    mark.addEllipse(QPointF(0.0, r * 0.45), r * 0.13, r * 0.13)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(_WHITE)
    p.drawPath(mark.translated(badge_at))


def draw_chip(
    p: QPainter, rect: QRectF, palette: QPalette, font: QFont, text: str, alert: bool
) -> None:
    """A small pill in the top-left corner naming the state (listening, thinking, offline)."""
    fm = QFontMetricsF(font)
    window, ink = palette.color(_Role.Window), palette.color(_Role.WindowText)
    h = fm.height() + 8.0
    dot = h * 0.16
    w = min(fm.horizontalAdvance(text) + h * 0.5 + dot * 2 + 12.0, rect.width() - 16.0)
    box = QRectF(rect.left() + 8.0, rect.top() + 8.0, w, h)
    p.setPen(pen(mix(window, ink, 0.18), 1.0))
    p.setBrush(mix(window, ink, 0.06, alpha=0.88))
    p.drawRoundedRect(box, h / 2.0, h / 2.0)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(error_colour(palette) if alert else palette.color(_Role.Highlight))
    p.drawEllipse(QPointF(box.left() + h * 0.5, box.center().y()), dot, dot)
    p.setFont(font)
    p.setPen(mix(ink, window, 0.15))
    text_box = box.adjusted(h * 0.5 + dot + 6.0, 0.0, -8.0, 0.0)
    elided = fm.elidedText(text, Qt.TextElideMode.ElideRight, text_box.width())
    p.drawText(text_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)


def wrap_caption(
    text: str, fm: QFontMetricsF, width: float, max_lines: int = CAPTION_LINES
) -> list[str]:
    """Greedy word wrap into at most ``max_lines``; whatever does not fit ends in an ellipsis."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        trial = f"{current} {word}" if current else word
        if not current or fm.horizontalAdvance(trial) <= width:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[i:])
            break
    if current:
        lines.append(current)
    elide = Qt.TextElideMode.ElideRight
    return [fm.elidedText(line, elide, width) for line in lines[:max_lines]]


def caption_font(base: QFont, height: float) -> QFont:
    """Caption text grows with the view but stays between small-print and headline sizes."""
    font = QFont(base)
    font.setPixelSize(int(min(max(height * 0.052, 12.0), 20.0)))
    return font


def draw_caption(p: QPainter, rect: QRectF, font: QFont, lines: list[str]) -> None:
    """Subtitle-style box under the character: dark translucent, white text, on any theme."""
    if not lines:
        return
    fm = QFontMetricsF(font)
    pad_x, pad_y = fm.height() * 0.7, fm.height() * 0.3
    text_w = max(fm.horizontalAdvance(line) for line in lines)
    h = fm.lineSpacing() * len(lines) + 2 * pad_y
    box = QRectF(0.0, 0.0, text_w + 2 * pad_x, h)
    box.moveCenter(QPointF(rect.center().x(), rect.bottom() - 10.0 - h / 2.0))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(18, 18, 22, 178))
    p.drawRoundedRect(box, min(h / 2.0, 10.0), min(h / 2.0, 10.0))
    p.setFont(font)
    p.setPen(QColor(250, 250, 250))
    y = box.top() + pad_y
    for line in lines:
        row = QRectF(box.left(), y, box.width(), fm.lineSpacing())
        p.drawText(row, Qt.AlignmentFlag.AlignCenter, line)
        y += fm.lineSpacing()
