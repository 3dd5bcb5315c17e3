"""The real window, driven by keyboard and mouse, answering from a scripted model."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.core.catalogue import BrainChoice
from tests.fakes.scripted_model import ScriptedModel
from tests.ui.conftest import MakeApp


def send(qtbot: QtBot, app: AvatarApp, text: str) -> None:
    app.window.input.setFocus()
    qtbot.keyClicks(app.window.input, text)
    qtbot.keyClick(app.window.input, Qt.Key.Key_Return)


def bubble_texts(app: AvatarApp) -> list[str]:
    return [b.text() for b in app.window.chat.bubbles()]


def session_file(app: AvatarApp) -> dict:
    path = app.paths.sessions / f"{app.conversation.session.id}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def interrupted(bubble: object) -> bool:
    note = bubble.note("interruptedNote")  # type: ignore[attr-defined]
    return note is not None and not note.isHidden()


def wait_idle(qtbot: QtBot, app: AvatarApp) -> None:
    qtbot.waitUntil(lambda: not app.conversation.busy, timeout=5000)
    qtbot.waitUntil(lambda: app.pools.disk.activeThreadCount() == 0, timeout=5000)


def test_typed_question_gets_a_streamed_answer_saved_on_disk(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    model = ScriptedModel(["Hi", " there", "! [wave]", " How", " can I help?"], delay=0.08)
    app = make_app(model)
    send(qtbot, app, "Hello avatar")
    qtbot.waitUntil(lambda: len(bubble_texts(app)) == 2 and bubble_texts(app)[1] != "")
    partial = bubble_texts(app)[1]
    assert partial != "Hi there!  How can I help?"  # seen mid-stream, not at the end
    assert app.conversation.busy
    wait_idle(qtbot, app)
    assert bubble_texts(app) == ["Hello avatar", "Hi there!  How can I help?"]
    assert app.window.input.toPlainText() == ""
    data = session_file(app)
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    assert data["messages"][1]["content"] == "Hi there!  How can I help?"
    assert data["title"] == "Hello avatar"
    assert model.calls[0][0].type == "system" and model.calls[0][-1].content == "Hello avatar"


def test_user_message_is_on_disk_before_the_model_is_called(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    model = ScriptedModel(["ok"])
    model.ready_event.clear()  # the model is "still loading": the message must wait, saved
    app = make_app(model)
    send(qtbot, app, "Remember me")
    qtbot.waitUntil(lambda: (app.paths.sessions / f"{app.conversation.session.id}.json").exists())
    data = session_file(app)
    assert [m["content"] for m in data["messages"]] == ["Remember me"]
    assert model.calls == []
    model.ready_event.set()
    wait_idle(qtbot, app)
    assert bubble_texts(app) == ["Remember me", "ok"]


def test_stop_ends_the_answer_fast_and_keeps_it_marked(qtbot: QtBot, make_app: MakeApp) -> None:
    model = ScriptedModel([f" word{i}" for i in range(200)], delay=0.03)
    app = make_app(model)
    send(qtbot, app, "Talk a lot")
    qtbot.waitUntil(lambda: model.yielded >= 3)
    assert app.window.stop_button.isEnabled()
    started = time.perf_counter()
    qtbot.mouseClick(app.window.stop_button, Qt.MouseButton.LeftButton)
    assert not app.conversation.busy
    assert (time.perf_counter() - started) < 0.1
    yielded = model.yielded
    qtbot.wait(200)
    assert model.yielded <= yielded + 1  # generation really stopped
    wait_idle(qtbot, app)
    last = app.window.chat.bubbles()[-1]
    assert last.text().startswith(" word0 word1")
    assert interrupted(last)
    saved = session_file(app)["messages"][-1]
    assert saved["interrupted"] is True and saved["content"] == last.text()


def test_escape_stops_too(qtbot: QtBot, make_app: MakeApp) -> None:
    model = ScriptedModel([f" w{i}" for i in range(200)], delay=0.03)
    app = make_app(model)
    send(qtbot, app, "Go")
    qtbot.waitUntil(lambda: model.yielded >= 2)
    qtbot.keyClick(app.window.input, Qt.Key.Key_Escape)
    assert not app.conversation.busy
    assert interrupted(app.window.chat.bubbles()[-1])


def test_empty_and_whitespace_messages_are_ignored(qtbot: QtBot, make_app: MakeApp) -> None:
    model = ScriptedModel()
    app = make_app(model)
    send(qtbot, app, "   ")
    qtbot.keyClick(app.window.input, Qt.Key.Key_Return)
    qtbot.wait(100)
    assert bubble_texts(app) == []
    assert model.calls == []
    assert not list(app.paths.sessions.glob("*.json"))


def test_shift_enter_makes_a_new_line(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app(ScriptedModel())
    qtbot.keyClicks(app.window.input, "line one")
    qtbot.keyClick(app.window.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(app.window.input, "line two")
    assert app.window.input.toPlainText() == "line one\nline two"
    assert bubble_texts(app) == []


def test_huge_paste_is_cut_with_a_notice(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app(ScriptedModel())
    from PySide6.QtCore import QMimeData

    mime = QMimeData()
    mime.setText("x" * 200_000)
    started = time.perf_counter()
    app.window.input.insertFromMimeData(mime)
    assert time.perf_counter() - started < 1.0
    assert len(app.window.input.toPlainText()) == 20_000
    assert "200,000" in app.window.notice.text()
    send(qtbot, app, "")
    wait_idle(qtbot, app)
    assert bubble_texts(app)[0] == "x" * 20_000


def test_too_long_message_is_refused_and_kept(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app(ScriptedModel())
    app.window.input.setPlainText("y" * 25_000)
    qtbot.mouseClick(app.window.send_button, Qt.MouseButton.LeftButton)
    assert app.window.input.toPlainText() == "y" * 25_000
    assert "limit is 20,000" in app.window.notice.text()
    assert bubble_texts(app) == []


def test_sessions_switch_and_survive_a_restart(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app(ScriptedModel(["First answer."]))
    send(qtbot, app, "First question")
    wait_idle(qtbot, app)
    first_id = app.conversation.session.id
    qtbot.keyClick(app.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert bubble_texts(app) == []
    app.conversation.model = ScriptedModel(["Second answer."])
    send(qtbot, app, "Second question")
    wait_idle(qtbot, app)
    ids = app.window.sidebar.ids()
    assert ids[0] == app.conversation.session.id and first_id in ids  # newest first
    item = app.window.sidebar.list.item(ids.index(first_id))
    rect = app.window.sidebar.list.visualItemRect(item)
    qtbot.mouseClick(
        app.window.sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
    )
    qtbot.waitUntil(lambda: bubble_texts(app) == ["First question", "First answer."])
    app.window.close()
    wait_idle(qtbot, app)

    again = make_app(ScriptedModel())
    qtbot.waitUntil(lambda: bubble_texts(again) == ["First question", "First answer."])
    assert again.conversation.session.id == first_id
    assert set(again.window.sidebar.ids()) == set(ids)


def test_rename_and_delete_with_confirmation(
    qtbot: QtBot, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(ScriptedModel(["Sure."]))
    send(qtbot, app, "Keep this")
    wait_idle(qtbot, app)
    session_id = app.conversation.session.id
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Renamed chat", True))
    qtbot.keyClick(app.window, Qt.Key.Key_F2)
    wait_idle(qtbot, app)
    assert session_file(app)["title"] == "Renamed chat"
    assert app.window.sidebar.title_of(session_id) == "Renamed chat"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    app.window.sidebar.ask_delete(session_id)
    wait_idle(qtbot, app)
    assert (app.paths.sessions / f"{session_id}.json").exists()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    app.window.sidebar.ask_delete(session_id)
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: session_id not in app.window.sidebar.ids())
    assert not (app.paths.sessions / f"{session_id}.json").exists()
    assert bubble_texts(app) == []


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "full"), (errno.EROFS, "read-only")])
def test_failed_save_keeps_the_message_in_the_input(
    qtbot: QtBot, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    model = ScriptedModel()
    app = make_app(model)

    def full(*_args: object) -> None:
        raise OSError(code, "simulated")

    monkeypatch.setattr("avatar_desktop.core.atomic.os.replace", full)
    send(qtbot, app, "Do not lose me")
    qtbot.waitUntil(lambda: app.window.notice.isVisible())
    wait_idle(qtbot, app)
    assert app.window.input.toPlainText() == "Do not lose me"
    assert words in app.window.notice.text().lower()
    assert model.calls == [] and bubble_texts(app) == []
    monkeypatch.undo()
    qtbot.mouseClick(app.window.send_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    assert bubble_texts(app) == ["Do not lose me", "Hello there!"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema_version": 99, "id": "x", "messages": []}', "newer version"),
    ],
)
def test_corrupt_session_file_is_set_aside_with_a_notice(
    qtbot: QtBot, make_app: MakeApp, app_home: Path, content: str, reason: str
) -> None:
    sessions = app_home / "data" / "sessions"
    sessions.mkdir(parents=True)
    bad = sessions / "0123456789abcdef0123456789abcdef.json"
    bad.write_text(content, encoding="utf-8")
    app = make_app(ScriptedModel())
    qtbot.waitUntil(lambda: app.window.notice.isVisible())
    assert "could not be opened" in app.window.notice.text()
    assert reason in app.window.notice.text()
    assert "unreadable" in app.window.notice.text()
    assert not bad.exists()
    moved = list((sessions / "unreadable").iterdir())
    assert len(moved) == 1 and moved[0].read_text(encoding="utf-8") == content
    send(qtbot, app, "Still works?")
    wait_idle(qtbot, app)
    assert bubble_texts(app) == ["Still works?", "Hello there!"]


def test_model_error_is_shown_and_partial_answer_kept(qtbot: QtBot, make_app: MakeApp) -> None:
    model = ScriptedModel(
        ["Half", " an answer", " never"], fail_after=2, error="The model ran out of memory."
    )
    app = make_app(model)
    send(qtbot, app, "Fail please")
    wait_idle(qtbot, app)
    last = app.window.chat.bubbles()[-1]
    assert last.text() == "Half an answer" and interrupted(last)
    assert "ran out of memory" in app.window.notice.text()
    saved = session_file(app)["messages"]
    assert (
        saved[0]["content"] == "Fail please" and saved[1]["error"] == "The model ran out of memory."
    )
    assert app.window.input.isEnabled()


def test_status_line_names_the_model_and_its_state(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app(ScriptedModel())
    qtbot.waitUntil(lambda: "ready" in app.window.status_label.text())
    assert "Scripted (test)" in app.window.status_label.text()


def test_shortcut_focuses_the_input(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app(ScriptedModel())
    app.window.send_button.setFocus()
    assert app.window.focusWidget() is app.window.send_button
    qtbot.keyClick(app.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert app.window.focusWidget() is app.window.input


def test_a_bad_model_file_in_settings_is_explained(
    qtbot: QtBot, make_app: MakeApp, tmp_path: Path
) -> None:
    from avatar_desktop.ui.settings_dialog import SettingsValues

    app = make_app(ScriptedModel())
    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_text("just some text", encoding="utf-8")
    app.apply_settings(
        SettingsValues(BrainChoice.LOCAL, str(not_a_model), "openai/gpt-oss-20b", 64, 0.5, False)
    )
    qtbot.waitUntil(lambda: "not loaded" in app.window.status_label.text())
    assert "not a GGUF model file" in app.window.notice.text()
    send(qtbot, app, "Are you there?")
    wait_idle(qtbot, app)
    saved = session_file(app)["messages"]
    assert saved[0]["content"] == "Are you there?"
    assert "not a GGUF model file" in saved[1]["error"]
    assert app.window.chat.bubbles()[-1].note("errorNote") is not None
    app.apply_settings(
        SettingsValues(
            BrainChoice.LOCAL, str(tmp_path / "missing.gguf"), "openai/gpt-oss-20b", 64, 0.5, False
        )
    )
    qtbot.waitUntil(lambda: "does not exist" in app.window.notice.text())
    reloaded = json.loads(app.paths.settings_file.read_text(encoding="utf-8"))
    assert reloaded["chat_model_path"] == str(tmp_path / "missing.gguf")


@pytest.mark.model
def test_the_real_embedded_model_answers_in_the_window(qtbot: QtBot, make_app: MakeApp) -> None:
    from avatar_desktop.providers.base import GenerationOptions
    from avatar_desktop.providers.local.llm import LocalChatModel

    app = make_app(LocalChatModel())
    app.conversation.options = GenerationOptions(max_tokens=16, temperature=0.2)
    qtbot.waitUntil(lambda: "ready" in app.window.status_label.text(), timeout=30_000)
    assert "SmolLM2-135M" in app.window.status_label.text()
    send(qtbot, app, "Say hello in one short sentence.")
    qtbot.waitUntil(lambda: not app.conversation.busy, timeout=30_000)
    wait_idle(qtbot, app)
    answer = app.window.chat.bubbles()[-1]
    assert answer.role == "assistant" and answer.text().strip()
    assert session_file(app)["messages"][1]["content"] == answer.text()


def test_persona_is_editable_per_session(
    qtbot: QtBot, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from avatar_desktop.ui.dialogs import PersonaDialog

    model = ScriptedModel(["Arr."])
    app = make_app(model)
    send(qtbot, app, "Hello")
    wait_idle(qtbot, app)
    assert "Ava" in str(model.calls[0][0].content)  # the default persona

    def accept(dialog: PersonaDialog) -> int:
        assert "Ava" in dialog.text()  # it opens on the current persona
        dialog.editor.setPlainText("You are a pirate. Answer like one.")
        return int(PersonaDialog.DialogCode.Accepted)

    monkeypatch.setattr(PersonaDialog, "exec", accept)
    app.window.persona_requested.emit()
    wait_idle(qtbot, app)
    assert session_file(app)["persona"] == "You are a pirate. Answer like one."
    send(qtbot, app, "Hello again")
    wait_idle(qtbot, app)
    assert model.calls[1][0].content == "You are a pirate. Answer like one."
    qtbot.keyClick(app.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    send(qtbot, app, "New chat")
    wait_idle(qtbot, app)
    assert "Ava" in str(model.calls[2][0].content)  # other sessions keep the default


def test_the_record_button_listens_on_this_computer_by_default(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app(ScriptedModel())
    button = app.window.record_button
    assert button.isVisible() and button.isEnabled()
    assert "while you speak" in button.toolTip() and "Ctrl+Space" in button.toolTip()
    assert "Ears: Whisper tiny.en (on this computer)" in app.window.status_label.text()


def test_the_avatars_look_is_chosen_in_settings_and_kept(qtbot: QtBot, make_app: MakeApp) -> None:
    from avatar_desktop.avatar.look import HAIR_COLOURS, SKIN_TONES, Look
    from avatar_desktop.ui.settings_dialog import SettingsDialog, SettingsValues

    app = make_app(ScriptedModel())
    current = SettingsValues(BrainChoice.LOCAL, "", "openai/gpt-oss-20b", 256, 0.7, False)
    dialog = SettingsDialog(current, app.providers, app.window)
    qtbot.addWidget(dialog)
    before = dialog.look_tab.preview.pixmap().toImage()
    boxes = dialog.look_tab._boxes
    boxes["skin"].setCurrentIndex(boxes["skin"].findData(SKIN_TONES[-1].colour))
    boxes["hair_style"].setCurrentIndex(boxes["hair_style"].findData("curly"))
    boxes["hair_colour"].setCurrentIndex(boxes["hair_colour"].findData(HAIR_COLOURS[0].colour))
    assert dialog.look_tab.preview.pixmap().toImage() != before  # the preview follows
    app.apply_settings(dialog.values())
    wanted = Look(
        skin=SKIN_TONES[-1].colour, hair_style="curly", hair_colour=HAIR_COLOURS[0].colour
    )
    assert app.window.avatar.look() == wanted
    app.window.close()
    wait_idle(qtbot, app)
    again = make_app(ScriptedModel())
    assert again.window.avatar.look() == wanted


def test_sending_while_a_conversation_loads_keeps_the_user_where_they_are(
    qtbot: QtBot, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(ScriptedModel(["Old answer."]))
    send(qtbot, app, "Old question")
    wait_idle(qtbot, app)
    old_id = app.conversation.session.id
    qtbot.keyClick(app.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    app.conversation.model = ScriptedModel(["New answer."])
    load = app.store.load

    def slow_load(session_id: str) -> object:
        time.sleep(0.3)
        return load(session_id)

    monkeypatch.setattr(app.store, "load", slow_load)
    app.window.session_selected.emit(old_id)  # a click on the old conversation...
    send(qtbot, app, "New question")  # ...and typing before it has loaded
    qtbot.waitUntil(lambda: len(app.conversation.session.messages) == 2, timeout=5000)
    wait_idle(qtbot, app)
    qtbot.wait(400)
    assert app.conversation.session.id != old_id
    assert bubble_texts(app) == ["New question", "New answer."]
    assert [m["content"] for m in session_file(app)["messages"]] == ["New question", "New answer."]


@pytest.mark.parametrize("action", ["rename", "persona"])
def test_a_change_while_the_message_saves_keeps_the_message_on_disk(
    qtbot: QtBot, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    import threading

    model = ScriptedModel(["First answer."])
    app = make_app(model)
    send(qtbot, app, "First question")
    wait_idle(qtbot, app)
    session_id = app.conversation.session.id
    path = app.paths.sessions / f"{session_id}.json"
    model.ready_event.clear()  # the answer waits: only the user message and the change are saved
    gate, real_save = threading.Event(), app.store.save
    on_disk: list[list[str]] = []  # the file's messages after each save, read with plain json

    def held_save(session: object) -> None:
        if not on_disk:
            gate.wait(5)  # the user message's save is in flight while the change is made
        real_save(session)  # type: ignore[arg-type]
        document = json.loads(path.read_text(encoding="utf-8"))
        on_disk.append([message["content"] for message in document["messages"]])

    monkeypatch.setattr(app.store, "save", held_save)
    send(qtbot, app, "Keep me safe")
    if action == "rename":
        app.conversation.rename_session(session_id, "Renamed while saving")
    else:
        app.conversation.set_persona("You are a pirate.")
    gate.set()
    qtbot.waitUntil(lambda: "Keep me safe" in bubble_texts(app), timeout=5000)  # acknowledged
    qtbot.waitUntil(lambda: len(on_disk) == 2, timeout=5000)
    assert all("Keep me safe" in messages for messages in on_disk), on_disk
    document = json.loads(path.read_text(encoding="utf-8"))
    if action == "rename":
        assert document["title"] == "Renamed while saving"
    else:
        assert document["persona"] == "You are a pirate."
    model.ready_event.set()
    wait_idle(qtbot, app)
    assert [m["content"] for m in session_file(app)["messages"]][-1] == "First answer."


def test_a_deleted_conversation_leaves_no_copy_in_the_apps_folders(
    qtbot: QtBot, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, app_home: Path
) -> None:
    from avatar_desktop.core import atomic

    marker = "Zanzibar-quokka-7731"
    app = make_app(ScriptedModel([f"About {marker}."]))
    send(qtbot, app, f"Tell me about {marker}")
    wait_idle(qtbot, app)
    session_id = app.conversation.session.id
    # A save killed before its rename leaves a whole copy beside the file.
    fd, _name = atomic.make_temp(app.paths.sessions / f"{session_id}.json")
    os.write(fd, app.store.path_for(session_id).read_bytes())
    os.close(fd)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    app.window.sidebar.ask_delete(session_id)
    qtbot.waitUntil(lambda: session_id not in app.window.sidebar.ids())
    wait_idle(qtbot, app)
    holding = [
        path
        for path in app_home.rglob("*")
        if path.is_file() and marker.encode() in path.read_bytes()
    ]
    assert holding == []


def test_leftover_temp_files_are_removed_at_start_up(
    qtbot: QtBot, make_app: MakeApp, app_home: Path
) -> None:
    from avatar_desktop.core import atomic
    from avatar_desktop.storage import paths as app_paths

    paths = app_paths.ensure(app_paths.resolve())
    clips = paths.cache / "clips"
    clips.mkdir()
    ours = []
    for target in [paths.sessions / f"{'a' * 32}.json", paths.settings_file, clips / "x.mp4"]:
        fd, name = atomic.make_temp(target)
        os.close(fd)
        ours.append(Path(name))
    notes = [paths.sessions / "notes.tmp", paths.config / "notes.tmp", clips / "notes.tmp"]
    for path in notes:
        path.write_text("the user's", encoding="utf-8")
    make_app(ScriptedModel())
    assert [path for path in ours if path.exists()] == []
    assert all(path.exists() for path in notes)


def test_a_persona_set_while_the_first_message_saves_is_saved_too(
    qtbot: QtBot, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    model = ScriptedModel(["Arr."])
    model.ready_event.clear()  # no answer is saved: only the message and the persona
    app = make_app(model)
    gate, real_save = threading.Event(), app.store.save
    saves: list[object] = []

    def held_save(session: object) -> None:
        saves.append(session)
        if len(saves) == 1:
            gate.wait(5)
        real_save(session)  # type: ignore[arg-type]

    monkeypatch.setattr(app.store, "save", held_save)
    send(qtbot, app, "Ahoy")
    app.conversation.set_persona("You are a pirate.")
    gate.set()
    qtbot.waitUntil(lambda: "Ahoy" in bubble_texts(app), timeout=5000)
    qtbot.waitUntil(lambda: len(saves) == 2, timeout=5000)
    qtbot.waitUntil(lambda: app.pools.disk.activeThreadCount() == 0, timeout=5000)
    document = session_file(app)
    assert document["persona"] == "You are a pirate."
    assert [m["content"] for m in document["messages"]] == ["Ahoy"]
    model.ready_event.set()
    wait_idle(qtbot, app)
