"""Avatar kinds: the window builds the kind chosen in settings, and the turn never knows which."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.avatar.look import Look
from avatar_desktop.avatar.pose import Pose
from avatar_desktop.avatar.surface import (
    AvatarEvent,
    AvatarSurface,
    GestureStarted,
    StateChanged,
)
from avatar_desktop.core import notices
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.settings import Settings, save_settings
from avatar_desktop.ui.avatar import surfaces
from avatar_desktop.ui.avatar.view import AvatarView
from tests.audio.pulse import PulseSink, pulse_sink  # noqa: F401
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp
from tests.ui.test_speaking_window import ANSWER, voiced_app


class RecordingSurface(QWidget):
    """The least an avatar kind can be: a widget that keeps everything it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.state = "idle"  # the last state it was told of
        self.poses: list[tuple[str, Pose]] = []  # each pose, with the state it came in
        self.events: list[AvatarEvent] = []
        self.captions: list[str] = []
        self.labels: list[str] = []
        self.errors: list[bool] = []
        self.looks: list[Look] = []

    def widget(self) -> QWidget:
        return self

    def set_pose(self, pose: Pose) -> None:
        self.poses.append((self.state, pose))

    def on_event(self, event: AvatarEvent) -> None:
        self.events.append(event)
        if isinstance(event, StateChanged):
            self.state = event.state

    def set_look(self, look: Look) -> None:
        self.looks.append(look)

    def look(self) -> Look:
        return self.looks[-1] if self.looks else Look()

    def set_caption(self, text: str) -> None:
        self.captions.append(text)

    def caption(self) -> str:
        return self.captions[-1] if self.captions else ""

    def set_state_label(self, text: str) -> None:
        self.labels.append(text)

    def set_error(self, on: bool) -> None:
        self.errors.append(on)


@pytest.fixture
def recording_kind() -> Iterator[str]:
    surfaces.register("recording", RecordingSurface)
    yield "recording"
    surfaces.unregister("recording")


@pytest.fixture
def drawn_views(monkeypatch: pytest.MonkeyPatch) -> list[AvatarView]:
    """Every drawn avatar built while the test runs."""
    built: list[AvatarView] = []
    init = AvatarView.__init__

    def counting(view: AvatarView, *args: Any, **kwargs: Any) -> None:
        init(view, *args, **kwargs)
        built.append(view)

    monkeypatch.setattr(AvatarView, "__init__", counting)
    return built


def choose_kind(kind: str) -> None:
    """Set ``avatar_kind`` in the settings file the next app start reads."""
    paths = app_paths.ensure(app_paths.resolve())
    save_settings(paths.settings_file, Settings(avatar_kind=kind, welcomed=True))


def test_a_registered_kind_is_driven_by_a_real_spoken_turn(
    qtbot: QtBot,
    make_app: MakeApp,
    pulse_sink: PulseSink,  # noqa: F811
    recording_kind: str,
    drawn_views: list[AvatarView],
) -> None:
    choose_kind(recording_kind)
    app: AvatarApp = voiced_app(make_app, qtbot, ANSWER)
    surface = app.window.avatar
    assert isinstance(surface, RecordingSurface)
    assert app.window.avatar_widget is surface and app.window.video.parent() is surface
    assert not drawn_views and not app.window.findChildren(AvatarView)

    app.window.input.setPlainText("Hi!")
    app.window.send_button.click()
    qtbot.waitUntil(lambda: app.stage.speaking, timeout=10_000)
    qtbot.waitUntil(lambda: not app.stage.speaking, timeout=30_000)

    assert [c for c in surface.captions if c] == [
        "Hello there!",
        "I am your friendly avatar.",
        "It is lovely to meet you.",
    ]
    assert surface.caption() == ""  # cleared once the avatar is quiet
    jaw = [pose.jaw_open for state, pose in surface.poses if state == "speaking"]
    assert len(jaw) > 30 and max(jaw) > 0.3 and min(jaw) < 0.1  # the mouth opens and closes
    states = [e.state for e in surface.events if isinstance(e, StateChanged)]
    assert states.index("listening") < states.index("thinking") < states.index("speaking")
    assert states[-1] == "idle"
    assert "wave" in [e.gesture for e in surface.events if isinstance(e, GestureStarted)]
    assert "Thinking…" in surface.labels and surface.errors[-1] is False
    assert surface.looks  # the look from settings was handed over too


def test_an_unknown_kind_falls_back_to_the_drawn_avatar_with_a_notice(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    choose_kind("hologram")
    app = make_app(ScriptedModel(["Hi."]))
    assert isinstance(app.window.avatar, AvatarView)
    assert app.window.avatar_widget is app.window.avatar
    qtbot.waitUntil(lambda: "hologram" in app.window.notice.text())
    assert "drawn avatar" in app.window.notice.text()


def test_a_kind_that_fails_to_start_falls_back_too(qtbot: QtBot) -> None:
    def broken() -> AvatarSurface:
        raise RuntimeError("no OpenGL here")

    said: list[str] = []
    notices.install(lambda _change, notice: said.append(notice.text))
    surfaces.register("broken", broken)
    try:
        surface = surfaces.build("broken")
    finally:
        surfaces.unregister("broken")
    qtbot.addWidget(surface.widget())
    assert isinstance(surface, AvatarView)
    assert said == ['The avatar "broken" could not start; the drawn avatar is shown.']
    assert surfaces.kinds() == ("drawn",)


def test_the_drawn_avatar_is_a_surface() -> None:
    assert isinstance(AvatarView(), AvatarSurface)
    assert surfaces.kinds()[0] == surfaces.DRAWN == Settings().avatar_kind
