"""Settings: defaults, per-key fallback for bad values, set-aside unreadable files, no secrets."""

from __future__ import annotations

import errno
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from avatar_desktop.core.catalogue import BrainChoice, EarsChoice, PresenterKind, VoiceChoice
from avatar_desktop.storage import settings as settings_module
from avatar_desktop.storage.errors import StorageError
from avatar_desktop.storage.settings import (
    SETTINGS_SCHEMA_VERSION,
    Settings,
    load_settings,
    save_settings,
)
from tests.fakes.hostile_files import no_hang


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def _write(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")


def test_missing_file_gives_defaults(path: Path) -> None:
    problems: list[str] = []
    assert load_settings(path, problems) == Settings()
    assert problems == []
    assert Settings().schema_version == SETTINGS_SCHEMA_VERSION == 1
    assert Settings().max_tokens == 256 and Settings().temperature == 0.7
    assert Settings().remember is True  # long-term memory is on until the user pauses it


def test_round_trip(path: Path) -> None:
    chosen = Settings(
        chat_model_path="/models/ünï.gguf",
        max_tokens=512,
        temperature=1.1,
        context_tokens=4096,
        window_geometry="AdnQywADAAA=",
        last_session_id="abc123",
    )
    save_settings(path, chosen)
    assert load_settings(path) == chosen
    assert json.loads(path.read_text("utf-8"))["schema_version"] == SETTINGS_SCHEMA_VERSION


def test_unknown_keys_are_ignored_and_never_written_back(path: Path) -> None:
    _write(path, {"schema_version": 1, "max_tokens": 100, "groq_api_key": "gsk_secret", "x": [1]})
    loaded = load_settings(path)
    assert loaded == Settings(max_tokens=100)
    save_settings(path, loaded)
    assert "gsk_secret" not in path.read_text("utf-8")
    assert set(json.loads(path.read_text("utf-8"))) == set(asdict(Settings()))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("max_tokens", "256"),
        ("max_tokens", True),  # JSON true is not a number of tokens
        ("max_tokens", 12.5),
        ("max_tokens", -1),
        ("context_tokens", 0),
        ("context_tokens", None),
        ("temperature", "hot"),
        ("temperature", 99),
        ("chat_model_path", 5),
        ("chat_model_path", "  "),
        ("window_geometry", "not base64!"),
        ("last_session_id", ["a"]),
        ("remember", "no"),  # a string is no answer to "keep remembering?"
    ],
)
def test_wrong_type_falls_back_to_that_keys_default(path: Path, key: str, value: Any) -> None:
    good = {"max_tokens": 300, "temperature": 0.2}
    _write(path, {"schema_version": 1, **good, key: value})
    loaded = load_settings(path)
    assert getattr(loaded, key) == getattr(Settings(), key)
    for other, expected in good.items():
        if other != key:
            assert getattr(loaded, other) == expected  # one bad key costs only itself


# A settings file as the app wrote it before the choices were enums (choices as plain strings).
OLD_CHOICES = {
    "schema_version": 1,
    "chat_provider": "groq",
    "stt_provider": "groq",
    "presenter": "did_clip",
    "voice_provider": "elevenlabs",
    "max_tokens": 300,
}


def test_old_choice_strings_load_as_enums_and_save_back_byte_for_byte(path: Path) -> None:
    _write(path, OLD_CHOICES)
    loaded = load_settings(path)
    assert loaded.chat_provider is BrainChoice.GROQ
    assert loaded.stt_provider is EarsChoice.GROQ
    assert loaded.presenter is PresenterKind.DID_CLIP
    assert loaded.voice_provider is VoiceChoice.ELEVENLABS
    save_settings(path, loaded)
    written = path.read_text("utf-8")
    assert '"chat_provider": "groq",' in written and '"presenter": "did_clip",' in written
    save_settings(path, load_settings(path))
    assert path.read_text("utf-8") == written


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("chat_provider", "openai"),  # a choice this version does not know
        ("stt_provider", "GROQ"),
        ("presenter", "did"),
        ("voice_provider", 1),
        ("presenter", None),
    ],
)
def test_an_unknown_choice_costs_only_that_setting(path: Path, key: str, value: Any) -> None:
    _write(path, {**OLD_CHOICES, key: value})
    loaded = load_settings(path)
    assert getattr(loaded, key) == getattr(Settings(), key)
    assert type(getattr(loaded, key)) is type(getattr(Settings(), key))
    for other, expected in OLD_CHOICES.items():
        if other not in (key, "schema_version"):
            assert getattr(loaded, other) == expected


def test_int_is_accepted_where_a_float_is_declared(path: Path) -> None:
    _write(path, {"temperature": 1})
    loaded = load_settings(path)
    assert loaded.temperature == 1.0 and type(loaded.temperature) is float


def test_nan_temperature_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('{"temperature": NaN}')
    assert load_settings(path).temperature == 0.7


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe\x00", b'"text"'])
def test_unreadable_file_is_set_aside_with_a_message(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    problems: list[str] = []
    assert load_settings(path, problems) == Settings()
    (aside,) = (path.parent / settings_module.UNREADABLE_DIR).iterdir()
    assert aside.read_bytes() == content
    assert not path.exists()
    (message,) = problems
    assert str(aside) in message and "defaults" in message
    save_settings(path, Settings(max_tokens=99))  # a fresh save leaves the set-aside file alone
    assert aside.read_bytes() == content


def test_newer_schema_is_read_as_far_as_understood(path: Path) -> None:
    _write(path, {"schema_version": 7, "max_tokens": 64, "future_knob": True})
    loaded = load_settings(path)
    assert loaded.max_tokens == 64
    assert loaded.schema_version == SETTINGS_SCHEMA_VERSION


def test_upgrade_functions_run_for_old_files(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def rename_key(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "max_tokens": data.pop("tokens"), "schema_version": 1}

    monkeypatch.setattr(settings_module, "_UPGRADES", {0: rename_key})
    _write(path, {"schema_version": 0, "tokens": 42})
    assert load_settings(path).max_tokens == 42


def test_read_error_gives_defaults_and_a_message(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(path, {"max_tokens": 10})

    def fail(_path: Path, _limit: int) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(settings_module, "read_regular", fail)
    problems: list[str] = []
    assert load_settings(path, problems) == Settings()
    assert "permission denied" in problems[0]


def test_save_failure_is_a_storage_error(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(path, Settings(max_tokens=1))

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(settings_module, "atomic_write_text", fail)
    with pytest.raises(StorageError, match="disk is full") as caught:
        save_settings(path, Settings(max_tokens=2))
    assert isinstance(caught.value.__cause__, OSError)
    monkeypatch.undo()
    assert load_settings(path).max_tokens == 1


def test_lone_surrogate_in_a_path_survives(path: Path) -> None:
    odd = "/models/caf\udce9.gguf"  # a Latin-1 file name decoded with surrogateescape
    save_settings(path, Settings(chat_model_path=odd))
    path.read_bytes().decode("utf-8")
    assert load_settings(path).chat_model_path == odd


@pytest.mark.parametrize("value", ["", "   ", 3, None])
def test_an_unusable_avatar_kind_is_the_drawn_avatar(path: Path, value: Any) -> None:
    _write(path, {"schema_version": 1, "avatar_kind": value})
    assert load_settings(path).avatar_kind == Settings().avatar_kind == "drawn"
    _write(path, {"schema_version": 1, "avatar_kind": "live2d"})  # a kind the UI may not know
    assert load_settings(path).avatar_kind == "live2d"


_HUGE = "9" * 400  # JSON accepts it; float() raises OverflowError


@pytest.mark.parametrize("key", ["temperature", "volume", "speaking_rate"])
@pytest.mark.parametrize("sign", ["", "-"])
def test_a_huge_number_costs_only_that_setting(path: Path, key: str, sign: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(f'{{"max_tokens": 99, "{key}": {sign}{_HUGE}}}')
    loaded = load_settings(path)
    assert getattr(loaded, key) == getattr(Settings(), key)
    assert loaded.max_tokens == 99


@pytest.mark.parametrize(
    "look",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"skin": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "not json",
        "[1, 2]",
        '{"skin": "#' + "a" * 10_000 + '"}',
    ],
    ids=["deep", "deep-inside", "garbage", "list", "long"],
)
def test_an_unusable_avatar_look_costs_only_that_setting(path: Path, look: str) -> None:
    _write(path, {"avatar_look": look, "max_tokens": 99})
    loaded = load_settings(path)
    assert loaded.avatar_look is None and loaded.max_tokens == 99


def test_a_usable_avatar_look_is_kept(path: Path) -> None:
    look = json.dumps({"skin": "#aabbcc", "hair": "#112233"})
    _write(path, {"avatar_look": look})
    assert load_settings(path).avatar_look == look


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_left_alone_and_defaults_are_used(path: Path) -> None:
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    problems: list[str] = []
    with no_hang(5):
        assert load_settings(path, problems) == Settings()
    assert path.is_fifo()  # not moved: it is not ours to move
    (message,) = problems
    assert "pipe" in message and "defaults" in message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_dev_zero_is_not_read(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.symlink_to("/dev/zero")
    problems: list[str] = []
    with no_hang(5):
        assert load_settings(path, problems) == Settings()
    assert path.is_symlink()
    (message,) = problems
    assert "device" in message


def test_a_huge_file_is_set_aside(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"max_tokens": 5, "pad": "' + b"x" * (2 << 20) + b'"}')
    problems: list[str] = []
    assert load_settings(path, problems) == Settings()
    assert not path.exists()
    (aside,) = (path.parent / settings_module.UNREADABLE_DIR).iterdir()
    assert aside.stat().st_size > 2 << 20
    assert "larger than 1 MiB" in problems[0]


def test_a_folder_or_a_symlink_loop_gives_defaults_and_a_message(path: Path) -> None:
    path.mkdir(parents=True)
    problems: list[str] = []
    assert load_settings(path, problems) == Settings()
    assert path.is_dir() and "folder" in problems[0]
    path.rmdir()
    path.symlink_to(path)
    problems.clear()
    assert load_settings(path, problems) == Settings()
    assert len(problems) == 1 and "defaults" in problems[0]
