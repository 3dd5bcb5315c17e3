"""Callback-driven playback whose count of samples heard is the clock the avatar follows.

The device callback copies from a preallocated ring into the output buffer and records what
started and ended where, in device samples; the GUI thread asks ``position()`` and
``poll_events()``, which translate "samples handed to the device" into "what is audible now"
by subtracting the device latency the callback reported. No Qt, no logging, no big allocations
in the callback (Friture's audiobackend keeps the same split).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    Samples = npt.NDArray[np.float32]

log = logging.getLogger(__name__)

EventKind = Literal["started", "finished", "drained"]
_KINDS: tuple[EventKind, ...] = ("started", "finished", "drained")
_STARTED, _FINISHED, _DRAINED = range(3)
_EVENT_SLOTS = 256  # events the GUI has not polled yet; a few per sentence
_SPAN_SLOTS = 64  # recent utterances on the device timeline, for position()
_GAIN_RAMP_S = 0.005  # volume and mute glide this long: no click, yet prompt
_MAX_SANE_LATENCY = 2.0  # a reported DAC delay beyond this is a driver bug; use the nominal one
NO_DEVICE = "No audio output device was found; the avatar will move but you will not hear it."
NO_PORTAUDIO = (
    "The audio library (PortAudio, through sounddevice) is not installed; "
    "the avatar will move but you will not hear it."
)


@dataclass(frozen=True, slots=True)
class Position:
    """What is audible now: which utterance, how far into it, and samples heard in total."""

    utterance_id: int | None
    seconds: float
    total_samples: int


@dataclass(frozen=True, slots=True)
class PlaybackEvent:
    """A moment the listener hears; ``seconds`` is how much of an utterance was heard."""

    kind: EventKind
    utterance_id: int | None = None
    seconds: float = 0.0
    interrupted: bool = False
    sample: int = 0  # where on the device clock it happened: gaps between sentences show here


class PlaybackUnavailable(Exception):
    """The output device cannot be used; the message is a sentence for the user."""


def _sounddevice() -> Any:
    """Import sounddevice late: it raises OSError at import when PortAudio is missing."""
    try:
        import sounddevice
    except (OSError, ImportError) as exc:  # OSError: the PortAudio library itself is missing
        raise PlaybackUnavailable(NO_PORTAUDIO) from exc
    return sounddevice


class _Engine:
    """Queue, ring and timeline shared by the device callback and the virtual clock."""

    def __init__(self, sample_rate: int, capacity: int, fade_ms: float) -> None:
        self.rate = sample_rate
        self.lock = threading.Lock()
        self.device_samples = 0  # samples handed to the device so far: the clock
        self.last_end = 0  # device sample where the latest utterance ended
        self._ring: Samples = np.zeros(max(capacity, 1), dtype=np.float32)
        self._written = 0  # samples ever put in the ring
        self._read = 0  # samples ever taken out of it
        self._pending: deque[tuple[int, int, int]] = deque()  # (id, ring start, ring end)
        self._cur_id = -1
        self._cur_end = 0
        self._cur_dev = 0
        self._busy = False
        self._stop_cut = -1
        self._fade: Samples = np.zeros(0, dtype=np.float32)
        self.set_fade(fade_ms)
        self._spans = np.zeros((_SPAN_SLOTS, 3), dtype=np.int64)  # id, device start, length
        self._span_count = 0
        self._events = np.zeros((_EVENT_SLOTS, 5), dtype=np.int64)  # kind, id, at, heard, cut
        self.event_count = 0
        self.event_read = 0

    def set_fade(self, fade_ms: float) -> None:
        n = max(1, round(self.rate * fade_ms / 1000))
        self._fade = (1.0 - np.arange(1, n + 1, dtype=np.float32) / n).astype(np.float32)

    @property
    def active(self) -> bool:
        return self._cur_id >= 0 or bool(self._pending)

    def enqueue(self, utterance_id: int, pcm: Samples) -> None:
        with self.lock:
            self._reserve(len(pcm))
            cap = len(self._ring)
            i = self._written % cap
            first = min(len(pcm), cap - i)
            self._ring[i : i + first] = pcm[:first]
            self._ring[: len(pcm) - first] = pcm[first:]
            self._pending.append((utterance_id, self._written, self._written + len(pcm)))
            self._written += len(pcm)

    def _reserve(self, n: int) -> None:
        """Grow the ring (never in the callback) when a long utterance would not fit."""
        unread = self._written - self._read
        if unread + n <= len(self._ring):
            return
        cap = len(self._ring)
        while cap < unread + n:
            cap *= 2
        grown: Samples = np.zeros(cap, dtype=np.float32)
        at = np.arange(self._read, self._written)  # keep absolute positions valid in the new size
        grown[at % cap] = self._ring[at % len(self._ring)]
        self._ring = grown

    def request_stop(self) -> None:
        with self.lock:
            self._stop_cut = self._written

    def render(self, out: Samples | None, frames: int) -> int:
        """Advance the clock by ``frames``, filling ``out`` if given; returns the start sample."""
        with self.lock:
            return self._render(out, frames)

    def advance_to(self, sample: int) -> None:
        """Silently play up to ``sample`` (the virtual clock); racing callers advance once."""
        with self.lock:
            if sample > self.device_samples:
                self._render(None, sample - self.device_samples)

    def _render(self, out: Samples | None, frames: int) -> int:
        start = self.device_samples
        done = self._apply_stop(out, frames) if self._stop_cut >= 0 else 0
        while done < frames and (self._cur_id >= 0 or self._begin(start + done)):
            n = min(frames - done, self._cur_end - self._read)
            if out is not None and n > 0:
                self._copy(out[done : done + n], self._read)
            self._read += n
            done += n
            if self._read >= self._cur_end:
                self._finish(start + done, interrupted=False)
        if out is not None and done < frames:
            out[done:frames] = 0.0
        if self._busy and self._cur_id < 0 and not self._pending:
            self._busy = False
            self._event(_DRAINED, -1, start + done)
        self.device_samples = start + frames
        return start

    def _copy(self, dst: Samples, at: int) -> None:
        cap = len(self._ring)
        i = at % cap
        first = min(len(dst), cap - i)
        dst[:first] = self._ring[i : i + first]
        dst[first:] = self._ring[: len(dst) - first]

    def _apply_stop(self, out: Samples | None, frames: int) -> int:
        """Fade what is sounding to zero within this block and drop what was queued."""
        cut, self._stop_cut = self._stop_cut, -1
        done = 0
        if self._cur_id >= 0:
            done = min(len(self._fade), frames, self._cur_end - self._read)
            if out is not None and done > 0:
                self._copy(out[:done], self._read)
                out[:done] *= self._fade[:done]
            self._read += done
            self._finish(self.device_samples + done, interrupted=True)
        while self._pending and self._pending[0][2] <= cut:
            self._pending.popleft()
        self._read = max(self._read, cut)
        return done

    def _begin(self, at: int) -> bool:
        if not self._pending:
            return False
        self._cur_id, ring_start, self._cur_end = self._pending.popleft()
        self._read, self._cur_dev, self._busy = ring_start, at, True
        slot = self._spans[self._span_count % _SPAN_SLOTS]
        slot[0], slot[1], slot[2] = self._cur_id, at, self._cur_end - ring_start
        self._span_count += 1
        self._event(_STARTED, self._cur_id, at)
        return True

    def _finish(self, at: int, *, interrupted: bool) -> None:
        heard = at - self._cur_dev
        if interrupted:
            self._spans[(self._span_count - 1) % _SPAN_SLOTS][2] = heard
        self._event(_FINISHED, self._cur_id, at, heard, int(interrupted))
        self._cur_id, self.last_end = -1, at

    def _event(self, kind: int, uid: int, at: int, heard: int = 0, cut: int = 0) -> None:
        row = self._events[self.event_count % _EVENT_SLOTS]
        row[0], row[1], row[2], row[3], row[4] = kind, uid, at, heard, cut
        self.event_count += 1

    def utterance_at(self, sample: int) -> tuple[int | None, float]:
        """Which utterance sounds at device ``sample``, and how far into it (seconds)."""
        for k in range(self._span_count - 1, max(-1, self._span_count - _SPAN_SLOTS - 1), -1):
            uid, start, length = (int(v) for v in self._spans[k % _SPAN_SLOTS])
            if sample >= start + length:
                return None, 0.0
            if sample >= start:
                return uid, (sample - start) / self.rate
        return None, 0.0

    def take_events(self, heard_up_to: float) -> list[PlaybackEvent]:
        """Events at or before the audible sample, in order; the rest wait for their moment."""
        if self.event_count - self.event_read > _EVENT_SLOTS:
            log.warning("playback events overflowed; %d lost", self.event_count - self.event_read)
            self.event_read = self.event_count - _EVENT_SLOTS
        taken: list[PlaybackEvent] = []
        while self.event_read < self.event_count:
            kind, uid, at, heard, cut = (
                int(v) for v in self._events[self.event_read % _EVENT_SLOTS]
            )
            if at > heard_up_to:
                break
            ident = None if kind == _DRAINED else uid
            taken.append(PlaybackEvent(_KINDS[kind], ident, heard / self.rate, bool(cut), at))
            self.event_read += 1
        return taken


class Player:
    """Speech out through PortAudio; the samples the listener has heard drive the avatar."""

    problem: str | None = None

    def __init__(
        self,
        *,
        sample_rate: int = 22050,
        device: int | str | None = None,
        blocksize: int = 512,
        latency: float | str = "high",
        capacity_seconds: float = 60.0,
    ) -> None:
        if sample_rate <= 0 or blocksize < 0:
            raise ValueError(f"bad sample rate {sample_rate} or block size {blocksize}")
        self.sample_rate = sample_rate
        self.blocksize = blocksize
        self._device = device
        self._latency = latency
        self._engine = _Engine(sample_rate, int(capacity_seconds * sample_rate), 8.0)
        self._stream: Any = None
        self._closing = False
        self._lost = False
        self._virtual = False
        self._v_time = 0.0
        self._v_base = 0
        self._nominal_latency = 0.0
        self._last_delay = 0.0
        self._anchor = (0, time.monotonic())  # device sample k is heard at monotonic time t
        self._heard = 0.0
        self._volume = 1.0
        self._muted = False
        self._gain = 1.0
        ramp_len = max(1, round(sample_rate * _GAIN_RAMP_S))
        self._ramp = (np.arange(1, ramp_len + 1, dtype=np.float32) / ramp_len).astype(np.float32)
        self._scratch: Samples = np.zeros(ramp_len, dtype=np.float32)
        self.underflows = 0
        self.output_level_db = -120.0  # loudness of the block just sent to the device

    # --- device -------------------------------------------------------------------------------

    def start(self) -> None:
        """Open and start the output stream; raises PlaybackUnavailable with a user sentence."""
        if self._stream is None and not self._virtual:
            self._open_stream()

    def _open_stream(self) -> None:
        sd = _sounddevice()
        if not any(d["max_output_channels"] > 0 for d in sd.query_devices()):
            raise PlaybackUnavailable(NO_DEVICE)
        try:
            stream = sd.OutputStream(
                samplerate=self.sample_rate,
                blocksize=self.blocksize,
                device=self._device,
                channels=1,
                dtype="float32",
                latency=self._latency,
                callback=self._callback,
                finished_callback=self._on_stream_finished,
            )
            stream.start()
        except (sd.PortAudioError, OSError, ValueError) as exc:
            log.warning("cannot open audio output %r: %s", self._device, exc)
            raise PlaybackUnavailable(
                f"The audio output could not be opened ({exc}); "
                "the avatar will move but you will not hear it."
            ) from exc
        self._stream, self._closing, self._lost = stream, False, False
        self._nominal_latency = self._last_delay = float(stream.latency)
        self._anchor = (self._engine.device_samples, time.monotonic() + self._nominal_latency)
        log.info(
            "audio output %r open at %d Hz, block %d, latency %.0f ms",
            self._device,
            self.sample_rate,
            self.blocksize,
            self._nominal_latency * 1000,
        )

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        self._closing = True
        try:
            stream.abort()
            stream.close()
        except Exception as exc:  # a vanished device may fail to close; nothing left to do
            log.warning("closing the audio output failed: %s", exc)

    def _on_stream_finished(self) -> None:
        if not self._closing:
            self._lost = True

    def _go_virtual(self, problem: str) -> None:
        """Keep the clock running without sound, so the avatar still moves and events arrive."""
        self._close_stream()
        self.problem = problem
        self._virtual = True
        self._v_time = time.monotonic()
        self._v_base = self._engine.device_samples

    def close(self) -> None:
        """Stop sound at once and drop the queue; events not yet heard go to the next poll."""
        self._close_stream()
        self._virtual = False
        self._engine.request_stop()
        self._engine.render(None, 0)
        self._heard = float(self._engine.device_samples)

    def set_device(self, device: int | str | None) -> None:
        """Switch outputs; on failure keep the clock running silently and set ``problem``."""
        self._device = device
        if self._stream is None and not self._virtual:
            return
        self._close_stream()
        try:
            self._open_stream()
        except PlaybackUnavailable as exc:
            self._go_virtual(str(exc))
            return
        self._virtual, self.problem = False, None

    @staticmethod
    def output_devices() -> list[tuple[int | str, str]]:
        """Outputs the user can pick: a name when it is unique (stable across runs), else index."""
        try:
            devices = list(_sounddevice().query_devices())
        except PlaybackUnavailable:
            return []
        outputs = [d for d in devices if d["max_output_channels"] > 0]
        names = [d["name"] for d in outputs]
        return [
            (d["name"] if names.count(d["name"]) == 1 else d["index"], d["name"]) for d in outputs
        ]

    @property
    def output_latency(self) -> float:
        """Seconds from handing a sample to the device until it is heard (latest report)."""
        return 0.0 if self._virtual else self._last_delay

    # --- the real-time callback (no logging, no Qt, no big allocations) ----------------------

    def _callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        now = time.monotonic()
        if status.output_underflow:
            self.underflows += 1
        out = outdata[:, 0]
        start = self._engine.render(out, frames)
        self._apply_gain(out, frames)
        power = float(np.dot(out, out)) / frames if frames else 0.0
        self.output_level_db = 10.0 * math.log10(power + 1e-12)  # for the echo guard
        delay = time_info.outputBufferDacTime - time_info.currentTime
        if not 0.0 <= delay < _MAX_SANE_LATENCY or time_info.outputBufferDacTime <= 0:
            delay = self._nominal_latency
        self._last_delay = delay
        self._anchor = (start, now + delay)

    def _apply_gain(self, out: Samples, frames: int) -> None:
        """Volume and mute, glided over 5 ms so a change never clicks."""
        target = 0.0 if self._muted else self._volume
        begin, self._gain = self._gain, target
        if begin == target:
            if target != 1.0:
                out *= target
            return
        n = min(frames, len(self._ramp))
        ramp = self._scratch[:n]
        np.multiply(self._ramp[:n], target - begin, out=ramp)
        ramp += begin
        out[:n] *= ramp
        out[n:] *= target

    # --- what the GUI asks -------------------------------------------------------------------

    def enqueue(self, utterance_id: int, pcm: npt.ArrayLike) -> None:
        """Queue mono float PCM at ``sample_rate`` to play after what is queued already."""
        if utterance_id < 0:
            raise ValueError("utterance ids must be zero or positive")
        samples = np.ascontiguousarray(pcm, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"expected mono PCM (one dimension), got shape {samples.shape}")
        self._audible()  # on the virtual clock, idle time must not swallow the new audio
        self._engine.enqueue(utterance_id, samples)

    def stop(self, fade_ms: float = 8.0) -> None:
        """Drop everything queued and fade what sounds to silence in the next block."""
        self._audible()
        self._engine.set_fade(fade_ms)
        self._engine.request_stop()
        if self._virtual:
            self._audible()

    def _audible(self) -> float:
        """The device sample being heard now: interpolated, never backwards, never ahead."""
        if self._lost and not self._virtual:
            log.warning("the audio output stopped by itself; continuing without sound")
            self._go_virtual("The audio output stopped working; you will not hear the avatar.")
        if self._virtual:
            due = self._v_base + int((time.monotonic() - self._v_time) * self.sample_rate)
            self._engine.advance_to(due)
            self._heard = float(self._engine.device_samples)
        elif self._stream is not None:
            sample, heard_at = self._anchor
            estimate = sample + (time.monotonic() - heard_at) * self.sample_rate
            self._heard = min(max(self._heard, estimate), float(self._engine.device_samples))
        return self._heard

    def position(self) -> Position:
        """What is audible now; sample it every frame to drive the avatar's mouth."""
        heard = self._audible()
        with self._engine.lock:
            uid, seconds = self._engine.utterance_at(int(heard))
        return Position(uid, seconds, int(heard))

    def poll_events(self) -> list[PlaybackEvent]:
        """Events whose moment has been heard, oldest first; call from the GUI timer."""
        heard = self._audible()
        with self._engine.lock:
            return self._engine.take_events(heard)

    @property
    def is_playing(self) -> bool:
        """True while anything is queued or still sounding."""
        heard = self._audible()
        with self._engine.lock:
            return self._engine.active or heard < self._engine.last_end

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = min(1.0, max(0.0, float(value)))

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = bool(value)


class VirtualClockPlayer(Player):
    """A player with no sound: it "plays" by the monotonic clock so the avatar still moves."""

    def __init__(self, *, problem: str = NO_DEVICE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._problem_text = problem

    def start(self) -> None:
        if not self._virtual:
            self._go_virtual(self._problem_text)

    def set_device(self, device: int | str | None) -> None:
        """Remember the choice; open a new player with ``open_player`` to try sound again."""
        self._device = device


def open_player(**kwargs: Any) -> Player:
    """A started Player, or a VirtualClockPlayer (with ``problem`` set) when sound cannot work."""
    player = Player(**kwargs)
    try:
        player.start()
    except PlaybackUnavailable as exc:
        log.warning("playing without sound: %s", exc)
        virtual = VirtualClockPlayer(problem=str(exc), **kwargs)
        virtual.start()
        return virtual
    return player
