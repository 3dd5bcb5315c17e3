"""One spoken turn against the running app: when the user stopped, when the avatar was heard.

The user's clip is played into a null sink whose monitor is the app's microphone; that monitor
is recorded too, so the clip's timeline maps onto the monotonic clock (the first loud sample of
the recording is the first loud sample of the clip). The avatar is recorded from its own sink.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from tests.audio.utterances import RATE, Utterance

LOUD = 0.003  # both monitors carry digital silence apart from the voices (and the noise)
REPLY_TIMEOUT_S = 15.0  # a reply later than this is a failure, counted as this long
QUIET_S = 1.2  # nothing more from the app for this long: the turn is over
CHECK_S = 0.02  # how often the recordings are looked at while the window runs

T = TypeVar("T")


@dataclass
class TurnResult:
    """What one utterance showed: voice-to-voice, and whether the app began a reply early."""

    v2v_ms: float
    failed: bool
    early: str | None  # the first sign of a reply before the user had finished
    stages: dict[str, float | None] = field(default_factory=dict)
    app_total_ms: float | None = None  # the app's own stopped → heard, when it reports one
    notes: list[str] = field(default_factory=list)  # what the app did instead, on a failure


class Probe:
    """Stamps every way the app shows it began a reply: text, speech, a saved session."""

    def __init__(self, app: Any) -> None:
        self.marks: list[tuple[float, str]] = []
        self.latencies: list[Any] = []
        self.transcribing = False
        self.problems: list[str] = []  # what the listener told the user (for failure lines)
        c = app.conversation
        c.user_message_added.connect(lambda _message: self._mark("message added"))
        c.answer_started.connect(lambda: self._mark("answer started"))
        c.text_delta.connect(lambda _text: self._mark("text shown"))
        app.stage.sentence_started.connect(lambda _sentence: self._mark("sentence spoken"))
        app.listener.transcribing.connect(self._on_listener_transcribing)
        app.listener.problem.connect(self.problems.append)
        save = app.store.save

        def saving(session: Any) -> None:
            self._mark("session saved")
            save(session)

        app.store.save = saving
        if hasattr(app, "latency_measured"):  # the app's own record, once it has one
            app.latency_measured.connect(self.latencies.append)

    def _mark(self, what: str) -> None:
        self.marks.append((time.monotonic(), what))

    def _on_listener_transcribing(self, on: bool) -> None:
        self.transcribing = on

    def reset(self) -> None:
        self.marks.clear()
        self.latencies.clear()
        self.problems.clear()

    def first_before(self, moment: float) -> str | None:
        return next((what for at, what in self.marks if at < moment), None)


def pump(qt_app: Any, until: Callable[[], T | None], seconds: float) -> T | None:
    """Run the window until ``until()`` gives a value (looked at every ``CHECK_S``); None when
    ``seconds`` pass first. Never raises for time: a turn that hangs is a result, not a crash."""
    deadline = time.monotonic() + seconds
    next_check = 0.0
    while time.monotonic() < deadline:
        qt_app.processEvents()
        if time.monotonic() >= next_check:
            value = until()
            if value is not None:
                return value
            next_check = time.monotonic() + CHECK_S
        time.sleep(0.002)
    return None


def first_loud(samples: np.ndarray, after: int = 0) -> int | None:
    loud = np.flatnonzero(np.abs(samples[after:]) > LOUD)
    return after + int(loud[0]) if len(loud) else None


def recorder(source: str | None = None) -> Any:
    """A monitor recording for a whole session, read from a given sample on without copying
    all of it each time. A fresh parec first hands over the monitor's last second again, so
    one recorder is kept open across utterances rather than one per utterance."""
    from tests.audio.pulse import MONITOR, MonitorRecorder

    class Growing(MonitorRecorder):
        def __init__(self, source: str) -> None:
            super().__init__(sample_rate=RATE, source=source)
            self._ends: list[int] = []  # bytes received up to the end of each chunk

        def _indexed(self) -> list[int]:
            ends, chunks = self._ends, self._chunks
            for k in range(len(ends), len(chunks)):
                ends.append((ends[-1] if ends else 0) + len(chunks[k][1]))
            return ends

        def count(self) -> int:
            ends = self._indexed()
            return ends[-1] // 4 if ends else 0

        def samples_from(self, start: int) -> np.ndarray:
            """Samples ``start`` onwards (absolute indices, as ``heard_at`` takes)."""
            ends = self._indexed()
            k = bisect.bisect_right(ends, start * 4)
            offset = ends[k - 1] if k else 0
            data = b"".join(chunk for _, chunk in self._chunks[k : len(ends)])
            data = data[start * 4 - offset :]
            return np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4")

        def heard_at(self, index: int) -> float:
            ends = self._indexed()
            k = bisect.bisect_right(ends, index * 4)
            return self._chunks[k][0] - (ends[k] - index * 4) / 4 / self.sample_rate

    return Growing(source or MONITOR)


def index_at(monitor: Any, moment: float, low: int, high: int) -> int:
    """The first sample in ``low``..``high`` heard at or after ``moment`` (binary search)."""
    while low < high:
        mid = (low + high) // 2
        if monitor.heard_at(mid) < moment:
            low = mid + 1
        else:
            high = mid
    return low


def loud_between(monitor: Any, start: int, moment: float | None = None) -> int | None:
    """The first loud sample from ``start`` on (heard at or after ``moment``, when given)."""
    samples = monitor.samples_from(start)
    if not len(samples):
        return None
    if moment is not None:
        start = index_at(monitor, moment, start, start + len(samples))
        samples = monitor.samples_from(start)
    found = first_loud(samples)
    return start + found if found is not None else None


def heard_after(monitor: Any, start: int, moment: float) -> float | None:
    """When the first loud sample after ``moment`` came out of the sink; None if none yet."""
    if time.monotonic() < moment:
        return None
    found = loud_between(monitor, start, moment)
    return monitor.heard_at(found) if found is not None else None


def sounded_before(monitor: Any, start: int, moment: float) -> bool:
    """Whether the avatar made a sound between sample ``start`` and ``moment``."""
    found = loud_between(monitor, start)
    return found is not None and monitor.heard_at(found) < moment


def measure(app: Any, qt_app: Any, probe: Probe, utterance: Utterance, ears: Any) -> TurnResult:
    """Say ``utterance`` to the app; measure until the avatar's first sound, then stop it.

    ``ears`` holds the two running recordings: ``user`` (the microphone's sink) and
    ``avatar`` (the output sink), and ``user_sink``, where the user's voice is played.
    """
    from tests.audio.test_capture import play_into_sink

    user, avatar = ears.user, ears.avatar
    probe.reset()
    user_start, avatar_start = user.count(), avatar.count()
    player = play_into_sink(utterance.pcm, sink=ears.user_sink)
    onset = pump(qt_app, lambda: loud_between(user, user_start), 10)
    clip_onset = first_loud(utterance.pcm)
    if onset is None or clip_onset is None:
        raise RuntimeError("the user's voice never reached the app's microphone")
    clip_zero = user.heard_at(onset) - clip_onset / RATE
    stopped = clip_zero + utterance.last_voiced / RATE
    wait = stopped - time.monotonic() + REPLY_TIMEOUT_S
    heard = pump(qt_app, lambda: heard_after(avatar, avatar_start, stopped), wait)
    early = probe.first_before(stopped)
    if early is None and sounded_before(avatar, avatar_start, stopped):
        early = "avatar sound"
    if heard is not None and hasattr(app, "latency_measured"):
        pump(qt_app, lambda: probe.latencies or None, 0.5)
    latency = probe.latencies[-1] if probe.latencies else None
    app.interrupt()
    pump(qt_app, lambda: player.poll(), 30)
    settle(app, qt_app, probe)
    return TurnResult(
        v2v_ms=(heard - stopped) * 1000 if heard is not None else REPLY_TIMEOUT_S * 1000,
        failed=heard is None,
        early=early if utterance.pause is not None else None,
        stages=latency.stages_ms() if latency is not None else {},
        app_total_ms=latency.total_ms if latency is not None else None,
        notes=[what for _, what in probe.marks[:1]] + probe.problems[:1],
    )


def settle(app: Any, qt_app: Any, probe: Probe) -> None:
    """Silence whatever the turn still set off, until the app stays idle; then a fresh
    conversation, so every utterance meets the same short history."""
    deadline = time.monotonic() + 30
    quiet_since = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < QUIET_S:
        pump(qt_app, lambda: None, 0.1)
        if app.conversation.busy or app.stage.speaking or probe.transcribing:
            app.interrupt()
            quiet_since = time.monotonic()
    app.conversation.new_session()
