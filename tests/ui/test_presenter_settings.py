"""Settings → Presenter and the cloud voice, in the real window against the loopback fakes:
the presenter picker, credits, the user's portrait, and ElevenLabs speaking for the avatar."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.core.catalogue import PresenterKind, Service, VoiceChoice
from avatar_desktop.providers.elevenlabs.voice import ElevenLabsVoice
from avatar_desktop.storage.secrets import KeyStore
from avatar_desktop.ui.settings_dialog import SettingsDialog
from tests.audio.pulse import PulseSink, pulse_sink  # noqa: F401
from tests.fakes.did_server import DidFake
from tests.fakes.elevenlabs_server import ElevenLabsFake
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp
from tests.ui.test_main_window import send, wait_idle

DID_KEY = "dGVzdEBleGFtcGxlLmNvbQ:DiD_SeCrEt_0123456789"
ELEVEN_KEY = "sk_test_ElEvEn_SECRET_0123456789"
ANSWER = ["[happy] ", "What a lovely day it is ", "for a walk by the sea."]


@pytest.fixture(autouse=True)
def sound(pulse_sink: PulseSink) -> PulseSink:  # noqa: F811
    return pulse_sink


def cloud_app(
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    did: DidFake,
    eleven: ElevenLabsFake,
    *,
    speak: bool = False,
) -> AvatarApp:
    monkeypatch.setenv("DID_BASE_URL", did.base_url)
    monkeypatch.setenv("ELEVENLABS_BASE_URL", eleven.base_url)
    keys = KeyStore(backend=MemoryKeyring())
    keys.set(Service.DID, DID_KEY)
    keys.set(Service.ELEVENLABS, ELEVEN_KEY)
    return make_app(ScriptedModel(ANSWER), speak=speak, keys=keys)


def thumbnail_fetches(fake: DidFake) -> int:
    return sum(1 for r in fake.requests if r.path.startswith("/files/presenters/"))


def test_the_presenter_picker_shows_d_id_presenters_with_cached_thumbnails(
    qtbot: QtBot,
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    did_fake: DidFake,
    elevenlabs_fake: ElevenLabsFake,
) -> None:
    app = cloud_app(make_app, monkeypatch, did_fake, elevenlabs_fake)
    for _round in range(2):
        dialog = SettingsDialog(app.settings_values(), app.providers, app.window)
        qtbot.addWidget(dialog)
        tab = dialog.presenter_tab
        tab.who.radios[PresenterKind.DID_CLIP].setChecked(True)
        tab.refresh_presenters.click()
        note = tab.note
        qtbot.waitUntil(lambda: "presenters available" in note.text(), timeout=5000)  # noqa: B023
        assert tab.presenters.count() == 3
        assert all(not tab.presenters.itemIcon(i).isNull() for i in range(3))
        assert tab.presenters.itemText(0) == "Amy"
        tab.presenters.setCurrentIndex(1)
        dialog.accept()
        app.apply_settings(dialog.values())
        assert thumbnail_fetches(did_fake) == 3  # the second round used the cached pictures
    assert app.settings.presenter is PresenterKind.DID_CLIP
    assert app.settings.did_presenter_id == "rian-lZC6MmWfC1"
    assert app.settings.did_driver_id
    qtbot.waitUntil(lambda: "of 40 credits" in app.window.status_label.text(), timeout=5000)


def test_credits_are_checked_from_the_presenter_tab(
    qtbot: QtBot,
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    did_fake: DidFake,
    elevenlabs_fake: ElevenLabsFake,
) -> None:
    app = cloud_app(make_app, monkeypatch, did_fake, elevenlabs_fake)
    did_fake.credits_remaining = 7
    dialog = SettingsDialog(app.settings_values(), app.providers, app.window)
    qtbot.addWidget(dialog)
    buttons = {b.text(): b for b in dialog.presenter_tab.findChildren(QPushButton)}
    buttons["Check credits"].click()
    qtbot.waitUntil(lambda: "left" in dialog.presenter_tab.credits.text(), timeout=5000)
    assert dialog.presenter_tab.credits.text() == "7 of 40 left"


def test_every_services_key_can_be_tested_from_the_keys_tab(
    qtbot: QtBot,
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    did_fake: DidFake,
    elevenlabs_fake: ElevenLabsFake,
) -> None:
    app = cloud_app(make_app, monkeypatch, did_fake, elevenlabs_fake)
    did_fake.valid_key = DID_KEY
    dialog = SettingsDialog(app.settings_values(), app.providers, app.window)
    qtbot.addWidget(dialog)
    rows = dialog.keys_tab.rows
    assert list(rows) == [Service.GROQ, Service.DID, Service.ELEVENLABS]
    assert rows[Service.DID].status.text() == "A key is saved in the system keyring."
    assert "Get one at console.groq.com" in rows[Service.GROQ].status.text()
    did = rows[Service.DID]
    did.field.setText("someone:wrong_secret_000")
    did.test_button.click()
    qtbot.waitUntil(lambda: did.result.text().startswith("✗"), timeout=5000)
    assert "D-ID rejected the API key" in did.result.text()
    did.field.clear()  # empty: the stored key is tested
    did.test_button.click()
    qtbot.waitUntil(lambda: did.result.text().startswith("✓"), timeout=5000)
    assert "credits are left" in did.result.text()
    eleven = rows[Service.ELEVENLABS]
    eleven.test_button.click()
    qtbot.waitUntil(lambda: eleven.result.text().startswith("✓"), timeout=5000)
    assert "ElevenLabs accepted the key" in eleven.result.text()
    assert dialog.values().keys == {} and dialog.values().remove_keys == frozenset()


def make_portrait(path: Path, size: tuple[int, int] = (900, 1200)) -> Path:
    Image.new("RGB", size, (200, 160, 140)).save(path, "JPEG")
    return path


def test_a_portrait_is_uploaded_once_and_animated_with_the_answers_emotions(
    qtbot: QtBot,
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    did_fake: DidFake,
    elevenlabs_fake: ElevenLabsFake,
    tmp_path: Path,
) -> None:
    app = cloud_app(make_app, monkeypatch, did_fake, elevenlabs_fake)
    portrait = make_portrait(tmp_path / "me.jpg")
    values = app.settings_values()
    chosen = replace(
        values.presenter, presenter=PresenterKind.DID_TALK, portrait_path=str(portrait)
    )
    app.apply_settings(replace(values, presenter=chosen))
    qtbot.waitUntil(lambda: app.settings.did_portrait_url is not None, timeout=5000)
    assert app.settings.did_portrait_url in did_fake.images.values()
    assert app.stage.presenter is not None
    app.apply_settings(app.settings_values())  # the same picture again: no second upload
    uploads = [r for r in did_fake.requests if r.path == "/images"]
    assert len(uploads) == 1
    send(qtbot, app, "How is the weather?")
    qtbot.waitUntil(lambda: app.stage.speaking, timeout=5000)
    qtbot.waitUntil(lambda: not app.stage.speaking, timeout=20_000)
    wait_idle(qtbot, app)
    (talk,) = did_fake.renders.values()
    assert talk.kind == "talks"
    assert talk.body["source_url"] == app.settings.did_portrait_url
    moods = talk.body["config"]["driver_expressions"]["expressions"]
    assert moods[0]["expression"] == "happy"


def test_a_picture_that_is_not_a_photo_is_refused_and_the_drawn_avatar_answers(
    qtbot: QtBot,
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    did_fake: DidFake,
    elevenlabs_fake: ElevenLabsFake,
    tmp_path: Path,
) -> None:
    app = cloud_app(make_app, monkeypatch, did_fake, elevenlabs_fake)
    fake_png = tmp_path / "notes.png"
    fake_png.write_text("this is not a picture", encoding="utf-8")
    values = app.settings_values()
    chosen = replace(
        values.presenter, presenter=PresenterKind.DID_TALK, portrait_path=str(fake_png)
    )
    app.apply_settings(replace(values, presenter=chosen))
    qtbot.waitUntil(lambda: "portrait could not be used" in app.window.notice.text(), timeout=5000)
    assert app.stage.presenter is None
    assert not [r for r in did_fake.requests if r.path == "/images"]
    send(qtbot, app, "Hello?")
    wait_idle(qtbot, app)
    assert not did_fake.renders  # answered by the drawn avatar


def test_elevenlabs_speaks_for_the_drawn_avatar_and_this_computer_takes_over_on_failure(
    qtbot: QtBot,
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    did_fake: DidFake,
    elevenlabs_fake: ElevenLabsFake,
) -> None:
    app = cloud_app(make_app, monkeypatch, did_fake, elevenlabs_fake, speak=True)
    qtbot.waitUntil(lambda: app.ready, timeout=15_000)
    values = app.settings_values()
    app.apply_settings(
        replace(values, presenter=replace(values.presenter, voice_provider=VoiceChoice.ELEVENLABS))
    )
    assert isinstance(app.speaker.voice, ElevenLabsVoice)
    assert "Voice: ElevenLabs Rachel" in app.window.status_label.text()
    spoken: list[str] = []
    app.speaker.sentence_started.connect(lambda sentence: spoken.append(sentence.text))
    send(qtbot, app, "How is the weather?")
    qtbot.waitUntil(lambda: len(spoken) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: not app.stage.speaking, timeout=20_000)
    calls = [r for r in elevenlabs_fake.requests if r.path.endswith("/with-timestamps")]
    assert calls and all(r.headers.get("xi-api-key") == ELEVEN_KEY for r in calls)
    assert calls[0].json is not None and calls[0].json["model_id"] == "eleven_flash_v2_5"
    elevenlabs_fake.fail_next("401")
    send(qtbot, app, "And tomorrow?")
    qtbot.waitUntil(
        lambda: "this computer speaks instead" in app.window.notice.text(), timeout=10_000
    )
    voice: object = app.speaker.voice  # the cloud voice gave way to this computer's
    assert voice is app.local_voice
