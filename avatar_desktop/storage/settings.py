"""Declared, versioned settings: a bad or foreign value costs that one setting, never startup."""

from __future__ import annotations

import binascii
import json
import logging
import math
import types
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any, get_args, get_type_hints

from avatar_desktop.core.atomic import atomic_write_text, move_aside
from avatar_desktop.core.catalogue import (
    BrainChoice,
    EarsChoice,
    PresenterKind,
    Responsiveness,
    VoiceChoice,
)
from avatar_desktop.storage.errors import StorageError, describe_os_error
from avatar_desktop.storage.safe_read import (
    SETTINGS_LIMIT,
    NotAFile,
    TooLarge,
    describe_limit,
    kind_of,
    read_regular,
)

log = logging.getLogger(__name__)

SETTINGS_SCHEMA_VERSION = 1
UNREADABLE_DIR = "unreadable"


@dataclass
class Settings:
    """Everything the user can choose that is not a secret; API keys live in the keyring."""

    schema_version: int = SETTINGS_SCHEMA_VERSION
    chat_model_path: str | None = None  # None: the bundled model
    max_tokens: int = 256
    temperature: float = 0.7
    context_tokens: int = 2048
    window_geometry: str | None = None  # base64 of QWidget.saveGeometry()
    last_session_id: str | None = None
    chat_provider: BrainChoice = BrainChoice.LOCAL
    groq_chat_model: str = "openai/gpt-oss-20b"
    stt_provider: EarsChoice = EarsChoice.LOCAL
    input_device: str | None = None  # None: the system's default microphone
    end_of_speech_ms: int = (
        600  # hands-free without the end-of-turn model: silence that ends a turn
    )
    responsiveness: Responsiveness = Responsiveness.BALANCED  # hands-free: speed against patience
    barge_in: bool = True  # talking over the avatar stops it
    auto_fallback: bool = False  # answer on this computer when Groq cannot be reached
    volume: float = 0.9
    muted: bool = False
    speaking_rate: float = 1.0
    output_device: str | None = None  # None: the system's default output
    avatar_look: str | None = None  # JSON of the avatar's Look (skin, hair, eyes, clothes)
    avatar_kind: str = "drawn"  # which avatar surface shows the local avatar (ui/avatar/surfaces)
    welcomed: bool = False  # the first-run welcome was shown
    presenter: PresenterKind = PresenterKind.DRAWN
    did_portrait_path: str | None = None  # the picture the user chose
    did_portrait_url: str | None = None  # where D-ID keeps it after the upload (s3://…)
    did_portrait_key: str | None = None  # sha256 of the uploaded bytes: upload once
    did_presenter_id: str = "amy-Aq6OmGZnMt"
    did_driver_id: str | None = None
    did_voice: str = "en-US-JennyNeural"  # a Microsoft voice D-ID speaks with
    video_cache_mb: int = 300  # downloaded clips kept at most
    voice_provider: VoiceChoice = VoiceChoice.LOCAL  # the drawn avatar's voice
    elevenlabs_voice_id: str = "21m00Tcm4TlvDq8ikWAM"
    elevenlabs_voice_name: str = "Rachel"
    elevenlabs_model: str = "eleven_flash_v2_5"
    remember: bool = True  # long-term memory keeps what the user tells (False: paused)
    theme: str = "system"  # "system" (follow the desktop), "light" or "dark"
    sidebar_shown: bool = True  # the conversations list beside the stage
    chat_shown: bool = True  # the chat panel beside the stage
    chat_width: int = 380  # its width in logical pixels, as the user left it
    companion: bool = False  # the character was on the desktop when the app last closed
    companion_places: str | None = None  # JSON {screen key: "x,y,w,h"}: where it sat on each


_HINTS: dict[str, Any] = get_type_hints(Settings)
_INVALID = object()
_LOOK_LIMIT = 4096  # characters: a look is a handful of short fields
_PLACES_LIMIT = 8192  # characters: a few screens' rectangles
# Upgrade functions keyed by the version they upgrade from, as for sessions.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _is_base64(value: str) -> bool:
    try:
        binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, ValueError):
        return False
    return True


# Values of the right type that would still break the app are treated like wrong types.
_VALID: dict[str, Callable[[Any], bool]] = {
    "max_tokens": lambda value: value > 0,
    "context_tokens": lambda value: value > 0,
    "temperature": lambda value: math.isfinite(value) and 0.0 <= value <= 2.0,
    "window_geometry": lambda value: value is None or _is_base64(value),
    "chat_model_path": lambda value: value is None or bool(value.strip()),
    "end_of_speech_ms": lambda value: 200 <= value <= 3000,
    "groq_chat_model": lambda value: bool(value.strip()),
    "volume": lambda value: math.isfinite(value) and 0.0 <= value <= 1.0,
    "speaking_rate": lambda value: math.isfinite(value) and 0.5 <= value <= 2.0,
    "video_cache_mb": lambda value: 20 <= value <= 20000,
    "did_presenter_id": lambda value: bool(value.strip()),
    "did_voice": lambda value: bool(value.strip()),
    "elevenlabs_voice_id": lambda value: bool(value.strip()),
    "elevenlabs_model": lambda value: bool(value.strip()),
    # Kinds are registered at run time; an unknown one falls back to the drawn avatar there.
    "avatar_kind": lambda value: bool(value.strip()),
    "avatar_look": lambda value: _is_look(value),
    "theme": lambda value: value in ("system", "light", "dark"),
    "chat_width": lambda value: 120 <= value <= 4000,
    "companion_places": lambda value: _is_places(value),
}


def load_settings(path: Path, problems: list[str] | None = None) -> Settings:
    """Read settings; anything unusable falls back to defaults and never stops the app.

    A user-facing sentence is appended to ``problems`` (when given) if the file had to be
    ignored or set aside.
    """
    try:
        raw = read_regular(path, SETTINGS_LIMIT)
    except FileNotFoundError:
        return Settings()
    except NotAFile:
        # A pipe or device is left where it is: moving it is not ours to do, reading it hangs.
        _report(problems, f"The settings file {path} is {kind_of(path)}; using defaults.")
        return Settings()
    except TooLarge:
        _set_aside(path, problems, f"is larger than {describe_limit(SETTINGS_LIMIT)}")
        return Settings()
    except OSError as exc:
        _report(problems, describe_os_error("read the settings", exc, path) + " Using defaults.")
        return Settings()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        _set_aside(path, problems, "could not be read")
        return Settings()
    return _from_dict(_upgrade(data))


def save_settings(path: Path, settings: Settings) -> None:
    """Write settings atomically, always as the current schema."""
    document = asdict(settings)
    document["schema_version"] = SETTINGS_SCHEMA_VERSION
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # backslashreplace: lone surrogates (e.g. undecodable file names) become JSON escapes.
        atomic_write_text(path, text, errors="backslashreplace")
    except OSError as exc:
        raise StorageError(describe_os_error("save the settings", exc, path.parent)) from exc


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """Run upgrade steps for old files; newer files are read as far as this version understands."""
    version = data.get("schema_version")
    if type(version) is not int:
        log.warning("settings have no usable schema_version; reading them as current")
        return data
    if version > SETTINGS_SCHEMA_VERSION:
        log.warning("settings were written by a newer version (schema %s)", version)
    while version < SETTINGS_SCHEMA_VERSION and version in _UPGRADES:
        data = _UPGRADES[version](data)
        version += 1
    return data


def _from_dict(data: dict[str, Any]) -> Settings:
    """Take each known key whose value fits; unknown keys are dropped on the next save."""
    values: dict[str, Any] = {}
    for field in fields(Settings):
        if field.name == "schema_version" or field.name not in data:
            continue
        value = _usable(field.name, data[field.name])
        if value is _INVALID:
            log.warning("setting %s has an unusable value; using the default", field.name)
            continue
        values[field.name] = value
    return Settings(**values)


def _usable(name: str, raw: Any) -> Any:
    """The coerced value if it fits and is valid, else ``_INVALID``: never an exception."""
    try:
        value = _coerce(raw, _HINTS[name])
        if value is _INVALID or not _VALID.get(name, _always)(value):
            return _INVALID
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return _INVALID  # e.g. OverflowError for a 400-digit number where a float is declared
    return value


def _json_object(value: str, limit: int) -> dict[str, Any] | None:
    """The JSON object in ``value``; None for garbage, deep nesting or more than ``limit``."""
    if len(value) > limit:
        return None
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _is_look(value: str | None) -> bool:
    """A look must parse to a JSON object; deep nesting or garbage would stop the app later."""
    return value is None or _json_object(value, _LOOK_LIMIT) is not None


def _is_places(value: str | None) -> bool:
    """Companion places: a small JSON object of screen keys to "x,y,w,h" strings."""
    data = None if value is None else _json_object(value, _PLACES_LIMIT)
    return value is None or (data is not None and all(isinstance(v, str) for v in data.values()))


def _coerce(value: Any, hint: Any) -> Any:
    """The value if it fits the declared type (ints count as floats, a choice's stored string
    becomes its enum), else ``_INVALID``."""
    allowed = get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for kind in allowed:
        if isinstance(kind, type) and issubclass(kind, StrEnum) and type(value) is str:
            try:
                return kind(value)
            except ValueError:
                return _INVALID
        if kind is float and type(value) in (int, float):
            return float(value)
        if type(value) is kind:  # exact: JSON true must not pass as an int
            return value
    return _INVALID


def _always(_value: Any) -> bool:
    return True


def _set_aside(path: Path, problems: list[str] | None, why: str) -> None:
    """Keep an unreadable settings file for the user to inspect, and start from defaults."""
    try:
        moved = move_aside(path, path.parent / UNREADABLE_DIR)
    except OSError as exc:
        log.warning("could not set aside unreadable settings %s: %s", path, exc)
        _report(problems, f"The settings file {path} {why}; using defaults.")
        return
    log.warning("set aside unreadable settings %s as %s", path, moved)
    _report(problems, f"The settings file {why}; it was kept at {moved}. Using defaults.")


def _report(problems: list[str] | None, message: str) -> None:
    if problems is not None:
        problems.append(message)
