"""What the desktop's notification server says back: pure values, no D-Bus, no Qt."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shown:
    """The server took notification ``id`` (the reply to the Notify with ``serial``)."""

    serial: int
    id: int


@dataclass(frozen=True)
class Refused:
    """The server (or the bus) answered the Notify with ``serial`` with an error."""

    serial: int
    error: str


@dataclass(frozen=True)
class Invoked:
    """The user chose ``action`` on notification ``id``."""

    id: int
    action: str


@dataclass(frozen=True)
class Closed:
    """Notification ``id`` is gone (expired, dismissed, replaced)."""

    id: int


BusEvent = Shown | Refused | Invoked | Closed
