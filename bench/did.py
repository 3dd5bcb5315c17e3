"""The D-ID presenter in the real window (offscreen) against the loopback D-ID fake.

Metrics: Enter → first video frame painted; that minus the fake's render time for the first
clip (our own overhead: submit, polling, download, decode, paint); and the blank time between
consecutive clips of an answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.qtloop import spin as _spin

ANSWERS = [
    "Hello there, it is lovely to meet you today. The sea is wide and deep and full of life. "
    "Fish swim in great silver schools near the shore.",
    "A good name for a cat is Pepper, short and friendly. Cats like names with two syllables. "
    "You could also try Miso or Biscuit for a small one.",
    "The mountains are tall and covered in snow in winter. People climb them in the summer. "
    "The view from the top is worth every step.",
]


def _words(text: str) -> list[str]:
    out, word = [], ""
    for ch in text:
        word += ch
        if ch == " ":
            out.append(word)
            word = ""
    return [*out, word] if word else out


def _turn(app: Any, qt_app: Any, fake: Any, model: Any, answer: str) -> tuple[float, float]:
    """One answer: Enter → first frame painted, and the fake's render time for that clip."""
    model.tokens = _words(answer)
    before = set(fake.renders)
    view = app.window.video
    app.window.input.setPlainText("Tell me something.")
    pressed = time.monotonic()
    app.window.send_button.click()
    _spin(qt_app, lambda: view.first_frame_painted_at is not None and view.showing, 60)
    shown = view.first_frame_painted_at
    first = min((r for rid, r in fake.renders.items() if rid not in before), key=_created)
    _spin(qt_app, lambda: not app.stage.speaking and not app.conversation.busy, 120)
    _spin(qt_app, lambda: not view.isVisible(), 5)
    render_s = first.done_at - first.created_at
    return (shown - pressed) * 1000.0, render_s * 1000.0


def _created(render: Any) -> float:
    return float(render.created_at)


def _session(fake: Any, turns: int) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from avatar_desktop.app.application import AvatarApp
    from avatar_desktop.core.catalogue import PresenterKind, Service
    from avatar_desktop.storage import paths as app_paths
    from avatar_desktop.storage.secrets import KeyStore
    from tests.fakes.memory_keyring import MemoryKeyring
    from tests.fakes.scripted_model import ScriptedModel

    qt_app = QApplication.instance() or QApplication([])
    keys = KeyStore(backend=MemoryKeyring())
    keys.set(Service.DID, "bench-user:bench-secret")
    model = ScriptedModel(delay=0.002)  # ~500 tokens/s, as Groq's fast models
    app = AvatarApp(app_paths.ensure(app_paths.resolve()), model=model, keys=keys)
    app.settings.presenter = PresenterKind.DID_CLIP
    app.window.resize(1000, 760)
    app.start()
    _spin(qt_app, lambda: app.ready and app.stage.presenter is not None, 60)
    firsts, overheads = [], []
    for i in range(turns):
        first_ms, render_ms = _turn(app, qt_app, fake, model, ANSWERS[i % len(ANSWERS)])
        firsts.append(first_ms)
        overheads.append(first_ms - render_ms)
    gaps = app.video.player.gaps_ms
    app.window.close()
    return {
        "first_frame_ms_p50": statistics.median(firsts),
        "first_frame_overhead_ms_p50": statistics.median(overheads),
        "clip_gap_ms_p95": float(np.percentile(gaps, 95)) if gaps else float("nan"),
        "clips": float(len(gaps) + turns),
    }


def run(argv: list[str]) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench did")
    parser.add_argument("--render-s-per-char", type=float, default=0.02)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["AVATAR_DESKTOP_HOME"] = str(Path(tempfile.mkdtemp(prefix="avatar-bench-")))
    from tests.audio.pulse import ensure_null_sink
    from tests.fakes.did_server import DidFake

    sink = ensure_null_sink()
    try:
        with DidFake() as fake:
            fake.render_s_per_char = args.render_s_per_char
            fake.credits_remaining = 10_000
            os.environ["DID_BASE_URL"] = fake.base_url
            metrics = _session(fake, args.turns)
    finally:
        sink.release()
    return {k: round(v, 3) for k, v in metrics.items()}
