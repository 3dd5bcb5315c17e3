"""Turns through the real pipeline on the embedded model, and the real window streaming them."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.qtloop import spin as _spin
from bench.qtloop import wait_events as _wait

MARKDOWN_TPS = 220.0  # the scripted model's speed for the long Markdown answer

QUESTIONS = [
    "Hello! Who are you?",
    "Why is the sky blue?",
    "Give me a tip for sleeping better.",
    "What is a good name for a cat?",
    "Tell me something about the sea.",
    "How do I make tea?",
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _pipeline_turns(model: Any, options: Any, turns: int) -> dict[str, float]:
    from avatar_desktop.core.cancel import CancelToken
    from avatar_desktop.core.events import Sentence, TextDelta, TurnFinished
    from avatar_desktop.core.persona import default_persona
    from avatar_desktop.core.session import Message
    from avatar_desktop.pipeline.turn import answer

    first_token, first_sentence, rates = [], [], []
    for question in (QUESTIONS * 3)[:turns]:
        start = time.perf_counter()
        token_at = sentence_at = None
        text = ""
        for event in answer(
            model,
            [Message("user", question)],
            default_persona(),
            cancel=CancelToken(),
            options=options,
        ):
            now = time.perf_counter()
            if isinstance(event, TextDelta) and token_at is None:
                token_at = now
            elif isinstance(event, Sentence) and sentence_at is None:
                sentence_at = now
            elif isinstance(event, TurnFinished):
                text = event.text
        end = time.perf_counter()
        if token_at is None:
            continue
        first_token.append((token_at - start) * 1000)
        first_sentence.append(((sentence_at or end) - start) * 1000)
        if end > token_at:
            rates.append(model.count_tokens(text) / (end - token_at))
    return {
        "first_token_ms_p50": statistics.median(first_token),
        "first_sentence_ms_p50": statistics.median(first_sentence),
        "tokens_per_s": statistics.median(rates),
    }


def _stop_latency(model: Any, options: Any, stops: int) -> float:
    """Cancel mid-answer from another thread; time until the pipeline has ended."""
    from avatar_desktop.core.cancel import CancelToken
    from avatar_desktop.core.events import TextDelta
    from avatar_desktop.core.persona import default_persona
    from avatar_desktop.core.session import Message
    from avatar_desktop.pipeline.turn import answer

    latencies = []
    for i in range(stops):
        cancel = CancelToken()
        seen = threading.Event()
        ended: list[float] = []

        def consume(
            question: str,
            cancel: CancelToken = cancel,
            seen: threading.Event = seen,
            ended: list[float] = ended,
        ) -> None:
            for event in answer(
                model,
                [Message("user", question)],
                default_persona(),
                cancel=cancel,
                options=options,
            ):
                if isinstance(event, TextDelta):
                    seen.set()
            ended.append(time.perf_counter())

        worker = threading.Thread(target=consume, args=(QUESTIONS[i % len(QUESTIONS)],))
        worker.start()
        seen.wait(30)
        time.sleep(0.05 + 0.01 * i)
        stopped_at = time.perf_counter()
        cancel.cancel()
        worker.join(30)
        latencies.append((ended[0] - stopped_at) * 1000)
    return _percentile(latencies, 0.95)


def _markdown_model() -> Any:
    """A model that streams the long Markdown answer in token-sized pieces at ~220 tokens/s."""
    from tests.fakes.markdown_answers import LONG_ANSWER
    from tests.fakes.scripted_model import ScriptedModel

    tokens = re.findall(r"\s*\S{1,5}|\s+", LONG_ANSWER)
    assert "".join(tokens) == LONG_ANSWER
    return ScriptedModel(tokens, delay=1 / MARKDOWN_TPS)


def _window_metrics(
    model: Any, home: Path, turns: int, *, watchdog: bool = False
) -> dict[str, float]:
    """Stream turns into the real window (offscreen) and watch the event loop for stalls."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from avatar_desktop.app.application import AvatarApp
    from avatar_desktop.core.session import Message, Session
    from avatar_desktop.storage import paths as app_paths
    from bench.stalls import StallClock, Watchdog

    qt_app = QApplication.instance() or QApplication([])
    app = AvatarApp(app_paths.ensure(app_paths.resolve()), model=model)
    app.start()
    _spin(qt_app, lambda: app.ready, 60)

    clock = StallClock()
    spy = Watchdog(clock) if watchdog else None
    if spy is not None:
        spy.start()

    def turn(question: str, phase: str, seconds: float) -> None:
        clock.start(phase)
        app.window.input.setPlainText(question)
        app.window.send_button.click()
        _wait(qt_app, lambda: app.conversation.busy, 10)
        _wait(qt_app, lambda: not app.conversation.busy and not app.speaker.speaking, seconds)
        clock.stop()

    for question in QUESTIONS[:turns]:
        turn(question, "turns", 120)

    # A long Markdown answer (lists, a table, code), streamed while the window speaks nothing.
    voice, app.speaker.voice = app.speaker.voice, None
    app.use_model(_markdown_model())
    _spin(qt_app, lambda: app.ready, 60)
    turn("Plan my dinners for a week, with a shopping list.", "markdown", 120)
    app.speaker.voice = voice
    shown = app.window.chat.bubbles()[-1].shown_html()
    assert "<table" in shown and "<pre>" in shown, "the long answer did not render"

    big = Session(title="Ten thousand")
    for i in range(10_000):
        big.add(Message("user" if i % 2 == 0 else "assistant", f"Message number {i}. " * 8))
    app.store.save(big)
    started = time.perf_counter()
    app.conversation.open_session(big.id)
    _spin(qt_app, lambda: app.conversation.session.id == big.id, 30)
    opened_ms = (time.perf_counter() - started) * 1000
    assert app.window.chat.bubbles(), "the 10k session showed no messages"
    app.window.close()
    if spy is not None:
        spy.stop()
        print(spy.report(), file=sys.stderr)
    return {
        "gui_stall_ms_max": clock.max_ms(),
        "gui_stall_ms_max_markdown": clock.max_ms("markdown"),
        "gui_stalls_over_16ms": float(clock.count_over(16.0)),
        "session_open_10k_ms": opened_ms,
    }


def _groq_fake(args: argparse.Namespace) -> dict[str, float]:
    """Turns against the loopback Groq fake: our overhead on top of the latency it was told."""
    from avatar_desktop.providers.base import GenerationOptions
    from avatar_desktop.providers.groq.access import GroqAccess
    from avatar_desktop.providers.groq.chat import GroqChatModel
    from tests.fakes.groq_server import GroqFake

    with GroqFake() as fake:
        fake.ttft_ms, fake.tps = args.ttft_ms, args.tps
        fake.chat_reply = (
            "Sure! The sky looks blue because air scatters blue light the most. "
            "At sunset the light crosses more air, so reds and oranges win."
        )
        model = GroqChatModel(access=GroqAccess(api_key=fake.api_key, base_url=fake.base_url))
        options = GenerationOptions(max_tokens=args.max_tokens)
        _pipeline_turns(model, options, 1)  # warm the connection pool and imports
        metrics = _pipeline_turns(model, options, args.turns)
    metrics["overhead_ms_p50"] = metrics["first_token_ms_p50"] - args.ttft_ms
    return metrics


def run(argv: list[str]) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench turn")
    parser.add_argument("--provider", choices=["local", "groq-fake"], default="local")
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--ttft-ms", type=float, default=200.0)
    parser.add_argument("--tps", type=float, default=800.0)
    parser.add_argument(
        "--busy", type=int, default=0, help="competing CPU-bound processes for the whole run"
    )
    parser.add_argument(
        "--watchdog", action="store_true", help="print what held the GUI thread (to stderr)"
    )
    args = parser.parse_args(argv)
    from bench.stalls import busy

    with busy(args.busy):
        metrics = _run(args)
    if args.busy:
        metrics["busy_processes"] = float(args.busy)
        metrics["gui_stall_ms_max_busy"] = metrics["gui_stall_ms_max"]
    return {k: round(v, 3) for k, v in metrics.items()}


def _run(args: argparse.Namespace) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="avatar-bench-"))
    os.environ["AVATAR_DESKTOP_HOME"] = str(home)
    if args.provider == "groq-fake":
        return _groq_fake(args)

    import psutil

    from avatar_desktop.providers.base import GenerationOptions
    from avatar_desktop.providers.local.llm import LocalChatModel

    options = GenerationOptions(max_tokens=args.max_tokens, temperature=0.7)
    model = LocalChatModel()
    started = time.perf_counter()
    model.load()
    metrics: dict[str, float] = {"model_load_s": time.perf_counter() - started}
    metrics.update(_pipeline_turns(model, options, args.turns))
    metrics["stop_latency_ms_p95"] = _stop_latency(model, options, 10)
    metrics.update(_window_metrics(model, home, min(args.turns, 4), watchdog=args.watchdog))
    metrics["rss_mb"] = psutil.Process().memory_info().rss / 2**20
    return metrics
