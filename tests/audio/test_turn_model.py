"""Smart Turn v3 on our own voice: it hears a finished question; a broken model says so in words."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from avatar_desktop.audio.turn_model import (
    INPUT,
    MODEL_PATH,
    WINDOW_S,
    SmartTurn,
    TurnModelUnavailable,
    default_model_path,
    features,
)
from avatar_desktop.audio.vad import default_model_path as vad_model_path
from avatar_desktop.core.mel import SAMPLE_RATE, log_mel, normalise
from avatar_desktop.core.speech import Speech
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.speech import Float32, silence, spoken

QUESTION = "What is the weather like today?"
WONDERING = "I was wondering, what's the tallest mountain in Africa?"
WINDOW = WINDOW_S * SAMPLE_RATE


@pytest.fixture(scope="module")
def voice() -> PiperVoiceProvider:
    """The project's own voice, loaded once for the module."""
    piper = PiperVoiceProvider(variation=0.0)
    piper.load()
    return piper


@pytest.fixture(scope="module")
def model() -> SmartTurn:
    turn = SmartTurn()
    turn.load()
    return turn


def wondering(voice: PiperVoiceProvider) -> tuple[Float32, int]:
    """The whole wondering question at 16 kHz, and the sample where its comma begins."""
    from avatar_desktop.audio.encode import to_mono_16k
    from avatar_desktop.core.cancel import CancelToken

    speech: Speech = voice.synthesize(WONDERING, cancel=CancelToken())
    comma = next(p for p in speech.phones if p.symbol == ",")
    return to_mono_16k(speech.pcm, speech.sample_rate), round(comma.start * SAMPLE_RATE)


def test_the_model_ships_in_the_wheel() -> None:
    path = default_model_path()
    assert path is not None and path.is_file()
    assert 5_000_000 < path.stat().st_size < 15_000_000  # about 8.7 MB


def test_the_app_bundle_carries_its_own_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen app finds the model in its bundle folder before any installed package."""
    bundled = tmp_path / "pipecat" / MODEL_PATH
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert default_model_path() != bundled  # not carried: the installed wheel's copy
    bundled.parent.mkdir(parents=True)
    bundled.write_bytes(b"onnx")
    assert default_model_path() == bundled


def test_a_finished_question_scores_high(model: SmartTurn, voice: PiperVoiceProvider) -> None:
    score = model.complete(np.concatenate([spoken(voice, QUESTION), silence(0.2)]))
    assert score > 0.5


def test_a_sentence_cut_at_its_comma_scores_lower(
    model: SmartTurn, voice: PiperVoiceProvider
) -> None:
    pcm, comma = wondering(voice)
    whole = model.complete(np.concatenate([pcm, silence(0.2)]))
    cut = model.complete(np.concatenate([pcm[:comma], silence(0.2)]))
    assert whole > 0.5
    assert cut < whole
    assert cut < 0.5  # "I was wondering" is not a whole thought


def test_features_of_short_audio_are_padded_in_front(voice: PiperVoiceProvider) -> None:
    pcm = spoken(voice, QUESTION)
    out = features(pcm)
    assert out.shape == (1, 80, 800)
    assert out.dtype == np.float32
    padded = np.concatenate([np.zeros(WINDOW - len(pcm), np.float32), pcm])
    np.testing.assert_array_equal(out[0], log_mel(normalise(padded)))
    frames = len(pcm) // 160
    front, back = out[0, :, : 800 - frames - 3], out[0, :, -frames:]
    assert np.ptp(front, axis=1).max() < 1e-6  # the zeros: unchanging, before the voice
    assert np.ptp(back, axis=1).min() > 0.1  # the voice moves, at the end where the model looks


def test_features_of_long_audio_keep_the_last_eight_seconds(voice: PiperVoiceProvider) -> None:
    pcm = spoken(voice, QUESTION)
    rng = np.random.default_rng(5)
    early = (0.05 * rng.standard_normal(5 * SAMPLE_RATE)).astype(np.float32)
    long = np.concatenate([early, silence(4.0), pcm])
    assert len(long) > WINDOW
    out = features(long)
    assert out.shape == (1, 80, 800)
    np.testing.assert_array_equal(out, features(long[-WINDOW:]))
    assert not np.array_equal(out, features(long[:WINDOW]))


def test_features_of_nothing_are_the_floor() -> None:
    out = features(np.zeros(0, np.float32))
    assert out.shape == (1, 80, 800)
    assert np.isfinite(out).all() and np.ptp(out) == 0.0


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "smart-turn.onnx"
    with pytest.raises(TurnModelUnavailable, match="missing") as caught:
        SmartTurn(missing).load()
    assert str(missing) in str(caught.value)


def test_a_corrupt_file_says_so(tmp_path: Path) -> None:
    corrupt = tmp_path / "smart-turn.onnx"
    corrupt.write_bytes(np.random.default_rng(1).bytes(4096))
    turn = SmartTurn(corrupt)
    with pytest.raises(TurnModelUnavailable, match="could not be opened"):
        turn.load()
    with pytest.raises(TurnModelUnavailable):  # and asking it still fails in words
        turn.complete(silence(1.0))


def test_a_model_with_the_wrong_input_says_so() -> None:
    """Silero's voice detector is a real ONNX model that reads something else entirely."""
    vad = vad_model_path()
    assert vad is not None and vad.is_file()
    with pytest.raises(TurnModelUnavailable, match=INPUT):
        SmartTurn(vad).load()


def tiny_model(path: Path, *, frames: int, add: float) -> Path:
    """A model reading ``input_features`` (1, 80, frames) and giving their mean plus ``add``."""
    mean = helper.make_node("ReduceMean", [INPUT], ["mean"], keepdims=0)
    shift = helper.make_node("Add", ["mean", "offset"], ["score"])
    graph = helper.make_graph(
        [mean, shift],
        "tiny",
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [1, 80, frames])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [])],
        [helper.make_tensor("offset", TensorProto.FLOAT, [], [add])],
    )
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    built.ir_version = 8
    onnx.save(built, str(path))
    return path


def test_a_model_that_reads_another_shape_fails_in_words(tmp_path: Path) -> None:
    turn = SmartTurn(tiny_model(tmp_path / "short.onnx", frames=400, add=0.0))
    turn.load()  # opens fine: the fault shows only when it runs
    with pytest.raises(TurnModelUnavailable, match="failed"):
        turn.complete(silence(1.0))


def test_a_model_that_gives_no_probability_says_so(tmp_path: Path) -> None:
    turn = SmartTurn(tiny_model(tmp_path / "big.onnx", frames=800, add=5.0))
    with pytest.raises(TurnModelUnavailable, match="not a probability"):
        turn.complete(silence(1.0))


def test_a_well_formed_model_gives_its_value(tmp_path: Path) -> None:
    """The same tiny model with a fair output passes through: the checks above are not blanket."""
    turn = SmartTurn(tiny_model(tmp_path / "fair.onnx", frames=800, add=2.0))
    mean = float(features(silence(1.0)).mean())  # silence sits at the floor: -1.5
    assert turn.complete(silence(1.0)) == pytest.approx(2.0 + mean, abs=1e-5)
    assert 0.0 < turn.complete(silence(1.0)) < 1.0
