"""The local engines' loader: once under concurrent callers, errors kept, cancel honoured."""

from __future__ import annotations

import threading
import time

import pytest

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.local.loader import Loader


class Engine:
    """A stand-in engine: counts how often it was opened, can be made to fail or to wait."""

    def __init__(self) -> None:
        self.opened = 0
        self.freed: list[str] = []
        self.failures = 0  # the next this many opens fail
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.threads: list[str] = []

    def open(self) -> str:
        self.entered.set()
        self.threads.append(threading.current_thread().name)
        assert self.gate.wait(10)
        self.opened += 1
        if self.failures:
            self.failures -= 1
            raise ProviderError("The engine could not be loaded.", kind="load")
        return f"engine {self.opened}"


def loader_for(engine: Engine) -> Loader[str]:
    return Loader(engine.open, thread_name="test-load", not_loaded="Not loaded.", kind="load")


def test_concurrent_callers_load_once_and_all_get_the_engine() -> None:
    engine = Engine()
    engine.gate.clear()
    loader = loader_for(engine)
    got: list[str] = []
    callers = [threading.Thread(target=lambda: got.append(loader.load())) for _ in range(4)]
    waiters = [
        threading.Thread(target=lambda: got.append(loader.ready(CancelToken()))) for _ in range(2)
    ]
    for thread in [*callers, *waiters]:
        thread.start()
    assert engine.entered.wait(5)
    time.sleep(0.1)  # every caller is now blocked on the one load in progress
    engine.gate.set()
    for thread in [*callers, *waiters]:
        thread.join(10)
    assert engine.opened == 1
    assert got == ["engine 1"] * 6
    assert loader.is_loaded and loader.engine == "engine 1" and loader.error is None


def test_ready_loads_in_the_background_when_nobody_did() -> None:
    engine = Engine()
    loader = loader_for(engine)
    assert loader.ready(CancelToken()) == "engine 1"
    assert engine.threads == ["test-load"]  # not on the caller's thread


def test_a_failure_is_kept_and_raised_again_to_every_waiter() -> None:
    engine = Engine()
    engine.failures = 1
    loader = loader_for(engine)
    with pytest.raises(ProviderError, match="could not be loaded") as first:
        loader.ready(CancelToken())
    assert loader.error is first.value and not loader.is_loaded
    with pytest.raises(ProviderError) as again:
        loader.ready(CancelToken())
    assert again.value is first.value
    assert engine.opened == 1  # ready() does not retry behind the user's back


def test_load_retries_after_a_failure_and_clears_the_error() -> None:
    engine = Engine()
    engine.failures = 1
    loader = loader_for(engine)
    with pytest.raises(ProviderError):
        loader.load()
    assert loader.error is not None
    assert loader.load() == "engine 2"
    assert loader.error is None
    assert loader.ready(CancelToken()) == "engine 2"


def test_ready_honours_cancel_while_the_load_goes_on() -> None:
    engine = Engine()
    engine.gate.clear()
    loader = loader_for(engine)
    cancel = CancelToken()
    threading.Timer(0.1, cancel.cancel).start()
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        loader.ready(cancel)
    assert time.perf_counter() - started < 1.0
    assert not loader.is_loaded
    engine.gate.set()  # the load finishes on its own; the next turn finds the engine
    assert loader.ready(CancelToken()) == "engine 1"
    assert engine.opened == 1


def test_a_closed_engine_is_freed_once_and_reported_not_loaded() -> None:
    engine = Engine()
    loader = loader_for(engine)
    loader.load()
    loader.close(lambda value: engine.freed.append(value))
    loader.close(lambda value: engine.freed.append(value))
    assert engine.freed == ["engine 1"] and not loader.is_loaded
    with pytest.raises(ProviderError, match="Not loaded") as raised:
        loader.ready(CancelToken())
    assert raised.value.kind == "load"
    assert loader.load() == "engine 2"  # loading again after close opens it afresh
