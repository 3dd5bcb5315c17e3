"""The avatar's voice and sound device: opened at start, loaded and warmed up off the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from avatar_desktop.app.workers import Pools
from avatar_desktop.audio.playback import VirtualClockPlayer, open_player
from avatar_desktop.core import notices
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.base import ProviderError, Voice
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from avatar_desktop.storage.settings import Settings

# Samples per output block (11.6 ms at 22.05 kHz): the device then holds about 23 ms, and the
# first sound of a reply comes out that much sooner than with 512 (46 ms).
OUTPUT_BLOCK = 256

log = logging.getLogger(__name__)

# Long enough that the voice's first run sizes its buffers for real sentences.
WARM_UP_SENTENCE = "Hello! I am getting ready to talk with you about anything you like, today."


class Sound:
    """This computer's voice (the fallback for any cloud voice) and the player it speaks through.

    ``settled`` turns true once the local voice has loaded, or failed and said so.
    """

    def __init__(
        self, settings: Settings, *, cloud_voice: Voice | None, cache_dir: Path, speak: bool
    ) -> None:
        self.local_voice = PiperVoiceProvider(cache_dir / "voices") if speak else None
        self.voice: Voice | None = (cloud_voice or self.local_voice) if speak else None
        self.player: Any = _open_player(settings, self.voice, speak)
        self.settled = False

    def load(self, pools: Pools, *, lost: Callable[[], None], done: Callable[[], None]) -> None:
        """Load and warm up the local voice; ``lost`` when it can't be had, ``done`` either way."""
        voice = self.local_voice
        if voice is None:
            done()
            return

        def failed(exc: Exception) -> None:
            self.settled = True
            words = exc.user_message if isinstance(exc, ProviderError) else str(exc)
            notices.warning(f"The voice could not be loaded: {words} Answers stay as text.")
            lost()
            done()

        def job(_emit: object) -> None:
            voice.load()
            # The first synthesis sets up espeak and onnxruntime while holding the GIL for
            # ~100 ms; pay for it now rather than during the first answer.
            voice.synthesize(WARM_UP_SENTENCE, cancel=CancelToken())

        def loaded(_result: object) -> None:
            self.settled = True
            done()

        pools.start(pools.load, job, returned=loaded, errored=failed)

    def set_output(self, device: str | None) -> None:
        """Speak through another output device (None: the system's default)."""
        self.player.set_device(device)
        if self.player.problem:
            notices.warning(self.player.problem)


def _open_player(settings: Settings, voice: Voice | None, speak: bool) -> Any:
    rate = int(getattr(voice, "sample_rate", 22050))
    if not speak:
        return VirtualClockPlayer(problem="Speech is off.", sample_rate=rate)
    player = open_player(
        sample_rate=rate, device=settings.output_device, latency="low", blocksize=OUTPUT_BLOCK
    )
    player.volume = settings.volume
    player.muted = settings.muted
    if player.problem:
        notices.warning(player.problem)
    return player
