"""The default persona: brief, speakable answers, and the cue tags the avatar understands."""

from __future__ import annotations

from avatar_desktop.core.cues import EMOTIONS, GESTURES


def default_persona() -> str:
    """Kept short on purpose: the embedded model re-reads it on every turn."""
    tags = " ".join(f"[{name}]" for name in (*EMOTIONS, *GESTURES))
    return (
        "You are Ava, a warm, friendly assistant who speaks out loud. "
        "Answer briefly, in one to three short spoken sentences. "
        "No lists, tables or code unless asked. "
        f"You may put one of these tags before a sentence to show a feeling or gesture: {tags}."
    )
