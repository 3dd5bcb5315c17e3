"""The avatar speaks: sentences become speech one ahead of playback, the audio clock drives it."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from avatar_desktop.app.workers import Pools
from avatar_desktop.avatar.rig import Rig
from avatar_desktop.avatar.timeline import SpeechTrack, Timeline
from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.core.events import Cue, Sentence
from avatar_desktop.core.speech import Speech
from avatar_desktop.pipeline.performer import Performable
from avatar_desktop.providers.base import ProviderError, Voice

log = logging.getLogger(__name__)

FRAME_MS = 16
# Sentences made beyond the one playing: the next is ready, and the one after it is being
# made, so a short sentence ("Yes.") never leaves too little time to make a long one after it.
AHEAD = 2
PREPARED = 4  # texts synthesized ahead of their sentence (a speculative answer's first phrase)


@dataclass(eq=False)
class _Said:
    """One sentence on its way to being heard, with its cues, speech and mouth track."""

    sentence: Sentence
    cues: list[str] = field(default_factory=list)
    speech: Speech | None = None
    track: SpeechTrack | None = None


class _Prepared:
    """Speech made before its sentence was written; the voice pool fills it, any thread reads."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._speech: Speech | None = None

    def fill(self, speech: Speech | None) -> None:
        self._speech = speech
        self._done.set()

    def ready(self) -> Speech | None:
        """The speech if it is made; None while it is being made, or when that failed."""
        return self._speech if self._done.is_set() else None

    def wait(self, cancel: CancelToken) -> Speech | None:
        """The speech once made (None if that failed); a turn's stop ends the wait."""
        while not self._done.wait(0.02):
            cancel.raise_if_cancelled()
        return self._speech


class Speaker(QObject):
    """Speaks a turn's sentences and animates the avatar at the playback position.

    A performer (``pipeline.performer.Performer``): begin, add, end_of_text, stop.

    Signals:
        speaking_changed(bool): sound is queued or playing, or not.
        sentence_started(object): the Sentence now audible.
        pose_changed(object): the avatar's Pose for this frame.
        voice_failed(str): the voice could not speak; the answer stays as text.
    """

    speaking_changed = Signal(bool)
    sentence_started = Signal(object)
    pose_changed = Signal(object)
    voice_failed = Signal(str)

    def __init__(self, *, voice: Voice | None, player: Any, pools: Pools, rig: Rig) -> None:
        super().__init__()
        self._voice = voice
        self._rate = 1.0
        self.player = player
        self.rig = rig
        self._pools = pools
        self._prepared: OrderedDict[str, _Prepared] = OrderedDict()  # by text, oldest first
        self._prepare_cancel = CancelToken()
        self._ids = itertools.count(1)
        self._waiting: deque[_Said] = deque()  # written, not yet synthesized
        self._queued: dict[int, _Said] = {}  # handed to the player, by utterance id
        self._current: tuple[int, _Said] | None = None
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
        self._forget_prepared()
        self._timer.stop()

    @property
    def voice(self) -> Voice | None:
        return self._voice

    @voice.setter
    def voice(self, voice: Voice | None) -> None:
        if voice is not self._voice:
            self._forget_prepared()  # made in the other voice
        self._voice = voice

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        if rate != self._rate:
            self._forget_prepared()  # made at the other speed
        self._rate = rate

    @property
    def speaking(self) -> bool:
        return self._speaking

    @property
    def audible(self) -> bool:
        """Its sentences can be heard: a voice, and a sound device to play it on."""
        return self.voice is not None and self.player.problem is None

    # --- the turn's text comes in ------------------------------------------------------------

    def begin(self) -> None:
        """A new answer: the avatar thinks until its first sentence is heard."""
        self._text_done = False
        self._spoken_end = None
        self._heard_index = -1
        self._early_cues.clear()
        self.rig.set_state("thinking", time.monotonic())

    def add(self, event: Performable) -> None:
        if isinstance(event, Cue):
            self._add_cue(event)
        elif self.voice is not None:
            self._waiting.append(_Said(event, self._early_cues.pop(event.index, [])))
            self._update_speaking()
            self._synthesize_next()

    def _add_cue(self, cue: Cue) -> None:
        """Fire the cue when its sentence is heard (now, if it already was).

        Cues arrive before their sentence's text is complete, so they wait by sentence index.
        """
        for said in [*self._waiting, *self._queued.values()]:
            if said.sentence.index == cue.sentence:
                said.cues.append(cue.name)
                return
        if self.voice is None or cue.sentence <= self._heard_index:
            self.rig.on_cue(cue.name, time.monotonic())
        else:
            self._early_cues.setdefault(cue.sentence, []).append(cue.name)

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

    # --- synthesis ahead of the sentence ------------------------------------------------------

    def prepare(self, text: str) -> None:
        """Synthesize ``text`` now, so a sentence of exactly that text plays without waiting.

        For an answer started before the user's turn is known to be over: its first phrase is
        ready the moment it is confirmed. Nothing is heard unless that sentence is added.
        """
        voice, rate, cancel = self._voice, self._rate, self._prepare_cancel
        if text in self._prepared:
            self._prepared.move_to_end(text)
            return
        if voice is None or not text:
            return
        prepared = self._prepared[text] = _Prepared()
        while len(self._prepared) > PREPARED:
            self._prepared.popitem(last=False)

        def job(_emit: object) -> None:
            speech = None
            try:
                speech = voice.synthesize(text, cancel=cancel, rate=rate)
            except Cancelled:
                pass
            except Exception as exc:  # its sentence, if added, tries again and reports
                log.info("preparing speech failed: %s", type(exc).__name__)
            finally:
                prepared.fill(speech)

        self._pools.start(self._pools.voice, job)

    def _forget_prepared(self) -> None:
        self._prepare_cancel.cancel()
        self._prepare_cancel = CancelToken()
        self._prepared.clear()

    # --- synthesis, one ahead ------------------------------------------------------------------

    def _synthesize_next(self) -> None:
        ahead = len(self._queued) - (1 if self._current else 0)
        if self._synthesizing or not self._waiting or ahead >= AHEAD or self.voice is None:
            return
        said = self._waiting.popleft()
        voice, cancel, rate = self.voice, self._cancel, self.rate
        prepared = self._prepared.get(said.sentence.text)
        made = prepared.ready() if prepared is not None else None
        if made is not None:
            self._play(said, made)
            return
        self._synthesizing = True

        def job(_emit: object) -> Speech:
            # The voice pool runs jobs in order: a prepare of this text is done, or running.
            speech = prepared.wait(cancel) if prepared is not None else None
            if speech is None:
                speech = voice.synthesize(said.sentence.text, cancel=cancel, rate=rate)
            return speech

        def done(speech: Speech) -> None:
            if cancel.cancelled:
                return
            self._synthesizing = False
            self._play(said, speech)

        def failed(exc: Exception) -> None:
            if cancel.cancelled:
                return
            self._synthesizing = False
            self._waiting.clear()
            words = exc.user_message if isinstance(exc, ProviderError) else str(exc)
            self.voice_failed.emit(words)
            self._update_speaking()

        self._pools.start(self._pools.voice, job, returned=done, errored=failed)

    def _play(self, said: _Said, speech: Speech) -> None:
        """Queue the sentence's sound behind what plays, and start on the next one."""
        said.speech, said.track = speech, Timeline.for_speech(speech)
        if len(speech.pcm):
            uid = next(self._ids)
            self._queued[uid] = said
            self.player.enqueue(uid, speech.pcm)
        self._synthesize_next()
        self._update_speaking()

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
            said = self._queued[uid]
            sentence = said.sentence
            self._current = (uid, said)
            self._spoken_end = sentence.end
            self._heard_index = sentence.index
            self.rig.set_state("speaking", now)
            if said.track is not None:
                self.rig.speak(said.track, now)
            self.rig.on_sentence(sentence.text, now)
            for cue in said.cues:
                self.rig.on_cue(cue, now)
            self.sentence_started.emit(sentence)
            self._synthesize_next()  # one fewer ahead of what plays: make the next
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
