"""One client per user session: a second launch asks the first to show itself.

On Linux and macOS this is a Unix-domain socket watched by a QSocketNotifier
(the abstract namespace on Linux, so a crash leaves no file behind); on
Windows, Qt's QLocalServer. Both keep QtNetwork out of the common case: it
would cost ~3 MB for one short message (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QSocketNotifier, Signal

logger = logging.getLogger(__name__)

_ACTIVATE = b"show\n"
_TIMEOUT_S = 1.0


_ABSTRACT_NAMESPACE = sys.platform.startswith("linux")


def _address(name: str) -> str:
    if _ABSTRACT_NAMESPACE:
        return "\0" + name  # abstract namespace: no file, gone with the process
    runtime = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return str(Path(runtime) / f"{name}-{os.getuid()}.sock")


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
        self._windows_server: QObject | None = None

    def acquire(self) -> bool:
        """Become the one instance; ``False`` (after knocking) if another one runs."""
        if self.notify_running():
            return False
        if sys.platform == "win32":
            self._listen_windows()
        else:
            self._listen_posix()
        return True

    def notify_running(self) -> bool:
        """Ask a running instance to show itself; whether one answered."""
        if sys.platform == "win32":
            return self._knock_windows()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as knock:
            knock.settimeout(_TIMEOUT_S)
            try:
                knock.connect(_address(self._name))
                knock.sendall(_ACTIVATE)
            except OSError:  # nobody listening (refused, no such file, stale)
                return False
        return True

    def _listen_posix(self) -> None:
        address = _address(self._name)
        if not address.startswith("\0"):
            # Nobody answered the knock, so a socket file left here is stale.
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
                connection.settimeout(_TIMEOUT_S)
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
            if isinstance(address, str) and address and not address.startswith("\0"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(address)

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

    def _listen_windows(self) -> None:  # pragma: no cover - Windows only
        from PySide6.QtNetwork import QLocalServer  # Windows only: see the module docstring

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_windows_new_connection)
        if not server.listen(self._name):
            logger.warning("single-instance pipe unavailable: %s", server.errorString())
        self._windows_server = server

    def _on_windows_new_connection(self) -> None:  # pragma: no cover - Windows only
        server = self._windows_server
        while server is not None and server.hasPendingConnections():  # type: ignore[attr-defined]
            connection = server.nextPendingConnection()  # type: ignore[attr-defined]
            connection.waitForReadyRead(int(_TIMEOUT_S * 1000))
            if connection.readAll().data() == _ACTIVATE:
                self.activation_requested.emit()
            connection.disconnectFromServer()
            connection.deleteLater()
