"""The photoreal presenter: one D-ID video per sentence, rendered a few at a time, played in order.

The first sentence is submitted the moment it is complete; later ones render while earlier
ones play. A failure hands the rest of the turn to the drawn avatar and the local voice, after
the clips already made have played, so no text is lost and nothing is said twice.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from avatar_desktop.app.workers import Pools
from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.core.cues import EMOTIONS
from avatar_desktop.core.events import Cue, Sentence
from avatar_desktop.pipeline.performer import Performable
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.did.render import render
from avatar_desktop.storage.media_cache import MediaCache
from avatar_desktop.ui.clip_player import ClipPlayer
from avatar_desktop.ui.video_view import VideoView

log = logging.getLogger(__name__)

MIN_CHARS = 24  # a shorter sentence waits to go with the next one (each clip has a fixed cost)
MAX_RENDERING = 3  # clips rendering at once


@dataclass(eq=False)
class _Piece:
    """One clip: one or more sentences rendered together, with their cues."""

    order: int
    sentences: list[Sentence]
    cues: list[Cue]
    cancel: CancelToken = field(default_factory=CancelToken)
    state: str = "waiting"  # waiting, rendering, ready, queued, playing, done, dropped
    path: Path | None = None

    @property
    def text(self) -> str:
        return " ".join(sentence.text for sentence in self.sentences)

    @property
    def emotions(self) -> list[str]:
        return [cue.name for cue in self.cues if cue.name in EMOTIONS]

    @property
    def heard(self) -> Sentence:
        """What the clip says, as one sentence spanning its own."""
        first, last = self.sentences[0], self.sentences[-1]
        return Sentence(first.index, self.text, first.start, last.end)


def _in_order(sentences: list[Sentence], cues: list[Cue]) -> list[Performable]:
    """The sentences, each after its own cues, as they first came."""
    events: list[Performable] = []
    for sentence in sentences:
        events += [cue for cue in cues if cue.sentence == sentence.index]
        events.append(sentence)
    return events


# Builds the request for one clip from its text and emotion cues (the settings decide which).
RequestMaker = Callable[[str, list[str]], Any]


class DidPresenter(QObject):
    """Turns a turn's sentences into D-ID clips and plays them back to back.

    A performer (``pipeline.performer.Performer``): begin, add, end_of_text, stop.

    Signals:
        speaking_changed(bool): clips are rendering, queued or playing — or not.
        sentence_started(object): a Sentence spanning what the clip now playing says.
        failed(str): D-ID could not make or play a clip; the words say why.
        handover(object): the rest of the turn, from the failed clip on, as the Sentence and
            Cue events it came as, for another performer; sent once the clips before it played.
    """

    speaking_changed = Signal(bool)
    sentence_started = Signal(object)
    failed = Signal(str)
    handover = Signal(object)

    def __init__(
        self,
        *,
        pools: Pools,
        player: ClipPlayer,
        view: VideoView,
        cache: MediaCache,
        client: Callable[[], Any],
        make_request: RequestMaker,
    ) -> None:
        super().__init__()
        self._pools, self._player, self._view, self._cache = pools, player, view, cache
        self._client, self._make_request = client, make_request
        self._pieces: list[_Piece] = []
        self._held: list[Sentence] = []  # short sentences waiting for company
        self._held_cues: list[Cue] = []
        self._cues: dict[int, list[Cue]] = {}  # by sentence index, until their sentence comes
        self._orders = itertools.count()
        self._text_done = True
        self._failed_from: int | None = None  # first piece order the drawn avatar takes over
        self._handed_over = False
        self._spoken_end: int | None = None
        self._speaking = False
        player.frame_ready.connect(view.set_frame)
        player.clip_started.connect(self._on_player_clip_started)
        player.clip_finished.connect(self._on_player_clip_finished)
        player.clip_failed.connect(self._on_player_clip_failed)

    @property
    def speaking(self) -> bool:
        return self._speaking

    @property
    def rendering(self) -> int:
        return sum(1 for p in self._pieces if p.state == "rendering")

    # --- the turn's text comes in ---------------------------------------------------------

    def begin(self) -> None:
        """A new answer; the last one's clips have all played or been stopped."""
        self._pieces, self._held, self._held_cues, self._cues = [], [], [], {}
        self._text_done = False
        self._spoken_end = None
        self._failed_from = None
        self._handed_over = False

    def add(self, event: Performable) -> None:
        if isinstance(event, Cue):
            self._cues.setdefault(event.sentence, []).append(event)
            return
        self._held.append(event)
        self._held_cues += self._cues.pop(event.index, [])
        if sum(len(sentence.text) for sentence in self._held) >= MIN_CHARS:
            self._add_piece()
        self._update_speaking()

    def end_of_text(self, failed: bool = False) -> None:
        self._text_done = True
        if self._held:
            self._add_piece()
        self._maybe_hand_over()
        self._update_speaking()

    def stop(self) -> int | None:
        """Cancel pending renders (each deletes its D-ID job) and silence playback at once."""
        for piece in self._pieces:
            piece.cancel.cancel()
        self._pieces.clear()
        self._held, self._held_cues = [], []
        self._cues.clear()
        self._player.stop()
        self._view.clear()
        self._cache.trim()
        self._update_speaking()
        return self._spoken_end

    # --- rendering ------------------------------------------------------------------------

    def _add_piece(self) -> None:
        piece = _Piece(next(self._orders), self._held, self._held_cues)
        self._held, self._held_cues = [], []
        self._pieces.append(piece)
        if self._failed_from is None:
            self._submit_more()

    def _submit_more(self) -> None:
        for piece in self._pieces:
            if self.rendering >= MAX_RENDERING:
                return
            if piece.state == "waiting":
                self._start_render(piece)

    def _start_render(self, piece: _Piece) -> None:
        piece.state = "rendering"
        request = self._make_request(piece.text, piece.emotions)
        dest = self._cache.path_for(f"clip-{piece.order}.mp4")
        piece.path = dest  # kept by the cache from now: a download may land before we hear of it
        client, cancel = self._client, piece.cancel

        def job(_emit: object) -> Path:
            return render(client(), request, dest, cancel).path

        def done(path: Path) -> None:
            if cancel.cancelled or piece.state != "rendering":
                return
            piece.state, piece.path = "ready", path
            self._cache.touch(path)
            self._cache.trim(keep=self._in_use())
            self._enqueue_ready()
            self._submit_more()

        def errored(exc: Exception) -> None:
            if cancel.cancelled or isinstance(exc, Cancelled):
                return
            words = exc.user_message if isinstance(exc, ProviderError) else str(exc)
            self._fail(piece, words)

        self._pools.start(self._pools.render, job, returned=done, errored=errored)

    def _enqueue_ready(self) -> None:
        """Hand finished clips to the player strictly in order."""
        for piece in self._pieces:
            if piece.state in ("queued", "playing", "done"):
                continue
            if piece.state != "ready" or piece.path is None:
                return
            piece.state = "queued"
            self._player.enqueue(piece, str(piece.path))

    def _fail(self, piece: _Piece, words: str) -> None:
        log.warning("D-ID clip %d failed: %s", piece.order, words)
        if self._failed_from is None or piece.order < self._failed_from:
            first_time = self._failed_from is None
            self._failed_from = piece.order
            if first_time:
                self.failed.emit(words)
        for later in self._pieces:
            if later.order >= piece.order and later.state in ("waiting", "rendering", "ready"):
                later.cancel.cancel()
                later.state = "dropped"
        self._maybe_hand_over()
        self._update_speaking()

    def _maybe_hand_over(self) -> None:
        """Once every clip before the failure has played, the rest goes to the drawn avatar."""
        if self._failed_from is None or self._handed_over:
            return
        cut = self._failed_from
        if any(p.order < cut and p.state not in ("done", "dropped") for p in self._pieces):
            return
        rest = [e for p in self._pieces if p.order >= cut for e in _in_order(p.sentences, p.cues)]
        rest += _in_order(self._held, self._held_cues)
        rest += [cue for cues in self._cues.values() for cue in cues]  # sentence not come yet
        self._held, self._held_cues, self._cues = [], [], {}
        self._pieces = [p for p in self._pieces if p.order < cut]
        self._handed_over = True
        self._view.fade_out()
        self.handover.emit(rest)
        self._update_speaking()

    # --- playback -------------------------------------------------------------------------

    def _on_player_clip_started(self, piece: object) -> None:
        if not isinstance(piece, _Piece) or piece not in self._pieces:
            return
        piece.state = "playing"
        heard = piece.heard
        self._spoken_end = heard.end
        self.sentence_started.emit(heard)

    def _on_player_clip_finished(self, piece: object) -> None:
        if not isinstance(piece, _Piece) or piece not in self._pieces:
            return
        piece.state = "done"
        self._cache.trim(keep=self._in_use())
        self._maybe_hand_over()
        self._update_speaking()

    def _on_player_clip_failed(self, piece: object, text: str) -> None:
        if isinstance(piece, _Piece) and piece in self._pieces:
            piece.state = "dropped"
            self._fail(piece, f"D-ID's video could not be played ({text}).")

    def _in_use(self) -> list[Path]:
        busy = [p for p in self._pieces if p.state not in ("done", "dropped")]
        return [p.path for p in busy if p.path is not None]

    def _update_speaking(self) -> None:
        busy = bool(self._held) or any(p.state not in ("done", "dropped") for p in self._pieces)
        if not busy and (self._text_done or self._handed_over) and self._view.showing:
            self._view.fade_out()
        if busy != self._speaking:
            self._speaking = busy
            self.speaking_changed.emit(busy)
