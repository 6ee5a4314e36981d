"""The outbox: reports wait here, durably, until the desk confirms them exactly once.

A report is written to the outbox before any network call. The sender takes
the oldest due item, marks it *sending* (persisted), and creates the ticket.
When an attempt may have reached the desk without us hearing back (a
timeout, a dropped connection, a crash), the item is marked ``check_first``
and every later attempt first asks the desk for the report's key: exactly
once over an at-least-once network (architecture §4).

Pure rules and the sender's orchestration live here; the SQLite store and the
desk are ports.
"""

from __future__ import annotations

import enum
import logging
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

from client.core.diagnostics import FILE_NAME as DIAGNOSTICS_FILE
from client.core.errors import (
    AttachmentRefused,
    AuthFailed,
    BadResponse,
    ClientError,
    Forbidden,
    NotFound,
    Rejected,
    Unavailable,
)
from client.core.models import Attachment, AttachmentInfo, Report, TicketRef
from client.core.ports import DeskPort, OutboxStore

logger = logging.getLogger(__name__)

#: First wait after a failed attempt, and the longest wait between attempts (seconds).
FIRST_RETRY_S = 15.0
MAX_RETRY_S = 15 * 60.0
#: Spread of each wait (±), so a fleet that lost the network together does not return together.
RETRY_JITTER = 0.2
#: A report claimed for sending longer ago than this is taken to be abandoned (seconds);
#: longer than any attempt can take, uploads included.
CLAIM_LEASE_S = 30 * 60.0
#: Failures that mean the request never got to the desk (no need to ask before retrying).
NOT_RECEIVED_REASONS = frozenset({"unreachable", "tls", "proxy", "busy"})


class OutboxState(enum.Enum):
    """Where a report is on its way to the desk."""

    QUEUED = "queued"
    SENDING = "sending"
    RETRY = "retry"
    SENT = "sent"
    REJECTED = "rejected"

    @property
    def waiting(self) -> bool:
        """Whether the report still has to reach the desk (the user sees it as waiting)."""
        return self in (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.RETRY)


@dataclass(frozen=True)
class OutboxItem:
    """One report in the outbox; attachments as names and sizes (the bytes stay stored)."""

    id: int
    key: str
    subject: str
    description: str
    state: OutboxState
    created_at: float
    attachments: tuple[AttachmentInfo, ...] = ()
    category: str | None = None
    attempts: int = 0
    next_attempt_at: float | None = None
    #: An earlier attempt may have created the ticket: ask the desk before creating.
    check_first: bool = False
    error_code: str | None = None
    error_reason: str | None = None
    ticket: TicketRef | None = None
    #: Attachments the desk would not take (file name, reason): the ticket has the rest.
    refused: tuple[tuple[str, str], ...] = ()

    @property
    def editable(self) -> bool:
        """Whether the user may still change the text (it surely is not at the desk)."""
        return not self.check_first and self.state in (
            OutboxState.QUEUED,
            OutboxState.RETRY,
            OutboxState.REJECTED,
        )


class Failure(enum.Enum):
    """What a failed attempt means for the report."""

    #: The desk refused this report as it is; retrying will not help.
    REJECTED = "rejected"
    #: The credential no longer works; wait for the user to sign in again.
    SIGNED_OUT = "signed_out"
    #: The request never reached the desk; try again later.
    NOT_RECEIVED = "not_received"
    #: The desk may have created the ticket; ask it before trying again.
    MAYBE_RECEIVED = "maybe_received"


def classify(error: Exception) -> Failure:
    """Sort a failed attempt (4xx other than 408/429 means rejected, §4)."""
    if isinstance(error, AuthFailed):
        return Failure.SIGNED_OUT
    if isinstance(error, Rejected | Forbidden | NotFound):
        return Failure.REJECTED
    if isinstance(error, Unavailable) and error.reason in NOT_RECEIVED_REASONS:
        return Failure.NOT_RECEIVED
    if isinstance(error, Unavailable | BadResponse):
        return Failure.MAYBE_RECEIVED
    # Anything else is a bug of ours; the report is kept and retried, carefully.
    return Failure.MAYBE_RECEIVED


def retry_delay(
    attempts: int, retry_after: float | None = None, rng: random.Random | None = None
) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (exponential, jittered)."""
    base = min(FIRST_RETRY_S * 2 ** max(attempts - 1, 0), MAX_RETRY_S)
    spread = base * RETRY_JITTER
    delay: float = base + (rng or random.Random()).uniform(-spread, spread)
    return max(delay, retry_after or 0.0, 1.0)


def begin_attempt(item: OutboxItem) -> OutboxItem:
    """The item is about to be sent (persist this before the network call)."""
    return replace(item, state=OutboxState.SENDING, attempts=item.attempts + 1)


def _expendable(attachment: Attachment) -> tuple[bool, int]:
    """The order in which unnamed refusals drop files: the diagnostics last, then by size."""
    return attachment.filename != DIAGNOSTICS_FILE, attachment.size


@dataclass(frozen=True)
class Delivery:
    """What the desk took: the ticket, and the attachments it refused (name, reason)."""

    ticket: TicketRef
    refused: tuple[tuple[str, str], ...] = ()


def delivered(
    item: OutboxItem, ticket: TicketRef, refused: Sequence[tuple[str, str]] = ()
) -> OutboxItem:
    """The desk has the ticket (without the attachments in ``refused``)."""
    return replace(
        item,
        state=OutboxState.SENT,
        ticket=ticket,
        refused=tuple(refused),
        next_attempt_at=None,
        error_code=None,
        error_reason=None,
    )


def attempt_failed(
    item: OutboxItem, error: Exception, now: float, rng: random.Random | None = None
) -> OutboxItem:
    """The state after a failed attempt; the report is never dropped."""
    failure = classify(error)
    code = error.code if isinstance(error, ClientError) else "error"
    reason = getattr(error, "reason", None) or None
    if failure is Failure.REJECTED:
        # Only a creation is refused this way, and only after the desk said it
        # does not have the report: nothing left to ask, so the user may edit it.
        return replace(
            item, state=OutboxState.REJECTED, next_attempt_at=None, check_first=False,
            error_code=code, error_reason=reason,
        )  # fmt: skip
    retry_after = error.retry_after if isinstance(error, Unavailable) else None
    # Signed out waits like any failure (never a tight loop); the next sign-in
    # makes it due at once.
    wait = retry_delay(item.attempts, retry_after, rng)
    return replace(
        item,
        state=OutboxState.RETRY,
        next_attempt_at=now + wait,
        check_first=item.check_first or failure is Failure.MAYBE_RECEIVED,
        error_code=code,
        error_reason=reason,
    )


def recovered(item: OutboxItem, now: float) -> OutboxItem:
    """An item found *sending* at start-up: the last run stopped mid-attempt."""
    return replace(item, state=OutboxState.RETRY, next_attempt_at=now, check_first=True)


def resubmitted(item: OutboxItem, subject: str, description: str, now: float) -> OutboxItem:
    """The user changed the text (and asks to try again, for a rejected report)."""
    return replace(
        item,
        subject=subject,
        description=description,
        state=OutboxState.QUEUED,
        next_attempt_at=now,
        error_code=None,
        error_reason=None,
    )


@dataclass(frozen=True)
class StoreRecovery:
    """Opening the outbox found a damaged file: moved aside, and how many reports were saved."""

    damaged_copy: str
    salvaged: int


@dataclass(frozen=True)
class Attempt:
    """What one attempt did: the item's new state, and the error when it failed."""

    item: OutboxItem
    error: Exception | None = None

    @property
    def delivered(self) -> bool:
        """Whether the report reached the desk."""
        return self.item.state is OutboxState.SENT


class OutboxSender:
    """Delivers reports one at a time, oldest first; plain Python over two ports.

    An attempt has three steps, so that the network part can run apart from
    the store (the app stores on one thread and talks to the desk on another):
    :meth:`claim` marks the oldest due report *sending* (persisted before any
    network call), :meth:`deliver` talks to the desk, :meth:`record` stores
    the outcome. :meth:`send_next` does all three in a row.

    ``step`` is told each stage (``"marked_sending"``, ``"created"``) so the
    crash tests can stop the process exactly there.
    """

    def __init__(
        self,
        store: OutboxStore,
        clock: Callable[[], float],
        rng: random.Random | None = None,
        step: Callable[[str], None] = lambda name: None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._rng = rng or random.Random()
        self._step = step

    def claim(self, exclude: Collection[int] = ()) -> tuple[OutboxItem, Report] | None:
        """The oldest due report, now marked *sending*; ``None`` when nothing is due.

        ``exclude``: reports held back (the user is changing their text).
        """
        item = self._store.claim_next(self._clock(), exclude)
        if item is None:
            return None
        # Persisted as sending: a crash from here on is recovered as "maybe received".
        self._step("marked_sending")
        return item, self._store.load_report(item.id)

    def deliver(self, item: OutboxItem, report: Report, desk: DeskPort) -> Delivery:
        """Get the report to the desk: look it up first when it may be there already."""
        ticket = self._look_up(item, desk) if item.check_first else None
        if ticket is not None:
            logger.info("report %s had already arrived as %s", item.key, ticket)
            delivery = Delivery(ticket)
        else:
            delivery = self._create(report, desk)
        self._step("created")
        return delivery

    @staticmethod
    def _create(report: Report, desk: DeskPort) -> Delivery:
        """Create the ticket; attachments the desk refuses are left out, the ticket is not.

        A refusal creates nothing at the desk, so trying again at once with
        fewer files is safe. When the desk does not say which file it minds
        (the upload is too large), the largest goes first; the diagnostics
        file, small and what the agent needs most, goes last.
        """
        attachments = list(report.attachments)
        refused: list[tuple[str, str]] = []
        while True:
            try:
                ticket = desk.create_ticket(replace(report, attachments=tuple(attachments)))
                return Delivery(ticket, tuple(refused))
            except AttachmentRefused as error:
                named = [a for a in attachments if a.filename in error.filenames]
                drop = named or ([max(attachments, key=_expendable)] if attachments else [])
                if not drop:
                    raise
                logger.warning(
                    "report %s: the desk refused %s (%s); sending the rest",
                    report.key,
                    ", ".join(a.filename for a in drop),
                    error.reason,
                )
                refused += [(a.filename, error.reason) for a in drop]
                attachments = [a for a in attachments if all(a is not d for d in drop)]

    @staticmethod
    def _look_up(item: OutboxItem, desk: DeskPort) -> TicketRef | None:
        try:
            return desk.find_by_report_key(item.key)
        except (Rejected, Forbidden, NotFound) as error:
            # A refused *lookup* says nothing about the report itself (a proxy's
            # 404, say): still unknown, so ask again next time; never "rejected".
            raise BadResponse(f"the report could not be looked up: {error}") from error

    def record(self, item: OutboxItem, outcome: Delivery | Exception) -> Attempt:
        """Store what the attempt did; every failure is kept, none is lost."""
        if isinstance(outcome, Exception):
            failed = attempt_failed(item, outcome, self._clock(), self._rng)
            self._store.save(failed)
            logger.warning(
                "report %s not delivered (attempt %d, %s): %s",
                item.key,
                failed.attempts,
                classify(outcome).value,
                outcome,
            )
            return Attempt(failed, outcome)
        done = delivered(item, outcome.ticket, outcome.refused)
        self._store.save(done)
        logger.info("report %s delivered as %s", item.key, outcome.ticket)
        return Attempt(done)

    def send_next(self, desk: DeskPort) -> Attempt | None:
        """Try the oldest due report; ``None`` when nothing is due."""
        claimed = self.claim()
        if claimed is None:
            return None
        item, report = claimed
        try:
            outcome: Delivery | Exception = self.deliver(item, report, desk)
        except Exception as error:  # recorded, never lost
            outcome = error
        return self.record(item, outcome)
