"""django-helpdesk, through the employee API our ``tray_api`` Django app adds to a site.

Stock django-helpdesk lets only staff create tickets over its API, so a site
that wants the tray installs ``tray_api`` (see ``demo/tray_api``): per-user
tokens, "own tickets only" enforced by the server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from client.adapters.desks import kit
from client.adapters.http import HttpClient, HttpConfig, HttpResponse, make_session
from client.core.errors import AttachmentRefused, AuthFailed, BadResponse, QueueRefused, Rejected
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
from client.core.stages import StageTable

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)

KIND = "django-helpdesk"
API_PREFIX = "/api/tray/v1"

# django-helpdesk's default status codes (helpdesk/settings.py).
_OPEN, _REOPENED, _RESOLVED, _CLOSED, _DUPLICATE = 1, 2, 3, 4, 5

#: Native state → stage. The native state is the status code refined by what
#: the parcel tracker cares about: on hold, assigned, and whether an agent wrote.
STAGE_TABLE = MappingProxyType(
    {
        "open": Stage.RECEIVED,
        "open+assigned": Stage.ASSIGNED,
        "open+replied": Stage.IN_PROGRESS,
        "reopened": Stage.IN_PROGRESS,
        "on_hold": Stage.WAITING_ON_YOU,
        "resolved": Stage.RESOLVED,
        "closed": Stage.CLOSED,
        "duplicate": Stage.CLOSED,
    }
)


def native_state(status: int, on_hold: bool, assigned: bool, agent_replied: bool) -> str:
    """The key into :data:`STAGE_TABLE` for one ticket."""
    if status in (_OPEN, _REOPENED) and on_hold:
        return "on_hold"
    if status == _OPEN:
        if agent_replied:
            return "open+replied"
        return "open+assigned" if assigned else "open"
    names = {_REOPENED: "reopened", _RESOLVED: "resolved", _CLOSED: "closed"}
    return names.get(status, "duplicate" if status == _DUPLICATE else f"status-{status}")


def _summary(item: Mapping[str, Any], stages: StageTable) -> TicketSummary:
    status = item["status"]
    if not isinstance(status, int) or isinstance(status, bool):
        raise BadResponse(f"status is not a number: {status!r}")
    assignee = item.get("assignee")
    agent = Agent(name=kit.text(assignee["name"])) if assignee else None
    state = native_state(
        status, bool(item.get("on_hold")), agent is not None, bool(item.get("agent_replied"))
    )
    return TicketSummary(
        # The id names the ticket in every later request's path: checked here, once.
        ref=TicketRef(kit.desk_id(item["id"], what="ticket id"), kit.text(item.get("ref"))),
        title=kit.text(item["title"]),
        stage=stages.stage(state),
        native_status=state,
        updated=kit.timestamp(item["modified"]),
        created=kit.timestamp(item["created"]),
        agent=agent,
        due=kit.optional_timestamp(item.get("due_date")),
        agent_replied_at=kit.optional_timestamp(item.get("last_agent_reply")),
        urgent=_is_urgent(item.get("priority")),
    )


def _is_urgent(priority: Any) -> bool:
    """django-helpdesk's "Critical" (1), as "This is urgent now" sets it; else (or unknown) not."""
    return isinstance(priority, int) and not isinstance(priority, bool) and 0 < priority <= 1


def _size(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadResponse(f"an attachment size is not a size: {str(value)[:40]!r}")
    return value


def _attachment(item: Mapping[str, Any], base_url: str, ticket_id: str) -> AttachmentInfo:
    """A file of a follow-up; its URL must be one of this ticket's files on the desk's API.

    The URL is fetched later with the employee's token: anywhere else (another
    host, ``@host``, a path climbing out with ``..``) would hand the token over.
    """
    prefix = f"{API_PREFIX}{kit.path('tickets', ticket_id, 'attachments')}/"
    url = kit.desk_url(base_url, item["url"], under=prefix)
    kit.desk_id(item["url"][len(prefix) :].removesuffix("/"), what="attachment id")
    return AttachmentInfo(
        filename=kit.text(item["filename"]),
        size=_size(item["size"]),
        content_type=kit.text(item.get("mime_type"), "application/octet-stream"),
        url=url,
    )


def _event(
    item: Mapping[str, Any], base_url: str, ticket_id: str, stages: StageTable
) -> TicketEvent:
    author = item.get("author") or {}
    new_status = item.get("new_status")
    kind = EventKind.STATUS_CHANGE if new_status and not item.get("text") else EventKind.MESSAGE
    # The moves the employee follows (resolved, closed, reopened) are shown as such in the
    # conversation; others (a hold, a duplicate) are not a stage of their own there.
    new_stage = None
    if new_status in (_RESOLVED, _CLOSED, _REOPENED) and not isinstance(new_status, bool):
        new_stage = stages.stage(native_state(new_status, False, True, False))
    return TicketEvent(
        id=kit.desk_id(item["id"], what="event id"),
        at=kit.timestamp(item["date"]),
        kind=kind,
        text=kit.text(item.get("text")),
        author=kit.text(author.get("name")) or None,
        by_agent=bool(author.get("is_agent")),
        new_stage=new_stage,
        attachments=tuple(
            _attachment(a, base_url, ticket_id)
            for a in kit.records(item.get("attachments") or [], "attachments")
        ),
    )


def _ticket(data: Mapping[str, Any], stages: StageTable, base_url: str) -> Ticket:
    summary = _summary(data, stages)
    description = kit.text(data.get("description"))
    events = [
        _event(e, base_url, summary.ref.id, stages)
        for e in kit.records(data.get("events") or [], "events")
    ]
    if events and not events[0].by_agent and events[0].text.strip() == description.strip():
        # django-helpdesk opens every ticket with a follow-up repeating the description.
        events = (
            events[1:] if not events[0].attachments else [replace(events[0], text="")] + events[1:]
        )
    return Ticket(summary=summary, description=description, events=tuple(events))


def _cursor(value: Any) -> Cursor:
    """The desk's clock, sent back as ``changed_since``: a timestamp, or nothing is kept."""
    kit.timestamp(value)
    return Cursor(value)


def _same_key(value: Any, key: str) -> bool:
    """Whether the desk's ``report_key`` is ``key`` (a UUID, however it is written)."""
    import uuid  # deferred: only when a report is sent (idle memory, docs/performance.md)

    try:
        return isinstance(value, str) and uuid.UUID(value) == uuid.UUID(key)
    except ValueError:
        return False


def _attachment_refusal(error: Rejected, report: Report) -> AttachmentRefused | None:
    """The refusal as one of attachments, when that is what the desk (or a proxy) refused."""
    if not report.attachments:
        return None
    if error.reason in ("too_large", "413"):  # ours, or a proxy's body size limit
        return AttachmentRefused(error.detail, reason="too_large")
    complaints = error.fields.get("attachments", [])
    if error.reason == "invalid" and complaints and set(error.fields) == {"attachments"}:
        # tray_api says "<file name>: <why>" for each file django-helpdesk refuses.
        names = {a.filename for a in report.attachments}
        refused = tuple(n for n in names if any(c.startswith(f"{n}:") for c in complaints))
        return AttachmentRefused(error.detail, reason="file_type", filenames=refused)
    return None


#: Tickets whose last answer is kept for conditional requests (a window shows one at a time).
KNOWN_TICKETS = 32

#: What tray_api answers each write with: the route, the HTTP status, and for a status
#: change the ticket's status afterwards (``None``: unchanged).
_WRITES: Mapping[str, tuple[str, int, int | None]] = MappingProxyType(
    {
        "reply": ("replies", 201, None),
        "confirm": ("confirm", 200, _CLOSED),
        "reopen": ("reopen", 200, _REOPENED),
        "urgent": ("urgent", 200, None),
    }
)
#: django-helpdesk's highest priority ("Critical"), which "urgent" sets.
_URGENT_PRIORITY = 1


def _ticket_path(ref: TicketRef, *rest: str) -> str:
    """The API path of one ticket; an id no django-helpdesk ticket can have is NotFound."""
    return API_PREFIX + kit.path("tickets", kit.ref_id(ref.id), *rest)


def _check_written(
    data: Mapping[str, Any], action: str, ticket_id: str, text: str, files: int
) -> None:
    """The answer to a write says: this action, on this ticket, with this text, by the employee.

    tray_api answers ``{"action", "ticket", "event"}``: the follow-up it created and
    the ticket after it. Anything less is an unknown outcome.
    """
    what = f"{action} on ticket {ticket_id}"
    kit.expect(data.get("action") == action, what, f"the desk says it did {data.get('action')!r}")
    ticket = kit.record(data.get("ticket"), "ticket")
    answered = kit.desk_id(ticket.get("id"), what="ticket id")
    kit.expect(answered == ticket_id, what, f"the desk answered about ticket {answered}")
    event = kit.record(data.get("event"), "follow-up")
    kit.desk_id(event.get("id"), what="follow-up id")
    author = kit.record(event.get("author"), "author")
    kit.expect(author.get("is_agent") is False, what, "the follow-up is not the employee's")
    kit.expect(kit.same_text(text, event.get("text")), what, "the follow-up has another text")
    new_status = _WRITES[action][2]
    if new_status is not None:
        kit.expect(
            ticket.get("status") == new_status and event.get("new_status") == new_status,
            what,
            f"the ticket's status is {ticket.get('status')!r}",
        )
    if action == "urgent":
        priority = ticket.get("priority")
        kit.expect(
            isinstance(priority, int) and priority <= _URGENT_PRIORITY,
            what,
            f"the ticket's priority is {priority!r}",
        )
    stored = len(kit.records(event.get("attachments") or [], "attachments"))
    if stored != files:  # the text is there: sending it again would say it twice
        logger.warning("ticket %s: %d of %d files arrived with the reply", ticket_id, stored, files)


class DjangoHelpdeskDesk:
    """One employee's view of a django-helpdesk site (implements ``DeskPort``)."""

    def __init__(self, http: HttpClient) -> None:
        self._http = http
        self._stages = StageTable(KIND, STAGE_TABLE)
        self._known: kit.EtagCache[Ticket] = kit.EtagCache(KNOWN_TICKETS)

    def _api(self, path: str) -> str:
        return API_PREFIX + path

    def whoami(self) -> Person:
        """The signed-in employee."""
        data = self._http.get_json(self._api("/me"))

        def build() -> Person:
            department = data.get("department") or {}
            return Person(
                username=kit.text(data["username"]),
                name=kit.text(data.get("name")) or kit.text(data["username"]),
                email=kit.text(data.get("email")),
                department=kit.text(department.get("name")) or None,
            )

        return kit.mapped("profile", build)

    def create_ticket(self, report: Report) -> TicketRef:
        """File the report; the desk stores its key and will not file it twice.

        tray_api answers 201 with the new ticket, or 200 with the ticket filed
        from this report before; either way the ticket must carry the report's key.

        Raises:
            BadResponse: the answer does not name the ticket filed from this report
                (the outcome is unknown: the outbox asks by key before sending again).
        """
        fields = {"title": report.subject, "description": report.description}
        fields["report_key"] = report.key
        if report.queue:
            fields["queue"] = report.queue
        try:
            response = self._http.request(
                "POST",
                self._api("/tickets"),
                data=fields,
                files=kit.uploads(report.attachments, "attachments"),
            )
        except Rejected as error:
            if report.queue and set(error.fields) == {"queue"}:
                raise QueueRefused(error.detail, "queue", error.fields) from error
            raise _attachment_refusal(error, report) or error from error
        data = kit.answer(response, (200, 201), "new ticket")
        ticket = kit.record(data.get("ticket"), "ticket")
        summary = kit.mapped("ticket", lambda: _summary(ticket, self._stages))
        kit.expect(
            _same_key(ticket.get("report_key"), report.key),
            f"report {report.key}",
            f"the desk answered with ticket {summary.ref.id} of another report",
        )
        return summary.ref

    def find_by_report_key(self, key: str) -> TicketRef | None:
        """The ticket filed from the report with ``key``, if the desk has one."""
        data = self._http.get_json(self._api("/tickets"), params={"report_key": key})
        items = kit.records(kit.record(data, "ticket list").get("tickets"), "tickets")
        tickets = kit.mapped(
            "ticket list", lambda: [_summary(item, self._stages) for item in items]
        )
        for item, summary in zip(items, tickets, strict=True):
            # A desk that ignored the key would have the outbox take a stranger's ticket.
            kit.expect(
                _same_key(item.get("report_key"), key),
                f"report {key}",
                f"the desk answered with ticket {summary.ref.id} of another report",
            )
        return tickets[0].ref if tickets else None

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """The user's tickets changed since the cursor (all of them without one)."""
        params = {"changed_since": since.value} if since else None
        data = self._http.get_json(self._api("/tickets"), params=params)
        return kit.mapped(
            "ticket list",
            lambda: (
                [_summary(item, self._stages) for item in kit.records(data["tickets"], "tickets")],
                _cursor(data["server_time"]),
            ),
        )

    def ticket(self, ref: TicketRef) -> Ticket:
        """One ticket with its public follow-ups.

        Asked with ``If-None-Match`` when it was fetched before: the desk
        answers 304 with no body when nothing changed, and the ticket from
        last time is returned.

        Raises:
            NotFound: also for an id no django-helpdesk ticket can have (nothing is sent).
        """
        path = _ticket_path(ref)

        def build(response: HttpResponse) -> Ticket:
            data = kit.answer(response, 200, f"ticket {ref.id}")
            ticket = kit.mapped("ticket", lambda: _ticket(data, self._stages, self._http.base_url))
            answered = ticket.summary.ref.id
            kit.expect(answered == ref.id, f"ticket {ref.id}", f"the desk sent ticket {answered}")
            return ticket

        return self._known.fetch(
            ref.id, lambda headers: self._http.request("GET", path, headers=headers), build
        )

    def _write(
        self, ref: TicketRef, action: str, text: str, attachments: Sequence[Attachment] = ()
    ) -> None:
        """POST one of the employee's writes; done only when the answer says so.

        Raises:
            NotFound: also for an id no django-helpdesk ticket can have (nothing is sent).
            BadResponse: the answer does not say this was done to this ticket (an
                unknown outcome: the caller keeps the employee's text).
        """
        route, status, _ = _WRITES[action]
        response = self._http.request(
            "POST",
            _ticket_path(ref, route),
            data={"text": text},
            files=kit.uploads(attachments, "attachments"),
        )
        data = kit.answer(response, status, f"{action} on ticket {ref.id}")
        kit.mapped(action, lambda: _check_written(data, action, ref.id, text, len(attachments)))

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Add the employee's public reply."""
        self._write(ref, "reply", text, attachments)

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        """The employee agrees the problem is solved (or it fixed itself): the ticket is closed."""
        self._write(ref, "confirm", text)

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        """A note from the employee, and the ticket's priority raised to the highest."""
        self._write(ref, "urgent", text)

    def reopen(self, ref: TicketRef, text: str) -> None:
        """The problem is back: the ticket is reopened with the employee's note."""
        self._write(ref, "reopen", text)

    def agent_photo(self, agent: Agent) -> bytes | None:
        """django-helpdesk keeps no photos; the signed profile supplies them."""
        return None

    def download(self, file: AttachmentInfo, max_bytes: int) -> bytes:
        """One of a ticket's files, fetched with the employee's token.

        Its address was checked when the ticket was read (one of that ticket's files
        on this desk's API); it is checked again here, so no other address gets the token.
        """
        if not file.url.startswith(self._http.base_url.rstrip("/") + API_PREFIX + "/tickets/"):
            raise BadResponse(f"not one of the desk's files: {file.filename[:80]!r}")
        response = self._http.request("GET", file.url)
        return kit.file_body(response.body, file.filename, max_bytes)


class DjangoHelpdeskConnector:
    """Signs employees in to a django-helpdesk site with ``tray_api`` installed."""

    kind = KIND

    def __init__(
        self,
        config: HttpConfig,
        session_factory: Callable[[HttpConfig], requests.Session] = make_session,
        remember_secret: Callable[[str], None] = lambda secret: None,
    ) -> None:
        self._config = config
        self._session_factory = session_factory
        #: Told the password and token, so the log masks them wherever they appear.
        self._remember_secret = remember_secret

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> str:
        """Exchange the employee's own user name and password for their API token.

        The token does not expire, so the password is never kept (``keep_password``).
        """
        self._remember_secret(password)
        http = self._client(url)
        try:
            response = http.request(
                "POST",
                API_PREFIX + "/auth/token",
                json_body={"username": username, "password": password},
            )
        finally:
            http.close()
        # 200 with {"token", "person"}; the token goes into every later request's header.
        token = kit.credential(kit.answer(response, 200, "sign-in").get("token"))
        self._remember_secret(token)
        return token

    def _client(self, url: str, headers: Mapping[str, str] | None = None) -> HttpClient:
        return HttpClient(
            url,
            self._config,
            headers=headers,
            session_factory=self._session_factory,
            remember_secret=self._remember_secret,
        )

    def open(self, url: str, credential: str) -> DjangoHelpdeskDesk:
        """The employee's view of the desk, authenticated with their token."""
        if not credential:
            raise AuthFailed("no credential")
        return DjangoHelpdeskDesk(self._client(url, {"Authorization": f"Token {credential}"}))
