"""``--self-test``: one full offline turn in the real app, headless, with every bundled model.

It proves an install (above all the PyInstaller bundle) works: the models load from the
packages inside it, a question is answered, the first sentence is spoken and drawn, the ears and
the voice detector understand that speech, and the conversation is written and read back. It
runs in a temporary folder, so the user's own conversations and settings are never touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUESTION = "Hello! Please say one short friendly sentence about the sea."
STEP_TIMEOUT_S = 120.0


@dataclass
class _Check:
    name: str
    ok: bool
    detail: str
    seconds: float


class _Run:
    """Runs the checks in order, printing each; a failed step still lets the next ones try."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out
        self.checks: list[_Check] = []

    def check(self, name: str, step: Callable[[], str]) -> bool:
        began = time.monotonic()
        try:
            detail, ok = step(), True
        except Exception as exc:  # a self-test reports every failure, whatever its type
            detail, ok = f"{type(exc).__name__}: {exc}", False
        spent = time.monotonic() - began
        self.checks.append(_Check(name, ok, detail, spent))
        mark = "PASS" if ok else "FAIL"
        self.out(f"[{mark}] {name} ({spent:.1f} s): {detail}")
        return ok

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)


def run(out: Callable[[str], None] = print) -> int:
    """Exit status 0 only when every step worked."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="avatar-desktop-selftest-"))
    os.environ["AVATAR_DESKTOP_HOME"] = str(home)
    out(f"Avatar Desktop self-test ({'bundle' if getattr(sys, 'frozen', False) else 'source'})")
    try:
        checks = _Run(out)
        _run_checks(checks)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    out("self-test passed" if checks.passed else "self-test FAILED")
    return 0 if checks.passed else 1


def _run_checks(run_: _Run) -> None:
    from PySide6.QtWidgets import QApplication

    from avatar_desktop import APP_NAME
    from avatar_desktop.app.application import AvatarApp
    from avatar_desktop.storage import paths as app_paths

    qt_app = QApplication.instance() or QApplication([sys.argv[0]])
    qt_app.setApplicationName(APP_NAME)
    state: dict[str, Any] = {}

    def start() -> str:
        app = AvatarApp(app_paths.ensure(app_paths.resolve()))
        state["app"] = app
        _record_speech(app, state)
        app.start()
        _wait(qt_app, lambda: app.ready)
        if app.brain.state != "ready":
            raise RuntimeError(f"the chat model did not load ({app.brain.state})")
        if app.speaker.voice is None:
            raise RuntimeError("the voice did not load")
        return f"window shown; {app.model.name} and {app.speaker.voice.name} loaded"

    if not run_.check("start the app and load the chat model and voice", start):
        return
    app = state["app"]
    run_.check("answer a question", lambda: _answer(qt_app, app, state))
    run_.check("speak and draw the first sentence", lambda: _spoken(qt_app, app, state))
    run_.check("hear that speech (Whisper tiny.en)", lambda: _heard(state))
    run_.check("detect that speech (Silero VAD)", lambda: _detected(state))
    run_.check("hear that it was a finished thought (Smart Turn v3)", lambda: _finished(state))
    run_.check("write the conversation and read it back", lambda: _stored(qt_app, app))
    app.window.close()
    app.pools.wait(10_000)


def _wait(qt_app: Any, until: Callable[[], object], timeout: float = STEP_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s")
        qt_app.processEvents()
        time.sleep(0.005)


def _record_speech(app: Any, state: dict[str, Any]) -> None:
    """Keep what the voice makes for the first sentence, to check the ears with it."""
    voice = app.local_voice
    synthesize = voice.synthesize

    def keep(text: str, **kw: Any) -> Any:
        speech = synthesize(text, **kw)
        if text != _warm_up_text():
            state.setdefault("speech", speech)
        return speech

    voice.synthesize = keep
    app.speaker.sentence_started.connect(lambda *_args: state.setdefault("heard_at", time.time()))


def _warm_up_text() -> str:
    from avatar_desktop.app.stage.sound import WARM_UP_SENTENCE

    return WARM_UP_SENTENCE


def _answer(qt_app: Any, app: Any, state: dict[str, Any]) -> str:
    app.window.input.setPlainText(QUESTION)
    app.window.send_button.click()
    _wait(qt_app, lambda: app.conversation.busy)
    _wait(qt_app, lambda: not app.conversation.busy)
    last = app.conversation.session.messages[-1]
    if last.role != "assistant" or not last.content.strip() or last.error:
        raise RuntimeError(f"no answer ({last.error or 'empty'})")
    state["answer"] = last.content
    return f"{len(last.content.split())} words: {last.content[:60]!r}…"


def _spoken(qt_app: Any, app: Any, state: dict[str, Any]) -> str:
    _wait(qt_app, lambda: "speech" in state and "heard_at" in state)
    speech = state["speech"]
    if speech.duration < 0.3 or len(speech.phones) < 5:
        raise RuntimeError(
            f"the voice made {speech.duration:.2f} s with {len(speech.phones)} phones"
        )
    image = app.window.avatar_widget.grab().toImage()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    if len(colours) < 20:
        raise RuntimeError("the avatar drew an empty picture")
    _wait(qt_app, lambda: not app.stage.speaking)
    sound = "no sound device, played on a virtual clock" if app.player.problem else "played"
    return f"{speech.duration:.1f} s of speech, {len(speech.phones)} phones; {sound}"


def _heard(state: dict[str, Any]) -> str:
    from avatar_desktop.audio.encode import to_mono_16k
    from avatar_desktop.core.cancel import CancelToken
    from avatar_desktop.providers.local.stt import WhisperTranscriber

    speech = state["speech"]
    text = WhisperTranscriber().transcribe(
        to_mono_16k(speech.pcm, speech.sample_rate), cancel=CancelToken()
    )
    said = {w.strip(".,!?").lower() for w in speech.text.split()}
    heard = {w.strip(".,!?").lower() for w in text.split()}
    if not said & heard:
        raise RuntimeError(f"heard {text!r} for {speech.text!r}")
    return repr(text.strip())


def _detected(state: dict[str, Any]) -> str:
    from avatar_desktop.audio.encode import to_mono_16k
    from avatar_desktop.audio.vad import SileroVad

    vad = SileroVad()
    vad.load()
    pcm = to_mono_16k(state["speech"].pcm, state["speech"].sample_rate)
    best = max(vad.probability(pcm[i : i + 512]) for i in range(0, len(pcm) - 512, 512))
    if best < 0.5:
        raise RuntimeError(f"speech probability at most {best:.2f}")
    return f"speech probability up to {best:.2f}"


def _finished(state: dict[str, Any]) -> str:
    from avatar_desktop.audio.encode import to_mono_16k
    from avatar_desktop.audio.turn_model import SmartTurn

    model = SmartTurn()
    model.load()
    complete = model.complete(to_mono_16k(state["speech"].pcm, state["speech"].sample_rate))
    return f"finished with probability {complete:.2f}"


def _stored(qt_app: Any, app: Any) -> str:
    from avatar_desktop.storage.sessions import SessionStore

    _wait(qt_app, lambda: app.pools.disk.activeThreadCount() == 0)
    session = app.conversation.session
    again = SessionStore(app.paths.sessions).load(session.id)
    mine = [(m.role, m.content) for m in session.messages]
    theirs = [(m.role, m.content) for m in again.messages]
    if mine != theirs:
        raise RuntimeError("the conversation read back differs from what was written")
    return f"{len(theirs)} messages in {app.paths.sessions.name}/{session.id}.json"
