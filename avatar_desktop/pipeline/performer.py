"""What performs an answer (the drawn avatar's voice, a D-ID presenter): one protocol, Qt-free.

A performer is fed the turn's own frozen events, in order, and can be silenced at any moment,
saying how much of the answer was heard.
"""

from __future__ import annotations

from typing import Protocol

from avatar_desktop.core.events import Cue, Sentence

Performable = Sentence | Cue


class Performer(Protocol):
    """Begin, add sentences and cues as they are written, end of text, stop."""

    @property
    def speaking(self) -> bool:
        """Something of the turn is being prepared, queued or heard."""
        ...

    def begin(self) -> None:
        """A new answer is being written (the avatar thinks until its first sentence)."""
        ...

    def add(self, event: Performable) -> None:
        """A sentence to perform, or a cue for the sentence with that index."""
        ...

    def end_of_text(self, failed: bool = False) -> None:
        """No more text will come; ``failed``: the answer ended in an error."""
        ...

    def stop(self) -> int | None:
        """Silence now and drop what is queued; the end offset, in the answer's text, of the
        last sentence that began to be heard (None if nothing was)."""
        ...
