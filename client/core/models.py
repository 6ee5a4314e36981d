"""Domain values shared by every layer: tickets, people, reports, attachments."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Stage(enum.Enum):
    """Where a ticket is, in the words of a parcel tracker.

    Every desk adapter maps its native states onto these with a table; the
    user interface only ever sees a ``Stage``.
    """

    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_ON_YOU = "waiting_on_you"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Whether the desk still has work to do (or is waiting for the user)."""
        return self not in (Stage.RESOLVED, Stage.CLOSED, Stage.CANCELLED)


#: The stages a ticket normally passes through, in order (the tracker's timeline).
STAGE_FLOW: tuple[Stage, ...] = (
    Stage.RECEIVED,
    Stage.ASSIGNED,
    Stage.IN_PROGRESS,
    Stage.RESOLVED,
    Stage.CLOSED,
)


class EventKind(enum.Enum):
    """What a history entry of a ticket is."""

    CREATED = "created"
    MESSAGE = "message"
    STATUS_CHANGE = "status_change"


@dataclass(frozen=True)
class Person:
    """The signed-in user as the desk knows them."""

    username: str
    name: str
    email: str = ""
    department: str | None = None


@dataclass(frozen=True)
class Agent:
    """A service-desk agent: the face handling a ticket."""

    name: str
    email: str | None = None
    id: str | None = None


@dataclass(frozen=True, order=True)
class TicketRef:
    """Identifies one ticket at one desk.

    ``id`` is what the desk's API uses; ``display`` is what people say on the
    phone (for example ``HR-12``).
    """

    id: str
    display: str = ""

    def __str__(self) -> str:
        return self.display or f"#{self.id}"


@dataclass(frozen=True)
class TicketSummary:
    """One line of "My tickets": enough to list it and to notice a change."""

    ref: TicketRef
    title: str
    stage: Stage
    native_status: str
    updated: datetime
    created: datetime
    agent: Agent | None = None
    due: datetime | None = None
    #: When an agent last wrote to the user publicly (``None``: never, or not known).
    agent_replied_at: datetime | None = None
    #: The desk treats it as urgent (its highest priorities; "This is urgent now" sets it).
    urgent: bool = False


@dataclass(frozen=True)
class AttachmentInfo:
    """A file that is already stored at the desk."""

    filename: str
    size: int
    content_type: str
    url: str = ""


@dataclass(frozen=True)
class TicketEvent:
    """One public entry in a ticket's history."""

    id: str
    at: datetime
    kind: EventKind
    text: str = ""
    author: str | None = None
    by_agent: bool = False
    new_stage: Stage | None = None
    attachments: tuple[AttachmentInfo, ...] = ()


@dataclass(frozen=True)
class Ticket:
    """A ticket with its public history, as the tracker shows it."""

    summary: TicketSummary
    description: str = ""
    events: tuple[TicketEvent, ...] = ()

    @property
    def ref(self) -> TicketRef:
        """Shortcut to the ticket's reference."""
        return self.summary.ref


@dataclass(frozen=True)
class Attachment:
    """A file the user sends with a report or a reply."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


def new_report_key() -> str:
    """A fresh idempotency key for a report (a random UUID)."""
    import uuid  # deferred: with ``platform``, 0.2 MB an idle tray never needs

    return str(uuid.uuid4())


@dataclass(frozen=True)
class Report:
    """A problem report as the user wrote it, ready to become a ticket.

    ``key`` makes delivery idempotent: it travels with the ticket so a retry
    after an unknown outcome can find the ticket instead of creating another.
    """

    subject: str
    description: str
    key: str = field(default_factory=new_report_key)
    #: The desk queue it goes to, fixed when it is saved (``None``: the desk's default).
    queue: str | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def size(self) -> int:
        """Total size of the attachments in bytes."""
        return sum(a.size for a in self.attachments)


@dataclass(frozen=True)
class Cursor:
    """An opaque position in a desk's change feed ("changed since")."""

    value: str


@dataclass(frozen=True)
class Picture:
    """Decoded pixels, small and ready to show: 8-bit RGBA rows of ``width * 4`` bytes.

    Made on a worker from a photo's file (``client/adapters/photos.py``); the GUI
    only wraps it in an image.
    """

    width: int
    height: int
    rgba: bytes


@dataclass(frozen=True)
class UpdateOutcome:
    """What one update of the signed profile did: ``refusal`` ("": accepted), detail, role."""

    refusal: str = ""
    detail: str = ""
    role: str = ""
    #: Files the profile names that were left out (too large, not signed).
    missing: tuple[str, ...] = ()
