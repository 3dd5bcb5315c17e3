"""Unhandled errors: one dialog with a report safe to share, and the window stays up and usable."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from avatar_desktop.app.application import AvatarApp
from avatar_desktop.app.startup.crash import (
    BURST_MS,
    QUIET_S,
    CrashHandler,
    CrashReport,
    current_log_file,
)
from avatar_desktop.app.startup.logs import setup_logging
from avatar_desktop.storage.secrets import REDACTED
from avatar_desktop.ui.crash_dialog import CrashDialog
from tests.ui.conftest import MakeApp

pytestmark = [
    pytest.mark.qt_no_exception_capture,  # our hook, not pytest-qt's, must get the slot errors
    pytest.mark.allow_error_logs,  # every test here raises, and unhandled errors are logged
]

DIARY = "my secret diary"
LOOSE_GROQ = "gsk_" + "Q7w9E2r4T6y8U1i3O5p7" * 2  # shaped like a key, in no store
LOOSE_DID = "c29tZW9uZUBleGFtcGxlLmNvbQ==:Zx8Qp2Lm9Rt4Vw7Yb3Nc"
LOOSE_SK = "sk_" + "0a1b2c3d4e5f" * 4
STORED_GROQ = "gsk_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt" * 2
STORED_PLAIN = "plain-stored-secret-42"  # no known shape: only the store can hide it
SECRETS = (DIARY, LOOSE_GROQ, LOOSE_DID, LOOSE_SK, STORED_GROQ, STORED_PLAIN)


def raise_diary() -> None:
    raise RuntimeError(f"{DIARY} {LOOSE_GROQ} {LOOSE_DID} {LOOSE_SK}")


def raise_with_stored_keys() -> None:
    raise ValueError(f"{DIARY} {STORED_GROQ} {STORED_PLAIN} {LOOSE_GROQ} {LOOSE_DID} {LOOSE_SK}")


@dataclass
class Crashes:
    """Installs handlers that show the real dialog, and notes where each report was shown."""

    handlers: list[CrashHandler] = field(default_factory=list)
    shown: list[tuple[CrashReport, str]] = field(default_factory=list)

    def install(
        self,
        app: AvatarApp,
        show: Callable[[CrashReport], None] | None = None,
        *,
        quiet_s: float = QUIET_S,
    ) -> CrashHandler:
        def show_dialog(report: CrashReport) -> None:
            self.shown.append((report, threading.current_thread().name))
            CrashDialog(report, app.window, log_file=current_log_file()).show()

        handler = CrashHandler(app.keys, show or show_dialog, quiet_s=quiet_s)
        handler.install()
        self.handlers.append(handler)
        return handler


@pytest.fixture
def crashes() -> Iterator[Crashes]:
    """Every test leaves sys.excepthook and threading.excepthook as it found them."""
    before = (sys.excepthook, threading.excepthook)
    crashes = Crashes()
    yield crashes
    for handler in reversed(crashes.handlers):
        handler.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


@pytest.fixture
def log_file(app_home: Path) -> Iterator[Callable[[AvatarApp], Path]]:
    """Logs to the app's log dir as launch does; our file handler is removed afterwards."""

    def start(app: AvatarApp) -> Path:
        path = setup_logging(app.paths.logs)
        assert path is not None
        return path

    yield start
    root = logging.getLogger("avatar_desktop")
    for handler in [h for h in root.handlers if getattr(h, "_avatar_desktop", False)]:
        root.removeHandler(handler)
        handler.close()


def dialogs(app: AvatarApp) -> list[CrashDialog]:
    return [d for d in app.window.findChildren(CrashDialog) if d.isVisible()]


def wait_dialog(qtbot: QtBot, app: AvatarApp) -> CrashDialog:
    qtbot.waitUntil(lambda: len(dialogs(app)) == 1)
    return dialogs(app)[0]


def test_an_error_in_a_slot_shows_a_report_and_the_window_goes_on(
    qtbot: QtBot, make_app: MakeApp, crashes: Crashes
) -> None:
    app = make_app()
    crashes.install(app)
    QTimer.singleShot(0, app.window, raise_diary)
    dialog = wait_dialog(qtbot, app)
    assert dialog.windowTitle() == "Something went wrong"
    assert not dialog.isModal()
    text = dialog.text()
    assert "RuntimeError (message left out)" in text
    assert 'test_crash.py", line' in text and "in raise_diary" in text
    assert "Avatar Desktop 0.1.0" in text and "Thread: MainThread" in text
    assert [s for s in SECRETS if s in text] == []
    assert app.window.isVisible()
    app.window.input.setFocus()
    qtbot.keyClicks(app.window.input, "still here")
    assert app.window.input.toPlainText() == "still here"


def test_details_add_the_message_but_never_a_key(
    qtbot: QtBot, make_app: MakeApp, crashes: Crashes
) -> None:
    app = make_app()
    app.keys.set("groq", STORED_GROQ)
    app.keys.set("elevenlabs", STORED_PLAIN)
    crashes.install(app)
    QTimer.singleShot(0, app.window, raise_with_stored_keys)
    dialog = wait_dialog(qtbot, app)
    assert DIARY not in dialog.text()
    qtbot.mouseClick(dialog.details, Qt.MouseButton.LeftButton)
    assert dialog.details.isChecked()
    text = dialog.text()
    assert f"ValueError: {DIARY} " in text
    assert [s for s in SECRETS[1:] if s in text] == []
    assert text.count(REDACTED) == 5
    qtbot.mouseClick(dialog.details, Qt.MouseButton.LeftButton)
    assert DIARY not in dialog.text()


def test_copy_report_copies_exactly_what_is_shown(
    qtbot: QtBot, make_app: MakeApp, crashes: Crashes
) -> None:
    app = make_app()
    crashes.install(app)
    QTimer.singleShot(0, app.window, raise_diary)
    dialog = wait_dialog(qtbot, app)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == dialog.text()
    assert dialog.copied.text() == "Copied"
    dialog.details.setChecked(True)
    assert dialog.copied.text() == ""  # the clipboard no longer holds what is shown
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied == dialog.text() and DIARY in copied and LOOSE_GROQ not in copied
    close = dialog.findChild(QPushButton, "crashCloseButton")
    assert close is not None
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialogs(app) == [])


def test_an_error_in_a_plain_thread_is_shown_on_the_gui_thread(
    qtbot: QtBot, make_app: MakeApp, crashes: Crashes
) -> None:
    app = make_app()
    crashes.install(app)
    worker = threading.Thread(target=raise_diary, name="crash-test-worker")
    worker.start()
    worker.join()
    dialog = wait_dialog(qtbot, app)
    assert "Thread: crash-test-worker" in dialog.text() and "in raise_diary" in dialog.text()
    assert [name for _, name in crashes.shown] == [threading.main_thread().name]
    assert [s for s in SECRETS if s in dialog.text()] == []


def test_a_burst_of_errors_shows_one_dialog_that_counts_the_others(
    qtbot: QtBot, make_app: MakeApp, crashes: Crashes
) -> None:
    app = make_app()
    crashes.install(app)
    for _ in range(3):
        QTimer.singleShot(0, app.window, raise_diary)
    for _ in range(2):
        threading.Thread(target=raise_diary).start()
    dialog = wait_dialog(qtbot, app)
    qtbot.wait(3 * BURST_MS)
    assert len(dialogs(app)) == 1 and len(crashes.shown) == 1
    assert "4 other errors happened around this one (see the log)." in dialog.text()


def test_the_log_file_gets_the_traceback_without_keys_or_words(
    qtbot: QtBot, make_app: MakeApp, crashes: Crashes, log_file: Callable[[AvatarApp], Path]
) -> None:
    app = make_app()
    path = log_file(app)
    app.keys.set("groq", STORED_GROQ)
    app.keys.set("elevenlabs", STORED_PLAIN)
    crashes.install(app)
    QTimer.singleShot(0, app.window, raise_with_stored_keys)
    dialog = wait_dialog(qtbot, app)
    for handler in logging.getLogger("avatar_desktop").handlers:
        handler.flush()
    written = path.read_text(encoding="utf-8")
    assert "ERROR avatar_desktop.app.startup.crash: Unhandled exception" in written
    assert "in raise_with_stored_keys" in written and "ValueError (message left out)" in written
    assert [s for s in SECRETS if s in written] == []
    where = dialog.findChild(QLabel, "crashLogFile")
    assert where is not None and str(path) in where.text()


def test_an_error_while_showing_the_report_is_only_logged(
    qtbot: QtBot, make_app: MakeApp, crashes: Crashes, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app()
    calls: list[CrashReport] = []

    def broken_show(report: CrashReport) -> None:
        calls.append(report)
        raise_diary()

    crashes.install(app, broken_show, quiet_s=0.0)
    QTimer.singleShot(0, app.window, raise_diary)
    qtbot.waitUntil(lambda: "Could not show the crash report" in caplog.text)
    qtbot.wait(3 * BURST_MS)
    assert len(calls) == 1 and dialogs(app) == []
    assert [s for s in SECRETS if s in caplog.text] == []
    QTimer.singleShot(0, app.window, raise_diary)  # the handler still works afterwards
    qtbot.waitUntil(lambda: len(calls) == 2)


def test_keyboard_interrupt_goes_to_the_previous_hook(
    qtbot: QtBot, make_app: MakeApp, crashes: Crashes, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app()
    crashes.install(app)
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert "KeyboardInterrupt" in capsys.readouterr().err
    qtbot.wait(3 * BURST_MS)
    assert crashes.shown == [] and dialogs(app) == []


def test_a_chained_error_shows_each_exception_and_how_they_link() -> None:
    try:
        try:
            raise_diary()
        except RuntimeError as exc:
            raise KeyError(DIARY) from exc
    except KeyError as exc:
        report = CrashReport.from_exception(exc)
    text = report.text(include_details=False)
    assert text.index("RuntimeError (message left out)") < text.index("direct cause")
    assert text.index("direct cause") < text.index("KeyError (message left out)")
    assert report.exc_type == "KeyError" and report.frames[-1].function.startswith("test_a_")
    assert DIARY not in text and DIARY in report.text(include_details=True)
    assert LOOSE_GROQ not in report.text(include_details=True)
