"""The outbox: reports wait here, durably, until the desk confirms them exactly once.

A report is written to the outbox before any network call. The sender takes
the oldest due item, marks it *sending* (persisted), and creates the ticket.
When an attempt may have reached the desk without us hearing back (a
timeout, a dropped connection, a crash), the item is marked ``check_first``
and every later attempt first asks the desk for the report's key: exactly
once over an at-least-once network (architecture §4).

A refusal of the report itself (400, 413, 415, 422) *rejects* it: kept and
shown, never retried blindly. A refusal of who we are is no verdict on the
report: signed out (401), not allowed (403: the account's rights, or a rule
against the app's requests such as RT's cross-site request forgery check),
or nowhere to file it (404 on creation). The report waits, with the reason,
until the cause is fixed; after :data:`TELL_IT_AFTER_S` the user is told
what IT must do. 408, 429 and 5xx are tried again later.

Pure rules and the sender's orchestration live here; the SQLite store and the
desk are ports.
"""

from __future__ import annotations

import enum
import logging
import random
import re
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
    QueueRefused,
    Rejected,
    Unavailable,
)
from client.core.models import Attachment, AttachmentInfo, Report, TicketRef
from client.core.ports import DeskPort, OutboxStore
from client.core.redact import Redactor

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
NOT_RECEIVED_REASONS = frozenset({"unreachable", "refused", "tls", "proxy", "busy"})
#: First wait, and the longest, of a report the desk refused for who we are (seconds): gentle,
#: since only someone else's change helps; sign-in and start-up make it due at once anyway.
REFUSED_FIRST_RETRY_S = 60.0
REFUSED_MAX_RETRY_S = 60 * 60.0
#: After waiting this long for a refusal of who we are to be fixed, the user is told what
#: IT must do (seconds).
TELL_IT_AFTER_S = 24 * 60 * 60.0
#: The longest desk message kept with a refused report (characters).
DESK_MESSAGE_MAX = 200
#: How desks word a refusal of the app's requests rather than of the account: Request
#: Tracker ("Cross-site request forgery protection refused this request"), Django ("CSRF
#: Failed: Referer checking failed").
#: Patterns as text, compiled (and cached by ``re``) when first needed: not at start.
_CSRF = r"(?i)cross[- ]site request forgery|\bcsrf\b|\breferr?er\b"
#: Control and bidirectional-override characters: never shown from a desk's message.
_UNPRINTABLE = r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
#: A placeholder for a desk that said nothing we can show (see ``adapters.http``).
_STATUS_ONLY = r"HTTP \d{3}"


class WaitingFor(enum.Enum):
    """What a report refused for who we are waits for (persisted: values are stable)."""

    #: A new sign-in (401).
    SIGN_IN = "sign_in"
    #: The right to create tickets (403).
    RIGHTS = "rights"
    #: The desk to accept the app's requests (403 from a CSRF or referrer rule): a desk
    #: setting, or an update of the app.
    REQUEST_RULE = "request_rule"
    #: Somewhere to file it (404 on creation: the queue or the API is missing, or out of
    #: the user's sight).
    SETUP = "setup"


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
    #: The desk queue it goes to, fixed when it was saved (``None``: the desk's default).
    queue: str | None = None
    attempts: int = 0
    next_attempt_at: float | None = None
    #: An earlier attempt may have created the ticket: ask the desk before creating.
    check_first: bool = False
    error_code: str | None = None
    error_reason: str | None = None
    ticket: TicketRef | None = None
    #: Attachments the desk would not take (file name, reason): the ticket has the rest.
    refused: tuple[tuple[str, str], ...] = ()
    #: The desk refused who we are: what the report waits for, since when (the first
    #: refusal for this cause), and the desk's own words (cleaned; ``None`` if unusable).
    #: Kept through failures that say nothing about it (the network), cleared on delivery.
    waiting_for: WaitingFor | None = None
    waiting_since: float | None = None
    desk_message: str | None = None

    @property
    def editable(self) -> bool:
        """Whether the user may still change the text (it surely is not at the desk)."""
        return not self.check_first and self.state in (
            OutboxState.QUEUED,
            OutboxState.RETRY,
            OutboxState.REJECTED,
        )

    def tell_it(self, now: float) -> bool:
        """Whether the report has waited so long for a refusal to be fixed that IT must act."""
        return (
            self.state.waiting
            and self.waiting_for is not None
            and self.waiting_since is not None
            and now - self.waiting_since >= TELL_IT_AFTER_S
        )


class Failure(enum.Enum):
    """What a failed attempt means for the report."""

    #: The desk refused this report as it is; retrying will not help.
    REJECTED = "rejected"
    #: The credential no longer works; wait for the user to sign in again.
    SIGNED_OUT = "signed_out"
    #: The desk refuses the account (rights) or the app's requests (a CSRF rule): wait
    #: for IT to change that; the report itself was not judged.
    NOT_ALLOWED = "not_allowed"
    #: The desk has nowhere to file the report (404 on creation): wait for IT to set it up.
    NOT_SET_UP = "not_set_up"
    #: The request never reached the desk; try again later.
    NOT_RECEIVED = "not_received"
    #: The desk may have created the ticket; ask it before trying again.
    MAYBE_RECEIVED = "maybe_received"


def classify(error: Exception) -> Failure:
    """Sort a failed attempt by what it means for the report (architecture §4).

    Only a refusal of the report itself (400, 413, 415, 422: :class:`Rejected`)
    rejects it. A 403 refuses who we are. A 404 on creation is a setup problem,
    not a verdict on the report either: the queue (or the desk's API) is
    missing or out of the user's sight, and no change to the text would help;
    so it waits for IT like a 403. A 404 on the *lookup* never gets here (see
    :meth:`OutboxSender.deliver`).
    """
    if isinstance(error, AuthFailed):
        return Failure.SIGNED_OUT
    if isinstance(error, Forbidden):
        return Failure.NOT_ALLOWED
    if isinstance(error, NotFound):
        return Failure.NOT_SET_UP
    if isinstance(error, Rejected):
        return Failure.REJECTED
    if isinstance(error, Unavailable) and error.reason in NOT_RECEIVED_REASONS:
        return Failure.NOT_RECEIVED
    if isinstance(error, Unavailable | BadResponse):
        return Failure.MAYBE_RECEIVED
    # Anything else is a bug of ours; the report is kept and retried, carefully.
    return Failure.MAYBE_RECEIVED


def waiting_for(error: Exception) -> WaitingFor | None:
    """What a report refused with ``error`` waits for; ``None`` when the desk did not refuse us.

    A 403 is told apart by the adapter's reason when it gave one, else by the desk's
    words: a CSRF or referrer rule refuses the app's requests (a desk setting or an
    update fixes it), anything else the account (rights fix it).
    """
    if isinstance(error, AuthFailed):
        return WaitingFor.SIGN_IN
    if isinstance(error, NotFound):
        return WaitingFor.SETUP
    if isinstance(error, Forbidden):
        if error.reason:
            return WaitingFor.REQUEST_RULE if error.reason == "csrf" else WaitingFor.RIGHTS
        return WaitingFor.REQUEST_RULE if re.search(_CSRF, error.detail) else WaitingFor.RIGHTS
    return None


def desk_message(detail: str) -> str | None:
    """The desk's words about a refusal, fit to show: one line, bounded, secrets masked.

    ``None`` when it said nothing a person can read (only a status, a data dump, a page).
    """
    text = " ".join(re.sub(_UNPRINTABLE, " ", detail).split())
    if not text or re.fullmatch(_STATUS_ONLY, text) or text[0] in "{[<":
        return None
    text = Redactor().redact(text)
    if len(text) > DESK_MESSAGE_MAX:
        text = text[: DESK_MESSAGE_MAX - 1].rstrip() + "…"
    return text


def retry_delay(
    attempts: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    *,
    first: float = FIRST_RETRY_S,
    cap: float = MAX_RETRY_S,
) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (exponential, jittered)."""
    base = min(first * 2 ** max(attempts - 1, 0), cap)
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
        waiting_for=None,
        waiting_since=None,
        desk_message=None,
    )


def attempt_failed(
    item: OutboxItem, error: Exception, now: float, rng: random.Random | None = None
) -> OutboxItem:
    """The state after a failed attempt; the report is never dropped.

    A refusal of who we are starts (or, for the same cause, continues) the
    item's wait for a fix: ``waiting_since`` is the first refusal, so a day
    later the user can be told what IT must do. A failure that says nothing
    about that cause (the network) keeps the wait as it is.
    """
    failure = classify(error)
    code = error.code if isinstance(error, ClientError) else "error"
    reason = getattr(error, "reason", None) or None
    if failure is Failure.REJECTED:
        # Only a creation is refused this way, and only after the desk said it
        # does not have the report: nothing left to ask, so the user may edit it.
        return replace(
            item, state=OutboxState.REJECTED, next_attempt_at=None, check_first=False,
            error_code=code, error_reason=reason,
            waiting_for=None, waiting_since=None, desk_message=None,
        )  # fmt: skip
    retry_after = error.retry_after if isinstance(error, Unavailable) else None
    cause = waiting_for(error)
    if cause is None:
        wait = retry_delay(item.attempts, retry_after, rng)
        # Nothing was said about a refusal of us: a wait for IT goes on as it was. A wait
        # for a sign-in is over, though: only a signed-in app makes an attempt.
        if item.waiting_for is WaitingFor.SIGN_IN:
            cause, since, words = None, None, None
        else:
            cause, since, words = item.waiting_for, item.waiting_since, item.desk_message
    else:
        # Never a tight loop: only someone else's change helps. A new sign-in and
        # the app starting again make it due at once.
        wait = retry_delay(
            item.attempts, rng=rng, first=REFUSED_FIRST_RETRY_S, cap=REFUSED_MAX_RETRY_S
        )
        same = item.waiting_for is cause and item.waiting_since is not None
        since = item.waiting_since if same else now
        words = desk_message(error.detail) if isinstance(error, Forbidden | NotFound) else None
    return replace(
        item,
        state=OutboxState.RETRY,
        next_attempt_at=now + wait,
        check_first=item.check_first or failure is Failure.MAYBE_RECEIVED,
        error_code=code,
        error_reason=reason,
        waiting_for=cause,
        waiting_since=since,
        desk_message=words,
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
            except QueueRefused as error:
                if not report.queue:
                    raise
                # The department's queue does not exist or is closed to the employee: an
                # IT setting no change to the report would fix. It goes to the desk's
                # default queue instead, saying where it was meant to go.
                logger.warning("report %s: the desk refused queue %r (%s); sending it to "
                               "the default queue", report.key, report.queue, error)  # fmt: skip
                note = f"(Meant for the queue {report.queue!r}, which the desk refused.)"
                report = replace(
                    report, queue=None, description=f"{report.description.rstrip()}\n\n{note}"
                )
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
