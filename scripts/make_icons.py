"""Draw the app icon with QPainter and write the PNG, ICO and ICNS files the packages need.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QRadialGradient,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
NAME = "avatar-desktop"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SMALL_UP_TO = 32  # at these sizes outlines, shading and the bubble's dots would turn to mush
FINE_FROM = 128  # teeth, brows, blush and hair shine only where they are more than a smudge

# The drawn avatar's default look (avatar_desktop/ui/avatar/look.py), so the icon is the app's
# character; the tile is a calm sky blue that the skin, hair and teal shirt all stand out on.
SKIN = QColor("#dfa982")
HAIR = QColor("#7a4630")
EYES = QColor("#3a2620")
SHIRT = QColor("#2a837e")
MOUTH = QColor("#8a2f36")
TONGUE = QColor("#e0707a")
INK = QColor("#2a1c1a")
WHITE = QColor("#ffffff")
TILE_TOP = QColor("#9a9cf4")
TILE_BOTTOM = QColor("#5252cf")
TILE_RIM = QColor("#3c3ca6")
DOTS = QColor("#5b5bd6")


def mix(a: QColor, b: QColor, amount: float, alpha: float = 1.0) -> QColor:
    """``amount`` of ``b`` in ``a``, so every shade stays in tune with its base colour."""
    out = QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )
    out.setAlphaF(alpha)
    return out


def pen(colour: QColor | QBrush, width: float) -> QPen:
    """A round pen, so strokes end softly like the avatar's own lines."""
    out = QPen(QBrush(colour), width)
    out.setCapStyle(Qt.PenCapStyle.RoundCap)
    out.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return out


def tile_brush(rect: QRectF) -> QBrush:
    """The tile's diagonal gradient; the bubble's halo reuses it to cut a gap in the hair."""
    grad = QLinearGradient(rect.topLeft(), rect.bottomRight())
    grad.setColorAt(0.0, TILE_TOP)
    grad.setColorAt(1.0, TILE_BOTTOM)
    return QBrush(grad)


def bubble_path(box: QRectF, tip: QPointF) -> QPainterPath:
    """A rounded speech bubble with a curved tail reaching down-left to ``tip``."""
    r = box.height() * 0.42
    shape = QPainterPath()
    shape.addRoundedRect(box, r, r)
    w, h = box.width(), box.height()
    tail = QPainterPath(QPointF(box.left() + w * 0.16, box.bottom() - h * 0.3))
    tail.quadTo(QPointF(box.left() + w * 0.08, box.bottom() + h * 0.12), tip)
    tail.quadTo(
        QPointF(box.left() + w * 0.34, box.bottom() + h * 0.12),
        QPointF(box.left() + w * 0.46, box.bottom() - h * 0.05),
    )
    tail.closeSubpath()
    return shape.united(tail).simplified()


# --- 48 px and up: the full drawing on a 512-unit canvas -----------------------------------

TILE = QRectF(24.0, 24.0, 464.0, 464.0)
RADIUS = 104.0
HEAD = QPointF(220.0, 252.0)
HEAD_RX, HEAD_RY = 100.0, 108.0
SHOULDER_TOP = 388.0
SHOULDER_W = 344.0
BUBBLE = QRectF(330.0, 70.0, 132.0, 100.0)
BUBBLE_TIP = QPointF(300.0, 206.0)


def full_tile_path() -> QPainterPath:
    """The rounded square the character is clipped to."""
    path = QPainterPath()
    path.addRoundedRect(TILE, RADIUS, RADIUS)
    return path


def draw_full(p: QPainter, size: int) -> None:
    """The polished icon: shaded tile, outlined character, bubble with 'talking' dots."""
    fine = size >= FINE_FROM
    line = max(5.0, 0.8 * 512.0 / size)  # outlines never thinner than most of a pixel
    p.scale(size / 512.0, size / 512.0)
    draw_shadow(p)
    draw_full_tile(p, line)
    p.save()
    p.setClipPath(full_tile_path())
    draw_body(p, line, fine)
    draw_face(p, line, fine)
    p.restore()
    draw_full_bubble(p)


def draw_shadow(p: QPainter) -> None:
    """A soft drop shadow below the tile so it lifts off light backgrounds."""
    p.setPen(Qt.PenStyle.NoPen)
    for i in range(10):
        grow = 2.0 + i * 1.8
        rect = TILE.adjusted(-grow * 0.45, -grow * 0.1 + 5.0, grow * 0.45, grow * 0.55 + 5.0)
        p.setBrush(QColor(10, 20, 50, 7))
        p.drawRoundedRect(rect, RADIUS + grow * 0.4, RADIUS + grow * 0.4)


def draw_full_tile(p: QPainter, line: float) -> None:
    """Gradient tile, a glow behind the head, a darker rim and a thin inner highlight."""
    tile = full_tile_path()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(tile_brush(TILE))
    p.drawPath(tile)
    glow = QRadialGradient(HEAD, 240.0)
    glow.setColorAt(0.0, QColor(255, 255, 255, 80))
    glow.setColorAt(1.0, QColor(255, 255, 255, 0))
    p.setBrush(glow)
    p.drawPath(tile)
    p.setBrush(Qt.BrushStyle.NoBrush)
    half = line / 2.0
    p.setPen(pen(mix(TILE_RIM, TILE_RIM, 0.0, alpha=0.6), line))
    p.drawRoundedRect(TILE.adjusted(half, half, -half, -half), RADIUS - half, RADIUS - half)
    inner = line * 1.6
    p.setPen(pen(QColor(255, 255, 255, 70), line * 0.6))
    p.drawRoundedRect(TILE.adjusted(inner, inner, -inner, -inner), RADIUS - inner, RADIUS - inner)


def draw_body(p: QPainter, line: float, fine: bool) -> None:
    """Neck and a tee-shirted torso running off the bottom of the tile."""
    cx, top = HEAD.x(), SHOULDER_TOP
    half = SHOULDER_W / 2.0
    bottom = TILE.bottom() + 20.0
    skin_line = mix(SKIN, INK, 0.55)
    neck_w = 58.0
    neck = QRectF(cx - neck_w / 2.0, HEAD.y() + HEAD_RY * 0.55, neck_w, top - HEAD.y())
    neck_grad = QLinearGradient(0.0, neck.top(), 0.0, neck.bottom())
    neck_grad.setColorAt(0.0, mix(SKIN, INK, 0.32))
    neck_grad.setColorAt(0.8, mix(SKIN, INK, 0.1))
    p.setPen(pen(skin_line, line))
    p.setBrush(QBrush(neck_grad))
    p.drawRoundedRect(neck, 22.0, 22.0)

    body = QPainterPath(QPointF(cx - half - 24.0, bottom))
    body.cubicTo(cx - half - 14.0, top + 120.0, cx - half, top + 40.0, cx - half + 30.0, top + 16.0)
    body.cubicTo(cx - half + 50.0, top + 2.0, cx - half + 80.0, top, cx - half + 120.0, top)
    body.lineTo(cx + half - 120.0, top)
    body.cubicTo(cx + half - 80.0, top, cx + half - 50.0, top + 2.0, cx + half - 30.0, top + 16.0)
    body.cubicTo(cx + half, top + 40.0, cx + half + 14.0, top + 120.0, cx + half + 24.0, bottom)
    body.closeSubpath()
    shirt = QLinearGradient(0.0, top, 0.0, bottom)
    shirt.setColorAt(0.0, mix(SHIRT, WHITE, 0.2))
    shirt.setColorAt(1.0, mix(SHIRT, INK, 0.1))
    p.setPen(pen(mix(SHIRT, INK, 0.5), line))
    p.setBrush(QBrush(shirt))
    p.drawPath(body)

    dip = 48.0
    collar = QPainterPath(QPointF(cx - neck_w / 2.0 - 8.0, top))
    collar.quadTo(cx, top + dip, cx + neck_w / 2.0 + 8.0, top)
    collar.closeSubpath()
    p.setPen(pen(skin_line, line))
    p.setBrush(mix(SKIN, INK, 0.16))
    p.drawPath(collar)
    rib = QPainterPath(QPointF(cx - neck_w / 2.0 - 10.0, top + 2.0))
    rib.quadTo(cx, top + dip + 8.0, cx + neck_w / 2.0 + 10.0, top + 2.0)
    p.setPen(pen(mix(SHIRT, INK, 0.35), max(line, 10.0 if fine else line)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(rib)


def draw_face(p: QPainter, line: float, fine: bool) -> None:
    """Ears, face, hair, eyes and an open smile: the avatar mid-sentence."""
    c, rx, ry = HEAD, HEAD_RX, HEAD_RY
    skin_line = mix(SKIN, INK, 0.55)
    p.setPen(pen(skin_line, line))
    p.setBrush(mix(SKIN, INK, 0.06))
    for side in (-1.0, 1.0):
        p.drawEllipse(QPointF(c.x() + side * (rx - 2.0), c.y() + 16.0), 20.0, 27.0)
    face = QRadialGradient(c + QPointF(-30.0, -40.0), rx * 1.5)
    face.setColorAt(0.0, mix(SKIN, WHITE, 0.25))
    face.setColorAt(0.6, SKIN)
    face.setColorAt(1.0, mix(SKIN, INK, 0.14))
    p.setBrush(QBrush(face))
    p.drawEllipse(c, rx, ry)

    draw_full_hair(p, line, fine)

    eye_dx, eye_y = rx * 0.4, c.y() + ry * 0.1
    p.setPen(Qt.PenStyle.NoPen)
    for side in (-1.0, 1.0):
        centre = QPointF(c.x() + side * eye_dx, eye_y)
        p.setBrush(EYES)
        p.drawEllipse(centre, 15.0, 20.0)
        p.setBrush(WHITE)
        p.drawEllipse(centre + QPointF(5.0, -7.0), 5.5, 5.5)
    if fine:
        p.setBrush(QColor(208, 96, 108, 64))
        for side in (-1.0, 1.0):
            p.drawEllipse(QPointF(c.x() + side * rx * 0.62, c.y() + ry * 0.42), 20.0, 13.0)
        p.setPen(pen(mix(HAIR, INK, 0.3), 8.0))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for side in (-1.0, 1.0):
            brow = QPainterPath(QPointF(c.x() + side * (eye_dx - 20.0), eye_y - 36.0))
            brow.quadTo(
                QPointF(c.x() + side * (eye_dx + 2.0), eye_y - 46.0),
                QPointF(c.x() + side * (eye_dx + 20.0), eye_y - 34.0),
            )
            p.drawPath(brow)
    draw_full_mouth(p, line, fine)


# The fringe, walked from the right temple to the left in head units (centre 0, 0): quad
# (control, end) pairs, each lock's outer curve down to its tip, then a short hook up to the next.
FRINGE: tuple[tuple[tuple[float, float], tuple[float, float]], ...] = (
    ((98.0, -26.0), (76.0, -52.0)),
    ((66.0, -46.0), (50.0, -40.0)),
    ((52.0, -54.0), (42.0, -66.0)),
    ((22.0, -52.0), (2.0, -44.0)),
    ((6.0, -58.0), (-4.0, -70.0)),
    ((-30.0, -58.0), (-52.0, -42.0)),
    ((-50.0, -56.0), (-58.0, -64.0)),
    ((-92.0, -44.0), (-100.0, 12.0)),
)


def draw_full_hair(p: QPainter, line: float, fine: bool) -> None:
    """A short chestnut cap with a fringe of pointed locks swept to one side, the default style."""
    c, rx, ry = HEAD, HEAD_RX, HEAD_RY
    top = c.y() - ry - 14.0
    left, right = c.x() - rx - 12.0, c.x() + rx + 12.0
    hair = QPainterPath(QPointF(left + 10.0, c.y() + 12.0))
    hair.cubicTo(left - 8.0, top + 40.0, c.x() - rx * 0.6, top, c.x(), top)
    hair.cubicTo(c.x() + rx * 0.7, top, right + 8.0, top + 50.0, right - 8.0, c.y() + 12.0)
    for (cx, cy), (ex, ey) in FRINGE:
        hair.quadTo(c + QPointF(cx, cy), c + QPointF(ex, ey))
    hair.closeSubpath()
    grad = QLinearGradient(0.0, top, 0.0, c.y())
    grad.setColorAt(0.0, mix(HAIR, WHITE, 0.12))
    grad.setColorAt(1.0, mix(HAIR, INK, 0.2))
    p.setPen(pen(mix(HAIR, INK, 0.5), line))
    p.setBrush(QBrush(grad))
    p.drawPath(hair)
    if fine:
        p.setPen(pen(mix(HAIR, WHITE, 0.35, alpha=0.8), 7.0))
        p.setBrush(Qt.BrushStyle.NoBrush)
        sheen = QPainterPath(QPointF(c.x() - rx * 0.55, top + 42.0))
        sheen.quadTo(QPointF(c.x() - rx * 0.2, top + 18.0), QPointF(c.x() + rx * 0.15, top + 20.0))
        p.drawPath(sheen)


def draw_full_mouth(p: QPainter, line: float, fine: bool) -> None:
    """An open, happy mouth; teeth and tongue only where they are big enough to read."""
    c = HEAD
    w, depth = 58.0, 40.0
    top = c.y() + HEAD_RY * 0.44
    mouth = QPainterPath(QPointF(c.x() - w / 2.0, top))
    mouth.quadTo(c.x(), top - 6.0, c.x() + w / 2.0, top)
    mouth.cubicTo(
        c.x() + w / 2.0 - 4.0,
        top + depth * 0.9,
        c.x() - w / 2.0 + 4.0,
        top + depth * 0.9,
        c.x() - w / 2.0,
        top,
    )
    mouth.closeSubpath()
    p.setPen(pen(mix(MOUTH, INK, 0.3), line * 0.8))
    p.setBrush(MOUTH)
    p.drawPath(mouth)
    if not fine:
        return
    p.save()
    p.setClipPath(mouth)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(WHITE)
    p.drawRect(QRectF(c.x() - w / 2.0, top - 8.0, w, 16.0))
    p.setBrush(TONGUE)
    p.drawEllipse(QPointF(c.x(), top + depth * 0.8), w * 0.3, depth * 0.3)
    p.restore()


def draw_full_bubble(p: QPainter) -> None:
    """A white speech bubble with a soft shadow and three 'talking' dots."""
    shape = bubble_path(BUBBLE, BUBBLE_TIP)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(20, 40, 100, 55))
    p.drawPath(shape.translated(0.0, 7.0))
    p.setBrush(WHITE)
    p.drawPath(shape)
    p.setBrush(DOTS)
    centre = BUBBLE.center()
    for i in (-1, 0, 1):
        p.drawEllipse(QPointF(centre.x() + i * 33.0, centre.y()), 12.0, 12.0)


# --- 16, 24 and 32 px: a flat, bold variant on a 16-unit grid snapped to whole pixels ----------


def draw_small(p: QPainter, size: int) -> None:
    """Flat shapes on whole pixels: tile, head, hair, two eyes, a mouth, shoulders, bubble."""
    k = size / 16.0

    def q(v: float) -> float:
        """A 16-grid coordinate on the nearest pixel edge of this size."""
        return float(math.floor(v * k + 0.5))

    def box(x0: float, y0: float, x1: float, y1: float) -> QRectF:
        return QRectF(QPointF(q(x0), q(y0)), QPointF(q(x1), q(y1)))

    whole = QRectF(0.0, 0.0, size, size)
    tile = QPainterPath()
    tile.addRoundedRect(whole, 3.5 * k, 3.5 * k)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(tile_brush(whole))
    p.drawPath(tile)

    p.save()
    p.setClipPath(tile)
    shoulders = box(0.0, 13.0, 12.0, 17.0)
    p.setBrush(SHIRT)
    p.drawRoundedRect(shoulders, 2.5 * k, 2.5 * k)
    p.setBrush(mix(SKIN, INK, 0.22))
    p.drawRect(box(5.0, 11.0, 7.0, 13.0))
    head = box(2.0, 3.0, 10.0, 12.0)
    p.setBrush(SKIN)
    p.drawEllipse(head)
    hair_oval = QPainterPath()
    hair_oval.addEllipse(head.adjusted(-0.75 * k, -1.0 * k, 0.75 * k, 0.0))
    cap = QPainterPath()
    cap.addRect(QRectF(QPointF(0.0, 0.0), QPointF(q(12.0), q(6.0))))
    sideburn = QPainterPath()
    sideburn.addRect(QRectF(QPointF(0.0, 0.0), QPointF(q(3.0), q(7.0))))
    p.setBrush(HAIR)
    p.drawPath(hair_oval.intersected(cap.united(sideburn)))
    p.setBrush(EYES)
    for x in (4.0, 7.0):
        p.drawRect(box(x, 7.0, x + 1.0, 9.0))
    p.setBrush(MOUTH)
    p.drawRect(box(5.0, 10.0, 7.0, 11.0))

    bubble = bubble_path(box(10.5, 1.0, 15.0, 5.5), QPointF(q(10.0), q(7.0)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(pen(tile_brush(whole), 2.0 * max(1.0, k * 0.75)))
    p.drawPath(bubble)  # a tile-coloured halo keeps a clear gap between bubble and hair
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(WHITE)
    p.drawPath(bubble)
    if size >= 32:
        p.setBrush(DOTS)
        for x in (11.0, 12.0, 13.0):
            p.drawRect(box(x + 0.25, 3.0, x + 0.75, 3.5))
    p.restore()


def render(size: int) -> QImage:
    """The icon at ``size`` pixels, drawn straight at that size so its edges stay sharp."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if size <= SMALL_UP_TO:
        draw_small(p, size)
    else:
        draw_full(p, size)
    p.end()
    return image


def to_pillow(image: QImage) -> Image.Image:
    """A rendered QImage as a Pillow image, for icon sizes that get no PNG of their own."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    size = (rgba.width(), rgba.height())
    return Image.frombuffer(
        "RGBA", size, bytes(rgba.constBits()), "raw", "RGBA", rgba.bytesPerLine(), 1
    )


def main() -> int:
    """Write every PNG, then pack them into the Windows and macOS icon files."""
    _qt = QGuiApplication.instance() or QGuiApplication(sys.argv)  # QPainter wants a Qt app
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        path = OUT / f"{NAME}-{size}.png"
        if not render(size).save(str(path)):  # PNG, from the suffix
            print(f"could not write {path}", file=sys.stderr)
            return 1
    images = {size: Image.open(OUT / f"{NAME}-{size}.png").convert("RGBA") for size in SIZES}
    ico_sizes = [s for s in SIZES if s <= 256]  # ICO tops out at 256
    images[256].save(
        OUT / f"{NAME}.ico",
        format="ICO",
        sizes=[(s, s) for s in ico_sizes],
        append_images=[images[s] for s in ico_sizes],
    )
    # ICNS slots are 32-1024 px; 512@2x is drawn at 1024 rather than blown up from 512.
    to_pillow(render(1024)).save(
        OUT / f"{NAME}.icns",
        format="ICNS",
        append_images=[images[s] for s in (32, 64, 128, 256, 512)],
    )
    for path in sorted(OUT.iterdir()):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
