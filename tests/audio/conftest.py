"""The turn tests' spoken scenes, shared by their modules (see ``turn_scenes``)."""

from tests.audio.turn_scenes import clips, model, taker  # noqa: F401  (session-wide fixtures)
