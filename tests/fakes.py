"""In-memory stand-ins for the ports, for services and UI tests."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import keyring.backend
import keyring.errors

from PySide6.QtCore import QObject, QThreadPool

from client.core.errors import (
    AttachmentRefused,
    AuthFailed,
    BadResponse,
    ClientError,
    NotFound,
    QueueRefused,
    StoreError,
)
from client.core.models import (
    Agent,
    Attachment,
    AttachmentInfo,
    Cursor,
    EventKind,
    Person,
    Report,
    Stage,
    Ticket,
    TicketEvent,
    TicketRef,
    TicketSummary,
)
from client.core.outbox import OutboxItem, OutboxState, begin_attempt, recovered
from client.core.redact import Redactor
from client.services.account import Account
from client.services.evidence import EvidenceService
from client.services.outbox import OutboxService
from client.services.tasks import TaskRunner, call

T = TypeVar("T")

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class FakeClock:
    """A monotonic clock in seconds that only moves when told."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend in a dict (the library's real API, no OS store)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it unannotated
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")


class MemorySecretStore:
    """``SecretStore`` in a dict; ``fail_with`` makes every call raise."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}
        self.fail_with: ClientError | None = None

    def _check(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def get(self, account: str) -> str | None:
        self._check()
        return self.entries.get(account)

    def set(self, account: str, secret: str) -> None:
        self._check()
        self.entries[account] = secret

    def delete(self, account: str) -> None:
        self._check()
        self.entries.pop(account, None)

    def cancel(self) -> None:
        pass


@dataclass
class FakeDesk:
    """An in-memory desk: tickets, a cursor, and switches to make calls fail.

    ``fail_with`` makes every call raise that error (the desk is "away");
    ``calls`` records what was asked, in order.
    """

    person: Person = field(
        default_factory=lambda: Person("anna", "Anna Jansen", "anna@example.org", "Finance")
    )
    tickets: dict[TicketRef, Ticket] = field(default_factory=dict)
    fail_with: Exception | None = None
    #: Only creating tickets fails (the poll still works): an upload that breaks.
    fail_creates_with: Exception | None = None
    #: File names whose type the desk refuses, and the largest upload it takes.
    refused_names: frozenset[str] = frozenset()
    max_upload_bytes: int | None = None
    #: The attachments each created ticket got.
    attachments: dict[TicketRef, tuple[Attachment, ...]] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    #: Agents' photos the desk keeps, by name.
    photos: dict[str, bytes] = field(default_factory=dict)
    #: The contents of the tickets' files, by their URL.
    files: dict[str, bytes] = field(default_factory=dict)
    #: The queues a report may name (``None``: any); another is refused, creating nothing.
    queues: frozenset[str] | None = None
    now: datetime = T0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(101))
    _keys: dict[str, TicketRef] = field(default_factory=dict)

    def _call(self, name: str, arg: Any = None) -> None:
        self.calls.append((name, arg))
        if self.fail_with is not None:
            raise self.fail_with

    def tick(self, seconds: int = 60) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def add_ticket(
        self, title: str, stage: Stage = Stage.RECEIVED, agent: str | None = None
    ) -> TicketRef:
        number = next(self._ids)
        ref = TicketRef(str(number), f"FIN-{number}")
        at = self.tick()
        summary = TicketSummary(
            ref=ref,
            title=title,
            stage=stage,
            native_status=stage.value,
            updated=at,
            created=at,
            agent=Agent(agent) if agent else None,
        )
        self.tickets[ref] = Ticket(summary, events=(TicketEvent("1", at, EventKind.CREATED),))
        return ref

    def change(self, ref: TicketRef, **changes: Any) -> None:
        """Change a ticket's summary fields (and bump its update time)."""
        ticket = self.tickets[ref]
        summary = replace(ticket.summary, updated=self.tick(), **changes)
        self.tickets[ref] = replace(ticket, summary=summary)

    # --- DeskPort -----------------------------------------------------------------------

    def whoami(self) -> Person:
        self._call("whoami")
        return self.person

    def create_ticket(self, report: Report) -> TicketRef:
        self._call("create_ticket", report)
        if self.fail_creates_with is not None:
            raise self.fail_creates_with
        if report.key in self._keys:
            return self._keys[report.key]
        if report.queue and self.queues is not None and report.queue not in self.queues:
            raise QueueRefused(f"No permission to create tickets in the queue {report.queue!r}")
        names = tuple(a.filename for a in report.attachments if a.filename in self.refused_names)
        if names:
            raise AttachmentRefused("unsupported file type", "file_type", names)
        if self.max_upload_bytes is not None and report.size > self.max_upload_bytes:
            raise AttachmentRefused("upload too large", "too_large")
        ref = self.add_ticket(report.subject)
        self._keys[report.key] = ref
        self.attachments[ref] = report.attachments
        return ref

    def find_by_report_key(self, key: str) -> TicketRef | None:
        self._call("find_by_report_key", key)
        return self._keys.get(key)

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        self._call("changed_tickets", since)
        after = datetime.fromisoformat(since.value) if since else None
        changed = [
            t.summary for t in self.tickets.values() if after is None or t.summary.updated > after
        ]
        return changed, Cursor(self.now.isoformat())

    def ticket(self, ref: TicketRef) -> Ticket:
        self._call("ticket", ref)
        try:
            return self.tickets[ref]
        except KeyError:
            raise NotFound(str(ref)) from None

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        self._call("reply", (ref, text))

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        self._call("confirm_resolved", (ref, text))

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        self._call("mark_urgent", (ref, text))

    def reopen(self, ref: TicketRef, text: str) -> None:
        self._call("reopen", (ref, text))

    def agent_photo(self, agent: Agent) -> bytes | None:
        self._call("agent_photo", agent)
        return self.photos.get(agent.name)

    def download(self, file: AttachmentInfo, max_bytes: int) -> bytes:
        self._call("download", file.url)
        if file.url not in self.files:
            raise NotFound(file.url)
        body = self.files[file.url]
        if len(body) > max_bytes:
            raise BadResponse(f"{len(body)} bytes")
        return body


class FakeConnector:
    """Signs in with a fixed password; opens the given desk for the issued token."""

    kind = "django-helpdesk"

    def __init__(self, desk: FakeDesk, password: str = "secret-password") -> None:
        self.desk = desk
        self.password = password
        self.token = "tok-" + "x" * 30
        self.sign_in_error: Exception | None = None
        self.kept_password = False

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> str:
        self.kept_password = keep_password
        if self.sign_in_error is not None:
            raise self.sign_in_error
        if password != self.password:
            raise AuthFailed("wrong password")
        return self.token

    def open(self, url: str, credential: str) -> FakeDesk:
        if credential != self.token:
            raise AuthFailed("unknown token")
        return self.desk


class ManualRunner(TaskRunner):
    """A runner that holds jobs until the test finishes them: work "in flight"."""

    def __init__(self) -> None:
        super().__init__(QThreadPool())
        self.jobs: list[
            tuple[Callable[[], Any], QObject, Callable[[Any], None], Callable[[Exception], None]]
        ] = []

    def submit(
        self,
        fn: Callable[[], T],
        *,
        owner: QObject,
        on_success: Callable[[T], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        self.jobs.append((fn, owner, on_success, on_error))

    def finish_next(self) -> None:
        """Run the oldest held job and deliver its result."""
        fn, _owner, on_success, on_error = self.jobs.pop(0)
        result, error = call(fn)
        if error is None:
            on_success(result)
        else:
            on_error(error)


def make_account(
    runner: TaskRunner,
    connector: FakeConnector,
    secrets: MemorySecretStore | None = None,
    *,
    save_settings: Callable[[Any], None] = lambda values: None,
    remember_secret: Callable[[str], None] = lambda secret: None,
    **options: Any,
) -> Account:
    """An ``Account`` over fakes; by default at a desk URL, as "anna", with the token preset."""
    settings: dict[str, Any] = {
        "desk_kind": "django-helpdesk",
        "desk_url": "https://desk.example.org",
        "username": "anna",
        "preset_credential": connector.token,
    }
    settings.update(options)
    return Account(
        runner,
        lambda kind: connector,
        secrets if secrets is not None else MemorySecretStore(),
        save_settings,
        remember_secret,
        **settings,
    )


class MemoryOutbox:
    """``OutboxStore`` in memory, for the core and service tests (the real one is SQLite)."""

    def __init__(self) -> None:
        self._items: dict[int, OutboxItem] = {}
        self._reports: dict[int, Report] = {}
        self._ids = itertools.count(1)

    def add(self, report: Report, now: float) -> OutboxItem:
        item = OutboxItem(
            id=next(self._ids),
            key=report.key,
            subject=report.subject,
            description=report.description,
            state=OutboxState.QUEUED,
            created_at=now,
            attachments=tuple(
                AttachmentInfo(a.filename, a.size, a.content_type) for a in report.attachments
            ),
            next_attempt_at=now,
        )
        self._items[item.id] = item
        self._reports[item.id] = report
        return item

    def item(self, item_id: int) -> OutboxItem:
        return self._items[item_id]

    def claim_next(self, now: float, exclude: Collection[int] = ()) -> OutboxItem | None:
        item = self._next_due(now, exclude)
        if item is None:
            return None
        item = begin_attempt(item)
        self._items[item.id] = item
        return item

    def _next_due(self, now: float, exclude: Collection[int] = ()) -> OutboxItem | None:
        due = [
            i
            for i in self._items.values()
            if i.state in (OutboxState.QUEUED, OutboxState.RETRY)
            and i.id not in exclude
            and i.next_attempt_at is not None
            and i.next_attempt_at <= now
        ]
        return min(due, key=lambda i: (i.created_at, i.id), default=None)

    def load_report(self, item_id: int) -> Report:
        item = self._items[item_id]
        return replace(self._reports[item_id], subject=item.subject, description=item.description)

    def save(self, item: OutboxItem, expect: OutboxState | None = None) -> None:
        current = self._items.get(item.id)
        if current is None or current.key != item.key or (expect and current.state is not expect):
            raise StoreError(f"report {item.key} is not in the outbox as expected", code="gone")
        self._items[item.id] = item

    def items(self) -> list[OutboxItem]:
        return [i for i in self._items.values() if i.state is not OutboxState.SENT]

    def remove(self, item_id: int) -> None:
        item = self._items.get(item_id)
        if item is None:
            return
        if item.state is OutboxState.SENDING:
            raise StoreError(f"report {item_id} is being sent", code="being_sent")
        if item.state is OutboxState.SENT:
            raise StoreError(f"report {item_id} has reached the desk", code="already_sent")
        del self._items[item_id]

    def due_now(self, now: float) -> int:
        later = [
            i
            for i in self._items.values()
            if i.state is OutboxState.RETRY and (i.next_attempt_at or 0) > now
        ]
        for item in later:
            self._items[item.id] = replace(item, next_attempt_at=now)
        return len(later)

    def recover(self, now: float) -> int:
        sending = [i for i in self._items.values() if i.state is OutboxState.SENDING]
        for item in sending:
            self._items[item.id] = recovered(item, now)
        return len(sending)

    def recovery(self) -> None:
        return None

    def close(self) -> None:
        pass

    def next_attempt_at(self, exclude: Collection[int] = ()) -> float | None:
        times = [
            i.next_attempt_at
            for i in self._items.values()
            if i.state in (OutboxState.QUEUED, OutboxState.RETRY)
            and i.next_attempt_at
            and i.id not in exclude
        ]
        return min(times, default=None)


class FailingOutbox(MemoryOutbox):
    """A store whose disk is full: nothing can be added."""

    def add(self, report: Report, now: float) -> OutboxItem:
        raise StoreError("database or disk is full", code="disk_full")


def make_outbox(
    runner: TaskRunner,
    account: Account,
    store: MemoryOutbox | None = None,
    clock: Callable[[], float] | None = None,
    io: TaskRunner | None = None,
) -> OutboxService:
    """An ``OutboxService`` over a memory store, sending through the account's desk.

    ``runner`` is the serial runner; ``io`` (the desk's) defaults to the same.
    """
    return OutboxService(
        runner,
        io or runner,
        store if store is not None else MemoryOutbox(),
        lambda: account.desk,
        clock=clock or FakeClock(1_800_000_000.0),
        rng=random.Random(7),
    )


def make_evidence(
    runner: TaskRunner, desk_url: str = "http://127.0.0.1:9", *, window_ms: int = 0
) -> EvidenceService:
    """The real evidence service with the real adapters (psutil, Pillow, files).

    The desk check goes to ``desk_url`` (by default a closed port on this
    computer: an instant, honest "refused").
    """
    from client.adapters.files import read_user_file
    from client.adapters.imaging import PillowEncoder
    from client.adapters.sysinfo import SnapshotOptions, SystemInfo

    return EvidenceService(
        runner,
        lambda: SystemInfo(SnapshotOptions("test"), Redactor(), desk_url=lambda: desk_url),
        PillowEncoder,
        read_user_file,
        window_ms=window_ms,
    )
