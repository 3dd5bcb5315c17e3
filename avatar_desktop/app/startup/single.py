"""One running app per data folder, so two processes never write the same conversations.

The first start holds a ``QLockFile`` in the data folder (a lock left by a killed process is
taken over: QLockFile sees that its process is gone) and listens on a local socket named after
the folder. A second start finds the lock taken, asks the first over that socket to bring its
window forward, and exits; if the first does not answer, it explains why it cannot start.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = "instance.lock"
SHOW = b"show\n"
SHOWN = b"shown\n"
ANSWER_MS = 3000


def server_name(data: Path) -> str:
    """A socket name per data folder: the same folder, however it is spelled, the same name."""
    digest = hashlib.sha256(str(data.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return f"avatar-desktop-{digest[:24]}"


class SingleInstance(QObject):
    """Holds the data folder's lock while the app runs; ``show_requested`` when started again.

    Signals:
        show_requested(): a second start on the same folder asks for the window.
    """

    show_requested = Signal()

    def __init__(self, data: Path) -> None:
        super().__init__()
        self.data = data
        self.name = server_name(data)
        self._lock = QLockFile(str(data / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # never stale by age: only a lock whose process is gone
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this process is the one that may use the folder (stale locks are taken)."""
        if self._lock.tryLock(200):
            return True
        if self._lock.error() == QLockFile.LockError.LockFailedError:
            return False
        # No permission or an unknown error: the folder itself will say so when it is used;
        # refusing to start over a lock we cannot even write would help no one.
        log.warning("cannot lock the data folder (%s); starting anyway", self._lock.error())
        return True

    def listen(self) -> None:
        """Answer later starts; a socket left by a killed holder of the lock is removed first."""
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("a second start cannot reach this one: %s", server.errorString())
            return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_request(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_request(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(SHOW.strip()):
            log.info("another start on this data folder: bringing the window forward")
            self.show_requested.emit()
            socket.write(SHOWN)
            socket.flush()
        socket.disconnectFromServer()

    def ask_first_to_show(self, timeout_ms: int = ANSWER_MS) -> bool:
        """From the second start: ask the running app to show its window; True if it did."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(SHOW)
        socket.waitForBytesWritten(timeout_ms)
        answered = socket.waitForReadyRead(timeout_ms) and bytes(socket.readAll().data()) == SHOWN
        socket.abort()
        return answered

    def release(self) -> None:
        """Give the folder up (the app is closing)."""
        if self._server is not None:
            self._server.close()
        self._lock.unlock()


def refusal(data: Path) -> str:
    """Why a second start did not open a window, for a message box or stderr."""
    return (
        f"Avatar Desktop is already running with the data folder {data}, but it did not answer "
        "a request to show its window (it may be busy or stuck). Switch to it, or close it "
        "and start again; two copies on one folder could overwrite each other's conversations."
    )
