"""The avatar's pose at one instant: what the renderer draws, computed Qt-free from the timeline.

Every field is a plain number so a pose can be blended, compared and tested without a screen.
Ranges are given per field; the renderer clamps nothing, the rig keeps values in range.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

STATES = ("idle", "listening", "thinking", "speaking", "error")


@dataclass(frozen=True, slots=True)
class Pose:
    """One frame of the character."""

    # Mouth (from visemes, co-articulated)
    jaw_open: float = 0.0  # 0 closed .. 1 wide open (aa)
    mouth_wide: float = 0.0  # -1 rounded/pursed (O, U) .. 0 neutral .. 1 spread (E, I, SS)
    lips_pressed: float = 0.0  # 0 .. 1 lips pressed together (PP: p, b, m)
    lip_bite: float = 0.0  # 0 .. 1 lower lip under the upper teeth (FF: f, v)
    tongue: float = 0.0  # 0 .. 1 tongue tip visible at the teeth (TH, and a little for DD, nn)
    # Face
    smile: float = 0.0  # -1 mouth corners down (sad) .. 1 smiling (happy)
    brow_raise: float = 0.0  # -1 lowered (angry, thinking) .. 1 raised (surprised)
    brow_inner: float = 0.0  # -1 inner ends down (angry) .. 1 inner ends up (sad, worried)
    blink: float = 0.0  # 0 eyes open .. 1 closed
    eye_wide: float = 0.0  # 0 .. 1 eyes opened wider (surprised)
    gaze_x: float = 0.0  # -1 looking to its right .. 1 to its left = the viewer's right
    gaze_y: float = 0.0  # -1 down .. 1 up (thinking looks up)
    # Head and body
    head_roll: float = 0.0  # degrees, positive tilts the head to its left (a question tilts)
    head_pitch: float = 0.0  # -1 .. 1, positive nods down
    head_yaw: float = 0.0  # -1 .. 1, positive turns the face toward the viewer's right
    breath: float = 0.0  # 0 .. 1 chest and shoulders rise
    shoulders_up: float = 0.0  # 0 .. 1 (shrug)
    # Arms (the right arm is the one that waves and points)
    right_arm_raise: float = 0.0  # 0 resting at the side .. 1 raised beside the head (wave)
    right_forearm: float = 0.0  # -1 .. 1 forearm swing (the wave oscillates this)
    point: float = 0.0  # 0 .. 1 right arm pointing forward/out at the viewer's left
    palms_open: float = 0.0  # 0 .. 1 both forearms up, palms open (explaining, shrug)
    # Weight (last, so positional construction of the fields above still holds)
    lean: float = 0.0  # -1 .. 1 upper body swayed toward the viewer's left .. right

    def blend(self, other: Pose, amount: float) -> Pose:
        """Linear mix towards ``other`` (0 gives self, 1 gives other)."""
        return Pose(
            *(
                (1.0 - amount) * getattr(self, f.name) + amount * getattr(other, f.name)
                for f in fields(Pose)
            )
        )


NEUTRAL = Pose()
