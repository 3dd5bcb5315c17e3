"""Playback: the engine's bookkeeping exactly, then real sound through PortAudio into a null sink.

The real tests record the sink's monitor with parec (not the code under test) and compare what
was heard, and when, with what the player's clock said.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from avatar_desktop.audio import playback
from avatar_desktop.audio.playback import (
    NO_DEVICE,
    NO_PORTAUDIO,
    PlaybackEvent,
    PlaybackUnavailable,
    Player,
    Position,
    VirtualClockPlayer,
    _Engine,
    open_player,
)
from tests.audio.pulse import MonitorRecorder, PulseSink, pulse_sink  # noqa: F401

Float = npt.NDArray[np.float32]
RATE = 22050
BLOCK = 512
LEVEL = 0.5
SYNC_MS = 20  # the avatar's audio/visual budget; the clock itself must be well inside it


def tone(seconds: float, hz: float, level: float = LEVEL) -> Float:
    t = np.arange(round(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def loud_region(x: Float, threshold: float = 0.01) -> tuple[int, int]:
    """First and last sample above ``threshold``."""
    loud = np.flatnonzero(np.abs(x) > threshold)
    assert loud.size, "nothing was heard"
    return int(loud[0]), int(loud[-1])


def dominant_hz(x: Float) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / RATE)[np.argmax(spectrum)])


@dataclass
class Trace:
    """What the GUI would have seen, sampled at 60 Hz: positions and events, with times."""

    positions: list[tuple[float, Position]] = field(default_factory=list)
    events: list[PlaybackEvent] = field(default_factory=list)

    def kinds(self) -> list[tuple[str, int | None]]:
        return [(e.kind, e.utterance_id) for e in self.events]


def follow(
    player: Player,
    *,
    timeout: float = 6.0,
    hook: Callable[[Trace], None] | None = None,
) -> Trace:
    """Sample the player like the 60 fps GUI timer does, until it reports "drained"."""
    trace = Trace()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        trace.positions.append((time.monotonic(), player.position()))
        trace.events += player.poll_events()
        if hook is not None:
            hook(trace)
        if any(e.kind == "drained" for e in trace.events):
            return trace
        time.sleep(1 / 60)
    raise AssertionError(f"never drained; events so far: {trace.kinds()}")


def assert_monotonic(trace: Trace) -> None:
    totals = [p.total_samples for _, p in trace.positions]
    assert all(b >= a for a, b in itertools.pairwise(totals))


def assert_no_dropouts(x: Float, context: str, window: int = 128) -> None:
    """Every window of a steady tone reaches near its level: no gap was heard."""
    peaks = np.abs(x[: len(x) // window * window]).reshape(-1, window).max(axis=1)
    assert peaks.min() > 0.8 * LEVEL, f"a dropout at window {int(np.argmin(peaks))} ({context})"


def sync_errors_ms(trace: Trace, uid: int, heard_from: float) -> Float:
    """For each frame, the clock's position minus what the monitor says was audible then."""
    return np.array(
        [(p.seconds - (t - heard_from)) * 1000 for t, p in trace.positions if p.utterance_id == uid]
    )


# --- the engine, exactly (no device, no clock) -------------------------------------------------


def render_all(engine: _Engine, blocks: int) -> Float:
    out = np.full(blocks * BLOCK, np.nan, dtype=np.float32)
    for k in range(blocks):
        engine.render(out[k * BLOCK : (k + 1) * BLOCK], BLOCK)
    return out


def events_of(engine: _Engine) -> list[tuple[str, int | None, int]]:
    return [(e.kind, e.utterance_id, round(e.seconds * RATE)) for e in engine.take_events(1e12)]


def test_engine_plays_utterances_back_to_back_and_marks_them() -> None:
    engine = _Engine(RATE, 4096, 8.0)
    first, second = np.linspace(-1, 1, 1000, dtype=np.float32), tone(700 / RATE, 300)
    engine.enqueue(1, first)
    engine.enqueue(2, second)

    out = render_all(engine, 4)

    np.testing.assert_array_equal(out[:1700], np.concatenate([first, second]))
    assert not out[1700:].any()
    assert events_of(engine) == [
        ("started", 1, 0),
        ("finished", 1, 1000),
        ("started", 2, 0),
        ("finished", 2, 700),
        ("drained", None, 0),
    ]
    assert engine.utterance_at(500) == (1, 500 / RATE)
    assert engine.utterance_at(1200) == (2, 200 / RATE)
    assert engine.utterance_at(1700) == (None, 0.0)
    assert engine.device_samples == 4 * BLOCK and engine.last_end == 1700


def test_events_wait_until_their_sample_is_heard() -> None:
    engine = _Engine(RATE, 4096, 8.0)
    engine.enqueue(3, np.ones(600, dtype=np.float32))
    render_all(engine, 2)

    assert [e.kind for e in engine.take_events(599)] == ["started"]
    assert [e.kind for e in engine.take_events(600)] == ["finished", "drained"]


def test_the_ring_wraps_and_grows_without_losing_a_sample() -> None:
    engine = _Engine(RATE, 1000, 8.0)
    parts = [np.arange(n, dtype=np.float32) + 10_000 * k for k, n in enumerate((800, 700, 1500))]
    engine.enqueue(0, parts[0])
    first = render_all(engine, 1)  # 512 read: the next part wraps around the end
    engine.enqueue(1, parts[1])
    engine.enqueue(2, parts[2])  # does not fit: the ring grows, keeping what is unread
    rest = render_all(engine, 6)

    played = np.concatenate([first, rest])[:3000]
    np.testing.assert_array_equal(played, np.concatenate(parts))


def test_stop_fades_within_one_block_and_drops_the_queue() -> None:
    engine = _Engine(RATE, 1 << 16, 8.0)
    fade = round(RATE * 0.008)
    engine.enqueue(1, np.ones(RATE, dtype=np.float32))
    engine.enqueue(2, np.ones(RATE, dtype=np.float32))  # queued, never to be heard
    render_all(engine, 1)
    engine.request_stop()
    engine.enqueue(3, np.full(BLOCK, 0.5, dtype=np.float32))  # the next turn, after Stop

    out = render_all(engine, 2)

    assert np.all(np.diff(out[:fade]) < 0) and out[fade - 1] < 0.01  # a ramp down, to zero
    np.testing.assert_array_equal(out[fade : fade + BLOCK], 0.5)  # next turn right after
    assert not out[fade + BLOCK :].any()
    assert events_of(engine) == [
        ("started", 1, 0),
        ("finished", 1, BLOCK + fade),
        ("started", 3, 0),
        ("finished", 3, BLOCK),
        ("drained", None, 0),
    ]
    assert engine.utterance_at(BLOCK + fade - 1)[0] == 1
    assert engine.utterance_at(BLOCK + fade)[0] == 3


def test_an_empty_utterance_still_starts_and_finishes() -> None:
    engine = _Engine(RATE, 1024, 8.0)
    engine.enqueue(4, np.zeros(0, dtype=np.float32))
    render_all(engine, 1)
    assert [e.kind for e in engine.take_events(0)] == ["started", "finished", "drained"]


# --- without a device: the virtual clock -------------------------------------------------------


def test_the_virtual_clock_plays_in_real_time_without_sound() -> None:
    player = VirtualClockPlayer(sample_rate=RATE)
    player.start()
    assert player.problem == NO_DEVICE
    started = time.monotonic()
    player.enqueue(5, tone(0.3, 440))
    assert player.is_playing

    trace = follow(player)

    assert 0.28 < time.monotonic() - started < 0.45
    assert trace.kinds() == [("started", 5), ("finished", 5), ("drained", None)]
    assert_monotonic(trace)
    seconds = [p.seconds for _, p in trace.positions if p.utterance_id == 5]
    assert seconds[0] < 0.05 and 0.25 < max(seconds) < 0.3
    assert not player.is_playing
    player.close()


def test_the_virtual_clock_does_not_let_idle_time_swallow_new_audio() -> None:
    player = VirtualClockPlayer(sample_rate=RATE)
    player.start()
    time.sleep(0.2)
    player.enqueue(1, tone(0.2, 440))
    player.enqueue(2, tone(0.2, 440))
    trace = follow(player)
    ids = [p.utterance_id for _, p in trace.positions if p.utterance_id is not None]
    assert ids == sorted(ids) and set(ids) == {1, 2}
    assert 0.35 < trace.positions[-1][0] - trace.positions[0][0] < 0.6


def test_the_virtual_clock_runs_at_real_speed_under_many_readers() -> None:
    player = VirtualClockPlayer(sample_rate=RATE)
    player.start()
    player.enqueue(1, tone(0.4, 440))
    started = time.monotonic()
    done = threading.Event()

    def hammer() -> None:
        while not done.is_set():
            player.position()
            player.is_playing  # noqa: B018  (reading it advances the clock too)

    readers = [threading.Thread(target=hammer) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        follow(player)
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert 0.38 < time.monotonic() - started < 0.6  # racing readers never double-count time


def test_stop_on_the_virtual_clock_reports_what_was_heard() -> None:
    player = VirtualClockPlayer(sample_rate=RATE)
    player.start()
    player.enqueue(1, tone(2.0, 440))
    time.sleep(0.3)
    player.stop()
    finished = [e for e in follow(player).events if e.kind == "finished"]
    assert finished[0].interrupted and 0.28 < finished[0].seconds < 0.4


def test_no_output_device_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    no_devices = SimpleNamespace(query_devices=lambda: [], PortAudioError=OSError)
    monkeypatch.setattr(playback, "_sounddevice", lambda: no_devices)
    player = open_player(sample_rate=RATE)
    assert isinstance(player, VirtualClockPlayer) and player.problem == NO_DEVICE
    assert Player.output_devices() == []


def test_missing_portaudio(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> Any:
        raise PlaybackUnavailable(NO_PORTAUDIO)

    monkeypatch.setattr(playback, "_sounddevice", missing)
    player = open_player(sample_rate=RATE)
    assert isinstance(player, VirtualClockPlayer) and player.problem == NO_PORTAUDIO
    assert Player.output_devices() == []


# --- real sound: PortAudio -> PulseAudio null sink -> its monitor ------------------------------


@pytest.fixture
def player(pulse_sink: PulseSink) -> Iterator[Player]:  # noqa: F811
    opened = open_player(sample_rate=RATE, blocksize=BLOCK)
    assert not isinstance(opened, VirtualClockPlayer), opened.problem
    yield opened
    opened.close()


def test_a_tone_is_heard_for_its_length_and_the_clock_follows_it(player: Player) -> None:
    with MonitorRecorder(sample_rate=RATE) as recorder:
        player.enqueue(7, tone(1.0, 440))
        trace = follow(player)
        time.sleep(0.2)
    heard = recorder.samples()
    on, off = loud_region(heard)

    assert abs(dominant_hz(heard[on:off]) - 440) < 5
    assert abs((off - on) / RATE - 1.0) < 0.01
    assert trace.kinds() == [("started", 7), ("finished", 7), ("drained", None)]
    assert abs(trace.events[1].seconds - 1.0) < 1e-3 and not trace.events[1].interrupted
    assert_monotonic(trace)
    seconds = [p.seconds for _, p in trace.positions if p.utterance_id == 7]
    assert seconds == sorted(seconds) and 0.95 < seconds[-1] <= 1.0
    errors = sync_errors_ms(trace, 7, recorder.heard_at(on))
    assert np.percentile(np.abs(errors), 95) < SYNC_MS, f"clock vs monitor (ms): {errors}"
    assert 0.0 < player.output_latency < 0.3
    assert_no_dropouts(heard[on:off], f"{player.underflows} PortAudio underflows")


def test_stop_silences_within_one_buffer(player: Player) -> None:
    called: dict[str, Any] = {}

    def stop_halfway(trace: Trace) -> None:
        if not called and trace.positions[-1][1].seconds >= 0.5:
            called.update(at=time.monotonic(), seconds=trace.positions[-1][1].seconds)
            player.stop()

    with MonitorRecorder(sample_rate=RATE) as recorder:
        player.enqueue(1, tone(2.0, 440))
        trace = follow(player, hook=stop_halfway)
        time.sleep(0.5)
    heard = recorder.samples()
    on, off = loud_region(heard)
    last_full = int(np.flatnonzero(np.abs(heard) > LEVEL / 2)[-1])
    budget = player.output_latency + BLOCK / RATE + 0.03

    assert len(heard) - off > 0.3 * RATE and np.abs(heard[off + 32 :]).max() < 1e-3
    assert off - last_full <= BLOCK  # from full level to silence inside one buffer
    assert called["seconds"] - 0.02 <= (off - on) / RATE <= called["seconds"] + budget
    assert recorder.heard_at(off) - called["at"] <= budget  # silent soon after the call
    finished = next(e for e in trace.events if e.kind == "finished")
    assert finished.interrupted and abs(finished.seconds - (off - on) / RATE) < 0.03


def test_two_utterances_report_their_ids_in_turn(player: Player) -> None:
    with MonitorRecorder(sample_rate=RATE) as recorder:
        player.enqueue(1, tone(0.5, 440))
        player.enqueue(2, tone(0.5, 880))
        trace = follow(player)
        time.sleep(0.2)
    heard = recorder.samples()
    on, off = loud_region(heard)
    switch = on + round(0.5 * RATE)

    assert abs(dominant_hz(heard[on : switch - 200]) - 440) < 5
    assert abs(dominant_hz(heard[switch + 200 : off]) - 880) < 5
    assert trace.kinds() == [
        ("started", 1),
        ("finished", 1),
        ("started", 2),
        ("finished", 2),
        ("drained", None),
    ]
    ids = [p.utterance_id for _, p in trace.positions if p.utterance_id is not None]
    assert ids == sorted(ids) and ids.count(1) > 20 and ids.count(2) > 20
    assert np.percentile(np.abs(sync_errors_ms(trace, 1, recorder.heard_at(on))), 95) < SYNC_MS
    assert np.percentile(np.abs(sync_errors_ms(trace, 2, recorder.heard_at(switch))), 95) < SYNC_MS


def test_volume_and_mute_change_what_is_heard_not_the_clock(player: Player) -> None:
    with MonitorRecorder(sample_rate=RATE) as recorder:
        player.volume = 0.5
        player.enqueue(1, tone(0.4, 440))
        follow(player)
        player.muted = True
        player.enqueue(2, tone(0.4, 440))
        muted = follow(player)
        time.sleep(0.2)
    heard = recorder.samples()
    on, _ = loud_region(heard)
    first_end = on + round(0.4 * RATE)

    assert abs(np.abs(heard[on + 2000 : first_end - 2000]).max() - LEVEL * 0.5) < 0.02
    leaked = np.count_nonzero(np.abs(heard[first_end + 32 :]) > 0.01)
    assert leaked <= 0.006 * RATE  # the muted tone left at most the 5 ms gain ramp
    assert muted.kinds() == [("started", 2), ("finished", 2), ("drained", None)]
    assert player.volume == 0.5 and player.muted
    player.volume = 7.0
    assert player.volume == 1.0


def test_a_device_that_cannot_open_falls_back_to_the_virtual_clock(
    pulse_sink: PulseSink,  # noqa: F811  (other outputs exist; only the named one is missing)
) -> None:
    player = open_player(sample_rate=RATE, device="no such output anywhere")
    assert isinstance(player, VirtualClockPlayer)
    assert player.problem and "could not be opened" in player.problem
    player.enqueue(1, tone(0.1, 440))
    assert [e.kind for e in follow(player).events] == ["started", "finished", "drained"]


def test_losing_the_device_keeps_the_clock_running(player: Player) -> None:
    player.enqueue(1, tone(0.6, 440))
    time.sleep(0.2)
    player.set_device("no such output anywhere")

    trace = follow(player)

    assert player.problem and "could not be opened" in player.problem
    assert_monotonic(trace)
    assert [e.kind for e in trace.events][-2:] == ["finished", "drained"]


def test_the_null_sink_is_listed_as_an_output(pulse_sink: PulseSink) -> None:  # noqa: F811
    names = [label for _, label in Player.output_devices()]
    assert "pulse" in names or "default" in names
