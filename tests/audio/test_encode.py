"""Audio to upload files: exact WAVs, pieces cut in pauses that rejoin losslessly, any WAV in."""

from __future__ import annotations

import importlib.util
import io
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avatar_desktop.audio.encode import (
    DEFAULT_MAX_BYTES,
    SAMPLE_RATE,
    as_int16,
    flac_available,
    read_wav,
    split_at_silences,
    to_flac,
    to_mono_16k,
    to_wav,
    upload_chunks,
)

Float = npt.NDArray[np.float32]


def tone(seconds: float, hz: float, *, rate: int = SAMPLE_RATE, level: float = 0.3) -> Float:
    t = np.arange(round(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def wav_bytes(samples: npt.NDArray[np.generic], *, rate: int, width: int, channels: int) -> bytes:
    """A WAV written by the stdlib, independent of the code under test."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def speech_like(minutes: float, seed: int = 7) -> tuple[Float, list[tuple[int, int]]]:
    """Tones of 2–8 s ("words") separated by 0.4–1.2 s of near-silence; returns the pauses."""
    rng = np.random.default_rng(seed)
    parts: list[Float] = []
    pauses: list[tuple[int, int]] = []
    at, total = 0, int(minutes * 60 * SAMPLE_RATE)
    while at < total:
        word = tone(rng.uniform(2, 8), rng.uniform(150, 900), level=rng.uniform(0.1, 0.6))
        gap = round(rng.uniform(0.4, 1.2) * SAMPLE_RATE)
        hiss = (rng.standard_normal(gap) * 3e-4).astype(np.float32)
        parts += [word, hiss]
        pauses.append((at + len(word), at + len(word) + gap))
        at += len(word) + gap
    return np.concatenate(parts), pauses


def dominant_hz(samples: Float, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


# --- WAV and FLAC -----------------------------------------------------------------------------


def test_wav_round_trip() -> None:
    pcm = tone(1.25, 440)

    data = to_wav(pcm)

    with wave.open(io.BytesIO(data), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16_000)
        assert wav.getnframes() == len(pcm)
    assert len(data) == 44 + 2 * len(pcm)
    back, rate = read_wav(data)
    assert rate == SAMPLE_RATE
    assert back.dtype == np.float32 and back.shape == pcm.shape
    np.testing.assert_allclose(back, pcm, atol=1.5 / 32767)


def test_int16_goes_into_the_wav_unchanged() -> None:
    pcm = np.array([0, 1, -1, 32767, -32768, 12345], dtype=np.int16)
    with wave.open(io.BytesIO(to_wav(pcm)), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
    assert np.array_equal(np.frombuffer(frames, dtype="<i2"), pcm)


def test_floats_outside_the_range_clip_and_nan_is_silence() -> None:
    pcm = np.array([1.5, -2.0, 1.0, -1.0, 0.25, np.nan, np.inf, -np.inf], dtype=np.float32)
    assert as_int16(pcm).tolist() == [32767, -32767, 32767, -32767, 8192, 0, 32767, -32767]
    back, _ = read_wav(to_wav(pcm))
    assert float(back.max()) <= 1.0 and float(back.min()) >= -1.0


def test_float64_is_accepted() -> None:
    assert as_int16(np.array([0.5, -0.5])).tolist() == [16384, -16384]


@pytest.mark.parametrize(
    ("pcm", "error"),
    [
        (np.zeros((10, 2), dtype=np.float32), ValueError),
        (np.zeros(10, dtype=np.int32), TypeError),
        (np.zeros(10, dtype=bool), TypeError),
    ],
)
def test_wrong_shapes_and_types_are_refused(
    pcm: npt.NDArray[np.generic], error: type[Exception]
) -> None:
    with pytest.raises(error):
        to_wav(pcm)


def test_flac_only_when_soundfile_is_there() -> None:
    installed = importlib.util.find_spec("soundfile") is not None
    data = to_flac(tone(0.5, 300))
    if not installed:
        assert data is None and not flac_available()
    elif flac_available():
        assert data is not None and data.startswith(b"fLaC")


# --- splitting at silences --------------------------------------------------------------------


@st.composite
def audio_and_limit(draw: st.DrawFn) -> tuple[Float, float, int, int]:
    """Random-length audio of bursts and gaps (or pure noise), and a random piece limit."""
    length = draw(st.integers(min_value=0, max_value=60_000))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    pcm = (rng.standard_normal(length) * 0.2).astype(np.float32)
    if draw(st.booleans()):
        envelope = np.repeat(rng.random(length // 2000 + 1) > 0.4, 2000)[:length]
        pcm *= envelope
    max_seconds = draw(st.floats(min_value=1 / SAMPLE_RATE, max_value=2.0))
    min_silence_ms = draw(st.integers(min_value=0, max_value=500))
    frame_ms = draw(st.integers(min_value=1, max_value=60))
    return pcm, max_seconds, min_silence_ms, frame_ms


@settings(max_examples=150, deadline=None)
@given(audio_and_limit())
def test_pieces_rejoin_to_exactly_the_input(case: tuple[Float, float, int, int]) -> None:
    pcm, max_seconds, min_silence_ms, frame_ms = case

    pieces = split_at_silences(
        pcm, max_seconds=max_seconds, min_silence_ms=min_silence_ms, frame_ms=frame_ms
    )

    limit = int(max_seconds * SAMPLE_RATE)
    assert all(0 < len(piece) <= limit for piece in pieces)
    joined = np.concatenate(pieces) if pieces else pcm[:0]
    assert joined.dtype == pcm.dtype
    assert np.array_equal(joined, pcm)


def test_short_audio_is_one_piece_and_nothing_is_no_pieces() -> None:
    pcm = tone(3, 200)
    assert [len(p) for p in split_at_silences(pcm, max_seconds=3)] == [len(pcm)]
    assert split_at_silences(pcm[:0], max_seconds=3) == []


def test_without_a_pause_the_cut_falls_at_the_limit() -> None:
    pcm = tone(10, 220)
    sizes = [len(p) for p in split_at_silences(pcm, max_seconds=3)]
    assert sizes == [48_000, 48_000, 48_000, 16_000]


def test_the_cut_lands_in_the_pause_near_the_end() -> None:
    pcm = np.concatenate([tone(2.5, 300), np.zeros(8000, np.float32), tone(4, 300)])

    first, *_ = split_at_silences(pcm, max_seconds=4)

    assert 2.5 * SAMPLE_RATE + 1600 <= len(first) <= 3.0 * SAMPLE_RATE - 1600


def test_a_pause_too_early_in_the_window_is_not_used() -> None:
    pcm = np.concatenate([tone(0.5, 300), np.zeros(8000, np.float32), tone(6, 300)])
    first, *_ = split_at_silences(pcm, max_seconds=4)
    assert len(first) == 4 * SAMPLE_RATE


def test_int16_input_splits_the_same() -> None:
    pcm = np.concatenate([tone(2.5, 300), np.zeros(8000, np.float32), tone(4, 300)])
    as_float = [len(p) for p in split_at_silences(pcm, max_seconds=4)]
    as_int = split_at_silences(as_int16(pcm), max_seconds=4)
    assert [len(p) for p in as_int] == as_float
    assert all(p.dtype == np.int16 for p in as_int)


def test_a_limit_below_one_sample_is_refused() -> None:
    with pytest.raises(ValueError):
        split_at_silences(tone(1, 300), max_seconds=0)


# --- upload chunks ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def twenty_minutes() -> tuple[Float, list[tuple[int, int]]]:
    return speech_like(20)


@pytest.mark.parametrize("max_bytes", [DEFAULT_MAX_BYTES, 2 * 1024 * 1024])
def test_upload_chunks_fit_and_cut_in_pauses(
    twenty_minutes: tuple[Float, list[tuple[int, int]]], max_bytes: int
) -> None:
    pcm, pauses = twenty_minutes

    chunks = upload_chunks(pcm, max_bytes=max_bytes)

    assert [name for name, _ in chunks] == [f"speech-{n}.wav" for n in range(1, len(chunks) + 1)]
    assert len(chunks) >= 2
    assert all(len(data) < max_bytes for _, data in chunks)
    decoded = [read_wav(data) for _, data in chunks]
    assert all(rate == SAMPLE_RATE for _, rate in decoded)
    lengths = [len(samples) for samples, _ in decoded]
    assert sum(lengths) == len(pcm)
    margin = SAMPLE_RATE // 10  # at least 0.1 s from the nearest "word"
    for cut in np.cumsum(lengths)[:-1]:
        assert any(start + margin <= cut <= end - margin for start, end in pauses), cut
    rejoined = np.concatenate([samples for samples, _ in decoded])
    np.testing.assert_allclose(rejoined, pcm, atol=1.5 / 32767)


def test_upload_chunks_of_a_short_clip_is_one_file() -> None:
    chunks = upload_chunks(tone(2, 300))
    assert [name for name, _ in chunks] == ["speech-1.wav"]
    assert len(chunks[0][1]) == 44 + 2 * 2 * SAMPLE_RATE


def test_upload_chunks_refuses_a_limit_that_holds_no_audio() -> None:
    with pytest.raises(ValueError):
        upload_chunks(tone(2, 300), max_bytes=1000)


# --- any WAV the user picks -------------------------------------------------------------------


def test_stereo_44k1_becomes_mono_16k_of_the_same_length(tmp_path: Path) -> None:
    left, right = tone(2.5, 440, rate=44_100), tone(2.5, 440, rate=44_100, level=0.1)
    stereo = (np.stack([left, right], axis=1) * 32767).astype("<i2")
    path = tmp_path / "picked.wav"
    path.write_bytes(wav_bytes(stereo, rate=44_100, width=2, channels=2))

    pcm, rate = read_wav(path)
    mono = to_mono_16k(pcm, rate)

    assert (pcm.shape, rate) == ((110_250, 2), 44_100)
    assert mono.dtype == np.float32 and mono.ndim == 1
    assert len(mono) == 40_000  # 2.5 s at 16 kHz
    assert dominant_hz(mono, SAMPLE_RATE) == pytest.approx(440, abs=2)
    steady = mono[1000:-1000]
    assert float(np.sqrt(np.mean(steady**2))) == pytest.approx(0.2 / np.sqrt(2), rel=0.02)


def test_downsampling_filters_out_what_16k_cannot_hold() -> None:
    high = tone(1, 12_000, rate=48_000)  # would alias to 4 kHz without the low-pass
    mono = to_mono_16k(high, 48_000)
    assert float(np.sqrt(np.mean(mono[200:-200] ** 2))) < 0.02


def test_upsampling_keeps_the_tone() -> None:
    mono = to_mono_16k(tone(1, 1000, rate=8000), 8000)
    assert len(mono) == SAMPLE_RATE
    assert dominant_hz(mono, SAMPLE_RATE) == pytest.approx(1000, abs=2)


def test_16k_mono_passes_through() -> None:
    pcm = tone(0.5, 300)
    assert np.array_equal(to_mono_16k(pcm, SAMPLE_RATE), pcm)
    assert np.array_equal(to_mono_16k(as_int16(pcm), SAMPLE_RATE), read_wav(to_wav(pcm))[0])


@pytest.mark.parametrize(
    ("width", "samples"),
    [
        (1, np.array([128, 255, 0, 192], dtype=np.uint8)),
        (2, np.array([0, 32767, -32768, 16384], dtype="<i2")),
        (4, np.array([0, 2**31 - 1, -(2**31), 2**30], dtype="<i4")),
    ],
)
def test_integer_widths_read_to_the_same_scale(
    width: int, samples: npt.NDArray[np.generic]
) -> None:
    pcm, rate = read_wav(wav_bytes(samples, rate=22_050, width=width, channels=1))
    assert rate == 22_050
    np.testing.assert_allclose(pcm, [0.0, 1.0, -1.0, 0.5], atol=1 / 127)


def test_24_bit_samples_are_sign_extended() -> None:
    values = [0, 2**23 - 1, -(2**23), 2**22, -1]
    raw = b"".join(v.to_bytes(3, "little", signed=True) for v in values)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(3)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(raw)
    pcm, _ = read_wav(buffer.getvalue())
    np.testing.assert_allclose(pcm, [0.0, 1.0, -1.0, 0.5, 0.0], atol=1e-6)


def test_read_wav_takes_a_file_object() -> None:
    pcm, rate = read_wav(io.BytesIO(to_wav(tone(0.1, 300))))
    assert (len(pcm), rate) == (1600, SAMPLE_RATE)


@pytest.mark.parametrize("data", [b"", b"RIFF", b"not a wave file at all, sorry"])
def test_what_is_not_a_wav_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a PCM WAV file"):
        read_wav(data)


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        read_wav(tmp_path / "gone.wav")
