"""The speaking avatar in the real window (offscreen) playing into the PulseAudio null sink.

Metrics: frame rate while speaking, lips against the audio actually played, voice speed, and
time from Enter to the first sound, on the embedded stack and against the Groq fake; the frame
rate again with the character large (at least 1000x1000 logical pixels) and in companion mode.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from typing import Any

import numpy as np

from bench.qtloop import spin as _spin

QUESTIONS = [
    "Hello! How are you today?",
    "Tell me about the sea.",
    "What is a good name for a cat?",
]
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Pack my box with five dozen liquor jugs.",
    "How vexingly quick daft zebras jump!",
    "Sphinx of black quartz, judge my vow.",
]


def _tts_rtf() -> float:
    from avatar_desktop.core.cancel import CancelToken
    from avatar_desktop.providers.local.tts import PiperVoiceProvider

    voice = PiperVoiceProvider()
    voice.load()
    spent = heard = 0.0
    for text in SENTENCES:
        started = time.perf_counter()
        speech = voice.synthesize(text, cancel=CancelToken())
        spent += time.perf_counter() - started
        heard += speech.duration
    return spent / heard


class _Frames:
    """Records each painted frame: when, and which utterance and audio position it showed."""

    def __init__(self, app: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        self.rows: list[tuple[float, int | None, float]] = []
        self.app = app
        player = app.player

        class Spy(QObject):
            def eventFilter(spy, _obj: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint and app.speaker.speaking:
                    pos = player.position()
                    self.rows.append((time.monotonic(), pos.utterance_id, pos.seconds))
                return False

        self._spy = Spy()
        app.window.avatar_widget.installEventFilter(self._spy)

    def fps_p5(self) -> float:
        times = [t for t, uid, _ in self.rows if uid is not None]
        gaps = np.diff(times)
        return float(np.percentile(1.0 / np.maximum(gaps, 1e-6), 5))


def _enter_to_audio(app: Any, qt_app: Any, monitor: Any, question: str) -> float:
    """Enter pressed → first sample above the noise floor leaving the sink, in ms."""
    before = len(monitor.samples())
    app.window.input.setPlainText(question)
    pressed = time.monotonic()
    app.window.send_button.click()
    _spin(qt_app, lambda: app.speaker.speaking, 60)
    _spin(qt_app, lambda: np.any(np.abs(monitor.samples()[before:]) > 0.02), 60)
    loud = before + int(np.argmax(np.abs(monitor.samples()[before:]) > 0.02))
    heard = monitor.heard_at(loud)
    _spin(qt_app, lambda: not app.speaker.speaking and not app.conversation.busy, 120)
    return (heard - pressed) * 1000


def _av_sync(frames: _Frames, tracks: dict[int, Any], starts: dict[int, float]) -> float:
    """Screen onset of each viseme (first frame showing it) minus its onset in played audio."""
    errors = []
    for uid, track in tracks.items():
        shown = [(t, seconds) for t, u, seconds in frames.rows if u == uid]
        if uid not in starts or len(shown) < 2:
            continue
        for onset, _viseme in track.onsets()[1:]:
            frame = next((t for t, seconds in shown if seconds >= onset), None)
            if frame is not None:
                errors.append(abs(frame - (starts[uid] + onset)) * 1000)
    return float(np.percentile(errors, 95)) if errors else float("nan")


def _utterance_starts(monitor: Any, speeches: dict[int, Any], rate: int) -> dict[int, float]:
    """Where each synthesized utterance begins in the recording (cross-correlation), as time."""
    recorded = monitor.samples()
    starts = {}
    for uid, speech in speeches.items():
        probe = speech.pcm[: rate // 2].astype(np.float32)
        if len(recorded) > len(probe):
            corr = np.correlate(recorded, probe, mode="valid")
            starts[uid] = monitor.heard_at(int(np.argmax(corr)))
    return starts


LARGE = 1000  # logical pixels each way the large stage must at least have


def _lay_out(app: Any, qt_app: Any, layout: str) -> None:
    """The window as the user would have it: as shipped, full of character, or on the desktop."""
    if layout == "large":
        app.window.set_panels(sidebar=False, chat=False, chat_width=380)
        app.window.resize(1500, 1300)
    else:
        app.window.resize(1000, 760)
    if layout == "companion":
        app.companion.set_on(True)
    settle = time.monotonic() + 0.3
    _spin(qt_app, lambda: time.monotonic() > settle, 5)
    if layout == "large":
        size = app.window.avatar_widget.size()
        assert min(size.width(), size.height()) >= LARGE, f"the stage is only {size}"


def _session(
    model: Any, label: str, questions: list[str], layout: str = "normal"
) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from avatar_desktop.app.application import AvatarApp
    from avatar_desktop.storage import paths as app_paths
    from avatar_desktop.storage.secrets import KeyStore
    from tests.audio.pulse import MonitorRecorder
    from tests.fakes.memory_keyring import MemoryKeyring

    qt_app = QApplication.instance() or QApplication([])
    os.environ["AVATAR_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="avatar-bench-")  # own settings
    app = AvatarApp(
        app_paths.ensure(app_paths.resolve()), model=model, keys=KeyStore(backend=MemoryKeyring())
    )
    app.start()
    _spin(qt_app, lambda: app.ready, 60)
    _lay_out(app, qt_app, layout)
    frames = _Frames(app)
    synthesized: dict[int, Any] = {}  # id(pcm) -> Speech
    speeches: dict[int, Any] = {}  # utterance id -> Speech
    voice = app.voice
    assert voice is not None, "the bench needs the voice"
    synthesize, enqueue = voice.synthesize, app.player.enqueue

    def recording_synthesize(text: str, **kw: Any) -> Any:
        speech = synthesize(text, **kw)
        synthesized[id(speech.pcm)] = speech
        return speech

    def recording_enqueue(uid: int, pcm: Any) -> None:
        speeches[uid] = synthesized[id(pcm)]
        enqueue(uid, pcm)

    voice.synthesize = recording_synthesize  # type: ignore[method-assign]
    app.player.enqueue = recording_enqueue
    latencies = []
    with MonitorRecorder(sample_rate=app.player.sample_rate) as monitor:
        for question in questions:
            latencies.append(_enter_to_audio(app, qt_app, monitor, question))
        starts = _utterance_starts(monitor, speeches, app.player.sample_rate)
    from avatar_desktop.avatar.timeline import Timeline

    tracks = {uid: Timeline.for_speech(speech) for uid, speech in speeches.items()}
    if layout != "normal":
        metrics = {f"fps_p5_{layout}": frames.fps_p5()}
    else:
        metrics = {f"enter_to_first_audio_ms_p50{label}": statistics.median(latencies)}
    if not label:
        metrics["fps_p5"] = frames.fps_p5()
        metrics["av_sync_ms_p95"] = _av_sync(frames, tracks, starts)
    app.window.close()
    return metrics


def run(argv: list[str]) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m bench avatar")
    parser.add_argument("--ttft-ms", type=float, default=200.0)
    args = parser.parse_args(argv)
    from tests.audio.pulse import ensure_null_sink

    sink = ensure_null_sink()
    try:
        from avatar_desktop.providers.groq.access import GroqAccess
        from avatar_desktop.providers.groq.chat import GroqChatModel
        from avatar_desktop.providers.local.llm import LocalChatModel
        from tests.fakes.groq_server import GroqFake

        metrics: dict[str, float] = {"tts_rtf": _tts_rtf()}
        local = LocalChatModel()
        metrics.update(_session(local, "", QUESTIONS))
        local.close()
        # Every question, as on the normal stage: the 5th percentile of two answers' frames
        # moved by 5 fps from one run to the next.
        for layout in ("large", "companion"):
            local = LocalChatModel()
            metrics.update(_session(local, f"_{layout}", QUESTIONS, layout))
            local.close()
        with GroqFake() as fake:
            fake.ttft_ms, fake.tps = args.ttft_ms, 800
            fake.chat_reply = "Hello there! I am glad you asked. Let me tell you more."
            groq = GroqChatModel(access=GroqAccess(api_key=fake.api_key, base_url=fake.base_url))
            metrics.update(_session(groq, "_groq_fake", QUESTIONS))
    finally:
        sink.release()
    return {k: round(v, 3) for k, v in metrics.items()}
