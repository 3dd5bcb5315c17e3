"""Watching the GUI thread from a benchmark: late event-loop ticks, what held them, busy CPUs.

A timer ticks every millisecond on the GUI thread; a tick that comes late means the event
loop was held that long (by the app's own work, by waiting for the GIL, or by other processes
taking the CPU). For each long stall the clock keeps how much of it the GUI thread spent on
the CPU, and the watchdog thread samples the GUI thread's Python stack while it is late.
"""

from __future__ import annotations

import contextlib
import faulthandler
import glob
import multiprocessing
import re
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

LATE_MS = 10.0  # a tick this late is a stall worth explaining
DUMP_MS = 20.0  # a loop this late has every thread's stack dumped by faulthandler


@dataclass
class Stall:
    """One late tick: when the loop was last seen, how long it was gone, its CPU meanwhile."""

    phase: str
    started: float  # time.perf_counter() of the last tick before it
    wall_ms: float
    gui_cpu_ms: float
    stacks: Counter[str] = field(default_factory=Counter)  # watchdog samples, by stack


class StallClock:
    """Ticks on the GUI thread every millisecond while started; records every gap per phase."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: dict[str, list[float]] = defaultdict(list)
        self.stalls: list[Stall] = []
        self.phase = ""
        self.last_tick = 0.0  # read by the watchdog thread
        self.on_tick: Callable[[], None] | None = None
        self._last_cpu = 0.0
        self._timer = QTimer()
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self, phase: str) -> None:
        self.phase = phase
        self.last_tick = 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.last_tick = 0.0
        faulthandler.cancel_dump_traceback_later()

    def max_ms(self, *phases: str) -> float:
        """The longest gap beyond the timer's own millisecond, over ``phases`` (or all)."""
        chosen = phases or tuple(self.gaps)
        return max((gap - 1.0 for phase in chosen for gap in self.gaps[phase]), default=0.0)

    def count_over(self, limit_ms: float) -> int:
        return sum(gap - 1.0 > limit_ms for gaps in self.gaps.values() for gap in gaps)

    def _on_timer_timeout(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self.last_tick:
            gap = (now - self.last_tick) * 1000
            self.gaps[self.phase].append(gap)
            if gap - 1.0 > LATE_MS:
                cpu_ms = (cpu - self._last_cpu) * 1000
                self.stalls.append(Stall(self.phase, self.last_tick, gap - 1.0, cpu_ms))
        self.last_tick, self._last_cpu = now, cpu
        if self.on_tick is not None:
            self.on_tick()


class Watchdog(threading.Thread):
    """Samples the GUI thread's stack (and the other threads') whenever its loop is late.

    Sampling needs the GIL, so a stall in which another thread holds the GIL leaves no
    sample; for those, faulthandler (which needs no GIL) dumps every thread's stack when
    the loop is DUMP_MS late, re-armed on every tick.
    """

    def __init__(self, clock: StallClock, *, every_ms: float = 2.0) -> None:
        super().__init__(name="stall-watchdog", daemon=True)
        self.clock = clock
        self.gui = threading.get_ident()  # built on the GUI thread
        self.gui_task = threading.get_native_id()
        self.every = every_ms / 1000
        self.samples: dict[float, Counter[str]] = defaultdict(Counter)
        self._done = threading.Event()
        self._dumps = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the watchdog
        clock.on_tick = self._rearm

    def _rearm(self) -> None:
        faulthandler.dump_traceback_later(DUMP_MS / 1000, file=self._dumps)

    def run(self) -> None:
        while not self._done.wait(self.every):
            last = self.clock.last_tick
            if last and (time.perf_counter() - last) * 1000 > LATE_MS:
                self.samples[last][self._snapshot()] += 1

    def stop(self) -> None:
        self._done.set()
        self.join(1)
        self.clock.on_tick = None
        faulthandler.cancel_dump_traceback_later()

    def report(self, limit: int = 12) -> str:
        """The longest stalls, each with what the GUI thread (and the others) were doing."""
        lines = []
        stalls = sorted(self.clock.stalls, key=lambda s: -s.wall_ms)
        for stall in stalls[:limit]:
            stall.stacks = self.samples.get(stall.started, Counter())
            lines.append(
                f"--- {stall.wall_ms:.1f} ms late in '{stall.phase}', "
                f"GUI thread on CPU {stall.gui_cpu_ms:.1f} ms of it"
            )
            for stack, count in stall.stacks.most_common(3):
                lines.append(f"  [{count} samples]\n{stack}")
        return "\n".join([*lines, self._dump_report()])

    def _dump_report(self, limit: int = 8) -> str:
        """What each thread was in when the loop was DUMP_MS late, most frequent first."""
        self._dumps.seek(0)
        dumps = [d for d in self._dumps.read().split("Timeout (") if d.strip()]
        tops: Counter[str] = Counter()
        for dump in dumps:
            threads = re.split(r"\n(?=Thread 0x|Current thread 0x)", dump)[1:]
            tops[" | ".join(sorted(_top_frames(t) for t in threads))] += 1
        lines = [f"=== faulthandler: the loop was {DUMP_MS:.0f} ms late {len(dumps)} times"]
        for top, count in tops.most_common(limit):
            lines.append(f"  [{count}x] " + top.replace(" | ", "\n        "))
        return "\n".join(lines)

    def _snapshot(self) -> str:
        frames = sys._current_frames()
        parts = [_stack(f"GUI ({_task_state(self.gui_task)})", frames.get(self.gui))]
        for ident, frame in frames.items():
            if ident not in (self.gui, threading.get_ident()):
                parts.append(_stack(_thread_name(ident), frame, depth=2))
        parts.append(f"    running: {_running_tasks()}")
        return "\n".join(part for part in parts if part)


def _top_frames(thread: str, depth: int = 2) -> str:
    """``File "x/y.py", line 3 in f`` lines of one thread's dump, as ``f (y.py:3)`` frames."""
    frames = re.findall(r'File "([^"]+)", line (\d+) in (\S+)', thread)[:depth]
    return " < ".join(f"{name} ({path.rsplit('/', 1)[-1]}:{line})" for path, line, name in frames)


def _stack(name: str, frame: FrameType | None, depth: int = 8) -> str:
    if frame is None:
        return ""
    summary = traceback.extract_stack(frame)[-depth:]
    where = " < ".join(
        f"{entry.name} ({entry.filename.rsplit('/', 2)[-1]}:{entry.lineno})"
        for entry in reversed(summary)
    )
    return f"    {name}: {where}"


def _task_state(task: int) -> str:
    """The kernel's view of a thread: R running or runnable, S sleeping (say, on the GIL)."""
    try:
        with open(f"/proc/self/task/{task}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return "?"
    return f"{fields[0]}, nice {fields[16]}"


def _running_tasks() -> str:
    """This process's threads that are running or waiting for a CPU, counted by nice value."""
    counts: Counter[str] = Counter()
    for path in glob.glob("/proc/self/task/*/stat"):
        with contextlib.suppress(OSError), open(path) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            if fields[0] == "R":
                counts[f"nice {fields[16]}"] += 1
    mine = ", ".join(f"{n} at {nice}" for nice, n in sorted(counts.items())) or "none"
    with contextlib.suppress(OSError), open("/proc/loadavg") as load:
        return f"{mine}; machine-wide {load.read().split()[3].split('/')[0]} runnable"
    return mine


def _thread_name(ident: int) -> str:
    thread = threading._active.get(ident)  # type: ignore[attr-defined]
    return thread.name if thread is not None else f"thread {ident}"


def _burn() -> None:
    """A CPU-bound loop at normal priority, as another program busy on the machine."""
    while True:
        pass


@contextmanager
def busy(count: int) -> Iterator[list[Any]]:
    """``count`` competing CPU-bound processes for as long as the block runs."""
    context = multiprocessing.get_context("spawn")  # no copy of Qt or the model
    burners = [context.Process(target=_burn, name=f"busy-{n}", daemon=True) for n in range(count)]
    for burner in burners:
        burner.start()
    try:
        yield burners
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            burner.join(5)
