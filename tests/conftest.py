"""Hermetic tests: a temp home for every test, the offscreen platform, and no error left unseen."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from avatar_desktop.core.catalogue import CATALOGUE
from tests.fakes.did_server import did_fake  # noqa: F401  (the loopback D-ID fixture)
from tests.fakes.elevenlabs_server import elevenlabs_fake  # noqa: F401  (and ElevenLabs)
from tests.fakes.groq_server import groq_fake  # noqa: F401  (the loopback Groq fixture)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["AVATAR_DESKTOP_TESTING"] = "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_error_logs: the test expects ERROR log records")


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir; nothing touches the real home."""
    home = tmp_path / "home"
    monkeypatch.setenv("AVATAR_DESKTOP_HOME", str(home))
    every_service = [(info.key_env, info.base_url_env) for info in CATALOGUE.values()]
    for name in ("GROQ_API_BASE", *(name for pair in every_service for name in pair)):
        monkeypatch.delenv(name, raising=False)  # a developer's real keys never reach a test
    return home


@pytest.fixture(autouse=True)
def fail_on_error_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """An unexpected ERROR log from the app fails the test (qutebrowser's logfail idea)."""
    caplog.set_level(logging.INFO, logger="avatar_desktop")
    yield
    if request.node.get_closest_marker("allow_error_logs"):
        return
    errors = [
        r
        for r in caplog.get_records("call")
        if r.levelno >= logging.ERROR and r.name.startswith("avatar_desktop")
    ]
    assert not errors, f"unexpected error logs: {[r.getMessage() for r in errors]}"


@pytest.fixture(autouse=True)
def reset_notices() -> Iterator[None]:
    from avatar_desktop.core import notices

    notices.install(None)
    yield
    notices.install(None)
    notices._pending.clear()
