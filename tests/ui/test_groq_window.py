"""The real window against the loopback Groq fake: streamed answers, audio, every failure."""

from __future__ import annotations

import json
import logging
import wave
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.app.startup.logs import setup_logging
from avatar_desktop.core.catalogue import BrainChoice, EarsChoice, Service
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.secrets import KeyStore
from avatar_desktop.storage.settings import Settings, save_settings
from tests.fakes.groq_server import GroqFake
from tests.fakes.memory_keyring import MemoryKeyring
from tests.ui.test_main_window import bubble_texts, send, session_file, wait_idle

GroqApp = tuple[AvatarApp, GroqFake]


@pytest.fixture
def groq_app(qtbot: QtBot, groq_fake: GroqFake, monkeypatch: pytest.MonkeyPatch) -> GroqApp:
    """The app set up as a user would: Groq chosen in settings, the key in the keyring."""
    monkeypatch.setenv("GROQ_BASE_URL", groq_fake.base_url)
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    return start_app(
        qtbot, groq_fake, Settings(chat_provider=BrainChoice.GROQ, stt_provider=EarsChoice.GROQ)
    )


def start_app(qtbot: QtBot, fake: GroqFake, settings: Settings) -> GroqApp:
    paths = app_paths.ensure(app_paths.resolve())
    save_settings(paths.settings_file, settings)
    keys = KeyStore(backend=MemoryKeyring())
    keys.set(Service.GROQ, fake.api_key)
    app = AvatarApp(paths, keys=keys, speak=False)
    qtbot.addWidget(app.window)
    app.start()
    qtbot.waitExposed(app.window)
    return app, fake


def answered(qtbot: QtBot, app: AvatarApp, text: str) -> None:
    send(qtbot, app, text)
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) >= 2, timeout=5000)
    wait_idle(qtbot, app)


def test_a_streamed_groq_answer(qtbot: QtBot, groq_app: GroqApp) -> None:
    app, fake = groq_app
    fake.tps = 60
    assert "openai/gpt-oss-20b (Groq)" in app.window.status_label.text()
    send(qtbot, app, "Hello Groq")
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2 and bubble_texts(app)[1] != "")
    assert bubble_texts(app)[1] != fake.chat_reply  # seen while still streaming
    wait_idle(qtbot, app)
    assert bubble_texts(app) == ["Hello Groq", fake.chat_reply]
    assert session_file(app)["messages"][1]["content"] == fake.chat_reply


def test_a_wav_file_is_transcribed_and_answered(
    qtbot: QtBot, groq_app: GroqApp, tmp_path: Path
) -> None:
    app, fake = groq_app
    path = tmp_path / "question.wav"
    tone = (0.3 * np.sin(np.linspace(0, 2 * np.pi * 440, 44_100))).astype(np.float32)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44_100)
        stereo = np.repeat((tone * 32767).astype("<i2")[:, None], 2, axis=1)
        out.writeframes(stereo.tobytes())
    app.window.transcribe_requested.emit(str(path))
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2, timeout=5000)
    wait_idle(qtbot, app)
    assert bubble_texts(app) == [fake.transcript.strip(), fake.chat_reply]
    upload = next(r for r in fake.requests if r.path.endswith("/audio/transcriptions"))
    assert upload.form["model"] == "whisper-large-v3-turbo"
    name, data = upload.files["file"]
    assert name.endswith(".wav") and data[:4] == b"RIFF"
    with wave.open(__import__("io").BytesIO(data)) as sent:
        assert (sent.getframerate(), sent.getnchannels()) == (16_000, 1)
        assert abs(sent.getnframes() - 16_000) < 200


def test_an_unreadable_audio_file_is_explained(
    qtbot: QtBot, groq_app: GroqApp, tmp_path: Path
) -> None:
    app, _ = groq_app
    path = tmp_path / "not-audio.wav"
    path.write_text("hello", encoding="utf-8")
    app.window.transcribe_requested.emit(str(path))
    qtbot.waitUntil(lambda: "Transcription failed" in app.window.notice.text(), timeout=5000)
    assert bubble_texts(app) == []


FAILURES = [
    ("401", "rejected the API key", ["Retry", "Settings…"], False),
    ("403", "refused access", ["Retry", "Settings…"], False),
    ("413", "tokens-per-minute", ["Retry", "Settings…"], False),
    ("400_decommissioned", "retired", ["Use openai/gpt-oss-20b", "Settings…"], False),
    ("404", "has no model", ["Use openai/gpt-oss-20b", "Settings…"], False),
    ("498", "flex tier", ["Retry", "Answer on this computer"], False),
    ("500", "HTTP 500", ["Retry", "Answer on this computer"], False),
    ("502_html", "HTTP 502", ["Retry", "Answer on this computer"], False),
    ("503", "HTTP 503", ["Retry", "Answer on this computer"], False),
    ("malformed_json", "could not be read", ["Retry"], False),
    ("cut_stream", "broke off", ["Retry"], True),
    ("stream_error", "Service Unavailable", ["Retry"], True),
]


@pytest.mark.parametrize(("mode", "words", "actions", "partial"), FAILURES)
def test_each_failure_is_explained_and_nothing_is_lost(
    qtbot: QtBot, groq_app: GroqApp, mode: str, words: str, actions: list[str], partial: bool
) -> None:
    app, fake = groq_app
    fake.fail_next(mode)
    answered(qtbot, app, "Please answer")
    qtbot.waitUntil(lambda: words in app.window.notice.text(), timeout=5000)
    assert app.window.notice.action_titles() == actions
    saved = session_file(app)["messages"]
    assert saved[0]["content"] == "Please answer"
    assert words in saved[1]["error"]
    assert bool(saved[1]["content"]) is partial
    if partial:
        assert fake.chat_reply.startswith(saved[1]["content"]) and saved[1]["interrupted"]
    answered_again = len(saved) + 2
    send(qtbot, app, "Still there?")  # the window stays usable
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) == answered_again)
    wait_idle(qtbot, app)
    assert bubble_texts(app)[-1] == fake.chat_reply


def test_retry_answers_the_same_question_again(qtbot: QtBot, groq_app: GroqApp) -> None:
    app, fake = groq_app
    fake.fail_next("500")
    answered(qtbot, app, "Try me")
    qtbot.waitUntil(lambda: "Retry" in app.window.notice.action_titles())
    app.window.notice.trigger("Retry")
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) == 3)
    wait_idle(qtbot, app)
    saved = session_file(app)["messages"]
    assert [m["role"] for m in saved] == ["user", "assistant", "assistant"]
    assert saved[1]["error"] and saved[2]["content"] == fake.chat_reply
    last_prompt = fake.requests[-1].json
    assert last_prompt is not None and last_prompt["messages"][-1]["content"] == "Try me"


def test_rate_limit_counts_down_then_retries(qtbot: QtBot, groq_app: GroqApp) -> None:
    app, fake = groq_app
    fake.fail_next("429", retry_after=1)
    send(qtbot, app, "Busy?")
    qtbot.waitUntil(lambda: "Retrying in 1 second" in app.window.notice.text(), timeout=5000)
    assert app.window.notice.action_titles() == ["Retry now", "Cancel"]
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) == 3, timeout=5000)
    wait_idle(qtbot, app)
    assert bubble_texts(app)[-1] == fake.chat_reply
    assert "rate limit" in session_file(app)["messages"][1]["error"]


def test_a_countdown_ticks_in_place_and_cancel_takes_it_back(
    qtbot: QtBot, groq_app: GroqApp
) -> None:
    app, fake = groq_app
    fake.fail_next("429", retry_after=2)
    send(qtbot, app, "Busy?")
    qtbot.waitUntil(lambda: "Retrying in 2 seconds" in app.window.notice.text(), timeout=5000)
    qtbot.waitUntil(lambda: "Retrying in 1 second" in app.window.notice.text(), timeout=3000)
    assert app.window.notice.action_titles() == ["Retry now", "Cancel"]
    app.window.notice.trigger("Cancel")
    assert not app.recovery.counting_down and app.window.notice.text() == ""
    qtbot.wait(1500)
    assert len(app.conversation.session.messages) == 2  # nothing was retried


def test_a_new_conversation_drops_a_pending_retry(qtbot: QtBot, groq_app: GroqApp) -> None:
    app, fake = groq_app
    fake.fail_next("429", retry_after=1)
    send(qtbot, app, "Busy?")
    qtbot.waitUntil(lambda: "Retrying in 1 second" in app.window.notice.text(), timeout=5000)
    app.window.new_requested.emit()
    assert not app.recovery.counting_down and app.window.notice.text() == ""
    qtbot.wait(1500)
    assert len([r for r in fake.requests if r.path.endswith("/chat/completions")]) == 1


def test_rate_limit_retries_are_bounded(qtbot: QtBot, groq_app: GroqApp) -> None:
    app, fake = groq_app
    fake.fail_next("429", count=3, retry_after=1)
    send(qtbot, app, "Busy?")
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) == 4, timeout=8000)
    wait_idle(qtbot, app)
    assert not app.recovery.counting_down
    assert "Retry" in app.window.notice.action_titles()
    assert len([r for r in fake.requests if r.path.endswith("/chat/completions")]) == 3


def test_a_retired_model_offers_the_current_ones(
    qtbot: QtBot, groq_fake: GroqFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROQ_BASE_URL", groq_fake.base_url)
    app, fake = start_app(
        qtbot, groq_fake, Settings(chat_provider=BrainChoice.GROQ, groq_chat_model="llama3-8b-8192")
    )
    answered(qtbot, app, "Hello?")
    qtbot.waitUntil(
        lambda: "Use openai/gpt-oss-20b" in app.window.notice.action_titles(), timeout=5000
    )
    assert "retired" in app.window.notice.text()
    app.window.notice.trigger("Use openai/gpt-oss-20b")
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) == 3, timeout=5000)
    wait_idle(qtbot, app)
    assert bubble_texts(app)[-1] == fake.chat_reply
    assert app.settings.groq_chat_model == "openai/gpt-oss-20b"
    stored = json.loads(app.paths.settings_file.read_text(encoding="utf-8"))
    assert stored["groq_chat_model"] == "openai/gpt-oss-20b"


def test_offline_offers_an_answer_on_this_computer(
    qtbot: QtBot, groq_fake: GroqFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    from avatar_desktop.providers.base import GenerationOptions

    monkeypatch.setenv("GROQ_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    app, _ = start_app(qtbot, groq_fake, Settings(chat_provider=BrainChoice.GROQ))
    app.conversation.options = GenerationOptions(max_tokens=12, temperature=0.2)
    answered(qtbot, app, "Are you there?")
    qtbot.waitUntil(lambda: "could not be reached" in app.window.notice.text(), timeout=5000)
    assert app.window.notice.action_titles() == ["Retry", "Answer on this computer"]
    app.window.notice.trigger("Answer on this computer")
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) == 3, timeout=30_000)
    wait_idle(qtbot, app)
    saved = session_file(app)["messages"]
    assert saved[1]["error"] and saved[2]["content"].strip() and not saved[2].get("error")


def test_automatic_fallback_when_groq_is_unreachable(
    qtbot: QtBot, groq_fake: GroqFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    from avatar_desktop.providers.base import GenerationOptions

    monkeypatch.setenv("GROQ_BASE_URL", "http://127.0.0.1:9")
    app, _ = start_app(
        qtbot, groq_fake, Settings(chat_provider=BrainChoice.GROQ, auto_fallback=True)
    )
    app.conversation.options = GenerationOptions(max_tokens=12, temperature=0.2)
    answered(qtbot, app, "Offline question")
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) == 3, timeout=30_000)
    wait_idle(qtbot, app)
    assert "Answering on this computer" in app.window.notice.text()
    assert session_file(app)["messages"][2]["content"].strip()


def test_the_key_never_reaches_a_file_or_a_log(
    qtbot: QtBot, groq_fake: GroqFake, monkeypatch: pytest.MonkeyPatch, app_home: Path
) -> None:
    monkeypatch.setenv("GROQ_BASE_URL", groq_fake.base_url)
    setup_logging(app_paths.ensure(app_paths.resolve()).logs, level=logging.DEBUG)
    app, fake = start_app(qtbot, groq_fake, Settings(chat_provider=BrainChoice.GROQ))
    answered(qtbot, app, "First")
    fake.fail_next("401")
    answered(qtbot, app, "Second")
    logging.getLogger("avatar_desktop.test").warning("a careless line with %s", fake.api_key)
    app.window.close()
    wait_idle(qtbot, app)
    for handler in logging.getLogger("avatar_desktop").handlers:
        handler.flush()
    files = [p for p in app_home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files) and any(p.name == "settings.json" for p in files)
    assert any(p.parent.name == "sessions" for p in files)
    needle = fake.api_key.encode()
    assert [p for p in files if needle in p.read_bytes()] == []
    assert "«redacted»" in next(p for p in files if p.suffix == ".log").read_text(encoding="utf-8")


def test_the_ears_are_chosen_in_settings(qtbot: QtBot, groq_app: GroqApp) -> None:
    from avatar_desktop.ui.settings_dialog import SettingsDialog

    app, _fake = groq_app
    dialog = SettingsDialog(app.settings_values(), app.providers, app.window)
    qtbot.addWidget(dialog)
    assert dialog.ears.radios[EarsChoice.GROQ].isChecked()
    assert dialog.values().stt_provider is EarsChoice.GROQ
    dialog.ears.radios[EarsChoice.LOCAL].setChecked(True)
    app.apply_settings(dialog.values())
    assert app.settings.stt_provider is EarsChoice.LOCAL
    assert "Ears: Whisper tiny.en (on this computer)" in app.window.status_label.text()


def test_settings_test_button_reports_the_key_in_words(qtbot: QtBot, groq_app: GroqApp) -> None:
    from avatar_desktop.ui.settings_dialog import SettingsDialog, SettingsValues

    app, fake = groq_app
    current = SettingsValues(BrainChoice.GROQ, "", "openai/gpt-oss-20b", 256, 0.7, False)
    dialog = SettingsDialog(current, app.providers, app.window)
    qtbot.addWidget(dialog)
    groq = dialog.keys_tab.rows[Service.GROQ]
    assert "kept for this run only" in groq.status.text() or "keyring" in groq.status.text()
    groq.field.setText("gsk_definitely_wrong_000000000000")
    groq.test_button.click()
    qtbot.waitUntil(lambda: groq.result.text().startswith("✗"), timeout=5000)
    assert "rejected the API key" in groq.result.text()
    groq.field.setText(fake.api_key)
    groq.test_button.click()
    qtbot.waitUntil(lambda: groq.result.text().startswith("✓"), timeout=5000)
    assert "accepted" in groq.result.text()
    dialog.refresh_models.click()
    qtbot.waitUntil(lambda: dialog.groq_model.count() > 1, timeout=5000)
    ids = [dialog.groq_model.itemText(i) for i in range(dialog.groq_model.count())]
    assert ids[0] == "openai/gpt-oss-20b" and not any("whisper" in i for i in ids)
    dialog.groq_model.setCurrentText("openai/gpt-oss-120b")
    app.apply_settings(dialog.values())
    assert app.model.name == "openai/gpt-oss-120b (Groq)"
    assert app.keys.get(Service.GROQ) == fake.api_key
    stored = app.paths.settings_file.read_text(encoding="utf-8")
    assert "openai/gpt-oss-120b" in stored and fake.api_key not in stored


def use_groq(app: AvatarApp, fake_url: str, key: str, **timeouts: float) -> None:
    from avatar_desktop.providers.groq.access import GroqAccess
    from avatar_desktop.providers.groq.chat import GroqChatModel

    app.use_model(GroqChatModel(access=GroqAccess(api_key=key, base_url=fake_url, **timeouts)))


def assert_recoverable(qtbot: QtBot, app: AvatarApp, words: str) -> None:
    """The message names the cause, offers Retry, and the question is safe on disk."""
    qtbot.waitUntil(lambda: words in app.window.notice.text(), timeout=8000)
    assert app.window.notice.action_titles()[0] == "Retry"
    saved = session_file(app)["messages"]
    assert saved[0]["content"] == "Please answer" and words in saved[1]["error"]
    assert app.window.input.isEnabled() and not app.conversation.busy


def test_read_timeout_mid_stream_keeps_the_partial_answer(qtbot: QtBot, groq_app: GroqApp) -> None:
    app, fake = groq_app
    use_groq(app, fake.base_url, fake.api_key, timeout_s=0.5)
    fake.fail_next("hang", seconds=5)
    answered(qtbot, app, "Please answer")
    assert_recoverable(qtbot, app, "did not answer in time")
    assert "Answer on this computer" in app.window.notice.action_titles()


def test_connect_timeout(qtbot: QtBot, groq_app: GroqApp) -> None:
    import socket

    app, fake = groq_app
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = [socket.socket() for _ in range(4)]
    for filler in fillers:  # a full accept backlog: the next connection attempt is never answered
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
    try:
        use_groq(app, f"http://127.0.0.1:{port}", fake.api_key, connect_timeout_s=0.3)
        answered(qtbot, app, "Please answer")
        assert_recoverable(qtbot, app, "did not answer in time")
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_dns_failure(qtbot: QtBot, groq_app: GroqApp, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    app, fake = groq_app

    def no_dns(*_args: object, **_kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # the OS resolver, not the client library
    use_groq(app, "http://api.groq.invalid", fake.api_key)
    answered(qtbot, app, "Please answer")
    assert_recoverable(qtbot, app, "(DNS)")


def test_ears_are_groqs_when_chosen_and_a_key_is_set(qtbot: QtBot, groq_app: GroqApp) -> None:
    app, _fake = groq_app
    assert "Ears: whisper-large-v3-turbo (Groq)" in app.window.status_label.text()
    app.keys.delete(Service.GROQ)  # no key: the ears fall back to this computer's
    app.apply_settings(app.settings_values())
    assert "Ears: Whisper tiny.en (on this computer)" in app.window.status_label.text()


def test_audio_over_the_upload_limit_is_explained(
    qtbot: QtBot, groq_app: GroqApp, tmp_path: Path
) -> None:
    app, fake = groq_app
    fake.fail_next("413_audio")
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(np.zeros(16_000, dtype="<i2").tobytes())
    app.window.transcribe_requested.emit(str(path))
    qtbot.waitUntil(lambda: "too large" in app.window.notice.text(), timeout=5000)
    assert "Transcription failed" in app.window.notice.text()
    assert bubble_texts(app) == []
