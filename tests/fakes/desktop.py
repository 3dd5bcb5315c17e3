"""A small real desktop for tests that need one: an X server (Xvfb), a private D-Bus session
bus, and a tray (``tray_watcher``). Apps started with ``env`` show real windows and a real
tray icon that the test reaches over D-Bus, as a panel would."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NEEDS = ("Xvfb", "dbus-daemon", "dbus-send")  # the test command installs xvfb and dbus


class Lines:
    """A child's stdout, line by line, read on a thread so waiting never blocks on a pipe."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:  # closed here, at the end, by the only reader
            for line in self.process.stdout:
                self._queue.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        """The first line from now on that matches ``pattern``."""
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r} in {timeout} s; saw {self.seen[-20:]}")


@dataclass
class Desktop:
    env: dict[str, str]
    tray: Lines
    children: list[subprocess.Popen[str]] = field(default_factory=list)

    def start(self, *args: str, **extra: str) -> Lines:
        """A child process on this desktop (Qt on xcb), its stdout as lines."""
        child = subprocess.Popen(
            list(args),
            env={**self.env, **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.children.append(child)
        return Lines(child)

    def send(self, service: str, path: str, method: str, *args: str) -> str:
        """A D-Bus method call, as a panel makes it; the printed reply."""
        done = subprocess.run(
            ["dbus-send", "--session", "--print-reply", f"--dest={service}", path, method, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def _stop(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def desktop() -> Iterator[Desktop]:
    missing = [tool for tool in NEEDS if shutil.which(tool) is None]
    assert not missing, f"missing {missing}: scripts/run-tests.sh installs xvfb and dbus"
    started: list[subprocess.Popen[str]] = []
    try:
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(bus)
        assert bus.stdout is not None
        with bus.stdout:
            address = bus.stdout.readline().strip()
        read, write = os.pipe()
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stderr=subprocess.DEVNULL,
            text=True,
        )
        started.append(xvfb)
        os.close(write)
        with os.fdopen(read) as shown:
            display = shown.readline().strip()
        assert display, "Xvfb did not start"
        env = {
            **os.environ,
            "DISPLAY": f":{display}",
            "DBUS_SESSION_BUS_ADDRESS": address,
            "QT_QPA_PLATFORM": "xcb",
            "PYTHONPATH": str(REPO),
        }
        watcher = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.tray_watcher"],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(watcher)
        tray = Lines(watcher)
        tray.wait_for("^WATCHING$")
        place = Desktop(env, tray)
        try:
            yield place
        finally:
            for child in place.children:
                _stop(child)
    finally:
        for process in reversed(started):
            _stop(process)
