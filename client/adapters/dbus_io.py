"""What every non-blocking jeepney connection of ours does: drain the socket, check replies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def incoming(connection: Any, bus: str) -> Iterator[Any]:
    """The messages that arrived on a non-blocking ``connection``, without waiting.

    Raises ``ConnectionResetError`` once the ``bus`` ("session", "system") hung up.
    """
    while True:
        try:
            data = connection.sock.recv(65536)
        except BlockingIOError:
            break
        if not data:
            raise ConnectionResetError(f"the {bus} bus closed the connection")
        connection.parser.add_data(data)
    while (message := connection.parser.get_next_message()) is not None:
        yield message


def error_text(reply: Any) -> str | None:
    """``"<error name>: <detail>"`` when ``reply`` is a D-Bus error, else ``None``."""
    from jeepney import HeaderFields, MessageType

    if reply.header.message_type is not MessageType.error:
        return None
    detail = reply.body[0] if reply.body else ""
    return f"{reply.header.fields.get(HeaderFields.error_name, '')}: {detail}"
