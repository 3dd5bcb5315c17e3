"""How long one spoken reply took, stage by stage, as the user felt it: stopped → heard.

Every time is ``time.monotonic()`` seconds. A stage not reached (a typed message has no
"stopped talking"; a muted reply is never heard) stays None. Only times are kept, never words,
so a record may go to the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

STAGES = ("endpoint", "stt_tail", "first_phrase", "first_audio")


@dataclass(frozen=True, slots=True)
class ReplyLatency:
    """The moments of one reply; ``with_`` fills them in as they happen."""

    user_stopped: float | None = None  # the user's last voiced sample reached the microphone
    turn_over: float | None = None  # the app declared the user's turn over
    text_final: float | None = None  # the user's words were known in full
    first_phrase: float | None = None  # the first phrase of the answer was ready to voice
    first_audio: float | None = None  # the first sample of the answer was audible
    speculative: bool = field(default=False)  # the answer was started before the turn was over

    def with_(self, **moments: float | bool) -> ReplyLatency:
        return replace(self, **moments)  # type: ignore[arg-type]

    def stages_ms(self) -> dict[str, float | None]:
        """endpoint, stt_tail, first_phrase, first_audio: each stage's own share, in ms.

        A stage that overlapped the one before it (the words were known before the turn was
        declared over) counts as 0: only the time the user waited on it is shown.
        """
        marks = (self.user_stopped, self.turn_over, self.text_final, self.first_phrase)
        ends = (self.turn_over, self.text_final, self.first_phrase, self.first_audio)
        out: dict[str, float | None] = {}
        reached = self.user_stopped
        for name, begin, end in zip(STAGES, marks, ends, strict=True):
            if begin is None or end is None or reached is None:
                out[name] = None
                continue
            out[name] = max(0.0, (end - max(begin, reached)) * 1000)
            reached = max(reached, end)
        return out

    @property
    def total_ms(self) -> float | None:
        """You stopped → you heard it."""
        if self.user_stopped is None or self.first_audio is None:
            return None
        return (self.first_audio - self.user_stopped) * 1000

    def describe(self) -> str:
        """One line for the log and the tooltip: the total and each stage."""
        total = self.total_ms
        parts = [f"{total:.0f} ms" if total is not None else "not heard"]
        for name, value in self.stages_ms().items():
            if value is not None:
                parts.append(f"{name.replace('_', ' ')} {value:.0f}")
        if self.speculative:
            parts.append("started early")
        return ", ".join(parts)
