"""D-ID failures in words a user can act on: every HTTP status and network error mapped once."""

from __future__ import annotations

from typing import Any

import requests

from avatar_desktop.core.catalogue import Service, row
from avatar_desktop.providers import http_errors
from avatar_desktop.providers.base import ProviderError

DID = row(Service.DID)
VENDOR = DID.label
AUTH = "D-ID rejected the API key. Check it in Settings → Keys."
BAD_KEY = (
    "The D-ID API key has characters no key has (a space or line break?). "
    "Paste it again in Settings → Keys."
)
NO_KEY = f"No D-ID API key is set. Add one in Settings → Keys, or set {DID.key_env}."
_MODERATION = {
    "ImageModerationError": "the picture was flagged by its image check",
    "CelebrityRecognizedError": "the picture looks like a famous person",
    "TextModerationError": "the words to speak were flagged by its text check",
    "AudioModerationError": "the audio was flagged by its audio check",
}
_LONGEST_DETAIL = 200


def explain_response(response: requests.Response, *, key: str | None = None) -> ProviderError:
    """Map a non-2xx D-ID answer to a ProviderError; ``key`` is scrubbed from any quoted text."""
    status = response.status_code
    body = _json_body(response)
    kind = _text(body.get("kind"))
    detail = _scrub(_text(body.get("description")), key)
    if status == 401:
        return ProviderError(AUTH, kind="auth")
    if status == 403:
        return _forbidden(body, detail)
    if status == 402:
        return ProviderError(
            "D-ID: not enough credits left for this video. Add credits in your D-ID account, "
            "or switch the presenter to the built-in avatar.",
            kind="credits",
        )
    if status == 404:
        return ProviderError(
            "D-ID does not know this video (it may have been deleted).", kind="not_found"
        )
    if status == 409:
        return ProviderError("D-ID has not finished this video yet.", kind="not_ready")
    if status == 429:
        return ProviderError(
            "D-ID's rate limit was reached. Waiting a moment before the next video.",
            kind="rate_limited",
            retry_after=http_errors.retry_after(response.headers, default=None),
            retryable=True,
        )
    if status == 451:
        return moderation(kind, detail)
    if status >= 500:
        return http_errors.server_error(VENDOR, status)
    if status == 400:
        return ProviderError(
            f"D-ID could not accept the request: {detail or 'bad request'}.", kind="bad_request"
        )
    return ProviderError(f"D-ID answered with an unexpected HTTP {status}.", kind="other")


def moderation(kind: str, detail: str = "") -> ProviderError:
    """D-ID's content check refused the video; say which check, in words."""
    reason = _MODERATION.get(kind) or detail or "its content check flagged the request"
    return ProviderError(f"D-ID refused to make this video: {reason}.", kind="moderation")


def explain_exception(exc: BaseException) -> ProviderError:
    """Map a ``requests`` failure (no answer at all, or an unreadable one) to a ProviderError."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, requests.Timeout):
        return http_errors.timed_out(VENDOR)
    if isinstance(exc, requests.ConnectionError):
        return http_errors.unreachable(VENDOR, exc)
    if isinstance(exc, ValueError):  # includes requests' JSONDecodeError
        return malformed()
    return http_errors.unexpected(VENDOR, exc)


def malformed(what: str = "a reply") -> ProviderError:
    """D-ID sent something we cannot read; trying again may help."""
    return http_errors.unreadable(VENDOR, what)


def download_refused(status: int, *, what: str = "finished video") -> ProviderError:
    """The file store (pre-signed S3) said no: mostly an expired link."""
    if status in (403, 404, 410):
        return ProviderError(
            f"D-ID: the {what} expired before it could be fetched. Try again.",
            kind="expired",
            retryable=True,
        )
    if status >= 500:
        return ProviderError(
            f"D-ID's file storage had a problem (HTTP {status}). Try again in a moment.",
            kind="server",
            retryable=True,
        )
    return ProviderError(
        f"D-ID's {what} could not be fetched (HTTP {status}).", kind="download_failed"
    )


def unreachable() -> ProviderError:
    """The finished video's address could not be reached at all."""
    return ProviderError(
        "D-ID's finished video could not be fetched: the connection failed. "
        "Check your internet connection.",
        kind="unreachable",
        offline=True,
    )


def corrupt_video() -> ProviderError:
    """What came back is not an MP4/MOV (no ISO-BMFF ``ftyp`` box)."""
    return ProviderError(
        "D-ID sent a video file that is damaged or not a video. Try the sentence again.",
        kind="corrupt_video",
        retryable=True,
    )


def _forbidden(body: dict[str, Any], detail: str) -> ProviderError:
    """403 comes either from D-ID itself (``description``) or from its API gateway."""
    if detail:
        return ProviderError(f"D-ID refused this: {detail}.", kind="forbidden")
    gateway = _text(body.get("message") or body.get("Message")).lower()
    if "explicit deny" in gateway:
        text = "D-ID denied this API key (it may be disabled). Check it in Settings → Keys."
    else:  # the gateway's own text may quote the header, so it is never shown
        text = "D-ID could not read the API key. Check it in Settings → Keys (user:secret)."
    return ProviderError(text, kind="forbidden")


def _json_body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _text(value: object) -> str:
    return value.strip()[:_LONGEST_DETAIL] if isinstance(value, str) else ""


def _scrub(text: str, key: str | None) -> str:
    """Never echo the key (or either half of it) back into a message or a log."""
    if key:
        for secret in (key, *key.split(":")):
            if len(secret) >= 4:
                text = text.replace(secret, "…")
    return text
