"""The real app starts on defaults whatever the settings file holds (issue 13, defect 5 and 6)."""

from __future__ import annotations

import os
import random

import pytest
from pytestqt.qtbot import QtBot

from avatar_desktop.avatar.look import Look
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.sessions import SessionStore
from avatar_desktop.storage.settings import Settings, save_settings
from tests.fakes.hostile_files import (
    SPECIAL_KINDS,
    good_session,
    hostile_session_bytes,
    hostile_settings_bytes,
    make_special,
    no_hang,
)
from tests.ui.conftest import MakeApp

_HUGE = "9" * 400


@pytest.mark.parametrize(
    "content",
    [
        f'{{"temperature": {_HUGE}, "max_tokens": 77}}',
        f'{{"volume": -{_HUGE}, "max_tokens": 77}}',
        f'{{"speaking_rate": {_HUGE}, "max_tokens": 77}}',
        '{"avatar_look": "' + "[" * 50_000 + "]" * 50_000 + '", "max_tokens": 77}',
    ],
    ids=["temperature", "volume", "speaking_rate", "deep-look"],
)
def test_a_bad_value_costs_only_that_setting_at_start(make_app: MakeApp, content: str) -> None:
    settings_file = app_paths.ensure(app_paths.resolve()).settings_file
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(content)
    app = make_app()
    assert app.window.isVisible()
    assert app.settings.max_tokens == 77
    defaults = Settings()
    assert (app.settings.temperature, app.settings.volume, app.settings.speaking_rate) == (
        defaults.temperature,
        defaults.volume,
        defaults.speaking_rate,
    )
    assert app.settings.avatar_look is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_settings_file_does_not_block_start(make_app: MakeApp) -> None:
    settings_file = app_paths.ensure(app_paths.resolve()).settings_file
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(settings_file)
    with no_hang(20):
        app = make_app()
    assert app.window.isVisible()
    assert app.settings.max_tokens == Settings().max_tokens


def _home() -> app_paths.Paths:
    paths = app_paths.ensure(app_paths.resolve())
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.sessions.mkdir(parents=True, exist_ok=True)
    return paths


@pytest.mark.parametrize("seed", range(12))
def test_the_app_starts_on_hostile_settings(make_app: MakeApp, seed: int) -> None:
    paths = _home()
    paths.settings_file.write_bytes(hostile_settings_bytes(random.Random(seed)))
    with no_hang(20):
        app = make_app()
    assert app.window.isVisible()
    assert app.settings.temperature == app.settings.temperature  # a number, never NaN


@pytest.mark.parametrize(
    "hostile",
    [
        "huge-date",
        *(f"seed-{seed}" for seed in range(8)),
        *(kind for kind in SPECIAL_KINDS[1:]),
    ],
)
def test_the_app_starts_on_a_hostile_last_session(
    make_app: MakeApp, qtbot: QtBot, hostile: str
) -> None:
    paths = _home()
    good = good_session()
    SessionStore(paths.sessions).save(good)
    target = paths.sessions / "hostile.json"
    if hostile == "huge-date":  # issue 13 defect 3: it hid every conversation
        target.write_text(
            f'{{"schema_version":2,"title":"x","created":{_HUGE},"updated":1,"messages":[]}}'
        )
    elif hostile.startswith("seed-"):
        target.write_bytes(hostile_session_bytes(random.Random(int(hostile[5:]))))
    elif not make_special(target, hostile):
        pytest.skip(f"this system cannot make a {hostile}")
    save_settings(paths.settings_file, Settings(last_session_id="hostile"))
    with no_hang(20):
        app = make_app()
        # The listing runs off the GUI thread, then opens the last session or the newest one.
        qtbot.waitUntil(lambda: app.conversation.session.id in ("good", "hostile"), timeout=5000)
    assert app.window.isVisible()
    store = SessionStore(paths.sessions)
    assert good.id in [summary.id for summary in store.list()]
    assert store.load(good.id) == good  # good_session_harmed == 0


def test_a_deep_look_set_after_start_draws_the_default_look(make_app: MakeApp) -> None:
    app = make_app()
    app.settings.avatar_look = "[" * 100_000 + "]" * 100_000  # e.g. from a future dialog
    app._apply_look()  # the old code let json's RecursionError out of here
    assert app.window.avatar.look() == Look()
