"""The Groq fake of `bench v2v`: its Whisper hears the words said so far, not a fixed line.

The end of a turn is judged partly on the words (a sentence that stops on "and" is not over),
so a fake that always answered the same finished sentence would end every pause as a turn.
"""

from __future__ import annotations

import time

from tests.audio.utterances import Utterance
from tests.fakes.groq_server import GroqFake


class HearingGroqFake(GroqFake):
    """Each transcription is answered with the words of the utterance being played that had
    been said when the upload arrived (the audio sent cannot hold more)."""

    def __init__(self) -> None:
        self.playing: tuple[Utterance, float] | None = None  # and when its clip began
        self._fixed = ""
        super().__init__()

    def hear(self, utterance: Utterance | None, clip_zero: float = 0.0) -> None:
        """From now on (None: no more) uploads are of ``utterance``, begun at ``clip_zero``."""
        self.playing = None if utterance is None else (utterance, clip_zero)

    @property
    def transcript(self) -> str:
        if self.playing is None:
            return self._fixed
        utterance, clip_zero = self.playing
        arrived = time.monotonic() - self.stt_ms / 1000  # read after the fake's own delay
        return " " + utterance.words_by(arrived - clip_zero)

    @transcript.setter
    def transcript(self, text: str) -> None:
        self._fixed = text
