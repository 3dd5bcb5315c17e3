"""Fuzzing the session and settings loaders with hostile files (issue 13, build 3).

Properties: a loader raises nothing but the store's own errors (settings: never anything, the
defaults stand in); a good session next to a hostile one lists and loads unchanged; a bad file
is set aside or reported; nothing blocks on a FIFO or reads ``/dev/zero``.
"""

from __future__ import annotations

import random
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avatar_desktop.storage import settings as settings_module
from avatar_desktop.storage.errors import StorageError
from avatar_desktop.storage.session_format import SessionFormatError, decode_session
from avatar_desktop.storage.sessions import SessionStore
from avatar_desktop.storage.settings import Settings, load_settings, save_settings
from tests.fakes.hostile_files import (
    SPECIAL_KINDS,
    fuzz_sessions,
    fuzz_settings,
    good_session,
    hostile_session_bytes,
    hostile_settings_bytes,
    make_special,
    no_hang,
)

_seeds = st.integers(min_value=0, max_value=2**32 - 1)
_fuzz = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_fuzz
@given(seed=_seeds)
def test_decoding_raises_only_a_format_error(seed: int) -> None:
    raw = hostile_session_bytes(random.Random(seed))
    try:
        session = decode_session(raw, "x")
    except SessionFormatError as exc:
        assert 0 < len(str(exc)) < 200
        return
    assert all(0.0 <= stamp <= 253402300799.0 for stamp in (session.created, session.updated))


def _fresh_store(root: Path) -> SessionStore:
    store = SessionStore(root)
    root.mkdir(parents=True)
    return store


@_fuzz
@given(seed=_seeds)
def test_a_hostile_session_costs_only_itself(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    store = _fresh_store(tmp_path_factory.mktemp("home") / "sessions")
    good = good_session()
    store.save(good)
    raw = hostile_session_bytes(random.Random(seed))
    hostile = store.path_for("hostile")
    hostile.write_bytes(raw)
    listed = store.list()
    assert good.id in [summary.id for summary in listed]
    assert store.load(good.id) == good  # good_session_harmed == 0
    problems = store.take_problems()
    if "hostile" in [summary.id for summary in listed]:
        assert not problems and hostile.read_bytes() == raw
        return
    (problem,) = problems
    assert not hostile.exists() and problem.path.read_bytes() == raw  # set aside, unchanged
    assert 0 < len(problem.reason) < 200  # a sentence, never a dump of the bad value


@pytest.mark.parametrize(
    "kind",
    [kind for kind in SPECIAL_KINDS],
)
def test_a_special_session_file_is_skipped_and_never_blocks(tmp_path: Path, kind: str) -> None:
    store = _fresh_store(tmp_path / "sessions")
    good = good_session()
    store.save(good)
    if not make_special(store.path_for("odd"), kind):
        pytest.skip(f"this system cannot make a {kind}")
    with no_hang(5):
        assert [summary.id for summary in store.list()] == [good.id]
        with pytest.raises(StorageError):
            store.load("odd")
    assert store.load(good.id) == good


def _assert_usable(loaded: Settings) -> None:
    """Every value has its declared type and passes the same checks a good file's would."""
    for field in fields(Settings):
        value = getattr(loaded, field.name)
        assert settings_module._usable(field.name, value) is not settings_module._INVALID or (
            value == getattr(Settings(), field.name)
        ), field.name


@_fuzz
@given(seed=_seeds)
def test_hostile_settings_give_usable_values(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    path = tmp_path_factory.mktemp("config") / "settings.json"
    path.write_bytes(hostile_settings_bytes(random.Random(seed)))
    problems: list[str] = []
    loaded = load_settings(path, problems)
    _assert_usable(loaded)
    assert all(isinstance(problem, str) and problem for problem in problems)
    if problems:  # the whole file was unusable: kept for the user, defaults used
        assert loaded == Settings()
        assert not path.exists() and (path.parent / settings_module.UNREADABLE_DIR).is_dir()
    save_settings(path, loaded)  # whatever was loaded can be saved and read back the same
    assert load_settings(path) == loaded


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_a_special_settings_file_gives_defaults_and_never_blocks(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "config" / "settings.json"
    if not make_special(path, kind):
        pytest.skip(f"this system cannot make a {kind}")
    problems: list[str] = []
    with no_hang(5):
        assert load_settings(path, problems) == Settings()
    assert path.is_symlink() or path.exists()  # left where it was
    if kind != "dangling-link":  # a dangling link is simply no settings file yet
        (message,) = problems
        assert "defaults" in message


def test_the_bench_fuzz_runners_count_no_harm(tmp_path: Path) -> None:
    sessions = fuzz_sessions(tmp_path / "sessions", 60, seed=7)
    assert sessions == {
        "fuzz_session_variants": 60,
        "fuzz_session_crashes": 0,
        "good_session_harmed": 0,
    }
    assert fuzz_settings(tmp_path / "settings", 60, seed=7) == {
        "fuzz_settings_variants": 60,
        "fuzz_settings_start_failures": 0,
    }
    assert not any((tmp_path / "sessions").iterdir())  # each variant cleans up after itself
