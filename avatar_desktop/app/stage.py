"""Who performs the answer: the drawn avatar with a voice, or the D-ID presenter's videos.

The conversation talks to the stage only. With D-ID chosen, sentences become clips; if D-ID
fails mid-turn, the presenter hands the rest back and the drawn avatar speaks it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from avatar_desktop.app.speaker import Speaker

if TYPE_CHECKING:
    from avatar_desktop.app.did_presenter import DidPresenter, Line


class Stage(QObject):
    """Routes a turn to the speaker or the presenter and reports them as one.

    Signals:
        speaking_changed(bool): either performer is busy, or neither is.
        sentence_started(int, int, int, str): index, span and text of what is now heard.
    """

    speaking_changed = Signal(bool)
    sentence_started = Signal(int, int, int, str)

    def __init__(self, speaker: Speaker) -> None:
        super().__init__()
        self.speaker = speaker
        self.presenter: DidPresenter | None = None
        self._video = False  # this turn is performed by the presenter
        self._text_done = True
        self._failed = False
        self._speaking = False
        speaker.speaking_changed.connect(self._on_performer_speaking_changed)
        speaker.sentence_started.connect(self.sentence_started)

    def set_presenter(self, presenter: DidPresenter | None) -> None:
        """Use ``presenter`` from the next turn on (None: the drawn avatar)."""
        if self.presenter is presenter:
            return
        if self.presenter is not None:
            self.presenter.stop()
            self.presenter.speaking_changed.disconnect(self._on_performer_speaking_changed)
            self.presenter.sentence_started.disconnect(self.sentence_started)
            self.presenter.handover.disconnect(self._on_presenter_handover)
        self.presenter = presenter
        if presenter is not None:
            presenter.speaking_changed.connect(self._on_performer_speaking_changed)
            presenter.sentence_started.connect(self.sentence_started)
            presenter.handover.connect(self._on_presenter_handover)

    @property
    def speaking(self) -> bool:
        presenting = self.presenter is not None and self.presenter.speaking
        return self.speaker.speaking or presenting

    @property
    def video(self) -> bool:
        """The current turn is (still) being performed as video."""
        return self._video and self.presenter is not None and not self.presenter.handed_over

    # --- the turn -------------------------------------------------------------------------

    def begin_turn(self) -> None:
        self._text_done, self._failed = False, False
        self._video = self.presenter is not None
        self.speaker.begin_turn()  # the drawn avatar thinks while the first clip renders
        if self.presenter is not None:
            self.presenter.begin_turn()

    def add_sentence(self, index: int, text: str, start: int, end: int) -> None:
        if self.video and self.presenter is not None:
            self.presenter.add_sentence(index, text, start, end)
        else:
            self.speaker.add_sentence(index, text, start, end)

    def add_cue(self, name: str, sentence: int) -> None:
        if self.video and self.presenter is not None:
            self.presenter.add_cue(name, sentence)
        else:
            self.speaker.add_cue(name, sentence)

    def end_of_text(self, failed: bool = False) -> None:
        self._text_done, self._failed = True, failed
        if self.video and self.presenter is not None:
            self.presenter.end_of_text()
        self._settle_speaker()

    def stop(self) -> int | None:
        """Silence both; the end offset of the last thing that began to be heard."""
        spoken_by_video = self.presenter.stop() if self.presenter is not None else None
        spoken = self.speaker.stop()
        return spoken if spoken is not None else spoken_by_video

    # --- the presenter gives up mid-turn ----------------------------------------------------

    def _on_presenter_handover(self, lines: list[Line]) -> None:
        speaker = self.speaker
        speaker.rig.set_state("thinking", time.monotonic())
        for line in lines:
            for cue in line.cues:
                speaker.add_cue(cue, line.index)
            speaker.add_sentence(line.index, line.text, line.start, line.end)
        self._settle_speaker()

    def _settle_speaker(self) -> None:
        """The drawn avatar thinks until the text and every clip are done, then rests."""
        if self._text_done and not (self.video and self.presenter and self.presenter.speaking):
            self.speaker.end_of_text(self._failed)

    def _on_performer_speaking_changed(self, _busy: bool) -> None:
        if self._video and self.presenter is not None and not self.presenter.speaking:
            self._settle_speaker()
        busy = self.speaking
        if busy != self._speaking:
            self._speaking = busy
            self.speaking_changed.emit(busy)
