"""Start-up: folders, logging, the Qt application and the window, then the event loop."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from avatar_desktop import APP_ID, APP_NAME, __version__
from avatar_desktop.app.application import AvatarApp
from avatar_desktop.app.startup.crash import CrashHandler, current_log_file
from avatar_desktop.app.startup.logs import setup_logging
from avatar_desktop.app.startup.single import SingleInstance, refusal
from avatar_desktop.app.startup.startup_report import StartupReport
from avatar_desktop.core import notices
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.ui.app_icon import app_icon
from avatar_desktop.ui.crash_dialog import CrashDialog

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the GUI: paths, logging, the window, then the event loop."""
    argv = list(sys.argv if argv is None else argv)
    paths = app_paths.resolve()
    try:
        app_paths.ensure(paths)
    except OSError as exc:
        notices.error(f"Cannot create the app's folders ({exc.strerror}: {exc.filename}).")
    setup_logging(paths.logs)
    log.info("%s %s starting", APP_NAME, __version__)
    qt_app = QApplication(argv)
    qt_app.setApplicationName(APP_NAME)
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName(APP_ID)  # Wayland matches the window to avatar-desktop.desktop
    qt_app.setWindowIcon(app_icon())
    single = SingleInstance(paths.data)
    if not single.acquire():
        return _second_start(single, paths.data)
    single.listen()
    app = AvatarApp(paths)
    # Quit means quit, also when the window was hidden (companion mode, the tray) as it closed.
    app.window.closing.connect(qt_app.quit)
    single.show_requested.connect(lambda: _bring_forward(app))
    report = _option(argv, "--startup-report")
    if report:
        StartupReport(app, Path(report), screenshot=_option(argv, "--screenshot"))
    # Held here for the whole run: an unhandled error shows a report and the window stays up.
    crashes = CrashHandler(
        app.keys,
        show=lambda report: CrashDialog(report, app.window, log_file=current_log_file()).show(),
    )
    crashes.install()
    try:
        app.start()
        return qt_app.exec()
    finally:
        crashes.uninstall()
        single.release()


def _second_start(single: SingleInstance, data: Path) -> int:
    """Another start holds this data folder: show its window, or say why we cannot."""
    if single.ask_first_to_show():
        log.info("already running on %s: asked it to show its window", data)
        print(
            f"{APP_NAME} is already running with {data}; its window was brought forward.",
            file=sys.stderr,
        )
        return 0
    message = refusal(data)
    log.warning("already running on %s and it did not answer", data)
    print(message, file=sys.stderr)
    if QApplication.platformName() not in ("offscreen", "minimal"):
        QMessageBox.warning(None, APP_NAME, message)
    return 1


def _bring_forward(app: AvatarApp) -> None:
    """The answer to a second start: the full window (back from the desktop), on top, focused."""
    app.companion.show_window()


def _option(argv: list[str], name: str) -> str | None:
    """The value after ``name`` in the command line, if given."""
    if name in argv[:-1]:
        return argv[argv.index(name) + 1]
    return None
