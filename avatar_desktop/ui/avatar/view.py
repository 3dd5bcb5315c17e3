"""The avatar widget: draws a Pose of the character, plus state, caption and error overlays."""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from avatar_desktop.avatar.look import Look
from avatar_desktop.avatar.pose import NEUTRAL, Pose
from avatar_desktop.avatar.surface import AvatarEvent
from avatar_desktop.ui.avatar import dirty, overlay
from avatar_desktop.ui.avatar import geometry as g
from avatar_desktop.ui.avatar.body import draw_arm_back, draw_arm_front, draw_neck, draw_torso
from avatar_desktop.ui.avatar.face import draw_brows, draw_face
from avatar_desktop.ui.avatar.head import draw_hair_back, draw_hair_front, draw_head
from avatar_desktop.ui.avatar.kit import Kit

log = logging.getLogger(__name__)

_BADGE_AT = QPointF(g.CX + 84.0, 50.0)


class AvatarRenderer:
    """Paints the character onto any QPainter, caching what only changes with look or size."""

    def __init__(self, look: Look | None = None) -> None:
        self._kit = Kit(look or Look())
        self._backdrop: tuple[tuple[object, ...], QImage] | None = None
        self._caption: tuple[tuple[object, ...], list[str]] | None = None

    @property
    def look(self) -> Look:
        return self._kit.look

    def set_look(self, look: Look) -> None:
        if look != self._kit.look:
            log.debug("Avatar look changed to %s", look)
            self._kit = Kit(look)

    def invalidate(self) -> None:
        """Forget palette- and font-derived caches (the theme changed)."""
        self._backdrop = None
        self._caption = None

    def paint(
        self,
        p: QPainter,
        size: QSizeF,
        pose: Pose,
        palette: QPalette,
        font: QFont,
        *,
        state_label: str = "",
        caption: str = "",
        error: bool = False,
        backdrop: bool = True,
    ) -> None:
        """One full frame: backdrop, character, then the overlays on top.

        Without ``backdrop`` the character is drawn on whatever is under it (a translucent
        companion window over the desktop), and an error only badges it."""
        rect = QRectF(QPointF(0.0, 0.0), size)
        fit = g.fit_transform(size)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if backdrop:
            p.drawImage(QPointF(0.0, 0.0), self._backdrop_image(p, size, palette, error))
        p.save()
        p.setTransform(fit, True)
        self._draw_character(p, pose)
        p.restore()
        if error:
            badge_at, badge = fit.map(_BADGE_AT), 13.0 * fit.m11()
            overlay.draw_error(p, rect if backdrop else QRectF(), palette, badge_at, badge)
        if state_label:
            chip_font = QFont(font)
            chip_font.setPixelSize(int(min(max(size.height() * 0.042, 11.0), 15.0)))
            overlay.draw_chip(p, rect, palette, chip_font, state_label, error)
        if caption:
            cap_font = overlay.caption_font(font, size.height())
            overlay.draw_caption(p, rect, cap_font, self._caption_lines(caption, cap_font, size))

    def _draw_character(self, p: QPainter, pose: Pose) -> None:
        kit = self._kit
        head = g.head_transform(pose)
        p.save()
        p.setTransform(head, True)
        draw_hair_back(p, kit)
        p.restore()
        p.save()
        p.setTransform(g.body_transform(pose), True)
        p.save()
        p.translate(0.0, -g.head_lift(pose))
        draw_neck(p, kit)
        p.restore()
        arms = (g.arm(pose, 1), g.arm(pose, -1))
        for arm in arms:
            draw_arm_back(p, kit, arm)
        p.save()
        p.translate(0.0, -g.body_lift(pose))
        draw_torso(p, kit)
        p.restore()
        for arm in arms:
            draw_arm_front(p, kit, arm)
        p.restore()
        p.save()
        p.setTransform(head, True)
        draw_head(p, kit, pose)
        shift = g.feature_shift(pose)
        p.translate(shift)
        draw_face(p, kit, pose)
        p.translate(-shift)
        draw_hair_front(p, kit, pose)
        p.translate(shift)
        draw_brows(p, kit, pose)
        p.restore()

    def _backdrop_image(self, p: QPainter, size: QSizeF, palette: QPalette, error: bool) -> QImage:
        """The glow behind the character, rendered once per size, theme and device pixel ratio
        at full device resolution (a radial gradient over the whole view is a fifth of a frame)."""
        dpr = p.device().devicePixelRatioF() if p.device() is not None else 1.0
        key = (size.width(), size.height(), dpr, palette.cacheKey(), error)
        if self._backdrop is None or self._backdrop[0] != key:
            # An ellipse filling the stage: brightest in the middle, the window colour at every
            # edge, so the stage melts into the panels and bars around it at any shape.
            brush = overlay.backdrop_brush(palette, QPointF(0.0, 0.0), 1.0, error)
            half_w, half_h = max(size.width() / 2.0, 1.0), max(size.height() / 2.0, 1.0)
            brush.setTransform(QTransform.fromTranslate(half_w, half_h).scale(half_w, half_h))
            image = QImage(
                max(math.ceil(size.width() * dpr), 1),
                max(math.ceil(size.height() * dpr), 1),
                QImage.Format.Format_ARGB32_Premultiplied,
            )
            image.setDevicePixelRatio(dpr)
            painter = QPainter(image)
            painter.fillRect(QRectF(QPointF(0.0, 0.0), size), brush)
            painter.end()
            self._backdrop = (key, image)
        return self._backdrop[1]

    def _caption_lines(self, text: str, font: QFont, size: QSizeF) -> list[str]:
        width = min(size.width() - 48.0, font.pixelSize() * 34.0)
        key = (text, width, font.key())
        if self._caption is None or self._caption[0] != key:
            self._caption = (key, overlay.wrap_caption(text, QFontMetricsF(font), width))
        return self._caption[1]


class AvatarView(QWidget):
    """The drawn character; the rig sets a Pose each frame and this widget only paints it.

    The "drawn" avatar surface (``avatar/surface.py``): the widget is the surface itself.
    """

    def __init__(self, parent: QWidget | None = None, *, look: Look | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("avatarArea")
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAccessibleName("Avatar")
        self._renderer = AvatarRenderer(look)
        self._pose = NEUTRAL
        self._shown = NEUTRAL  # the pose the whole view last showed (see dirty.py)
        self._state_label = ""
        self._caption = ""
        self._error = False
        self._backdrop = True

    def sizeHint(self) -> QSize:
        return QSize(360, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 200)

    def widget(self) -> QWidget:
        return self

    def pose(self) -> Pose:
        return self._pose

    def set_pose(self, pose: Pose) -> None:
        if pose == self._pose:
            return
        self._pose = pose
        rect = dirty.face_rect(self._shown, pose, QSizeF(self.size()))
        if rect is None:
            self._shown = pose  # the coming paint shows all of it
            self.update()
        else:
            self.update(rect.toAlignedRect())

    def on_event(self, event: AvatarEvent) -> None:
        """Nothing to do: the drawn avatar follows the poses, which already show the event."""

    def look(self) -> Look:
        return self._renderer.look

    def set_look(self, look: Look) -> None:
        self._renderer.set_look(look)
        self.update()

    def state_label(self) -> str:
        return self._state_label

    def set_state_label(self, text: str) -> None:
        """Show a short state name ("Listening…") in a chip; an empty string hides it."""
        if text != self._state_label:
            self._state_label = text
            self._update_description()

    def caption(self) -> str:
        return self._caption

    def set_caption(self, text: str) -> None:
        """The sentence being spoken, shown under the character; an empty string hides it."""
        if text != self._caption:
            self._caption = text
            self._update_description()

    def error(self) -> bool:
        return self._error

    def set_error(self, on: bool) -> None:
        """Grey out the character and badge it, so a failure never looks like thinking."""
        if on != self._error:
            self._error = on
            self._update_description()

    def backdrop(self) -> bool:
        return self._backdrop

    def set_backdrop(self, on: bool) -> None:
        """Paint the glow behind the character (the window) or nothing (a translucent window)."""
        if on != self._backdrop:
            self._backdrop = on
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, on)
            self.setAutoFillBackground(False)
            self.update()

    def regions(self, size: QSize | QSizeF | None = None) -> dict[str, QRectF]:
        """Where mouth, eyes, brows, right arm and hair are drawn, for tests and tooling."""
        return g.regions(QSizeF(size if size is not None else self.size()))

    def _update_description(self) -> None:
        parts = ["Error" if self._error else "", self._state_label, self._caption]
        self.setAccessibleDescription(" — ".join(part for part in parts if part))
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._renderer.invalidate()
            self.update()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if event.rect().contains(self.rect()):
            self._shown = self._pose
        painter = QPainter(self)
        self._renderer.paint(
            painter,
            QSizeF(self.size()),
            self._pose,
            self.palette(),
            self.font(),
            state_label=self._state_label,
            caption=self._caption,
            error=self._error,
            backdrop=self._backdrop,
        )
        painter.end()


def render_to_image(
    pose: Pose,
    size: QSize | tuple[int, int],
    look: Look | None = None,
    dpr: float = 1.0,
    *,
    palette: QPalette | None = None,
    state_label: str = "",
    caption: str = "",
    error: bool = False,
) -> QImage:
    """Render one frame off screen (tests, screenshots); needs a QGuiApplication for fonts."""
    logical = QSize(*size) if isinstance(size, tuple) else QSize(size)
    image = QImage(
        round(logical.width() * dpr),
        round(logical.height() * dpr),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    pal = palette if palette is not None else QGuiApplication.palette()
    painter = QPainter(image)
    AvatarRenderer(look).paint(
        painter,
        QSizeF(logical),
        pose,
        pal,
        QGuiApplication.font(),
        state_label=state_label,
        caption=caption,
        error=error,
    )
    painter.end()
    return image
