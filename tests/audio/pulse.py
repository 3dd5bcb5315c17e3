"""A PulseAudio null sink for tests that play real audio through PortAudio, with no sound card.

The sink's monitor source is what a listener would hear; ``MonitorRecorder`` captures it with
``parec``, independently of the code under test. An idle ``module-null-sink`` (PulseAudio 16)
sleeps on a 2 s timer, so the first stream to connect stalls for up to 2 s; a silent loopback
from a null source keeps the sink awake and its latency low, like a real card.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pytest

log = logging.getLogger(__name__)

SINK = "nullsink"
MONITOR = f"{SINK}.monitor"
SILENCE = "avatar_silence"  # the null source feeding the keep-awake loopback
SINK_MODULES = (
    f"module-null-sink sink_name={SINK}",
    f"module-null-source source_name={SILENCE}",
    f"module-loopback source={SILENCE} sink={SINK} latency_msec=20 "
    "source_dont_move=true sink_dont_move=true",
)
DAEMON = (
    "pulseaudio",
    "--daemonize",
    "--exit-idle-time=-1",
    "--disallow-exit",
    "--no-cpu-limit",
    "-n",  # no default.pa: a sound card probe would fail on a machine without one
    *(f"--load={module}" for module in SINK_MODULES),
    "--load=module-native-protocol-unix",
)
AWAKE_LATENCY_US = 100_000  # sink latency below this means it left its idle 2 s timer


def pactl(*args: str, timeout: float = 5.0) -> subprocess.CompletedProcess[str]:
    """Run pactl in the C locale, never hanging the test session."""
    env = {**os.environ, "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["pactl", *args], capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(["pactl", *args], 1, "", "pactl timed out")


def server_running() -> bool:
    return pactl("info").returncode == 0


def exists(kind: str, name: str) -> bool:
    """Whether the server has a sink or source (``kind`` "sinks" or "sources") of that name."""
    listing = pactl("list", "short", kind)
    return listing.returncode == 0 and name in listing.stdout.split()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until true, or fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"PulseAudio: {what} within {timeout:.0f} s")
        time.sleep(0.05)


def sink_latency_us(name: str = SINK) -> float | None:
    """The sink's current latency; None when pactl cannot report it as JSON (PulseAudio < 16)."""
    listing = pactl("--format=json", "list", "sinks")
    if listing.returncode != 0:
        return None
    try:
        sinks = json.loads(listing.stdout)
    except ValueError:
        return None
    for sink in sinks:
        if sink.get("name") == name:
            return float(sink["latency"]["actual"])
    return None


def wait_until_awake(timeout: float = 5.0) -> None:
    """Wait for the sink to leave the 2 s timer it slept on before the loopback connected."""
    if sink_latency_us() is None:
        time.sleep(2.2)
        return
    wait_for(lambda: (sink_latency_us() or 0) < AWAKE_LATENCY_US, timeout, "sink did not wake")


def refresh_portaudio() -> None:
    """PortAudio lists devices once at start-up; make it see a server started after that."""
    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


@dataclass
class PulseSink:
    """What ``ensure_null_sink`` set up, so ``release`` undoes exactly that and no more."""

    started_daemon: bool = False
    modules: list[str] = field(default_factory=list)
    saved_env: dict[str, str | None] = field(default_factory=dict)

    def release(self) -> None:
        for module in reversed(self.modules):
            pactl("unload-module", module)
        if self.started_daemon:
            subprocess.run(["pulseaudio", "--kill"], capture_output=True, timeout=10)
        for key, value in self.saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        refresh_portaudio()


def start_daemon() -> None:
    """Start a user daemon with only the null sink; running as root only prints a warning."""
    result = subprocess.run(DAEMON, capture_output=True, text=True, timeout=20)
    if result.returncode != 0 and not server_running():
        raise RuntimeError(f"pulseaudio did not start: {result.stderr.strip()}")
    wait_for(server_running, 10, "the daemon did not answer")


def load_missing_modules() -> list[str]:
    """Add the null sink and its keep-awake loopback to a server that lacks them."""
    wanted = list(SINK_MODULES)
    if exists("sinks", SINK):
        wanted.remove(SINK_MODULES[0])
    if exists("sources", SILENCE):
        wanted = [m for m in wanted if m not in SINK_MODULES[1:]]
    loaded: list[str] = []
    for module in wanted:
        name, *args = module.split()
        result = pactl("load-module", name, *args)
        if result.returncode != 0:
            raise RuntimeError(f"pactl load-module {module} failed: {result.stderr.strip()}")
        loaded.append(result.stdout.strip())
    return loaded


def ensure_null_sink() -> PulseSink:
    """Make ``nullsink`` exist and be where this process's audio goes; undo with ``release``."""
    setup = PulseSink()
    if not server_running():
        start_daemon()
        setup.started_daemon = True
    setup.modules = load_missing_modules()
    if setup.started_daemon:
        pactl("set-default-sink", SINK)
        pactl("set-default-source", MONITOR)
    # Route only this process, leaving a developer's desktop defaults alone; libpulse (and so
    # PortAudio's ALSA "pulse"/"default" devices) reads these for every new stream.
    for key, value in (("PULSE_SINK", SINK), ("PULSE_SOURCE", MONITOR)):
        setup.saved_env[key] = os.environ.get(key)
        os.environ[key] = value
    wait_until_awake()
    refresh_portaudio()
    log.info("null sink ready (daemon started here: %s)", setup.started_daemon)
    return setup


@pytest.fixture(scope="session")
def pulse_sink() -> Iterator[PulseSink]:
    """A running null sink for the whole session; stopped at the end only if started here."""
    missing = [tool for tool in ("pulseaudio", "pactl", "parec") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"real-audio tests need PulseAudio ({', '.join(missing)} not found)")
    setup = ensure_null_sink()
    yield setup
    setup.release()


class MonitorRecorder:
    """Records the null sink's monitor with parec; each chunk is stamped with its arrival time."""

    def __init__(self, *, sample_rate: int = 22050, source: str = MONITOR) -> None:
        self.sample_rate = sample_rate
        self._command = [
            "parec",
            f"--device={source}",
            "--raw",
            "--format=float32le",
            f"--rate={sample_rate}",
            "--channels=1",
            "--latency-msec=5",
        ]
        self._chunks: list[tuple[float, bytes]] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MonitorRecorder:
        self._process = subprocess.Popen(self._command, stdout=subprocess.PIPE)
        self._thread = threading.Thread(target=self._read, name="parec-reader", daemon=True)
        self._thread.start()
        wait_for(lambda: bool(self._chunks), 5, "the monitor gave no audio")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        while chunk := os.read(fd, 4096):
            self._chunks.append((time.monotonic(), chunk))

    def samples(self) -> npt.NDArray[np.float32]:
        data = b"".join(chunk for _, chunk in self._chunks)
        return np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4").astype(np.float32)

    def heard_at(self, index: int) -> float:
        """Monotonic time sample ``index`` came out of the sink (its chunk's arrival, less the
        samples after it in that chunk); parec's own buffering adds at most a few ms."""
        ends = np.cumsum([len(chunk) // 4 for _, chunk in self._chunks])
        k = int(np.searchsorted(ends, index, side="right"))
        return self._chunks[k][0] - (int(ends[k]) - index) / self.sample_rate
