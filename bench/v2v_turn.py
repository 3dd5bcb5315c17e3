"""One spoken turn against the running app: when the user stopped, when the avatar was heard.

The user's clip is played into a null sink whose monitor is the app's microphone; that monitor
is recorded too, so the clip's timeline maps onto the monotonic clock: the first loud sample of
the recording is the first loud sample of the clip, and the clip's last stretch of voice, found
in the recording by correlation, places the stop even if playback slipped. The avatar is
recorded from its own sink; its first loud sample after the stop ends the measurement.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bench.v2v_audio import (
    TAIL_S,
    first_loud,
    heard_after,
    locate_stop,
    loud_between,
    play,
    sounded_before,
)
from tests.audio.utterances import RATE, Utterance

REPLY_TIMEOUT_S = 15.0  # a reply later than this is a failure, counted as this long
QUIET_S = 2.5  # nothing from the app for this long (past the longest wait for the end of a turn)
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
    gap_ms: float = 0.0  # silence slipped into the user's voice by a busy machine (nan: unknown)


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
        """The first sign of a reply before ``moment``, and how long before it came."""
        early = next(((at, what) for at, what in self.marks if at < moment), None)
        return None if early is None else f"{early[1]} {(moment - early[0]) * 1000:.0f} ms"


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


def measure(app: Any, qt_app: Any, probe: Probe, utterance: Utterance, ears: Any) -> TurnResult:
    """Say ``utterance`` to the app; measure until the avatar's first sound, then stop it.

    ``ears`` holds the two running recordings: ``user`` (the microphone's sink) and
    ``avatar`` (the output sink), ``user_sink``, where the user's voice is played, and
    ``hear``, told which utterance is playing and since when (None: no one asks).
    """
    user, avatar = ears.user, ears.avatar
    probe.reset()
    user_start, avatar_start = user.count(), avatar.count()
    player = play(utterance.pcm, ears.user_sink)
    stop, gap_ms = _user_stop(qt_app, ears, user_start, utterance)
    stopped = user.heard_at(stop)
    wait = stopped - time.monotonic() + REPLY_TIMEOUT_S
    heard = pump(qt_app, lambda: heard_after(avatar, avatar_start, stopped), wait)
    early = probe.first_before(stopped)
    sound = sounded_before(avatar, avatar_start, stopped)
    if early is None and sound is not None:
        early = f"avatar sound {(stopped - sound) * 1000:.0f} ms"
    if heard is not None and hasattr(app, "latency_measured"):
        pump(qt_app, lambda: probe.latencies or None, 0.5)
    latency = probe.latencies[-1] if probe.latencies else None
    app.interrupt()
    pump(qt_app, lambda: player.poll(), 30)
    settle(app, qt_app, probe)
    if ears.hear is not None:
        ears.hear(None)
    return TurnResult(
        v2v_ms=(heard - stopped) * 1000 if heard is not None else REPLY_TIMEOUT_S * 1000,
        failed=heard is None,
        early=early if utterance.pause is not None else None,
        stages=latency.stages_ms() if latency is not None else {},
        app_total_ms=latency.total_ms if latency is not None else None,
        notes=[what for _, what in probe.marks[:1]] + probe.problems[:1],
        gap_ms=gap_ms,
    )


def _user_stop(qt_app: Any, ears: Any, start: int, utterance: Utterance) -> tuple[int, float]:
    """Where the user's last voiced sample is in the recording, and how much later than the
    clip's own timeline put it (silence a busy machine slipped into the playback)."""
    user = ears.user
    onset = pump(qt_app, lambda: loud_between(user, start), 10)
    clip_onset = first_loud(utterance.pcm)
    if onset is None or clip_onset is None:
        raise RuntimeError("the user's voice never reached the app's microphone")
    if ears.hear is not None:  # a fake recogniser follows the clip's words
        ears.hear(utterance, user.heard_at(onset) - clip_onset / RATE)
    expected = onset + utterance.last_voiced - clip_onset
    search = max(start, expected - int((TAIL_S + 0.2) * RATE))
    found = pump(qt_app, lambda: locate_stop(user, utterance, search), 10 + TAIL_S)
    if found is None:  # the tail itself was broken up: its place on the clip's timeline
        return expected, float("nan")
    return found, (found - expected) / RATE * 1000


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
