"""The avatar surface: what any kind of avatar (drawn, 3D, Live2D, ...) is given to show.

The turn never talks to a renderer. The rig (``avatar/rig.py``) turns the turn's state, cues
and speech into what a surface receives, on the GUI thread:

- ``set_pose(pose)`` every frame (about 60 a second): the whole character as numbers
  (``avatar/pose.py``). The mouth fields are the visemes, already blended, co-articulated and
  sampled at the audio clock's position, so a renderer with blend shapes maps numbers and
  never sees a phoneme. Emotion, gestures, state and idle life are in the pose too.
- ``on_event(event)`` when something named happens: a state change, an emotion, a gesture
  starting. A renderer that plays authored motions (a Live2D motion, a 3D animation clip)
  starts them from these; one that follows the pose (the drawn avatar) may ignore them, as
  their effect is already in the poses that follow.
- the window's overlay: ``set_caption`` (the sentence being heard), ``set_state_label``
  ("Thinking…"), ``set_error`` (the last answer failed) and ``set_look`` (the user's choice of
  skin, hair, eyes, clothes; a kind with its own model may keep only what it can use).

A surface gives one thing out: ``widget()``, the toolkit widget the window lays out (a QWidget
here; this module stays Qt-free, so it is typed loosely). Kinds are registered by name in
``ui/avatar/surfaces.py`` and chosen with the ``avatar_kind`` setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from avatar_desktop.avatar.look import Look
from avatar_desktop.avatar.pose import Pose


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The avatar is now ``state`` (one of ``pose.STATES``: idle, listening, thinking, ...)."""

    state: str
    at: float  # the rig's clock (monotonic seconds) when it changed


@dataclass(frozen=True, slots=True)
class EmotionChanged:
    """The avatar now feels ``emotion`` (one of ``cues.EMOTIONS``; "neutral" when calm)."""

    emotion: str
    at: float


@dataclass(frozen=True, slots=True)
class GestureStarted:
    """The avatar starts ``gesture`` (one of ``cues.GESTURES``) at ``amount`` strength."""

    gesture: str
    amount: float
    at: float  # may lie a little ahead: a gesture can be started before it shows


AvatarEvent = StateChanged | EmotionChanged | GestureStarted


@runtime_checkable
class AvatarSurface(Protocol):
    """One kind of avatar, as the window and the app's wiring see it."""

    def widget(self) -> Any:
        """The widget the window lays out (and lays the D-ID video over)."""

    def set_pose(self, pose: Pose) -> None:
        """This frame's pose; called about 60 times a second, so keep it cheap."""

    def on_event(self, event: AvatarEvent) -> None:
        """A named state, emotion or gesture, for renderers that play their own motions."""

    def set_look(self, look: Look) -> None: ...

    def look(self) -> Look: ...

    def set_caption(self, text: str) -> None:
        """The sentence being heard; an empty string hides it."""

    def caption(self) -> str: ...

    def set_state_label(self, text: str) -> None:
        """A short state name ("Thinking…"); an empty string hides it."""

    def set_error(self, on: bool) -> None:
        """Show that the last answer failed, so a failure never looks like thinking."""
