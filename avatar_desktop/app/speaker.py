"""The avatar speaks: sentences become speech one ahead of playback, the audio clock drives it."""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from avatar_desktop.app.workers import Pools
from avatar_desktop.avatar.rig import Rig
from avatar_desktop.avatar.timeline import SpeechTrack, Timeline
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.speech import Speech
from avatar_desktop.providers.base import ProviderError, Voice

log = logging.getLogger(__name__)

FRAME_MS = 16
AHEAD = 1  # sentences synthesized beyond the one playing


@dataclass
class _Line:
    """One sentence on its way to being heard."""

    index: int
    text: str
    start: int
    end: int
    cues: list[str] = field(default_factory=list)
    speech: Speech | None = None
    track: SpeechTrack | None = None


class Speaker(QObject):
    """Speaks a turn's sentences and animates the avatar at the playback position.

    Signals:
        speaking_changed(bool): sound is queued or playing, or not.
        sentence_started(int, int, int, str): index, span and text of the sentence now audible.
        pose_changed(object): the avatar's Pose for this frame.
        voice_failed(str): the voice could not speak; the answer stays as text.
    """

    speaking_changed = Signal(bool)
    sentence_started = Signal(int, int, int, str)
    pose_changed = Signal(object)
    voice_failed = Signal(str)

    def __init__(self, *, voice: Voice | None, player: Any, pools: Pools, rig: Rig) -> None:
        super().__init__()
        self.voice = voice
        self.player = player
        self.rig = rig
        self.rate = 1.0
        self._pools = pools
        self._ids = itertools.count(1)
        self._waiting: deque[_Line] = deque()  # written, not yet synthesized
        self._queued: dict[int, _Line] = {}  # handed to the player, by utterance id
        self._current: tuple[int, _Line] | None = None
        self._synthesizing = False
        self._text_done = True
        self._cancel = CancelToken()
        self._spoken_end: int | None = None
        self._heard_index = -1  # the last sentence that began to be heard
        self._early_cues: dict[int, list[str]] = {}  # cues whose sentence is not written yet
        self._speaking = False
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def close(self) -> None:
        """Stop speaking and stop animating (the app is closing)."""
        self.stop()
        self._timer.stop()

    @property
    def speaking(self) -> bool:
        return self._speaking

    @property
    def spoken_end(self) -> int | None:
        """End offset, in the answer text, of the last sentence that began to be heard."""
        return self._spoken_end

    # --- the turn's text comes in ------------------------------------------------------------

    def begin_turn(self) -> None:
        self.stop()
        self._text_done = False
        self._spoken_end = None
        self._heard_index = -1
        self.rig.set_state("thinking", time.monotonic())

    def add_sentence(self, index: int, text: str, start: int, end: int) -> None:
        if self.voice is None:
            return
        self._waiting.append(_Line(index, text, start, end, self._early_cues.pop(index, [])))
        self._update_speaking()
        self._synthesize_next()

    def add_cue(self, name: str, sentence: int) -> None:
        """Fire the cue when its sentence is heard (now, if it already was).

        Cues arrive before their sentence's text is complete, so they wait by sentence index.
        """
        for line in [*self._waiting, *self._queued.values()]:
            if line.index == sentence:
                line.cues.append(name)
                return
        if self.voice is None or sentence <= self._heard_index:
            self.rig.on_cue(name, time.monotonic())
        else:
            self._early_cues.setdefault(sentence, []).append(name)

    def end_of_text(self, failed: bool = False) -> None:
        self._text_done = True
        now = time.monotonic()
        for cues in self._early_cues.values():  # their sentence never came: show them now
            for cue in cues:
                self.rig.on_cue(cue, now)
        self._early_cues.clear()
        if failed and not self._speaking:
            self.rig.set_state("error", time.monotonic())
        elif not self._speaking:
            self.rig.set_state("idle", time.monotonic())
        self._update_speaking()

    def stop(self) -> int | None:
        """Silence now (within one audio buffer) and drop what was queued; says what was heard."""
        self._cancel.cancel()
        self._cancel = CancelToken()
        self.player.stop()
        self._waiting.clear()
        self._queued.clear()
        self._early_cues.clear()
        self._current = None
        self._synthesizing = False
        now = time.monotonic()
        self.rig.stop_speaking(now)
        self._update_speaking()
        return self._spoken_end

    # --- synthesis, one ahead ------------------------------------------------------------------

    def _synthesize_next(self) -> None:
        ahead = len(self._queued) - (1 if self._current else 0)
        if self._synthesizing or not self._waiting or ahead >= AHEAD + 1 or self.voice is None:
            return
        line = self._waiting.popleft()
        voice, cancel, rate = self.voice, self._cancel, self.rate
        self._synthesizing = True

        def job(_emit: object) -> Speech:
            return voice.synthesize(line.text, cancel=cancel, rate=rate)

        def done(speech: Speech) -> None:
            if cancel.cancelled:
                return
            self._synthesizing = False
            line.speech, line.track = speech, Timeline.for_speech(speech)
            if len(speech.pcm):
                uid = next(self._ids)
                self._queued[uid] = line
                self.player.enqueue(uid, speech.pcm)
            self._synthesize_next()
            self._update_speaking()

        def failed(exc: Exception) -> None:
            if cancel.cancelled:
                return
            self._synthesizing = False
            self._waiting.clear()
            words = exc.user_message if isinstance(exc, ProviderError) else str(exc)
            self.voice_failed.emit(words)
            self._update_speaking()

        self._pools.start(self._pools.voice, job, returned=done, errored=failed)

    # --- every frame: the audio clock drives the face ------------------------------------------

    def _on_timer_timeout(self) -> None:
        now = time.monotonic()
        for event in self.player.poll_events():
            self._on_player_event(event, now)
        current = self._current
        if current is not None:
            position = self.player.position()
            if position.utterance_id == current[0]:
                self.rig.sync_speech(now - position.seconds)
        self.pose_changed.emit(self.rig.pose(now))

    def _on_player_event(self, event: Any, now: float) -> None:
        kind, uid = event.kind, event.utterance_id
        if kind == "started" and uid in self._queued:
            line = self._queued[uid]
            self._current = (uid, line)
            self._spoken_end = line.end
            self._heard_index = line.index
            self.rig.set_state("speaking", now)
            if line.track is not None:
                self.rig.speak(line.track, now)
            self.rig.on_sentence(line.text, now)
            for cue in line.cues:
                self.rig.on_cue(cue, now)
            self.sentence_started.emit(line.index, line.start, line.end, line.text)
        elif kind == "finished" and uid in self._queued:
            del self._queued[uid]
            if self._current is not None and self._current[0] == uid:
                self._current = None
                self.rig.stop_speaking(now)
            self._synthesize_next()
            self._update_speaking()

    def _update_speaking(self) -> None:
        busy = bool(self._waiting or self._queued or self._synthesizing)
        if busy != self._speaking:
            self._speaking = busy
            if not busy:
                self.rig.set_state("idle" if self._text_done else "thinking", time.monotonic())
            self.speaking_changed.emit(busy)
