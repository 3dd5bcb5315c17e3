"""A desktop's tray, as far as apps can tell: the StatusNotifierWatcher service on the session bus.

Run as a script on a private bus. It says a tray host is present (so Qt offers a tray icon),
and prints ``ITEM <service>`` for each icon an app registers; the test then talks to that icon
over D-Bus exactly as a panel does (its menu through com.canonical.dbusmenu).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Property, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection

SERVICE = "org.kde.StatusNotifierWatcher"


class Watcher(QObject):
    def _host_registered(self) -> bool:
        return True

    def _protocol(self) -> int:
        return 0

    IsStatusNotifierHostRegistered = Property(bool, _host_registered)
    ProtocolVersion = Property(int, _protocol)

    @Slot(str)
    def RegisterStatusNotifierItem(self, service: str) -> None:  # D-Bus names
        print("ITEM", service, flush=True)

    @Slot(str)
    def RegisterStatusNotifierHost(self, service: str) -> None:  # D-Bus names
        del service


def main() -> int:
    app = QCoreApplication(sys.argv)
    watcher = Watcher()
    bus = QDBusConnection.sessionBus()
    export = (
        QDBusConnection.RegisterOption.ExportAllSlots
        | QDBusConnection.RegisterOption.ExportAllProperties
    )
    registered = bus.registerObject("/StatusNotifierWatcher", SERVICE, watcher, export)
    if not (registered and bus.registerService(SERVICE)):
        print("cannot register the watcher:", bus.lastError().message(), file=sys.stderr)
        return 1
    print("WATCHING", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
