"""Groq failures in words a user can act on: every SDK and network error mapped to one message."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import groq
import httpx

from avatar_desktop.providers.base import ProviderError

log = logging.getLogger(__name__)

_AUTH = "Groq rejected the API key. Check it in Settings → Keys (Groq keys start with gsk_)."


def explain(exc: BaseException, *, model: str = "") -> ProviderError:
    """Map an exception raised while talking to Groq to a ProviderError with a clear message."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, groq.APIStatusError):
        return _status(exc, model)
    if isinstance(exc, groq.APITimeoutError | httpx.TimeoutException):
        return ProviderError(
            "Groq did not answer in time. Check your internet connection, then retry.",
            kind="timeout",
            offline=True,
        )
    if isinstance(exc, groq.APIConnectionError | httpx.TransportError):
        return _connection(exc)
    if isinstance(exc, groq.APIResponseValidationError | json.JSONDecodeError | ValueError):
        return ProviderError(
            "Groq sent a reply that could not be read. Try again in a moment.",
            kind="malformed",
            retryable=True,
        )
    if isinstance(exc, groq.APIError):
        detail = _error_text(getattr(exc, "body", None)) or exc.message
        return ProviderError(
            f"Groq stopped the answer with an error: {detail}. The part already written was "
            "kept; retry to get a full answer.",
            kind="stream_error",
            retryable=True,
        )
    log.warning("unexpected Groq failure: %s", type(exc).__name__)
    return ProviderError(f"Talking to Groq failed ({type(exc).__name__}).", kind="other")


def _connection(exc: BaseException) -> ProviderError:
    if _caused_by(exc, socket.gaierror):
        text = "Groq's address could not be looked up (DNS). You seem to be offline."
    elif _caused_by(exc, httpx.RemoteProtocolError):
        return ProviderError(
            "The connection to Groq broke off in the middle of the answer. The part already "
            "written was kept; retry to get a full answer.",
            kind="cut",
            retryable=True,
        )
    else:
        text = "Groq could not be reached. Check your internet connection."
    return ProviderError(text, kind="network", offline=True)


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
            retry_after=_retry_after(exc.response),
        )
    if status == 498:
        return ProviderError(
            "Groq's flex tier is out of capacity right now. Try again in a moment.",
            kind="capacity",
            retryable=True,
        )
    if status >= 500:
        return ProviderError(
            f"Groq had a problem on its side (HTTP {status}). Try again in a moment.",
            kind="server",
            retryable=True,
        )
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


def _retry_after(response: httpx.Response) -> float:
    """Seconds from ``retry-after`` (a number; a date or nothing means a short default)."""
    try:
        return max(0.0, min(60.0, float(response.headers.get("retry-after", "5"))))
    except ValueError:
        return 5.0


def _error_field(body: dict[str, Any], name: str) -> str:
    error = body.get("error", body)
    value = error.get(name) if isinstance(error, dict) else None
    return value if isinstance(value, str) else ""


def _error_text(body: object) -> str:
    return _error_field(body, "message") if isinstance(body, dict) else ""


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
