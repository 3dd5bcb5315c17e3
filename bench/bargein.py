"""Barge-in: the user starts talking while the avatar speaks; how soon is the avatar silent?

The avatar speaks into the null sink; the user's voice is played into a second null sink whose
monitor the app's real recorder listens to. Recording both monitors independently gives the
user's voice onset and the moment the avatar's audio stopped, each on the monotonic clock.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.qtloop import spin as _spin
from bench.v2v_audio import LOUD, first_loud

USER_SINK = "bench_user"
LONG_ANSWER = [f"This is sentence number {n}, spoken slowly and clearly. " for n in range(1, 9)]


def _last_loud(samples: np.ndarray) -> int | None:
    loud = np.flatnonzero(np.abs(samples) > LOUD)
    return int(loud[-1]) if len(loud) else None


def _pause(qt_app: Any, seconds: float) -> None:
    until = time.monotonic() + seconds
    _spin(qt_app, lambda: time.monotonic() > until, seconds + 5)


def _one(
    app: Any, qt_app: Any, user_pcm: np.ndarray, rng: random.Random, started: list[int]
) -> float:
    """One barge-in; ``started`` collects the sentences the avatar begins (connected once)."""
    from tests.audio.pulse import MonitorRecorder
    from tests.audio.test_capture import play_into_sink

    started.clear()
    app.window.input.setPlainText("Talk to me")
    app.window.send_button.click()
    _spin(qt_app, lambda: len(started) >= 2, 60)
    _pause(qt_app, rng.uniform(0.2, 1.2))  # somewhere inside the second sentence
    with (
        MonitorRecorder(sample_rate=16_000) as avatar,
        MonitorRecorder(sample_rate=16_000, source=f"{USER_SINK}.monitor") as user,
    ):
        before = len(user.samples())
        play_into_sink(user_pcm, sink=USER_SINK)
        _spin(qt_app, lambda: first_loud(user.samples(), before) is not None, 10)
        _spin(qt_app, lambda: not app.speaker.speaking, 10)
        _pause(qt_app, 0.5)
        onset_index = first_loud(user.samples(), before)
        assert onset_index is not None
        onset = user.heard_at(onset_index)
        voice = avatar.samples()
        last = _last_loud(voice)
        assert last is not None, "the avatar was never heard"
        silent = avatar.heard_at(last)
    _spin(qt_app, lambda: not app.conversation.busy, 30)
    app.interrupt()
    return (silent - onset) * 1000


def run(argv: list[str]) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench bargein")
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args(argv)
    os.environ["AVATAR_DESKTOP_HOME"] = str(Path(tempfile.mkdtemp(prefix="avatar-bench-")))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from tests.audio.pulse import ensure_null_sink, pactl, refresh_portaudio

    sink = ensure_null_sink()
    module = pactl("load-module", "module-null-sink", f"sink_name={USER_SINK}").stdout.strip()
    os.environ["PULSE_SOURCE"] = f"{USER_SINK}.monitor"  # the app's microphone hears the user
    refresh_portaudio()
    try:
        return {"bargein_ms_p95": round(_measure(args.runs), 3)}
    finally:
        pactl("unload-module", module)
        sink.release()


def _measure(runs: int) -> float:
    from PySide6.QtWidgets import QApplication

    from avatar_desktop.app.application import AvatarApp
    from avatar_desktop.providers.local.tts import PiperVoiceProvider
    from avatar_desktop.storage import paths as app_paths
    from avatar_desktop.storage.secrets import KeyStore
    from tests.audio.speech import silence, spoken
    from tests.fakes.memory_keyring import MemoryKeyring
    from tests.fakes.scripted_model import ScriptedModel

    voice = PiperVoiceProvider()
    voice.load()
    user_pcm = np.concatenate([silence(0.3), spoken(voice, "Wait, stop, I have a question.")])
    qt_app = QApplication.instance() or QApplication([])
    app = AvatarApp(
        app_paths.ensure(app_paths.resolve()),
        model=ScriptedModel(LONG_ANSWER, delay=0.02),
        keys=KeyStore(backend=MemoryKeyring()),
    )
    app.start()
    _spin(qt_app, lambda: app.ready, 60)
    app.window.hands_free_action.setChecked(True)
    assert app.listener.hands_free, "the microphone did not open"
    rng = random.Random(5)
    started: list[int] = []
    app.speaker.sentence_started.connect(lambda sentence: started.append(sentence.index))
    latencies = []
    for _ in range(runs):
        latencies.append(_one(app, qt_app, user_pcm, rng, started))
        print(f"barge-in after {latencies[-1]:.0f} ms")
        _spin(qt_app, lambda: not app.conversation.busy and not app.speaker.speaking, 30)
        _pause(qt_app, 3.0)  # let the user's words be transcribed and answered
        app.interrupt()
    app.window.close()
    return float(np.percentile(latencies, 95))
