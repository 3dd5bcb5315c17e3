"""What one sentence asks D-ID for: a talk of the user's portrait or a stock presenter's clip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from avatar_desktop.core.catalogue import PresenterKind
from avatar_desktop.core.cues import canonical

DEFAULT_VOICE = "en-US-JennyNeural"
TRANSITION_FRAMES = 10

DidExpression = Literal["neutral", "happy", "serious", "surprise"]

# Our emotion cue → D-ID's expression and how strongly; see expressions_for.
EXPRESSION_FOR: dict[str, tuple[DidExpression, float]] = {
    "neutral": ("neutral", 1.0),
    "happy": ("happy", 0.8),
    "sad": ("serious", 0.6),
    "surprised": ("surprise", 0.8),
    "angry": ("serious", 1.0),
    "thinking": ("serious", 0.4),
}


@dataclass(frozen=True, slots=True)
class Expression:
    """One entry of ``driver_expressions``: from ``start_frame`` on, the face shows this."""

    start_frame: int
    expression: DidExpression
    intensity: float


@dataclass(frozen=True, slots=True)
class TalkRequest:
    """A sentence spoken by the user's portrait (``source_url`` from ``upload_image``)."""

    source_url: str
    text: str
    voice_id: str = DEFAULT_VOICE
    expressions: tuple[Expression, ...] = ()

    def body(self) -> dict[str, Any]:
        config: dict[str, Any] = {"stitch": True, "result_format": "mp4"}
        if self.expressions:
            config["driver_expressions"] = {
                "expressions": [
                    {
                        "start_frame": e.start_frame,
                        "expression": e.expression,
                        "intensity": e.intensity,
                    }
                    for e in self.expressions
                ],
                "transition_frames": TRANSITION_FRAMES,
            }
        return {
            "source_url": self.source_url,
            "script": _script(self.text, self.voice_id),
            "config": config,
        }


@dataclass(frozen=True, slots=True)
class ClipRequest:
    """A sentence spoken by one of D-ID's stock presenters."""

    presenter_id: str
    driver_id: str
    text: str
    voice_id: str = DEFAULT_VOICE

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "presenter_id": self.presenter_id,
            "script": _script(self.text, self.voice_id),
            "config": {"result_format": "mp4"},
        }
        if self.driver_id:
            body["driver_id"] = self.driver_id
        return body


class ClipSettings(Protocol):
    """The presenter settings a clip reads (``storage.settings.Settings`` has them)."""

    @property
    def presenter(self) -> PresenterKind: ...
    @property
    def did_portrait_url(self) -> str | None: ...
    @property
    def did_voice(self) -> str: ...
    @property
    def did_presenter_id(self) -> str: ...
    @property
    def did_driver_id(self) -> str | None: ...


def request_for(
    settings: ClipSettings, text: str, emotions: Sequence[str]
) -> TalkRequest | ClipRequest:
    """What one clip asks D-ID for, from the presenter settings (the portrait once uploaded)."""
    if settings.presenter == PresenterKind.DID_TALK and settings.did_portrait_url:
        moods = expressions_for([(0.0, name) for name in emotions])
        return TalkRequest(settings.did_portrait_url, text, settings.did_voice, moods)
    driver = settings.did_driver_id or ""
    return ClipRequest(settings.did_presenter_id, driver, text, settings.did_voice)


def expressions_for(
    emotions: Sequence[tuple[float, str]], *, fps: int = 25
) -> tuple[Expression, ...]:
    """D-ID face expressions for the emotion cues of one sentence (seconds in, cue name).

    D-ID knows only four expressions, so ours are folded onto them:

    ========== ========== =========
    our cue    D-ID       intensity
    ========== ========== =========
    neutral    neutral    1.0
    happy      happy      0.8
    sad        serious    0.6
    surprised  surprise   0.8
    angry      serious    1.0
    thinking   serious    0.4
    ========== ========== =========

    Aliases ("smile", "wow") count as their emotion; gestures and unknown words are skipped.
    The face starts neutral unless a cue sits at frame 0; of cues on one frame the last wins,
    and a cue that repeats the current expression adds nothing.
    """
    by_frame: dict[int, tuple[DidExpression, float]] = {}
    for seconds, name in emotions:
        try:
            emotion = canonical(name.strip())
        except ValueError:
            continue
        if emotion in EXPRESSION_FOR:
            by_frame[max(0, round(seconds * fps))] = EXPRESSION_FOR[emotion]
    by_frame.setdefault(0, EXPRESSION_FOR["neutral"])
    out: list[Expression] = []
    for frame in sorted(by_frame):
        expression, intensity = by_frame[frame]
        if out and (out[-1].expression, out[-1].intensity) == (expression, intensity):
            continue
        out.append(Expression(frame, expression, intensity))
    return tuple(out)


def _script(text: str, voice_id: str) -> dict[str, Any]:
    return {
        "type": "text",
        "input": text,
        "provider": {"type": "microsoft", "voice_id": voice_id},
    }
