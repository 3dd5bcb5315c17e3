"""Voice activity detection on real speech from our own voice, with the real Silero model."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from avatar_desktop.audio.encode import to_mono_16k
from avatar_desktop.audio.vad import (
    SAMPLE_RATE,
    WINDOW,
    SileroVad,
    SpeechStarted,
    UtteranceDetector,
    UtteranceEnded,
    VadEvent,
    VadSettings,
    VadUnavailable,
    default_model_path,
)
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.local.tts import PiperVoiceProvider

Audio = npt.NDArray[np.float32]

FOX = "The quick brown fox jumps over the lazy dog."
HELLO = "Hello there, how are you doing today?"
LOUD = 0.02  # a 20 ms stretch this loud (RMS) is sound, not silence
SETTINGS = VadSettings()
PRE_ROLL = SETTINGS.pre_roll_ms * SAMPLE_RATE // 1000
MIN_SPEECH = SETTINGS.min_speech_ms * SAMPLE_RATE // 1000
END_SILENCE = SETTINGS.end_silence_ms * SAMPLE_RATE // 1000
TAIL = SETTINGS.tail_ms * SAMPLE_RATE // 1000


@pytest.fixture(scope="module")
def clips() -> dict[str, Audio]:
    """Both sentences spoken once by the bundled voice, at 16 kHz."""
    voice = PiperVoiceProvider(variation=0.0)
    voice.load()
    spoken = {}
    for text in (FOX, HELLO):
        speech = voice.synthesize(text, cancel=CancelToken())
        spoken[text] = to_mono_16k(speech.pcm, speech.sample_rate)
    return spoken


@pytest.fixture
def detector() -> UtteranceDetector:
    return UtteranceDetector(SileroVad())


def silence(seconds: float) -> Audio:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


def join(*parts: Audio) -> Audio:
    return np.concatenate(parts).astype(np.float32)


def loud_span(pcm: Audio, offset: int = 0) -> tuple[int, int]:
    """First and last sample of the stretch where the audio is audibly loud."""
    frame = SAMPLE_RATE // 50
    level = np.sqrt(np.convolve(pcm.astype(np.float64) ** 2, np.ones(frame) / frame, "same"))
    loud = np.flatnonzero(level > LOUD)
    assert len(loud), "the clip is silent"
    return offset + int(loud[0]), offset + int(loud[-1])


def timeline(detector: UtteranceDetector, audio: Audio, chunk: int) -> list[tuple[int, VadEvent]]:
    """Each event with how many samples had been fed when it came out."""
    seen: list[tuple[int, VadEvent]] = []
    for begin in range(0, len(audio), chunk):
        piece = audio[begin : begin + chunk]
        seen += [(begin + len(piece), event) for event in detector.feed(piece)]
    return seen


def events(detector: UtteranceDetector, audio: Audio, chunk: int = 1600) -> list[VadEvent]:
    """All events for ``audio`` fed in ``chunk``-sized pieces, then flushed."""
    return [event for _, event in timeline(detector, audio, chunk)] + detector.flush()


def utterances(found: Iterable[VadEvent]) -> list[UtteranceEnded]:
    return [event for event in found if isinstance(event, UtteranceEnded)]


def kinds(found: Iterable[VadEvent]) -> list[str]:
    return [type(event).__name__ for event in found]


def pink_noise(seconds: float, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """Noise with a 1/f spectrum, like rumble and room hum."""
    count = round(seconds * SAMPLE_RATE)
    spectrum = np.fft.rfft(rng.standard_normal(count))
    frequencies = np.fft.rfftfreq(count, 1 / SAMPLE_RATE)
    spectrum[1:] /= np.sqrt(frequencies[1:])
    spectrum[0] = 0
    return np.fft.irfft(spectrum, count)


def brown_noise(seconds: float, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """A random walk with its slow drift removed: deep rumbling noise."""
    walk = np.cumsum(rng.standard_normal(round(seconds * SAMPLE_RATE)))
    return walk - np.convolve(walk, np.ones(801) / 801, "same")


def at_rms(noise: npt.NDArray[np.float64], rms: float) -> Audio:
    scaled: Audio = (noise * (rms / np.sqrt(np.mean(noise**2)))).astype(np.float32)
    return scaled


# --- the model ---------------------------------------------------------------------------------


def test_the_model_ships_with_faster_whisper() -> None:
    path = default_model_path()
    assert path is not None and path.is_file()


def test_the_model_scores_windows_and_reset_repeats_them(clips: dict[str, Audio]) -> None:
    vad = SileroVad()
    assert not vad.is_loaded
    audio = join(silence(0.5), clips[FOX])
    windows = audio[: len(audio) // WINDOW * WINDOW].reshape(-1, WINDOW)
    first = [vad.probability(window) for window in windows]
    assert vad.is_loaded
    vad.reset()
    again = [vad.probability(window) for window in windows]
    assert first == again
    assert all(0.0 <= p <= 1.0 for p in first)
    assert max(first[:10]) < 0.2 and max(first) > 0.9


@pytest.mark.parametrize("size", [0, 511, 513, 576])
def test_a_window_is_exactly_512_samples(size: int) -> None:
    with pytest.raises(ValueError, match="512"):
        SileroVad().probability(np.zeros(size, np.float32))


def test_a_missing_model_file_is_explained(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "silero_vad_v6.onnx"
    vad = SileroVad(missing)
    with pytest.raises(VadUnavailable, match="model is missing") as caught:
        vad.load()
    assert str(missing) in str(caught.value) and "installer" in str(caught.value)
    detector = UtteranceDetector(SileroVad(missing))
    with pytest.raises(VadUnavailable):
        detector.feed(silence(0.1))


def test_a_damaged_model_file_is_explained(tmp_path: Path) -> None:
    damaged = tmp_path / "silero_vad_v6.onnx"
    damaged.write_bytes(b"not a model")
    with pytest.raises(VadUnavailable, match="could not be opened"):
        SileroVad(damaged).load()


def test_missing_onnxruntime_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(VadUnavailable, match="onnxruntime"):
        SileroVad().load()


def test_the_module_does_not_import_qt() -> None:
    code = "import sys, avatar_desktop.audio.vad; print('PySide6' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"


def test_settings_are_checked() -> None:
    assert SETTINGS.release_threshold == pytest.approx(0.35)
    assert VadSettings(threshold=0.6, off_threshold=0.2).release_threshold == 0.2
    with pytest.raises(ValueError):
        VadSettings(threshold=1.5)
    with pytest.raises(ValueError):
        VadSettings(threshold=0.5, off_threshold=0.7)
    with pytest.raises(ValueError):
        VadSettings(end_silence_ms=-1)
    with pytest.raises(ValueError):
        VadSettings(max_utterance_s=0.1)


# --- utterances --------------------------------------------------------------------------------


def test_silence_gives_no_events(detector: UtteranceDetector) -> None:
    assert events(detector, silence(3.0)) == []
    assert not detector.in_speech


def test_a_sentence_is_one_utterance(detector: UtteranceDetector, clips: dict[str, Audio]) -> None:
    speech = clips[FOX]
    lead = len(silence(1.0))
    audio = join(silence(1.0), speech, silence(1.0))
    first_loud, last_loud = loud_span(speech, offset=lead)

    seen = timeline(detector, audio, WINDOW)
    assert kinds(event for _, event in seen) == ["SpeechStarted", "UtteranceEnded"]
    assert detector.flush() == []
    (started_at, started), (ended_at, ended) = seen
    assert isinstance(started, SpeechStarted) and isinstance(ended, UtteranceEnded)

    # The onset is where the voice begins, reported once it has lasted min_speech_ms.
    assert first_loud - 2 * WINDOW <= started.at_sample <= first_loud + 0.15 * SAMPLE_RATE
    assert MIN_SPEECH <= started_at - started.at_sample < MIN_SPEECH + WINDOW

    # The utterance covers the loud part, with the pre-roll before it and a short tail after.
    assert ended.start_sample == started.at_sample - PRE_ROLL
    assert ended.start_sample < first_loud
    assert last_loud - WINDOW <= ended.last_voiced_sample <= last_loud + 0.3 * SAMPLE_RATE
    assert ended.end_sample == ended.last_voiced_sample + TAIL
    assert ended.end_sample > last_loud
    np.testing.assert_array_equal(ended.pcm, audio[ended.start_sample : ended.end_sample])
    assert len(ended.pcm) < len(speech) + PRE_ROLL + 0.6 * SAMPLE_RATE

    # The end is reported end_silence_ms after the last voiced sample.
    assert END_SILENCE <= ended_at - ended.last_voiced_sample < END_SILENCE + WINDOW


def test_in_speech_is_true_between_start_and_end(
    detector: UtteranceDetector, clips: dict[str, Audio]
) -> None:
    audio = join(silence(1.0), clips[FOX], silence(1.0))
    states = []
    for begin in range(0, len(audio), WINDOW):
        found = detector.feed(audio[begin : begin + WINDOW])
        states.append((kinds(found), detector.in_speech))
    started = next(i for i, (found, _) in enumerate(states) if found == ["SpeechStarted"])
    ended = next(i for i, (found, _) in enumerate(states) if found == ["UtteranceEnded"])
    assert not any(in_speech for _, in_speech in states[:started])
    assert all(in_speech for _, in_speech in states[started:ended])
    assert not any(in_speech for _, in_speech in states[ended:])


def test_last_probability_follows_the_voice(
    detector: UtteranceDetector, clips: dict[str, Audio]
) -> None:
    assert detector.last_probability == 0.0
    detector.feed(silence(1.0))
    assert detector.last_probability < 0.2
    levels = []
    for begin in range(0, len(clips[FOX]), WINDOW):
        detector.feed(clips[FOX][begin : begin + WINDOW])
        levels.append(detector.last_probability)
    assert max(levels) > 0.9
    detector.feed(silence(1.0))
    assert detector.last_probability < 0.2


def test_two_sentences_apart_are_two_utterances(
    detector: UtteranceDetector, clips: dict[str, Audio]
) -> None:
    fox, hello = clips[FOX], clips[HELLO]
    gap = silence(1.2)
    audio = join(silence(1.0), fox, gap, hello, silence(1.0))
    fox_span = loud_span(fox, offset=SAMPLE_RATE)
    hello_span = loud_span(hello, offset=SAMPLE_RATE + len(fox) + len(gap))

    found = events(detector, audio)
    assert kinds(found) == ["SpeechStarted", "UtteranceEnded"] * 2
    first, second = utterances(found)
    assert first.start_sample < fox_span[0] and first.end_sample > fox_span[1]
    assert second.start_sample < hello_span[0] and second.end_sample > hello_span[1]
    assert first.end_sample <= second.start_sample
    assert second.start_sample > fox_span[1]
    for utterance in (first, second):
        np.testing.assert_array_equal(
            utterance.pcm, audio[utterance.start_sample : utterance.end_sample]
        )


def test_a_short_pause_does_not_split_an_utterance(
    detector: UtteranceDetector, clips: dict[str, Audio]
) -> None:
    fox, hello = clips[FOX], clips[HELLO]
    audio = join(silence(1.0), fox, silence(0.3), hello, silence(1.0))
    found = events(detector, audio)
    assert kinds(found) == ["SpeechStarted", "UtteranceEnded"]
    (utterance,) = utterances(found)
    assert utterance.start_sample < loud_span(fox, offset=SAMPLE_RATE)[0]
    assert utterance.end_sample > loud_span(audio)[1]


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
def test_noise_alone_is_not_speech(detector: UtteranceDetector, color: str) -> None:
    rng = np.random.default_rng(20240611)
    if color == "white":
        noise = at_rms(rng.standard_normal(5 * SAMPLE_RATE), 0.05)
    elif color == "pink":
        noise = at_rms(pink_noise(5.0, rng), 0.05)
    else:
        noise = at_rms(brown_noise(5.0, rng), 0.05)
    assert events(detector, noise) == []


@pytest.mark.parametrize("offset", [0, 8000, 16000, 24000])
def test_a_burst_shorter_than_min_speech_never_starts(
    detector: UtteranceDetector, clips: dict[str, Audio], offset: int
) -> None:
    burst = clips[FOX][offset : offset + int(0.15 * SAMPLE_RATE)]
    assert loud_span(burst)  # really a piece of voice, not a quiet gap
    assert events(detector, join(silence(1.0), burst, silence(1.0))) == []


def test_the_same_voice_held_longer_does_start(
    detector: UtteranceDetector, clips: dict[str, Audio]
) -> None:
    longer = clips[FOX][16000 : 16000 + int(0.6 * SAMPLE_RATE)]
    found = events(detector, join(silence(1.0), longer, silence(1.0)))
    assert kinds(found) == ["SpeechStarted", "UtteranceEnded"]


def test_chunk_sizes_do_not_change_the_events(clips: dict[str, Audio]) -> None:
    audio = join(silence(1.0), clips[FOX], silence(1.2), clips[HELLO], silence(0.9))
    reference = events(UtteranceDetector(SileroVad()), audio, chunk=len(audio))
    assert kinds(reference) == ["SpeechStarted", "UtteranceEnded"] * 2
    for chunk in (100, 511, 512, 4000):
        assert events(UtteranceDetector(SileroVad()), audio, chunk) == reference, chunk

    rng = np.random.default_rng(7)
    detector = UtteranceDetector(SileroVad())
    found: list[VadEvent] = []
    begin = 0
    while begin < len(audio):
        size = int(rng.integers(0, 3000))
        found += detector.feed(audio[begin : begin + size])
        begin += size
    assert found + detector.flush() == reference


def test_sample_by_sample_feeding_gives_the_same_events(clips: dict[str, Audio]) -> None:
    audio = join(silence(0.4), clips[HELLO], silence(0.8))
    reference = events(UtteranceDetector(SileroVad()), audio, chunk=len(audio))
    assert kinds(reference) == ["SpeechStarted", "UtteranceEnded"]
    assert events(UtteranceDetector(SileroVad()), audio, chunk=1) == reference


def test_a_reused_input_buffer_does_not_corrupt_the_audio(clips: dict[str, Audio]) -> None:
    audio = join(silence(1.0), clips[FOX], silence(1.0))
    reference = events(UtteranceDetector(SileroVad()), audio)
    detector = UtteranceDetector(SileroVad())
    buffer = np.zeros(1000, dtype=np.float32)
    found: list[VadEvent] = []
    for begin in range(0, len(audio), len(buffer)):
        piece = audio[begin : begin + len(buffer)]
        buffer[: len(piece)] = piece
        found += detector.feed(buffer[: len(piece)])
        buffer[:] = 0.5  # a recorder reuses its buffer for the next block
    assert found + detector.flush() == reference


def test_int16_input_is_understood(clips: dict[str, Audio]) -> None:
    audio = join(silence(1.0), clips[FOX], silence(1.0))
    as_int16 = np.rint(audio * 32767).astype(np.int16)
    detector = UtteranceDetector(SileroVad())
    found = detector.feed(as_int16) + detector.flush()
    assert kinds(found) == ["SpeechStarted", "UtteranceEnded"]


def test_max_utterance_length_forces_an_end(clips: dict[str, Audio]) -> None:
    speech = clips[FOX]
    audio = join(silence(1.0), speech, silence(1.0))
    detector = UtteranceDetector(SileroVad(), VadSettings(max_utterance_s=1.0))
    seen = timeline(detector, audio, 1600)
    found = [event for _, event in seen]
    assert detector.flush() == []
    assert kinds(found[:2]) == ["SpeechStarted", "UtteranceEnded"]
    ended_at, forced = seen[1]
    assert isinstance(forced, UtteranceEnded)
    assert SAMPLE_RATE <= len(forced.pcm) < SAMPLE_RATE + WINDOW
    assert forced.end_sample <= ended_at
    # It was cut mid-speech, long before the sentence was over …
    assert forced.end_sample < loud_span(speech, offset=SAMPLE_RATE)[1] - SAMPLE_RATE // 2
    # … and the rest of the sentence comes as further utterances that do not overlap.
    pieces = utterances(found)
    assert len(pieces) >= 2
    for before, after in itertools.pairwise(pieces):
        assert before.end_sample <= after.start_sample
    assert all(len(piece.pcm) < SAMPLE_RATE + WINDOW for piece in pieces)


def test_flush_ends_an_open_utterance(detector: UtteranceDetector, clips: dict[str, Audio]) -> None:
    audio = join(silence(1.0), clips[FOX][: 2 * SAMPLE_RATE + 100])
    found = [event for _, event in timeline(detector, audio, 1600)]
    assert kinds(found) == ["SpeechStarted"]
    assert detector.in_speech
    assert detector.samples_fed == len(audio)

    (ended,) = detector.flush()
    assert isinstance(ended, UtteranceEnded)
    assert ended.end_sample <= len(audio)
    assert ended.end_sample == min(ended.last_voiced_sample + TAIL, len(audio))
    np.testing.assert_array_equal(ended.pcm, audio[ended.start_sample : ended.end_sample])
    assert not detector.in_speech and detector.samples_fed == 0
    assert detector.flush() == []


def test_flush_drops_a_voice_too_short_to_count(
    detector: UtteranceDetector, clips: dict[str, Audio]
) -> None:
    audio = join(silence(1.0), clips[FOX][16000 : 16000 + int(0.1 * SAMPLE_RATE)])
    assert detector.feed(audio) == []
    assert detector.flush() == []


def test_reset_forgets_everything(detector: UtteranceDetector, clips: dict[str, Audio]) -> None:
    audio = join(silence(1.0), clips[FOX], silence(1.0))
    detector.feed(audio[: SAMPLE_RATE + SAMPLE_RATE // 2 + 77])
    assert detector.in_speech
    detector.reset()
    assert not detector.in_speech
    assert detector.samples_fed == 0 and detector.last_probability == 0.0
    assert detector.flush() == []
    assert events(detector, audio) == events(UtteranceDetector(SileroVad()), audio)


def test_utterance_audio_is_read_only(detector: UtteranceDetector, clips: dict[str, Audio]) -> None:
    (utterance,) = utterances(events(detector, join(silence(1.0), clips[FOX], silence(1.0))))
    assert utterance.duration == pytest.approx(len(utterance.pcm) / SAMPLE_RATE)
    with pytest.raises(ValueError):
        utterance.pcm[0] = 1.0
