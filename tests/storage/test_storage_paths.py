"""The paths module: env override, platform defaults, and the guard that protects the real home."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from avatar_desktop.storage import paths
from avatar_desktop.storage.paths import HOME_ENV, TESTING_ENV, Paths, ensure, resolve


def test_home_env_puts_everything_under_it(tmp_path: Path) -> None:
    resolved = resolve({HOME_ENV: str(tmp_path)})
    assert resolved == Paths(
        data=tmp_path / "data",
        config=tmp_path / "config",
        cache=tmp_path / "cache",
        logs=tmp_path / "logs",
    )
    assert resolved.sessions == tmp_path / "data" / "sessions"
    assert resolved.settings_file == tmp_path / "config" / "settings.json"


def test_default_env_is_the_hermetic_home(app_home: Path) -> None:
    assert resolve().data == app_home / "data"


def test_without_override_uses_platformdirs() -> None:
    resolved = resolve({})  # not testing: the guard is off, nothing is created
    assert "avatar-desktop" in str(resolved.data).lower()
    assert HOME_ENV not in str(resolved.data)
    assert resolved.logs != resolved.cache


def test_relative_home_becomes_absolute() -> None:
    assert resolve({HOME_ENV: "portable"}).data == Path.cwd() / "portable" / "data"


@pytest.mark.parametrize("env", [{TESTING_ENV: "1"}, {TESTING_ENV: "1", HOME_ENV: "  "}])
def test_testing_guard_refuses_the_real_home(env: dict[str, str]) -> None:
    with pytest.raises(RuntimeError, match="refusing to touch the real home"):
        resolve(env)


def test_paths_are_frozen(tmp_path: Path) -> None:
    resolved = resolve({HOME_ENV: str(tmp_path)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        resolved.data = tmp_path  # type: ignore[misc]


def test_ensure_creates_private_folders(tmp_path: Path) -> None:
    resolved = ensure(resolve({HOME_ENV: str(tmp_path / "h")}))
    for folder in (
        resolved.data,
        resolved.config,
        resolved.cache,
        resolved.logs,
        resolved.sessions,
    ):
        assert folder.is_dir()
        if os.name == "posix":
            assert folder.stat().st_mode & 0o777 == paths.DIR_MODE
    ensure(resolved)  # idempotent
