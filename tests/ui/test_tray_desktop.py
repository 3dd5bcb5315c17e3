"""The tray icon on a real desktop: Xvfb, a session bus and a tray that the app's icon registers
with. The test drives it over D-Bus as a panel does: the icon's click shows and hides the
window, and its menu (read and clicked through com.canonical.dbusmenu) holds the same entries
as the View menu, checked alike, down to Quit."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.desktop import Desktop, Lines, desktop

ITEM, MENU = "/StatusNotifierItem", "/MenuBar"
TRAY_APP = """
import json
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
qt = QApplication([])
from avatar_desktop.app.application import AvatarApp
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.secrets import KeyStore
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.scripted_model import ScriptedModel
app = AvatarApp(app_paths.ensure(app_paths.resolve()), model=ScriptedModel(["Hi."]),
                keys=KeyStore(backend=MemoryKeyring()), speak=False)
app.settings.welcomed = True
app.window.closing.connect(qt.quit)
app.start()
w, shown = app.window, {}
def look():
    now = {"window": w.isVisible(), "companion": app.companion.on,
           "desktop": app.companion.view.isVisible(), "muted": w.mute_action.isChecked()}
    if now != shown:
        shown.update(now)
        print("STATE", json.dumps(now), flush=True)
QTimer.singleShot(0, lambda: print("TRAY", app.companion.tray.icon is not None, flush=True))
timer = QTimer()
timer.timeout.connect(look)
timer.start(40)
qt.exec()
print("QUIT", app.settings.companion, flush=True)
"""


def menu(place: Desktop, service: str) -> dict[str, dict[str, str | None]]:
    """The tray menu's entries by label: their dbusmenu id and toggle state."""
    reply = place.send(
        service, MENU, "com.canonical.dbusmenu.GetLayout", "int32:0", "int32:-1", "array:string:"
    )
    entries = {}
    for block in re.split(r"variant\s+struct \{", reply)[1:]:
        ident = re.search(r"int32 (\d+)", block)
        label = re.search(r'string "label"\s+variant\s+string "(.*?)"', block)
        if ident and label:
            toggle = re.search(r'string "toggle-state"\s+variant\s+int32 (\d+)', block)
            on = toggle.group(1) if toggle else None
            entries[label.group(1)] = {"id": ident.group(1), "on": on}
    return entries


def click(place: Desktop, service: str, entry: dict[str, str | None]) -> None:
    place.send(
        service,
        MENU,
        "com.canonical.dbusmenu.Event",
        f"int32:{entry['id']}",
        "string:clicked",
        "variant:int32:0",
        "uint32:0",
    )


def state(app: Lines, **expected: bool) -> None:
    """Wait until the app reports this state (the fields given)."""
    while True:
        now = json.loads(app.wait_for(r"^STATE (.*)$").group(1))
        if all(now[k] == v for k, v in expected.items()):
            return


@pytest.fixture
def place() -> Iterator[Desktop]:
    with desktop() as made:
        yield made


def test_the_tray_icon_and_its_menu_work_on_a_desktop_with_a_tray(
    place: Desktop, tmp_path: Path
) -> None:
    app = place.start(sys.executable, "-c", TRAY_APP, AVATAR_DESKTOP_HOME=str(tmp_path / "home"))
    assert app.wait_for(r"^TRAY (\w+)$", timeout=60).group(1) == "True"
    service = place.tray.wait_for(r"^ITEM (\S+)$").group(1)
    state(app, window=True, companion=False)

    entries = menu(place, service)
    assert list(entries) == [
        "Show the window",
        "Companion",
        "Mute",
        "Hands-free listening",
        "Quit",
    ], entries
    assert entries["Companion"]["on"] == "0" and entries["Mute"]["on"] == "0"

    # A click on the icon hides the window to the tray, and the next brings it back.
    place.send(service, ITEM, "org.kde.StatusNotifierItem.Activate", "int32:5", "int32:5")
    state(app, window=False)
    place.send(service, ITEM, "org.kde.StatusNotifierItem.Activate", "int32:5", "int32:5")
    state(app, window=True)

    # Companion from the tray: the character goes to the desktop, the window to the tray.
    click(place, service, entries["Companion"])
    state(app, companion=True, desktop=True, window=False)
    assert menu(place, service)["Companion"]["on"] == "1"  # the same action as the View menu
    click(place, service, entries["Mute"])
    state(app, muted=True)
    assert menu(place, service)["Mute"]["on"] == "1"
    click(place, service, entries["Show the window"])
    state(app, companion=False, desktop=False, window=True)

    click(place, service, entries["Quit"])
    assert app.wait_for(r"^QUIT (\w+)$").group(1) == "False"
    assert app.process.wait(timeout=20) == 0
