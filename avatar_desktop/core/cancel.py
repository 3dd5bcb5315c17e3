"""A cancel token every long call takes, so Stop and barge-in end a turn in one place."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside a stage when its token was cancelled."""


class CancelToken:
    """Thread-safe one-way flag with callbacks run once on cancel."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when cancelled (at once if already cancelled)."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds; True if cancelled meanwhile."""
        return self._event.wait(timeout)


_ITEM, _ERROR, _END = range(3)


def pump(
    produce: Callable[[], Iterator[T]], cancel: CancelToken, *, poll: float = 0.02
) -> Iterator[T]:
    """Drain a blocking iterator on its own thread, so cancel ends the wait within ``poll``.

    A network read can block for its whole timeout; with the read moved to a daemon thread the
    caller stops at once and the thread ends on its own when the read returns.
    """
    box: queue.Queue[tuple[int, object]] = queue.Queue()

    def run() -> None:
        try:
            for item in produce():
                box.put((_ITEM, item))
                if cancel.cancelled:
                    break
        except BaseException as exc:  # handed to the consumer, raised there
            box.put((_ERROR, exc))
        finally:
            box.put((_END, None))

    # A raw daemon thread, not a worker pool's: core/ is Qt-free, and a read still blocked
    # after Stop must neither hold a thread the next turn needs nor keep the app from exiting.
    threading.Thread(target=run, name="stream-pump", daemon=True).start()
    while True:
        try:
            kind, value = box.get(timeout=poll)
        except queue.Empty:
            cancel.raise_if_cancelled()
            continue
        cancel.raise_if_cancelled()
        if kind == _END:
            return
        if kind == _ERROR:
            raise value  # type: ignore[misc]
        yield value  # type: ignore[misc]
