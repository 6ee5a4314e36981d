"""What the tray icon shows: plain values, so that the icon can be up before the services load.

``client.start`` shows the icon before the service graph is imported
(docs/architecture.md, "The icon first"); the icon needs only these.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ConnectionState(enum.Enum):
    """Whether the desk answered the last poll."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"


class TrayIconKind(enum.Enum):
    """The icon variants."""

    NORMAL = "normal"
    ATTENTION = "attention"
    OFFLINE = "offline"


@dataclass(frozen=True)
class TrayStatus:
    """Everything the tray shows; the UI turns it into an icon and words."""

    icon: TrayIconKind
    signed_in: bool
    connection: ConnectionState
    #: Still reading the sign-in from the keyring (start-up): neither in nor out yet.
    signing_in: bool = False
    open_tickets: int = 0
    unseen: int = 0
    #: Reports on this computer that have not reached the desk yet / that it refused.
    waiting_reports: int = 0
    rejected_reports: int = 0
    error_code: str | None = None
    error_reason: str | None = None


#: The icon while the app is still starting: connecting, nothing known yet.
STARTING = TrayStatus(TrayIconKind.NORMAL, signed_in=False, connection=ConnectionState.UNKNOWN,
                      signing_in=True)  # fmt: skip
