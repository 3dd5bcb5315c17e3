"""What every HTTP service's failures have in common, in the same words for each vendor.

Each vendor's ``errors`` module maps its own statuses and bodies; a timeout, an unreachable
host, a 5xx, an unreadable reply and ``Retry-After`` read the same whoever sent them.
"""

from __future__ import annotations

import logging
import math
import socket
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import overload

from avatar_desktop.providers.base import ProviderError

log = logging.getLogger(__name__)

LONGEST_WAIT_S = 60.0  # a service asking for longer is waited on for a minute, then retried


def timed_out(vendor: str) -> ProviderError:
    """Asked, but no answer came in time: the network (or the service) is in the way."""
    return ProviderError(
        f"{vendor} did not answer in time. Check your internet connection, then retry.",
        kind="timeout",
        offline=True,
    )


def unreachable(vendor: str, exc: BaseException | None = None) -> ProviderError:
    """No connection at all; a failed DNS lookup says more plainly that we are offline."""
    if exc is not None and caused_by(exc, socket.gaierror):
        text = f"{vendor}'s address could not be looked up (DNS). You seem to be offline."
    else:
        text = f"{vendor} could not be reached. Check your internet connection."
    return ProviderError(text, kind="network", offline=True)


def server_error(vendor: str, status: int) -> ProviderError:
    """A 5xx: the service's own trouble, which usually passes."""
    return ProviderError(
        f"{vendor} had a problem on its side (HTTP {status}). Try again in a moment.",
        kind="server",
        retryable=True,
    )


def unreadable(vendor: str, what: str = "a reply") -> ProviderError:
    """An answer we cannot parse; the next one usually can be."""
    return ProviderError(
        f"{vendor} sent {what} that could not be read. Try again in a moment.",
        kind="malformed",
        retryable=True,
    )


def unexpected(vendor: str, exc: BaseException) -> ProviderError:
    """A failure no mapping foresaw: named by its type only (its text may quote a key)."""
    log.warning("unexpected %s failure: %s", vendor, type(exc).__name__)
    return ProviderError(f"Talking to {vendor} failed ({type(exc).__name__}).", kind="other")


@overload
def retry_after(headers: Mapping[str, str], *, default: float) -> float: ...


@overload
def retry_after(headers: Mapping[str, str], *, default: None) -> float | None: ...


def retry_after(headers: Mapping[str, str], *, default: float | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date).

    ``headers`` must look names up case-insensitively (httpx and requests headers do). The
    wait is kept within 0–60 s; ``default`` stands in when the service does not say, or says
    something unreadable.
    """
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return _bounded(millis / 1000)
    value = headers.get("retry-after")
    if value is None:
        return default
    seconds = _number(value)
    if seconds is None:
        seconds = _seconds_until(value)
    return default if seconds is None else _bounded(seconds)


def caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain HTTP libraries wrap around a failure.

    Follows ``__cause__``, ``__context__``, urllib3's ``reason`` and exceptions passed as
    arguments (requests wraps urllib3's errors that way).
    """
    todo: list[BaseException] = [exc]
    for _ in range(16):
        if not todo:
            return False
        seen = todo.pop()
        if isinstance(seen, kind):
            return True
        linked = (seen.__cause__, seen.__context__, getattr(seen, "reason", None), *seen.args)
        todo.extend(item for item in linked if isinstance(item, BaseException))
    return False


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _seconds_until(value: str) -> float | None:
    """Seconds from now until an HTTP date such as ``Wed, 21 Oct 2026 07:28:00 GMT``."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() - time.time()


def _bounded(seconds: float) -> float:
    return max(0.0, min(LONGEST_WAIT_S, seconds))
