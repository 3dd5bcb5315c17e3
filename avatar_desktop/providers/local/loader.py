"""Load a local engine once, off the GUI thread, and let callers wait for it with a cancel token.

The chat model, the voice and the speech recognizer each hold one ``Loader``: it opens the engine
once however many threads ask, keeps the error in words for whoever asks later, and lets a turn
wait for the engine while still answering Stop.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.base import ProviderError

log = logging.getLogger(__name__)

T = TypeVar("T")


def spare_core_threads(cores: int | None) -> int:
    """Threads for a local engine: one core fewer than there are, up to four (unknown counts
    as two). Each step of these engines waits for all its threads, so one that has to wait
    for a core taken by the window, the voice or the listening thread stalls the rest."""
    return max(1, min(4, (cores or 2) - 1))


WAIT_STEP_S = 0.05  # how often a waiting caller looks at its cancel token


class Loader(Generic[T]):
    """One engine's loading: once, under a lock; the outcome (engine or error) kept for all.

    ``load()`` opens the engine on the caller's thread and retries after a failure;
    ``ready()`` starts a background load if nobody has asked yet, then waits for its outcome
    (it does not retry a load that failed: the error is raised again, as the user saw it).
    """

    def __init__(
        self,
        open_engine: Callable[[], T],
        *,
        thread_name: str,
        not_loaded: str,
        kind: str = "other",
    ) -> None:
        """``not_loaded`` (of ``kind``) is what ``ready()`` says once the engine was closed."""
        self._open = open_engine
        self._thread_name = thread_name
        self._not_loaded = (not_loaded, kind)
        self._engine: T | None = None
        self._error: ProviderError | None = None
        self._settled = threading.Event()  # a load finished, well or not
        self._load_lock = threading.Lock()  # one load at a time
        self._start_lock = threading.Lock()
        self._started = False

    @property
    def engine(self) -> T | None:
        """The loaded engine, or None before loading, after a failure, or after ``close``."""
        return self._engine

    @property
    def error(self) -> ProviderError | None:
        """Why the last load failed (None once a load succeeded)."""
        return self._error

    @property
    def is_loaded(self) -> bool:
        return self._engine is not None

    def load(self) -> T:
        """Open the engine now, on this thread (slow: not the GUI thread). Raises ProviderError."""
        with self._start_lock:
            self._started = True
        with self._load_lock:
            if self._engine is not None:
                return self._engine
            try:
                engine = self._open()
                self._engine, self._error = engine, None
            except ProviderError as exc:
                self._error = exc
                raise
            finally:
                self._settled.set()
            return engine

    def start(self) -> None:
        """Begin loading in the background, unless somebody already started a load."""
        with self._start_lock:
            if self._started:
                return
            self._started = True
        # A raw thread, not the app's worker pools: providers/ is Qt-free. It only runs when a
        # turn needs an engine nobody loaded (the local model as a fallback, or a test); the app
        # itself loads each engine with load() on its "load" pool.
        threading.Thread(target=self._load_quietly, name=self._thread_name, daemon=True).start()

    def ready(self, cancel: CancelToken) -> T:
        """The engine, once loaded; a message sent meanwhile waits here, and Stop still works."""
        self.start()
        while not self._settled.wait(WAIT_STEP_S):
            cancel.raise_if_cancelled()
        if self._error is not None:
            raise self._error
        engine = self._engine
        if engine is None:
            message, kind = self._not_loaded
            raise ProviderError(message, kind=kind)
        return engine

    def close(self, free: Callable[[T], object] = lambda _engine: None) -> None:
        """Let go of the engine (``free`` releases it, after any load in progress ends)."""
        with self._load_lock:
            engine, self._engine = self._engine, None
            if engine is not None:
                free(engine)

    def _load_quietly(self) -> None:
        with contextlib.suppress(ProviderError):  # kept in self._error; ready() raises it
            self.load()
