"""One app per data folder: a second start brings the first forward and exits; stale locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from avatar_desktop.app.startup.single import LOCK_NAME

ROOT = Path(__file__).resolve().parents[2]
SLOW_S = 120  # generous: a loaded 2-core machine; the checks are on outcomes, not on time


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "AVATAR_DESKTOP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _holder(home: Path) -> subprocess.Popen[str]:
    """The first start, holding ``home``'s data folder; returns once it says ``ready``."""
    data = home / "data"
    data.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.app.single_holder", str(data)],
        cwd=ROOT,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _second_start(home: Path) -> subprocess.CompletedProcess[str]:
    """The real app's entry point started on the same home."""
    return subprocess.run(
        [sys.executable, "-m", "avatar_desktop"],
        cwd=ROOT,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=SLOW_S,
    )


def _stop(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "shared-home"


def test_a_second_start_asks_the_first_to_show_its_window_and_exits(home: Path) -> None:
    first = _holder(home)
    try:
        second = _second_start(home)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "shown"
        assert first.poll() is None  # the first one keeps running
    finally:
        _stop(first)


def test_a_first_start_that_does_not_answer_is_explained_and_not_joined(home: Path) -> None:
    first = _holder(home)
    try:
        first.send_signal(signal.SIGSTOP)  # alive and holding the lock, but it cannot answer
        second = _second_start(home)
    finally:
        _stop(first)
    assert second.returncode == 1
    assert "did not answer" in second.stderr


def test_a_lock_left_by_a_killed_start_does_not_block_the_next(home: Path) -> None:
    first = _holder(home)
    _stop(first)  # SIGKILL: the lock file and the socket stay behind
    assert (home / "data" / LOCK_NAME).exists()
    again = _holder(home)  # takes the stale lock and listens again
    try:
        second = _second_start(home)
        assert second.returncode == 0, second.stderr
        assert again.stdout is not None
        assert again.stdout.readline().strip() == "shown"
    finally:
        _stop(again)
