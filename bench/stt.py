"""Speech to text: our own encoding and upload time on top of what the service takes."""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np


def _speechlike(seconds: float, rate: int = 16_000) -> np.ndarray:
    """Tone bursts with pauses, so the audio has the shape of speech for the encoder."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = (np.sin(2 * np.pi * 0.7 * t) > -0.2).astype(np.float32)
    return (0.3 * np.sin(2 * np.pi * 180 * t) * envelope).astype(np.float32)


def _groq_fake(args: argparse.Namespace) -> dict[str, float]:
    from avatar_desktop.core.cancel import CancelToken
    from avatar_desktop.providers.groq.access import GroqAccess
    from avatar_desktop.providers.groq.stt import GroqTranscriber
    from tests.fakes.groq_server import GroqFake

    pcm = _speechlike(args.seconds)
    overheads = []
    with GroqFake() as fake:
        fake.stt_ms = args.service_ms
        transcriber = GroqTranscriber(access=GroqAccess(fake.api_key, fake.base_url))
        transcriber.transcribe(pcm, cancel=CancelToken())  # warm up imports and the connection
        for _ in range(args.runs):
            started = time.perf_counter()
            text = transcriber.transcribe(pcm, cancel=CancelToken())
            overheads.append((time.perf_counter() - started) * 1000 - args.service_ms)
            assert text == fake.transcript.strip()
    return {
        "transcribe_overhead_ms_p50": statistics.median(overheads),
        "audio_seconds": args.seconds,
    }


def _local(args: argparse.Namespace) -> dict[str, float]:
    """Our own voice says the test sentences; they stream in real time through the VAD to
    Whisper on this computer, as the microphone would deliver them."""
    from avatar_desktop.audio.vad import SileroVad, UtteranceDetector, UtteranceEnded
    from avatar_desktop.core.cancel import CancelToken
    from avatar_desktop.providers.local.stt import WhisperTranscriber
    from avatar_desktop.providers.local.tts import PiperVoiceProvider
    from tests.audio.speech import SENTENCES, noise, silence, spoken, word_error_rate

    voice = PiperVoiceProvider()
    voice.load()
    ears = WhisperTranscriber()
    ears.load()
    detector = UtteranceDetector(SileroVad())
    pairs, latencies, spent, heard = [], [], 0.0, 0.0
    for text in SENTENCES:
        detector.reset()
        clip = np.concatenate([silence(0.5), spoken(voice, text), silence(1.0)])
        arrived = _stream(detector, clip, args.chunk_ms)
        ended = [e for e in arrived if isinstance(e[1], UtteranceEnded)]
        assert ended, f"the VAD heard no end to {text!r}"
        fed_at, utterance = ended[0]
        started = time.perf_counter()
        said = ears.transcribe(utterance.pcm, cancel=CancelToken())
        done = time.perf_counter()
        spent, heard = spent + done - started, heard + utterance.duration
        voiced_at = fed_at - (detector.samples_fed - utterance.last_voiced_sample) / 16_000
        latencies.append((done - voiced_at) * 1000)
        pairs.append((text, said))
        print(f"{text!r} -> {said!r}")
    detector.reset()
    false_starts = sum(
        1 for e in detector.feed(noise(args.noise_s)) if type(e).__name__ == "SpeechStarted"
    )
    return {
        "rtf": spent / heard,
        "end_of_speech_to_text_ms_p50": statistics.median(latencies),
        "wer": word_error_rate(pairs),
        "vad_false_starts": false_starts,
    }


def _stream(detector: Any, clip: np.ndarray, chunk_ms: float) -> list[tuple[float, Any]]:
    """Feed ``clip`` at the pace a microphone would; each event with the wall time it came."""
    step = int(16_000 * chunk_ms / 1000)
    begun = time.perf_counter()
    events: list[tuple[float, Any]] = []
    for at in range(0, len(clip), step):
        due = begun + (at + step) / 16_000  # a chunk exists only once its last sample was heard
        time.sleep(max(0.0, due - time.perf_counter()))
        events += [(due, e) for e in detector.feed(clip[at : at + step])]
        if any(type(e).__name__ == "UtteranceEnded" for _, e in events):
            break
    return events


def run(argv: list[str]) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench stt")
    parser.add_argument("--provider", choices=["local", "groq-fake"], default="local")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--service-ms", type=float, default=150.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--chunk-ms", type=float, default=20.0, help="microphone block length")
    parser.add_argument("--noise-s", type=float, default=10.0, help="noise-only clip for the VAD")
    args = parser.parse_args(argv)
    metrics = _local(args) if args.provider == "local" else _groq_fake(args)
    return {k: round(v, 3) for k, v in metrics.items()}
