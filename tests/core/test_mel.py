"""Our numpy log-mel against the references the models were fed: faster-whisper and pipecat."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from faster_whisper.feature_extractor import FeatureExtractor

from avatar_desktop.audio.turn_model import default_model_path, features
from avatar_desktop.core.mel import HOP, N_MELS, SAMPLE_RATE, log_mel, normalise
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.speech import Float32, noise, silence, spoken

TOLERANCE = 1e-5  # both sides compute in float32 somewhere; the features span about [-1, 1]


@pytest.fixture(scope="module")
def speech() -> Float32:
    """A spoken question from the project's own voice, made once for the module."""
    voice = PiperVoiceProvider(variation=0.0)
    voice.load()
    return spoken(voice, "What is the weather like today?")


@pytest.fixture(scope="module")
def whisper() -> FeatureExtractor:
    return FeatureExtractor(feature_size=N_MELS)


def pipecat_features() -> ModuleType:
    """pipecat's vendored feature code, loaded from its file: ``import pipecat`` needs loguru,
    which the app does not install, but this one module imports only numpy."""
    path = default_model_path()
    if path is None:
        pytest.skip("the pipecat-ai wheel (which holds the reference features) is not installed")
    source = path.parent.parent / "_whisper_features.py"
    spec = importlib.util.spec_from_file_location("pipecat_whisper_features", source)
    if spec is None or spec.loader is None or not Path(source).is_file():
        pytest.skip(f"pipecat's feature code is not at {source}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_audio(n: int, seed: int = 3) -> Float32:
    """``n`` samples of loud random audio."""
    rng = np.random.default_rng(seed)
    return (0.1 * rng.standard_normal(n)).astype(np.float32)


def test_random_audio_matches_faster_whisper(whisper: FeatureExtractor) -> None:
    x = random_audio(3 * SAMPLE_RATE)
    ours, theirs = log_mel(x), whisper(x, padding=0)
    assert ours.shape == theirs.shape == (N_MELS, len(x) // HOP)
    np.testing.assert_allclose(ours, theirs, atol=TOLERANCE, rtol=0)


def test_speech_matches_faster_whisper(whisper: FeatureExtractor, speech: Float32) -> None:
    ours, theirs = log_mel(speech), whisper(speech, padding=0)
    assert ours.shape == theirs.shape == (N_MELS, len(speech) // HOP)
    np.testing.assert_allclose(ours, theirs, atol=TOLERANCE, rtol=0)


def test_speech_with_noise_and_odd_length_matches(
    whisper: FeatureExtractor, speech: Float32
) -> None:
    """A length that is no multiple of the hop drops its last partial frame, as Whisper does."""
    x = (np.concatenate([speech, silence(0.3)]) + noise(len(speech) / SAMPLE_RATE + 0.3))[:-77]
    ours, theirs = log_mel(x), whisper(x, padding=0)
    assert ours.shape == (N_MELS, len(x) // HOP)
    np.testing.assert_allclose(ours, theirs, atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("n", [0, 1, 159, 160, 199, 200, 201, 401, 16_000])
def test_any_length_gives_one_frame_per_hop(n: int) -> None:
    out = log_mel(random_audio(n))
    assert out.shape == (N_MELS, n // HOP)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()


def test_silence_is_flat_and_finite() -> None:
    out = log_mel(silence(1.0))
    assert out.shape == (N_MELS, 100)
    assert np.isfinite(out).all()
    assert np.ptp(out) == 0.0  # every band at the floor: nothing to see, and nothing blew up
    assert np.isfinite(normalise(silence(1.0))).all()


def test_normalise_gives_zero_mean_unit_variance(speech: Float32) -> None:
    out = normalise(speech + 0.2)  # loud enough that the 1e-7 guard does not matter
    assert out.dtype == np.float32
    assert abs(float(out.mean())) < 1e-4
    assert abs(float(out.std()) - 1.0) < 1e-3


@pytest.mark.parametrize("seconds", [1.7, 8.0])
def test_eight_second_window_matches_pipecat(speech: Float32, seconds: float) -> None:
    """Smart Turn's own feature code, on the window it would read: zeros in front, normalised."""
    reference = pipecat_features()
    clip = np.concatenate([silence(8.0), speech, silence(0.2)])[-int(seconds * SAMPLE_RATE) :]
    window = np.concatenate([np.zeros(8 * SAMPLE_RATE - len(clip), np.float32), clip])
    theirs = reference.compute_whisper_log_mel_features(window, do_normalize=True)
    ours = log_mel(normalise(window))
    assert ours.shape == theirs.shape == (N_MELS, 800)
    np.testing.assert_allclose(ours, theirs, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(features(clip)[0], theirs, atol=TOLERANCE, rtol=0)
