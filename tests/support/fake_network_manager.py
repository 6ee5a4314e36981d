"""A stand-in for NetworkManager on a private D-Bus bus: owns its name, answers
``Get(State)`` and sends ``StateChanged`` when a test says the network changed.

It runs on a thread of the test process; :meth:`FakeNetworkManager.set_state`
hands the new state to that thread, which owns the connection.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    message_bus,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.NetworkManager"
PATH = "/org/freedesktop/NetworkManager"
PROPERTIES = "org.freedesktop.DBus.Properties"
CONNECTED_GLOBAL, CONNECTED_SITE, CONNECTING, DISCONNECTED, ASLEEP = 70, 60, 40, 20, 10


class FakeNetworkManager:
    """NetworkManager's ``State`` property and ``StateChanged`` signal, nothing else."""

    def __init__(self, address: str, state: int) -> None:
        self._connection = open_dbus_connection(bus=address)
        reply = self._connection.send_and_get_reply(message_bus.RequestName(NAME), timeout=5)
        if reply.body != (1,):  # DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
            raise RuntimeError(f"could not own {NAME}: {reply.body}")
        self._state = state
        self._changes: queue.Queue[int | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="fake-nm", daemon=True)
        self._thread.start()

    def set_state(self, state: int) -> None:
        """The network changed: NetworkManager says so to everyone listening."""
        self._changes.put(state)

    def stop(self) -> None:
        """Stop serving and hang up."""
        self._changes.put(None)
        self._thread.join(timeout=10)
        self._connection.close()

    def _serve(self) -> None:
        emitter = DBusAddress(PATH, interface=NAME)
        while True:
            try:
                change = self._changes.get_nowait()
            except queue.Empty:
                change = -1
            if change is None:
                return
            if change >= 0:
                self._state = change
                self._connection.send(new_signal(emitter, "StateChanged", "u", (change,)))
            try:
                message = self._connection.receive(timeout=0.02)
            except TimeoutError:
                continue
            self._answer(message)

    def _answer(self, message: Any) -> None:
        if message.header.message_type is not MessageType.method_call:
            return
        fields = message.header.fields
        asked = (fields.get(HeaderFields.interface), fields.get(HeaderFields.member))
        if asked == (PROPERTIES, "Get") and tuple(message.body) == (NAME, "State"):
            self._connection.send(new_method_return(message, "v", (("u", self._state),)))
        else:
            self._connection.send(
                new_error(message, "org.freedesktop.DBus.Error.UnknownMethod", "s", ("no",))
            )
