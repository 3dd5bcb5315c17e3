"""Who performs the answer: the drawn avatar with a voice, or the D-ID presenter's videos.

The conversation talks to the stage only, and the stage is a performer itself: it routes the
turn's events to the one performing this turn. If the presenter gives up mid-turn it hands its
rest back, and from then on the drawn avatar speaks the turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from avatar_desktop.app.stage.speaker import Speaker
from avatar_desktop.pipeline.performer import Performable, Performer

if TYPE_CHECKING:
    from avatar_desktop.app.stage.did_presenter import DidPresenter


class Stage(QObject):
    """Routes a turn to the speaker or the presenter and reports them as one.

    Signals:
        speaking_changed(bool): either performer is busy, or neither is.
        sentence_started(object): the Sentence now heard, from whichever performs it.
    """

    speaking_changed = Signal(bool)
    sentence_started = Signal(object)

    def __init__(self, speaker: Speaker) -> None:
        super().__init__()
        self.speaker = speaker
        self.presenter: DidPresenter | None = None  # performs the turns from the next one on
        self._presenters: list[DidPresenter] = []  # every one ever set, to silence them all
        self._performer: Performer = speaker  # this turn's
        self._text_done = True
        self._failed = False
        self._settled = True  # the drawn avatar has been told the text is done
        self._speaking = False
        speaker.speaking_changed.connect(self._on_performer_speaking_changed)
        speaker.sentence_started.connect(self.sentence_started)

    def set_presenter(self, presenter: DidPresenter | None) -> None:
        """Use ``presenter`` from the next turn on (None: the drawn avatar)."""
        self.presenter = presenter
        if presenter is not None and presenter not in self._presenters:
            self._presenters.append(presenter)
            presenter.speaking_changed.connect(self._on_performer_speaking_changed)
            presenter.sentence_started.connect(self.sentence_started)
            presenter.handover.connect(self._on_presenter_handover)

    @property
    def speaking(self) -> bool:
        return self.speaker.speaking or any(p.speaking for p in self._presenters)

    @property
    def voiced(self) -> bool:
        """This turn can be heard: a video, or a voice with a sound device."""
        return self._performer is not self.speaker or self.speaker.audible

    # --- the turn (the performer protocol) ----------------------------------------------------

    def begin(self) -> None:
        self._text_done, self._failed, self._settled = False, False, False
        self._performer = self.presenter or self.speaker
        self.speaker.begin()  # the drawn avatar thinks while the first clip renders
        if self.presenter is not None:
            self.presenter.begin()

    def add(self, event: Performable) -> None:
        self._performer.add(event)

    def end_of_text(self, failed: bool = False) -> None:
        self._text_done, self._failed = True, failed
        if self._performer is not self.speaker:
            self._performer.end_of_text(failed)
        self._settle()

    def stop(self) -> int | None:
        """Silence every performer; the end offset of the last thing that began to be heard."""
        heard_in_video = [p.stop() for p in self._presenters]
        heard = self.speaker.stop()
        if heard is not None:
            return heard
        return next((end for end in heard_in_video if end is not None), None)

    # --- the presenter gives up mid-turn ----------------------------------------------------

    def _on_presenter_handover(self, rest: list[Performable]) -> None:
        if self._performer is self.speaker:
            return  # a turn already over
        self._performer = self.speaker
        for event in rest:
            self.speaker.add(event)
        self._settle()

    def _settle(self) -> None:
        """The drawn avatar thinks until the text and every clip are done, then rests."""
        if self._settled or not self._text_done:
            return
        if self._performer is not self.speaker and self._performer.speaking:
            return  # clips still to play (the speaker itself rests once its queue drains)
        self._settled = True
        self.speaker.end_of_text(self._failed)

    def _on_performer_speaking_changed(self, _busy: bool) -> None:
        self._settle()
        busy = self.speaking
        if busy != self._speaking:
            self._speaking = busy
            self.speaking_changed.emit(busy)
