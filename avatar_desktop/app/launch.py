"""Start-up: folders, logging, the Qt application and the window, then the event loop."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication

from avatar_desktop import APP_NAME, __version__
from avatar_desktop.app.application import AvatarApp
from avatar_desktop.app.logs import setup_logging
from avatar_desktop.core import notices
from avatar_desktop.storage import paths as app_paths

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
    app = AvatarApp(paths)
    app.start()
    return qt_app.exec()
