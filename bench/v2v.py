"""Voice to voice: from the user's last voiced sample to the avatar's first audible one.

Spoken utterances (tests/audio/utterances.py) are played into a null sink whose monitor is the
app's microphone; the real window listens hands-free (recorder, VAD, recogniser) and answers
aloud into the output null sink, whose monitor is recorded. Two configurations: everything on
this computer (SmolLM2, Whisper, Piper), and the Groq fakes for brain and ears (Piper voice).
Progress lines per utterance; the caller prints the metrics as JSON on the last line.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from types import SimpleNamespace
from typing import Any

from avatar_desktop.core.catalogue import Responsiveness
from bench.qtloop import spin as _spin
from bench.v2v_report import report

# Named for this process: two runs at once must not hear each other's voices.
USER_SINK = f"bench_v2v_user_{os.getpid()}"
AVATAR_SINK = f"bench_v2v_avatar_{os.getpid()}"
GROQ_REPLY = "Sure, here is a short answer for you. I hope that it helps, and ask me anything."


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench v2v")
    parser.add_argument("--config", choices=["offline", "groq-fake", "both"], default="both")
    parser.add_argument(
        "--responsiveness",
        choices=[choice.value for choice in Responsiveness],
        help="hands-free: how soon a pause ends the turn (default: the app's own default)",
    )
    parser.add_argument("--limit", type=int, help="only the first N utterances (a quick look)")
    parser.add_argument(
        "--paused-only", action="store_true", help="only the paused utterances (false endpoints)"
    )
    parser.add_argument("--ttft-ms", type=float, default=200.0)
    parser.add_argument("--tps", type=float, default=800.0)
    parser.add_argument("--stt-ms", type=float, default=150.0)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from tests.audio.pulse import SILENCE, ensure_null_sink, pactl, refresh_portaudio

    sink = ensure_null_sink()  # the server, and the silent source that keeps sinks awake
    modules: list[str] = []
    try:
        # Both voices get sinks of their own: others may be playing into the shared one.
        for name in (USER_SINK, AVATAR_SINK):
            _awake_sink(name, SILENCE, modules)
        os.environ["PULSE_SOURCE"] = f"{USER_SINK}.monitor"  # the app's microphone hears the user
        os.environ["PULSE_SINK"] = AVATAR_SINK
        refresh_portaudio()
        return _run(args)
    finally:
        for module in reversed(modules):
            pactl("unload-module", module)
        sink.release()


def _awake_sink(name: str, silence: str, loaded: list[str]) -> None:
    """A null sink kept awake by a silent loopback (an idle one hands out 2 s bursts); the
    modules' ids go into ``loaded`` as they load, so a failure leaves nothing behind."""
    from tests.audio.pulse import pactl

    loop = f"source={silence} sink={name} latency_msec=20 source_dont_move=true sink_dont_move=true"
    for module, args in (("module-null-sink", f"sink_name={name}"), ("module-loopback", loop)):
        result = pactl("load-module", module, *args.split())
        if result.returncode != 0:
            raise RuntimeError(f"PulseAudio: {module} {name}: {result.stderr.strip()}")
        loaded.append(result.stdout.strip())


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from avatar_desktop.providers.local.tts import PiperVoiceProvider
    from tests.audio.utterances import build

    voice = PiperVoiceProvider()
    voice.load()
    material = [u for u in build(voice) if u.pause is not None or not args.paused_only]
    material = material[: args.limit]
    paused = sum(u.pause is not None for u in material)
    print(f"{len(material)} utterances ({paused} paused, {sum(u.noisy for u in material)} noisy)")
    results = {}
    if args.config in ("offline", "both"):
        results["offline"] = _session("offline", material, args, groq=None)
    if args.config in ("groq-fake", "both"):
        from bench.v2v_groq import HearingGroqFake

        with HearingGroqFake() as fake:
            fake.ttft_ms, fake.tps, fake.stt_ms = args.ttft_ms, args.tps, args.stt_ms
            fake.chat_reply = GROQ_REPLY
            os.environ["GROQ_BASE_URL"] = fake.base_url
            results["groq"] = _session("groq", material, args, groq=fake)
            served = [r.path.rsplit("/", 1)[-1] for r in fake.requests]
            print(
                f"groq fake: {served.count('transcriptions')} transcriptions, "
                f"{served.count('completions')} chat streams"
            )
    return report(results, material)


def _settings(groq: Any, responsiveness: str | None) -> Any:
    """What a user would have chosen: welcomed, and Groq for brain and ears when faked."""
    from avatar_desktop.core.catalogue import BrainChoice, EarsChoice
    from avatar_desktop.storage.settings import Settings

    settings = Settings(welcomed=True)
    if groq is not None:
        settings.chat_provider, settings.stt_provider = BrainChoice.GROQ, EarsChoice.GROQ
    if responsiveness is not None:
        settings.responsiveness = Responsiveness(responsiveness)
    return settings


def _session(label: str, material: list[Any], args: argparse.Namespace, groq: Any) -> list[Any]:
    """One app start in one configuration; every utterance said to it once (after a warm-up)."""
    from PySide6.QtWidgets import QApplication

    from avatar_desktop.app.application import AvatarApp
    from avatar_desktop.core.catalogue import Service
    from avatar_desktop.storage import paths as app_paths
    from avatar_desktop.storage.secrets import KeyStore
    from avatar_desktop.storage.settings import save_settings
    from bench.v2v_audio import recorder
    from bench.v2v_report import progress
    from bench.v2v_turn import Probe, measure, pump
    from tests.fakes.memory_keyring import MemoryKeyring

    os.environ["AVATAR_DESKTOP_HOME"] = tempfile.mkdtemp(prefix=f"avatar-v2v-{label}-")
    paths = app_paths.ensure(app_paths.resolve())
    save_settings(paths.settings_file, _settings(groq, args.responsiveness))
    keys = KeyStore(backend=MemoryKeyring())
    if groq is not None:
        keys.set(Service.GROQ, groq.api_key)
    qt_app = QApplication.instance() or QApplication([])
    app = AvatarApp(paths, keys=keys)
    app.start()
    _spin(qt_app, lambda: app.ready, 120)
    app.window.hands_free_action.setChecked(True)
    assert app.listener.hands_free, "the microphone did not open"
    probe = Probe(app)
    results = []
    try:
        with recorder(f"{AVATAR_SINK}.monitor") as avatar, recorder(f"{USER_SINK}.monitor") as user:
            hear = groq.hear if groq is not None else None
            ears = SimpleNamespace(user=user, avatar=avatar, user_sink=USER_SINK, hear=hear)
            pump(qt_app, lambda: None, 1.5)  # a new recording first replays the last second
            warm = measure(app, qt_app, probe, material[0], ears)
            print(f"{label} warm-up: {warm.v2v_ms:.0f} ms (not counted)")
            for n, utterance in enumerate(material, 1):
                results.append(measure(app, qt_app, probe, utterance, ears))
                print(progress(label, n, len(material), utterance, results[-1]), flush=True)
    finally:
        app.window.hands_free_action.setChecked(False)
        app.shutdown()
        app.window.close()
    return results
