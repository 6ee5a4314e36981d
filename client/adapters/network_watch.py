"""NetworkManager's view of connectivity, heard on the system bus with jeepney.

Plain Python, no Qt: the ``NetworkMonitor`` service opens it on a worker and
watches its socket. Qt's ``QNetworkInformation`` would do the same, but it
loads QtNetwork (about 3 MB, docs/performance.md) into every idle tray.
Where NetworkManager is not running, opening fails and the poller's own
schedule and backoff are all there is.
"""

from __future__ import annotations

import logging
from typing import Any

try:
    from jeepney import (
        DBusAddress,
        HeaderFields,
        MatchRule,
        MessageType,
        Properties,
        message_bus,
    )
    from jeepney.io.blocking import open_dbus_connection

    HAVE_JEEPNEY = True
except ImportError:  # Linux-only dependency
    HAVE_JEEPNEY = False

from client.adapters.dbus_io import error_text, incoming

logger = logging.getLogger(__name__)

NAME = "org.freedesktop.NetworkManager"
PATH = "/org/freedesktop/NetworkManager"

#: ``NM_STATE_CONNECTED_SITE``: the local network works (an intranet desk is
#: reachable) but maybe not the internet; ``CONNECTED_GLOBAL`` (70) is above it.
ONLINE_FROM = 60


class NoNetworkManager(Exception):
    """NetworkManager is not on the bus (or would not answer)."""


class NetworkManagerWatch:
    """A system-bus connection that hears NetworkManager's ``StateChanged``.

    :meth:`open` blocks for at most about ``timeout`` seconds per round trip:
    call it on a worker. After that :meth:`read` never blocks.
    """

    def __init__(self, connection: Any, owner: str, online: bool) -> None:
        self._connection = connection
        self._owner = owner  # NetworkManager's unique name: only its signals count
        #: Whether NetworkManager last said the network is up.
        self.online = online
        connection.sock.setblocking(False)

    @classmethod
    def open(cls, address: str = "SYSTEM", timeout: float = 3.0) -> NetworkManagerWatch:
        """Connect to the bus at ``address`` and read NetworkManager's state."""
        if not HAVE_JEEPNEY:
            raise NoNetworkManager("jeepney is not installed")
        connection = open_dbus_connection(bus=address, auth_timeout=timeout)
        try:
            rule = MatchRule(
                type="signal", sender=NAME, interface=NAME, path=PATH, member="StateChanged"
            )
            _raise_for_error(
                connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=timeout)
            )
            manager = DBusAddress(PATH, bus_name=NAME, interface=NAME)
            reply = connection.send_and_get_reply(Properties(manager).get("State"), timeout=timeout)
            _raise_for_error(reply)
        except BaseException:
            connection.close()
            raise
        signature, state = reply.body[0]
        if signature != "u":
            connection.close()
            raise NoNetworkManager(f"State has signature {signature!r}")
        owner = reply.header.fields.get(HeaderFields.sender, "")
        return cls(connection, owner, state >= ONLINE_FROM)

    def fileno(self) -> int:
        """The socket to watch for :meth:`read`."""
        return int(self._connection.sock.fileno())

    def read(self) -> list[bool]:
        """Each change of :attr:`online` heard since the last call (``True``: came back).

        Raises ``ConnectionError`` once the bus is gone.
        """
        changes: list[bool] = []
        for message in incoming(self._connection, "system"):
            fields = message.header.fields
            if (
                message.header.message_type is not MessageType.signal
                or fields.get(HeaderFields.sender) != self._owner
                or fields.get(HeaderFields.member) != "StateChanged"
                or fields.get(HeaderFields.signature) != "u"
            ):
                continue
            online = message.body[0] >= ONLINE_FROM
            if online != self.online:
                self.online = online
                changes.append(online)
        return changes

    def close(self) -> None:
        """Hang up."""
        self._connection.close()


def _raise_for_error(reply: Any) -> None:
    if (error := error_text(reply)) is not None:
        raise NoNetworkManager(error)
