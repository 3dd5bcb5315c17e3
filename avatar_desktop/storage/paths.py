"""One place decides where the app keeps files, so tests and portable builds can move it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from avatar_desktop import APP_AUTHOR, APP_ID
from avatar_desktop.core.atomic import remove_temps

HOME_ENV = "AVATAR_DESKTOP_HOME"
TESTING_ENV = "AVATAR_DESKTOP_TESTING"
DIR_MODE = 0o700


@dataclass(frozen=True)
class Paths:
    """The app's folders; each may not exist yet until :func:`ensure` runs."""

    data: Path
    config: Path
    cache: Path
    logs: Path

    @property
    def sessions(self) -> Path:
        return self.data / "sessions"

    @property
    def memory_file(self) -> Path:
        return self.data / "memory.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"


def resolve(env: Mapping[str, str] = os.environ) -> Paths:
    """Folders from ``AVATAR_DESKTOP_HOME`` when set, else from the platform's conventions."""
    home = _home(env)
    if home is not None:
        paths = Paths(
            data=home / "data", config=home / "config", cache=home / "cache", logs=home / "logs"
        )
    else:
        paths = Paths(
            data=platformdirs.user_data_path(APP_ID, APP_AUTHOR),
            config=platformdirs.user_config_path(APP_ID, APP_AUTHOR),
            cache=platformdirs.user_cache_path(APP_ID, APP_AUTHOR),
            logs=platformdirs.user_log_path(APP_ID, APP_AUTHOR),
        )
    if env.get(TESTING_ENV) == "1":
        _refuse_real_home(paths, home)
    return paths


def ensure(paths: Paths) -> Paths:
    """Create the folders, private to the user, so the app can write without further checks."""
    for folder in (paths.data, paths.config, paths.cache, paths.logs, paths.sessions):
        folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if os.name == "posix":
            folder.chmod(DIR_MODE)
    return paths


def remove_orphaned_temps(paths: Paths) -> int:
    """At start-up, before anything writes: drop temp files that killed writes left behind.

    Settings and cached media are written through temp files too; the sessions folder is
    cleaned by its store. Only names the atomic writer makes are touched.
    """
    removed = remove_temps(paths.config)
    return removed + remove_temps(paths.cache, recursive=True)


def _home(env: Mapping[str, str]) -> Path | None:
    """The override folder as an absolute path, or None when unset or empty."""
    value = env.get(HOME_ENV, "").strip()
    if not value:
        return None
    return Path(value).expanduser().absolute()


def _refuse_real_home(paths: Paths, home: Path | None) -> None:
    """Under test, fail loudly rather than read or write the developer's real files."""
    for folder in (paths.data, paths.config, paths.cache, paths.logs):
        if home is None or not folder.is_relative_to(home):
            raise RuntimeError(
                f"{TESTING_ENV}=1 but {folder} is outside {HOME_ENV} ({home}); "
                "refusing to touch the real home folder"
            )
