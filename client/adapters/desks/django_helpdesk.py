"""django-helpdesk, through the employee API our ``tray_api`` Django app adds to a site.

Stock django-helpdesk lets only staff create tickets over its API, so a site
that wants the tray installs ``tray_api`` (see ``demo/tray_api``): per-user
tokens, "own tickets only" enforced by the server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from client.adapters.http import HttpClient, HttpConfig, make_session
from client.adapters.recent import Recent
from client.core.errors import AttachmentRefused, AuthFailed, BadResponse, Rejected
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


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise BadResponse(f"expected a timestamp, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadResponse(f"bad timestamp {value!r}") from exc
    if parsed.tzinfo is None:
        raise BadResponse(f"timestamp without a time zone: {value!r}")
    return parsed


def _optional_time(value: Any) -> datetime | None:
    return None if value is None else _time(value)


def _text(value: Any, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadResponse(f"expected text, got {type(value).__name__}")
    return value


def _summary(item: Mapping[str, Any], stages: StageTable) -> TicketSummary:
    status = item["status"]
    if not isinstance(status, int):
        raise BadResponse(f"status is not a number: {status!r}")
    assignee = item.get("assignee")
    agent = Agent(name=_text(assignee["name"])) if assignee else None
    state = native_state(
        status, bool(item.get("on_hold")), agent is not None, bool(item.get("agent_replied"))
    )
    return TicketSummary(
        ref=TicketRef(str(item["id"]), _text(item.get("ref"))),
        title=_text(item["title"]),
        stage=stages.stage(state),
        native_status=state,
        updated=_time(item["modified"]),
        created=_time(item["created"]),
        agent=agent,
        due=_optional_time(item.get("due_date")),
        agent_replied_at=_optional_time(item.get("last_agent_reply")),
    )


def _event(item: Mapping[str, Any], base_url: str) -> TicketEvent:
    author = item.get("author") or {}
    new_status = item.get("new_status")
    kind = EventKind.STATUS_CHANGE if new_status and not item.get("text") else EventKind.MESSAGE
    return TicketEvent(
        id=str(item["id"]),
        at=_time(item["date"]),
        kind=kind,
        text=_text(item.get("text")),
        author=_text(author.get("name")) or None,
        by_agent=bool(author.get("is_agent")),
        attachments=tuple(
            AttachmentInfo(
                filename=_text(a["filename"]),
                size=int(a["size"]),
                content_type=_text(a.get("mime_type"), "application/octet-stream"),
                url=base_url + _text(a["url"]),
            )
            for a in item.get("attachments") or ()
        ),
    )


def _ticket(data: Mapping[str, Any], stages: StageTable, base_url: str) -> Ticket:
    description = _text(data.get("description"))
    events = [_event(e, base_url) for e in data.get("events") or ()]
    if events and not events[0].by_agent and events[0].text.strip() == description.strip():
        # django-helpdesk opens every ticket with a follow-up repeating the description.
        events = (
            events[1:] if not events[0].attachments else [replace(events[0], text="")] + events[1:]
        )
    return Ticket(summary=_summary(data, stages), description=description, events=tuple(events))


def _mapped(what: str, build: Callable[[], Any]) -> Any:
    """Run ``build``; a reply of the wrong shape becomes a :class:`BadResponse`."""
    try:
        return build()
    except BadResponse:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadResponse(f"unexpected {what} from the desk: {type(exc).__name__}: {exc}") from exc


def _files(attachments: Sequence[Attachment]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("attachments", (a.filename, a.data, a.content_type)) for a in attachments]


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


class DjangoHelpdeskDesk:
    """One employee's view of a django-helpdesk site (implements ``DeskPort``)."""

    def __init__(self, http: HttpClient) -> None:
        self._http = http
        self._stages = StageTable(KIND, STAGE_TABLE)
        self._known: Recent[tuple[str, Ticket]] = Recent(KNOWN_TICKETS)

    def _api(self, path: str) -> str:
        return API_PREFIX + path

    def whoami(self) -> Person:
        """The signed-in employee."""
        data = self._http.get_json(self._api("/me"))

        def build() -> Person:
            department = data.get("department") or {}
            return Person(
                username=_text(data["username"]),
                name=_text(data.get("name")) or _text(data["username"]),
                email=_text(data.get("email")),
                department=_text(department.get("name")) or None,
            )

        return _mapped("profile", build)  # type: ignore[no-any-return]

    def create_ticket(self, report: Report) -> TicketRef:
        """File the report; the desk stores its key and will not file it twice."""
        fields = {"title": report.subject, "description": report.description}
        fields["report_key"] = report.key
        if report.category:
            fields["queue"] = report.category
        try:
            data = self._http.request(
                "POST", self._api("/tickets"), data=fields, files=_files(report.attachments)
            ).json()
        except Rejected as error:
            raise _attachment_refusal(error, report) or error from error
        summary: TicketSummary = _mapped("ticket", lambda: _summary(data["ticket"], self._stages))
        return summary.ref

    def find_by_report_key(self, key: str) -> TicketRef | None:
        """The ticket filed from the report with ``key``, if the desk has one."""
        data = self._http.get_json(self._api("/tickets"), params={"report_key": key})
        tickets: list[TicketSummary] = _mapped(
            "ticket list", lambda: [_summary(item, self._stages) for item in data["tickets"]]
        )
        return tickets[0].ref if tickets else None

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """The user's tickets changed since the cursor (all of them without one)."""
        params = {"changed_since": since.value} if since else None
        data = self._http.get_json(self._api("/tickets"), params=params)
        return _mapped(  # type: ignore[no-any-return]
            "ticket list",
            lambda: (
                [_summary(item, self._stages) for item in data["tickets"]],
                Cursor(_text(data["server_time"])),
            ),
        )

    def ticket(self, ref: TicketRef) -> Ticket:
        """One ticket with its public follow-ups.

        Asked with ``If-None-Match`` when it was fetched before: the desk
        answers 304 with no body when nothing changed, and the ticket from
        last time is returned.
        """
        known = self._known.get(ref.id)
        response = self._http.request(
            "GET",
            self._api(f"/tickets/{ref.id}"),
            headers={"If-None-Match": known[0]} if known else None,
        )
        if response.status == 304 and known is not None:
            return known[1]
        data = response.json()
        ticket: Ticket = _mapped("ticket", lambda: _ticket(data, self._stages, self._http.base_url))
        etag = response.headers.get("ETag")
        if etag:
            self._known.put(ref.id, (etag, ticket))
        return ticket

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Add the employee's public reply."""
        self._http.request(
            "POST",
            self._api(f"/tickets/{ref.id}/replies"),
            data={"text": text},
            files=_files(attachments),
        )

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        """The employee agrees the problem is solved (or it fixed itself): the ticket is closed."""
        self._http.request("POST", self._api(f"/tickets/{ref.id}/confirm"), data={"text": text})

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        """A note from the employee, and the ticket's priority raised to the highest."""
        self._http.request("POST", self._api(f"/tickets/{ref.id}/urgent"), data={"text": text})

    def reopen(self, ref: TicketRef, text: str) -> None:
        """The problem is back: the ticket is reopened with the employee's note."""
        self._http.request("POST", self._api(f"/tickets/{ref.id}/reopen"), data={"text": text})

    def agent_photo(self, agent: Agent) -> bytes | None:
        """django-helpdesk keeps no photos; the signed profile supplies them."""
        return None


class DjangoHelpdeskConnector:
    """Signs employees in to a django-helpdesk site with ``tray_api`` installed."""

    kind = KIND

    def __init__(
        self,
        config: HttpConfig,
        session_factory: Callable[[HttpConfig], requests.Session] = make_session,
    ) -> None:
        self._config = config
        self._session_factory = session_factory

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> str:
        """Exchange the employee's own user name and password for their API token.

        The token does not expire, so the password is never kept (``keep_password``).
        """
        http = HttpClient(url, self._config, session_factory=self._session_factory)
        try:
            data = http.request(
                "POST",
                API_PREFIX + "/auth/token",
                json_body={"username": username, "password": password},
            ).json()
        finally:
            http.close()
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise BadResponse("the desk answered the sign-in without a token")
        return token

    def open(self, url: str, credential: str) -> DjangoHelpdeskDesk:
        """The employee's view of the desk, authenticated with their token."""
        if not credential:
            raise AuthFailed("no credential")
        http = HttpClient(
            url,
            self._config,
            headers={"Authorization": f"Token {credential}"},
            session_factory=self._session_factory,
        )
        return DjangoHelpdeskDesk(http)
