"""Whose turn is it? Voice activity, pauses, and a model that hears whether a thought is done.

:class:`TurnTaker` reads 16 kHz audio as it arrives. When the voice stops for a moment it
reports a :class:`Paused` with the words' audio since the last fixed point (to recognise now,
while the user may still go on), then a :class:`Judged`: the end-of-turn model's verdict, which
may be reached on another thread (``ask``, ``verdict``). If the voice comes back it
reports :class:`Resumed`; if the silence lasts — briefly after a finished thought, longer after
an unfinished one, never longer than a cap — it reports :class:`TurnEnded`. A pause can also be
judged by its words: ``hear_text`` holds the turn open when they trail off ("I was wondering…").

No Qt. ``feed``, ``ask`` and ``verdict`` run on one thread; ``hear_text`` may be called from
another, and a :class:`Judgement`'s ``assess`` from any.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import Enum, auto
from typing import Protocol

import numpy as np
import numpy.typing as npt

from avatar_desktop.audio.vad import SAMPLE_RATE, WINDOW, SileroVad, own_float32
from avatar_desktop.core.catalogue import Responsiveness

log = logging.getLogger(__name__)

Float32 = npt.NDArray[np.float32]
MODEL_SPAN = 8 * SAMPLE_RATE  # the end-of-turn model reads the latest 8 s: no more is held for it


@dataclass(frozen=True, slots=True)
class TurnPolicy:
    """How long silences must be. Times in milliseconds."""

    complete_silence_ms: int = 240  # a finished thought is over after this much quiet
    cap_silence_ms: int = 1600  # any turn is over after this much quiet
    # A finished question the model still hears as open is over after this much quiet: the
    # model, trained on people, sometimes takes a synthetic or flat voice's question for a
    # pause, and the words say otherwise.
    question_silence_ms: int = 640
    # The same for a long finished statement ("Please explain how a rainbow forms."): its words
    # end it after this much quiet, a short one ("Well.") may be a thought on its way.
    statement_silence_ms: int = 800
    statement_words: int = 4
    threshold: float = 0.5  # the end-of-turn model's chance above which a thought is finished
    # Quiet before a pause counts and its words go to the recogniser: one 32 ms window. Two
    # held every reply back 32 ms more, for half a pause fewer per turn (1.6 against 2.1).
    check_ms: int = 32
    resume_ms: int = 128  # a voice this long after a pause means the user goes on
    min_speech_ms: int = 250  # shorter voices (clicks, a cough) never start a turn
    pre_roll_ms: int = 200  # audio kept from before a voice, so the first sound is whole
    tail_ms: int = 150  # audio kept after the last voiced window
    fix_after_s: float = 1.5  # words before a pause after this much speech are final
    max_segment_s: float = 20.0  # a longer stretch with no pause is recognised in pieces
    vad_on: float = 0.5
    vad_off: float = 0.35


POLICIES: dict[Responsiveness, TurnPolicy] = {
    Responsiveness.QUICK: TurnPolicy(
        complete_silence_ms=160,
        question_silence_ms=480,
        statement_silence_ms=640,
        cap_silence_ms=1000,
    ),
    Responsiveness.BALANCED: TurnPolicy(),
    Responsiveness.PATIENT: TurnPolicy(
        complete_silence_ms=400,
        question_silence_ms=1200,
        statement_silence_ms=1600,
        cap_silence_ms=2500,
        threshold=0.6,
    ),
}


def policy_for(responsiveness: str, *, model: bool, silence_ms: int) -> TurnPolicy:
    """The policy for a setting; with no end-of-turn model, a fixed silence ends every turn."""
    try:
        chosen = POLICIES[Responsiveness(responsiveness)]
    except ValueError:
        chosen = POLICIES[Responsiveness.BALANCED]
    if model:
        return chosen
    return TurnPolicy(
        complete_silence_ms=silence_ms,
        question_silence_ms=silence_ms,
        statement_silence_ms=silence_ms,
        cap_silence_ms=silence_ms,
        threshold=0.0,
    )


class EndOfTurnModel(Protocol):
    def complete(self, pcm: npt.ArrayLike) -> float: ...


@dataclass(frozen=True, slots=True)
class TurnStarted:
    """A voice lasted long enough to be the user speaking; it began at ``at_sample``."""

    at_sample: int


@dataclass(frozen=True, slots=True, eq=False)
class Paused:
    """The voice stopped. ``pcm`` is the audio since the last fixed point, for recognition;
    a :class:`Judged` follows with the end-of-turn model's verdict."""

    pause: int
    pcm: Float32
    start_sample: int
    last_voiced_sample: int


@dataclass(frozen=True, slots=True)
class Judged:
    """The end-of-turn model's verdict on a pause: ``complete`` is its chance that the thought
    is finished (None without a working model, when every pause may be the end)."""

    pause: int
    complete: float | None
    likely_complete: bool


@dataclass(frozen=True, slots=True, eq=False)
class Judgement:
    """A pause put to the end-of-turn model: the audio it reads, cut when it was asked (the
    latest 8 s of the turn, and the words since the user went on, if they did). Its
    ``assess`` may run on any thread; the taker takes the verdict back with ``verdict``."""

    pause: int
    windows: tuple[Float32, ...]
    model: EndOfTurnModel | None

    def assess(self) -> tuple[float | None, str | None]:
        """The model's chance that the thought is finished, and why it failed if it did."""
        if self.model is None or not self.windows:
            return None, None
        try:
            return max(self.model.complete(window) for window in self.windows), None
        except Exception as exc:  # a broken model costs its verdicts, never the listening
            return None, str(exc) or type(exc).__name__


@dataclass(frozen=True, slots=True)
class Resumed:
    """The voice came back; ``fixed``: the words of the pause's audio stand (else the next
    pause's audio starts where this one's did, and its words replace them)."""

    pause: int
    at_sample: int
    fixed: bool


@dataclass(frozen=True, slots=True, eq=False)
class SegmentCut:
    """A long stretch with no pause: its audio is fixed and recognised as it stands."""

    pcm: Float32
    start_sample: int


@dataclass(frozen=True, slots=True)
class TurnEnded:
    """The user's turn is over; ``reason`` is "complete", "question", "statement", "cap" or
    "silence"."""

    pause: int
    last_voiced_sample: int
    reason: str


TurnEvent = TurnStarted | Paused | Judged | Resumed | SegmentCut | TurnEnded

# Words a finished English sentence does not end on: the thought goes on after a pause.
_DANGLING_WORDS = """
    a an the and but or so because if whether that than of to in on at for with from into about
    like as my your our their his its is are was were am be been being have has had do does did
    will would could should can may might must shall um uh er erm we i they he she maybe
"""


def _words(text: str) -> list[str]:
    return text.split()


_DANGLING = frozenset(_words(_DANGLING_WORDS))
# Prepositions a finished question may end on ("Where are you from?").
_STRANDED = frozenset(_words("about at for from in into like of on to with"))
# Words that end a short finished answer when the recogniser heard a full stop ("I do.",
# "I think so.", "Yes, I can."); "is" and "the" never do ("My favourite colour is…").
_ANSWER_ENDS = frozenset(_words("so do does did am can will would could should have has had"))
# A clause that opens with these needs another to finish it ("Before I forget. …").
_SUBORDINATE = frozenset(
    _words("before if when while although though since after unless until whenever once")
)
_TRAILING = ("...", "…", ",", "-", "—", "–", ";", ":")


def sounds_unfinished(text: str) -> bool:
    """Whether recognised words trail off: a comma, dash or ellipsis, or a dangling word."""
    stripped = text.strip().rstrip("\"')]")
    if not stripped:
        return False
    if stripped.endswith(_TRAILING):
        return True
    words = re.findall(r"[a-z']+", stripped.lower())
    if not words:
        return False
    if words[0] in _SUBORDINATE and not stripped.endswith(("?", "!")) and len(words) <= 8:
        return True  # "Before I forget." "If I wanted to start running."
    if words[-1] not in _DANGLING:
        return False
    last = words[-1]
    if stripped.endswith(("?", "!")) and last in _STRANDED:
        return False  # "Where are you from?"; but "Could you maybe?" is a thought on its way
    return not (stripped.endswith((".", "?", "!")) and last in _ANSWER_ENDS)


class _State(Enum):
    QUIET = auto()
    ONSET = auto()
    SPEECH = auto()
    PAUSED = auto()


class _Tape:
    """Audio held from ``start`` (a sample index) on, in whole windows."""

    def __init__(self) -> None:
        self.pieces: list[Float32] = []
        self.start = 0
        self.end = 0

    def add(self, window: Float32) -> None:
        self.pieces.append(window)
        self.end += len(window)

    def cut(self, begin: int, end: int) -> Float32:
        """Samples begin..end (clamped to what is held), as a read-only copy; only the windows
        the range touches are joined."""
        first = max(begin - self.start, 0) // WINDOW
        last = -(-max(end - self.start, 0) // WINDOW)
        pieces = self.pieces[first:last]
        joined = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        offset = self.start + first * WINDOW
        out = joined[max(begin, offset) - offset : max(end, offset) - offset].copy()
        out.flags.writeable = False
        return out

    def forget_before(self, sample: int) -> None:
        while self.pieces and self.start + len(self.pieces[0]) <= sample:
            self.start += len(self.pieces.pop(0))


def _n(ms: float) -> int:
    return round(ms * SAMPLE_RATE / 1000)


class TurnTaker:
    """Turns audio into turn events; see the module docstring. Indices count from the first
    sample fed since the last reset."""

    def __init__(
        self, vad: SileroVad, policy: TurnPolicy, model: EndOfTurnModel | None = None
    ) -> None:
        self._vad, self.policy, self._model = vad, policy, model
        self.model_failed: str | None = None  # why the model stopped working, once
        self.reset()

    def reset(self) -> None:
        self._vad.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self._tape = _Tape()
        self._state = _State.QUIET
        self._onset = self._turn_start = self._segment_start = 0
        self._last_voiced = self._resume_onset = 0
        self._resume_from: int | None = None
        self._pause = 0
        self._likely = False
        self._unjudged = False  # the latest pause awaits the model's verdict
        self._asked = 0  # the latest pause whose verdict was asked for
        self._heard: dict[int, bool] = {}  # pause -> its words sound finished
        self._closing: dict[int, str] = {}  # pause -> "question" or "statement": its words end it
        self._claim: int | None = None
        self._resumed_at: int | None = None
        self.last_probability = 0.0

    @property
    def samples_fed(self) -> int:
        return self._tape.end + len(self._pending)

    @property
    def in_turn(self) -> bool:
        return self._state in (_State.SPEECH, _State.PAUSED)

    def hear_text(self, pause: int, text: str) -> None:
        """The words of ``pause``'s audio: a turn whose words trail off waits for the cap."""
        finished = self._heard[pause] = not sounds_unfinished(text)
        words = text.strip()
        self._closing.pop(pause, None)
        if finished and words.endswith("?"):
            self._closing[pause] = "question"
        elif finished and words.endswith((".", "!")) and self._long(words):
            self._closing[pause] = "statement"

    def _long(self, words: str) -> bool:
        return len(words.split()) >= self.policy.statement_words

    def claim(self, from_sample: int) -> None:
        """Only audio from ``from_sample`` on is the user's (what came before was the avatar)."""
        if self.in_turn:
            self._segment_start = max(self._segment_start, from_sample)
        else:
            self._claim = from_sample

    def feed(self, pcm: npt.ArrayLike, *, judge: bool = True) -> list[TurnEvent]:
        """The next chunk of 16 kHz mono audio, any length; what happened in it.

        ``judge=False`` leaves a pause's verdict for later, so its audio can go to the
        recogniser first: ``judge()`` then runs the model here, or ``ask()`` hands the pause to
        another thread and ``verdict()`` takes its answer back (the listening loop's way)."""
        samples = own_float32(pcm)
        if len(self._pending):
            samples = np.concatenate([self._pending, samples])
        whole = len(samples) - len(samples) % WINDOW
        self._pending = samples[whole:].copy()
        events: list[TurnEvent] = []
        for window in samples[:whole].reshape(-1, WINDOW):
            self._step(window, events)
            if judge:
                events += self.judge()
        return events

    def judge(self) -> list[TurnEvent]:
        """The verdict on the latest pause, if it awaits one: [Judged], else []."""
        asked = self.ask()
        return [] if asked is None else self.verdict(asked, *asked.assess())

    def ask(self) -> Judgement | None:
        """The latest pause, if it awaits a verdict not yet asked for; its ``assess`` may then
        run on another thread while this taker reads on."""
        if not self._unjudged or self._asked == self._pause:
            return None
        self._asked = self._pause
        working = self._model is not None and self.model_failed is None
        return Judgement(self._pause, self._model_windows() if working else (), self._model)

    def verdict(
        self, asked: Judgement, complete: float | None, failure: str | None = None
    ) -> list[TurnEvent]:
        """Take the model's verdict on ``asked``: [Judged], or [] if it came too late (the user
        went on, or the turn is over). ``failure``: the model broke; turns end on silence."""
        if asked.pause != self._pause or not self._unjudged:
            return []
        if failure is not None and self.model_failed is None:
            self.model_failed = failure
            log.warning("end-of-turn model failed; ending turns on silence: %s", failure)
        self._unjudged = False
        self._likely = complete is None or complete >= self.policy.threshold
        return [Judged(self._pause, complete, self._likely)]

    def _step(self, window: Float32, events: list[TurnEvent]) -> None:
        p = self._vad.probability(window)
        self.last_probability = p
        begin = self._tape.end
        self._tape.add(window)
        now = self._tape.end
        voiced = p >= self.policy.vad_off
        if self._state is _State.QUIET:
            if p >= self.policy.vad_on:
                self._state, self._onset, self._last_voiced = _State.ONSET, begin, now
                self._maybe_start(events)
            else:
                self._tape.forget_before(now - _n(self.policy.pre_roll_ms))
        elif self._state is _State.ONSET:
            if voiced:
                self._last_voiced = now
                self._maybe_start(events)
            else:
                self._state = _State.QUIET
        elif self._state is _State.SPEECH:
            self._in_speech(voiced, now, events)
        else:
            self._in_pause(voiced, begin, now, events)

    def _maybe_start(self, events: list[TurnEvent]) -> None:
        if self._tape.end - self._onset < _n(self.policy.min_speech_ms):
            return
        self._state = _State.SPEECH
        start = max(self._onset - _n(self.policy.pre_roll_ms), self._tape.start)
        if self._claim is not None:
            start, self._claim = max(start, self._claim), None
        self._turn_start = self._segment_start = start
        self._resumed_at = None
        self._heard.clear()
        self._closing.clear()
        events.append(TurnStarted(self._onset))

    def _in_speech(self, voiced: bool, now: int, events: list[TurnEvent]) -> None:
        if voiced:
            self._last_voiced = now
        elif now - self._last_voiced >= _n(self.policy.check_ms):
            self._pause_now(events)
            return
        if now - self._segment_start >= _n(self.policy.max_segment_s * 1000):
            events.append(SegmentCut(self._tape.cut(self._segment_start, now), self._segment_start))
            self._segment_start = now
            self._keep_tape(now)

    def _pause_now(self, events: list[TurnEvent]) -> None:
        self._state, self._pause = _State.PAUSED, self._pause + 1
        self._resume_from = None
        end = self._last_voiced + _n(self.policy.tail_ms)
        self._likely, self._unjudged = False, True
        pcm = self._tape.cut(self._segment_start, end)
        events.append(Paused(self._pause, pcm, self._segment_start, self._last_voiced))

    def _model_windows(self) -> tuple[Float32, ...]:
        """What the model hears of the turn so far: its latest 8 s, and, after the user went on
        from a pause, what came after it alone (with a long silence inside its window the model
        often takes a finished thought for an open one)."""
        starts = [self._turn_start]
        if self._resumed_at is not None:
            starts.append(self._resumed_at)
        end = self._tape.end
        return tuple(self._tape.cut(max(start, end - MODEL_SPAN), end) for start in starts)

    def _in_pause(self, voiced: bool, begin: int, now: int, events: list[TurnEvent]) -> None:
        if voiced:
            if self._resume_from is None:
                self._resume_from = begin
            if now - self._resume_from >= _n(self.policy.resume_ms):
                self._resume(self._resume_from, events)
            return
        self._resume_from = None
        silence = now - self._last_voiced
        reason = self._ending(silence)
        if reason is not None:
            events.append(TurnEnded(self._pause, self._last_voiced, reason))
            self._state, self._unjudged = _State.QUIET, False  # an ended turn needs no verdict
            self._tape.forget_before(now - _n(self.policy.pre_roll_ms))

    def _ending(self, silence: int) -> str | None:
        policy = self.policy
        judged = self._model is not None and self.model_failed is None
        if silence >= _n(policy.cap_silence_ms):
            return "cap" if judged else "silence"
        finished = self._heard.get(self._pause, False) if self._model is not None else True
        if silence >= _n(policy.complete_silence_ms) and self._likely and finished:
            return "complete" if judged else "silence"  # a failed model judged nothing
        closing = None if self._unjudged else self._closing.get(self._pause)
        wait = {"question": policy.question_silence_ms, "statement": policy.statement_silence_ms}
        if closing is not None and silence >= _n(wait[closing]):
            return closing  # the model doubted words that are finished
        return None

    def _resume(self, at: int, events: list[TurnEvent]) -> None:
        spoken = self._last_voiced - self._segment_start
        fixed = spoken >= _n(self.policy.fix_after_s * 1000)
        if fixed:
            after_words = self._last_voiced + _n(self.policy.tail_ms)
            self._segment_start = min(at, max(at - _n(self.policy.pre_roll_ms), after_words))
        self._state, self._last_voiced = _State.SPEECH, self._tape.end
        self._unjudged = False
        self._resumed_at = max(at - _n(self.policy.pre_roll_ms), self._turn_start)
        events.append(Resumed(self._pause, at, fixed))
        self._keep_tape(self._tape.end)

    def _keep_tape(self, now: int) -> None:
        """Hold the open segment and the last 8 s of the turn (the model's window), no more."""
        keep = min(self._segment_start, max(self._turn_start, now - MODEL_SPAN))
        self._tape.forget_before(keep)
