"""Groq failures in words a user can act on: every SDK and network error mapped to one message."""

from __future__ import annotations

import json
from typing import Any

import groq
import httpx

from avatar_desktop.core.catalogue import Service, row
from avatar_desktop.providers import http_errors
from avatar_desktop.providers.base import ProviderError

VENDOR = row(Service.GROQ).label
_AUTH = "Groq rejected the API key. Check it in Settings → Keys (Groq keys start with gsk_)."


def explain(exc: BaseException, *, model: str = "") -> ProviderError:
    """Map an exception raised while talking to Groq to a ProviderError with a clear message."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, groq.APIStatusError):
        return _status(exc, model)
    if isinstance(exc, groq.APITimeoutError | httpx.TimeoutException):
        return http_errors.timed_out(VENDOR)
    if isinstance(exc, groq.APIConnectionError | httpx.TransportError):
        return _connection(exc)
    if isinstance(exc, groq.APIResponseValidationError | json.JSONDecodeError | ValueError):
        return http_errors.unreadable(VENDOR)
    if isinstance(exc, groq.APIError):
        detail = _error_text(getattr(exc, "body", None)) or exc.message
        return ProviderError(
            f"Groq stopped the answer with an error: {detail}. The part already written was "
            "kept; retry to get a full answer.",
            kind="stream_error",
            retryable=True,
        )
    return http_errors.unexpected(VENDOR, exc)


def _connection(exc: BaseException) -> ProviderError:
    """Cut off mid-answer is Groq's own case; anything else means the network is in the way."""
    if http_errors.caused_by(exc, httpx.RemoteProtocolError):
        return ProviderError(
            "The connection to Groq broke off in the middle of the answer. The part already "
            "written was kept; retry to get a full answer.",
            kind="cut",
            retryable=True,
        )
    return http_errors.unreachable(VENDOR, exc)


def _status(exc: groq.APIStatusError, model: str) -> ProviderError:
    status = exc.status_code
    body = exc.body if isinstance(exc.body, dict) else {}
    code = _error_field(body, "code")
    name = f"“{model}”" if model else "the chosen model"
    if status == 401:
        return ProviderError(_AUTH, kind="auth")
    if status == 403:
        return ProviderError(
            "Groq refused access (403): this key's organisation may not use this model or "
            "region. Check your Groq account, or choose another model.",
            kind="forbidden",
        )
    if status == 404 or code == "model_not_found":
        return ProviderError(
            f"Groq has no model {name}, or your key cannot use it. Pick a current model.",
            kind="model_unknown",
        )
    if status == 400 and code == "model_decommissioned":
        return ProviderError(
            f"Groq has retired the model {name}. Pick a current model.", kind="model_gone"
        )
    if status == 413:
        return _too_large(body)
    if status == 429:
        return ProviderError(
            "Groq's rate limit for your plan was reached.",
            kind="rate_limited",
            retry_after=http_errors.retry_after(exc.response.headers, default=5.0),
        )
    if status == 498:
        return ProviderError(
            "Groq's flex tier is out of capacity right now. Try again in a moment.",
            kind="capacity",
            retryable=True,
        )
    if status >= 500:
        return http_errors.server_error(VENDOR, status)
    detail = _error_text(body) or f"HTTP {status}"
    return ProviderError(f"Groq could not handle the request: {detail}.", kind="bad_request")


def _too_large(body: dict[str, Any]) -> ProviderError:
    if _error_field(body, "code") == "rate_limit_exceeded" or "tokens per minute" in str(body):
        return ProviderError(
            "This conversation is too large for your Groq plan's tokens-per-minute limit. "
            "Start a new conversation, or lower “Longest answer” in Settings.",
            kind="too_large",
        )
    return ProviderError(
        "The request was too large for Groq (the limit for audio is 25 MB).", kind="too_large"
    )


def _error_field(body: dict[str, Any], name: str) -> str:
    error = body.get("error", body)
    value = error.get(name) if isinstance(error, dict) else None
    return value if isinstance(value, str) else ""


def _error_text(body: object) -> str:
    return _error_field(body, "message") if isinstance(body, dict) else ""
