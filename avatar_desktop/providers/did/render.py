"""One sentence through D-ID: create, poll fast then slower, fetch the video the moment it is done.

D-ID renders in the cloud and only says "done" when asked, so the poll cadence is latency: the
first seconds are polled several times a second (short sentences finish there), longer renders
back off to a two-second ceiling. A cancelled render is deleted so it does not stay on the
user's account; one D-ID will not delete yet (409, still rendering) is handed to a single
background sweeper that waits for it to end and deletes it then, so Cancelled is raised at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.did import errors as did_errors
from avatar_desktop.providers.did.client import DidClient, RenderRef, RenderStatus
from avatar_desktop.providers.did.clips import ClipRequest, TalkRequest

log = logging.getLogger(__name__)

TIMEOUT_S = 180.0
CLEANUP_S = 90.0
CLEANUP_POLL_S = 1.0
STATUS_RETRIES = 3  # consecutive failed status checks (network, 5xx, 429) before giving up


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """Poll intervals: ``first`` for ``fast_for`` seconds, then ×``factor`` up to ``longest``."""

    first: float = 0.2
    fast_for: float = 6.0
    factor: float = 1.5
    longest: float = 2.0

    def intervals(self) -> Iterator[float]:
        elapsed = 0.0
        interval = min(self.first, self.longest)
        while elapsed < self.fast_for:
            yield interval
            elapsed += interval
        while True:
            interval = min(self.longest, interval * self.factor)
            yield interval


@dataclass(frozen=True, slots=True)
class RenderResult:
    """The finished video and what it cost in time: D-ID's render and our download."""

    path: Path
    ref: RenderRef
    render_s: float
    download_s: float


def render(
    client: DidClient,
    request: TalkRequest | ClipRequest,
    dest: Path,
    cancel: CancelToken,
    *,
    schedule: PollSchedule = PollSchedule(),  # frozen, so one shared default is safe
    timeout_s: float = TIMEOUT_S,
) -> RenderResult:
    """Render ``request`` to ``dest``; raise Cancelled (render deleted) or ProviderError."""
    cancel.raise_if_cancelled()
    began = time.monotonic()
    ref = client.create(request)
    log.debug("D-ID %s %s created", ref.kind, ref.id)
    rendered: float | None = None
    try:
        done = _await_done(client, ref, cancel, schedule, began + timeout_s)
        rendered = time.monotonic()
        assert done.result_url is not None  # _await_done checks it
        path = client.download(done.result_url, dest, cancel=cancel)
    except Cancelled:
        discard(client, ref)
        raise
    except ProviderError as exc:
        if rendered is None and exc.kind != "not_found":  # may still be rendering: stop it
            discard(client, ref)
        raise
    finished = time.monotonic()
    log.info(
        "D-ID %s %s: rendered in %.2f s, fetched in %.2f s",
        ref.kind,
        ref.id,
        rendered - began,
        finished - rendered,
    )
    return RenderResult(path, ref, rendered - began, finished - rendered)


def _await_done(
    client: DidClient,
    ref: RenderRef,
    cancel: CancelToken,
    schedule: PollSchedule,
    deadline: float,
) -> RenderStatus:
    """Poll until D-ID says done; a cancel wakes the wait at once, a passing hiccup is retried."""
    misses = 0
    wait_extra = 0.0
    for interval in schedule.intervals():
        left = deadline - time.monotonic()
        if cancel.wait(max(0.0, min(interval + wait_extra, left))):
            raise Cancelled()
        if time.monotonic() >= deadline:
            raise ProviderError(
                "D-ID took too long to make the video. Try again, or use the built-in avatar.",
                kind="timeout",
                retryable=True,
            )
        try:
            status = client.status(ref)
        except ProviderError as exc:
            misses += 1
            if not exc.retryable or misses >= STATUS_RETRIES:
                raise
            log.warning("D-ID status check failed (%s); asking again", exc.kind)
            wait_extra = exc.retry_after or 0.0
            continue
        misses, wait_extra = 0, 0.0
        cancel.raise_if_cancelled()
        if _finished(status):
            return status
    raise AssertionError("PollSchedule.intervals never ends")


def _finished(status: RenderStatus) -> bool:
    """True when the video is ready; raise when D-ID says it never will be."""
    if status.status == "done":
        if not status.result_url:
            raise did_errors.malformed("a finished video without its address")
        return True
    if status.status == "rejected":
        raise did_errors.moderation("", status.error or "")
    if status.status == "error":
        raise ProviderError(
            f"D-ID could not make the video: {status.error or 'no reason given'}.",
            kind="render_failed",
        )
    return False


def discard(client: DidClient, ref: RenderRef) -> None:
    """Delete a render we no longer want; one still rendering goes to the sweeper."""
    try:
        if client.delete(ref):
            log.debug("D-ID %s %s deleted", ref.kind, ref.id)
            return
    except ProviderError as exc:
        log.warning("could not delete D-ID %s %s: %s", ref.kind, ref.id, exc.kind)
        if not exc.retryable:
            return
    _sweeper.add(client, ref)


def sweep_idle(timeout: float) -> bool:
    """Wait up to ``timeout`` s for left-over renders to be deleted; True if none are left."""
    return _sweeper.idle(timeout)


class _Sweeper:
    """One background thread that deletes renders D-ID could not delete while they rendered."""

    def __init__(self, *, poll_s: float = CLEANUP_POLL_S, give_up_s: float = CLEANUP_S) -> None:
        self.poll_s = poll_s
        self.give_up_s = give_up_s
        self._lock = threading.Condition()
        self._pending: list[tuple[DidClient, RenderRef, float]] = []
        self._thread: threading.Thread | None = None

    def add(self, client: DidClient, ref: RenderRef) -> None:
        with self._lock:
            self._pending.append((client, ref, time.monotonic() + self.give_up_s))
            if self._thread is None:
                # Raw thread, not a Qt pool: Qt-free here, and it must outlive the pools at quit.
                self._thread = threading.Thread(target=self._run, name="did-sweeper", daemon=True)
                self._thread.start()

    def idle(self, timeout: float) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending, timeout)

    def _run(self) -> None:
        """Every ``poll_s``: try each pending delete (each was just refused when it came)."""
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    self._lock.notify_all()
                    return
                self._lock.wait(self.poll_s)
                work = list(self._pending)
            gone = [item for item in work if self._try(*item)]
            with self._lock:
                self._pending = [item for item in self._pending if item not in gone]

    def _try(self, client: DidClient, ref: RenderRef, give_up_at: float) -> bool:
        """One sweep of one render: True once it is deleted or no longer worth trying."""
        try:
            if client.delete(ref):  # False (409) while it is still rendering
                log.debug("D-ID %s %s deleted after it finished", ref.kind, ref.id)
                return True
        except ProviderError as exc:
            if exc.kind == "not_found":
                return True
            if not exc.retryable:
                log.warning("could not delete D-ID %s %s: %s", ref.kind, ref.id, exc.kind)
                return True
        except Exception:  # the sweeper must outlive any surprise; the next sweep tries again
            log.warning("deleting D-ID %s %s failed", ref.kind, ref.id, exc_info=True)
        if time.monotonic() >= give_up_at:
            log.warning("gave up deleting D-ID %s %s: still rendering", ref.kind, ref.id)
            return True
        return False


_sweeper = _Sweeper()
