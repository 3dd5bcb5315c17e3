"""A first start for the single-instance tests: holds the folder, prints ``shown`` when asked.

Run as ``python -m tests.app.single_holder DATA_FOLDER``. It uses the app's own
``SingleInstance`` and a real window without loading any model, so the test stays light.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from avatar_desktop.app.startup.single import SingleInstance


def main(data: Path) -> int:
    qt_app = QApplication([sys.argv[0]])
    single = SingleInstance(data)
    if not single.acquire():
        print("locked", flush=True)
        return 3
    single.listen()
    window = QWidget()
    window.show()
    single.show_requested.connect(lambda: print("shown", flush=True))
    print("ready", flush=True)
    try:
        return qt_app.exec()
    finally:
        single.release()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
