"""The failures every vendor shares: read and worded once, the same for Groq, D-ID, ElevenLabs."""

from __future__ import annotations

import socket
import time
from email.utils import formatdate

import httpx
import pytest
import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from avatar_desktop.core.catalogue import CATALOGUE
from avatar_desktop.providers import http_errors
from avatar_desktop.providers.http_errors import retry_after

VENDORS = [info.label for info in CATALOGUE.values()]


def headers(**values: str) -> CaseInsensitiveDict[str]:
    return CaseInsensitiveDict({k.replace("_", "-"): v for k, v in values.items()})


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"Retry-After": "600"}, 60.0),  # a minute at most, then we try again
        ({"Retry-After": "-4"}, 0.0),
        ({"Retry-After": "soon"}, 7.0),
        ({"Retry-After": "nan"}, 7.0),
        ({}, 7.0),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),  # the finer one wins
        ({"Retry-After": formatdate(0, usegmt=True)}, 0.0),  # a date long past
    ],
)
def test_retry_after_reads_seconds_dates_and_milliseconds(
    sent: dict[str, str], expected: float
) -> None:
    assert retry_after(CaseInsensitiveDict(sent), default=7.0) == expected


def test_retry_after_as_a_date_is_the_wait_until_then() -> None:
    soon = formatdate(time.time() + 20, usegmt=True)
    wait = retry_after(httpx.Headers({"Retry-After": soon}), default=None)
    assert wait is not None and 17.0 <= wait <= 20.0


def test_retry_after_says_none_when_asked_to() -> None:
    assert retry_after(headers(), default=None) is None


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_vendor_is_worded_alike(vendor: str) -> None:
    timeout = http_errors.timed_out(vendor)
    assert (timeout.kind, timeout.offline, timeout.retryable) == ("timeout", True, True)
    assert timeout.user_message.startswith(f"{vendor} did not answer in time.")
    server = http_errors.server_error(vendor, 503)
    assert (server.kind, server.retryable, server.offline) == ("server", True, False)
    assert f"{vendor} had a problem on its side (HTTP 503)" in server.user_message
    garbled = http_errors.unreadable(vendor, "a status reply")
    assert garbled.user_message == (
        f"{vendor} sent a status reply that could not be read. Try again in a moment."
    )
    odd = http_errors.unexpected(vendor, KeyError("gsk_secret"))
    assert odd.user_message == f"Talking to {vendor} failed (KeyError)." and odd.kind == "other"


def test_a_failed_name_lookup_says_offline_wherever_requests_hides_it() -> None:
    """requests wraps urllib3's MaxRetryError, whose ``reason`` wraps the resolver's error."""
    found = socket.gaierror(-2, "Name or service not known")
    lookup = urllib3.exceptions.NameResolutionError("api.d-id.com", None, found)  # type: ignore[arg-type]
    lookup.__cause__ = found  # urllib3 raises it ``from`` the resolver's error
    wrapped = urllib3.exceptions.MaxRetryError(None, "/credits", reason=lookup)  # type: ignore[arg-type]
    error = http_errors.unreachable("D-ID", requests.ConnectionError(wrapped))
    assert "(DNS)" in error.user_message and error.kind == "network" and error.offline
    refused = http_errors.unreachable("D-ID", requests.ConnectionError("refused"))
    assert refused.user_message == "D-ID could not be reached. Check your internet connection."


def test_a_cause_chain_is_followed_but_not_forever() -> None:
    try:
        try:
            raise socket.gaierror(-2, "no such host")
        except OSError as inner:
            raise httpx.ConnectError("failed") from inner
    except httpx.ConnectError as outer:
        assert http_errors.caused_by(outer, socket.gaierror)
    looped = ValueError("a")
    looped.__context__ = ValueError("b")
    looped.__context__.__context__ = looped
    assert not http_errors.caused_by(looped, socket.gaierror)
