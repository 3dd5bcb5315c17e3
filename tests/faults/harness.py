"""Kill -9 fault injection: run the real app, kill it at random moments, check what is on disk.

After each kill every message the app acknowledged (of a conversation not deleted) must be on
disk, read both by the store and by plain ``json``, and no session file may be corrupt. The
counters are what ``python -m bench faults`` reports and the in-suite test asserts on.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from avatar_desktop.storage.errors import StorageError
from avatar_desktop.storage.sessions import SessionStore

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60.0


@dataclass
class Counters:
    kills: int = 0
    acks: int = 0
    acked_lost: int = 0
    corrupt: int = 0
    temp_files_left: int = 0
    restart_failures: int = 0
    problems: list[str] = field(default_factory=list)

    def report(self) -> dict[str, object]:
        """The counters plus the first few problems, for a failing assertion or the bench."""
        data = asdict(self)
        data["problems"] = self.problems[:10]
        return data


class _Child:
    """One run of ``tests.faults.child``; its lines are read on a thread so the pipe never fills."""

    def __init__(self, home: Path, seed: int, *, clean: bool = False) -> None:
        env = {**os.environ, "AVATAR_DESKTOP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        command = [sys.executable, "-m", "tests.faults.child", str(seed)]
        self.process = subprocess.Popen(
            [*command, "--clean"] if clean else command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("ready"):
                self.ready.set()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self._reader.join(10)

    def finish(self, timeout: float) -> int | None:
        """Wait for a clean exit; None (and a kill) if it did not come."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self._reader.join(10)
        return code


class Harness:
    """Kills, checks and restarts the app on one home folder."""

    def __init__(self, home: Path, seed: int = 0) -> None:
        self.home = home
        self.rng = random.Random(seed)
        self.seed = seed
        self.counters = Counters()
        self.acked: dict[str, set[str]] = {}  # session id -> acknowledged texts
        self.deleted: set[str] = set()

    @property
    def sessions(self) -> Path:
        return self.home / "data" / "sessions"

    def run(self, kills: int, *, max_life_s: float = 2.5) -> Counters:
        """``kills`` random kills, each checked; then a clean start and stop counts temp files."""
        for round_ in range(kills):
            child = _Child(self.home, self.seed * 100_000 + round_)
            if not child.ready.wait(READY_TIMEOUT_S) or child.process.poll() is not None:
                self._problem(f"round {round_}: the app did not start")
                self.counters.restart_failures += 1
                child.kill()
                continue
            time.sleep(self.rng.uniform(0.3, max_life_s))
            child.kill()
            self.counters.kills += 1
            self._take(child.lines)
            self.check()
        self._final_restart()
        return self.counters

    def _take(self, lines: list[str]) -> None:
        for line in lines:
            kind, _, rest = line.partition(" ")
            if kind == "ack":
                session_id, _, text = rest.partition(" ")
                self.acked.setdefault(session_id, set()).add(text)
                self.counters.acks += 1
            elif kind == "del":
                self.deleted.add(rest)

    def check(self) -> None:
        """Every file parses; every acknowledged message of a kept conversation is in its file."""
        store = SessionStore(self.sessions)
        for path in sorted(self.sessions.glob("*.json")) if self.sessions.is_dir() else []:
            try:
                json.loads(path.read_bytes())
                store.load(path.stem)
            except (ValueError, StorageError) as exc:
                self.counters.corrupt += 1
                self._problem(f"corrupt {path.name}: {exc}")
        unreadable = self.sessions / "unreadable"
        if unreadable.is_dir() and any(unreadable.iterdir()):
            self.counters.corrupt += sum(1 for _ in unreadable.iterdir())
            self._problem(f"files set aside: {sorted(p.name for p in unreadable.iterdir())}")
            for moved in unreadable.iterdir():
                moved.unlink()
        for session_id, texts in self.acked.items():
            if session_id not in self.deleted:
                self._check_session(store, session_id, texts)

    def _check_session(self, store: SessionStore, session_id: str, texts: set[str]) -> None:
        path = store.path_for(session_id)
        try:
            on_disk = {m["content"] for m in json.loads(path.read_bytes())["messages"]}
            loaded = {m.content for m in store.load(session_id).messages}
        except (OSError, ValueError, KeyError, TypeError, StorageError) as exc:
            on_disk = loaded = set()
            self._problem(f"{session_id}: {type(exc).__name__}: {exc}")
        lost = texts - (on_disk & loaded)
        if lost:
            self.counters.acked_lost += len(lost)
            self._problem(f"{session_id}: acknowledged but not on disk: {sorted(lost)}")
            texts -= lost  # counted once

    def _final_restart(self) -> None:
        child = _Child(self.home, 0, clean=True)
        if child.finish(READY_TIMEOUT_S + 30) != 0:
            self.counters.restart_failures += 1
            self._problem("the final clean start did not exit 0")
        self.check()
        temps = [p.name for p in self.home.rglob(".*.tmp")]
        self.counters.temp_files_left = len(temps)
        if temps:
            self._problem(f"temp files left: {temps[:5]}")

    def _problem(self, text: str) -> None:
        self.counters.problems.append(text)
