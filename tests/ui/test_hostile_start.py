"""The real app starts on defaults whatever the settings file holds (issue 13, defect 5 and 6)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.settings import Settings
from tests.ui.conftest import MakeApp

_HUGE = "9" * 400


class Hung(Exception):
    """Not an OSError: the code under test must not be able to swallow it."""


@contextmanager
def _no_hang(seconds: int) -> Iterator[None]:
    """Fail instead of hanging the suite when start-up blocks on a read."""

    def expire(_signum: int, _frame: object) -> None:
        raise Hung("the app start blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


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
    with _no_hang(20):
        app = make_app()
    assert app.window.isVisible()
    assert app.settings.max_tokens == Settings().max_tokens
