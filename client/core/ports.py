"""The ports: what the services need from the outside world, as protocols.

Adapters implement these and raise only :class:`~client.core.errors.DeskError`
subclasses; nothing vendor-specific crosses them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from client.core.diagnostics import ProbeTarget
from client.core.models import (
    Agent,
    Attachment,
    AttachmentInfo,
    Cursor,
    Person,
    Report,
    Ticket,
    TicketRef,
    TicketSummary,
)
from client.core.notify_events import BusEvent

if TYPE_CHECKING:
    from client.core.models import UpdateOutcome
    from client.core.outbox import OutboxItem, OutboxState, StoreRecovery


class DeskPort(Protocol):
    """One user's view of one service desk."""

    def whoami(self) -> Person:
        """The signed-in user."""
        ...

    def create_ticket(self, report: Report) -> TicketRef:
        """File a report as a new ticket; the report's key travels with it."""
        ...

    def find_by_report_key(self, key: str) -> TicketRef | None:
        """The ticket created from the report with this key, if any."""
        ...

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """The user's tickets changed since ``since`` (all of them for ``None``)."""
        ...

    def ticket(self, ref: TicketRef) -> Ticket:
        """One ticket with its public history."""
        ...

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Add the user's public reply to a ticket."""
        ...

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        """Close the ticket: the user agrees it is solved (or, with ``text``, it fixed itself)."""
        ...

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        """The user says it is urgent now: a note, and the priority raised where allowed."""
        ...

    def reopen(self, ref: TicketRef, text: str) -> None:
        """Tell the desk the problem is back (or was never solved)."""
        ...

    def agent_photo(self, agent: Agent) -> bytes | None:
        """The agent's photo, when the desk has one."""
        ...

    def download(self, file: AttachmentInfo, max_bytes: int) -> bytes:
        """The contents of one of a ticket's files, as the desk listed it.

        Raises:
            BadResponse: also for a file larger than ``max_bytes``, or an address that
                is not one of the desk's own files.
        """
        ...


class DeskConnector(Protocol):
    """Signs a user in at one kind of desk and opens their view of it."""

    kind: str

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> str:
        """Exchange the user's own credentials for a credential to keep (a token).

        ``keep_password``: where the desk's sessions end, the credential may hold
        the password, to start a new session without asking (the user chose so).
        """
        ...

    def open(self, url: str, credential: str) -> DeskPort:
        """The user's view of the desk, using a credential from :meth:`sign_in`."""
        ...


class OutboxStore(Protocol):
    """Where reports wait, durably, until the desk has them (an SQLite file)."""

    def add(self, report: Report, now: float) -> OutboxItem:
        """Store a report and its attachments in one transaction; the new item.

        Raises:
            StoreError: the report could not be stored (disk full, damaged file).
        """
        ...

    def claim_next(self, now: float, exclude: Collection[int] = ()) -> OutboxItem | None:
        """Atomically take the oldest due report and mark it *sending* (attempts + 1).

        Atomic across processes: the tray and the command line never take the
        same report. Reports in ``exclude`` are skipped (held by the user).
        """
        ...

    def load_report(self, item_id: int) -> Report:
        """The full report of an item, attachments included."""
        ...

    def save(self, item: OutboxItem, expect: OutboxState | None = None) -> None:
        """Record an item's new state (only the item with this id and key).

        Raises:
            StoreError: ``gone`` when it is no longer in the outbox, or with
                ``expect``, no longer in that state.
        """
        ...

    def items(self) -> list[OutboxItem]:
        """Every report that has not reached the desk, oldest first."""
        ...

    def remove(self, item_id: int) -> None:
        """Forget a report the user cancelled.

        Raises:
            StoreError: ``being_sent`` or ``already_sent``: it is on its way.
        """
        ...

    def next_attempt_at(self, exclude: Collection[int] = ()) -> float | None:
        """When the next report (not in ``exclude``) becomes due, if any waits."""
        ...

    def due_now(self, now: float) -> int:
        """Make every report waiting for a retry due now (the desk is back); how many."""
        ...

    def recover(self, now: float) -> int:
        """At start: reports left *sending* by a run that stopped become due again; how many.

        Claims of another process that is still running are left alone.
        """
        ...

    def recovery(self) -> StoreRecovery | None:
        """What opening the store found, when its file was damaged."""
        ...

    def close(self) -> None:
        """Release the file (at quit)."""
        ...


class DiagnosticsSource(Protocol):
    """The computer describing itself (``client/adapters/sysinfo.py``); slow parts on a worker."""

    def sample(self) -> object:
        """Start measuring CPU use; pass the result to :meth:`local` a moment later."""
        ...

    def local(self, since: object | None = None) -> dict[str, Any]:
        """Everything but the desk check; a failing item is left out with a note, never raised."""
        ...

    def probe_target(self) -> ProbeTarget:
        """Where the desk check connects first: the desk, or the proxy in effect.

        Call it on a worker: finding the proxy may look up names or read the
        registry (``urllib.request.proxy_bypass`` on Windows and macOS).
        """
        ...

    def probe_desk(self, target: ProbeTarget) -> dict[str, Any]:
        """Name resolution and a TCP connection to ``target``, with timings."""
        ...


class ImageEncoder(Protocol):
    """Turns pixels into a compact image file (``client/adapters/imaging.py``)."""

    def encode(self, width: int, height: int, stride: int, rgb: bytes, stem: str) -> Attachment:
        """Encode 8-bit RGB rows (``stride`` bytes apart) as ``<stem>.<ext>``."""
        ...


class KeptProfile(Protocol):
    """The last verified profile as kept on this computer (``client/adapters/profile_store.py``)."""

    @property
    def document(self) -> dict[str, Any]:
        """The profile document (``client/core/profile.py`` reads it)."""
        ...

    @property
    def verified_at(self) -> float:
        """When it was last verified (seconds since the epoch)."""
        ...

    def avatar(self, agent_id: str) -> bytes | None:
        """The agent's photo, prepared as a small square PNG, or ``None`` (initials)."""
        ...

    def read(self, path: str) -> bytes | None:
        """A file of the profile (an article's body) as verified, or ``None`` (not kept)."""
        ...


class ProfileSource(Protocol):
    """Where the signed profile comes from (``client/adapters/profile_helper.py``)."""

    def update(self) -> UpdateOutcome:
        """One verified update; raises :class:`ClientError` when it cannot run at all."""
        ...

    def kept(self) -> KeptProfile | None:
        """The last good profile, if any."""
        ...

    def cancel(self) -> None:
        """Stop an update on its way (the app is quitting)."""
        ...


class Releasable(Protocol):
    """Something that holds resources only while in use (the evidence helper process)."""

    def close(self) -> None:
        """Let go once the current work is done (may wait for it: call it on a worker)."""
        ...

    def cancel(self) -> None:
        """Let go at once, mid-work if need be (the app is quitting)."""
        ...


class SecretStore(Protocol):
    """Where the user's desk credential is kept (the OS keyring)."""

    def get(self, account: str) -> str | None:
        """The stored secret for ``account``, or ``None``."""
        ...

    def set(self, account: str, secret: str) -> None:
        """Store (or replace) the secret for ``account``."""
        ...

    def delete(self, account: str) -> None:
        """Forget the secret for ``account`` (no error when there is none)."""
        ...

    def cancel(self) -> None:
        """Give up on anything still waiting for the store (at quit)."""
        ...


def credential_account(desk_url: str, username: str) -> str:
    """The name under which one user's credential for one desk is kept."""
    return f"{username}@{desk_url.rstrip('/')}"


class NotificationBus(Protocol):
    """An open connection to the desktop's notification server (sending and listening)."""

    #: What the server can do ("actions", "body-markup", ...).
    capabilities: frozenset[str]

    def fileno(self) -> int:
        """The connection's socket, to watch for what the server says."""
        ...

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
        """Send a notification; returns the call's serial (answered through :meth:`read`)."""
        ...

    def read(self) -> list[BusEvent]:
        """What arrived since the last read, without waiting."""
        ...

    def close(self) -> None:
        """Hang up."""
        ...


class NetworkWatch(Protocol):
    """The operating system telling us when the network comes and goes."""

    #: Whether the network was up at the last word from the system.
    online: bool

    def fileno(self) -> int:
        """The socket to watch for :meth:`read`."""
        ...

    def read(self) -> list[bool]:
        """Each change heard since the last read, without waiting (``True``: back up)."""
        ...

    def close(self) -> None:
        """Stop listening."""
        ...
