"""The one worker primitive: a QRunnable with a signals object, run on a named thread pool."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

log = logging.getLogger(__name__)

Emit = Callable[[object], None]
GIL_SWITCH_S = 0.001
BACKGROUND_NICE = 10  # the kernel gives a nice-0 thread ~9x the CPU of a nice-10 one
# The model writing an answer yields to the ears and the voice too (~3x their share): the
# user's words and the first phrase's sound are what the user waits on, not the rest of it.
ANSWER_NICE = 15
# The voice makes the next sound the user hears, one thread at a time: as urgent as the window.
VOICE_NICE = None


class WorkerSignals(QObject):
    """Signals of one job; they are delivered on the GUI thread (queued).

    Signals:
        started(): the job began running.
        progress(object): a value the job emitted while running.
        returned(object): the job's return value.
        errored(object): the exception the job raised.
        finished(): always last, after returned or errored.
    """

    started = Signal()
    progress = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()


class Worker(QRunnable):
    """Runs ``fn(emit)`` off the GUI thread; ``emit`` sends progress values to the GUI.

    ``run()`` never touches a widget: everything reaches the GUI through the signals.
    """

    def __init__(self, fn: Callable[[Emit], Any], *, nice: int | None = None) -> None:
        """``nice``: run below the GUI thread at this Linux niceness (None: as started)."""
        super().__init__()
        self.setAutoDelete(False)  # the Python wrapper owns it; Qt must not delete it under us
        self.fn = fn
        self.nice = nice
        self.signals = WorkerSignals()

    def run(self) -> None:
        signals = self.signals
        if self.nice is not None:
            yield_to_gui(self.nice)
        signals.started.emit()
        try:
            result = self.fn(signals.progress.emit)
        except Exception as exc:
            log.debug("worker job raised", exc_info=True)
            signals.errored.emit(exc)
        else:
            signals.returned.emit(result)
        finally:
            signals.finished.emit()


def yield_to_gui(nice: int = BACKGROUND_NICE) -> None:
    """Give this thread, and the threads it starts (llama.cpp's, onnxruntime's), a lower
    priority than the GUI thread, so heavy work on two cores never makes the window stutter.
    """
    QThread.currentThread().setPriority(QThread.Priority.LowPriority)  # Windows, macOS
    if sys.platform.startswith("linux"):  # Qt can't lower a normal thread here; nice can
        with contextlib.suppress(OSError):
            tid = threading.get_native_id()
            if os.getpriority(os.PRIO_PROCESS, tid) < nice:
                os.setpriority(os.PRIO_PROCESS, tid, nice)


def favour_gui_thread() -> None:
    """Hand the GIL over every 1 ms instead of 5, so a busy worker never holds up a frame."""
    sys.setswitchinterval(GIL_SWITCH_S)


class Pools:
    """Named pools: one thread each for turns, disk writes (in order), the ears, the voice;
    two load; three wait on D-ID renders (network waits, not CPU)."""

    def __init__(self) -> None:
        favour_gui_thread()
        self.turn = self._pool("turn", 1)
        self.disk = self._pool("disk", 1)
        self.load = self._pool("load", 2)
        self.ears = self._pool("ears", 1)  # the user's words, in order, never behind a load
        self.voice = self._pool("voice", 1)
        self.render = self._pool("render", 3)
        self.memory = self._pool("memory", 1)  # remembering, in order, never before an answer
        self._running: set[Worker] = set()

    @staticmethod
    def _pool(name: str, threads: int) -> QThreadPool:
        pool = QThreadPool()
        pool.setObjectName(name)
        pool.setMaxThreadCount(threads)
        return pool

    def start(
        self,
        pool: QThreadPool,
        fn: Callable[[Emit], Any],
        *,
        returned: Callable[[Any], object] | None = None,
        errored: Callable[[Exception], object] | None = None,
        progress: Callable[[Any], object] | None = None,
    ) -> Worker:
        """Queue ``fn`` on ``pool`` with GUI-thread callbacks; keep the worker alive until done."""
        nice = {self.disk: None, self.voice: VOICE_NICE, self.turn: ANSWER_NICE}.get(
            pool, BACKGROUND_NICE
        )
        worker = Worker(fn, nice=nice)
        if returned is not None:
            worker.signals.returned.connect(returned)
        if errored is not None:
            worker.signals.errored.connect(errored)
        if progress is not None:
            worker.signals.progress.connect(progress)
        self._running.add(worker)
        worker.signals.finished.connect(lambda: self._running.discard(worker))
        pool.start(worker)
        return worker

    def wait(self, msecs: int = 5000) -> bool:
        """Let queued jobs finish (at shutdown and in tests)."""
        pools = (self.turn, self.disk, self.load, self.ears, self.voice, self.render, self.memory)
        return all(p.waitForDone(msecs) for p in pools)
