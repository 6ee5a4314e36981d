"""One client per user session: a second launch asks the first to show itself.

On Linux and macOS: a lock on a file in the user's private runtime folder
decides who is the instance (the kernel releases it when the process dies,
however it dies), and a Unix-domain socket next to it carries the "show
yourself" knock, watched by a QSocketNotifier. Nobody else can reach either:
the folder is the user's own (0700). On Windows: Qt's QLocalServer. Both keep
QtNetwork out of the common case, where it would cost ~3 MB for one short
message (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import tempfile
from pathlib import Path

if sys.platform != "win32":
    import fcntl

from PySide6.QtCore import QObject, QSocketNotifier, Signal

logger = logging.getLogger(__name__)

_ACTIVATE = b"show\n"
_TIMEOUT_S = 1.0
#: How long a knocking client may take to say what it wants (the GUI thread waits).
_READ_S = 0.1


def private_folder() -> Path:
    """The user's own runtime folder for our lock and socket (created 0700)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime and Path(runtime).is_dir() else Path(tempfile.gettempdir())
    folder = base / f"helpdesk-tray-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder} is not private to this user")
    return folder


class SingleInstance(QObject):
    """The first instance listens; later ones knock ("show") and leave.

    Signals:
        activation_requested(): another launch asked this instance to show itself.
    """

    activation_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._listener: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._lock_fd: int | None = None
        self._windows_server: QObject | None = None

    def _path(self, suffix: str) -> str:
        return str(private_folder() / f"{self._name}{suffix}")

    def acquire(self) -> bool:
        """Become the one instance; ``False`` (after knocking) if another one runs."""
        if sys.platform == "win32":
            if self._knock_windows():
                return False
            return self._listen_windows()
        try:
            fd = os.open(self._path(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            logger.warning("single-instance lock unavailable (%s); starting anyway", exc)
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            self.notify_running()
            return False
        self._lock_fd = fd
        self._listen_posix()
        return True

    def notify_running(self) -> bool:
        """Ask a running instance to show itself; whether one answered."""
        if sys.platform == "win32":
            return self._knock_windows()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as knock:
            knock.settimeout(_TIMEOUT_S)
            try:
                knock.connect(self._path(".sock"))
                knock.sendall(_ACTIVATE)
            except OSError:  # nobody listening (refused, no such file, stale)
                return False
        return True

    def _listen_posix(self) -> None:
        address = self._path(".sock")
        # We hold the lock, so a socket file left here is a crashed run's.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(address)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(address)
            listener.listen(4)
        except OSError as exc:
            listener.close()
            logger.warning("single-instance socket unavailable: %s", exc)
            return
        listener.setblocking(False)
        self._listener = listener
        self._notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)

    def _on_notifier_activated(self) -> None:
        if self._listener is None:
            return
        while True:
            try:
                connection, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            with connection:
                connection.settimeout(_READ_S)
                try:
                    message = connection.recv(len(_ACTIVATE))
                except OSError:
                    continue
            if message == _ACTIVATE:
                self.activation_requested.emit()

    def release(self) -> None:
        """Stop listening (at quit); the next launch becomes the instance."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._listener is not None:
            address = self._listener.getsockname()
            self._listener.close()
            self._listener = None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(address)
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the lock
            self._lock_fd = None
        if self._windows_server is not None:
            self._windows_server.close()  # type: ignore[attr-defined]  # a QLocalServer
            self._windows_server.deleteLater()
            self._windows_server = None

    # --- Windows: named pipes through Qt ----------------------------------------------------

    def _knock_windows(self) -> bool:  # pragma: no cover - Windows only
        from PySide6.QtNetwork import QLocalSocket  # Windows only: see the module docstring

        knock = QLocalSocket()
        knock.connectToServer(self._name)
        if not knock.waitForConnected(int(_TIMEOUT_S * 1000)):
            return False
        knock.write(_ACTIVATE)
        knock.waitForBytesWritten(int(_TIMEOUT_S * 1000))
        knock.disconnectFromServer()
        return True

    def _listen_windows(self) -> bool:  # pragma: no cover - Windows only
        from PySide6.QtNetwork import (  # Windows only: see the module docstring
            QAbstractSocket,
            QLocalServer,
        )

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_windows_new_connection)
        if not server.listen(self._name):
            if server.serverError() is QAbstractSocket.SocketError.AddressInUseError:
                return False  # another instance holds the pipe
            logger.warning("single-instance pipe unavailable: %s", server.errorString())
        self._windows_server = server
        return True

    def _on_windows_new_connection(self) -> None:  # pragma: no cover - Windows only
        server = self._windows_server
        while server is not None and server.hasPendingConnections():  # type: ignore[attr-defined]
            connection = server.nextPendingConnection()  # type: ignore[attr-defined]
            connection.waitForReadyRead(int(_TIMEOUT_S * 1000))
            if connection.readAll().data() == _ACTIVATE:
                self.activation_requested.emit()
            connection.disconnectFromServer()
            connection.deleteLater()
