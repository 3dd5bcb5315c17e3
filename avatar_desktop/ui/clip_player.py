"""Video clips played back to back: the next one is loaded and its first frame decoded while the
current one plays, so the switch shows a new picture at once instead of a blank."""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink

log = logging.getLogger(__name__)

Status = QMediaPlayer.MediaStatus


@dataclass(eq=False)
class _Slot:
    """One of the two players: the one on screen, or the one getting the next clip ready."""

    player: QMediaPlayer
    sink: QVideoSink
    audio: QAudioOutput
    token: object = None
    order: int = -1
    loaded: bool = False
    playing: bool = False
    first_frame: QImage | None = None
    frames: int = 0
    last_frame_at: float = 0.0
    frame_s: float = 0.04
    times: list[float] = field(default_factory=list)

    def clear(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())
        self.token, self.order, self.loaded, self.playing = None, -1, False, False
        self.first_frame, self.frames, self.last_frame_at = None, 0, 0.0


class ClipPlayer(QObject):
    """Plays queued video files in order through two QMediaPlayers, preloading the next.

    Signals:
        frame_ready(QImage): the picture to show now.
        clip_started(object): the clip's first frame is on screen and its sound has begun.
        clip_finished(object): the clip played to its end.
        clip_failed(object, str): the clip could not be played (a corrupt or unreadable file).
        idle(): nothing is playing and nothing is queued.
    """

    frame_ready = Signal(QImage)
    clip_started = Signal(object)
    clip_finished = Signal(object)
    clip_failed = Signal(object, str)
    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._slots = (self._make_slot(), self._make_slot())
        self._waiting: deque[tuple[int, object, str]] = deque()
        self._orders = itertools.count()
        self._next_order = 0  # the order of the clip that must play next
        self._volume, self._muted = 1.0, False
        self.gaps_ms: list[float] = []  # blank time between consecutive clips, for the benchmark
        self._last_end: tuple[float, float] | None = None  # last frame time and its duration

    def _make_slot(self) -> _Slot:
        player, sink, audio = QMediaPlayer(self), QVideoSink(self), QAudioOutput(self)
        player.setVideoSink(sink)
        player.setAudioOutput(audio)
        slot = _Slot(player, sink, audio)
        sink.videoFrameChanged.connect(lambda frame: self._on_sink_video_frame_changed(slot, frame))
        player.mediaStatusChanged.connect(lambda status: self._on_player_status(slot, status))
        player.errorOccurred.connect(lambda _e, text: self._on_player_error(slot, text))
        return slot

    # --- what the presenter asks ---------------------------------------------------------------

    @property
    def playing(self) -> bool:
        """A clip is on screen and sounding now."""
        return any(s.playing for s in self._slots)

    @property
    def busy(self) -> bool:
        return bool(self._waiting) or any(s.token is not None for s in self._slots)

    def enqueue(self, token: object, path: str) -> None:
        """Play ``path`` after everything queued before it."""
        self._waiting.append((next(self._orders), token, path))
        self._feed()

    def stop(self) -> None:
        """Silence and drop everything at once."""
        self._waiting.clear()
        for slot in self._slots:
            slot.clear()
        self._orders = itertools.count()
        self._next_order = 0
        self._last_end = None

    def set_volume(self, volume: float, muted: bool) -> None:
        self._volume, self._muted = volume, muted
        for slot in self._slots:
            slot.audio.setVolume(volume)
            slot.audio.setMuted(muted)

    # --- the two slots ---------------------------------------------------------------------

    def _feed(self) -> None:
        """Load waiting clips into free slots; start the next one when nothing plays."""
        for slot in self._slots:
            if slot.token is None and self._waiting:
                slot.order, slot.token, path = self._waiting.popleft()
                slot.audio.setVolume(self._volume)
                slot.audio.setMuted(self._muted)
                slot.player.setSource(QUrl.fromLocalFile(path))
        self._play_next_if_free()

    def _play_next_if_free(self) -> None:
        if any(s.playing for s in self._slots):
            return
        for slot in self._slots:
            if slot.token is not None and slot.order == self._next_order and slot.loaded:
                self._start(slot)
                return
        if not self.busy:
            self.idle.emit()

    def _start(self, slot: _Slot) -> None:
        slot.playing = True
        if slot.first_frame is not None:  # decoded while the previous clip played
            self._show(slot, slot.first_frame, time.monotonic())
        slot.player.play()

    def _on_player_status(self, slot: _Slot, status: Status) -> None:
        if slot.token is None:
            return
        if status in (Status.LoadedMedia, Status.BufferedMedia) and not slot.loaded:
            slot.loaded = True
            if slot.order != self._next_order:
                slot.player.pause()  # decode the first frame now, show it when its turn comes
            self._play_next_if_free()
        elif status == Status.EndOfMedia and slot.playing:
            self._finish(slot, lambda token: self.clip_finished.emit(token))
        elif status == Status.InvalidMedia:
            self._on_player_error(slot, slot.player.errorString() or "not a playable video")

    def _on_player_error(self, slot: _Slot, text: str) -> None:
        token = slot.token
        if token is None:
            return
        log.warning("clip could not be played: %s", text)
        words = text or "the video could not be played"
        self._finish(slot, lambda token: self.clip_failed.emit(token, words))

    def _finish(self, slot: _Slot, tell: Callable[[object], None]) -> None:
        """Free the slot, say how the clip ended, then start the next one."""
        token = slot.token
        if slot.order == self._next_order:
            self._next_order += 1
        slot.clear()
        tell(token)
        self._feed()

    def _on_sink_video_frame_changed(self, slot: _Slot, frame: QVideoFrame) -> None:
        if slot.token is None or not frame.isValid():
            return
        image = frame.toImage()
        if image.isNull():
            return
        if not slot.playing:
            if slot.first_frame is None:
                slot.first_frame = image
            return
        self._show(slot, image, time.monotonic())

    def _show(self, slot: _Slot, image: QImage, now: float) -> None:
        slot.frames += 1
        if slot.frames == 1:
            if self._last_end is not None:
                last_at, frame_s = self._last_end
                self.gaps_ms.append(max(0.0, (now - last_at - frame_s) * 1000.0))
            self.clip_started.emit(slot.token)
        self._last_end = (now, slot.frame_s)
        slot.last_frame_at = now
        self.frame_ready.emit(image)
