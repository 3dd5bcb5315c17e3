"""The real microphone path: speech played into the null sink, captured from its monitor by
PortAudio, cut by the VAD and understood by Whisper on this computer."""

from __future__ import annotations

import subprocess
import threading
import time

import numpy as np
import pytest

from avatar_desktop.audio.capture import Recorder, RecorderUnavailable, input_devices
from avatar_desktop.audio.vad import SileroVad, UtteranceDetector, UtteranceEnded
from avatar_desktop.core.cancel import CancelToken
from avatar_desktop.providers.local.stt import WhisperTranscriber
from avatar_desktop.providers.local.tts import PiperVoiceProvider
from tests.audio.pulse import SINK, PulseSink, pulse_sink  # noqa: F401
from tests.audio.speech import SENTENCES, silence, spoken, word_error_rate

QUESTION = "What is the capital city of France?"


def play_into_sink(pcm: np.ndarray, *, sink: str = SINK) -> subprocess.Popen[bytes]:
    """Say ``pcm`` (16 kHz mono) into the null sink, as a person near the microphone would."""
    player = subprocess.Popen(
        [
            "pacat",
            "--playback",
            f"--device={sink}",
            "--format=float32le",
            "--rate=16000",
            "--channels=1",
            "--latency-msec=20",
        ],
        stdin=subprocess.PIPE,
    )
    stdin = player.stdin
    assert stdin is not None

    def feed() -> None:  # pacat takes it at the pace it plays; the test goes on meanwhile
        stdin.write(np.asarray(pcm, dtype="<f4").tobytes())
        stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    return player


def test_a_spoken_question_is_captured_cut_and_understood(
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    voice = PiperVoiceProvider(variation=0.0)
    voice.load()
    clip = np.concatenate([silence(0.3), spoken(voice, QUESTION), silence(1.0)])
    recorder = Recorder()
    detector = UtteranceDetector(SileroVad())
    recorder.start()
    try:
        assert recorder.recording
        player = play_into_sink(clip)
        ended: list[UtteranceEnded] = []
        loudest = -90.0
        deadline = time.monotonic() + 15
        while not ended and time.monotonic() < deadline:
            time.sleep(0.02)
            loudest = max(loudest, recorder.level_db)
            ended += [e for e in detector.feed(recorder.read()) if isinstance(e, UtteranceEnded)]
        player.wait(10)
    finally:
        recorder.stop()
    assert ended, "the VAD never heard the question end"
    assert loudest > -40  # the live level followed the voice
    said = WhisperTranscriber().transcribe(ended[0].pcm, cancel=CancelToken())
    assert word_error_rate([(QUESTION, said)]) <= 0.15, said
    assert not recorder.recording and recorder.level_db == -90.0


def test_a_dozen_spoken_questions_through_the_microphone_are_understood(
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    """The whole ear, in real time: sink → PortAudio recorder → VAD → Whisper, WER <= 10%."""
    voice = PiperVoiceProvider(variation=0.0)
    voice.load()
    ears = WhisperTranscriber()
    gap = silence(1.0)
    clip = np.concatenate([part for text in SENTENCES for part in (spoken(voice, text), gap)])
    recorder = Recorder()
    detector = UtteranceDetector(SileroVad())
    heard: list[str] = []
    recorder.start()
    try:
        player = play_into_sink(np.concatenate([silence(0.3), clip]))
        deadline = time.monotonic() + len(clip) / 16_000 + 20
        while len(heard) < len(SENTENCES) and time.monotonic() < deadline:
            time.sleep(0.05)
            for event in detector.feed(recorder.read()):
                if isinstance(event, UtteranceEnded):
                    heard.append(ears.transcribe(event.pcm, cancel=CancelToken()))
        player.wait(10)
    finally:
        recorder.stop()
    assert len(heard) == len(SENTENCES) >= 10, heard  # one utterance per question, none lost
    assert word_error_rate(list(zip(SENTENCES, heard, strict=True))) <= 0.10, heard


def test_stop_returns_what_was_not_yet_read(pulse_sink: PulseSink) -> None:  # noqa: F811
    recorder = Recorder()
    recorder.start()
    time.sleep(0.3)
    kept = recorder.stop()
    assert 0.2 * 16_000 <= kept.size <= 0.6 * 16_000
    assert recorder.frames >= kept.size


def test_the_monitor_is_listed_as_an_input(pulse_sink: PulseSink) -> None:  # noqa: F811
    assert input_devices(), "PortAudio sees no input at all"


def test_a_microphone_that_is_not_there_is_named_in_words(
    pulse_sink: PulseSink,  # noqa: F811
) -> None:
    recorder = Recorder(device="no such microphone 123")
    with pytest.raises(RecorderUnavailable, match="not connected"):
        recorder.start()
    assert not recorder.recording
