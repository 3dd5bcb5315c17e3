"""The session file format: encode the current schema, decode and upgrade every older one."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from avatar_desktop.core.session import Message, Session

SCHEMA_VERSION = 2
_ROLES = ("user", "assistant")
# Namespace for the ids of upgraded v1 messages, so they stay the same on every load.
_V1_MESSAGE_NS = uuid.UUID("6f1d3c2a-8b7e-4d5f-9a0c-2e4b6d8f1a3c")

# Dates are clamped to this range on load: a file from a broken clock (or a hostile one) still
# opens, and nothing downstream has to format a date before 1970 or after the year 9999.
_EARLIEST = 0.0
_LATEST = 253402300799.0  # 9999-12-31T23:59:59Z
# A schema version this long is not a version; the message shows a short one only.
_VERSION_DIGITS = 6

_Upgrade = Callable[[dict[str, Any], str], dict[str, Any]]


class SessionFormatError(ValueError):
    """Raised while decoding; its text is the reason the user reads."""


def encode_session(session: Session) -> bytes:
    """The current on-disk form: compact UTF-8 JSON, default message fields left out."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "id": session.id,
        "title": session.title,
        "created": session.created,
        "updated": session.updated,
        "persona": session.persona,
        "messages": [_message_to_dict(message) for message in session.messages],
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    # A str may hold lone surrogates (Qt text, surrogateescape'd paths) that UTF-8 cannot encode;
    # they only occur inside JSON strings, so backslashreplace writes them as \udXXX escapes,
    # which keeps the file valid UTF-8 and loads back to the same str.
    return text.encode("utf-8", "backslashreplace")


def decode_session(raw: bytes, session_id: str) -> Session:
    """Parse any supported schema into a Session; the file name, not the content, is the id."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise SessionFormatError("it is not UTF-8 text") from exc
    except (ValueError, RecursionError) as exc:
        raise SessionFormatError("it is not valid JSON") from exc
    return _session_from(_upgrade(data, session_id), session_id)


def _message_to_dict(message: Message) -> dict[str, Any]:
    """Leave out default fields: most messages were neither interrupted nor failed."""
    item: dict[str, Any] = {
        "id": message.id,
        "role": message.role,
        "content": message.content,
        "created": message.created,
    }
    if message.interrupted:
        item["interrupted"] = True
    if message.error is not None:
        item["error"] = message.error
    return item


def _upgrade(data: Any, session_id: str) -> dict[str, Any]:
    """Bring an older document to the current schema, one version step at a time."""
    if not isinstance(data, dict):
        raise SessionFormatError("it does not hold a conversation")
    version = data.get("schema_version", data.get("version"))
    if type(version) is not int:
        raise SessionFormatError("it has no schema version")
    if version > SCHEMA_VERSION:
        raise SessionFormatError(
            f"it was written by a newer version of Avatar Desktop (schema {_shown(version)})"
        )
    while version < SCHEMA_VERSION:
        upgrade = _UPGRADES.get(version)
        if upgrade is None:
            raise SessionFormatError(f"it has an unknown schema version ({_shown(version)})")
        data = upgrade(data, session_id)
        version += 1
    return data


def _shown(version: int) -> str:
    """A version for the notice: a number of hundreds of digits is no version anyone wrote."""
    return str(version) if abs(version) < 10**_VERSION_DIGITS else "a number far out of range"


def _v1_to_v2(data: dict[str, Any], session_id: str) -> dict[str, Any]:
    """The prototype's format: ISO times, ``text`` for content, and no ids at all."""
    created = _iso_to_epoch(data.get("created"), "the conversation")
    messages = data.get("messages")
    if not isinstance(messages, list):
        raise SessionFormatError("its messages are not a list")
    upgraded: list[dict[str, Any]] = []
    last = created
    for index, item in enumerate(messages):
        if not isinstance(item, dict):
            raise SessionFormatError(f"message {index + 1} is not in the expected shape")
        stamp = item.get("time")
        last = last if stamp is None else _iso_to_epoch(stamp, f"message {index + 1}")
        upgraded.append(
            {
                "id": uuid.uuid5(_V1_MESSAGE_NS, f"{session_id}/{index}").hex,
                "role": item.get("role"),
                "content": item.get("text"),
                "created": last,
            }
        )
    return {
        "schema_version": 2,
        "id": session_id,
        "title": data.get("title"),
        "created": created,
        "updated": max(created, last),
        "persona": None,
        "messages": upgraded,
    }


_UPGRADES: dict[int, _Upgrade] = {1: _v1_to_v2}


def _iso_to_epoch(value: Any, owner: str) -> float:
    """ISO 8601 to epoch seconds; naive times are local, as the prototype wrote them."""
    if not isinstance(value, str):
        raise SessionFormatError(f"{owner} has no readable date")
    try:
        return datetime.fromisoformat(value).timestamp()
    except (ValueError, OverflowError, OSError) as exc:
        raise SessionFormatError(f"{owner} has no readable date") from exc


def _session_from(data: dict[str, Any], session_id: str) -> Session:
    """Build the Session with plain dict access; anything unexpected names what is wrong."""
    title, persona, messages = data.get("title"), data.get("persona"), data.get("messages")
    created: Any = data.get("created")
    updated: Any = data.get("updated")
    if type(title) is not str or not (persona is None or type(persona) is str):
        raise SessionFormatError("its title or persona is not text")
    if not isinstance(messages, list):
        raise SessionFormatError("its messages are not a list")
    built = []
    for index, item in enumerate(messages):
        try:
            built.append(_message_from(item))
        except (KeyError, TypeError, AttributeError, SessionFormatError) as exc:
            raise SessionFormatError(f"message {index + 1} is not in the expected shape") from exc
    return Session(
        id=session_id,
        title=title,
        created=_stamp(created, "its creation date"),
        updated=_stamp(updated, "its last change date"),
        persona=persona,
        messages=built,
    )


def _message_from(item: Any) -> Message:
    """The hot path of a load: a few type checks per message, no validation library."""
    role, content, created, message_id = item["role"], item["content"], item["created"], item["id"]
    interrupted, error = item.get("interrupted", False), item.get("error")
    if (
        role not in _ROLES
        or type(content) is not str
        or type(message_id) is not str
        or type(interrupted) is not bool
        or not (error is None or type(error) is str)
    ):
        raise SessionFormatError("unexpected field type")
    return Message(
        role=role,
        content=content,
        created=_stamp(created, "its date"),
        interrupted=interrupted,
        error=error,
        id=message_id,
    )


def _stamp(value: Any, what: str) -> float:
    """Epoch seconds from a finite JSON number, clamped to a range every date formatter handles."""
    if type(value) not in (int, float):
        raise SessionFormatError(f"{what} is not a number")
    try:
        stamp = float(value)
    except OverflowError as exc:  # an integer of 309+ digits
        raise SessionFormatError(f"{what} is not a usable number") from exc
    if not math.isfinite(stamp):
        raise SessionFormatError(f"{what} is not a usable number")
    return min(max(stamp, _EARLIEST), _LATEST)
