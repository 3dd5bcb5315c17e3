"""Speech to text: our own encoding and upload time on top of what the service takes."""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _speechlike(seconds: float, rate: int = 16_000) -> np.ndarray:
    """Tone bursts with pauses, so the audio has the shape of speech for the encoder."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = (np.sin(2 * np.pi * 0.7 * t) > -0.2).astype(np.float32)
    return (0.3 * np.sin(2 * np.pi * 180 * t) * envelope).astype(np.float32)


def _groq_fake(args: argparse.Namespace) -> dict[str, float]:
    from avatar_desktop.core.cancel import CancelToken
    from avatar_desktop.providers.groq import GroqAccess, GroqTranscriber
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


def run(argv: list[str]) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench stt")
    parser.add_argument("--provider", choices=["groq-fake"], default="groq-fake")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--service-ms", type=float, default=150.0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    metrics = _groq_fake(args)
    return {k: round(v, 3) for k, v in metrics.items()}
