"""The desktop's notification server, spoken to over D-Bus with jeepney.

Plain Python, no Qt: the UI's ``Notifications`` owns one bus, sends toasts
through it and watches its socket for clicks. On systems without jeepney
(or without a session bus) opening it fails and the tray shows the toasts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

try:
    from jeepney import (
        DBusAddress,
        HeaderFields,
        MatchRule,
        MessageType,
        message_bus,
        new_method_call,
    )
    from jeepney.io.blocking import open_dbus_connection

    HAVE_JEEPNEY = True
except ImportError:  # a Linux-only dependency: elsewhere the tray shows the toasts
    HAVE_JEEPNEY = False

from client.adapters.dbus_io import error_text, incoming
from client.core.notify_events import BusEvent, Closed, Invoked, Refused, Shown

logger = logging.getLogger(__name__)

#: Calls waiting for their answer; bounded whatever the server does.
_MAX_SHOWN = 100

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
#: The signature every server expects (GDBus-based ones reject anything else).
NOTIFY_SIGNATURE = "susssasa{sv}i"


class NoNotificationServer(Exception):
    """Nobody on the bus owns ``org.freedesktop.Notifications`` (or it would not answer)."""


class DBusNotificationBus:
    """A session-bus connection to the desktop's notification server (plain Python, no Qt).

    :meth:`open` blocks for a few milliseconds on a working bus (at most about
    ``timeout`` seconds each for authentication and two round trips): call it
    on a worker. After that, nothing blocks: :meth:`notify` writes one small
    message and :meth:`read` takes what the socket has.
    """

    def __init__(self, connection: Any, capabilities: frozenset[str], server: str) -> None:
        self._connection = connection
        self.capabilities = capabilities
        self._server = server  # the unique name of the server: only its signals count
        self._unanswered: dict[int, None] = {}  # serials of our Notify calls, oldest first
        self._address = DBusAddress(PATH, bus_name=NAME, interface=NAME)
        connection.sock.setblocking(False)

    @classmethod
    def open(cls, address: str, timeout: float = 3.0) -> DBusNotificationBus:
        """Connect to the bus at ``address`` ("SESSION": the user's) and find the server."""
        if not HAVE_JEEPNEY:
            raise NoNotificationServer("jeepney is not installed")
        connection = open_dbus_connection(bus=address, auth_timeout=timeout)
        try:
            rule = MatchRule(type="signal", sender=NAME, interface=NAME, path=PATH)
            _raise_for_error(
                connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=timeout)
            )
            server = DBusAddress(PATH, bus_name=NAME, interface=NAME)
            reply = connection.send_and_get_reply(
                new_method_call(server, "GetCapabilities"), timeout=timeout
            )
            _raise_for_error(reply)
        except BaseException:
            connection.close()
            raise
        sender = reply.header.fields.get(HeaderFields.sender, "")
        return cls(connection, frozenset(reply.body[0]), sender)

    def fileno(self) -> int:
        """The socket to watch for :meth:`read`."""
        return int(self._connection.sock.fileno())

    def notify(
        self,
        *,
        app_name: str,
        replaces_id: int,
        app_icon: str,
        summary: str,
        body: str,
        actions: Sequence[str],
        hints: dict[str, tuple[str, Any]],
        expire_timeout_ms: int = -1,
    ) -> int:
        """Send a Notify call; returns its serial (its answer comes through :meth:`read`)."""
        message = new_method_call(
            self._address,
            "Notify",
            NOTIFY_SIGNATURE,
            (app_name, replaces_id, app_icon, summary, body, list(actions), hints,
             expire_timeout_ms),
        )  # fmt: skip
        serial = int(next(self._connection.outgoing_serial))
        self._connection.send(message, serial=serial)
        self._unanswered[serial] = None
        while len(self._unanswered) > _MAX_SHOWN:
            del self._unanswered[next(iter(self._unanswered))]
        return serial

    def read(self) -> list[BusEvent]:
        """What arrived since the last call; raises ``ConnectionError`` once the bus is gone."""
        events: list[BusEvent] = []
        for message in incoming(self._connection, "session"):
            event = self._event(message)
            if event is not None:
                events.append(event)
        return events

    def _event(self, message: Any) -> BusEvent | None:
        kind = message.header.message_type
        fields = message.header.fields
        body = message.body
        if kind in (MessageType.method_return, MessageType.error):
            serial = fields.get(HeaderFields.reply_serial, -1)
            if serial not in self._unanswered:
                return None  # not an answer to a Notify of ours
            del self._unanswered[serial]
            if kind is MessageType.error:
                detail = body[0] if body and isinstance(body[0], str) else ""
                return Refused(serial, f"{fields.get(HeaderFields.error_name, '?')}: {detail}")
            if not (body and isinstance(body[0], int)):
                return Refused(serial, f"unexpected answer {body!r}")
            # A restarted server has a new unique name; it answers before it signals.
            self._server = fields.get(HeaderFields.sender, self._server)
            return Shown(serial, body[0])
        if kind is not MessageType.signal or fields.get(HeaderFields.sender) != self._server:
            return None  # e.g. NameAcquired from the bus, or a signal from an impostor
        member = fields.get(HeaderFields.member)
        signature = fields.get(HeaderFields.signature)
        if member == "ActionInvoked" and signature == "us":
            return Invoked(body[0], body[1])
        if member == "NotificationClosed" and signature == "uu":
            return Closed(body[0])
        return None

    def close(self) -> None:
        """Hang up."""
        self._connection.close()


def _raise_for_error(reply: Any) -> None:
    if (error := error_text(reply)) is not None:
        raise NoNotificationServer(error)
