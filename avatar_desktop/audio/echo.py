"""Telling the user's voice from the avatar's own voice coming back through the microphone.

While the avatar talks, the microphone hears it too, at some fixed coupling below (or above)
what is sent to the speakers. The guard learns that coupling from the recent past and lets a
voice onset count as the user's only when the microphone is clearly louder than the echo alone
would make it. No Qt; fed from one thread.
"""

from __future__ import annotations

import collections
import statistics

PLAYING_DB = -50.0  # output quieter than this is treated as silence: nothing to echo
RECENT_S = 0.1  # the onset's own loudness
ECHO_S = 0.6  # the echo reaches the mic after the output and input latency
TRUST_S = 1.0  # learning before the coupling is trusted over the safe 0 dB
LEARN_S = 3.6  # coupling history
ECHO_PERCENTILE = 0.95  # the echo's loud moments, not its average, set the bar


class EchoGuard:
    """``observe`` every tick; ``user_is_louder`` when the VAD reports an onset."""

    def __init__(self, *, margin_db: float = 6.0, tick_s: float = 0.03) -> None:
        """``tick_s``: how often ``observe`` is called."""
        self.margin_db = margin_db

        def ticks(seconds: float) -> int:
            return max(1, round(seconds / tick_s))

        self._echo_ticks, self._trust_ticks = ticks(ECHO_S), ticks(TRUST_S)
        self._mic: collections.deque[float] = collections.deque(maxlen=ticks(RECENT_S))
        self._out: collections.deque[float] = collections.deque(maxlen=self._echo_ticks)
        self._coupling: collections.deque[float] = collections.deque(maxlen=ticks(LEARN_S))
        self._playing_ticks = 0

    def observe(self, mic_db: float, out_db: float) -> None:
        """The microphone's and the speakers' loudness over the same short stretch."""
        self._mic.append(mic_db)
        self._out.append(out_db)
        self._playing_ticks = self._playing_ticks + 1 if self.playing() else 0
        if self._playing_ticks >= self._echo_ticks and not self.user_is_louder():
            # the echo of this playing has reached the mic, and the user is not talking over it
            self._coupling.append(self._excess())

    def _excess(self) -> float:
        """How far the mic's recent loudness stands above the loudest recent output."""
        return statistics.fmean(self._mic) - self._echo_reference()

    def _echo_reference(self) -> float:
        """The loudest recent output: whatever the mic hears now was played within this span."""
        return max(self._out)

    @property
    def coupling_db(self) -> float:
        """How much louder (positive) or quieter the echo's loud moments are at the mic than what
        was played;
        until it has been heard for a while, assume as loud (0 dB), the safe side."""
        if len(self._coupling) < self._trust_ticks:
            return 0.0
        ordered = sorted(self._coupling)
        return ordered[int(ECHO_PERCENTILE * (len(ordered) - 1))]

    def playing(self) -> bool:
        return bool(self._out) and self._echo_reference() > PLAYING_DB

    def user_is_louder(self) -> bool:
        """True when no echo is possible, or the mic is ``margin_db`` above the echo's level."""
        if not self.playing():
            return True
        return self._excess() > self.coupling_db + self.margin_db

    def reset(self) -> None:
        self._mic.clear()
        self._out.clear()
        self._playing_ticks = 0
