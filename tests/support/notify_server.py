"""A recording desktop-notification server on a private D-Bus bus, for the tests.

Run as its own process (the ``notify_server`` fixture does)::

    python tests/support/notify_server.py --bus ADDRESS --record FILE [--capabilities a,b]

It owns ``org.freedesktop.Notifications`` and answers like a real daemon:
``GetCapabilities``, ``GetServerInformation``, ``Notify`` (increasing ids; the
same id when a notification still shown is replaced) and ``CloseNotification``.
A call whose signature is not what the specification says is refused with the
``InvalidArgs`` error GDBus-based daemons (dunst, GNOME Shell) send, so a
client that marshals ``replaces_id`` as int32 fails here as it would there.
Every call is written to FILE as one JSON line before it is answered.

Tests click through a private control interface: ``Invoke(id, action)`` makes
the server send ``ActionInvoked(id, action)`` and then ``NotificationClosed(id, 2)``
to the connection that sent that notification only (as KDE Plasma does), the
way a user clicking it would.

:class:`NotifyServer` is the test side: start it, read the record, click, stop.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    message_bus,
    new_error,
    new_method_call,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import DBusConnection, open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CONTROL_PATH = "/org/helpdesk_tray/TestControl"
CONTROL_INTERFACE = "org.helpdesk_tray.TestControl"
NOTIFY_SIGNATURE = "susssasa{sv}i"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
DEFAULT_CAPABILITIES = ("actions", "body", "body-markup")

#: (path, interface, member) -> the signature the call must have.
_METHODS = {
    (PATH, NAME, "GetCapabilities"): "",
    (PATH, NAME, "GetServerInformation"): "",
    (PATH, NAME, "Notify"): NOTIFY_SIGNATURE,
    (PATH, NAME, "CloseNotification"): "u",
    (CONTROL_PATH, CONTROL_INTERFACE, "Invoke"): "us",
}


def _plain(value: Any) -> Any:
    """A D-Bus value as JSON can hold it (variants become [signature, value])."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


class _Server:
    def __init__(self, connection: DBusConnection, record: Path, capabilities: list[str]) -> None:
        self._connection = connection
        self._record = record
        self._capabilities = capabilities
        self._next_id = 1
        self._shown: dict[int, str] = {}  # id -> unique name of the client that sent it
        self._emitter = DBusAddress(PATH, interface=NAME)

    def handle(self, message: Any) -> None:
        header = message.header
        if header.message_type is not MessageType.method_call:
            return
        fields = header.fields
        member = fields.get(HeaderFields.member, "")
        key = (fields.get(HeaderFields.path), fields.get(HeaderFields.interface, NAME), member)
        signature = fields.get(HeaderFields.signature, "")
        expected = _METHODS.get(key)
        if expected is None:
            self._reply(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))
            return
        if signature != expected:
            self._write({"call": member, "rejected": signature})
            text = f"Type of message, “({signature})”, does not match expected type “({expected})”"
            self._reply(new_error(message, INVALID_ARGS, "s", (text,)))
            return
        getattr(self, "_" + member)(message)

    def _GetCapabilities(self, message: Any) -> None:  # noqa: N802 (the D-Bus name)
        self._write({"call": "GetCapabilities"})
        self._reply(new_method_return(message, "as", (self._capabilities,)))

    def _GetServerInformation(self, message: Any) -> None:  # noqa: N802
        self._write({"call": "GetServerInformation"})
        info = ("recording-notify-server", "helpdesk-tray tests", "1.0", "1.2")
        self._reply(new_method_return(message, "ssss", info))

    def _Notify(self, message: Any) -> None:  # noqa: N802
        app_name, replaces_id, app_icon, summary, body, actions, hints, expire = message.body
        if replaces_id in self._shown:
            notification_id = replaces_id
        else:
            notification_id, self._next_id = self._next_id, self._next_id + 1
        sender = message.header.fields.get(HeaderFields.sender, "")
        self._shown[notification_id] = sender
        self._write(
            {
                "call": "Notify",
                "id": notification_id,
                "sender": sender,
                "app_name": app_name,
                "replaces_id": replaces_id,
                "app_icon": app_icon,
                "summary": summary,
                "body": body,
                "actions": list(actions),
                "hints": _plain(hints),
                "expire_timeout": expire,
            }
        )
        self._reply(new_method_return(message, "u", (notification_id,)))

    def _CloseNotification(self, message: Any) -> None:  # noqa: N802
        (notification_id,) = message.body
        self._write({"call": "CloseNotification", "id": notification_id})
        self._reply(new_method_return(message))
        self._closed(notification_id, 3)  # closed by a call

    def _Invoke(self, message: Any) -> None:  # noqa: N802
        notification_id, action = message.body
        client = self._shown.get(notification_id)
        self._write({"call": "Invoke", "id": notification_id, "action": action})
        if client is None:
            self._reply(
                new_error(message, INVALID_ARGS, "s", (f"no notification {notification_id}",))
            )
            return
        self._signal(client, "ActionInvoked", "us", (notification_id, action))
        self._closed(notification_id, 2)  # dismissed by the user
        self._reply(new_method_return(message))

    def _closed(self, notification_id: int, reason: int) -> None:
        client = self._shown.pop(notification_id, None)
        if client is not None:
            self._signal(client, "NotificationClosed", "uu", (notification_id, reason))

    def _signal(self, destination: str, member: str, signature: str, body: tuple[Any, ...]) -> None:
        signal = new_signal(self._emitter, member, signature, body)
        signal.header.fields[HeaderFields.destination] = destination
        self._connection.send(signal)

    def _reply(self, message: Any) -> None:
        self._connection.send(message)

    def _write(self, entry: dict[str, Any]) -> None:
        with self._record.open("a", encoding="utf-8") as file:
            file.write(json.dumps(entry, ensure_ascii=False) + "\n")


def serve(address: str, record: Path, capabilities: list[str]) -> int:
    """Own the name, say READY on stdout, answer until the bus goes away."""
    connection = open_dbus_connection(bus=address)
    reply = connection.send_and_get_reply(
        message_bus.RequestName(NAME, 4), timeout=5
    )  # 4: no queue
    if reply.body != (1,):  # 1: primary owner
        print(f"could not own {NAME}: {reply.body}", flush=True)
        return 1
    print("READY", flush=True)
    server = _Server(connection, record, capabilities)
    while True:
        try:
            message = connection.receive()
        except (ConnectionError, OSError):
            return 0
        server.handle(message)


def first_line(process: subprocess.Popen[bytes], timeout: float, what: str) -> str:
    """The first line ``process`` writes to its stdout, within ``timeout`` seconds (no polling)."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise RuntimeError(f"{what} did not start within {timeout} s")
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"{what} exited ({process.wait()}) before it was ready")
            data += chunk
    return data.split(b"\n", 1)[0].decode().strip()


class NotifyServer:
    """The recording server, seen from a test."""

    def __init__(self, address: str, record: Path, process: subprocess.Popen[bytes]) -> None:
        self.address = address
        self.record = record
        self._process = process
        self._connection: DBusConnection | None = None

    @classmethod
    def start(
        cls,
        address: str,
        record: Path,
        *,
        capabilities: tuple[str, ...] = DEFAULT_CAPABILITIES,
        timeout: float = 10.0,
    ) -> NotifyServer:
        """Start the server on the bus at ``address``; it records to ``record``."""
        record.touch()
        process = subprocess.Popen(
            [sys.executable, __file__, "--bus", address, "--record", str(record),
             "--capabilities", ",".join(capabilities)],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        try:
            line = first_line(process, timeout, "the notification server")
            if line != "READY":
                raise RuntimeError(f"the notification server did not start: {line}")
        except BaseException:
            process.kill()
            process.wait()
            assert process.stdout is not None
            process.stdout.close()
            raise
        return cls(address, record, process)

    def calls(self) -> list[dict[str, Any]]:
        """Every call so far, oldest first."""
        lines = self.record.read_text(encoding="utf-8").splitlines(keepends=True)
        return [json.loads(line) for line in lines if line.endswith("\n")]

    def notifications(self) -> list[dict[str, Any]]:
        """The Notify calls the server accepted, oldest first."""
        return [c for c in self.calls() if c["call"] == "Notify" and "rejected" not in c]

    @property
    def connection(self) -> DBusConnection:
        """The test's own connection to the bus (for raw messages)."""
        if self._connection is None:
            self._connection = open_dbus_connection(bus=self.address)
        return self._connection

    def call(self, member: str, signature: str, body: tuple[Any, ...]) -> Any:
        """Call ``member`` of the notification interface; the reply (or error) message."""
        address = DBusAddress(PATH, bus_name=NAME, interface=NAME)
        message = new_method_call(address, member, signature, body)
        return self.connection.send_and_get_reply(message, timeout=5)

    def invoke(self, notification_id: int, action: str = "default") -> None:
        """Click notification ``notification_id`` (``action``: which of its actions)."""
        address = DBusAddress(CONTROL_PATH, bus_name=NAME, interface=CONTROL_INTERFACE)
        message = new_method_call(address, "Invoke", "us", (notification_id, action))
        reply = self.connection.send_and_get_reply(message, timeout=5)
        if reply.header.message_type is MessageType.error:
            raise RuntimeError(f"Invoke failed: {reply.body}")

    def stop(self) -> None:
        """Stop the server (the name is free once the bus notices)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        assert self._process.stdout is not None
        self._process.stdout.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bus", required=True, help="the D-Bus address to serve on")
    parser.add_argument("--record", required=True, type=Path, help="JSON lines go here")
    parser.add_argument("--capabilities", default=",".join(DEFAULT_CAPABILITIES))
    args = parser.parse_args()
    capabilities = [c for c in args.capabilities.split(",") if c]
    return serve(args.bus, args.record, capabilities)


if __name__ == "__main__":
    sys.exit(main())
