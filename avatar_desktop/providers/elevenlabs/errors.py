"""ElevenLabs failures in words a user can act on (api-contracts.md §3.7), never quoting the key."""

from __future__ import annotations

from typing import Any

import requests
import urllib3

from avatar_desktop.core.catalogue import Service, row
from avatar_desktop.providers import http_errors
from avatar_desktop.providers.base import ProviderError

ELEVENLABS = row(Service.ELEVENLABS)
VENDOR = ELEVENLABS.label
NO_KEY = f"No ElevenLabs API key is set. Add one in Settings → Keys, or set {ELEVENLABS.key_env}."
AUTH = (
    "ElevenLabs rejected the API key. Check it in Settings → Keys, or switch to the voice on "
    "this computer."
)
QUOTA = (
    "ElevenLabs: not enough credits left for this sentence. Top up your ElevenLabs plan, or "
    "switch to the voice on this computer in Settings."
)
DEFAULT_RETRY_S = 1.0


def explain(exc: BaseException, *, key: str | None, voice_id: str = "") -> ProviderError:
    """Map an exception raised while talking to ElevenLabs to a ProviderError without the key."""
    error = _explain(exc, voice_id)
    if key and key in error.user_message:
        error = ProviderError(
            error.user_message.replace(key, "•••"),
            kind=error.kind,
            retry_after=error.retry_after,
            offline=error.offline,
            retryable=error.retryable,
        )
    return error


def malformed() -> ProviderError:
    return http_errors.unreadable(VENDOR)


def _explain(exc: BaseException, voice_id: str) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, StatusError):
        return _status(exc.response, voice_id)
    if isinstance(exc, requests.Timeout):
        return http_errors.timed_out(VENDOR)
    if isinstance(exc, requests.ConnectionError):
        return _connection(exc)
    if isinstance(exc, ValueError | requests.exceptions.ContentDecodingError):
        return malformed()
    return http_errors.unexpected(VENDOR, exc)


def _connection(exc: requests.ConnectionError) -> ProviderError:
    """Refused or unresolvable versus cut off mid-request: both mean the network is in the way."""
    if exc.args and isinstance(exc.args[0], urllib3.exceptions.ProtocolError):
        text = "The connection to ElevenLabs broke off before the answer. Check your internet "
        text += "connection, then retry."
        return ProviderError(text, kind="network", offline=True)
    return http_errors.unreachable(VENDOR, exc)


class StatusError(Exception):
    """An answer other than 200, kept whole so the mapping can read its body and headers."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _status(response: requests.Response, voice_id: str) -> ProviderError:
    status = response.status_code
    code, detail = detail_of(response)
    if code == "quota_exceeded":
        return ProviderError(QUOTA, kind="quota")
    if status == 401:
        return ProviderError(AUTH, kind="auth")
    if code == "voice_not_found" or (status == 404 and "voice" in detail.lower()):
        named = f"“{voice_id}”" if voice_id else "you chose"
        return ProviderError(
            f"ElevenLabs has no voice {named} for this key. Pick another voice in Settings.",
            kind="voice",
        )
    if code == "max_character_limit_exceeded":
        return ProviderError(
            "This sentence is too long for the chosen ElevenLabs model. Pick a model with a "
            "higher limit (Flash takes 40,000 characters), or use the voice on this computer.",
            kind="bad_request",
        )
    if status == 429:
        return _busy(response, code)
    if status >= 500:
        return http_errors.server_error(VENDOR, status)
    if status == 403:
        return ProviderError(
            f"ElevenLabs refused the request: {detail or 'HTTP 403'}. Your plan may not include "
            "this voice or model.",
            kind="forbidden",
        )
    return ProviderError(
        f"ElevenLabs could not handle the request: {detail or f'HTTP {status}'}.",
        kind="bad_request",
    )


def _busy(response: requests.Response, code: str) -> ProviderError:
    if code == "system_busy":
        text = "ElevenLabs is overloaded right now. Try again in a moment."
    else:
        text = (
            "ElevenLabs is already handling as many requests as your plan allows. "
            "Try again in a moment."
        )
    return ProviderError(
        text,
        kind="rate_limited",
        retry_after=http_errors.retry_after(response.headers, default=DEFAULT_RETRY_S),
    )


def detail_of(response: requests.Response) -> tuple[str, str]:
    """The ``detail`` status word and message: an object, a FastAPI list, or a plain string."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        return str(detail.get("status") or ""), str(detail.get("message") or "")
    if isinstance(detail, list):
        return "validation", "; ".join(_field_problem(item) for item in detail[:3])
    if isinstance(detail, str):
        return "", detail
    return "", ""


def _field_problem(item: object) -> str:
    """One FastAPI validation entry as "text: field required"."""
    if not isinstance(item, dict):
        return str(item)
    loc = item.get("loc")
    where = str(loc[-1]) if isinstance(loc, list) and loc else "request"
    return f"{where}: {item.get('msg', 'invalid')}"
