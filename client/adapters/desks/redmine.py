"""Redmine 5, through its REST API, as the employee: a member who sees their own issues.

What Redmine does for an end user, and its silent traps, measured on Debian's
Redmine 5.0.4, are in the shared docs (reference: redmine-5); IT's side is in
docs/redmine.md. The choices that follow:

* **Credential.** The employee's own API key (``X-Redmine-API-Key``), never a
  password: a password is exchanged once for the key (``/users/current.json``
  answers the signed-in user's key). Keys do not expire.
* **A wrong key on a list is an empty 200** (Redmine shows the anonymous user's
  view), so a list never proves the key: it is checked with
  ``/users/current.json`` (401 for a wrong one) before the first list and again,
  at most once an hour, when a list comes back empty.
* **Writes answer 204 with nothing**, and a change the employee may not make is
  dropped silently (a status, a private flag). So every write reads the issue
  again and is done only when the note is there; a status or priority that did
  not change is said (reopen) or logged (confirm, urgent).
* **An unknown custom-field filter returns everything**: a lookup by report key
  checks each issue it gets back.
* **An agent's private note moves ``updated_on``** with nothing new for the
  employee: the ticket comes back as changed, and its events say whether anything
  is new (private journals never reach the employee).
* **Where reports go:** the project the policy names (``desk.queue``, or a
  department's), the report's key in its "Report key" custom field when the
  project has one, and always on the last line of the description.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from client.adapters.desks import kit
from client.adapters.http import HttpClient, HttpConfig, HttpResponse, make_session
from client.adapters.recent import Recent
from client.core.errors import (
    AttachmentRefused,
    AuthFailed,
    BadResponse,
    Forbidden,
    NotFound,
    QueueRefused,
    Rejected,
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
from client.core.stages import StageTable

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)

KIND = "redmine"
#: The issue custom field that carries a report's key, when the project has one.
REPORT_KEY_FIELD = "Report key"
#: Always also the last line of the description.
REPORT_ID_LINE = kit.REPORT_ID_LINE
#: How far back a report's key is looked for in the descriptions of the user's issues.
REPORT_ID_LOOKBACK_DAYS = 30
#: Redmine caps a page at 100.
PER_PAGE = 100
#: A bound on paging, so a desk answering full pages forever cannot keep us busy.
MAX_PAGES = 50
#: Seconds the change window reaches back before the previous answer's time: Redmine
#: keeps whole seconds and applies ``>=T`` as "after T minus one second".
CURSOR_MARGIN_S = 2
#: Without Redmine's clock (no ``Date``), an issue returned unchanged counts as settled
#: once it was last updated this long before the search, by this computer's clock.
SETTLE_WITHOUT_CLOCK_S = 30.0
#: How often a list that came back empty has the key checked again (a wrong key's list
#: is empty too).
KEY_CHECK_EVERY_S = 3600.0
#: Tickets whose last answer is kept for conditional requests.
KNOWN_TICKETS = 32
#: A Redmine API key: forty hexadecimal digits.
API_KEY = re.compile(r"[0-9a-f]{40}")
#: Priorities that count as urgent (Redmine's default names), and the one urgent sets.
URGENT_NAMES = frozenset({"urgent", "immediate"})
URGENT_PRIORITY = "Urgent"
#: Where Redmine serves a file, below its address.
DOWNLOADS = "/attachments/download/"

#: Native state → stage. The native state is the status's name (the site's own, Redmine's
#: default names here) refined, for a new issue, by whether it has an assignee and
#: whether an agent wrote.
STAGE_TABLE = MappingProxyType(
    {
        "new": Stage.RECEIVED,
        "new+assigned": Stage.ASSIGNED,
        "new+replied": Stage.IN_PROGRESS,
        "in progress": Stage.IN_PROGRESS,
        "feedback": Stage.WAITING_ON_YOU,
        "resolved": Stage.RESOLVED,
        "closed": Stage.CLOSED,
        "rejected": Stage.CANCELLED,
    }
)


def native_state(status: str, assigned: bool, agent_replied: bool) -> str:
    """The key into :data:`STAGE_TABLE`: the status's name, lower case, refined when new."""
    name = " ".join(status.lower().split())
    if name != "new":
        return name
    if agent_replied:
        return "new+replied"
    return "new+assigned" if assigned else "new"


# --- reading Redmine's answers ------------------------------------------------------------


def _id(value: Any, what: str = "id") -> str:
    return kit.desk_id(value, what=what)


def _named(value: Any, what: str) -> tuple[str, str]:
    """A reference ``{"id": 3, "name": "Resolved"}``: its id and name."""
    item = kit.record(value, what)
    return _id(item.get("id"), what=f"{what} id"), kit.text(item.get("name"))


def _due(value: Any) -> datetime | None:
    """A due date (``2026-12-10``): the end of that day, UTC (Redmine keeps no time)."""
    if value in (None, ""):
        return None
    try:
        day = datetime.strptime(kit.text(value), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as error:
        raise BadResponse(f"bad due date {str(value)[:20]!r}") from error
    return day + timedelta(days=1) - timedelta(seconds=1)


def _custom_value(item: Mapping[str, Any], field_id: str) -> Any:
    for field in item.get("custom_fields") or []:
        if isinstance(field, Mapping) and str(field.get("id")) == field_id:
            return field.get("value")
    return None


def _settled(updated: datetime, answered: float | None) -> bool:
    """Whether an issue last updated at ``updated`` cannot have changed unseen by ``answered``."""
    return kit.settled(updated, answered, CURSOR_MARGIN_S)


def _desk_time(response: HttpResponse, ours: float) -> float:
    """Redmine's time when it answered: its ``Date``, or a bound (Puma alone sends none)."""
    return kit.desk_time(response, ours, SETTLE_WITHOUT_CLOCK_S, CURSOR_MARGIN_S)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class _Issue:
    """One issue as the employee reads it: the raw record and what was made of it."""

    data: Mapping[str, Any]
    author: str
    #: When an agent (anyone but the author) last wrote a public note; ``None``: never.
    replied_at: datetime | None
    #: Redmine's time when it answered (:func:`_desk_time`).
    read_at: float


def _replied_at(data: Mapping[str, Any], author: str) -> datetime | None:
    """The last public note by someone other than the issue's author."""
    last = None
    for journal in kit.records(data.get("journals") or [], "journals"):
        user = journal.get("user") or {}
        if journal.get("private_notes") or not kit.text(journal.get("notes")).strip():
            continue
        if str(user.get("id")) != author:
            last = kit.timestamp(journal["created_on"])
    return last


def _summary(
    item: Mapping[str, Any], stages: StageTable, replied: datetime | None
) -> TicketSummary:
    _, status = _named(item["status"], "status")
    assignee = item.get("assigned_to")
    agent = None
    if assignee:
        agent_id, agent_name = _named(assignee, "assignee")
        agent = Agent(name=agent_name, id=agent_id)
    priority = item.get("priority")
    urgent = bool(priority) and _named(priority, "priority")[1].lower() in URGENT_NAMES
    state = native_state(status, agent is not None, replied is not None)
    return TicketSummary(
        ref=TicketRef(_id(item["id"], what="ticket id")),
        title=kit.text(item.get("subject")),
        stage=stages.stage(state),
        native_status=state,
        updated=kit.timestamp(item["updated_on"]),
        created=kit.timestamp(item["created_on"]),
        agent=agent,
        due=_due(item.get("due_date")),
        agent_replied_at=replied,
        urgent=urgent,
    )


#: The change cursor's version (a cursor of another is read as none: a full list).
WINDOW_VERSION = 2


@dataclass(frozen=True)
class _Project:
    ident: str
    #: The "Report key" custom field's id, when the project has it.
    key_field: str | None


@dataclass(frozen=True)
class _Statuses:
    """The site's statuses: names by id, which are closed or finished, where writes go."""

    names: Mapping[str, str]
    #: Redmine's closed statuses (Closed, Rejected by default).
    closed: frozenset[str]
    #: Closed, and Resolved: what "still broken" reopens.
    finished: frozenset[str]
    #: Where "it is solved" and "still broken" move an issue (``None``: the site has none).
    confirm_to: str | None
    reopen_to: str | None


class RedmineDesk:
    """One employee's view of a Redmine 5 (implements ``DeskPort``)."""

    def __init__(
        self,
        http: HttpClient,
        project: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._project_name = project
        self._clock = clock
        self._wall = wall_clock
        self._stages = StageTable(KIND, STAGE_TABLE)
        self._known: kit.EtagCache[_Issue] = kit.EtagCache(KNOWN_TICKETS)
        #: Issue id → (updated_on, replied_at, Redmine's time then): journals are read
        #: again only when the issue changed, or may have changed unseen since.
        self._replies: Recent[tuple[datetime, datetime | None, float | None]] = Recent(512)
        self._projects: dict[str, _Project] = {}
        self._statuses: _Statuses | None = None
        self._urgent: str | None = None
        self._me: Mapping[str, Any] | None = None
        self._key_checked_at: float | None = None
        self._lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> Mapping[str, Any]:
        return kit.record(self._http.get_json(path, params=params), "answer")

    def _pages(
        self, params: Mapping[str, str]
    ) -> Iterator[tuple[list[Mapping[str, Any]], HttpResponse]]:
        offset = 0
        for _ in range(MAX_PAGES):
            query = {**params, "limit": str(PER_PAGE), "offset": str(offset)}
            response = self._http.request("GET", "/issues.json", params=query)
            data = kit.answer(response, 200, "issue list")
            items = kit.records(data.get("issues"), "issues")
            yield items, response
            total = data.get("total_count")
            offset += len(items)
            if not items or not isinstance(total, int) or offset >= total:
                return
        logger.warning("Redmine: more than %d pages of issues; the rest is left out", MAX_PAGES)

    def _check_key(self) -> None:
        """Whether the key is still good: a list cannot tell (a wrong key's list is empty)."""
        with self._lock:
            due = self._key_checked_at is None or (
                self._clock() - self._key_checked_at >= KEY_CHECK_EVERY_S
            )
            if not due:
                return
            self._key_checked_at = self._clock()
        self._whoami()

    def _whoami(self) -> Mapping[str, Any]:
        data = self._get("/users/current.json")  # 401 for a wrong key
        me = kit.record(data.get("user"), "user")
        self._me = me
        return me

    def _my_id(self) -> str:
        me = self._me or self._whoami()
        return _id(me.get("id"), what="user id")

    # --- who and where ----------------------------------------------------------------------

    def whoami(self) -> Person:
        """The signed-in employee (``/users/current.json``: a wrong key answers 401 here)."""
        me = self._whoami()

        def build() -> Person:
            login = kit.text(me["login"])
            name = " ".join(
                part for part in (kit.text(me.get("firstname")), kit.text(me.get("lastname")))
                if part
            )  # fmt: skip
            return Person(username=login, name=name or login, email=kit.text(me.get("mail")))

        return kit.mapped("user", build)

    def _project(self, name: str | None = None) -> _Project:
        """The project (the configured one by default) and its report key field (asked once)."""
        name = name or self._project_name
        if not name:
            raise QueueRefused("no Redmine project is set: IT names it in desk.queue", "queue")
        known = self._projects.get(name)
        if known is None:
            data = self._get(
                f"/projects/{urllib.parse.quote(name, safe='')}.json",
                {"include": "issue_custom_fields"},
            )

            def build() -> _Project:
                project = kit.record(data["project"], "project")
                fields = kit.records(project.get("issue_custom_fields") or [], "custom fields")
                found = [f for f in fields if f.get("name") == REPORT_KEY_FIELD]
                key_field = _id(found[0]["id"], what="field id") if found else None
                return _Project(_id(project["id"], what="project id"), key_field)

            known = kit.mapped("project", build)
            if len(self._projects) >= 64:
                self._projects.clear()
            self._projects[name] = known
        return known

    def _status_table(self) -> _Statuses:
        if self._statuses is None:
            data = self._get("/issue_statuses.json")

            def build() -> _Statuses:
                rows = kit.records(data["issue_statuses"], "statuses")
                names = {_id(r["id"], what="status id"): kit.text(r.get("name")) for r in rows}
                closed = frozenset(_id(r["id"]) for r in rows if r.get("is_closed") is True)
                by_name = {n.lower(): i for i, n in names.items()}
                resolved = {by_name["resolved"]} if "resolved" in by_name else set()
                confirm_to = by_name.get("closed") or min(closed, key=int, default=None)
                return _Statuses(names, closed, closed | resolved, confirm_to, by_name.get("new"))

            self._statuses = kit.mapped("statuses", build)
        return self._statuses

    def _urgent_priority(self) -> str | None:
        if self._urgent is None:
            data = self._get("/enumerations/issue_priorities.json")
            rows = kit.records(data.get("issue_priorities"), "priorities")
            named = [r for r in rows if kit.text(r.get("name")) == URGENT_PRIORITY]
            chosen = named or rows[-1:]
            self._urgent = _id(chosen[0]["id"], what="priority id") if chosen else ""
        return self._urgent or None

    # --- filing and finding reports -----------------------------------------------------

    def _upload(self, attachment: Attachment) -> dict[str, str]:
        """One file sent ahead of the issue or note it belongs to; its token."""
        if not attachment.data:
            raise AttachmentRefused(
                "Redmine stores no empty files", reason="file_type",
                filenames=(attachment.filename,),
            )  # fmt: skip
        try:
            response = self._http.request(
                "POST",
                "/uploads.json",
                params={"filename": attachment.filename},
                data=attachment.data,
                headers={"Content-Type": "application/octet-stream"},
            )
        except Rejected as error:  # 422: over Redmine's attachment_max_size
            raise AttachmentRefused(
                error.detail, reason="too_large", filenames=(attachment.filename,)
            ) from error
        upload = kit.record(kit.answer(response, 201, "upload").get("upload"), "upload")
        token = kit.credential(upload.get("token"), "upload token")
        return {
            "token": token,
            "filename": attachment.filename,
            "content_type": attachment.content_type,
        }

    def create_ticket(self, report: Report) -> TicketRef:
        """File the report in its project (else the configured one), files sent first.

        The key goes in the project's "Report key" field when it has one, and always on
        the last line of the description: a key that is nowhere would let a retry file
        the report twice.
        """
        try:
            project = self._project(report.queue)
        except (Forbidden, NotFound) as error:
            if report.queue and report.queue != self._project_name:
                raise QueueRefused(str(error), "queue") from error
            raise
        description = kit.with_key_line(report.description, report.key)
        issue: dict[str, Any] = {
            "project_id": project.ident,
            "subject": report.subject,
            "description": description,
        }
        if project.key_field:
            issue["custom_fields"] = [{"id": int(project.key_field), "value": report.key}]
        uploads = [self._upload(a) for a in report.attachments]
        if uploads:
            issue["uploads"] = uploads
        response = self._http.request("POST", "/issues.json", json_body={"issue": issue})
        data = kit.answer(response, 201, "new ticket")
        created = kit.record(data.get("issue"), "issue")
        ref = TicketRef(_id(created.get("id"), what="ticket id"))
        kit.expect(
            kit.same_text(report.subject, created.get("subject")),
            f"report {report.key}", "the desk answered with another issue",
        )  # fmt: skip
        return ref

    def find_by_report_key(self, key: str) -> TicketRef | None:
        """The employee's issue filed from the report with ``key``, if Redmine has one.

        With the key field: one search on it, each issue it returns checked (an unknown
        field's filter returns everything). Then, or without the field: the employee's
        issues of the last :data:`REPORT_ID_LOOKBACK_DAYS` days, the description's last
        line compared.
        """
        project, me = self._project(), self._my_id()
        mine = {"author_id": "me", "status_id": "*", "sort": "id:desc"}
        if project.key_field:
            params = {**mine, f"cf_{project.key_field}": key}
            for items, _ in self._pages(params):
                for item in items:
                    owner = kit.record(item.get("author"), "author")
                    if str(owner.get("id")) == me and _custom_value(item, project.key_field) == key:
                        return TicketRef(_id(item["id"], what="ticket id"))
        since = datetime.fromtimestamp(self._wall(), UTC) - timedelta(days=REPORT_ID_LOOKBACK_DAYS)
        params = {**mine, "created_on": f">={_iso(since)}"}
        for items, _ in self._pages(params):
            for item in items:
                owner = kit.record(item.get("author"), "author")
                line = kit.last_line(kit.text(item.get("description")))
                if str(owner.get("id")) == me and line == REPORT_ID_LINE + key:
                    return TicketRef(_id(item["id"], what="ticket id"))
        return None

    # --- watching ---------------------------------------------------------------------------

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """The employee's issues changed since the cursor (all of them without one).

        One search, ``updated_on >= T``, T the newest update the previous searches saw
        (Redmine's own clock) less :data:`CURSOR_MARGIN_S`: every later change is in
        it, and it holds only the newest issues. Issues that come back exactly as the
        previous search returned them are left out once they are settled (see
        :func:`_settled`): an idle poll reports nothing.
        """
        previous = kit.ChangeWindow.loads(since.value, WINDOW_VERSION) if since else None
        params = {"author_id": "me", "status_id": "*", "sort": "id:desc"}
        if previous is not None and previous.newest is not None:
            start = datetime.fromtimestamp(previous.newest - CURSOR_MARGIN_S, UTC)
            params["updated_on"] = f">={_iso(start)}"
        if previous is None:
            self._check_key()
        ours = self._wall()
        summaries: list[TicketSummary] = []
        seen: dict[str, str] = {}
        newest = previous.newest if previous is not None else None
        answered: float | None = None
        for items, response in self._pages(params):
            if answered is None:
                answered = _desk_time(response, ours)
            for item in items:
                summary = kit.mapped("issue", functools.partial(self._listed, item))
                updated = summary.updated.timestamp()
                newest = updated if newest is None else max(newest, updated)
                mark = kit.fingerprint(item)
                seen[summary.ref.id] = mark
                if (
                    previous is not None
                    and previous.seen.get(summary.ref.id) == mark
                    and _settled(summary.updated, previous.answered)
                ):
                    continue  # returned as it is by the previous search
                summaries.append(summary)
        if not seen and previous is not None:
            self._check_key()  # an empty list proves nothing about the key
        return summaries, Cursor(kit.ChangeWindow(newest, answered, seen).dumps(WINDOW_VERSION))

    def _listed(self, item: Mapping[str, Any]) -> TicketSummary:
        """A listed issue's summary; whether an agent wrote needs its journals (once a change)."""
        ident = _id(item["id"], what="ticket id")
        unread = _summary(item, self._stages, None)  # the record read whole before any request
        updated = unread.updated
        kept = self._replies.get(ident)
        read_at: float | None
        if kept is not None and kept[0] == updated and _settled(updated, kept[2]):
            replied = kept[1]
        else:
            if unread.native_status.startswith("new"):
                issue = self._read(TicketRef(ident))  # If-None-Match: 304 when unchanged
                replied, read_at = issue.replied_at, issue.read_at
            else:  # only "new" needs to know
                replied, read_at = (kept[1], kept[2]) if kept else (None, None)
            self._replies.put(ident, (updated, replied, read_at))
        return _summary(item, self._stages, replied)

    def _read(self, ref: TicketRef, fresh: bool = False) -> _Issue:
        """The issue with its journals and files (``If-None-Match`` unless ``fresh``).

        Raises:
            NotFound: not there, or out of the employee's sight (Redmine answers 403).
        """
        path = f"{kit.path('issues', kit.ref_id(ref.id))}.json"
        params = {"include": "journals,attachments"}

        def send(headers: Mapping[str, str] | None) -> HttpResponse:
            try:
                return self._http.request(
                    "GET", path, params=params, headers=None if fresh else headers
                )
            except Forbidden as error:
                raise NotFound(f"ticket {ref.id} is out of the user's sight") from error

        def build(response: HttpResponse) -> _Issue:
            issue = kit.record(kit.answer(response, 200, f"ticket {ref.id}").get("issue"), "issue")

            def read() -> _Issue:
                author = _id(kit.record(issue["author"], "author")["id"], what="user id")
                kit.expect(_id(issue["id"]) == ref.id, f"ticket {ref.id}", "another issue came")
                replied = _replied_at(issue, author)
                return _Issue(issue, author, replied, _desk_time(response, self._wall()))

            return kit.mapped("issue", read)

        return self._known.fetch(ref.id, send, build)

    def ticket(self, ref: TicketRef) -> Ticket:
        """One issue with its public history: the report, each public note, each stage."""
        issue = self._read(ref)
        return kit.mapped("issue", lambda: self._build(issue))

    def _build(self, issue: _Issue) -> Ticket:
        data, base = issue.data, self._http.base_url
        files = {
            _id(a["id"], what="attachment id"): AttachmentInfo(
                filename=kit.text(a.get("filename")),
                size=int(a.get("filesize") or 0),
                content_type=kit.text(a.get("content_type")) or "application/octet-stream",
                url=kit.same_origin_url(base, a.get("content_url"), under=DOWNLOADS),
            )
            for a in kit.records(data.get("attachments") or [], "attachments")
        }
        journals = kit.records(data.get("journals") or [], "journals")
        later = {
            kit.text(d.get("name"), numbers=True)
            for j in journals
            for d in j.get("details") or []
            if d.get("property") == "attachment"
        }
        author_name = _named(data["author"], "author")[1]
        events = [
            TicketEvent(
                id=f"{_id(data['id'])}-created",
                at=kit.timestamp(data["created_on"]),
                kind=EventKind.CREATED,
                author=author_name,
                attachments=tuple(info for ident, info in files.items() if ident not in later),
            )
        ]
        statuses = self._status_table() if any(
            d.get("name") == "status_id" for j in journals for d in j.get("details") or []
        ) else None  # fmt: skip
        assigned, replied = False, False
        for journal in journals:
            if journal.get("private_notes"):
                continue  # never the employee's to see (Redmine leaves them out anyway)
            ident = _id(journal["id"], what="journal id")
            user_id, user_name = _named(journal.get("user"), "user")
            by_agent = user_id != issue.author
            at = kit.timestamp(journal["created_on"])
            details = kit.records(journal.get("details") or [], "details")
            notes = kit.text(journal.get("notes"))
            for detail in details:
                if detail.get("name") == "assigned_to_id":
                    assigned = bool(detail.get("new_value"))
            if notes.strip():
                replied = replied or by_agent
                attached = [
                    files[n] for d in details if d.get("property") == "attachment"
                    if (n := kit.text(d.get("name"), numbers=True)) in files
                ]  # fmt: skip
                events.append(
                    TicketEvent(
                        id=ident, at=at, kind=EventKind.MESSAGE, text=notes, author=user_name,
                        by_agent=by_agent, attachments=tuple(attached),
                    )
                )  # fmt: skip
            for detail in details:
                if detail.get("name") == "status_id" and statuses is not None:
                    name = statuses.names.get(kit.text(detail.get("new_value"), numbers=True), "")
                    events.append(
                        TicketEvent(
                            id=f"{ident}-status", at=at, kind=EventKind.STATUS_CHANGE,
                            author=user_name, by_agent=by_agent,
                            new_stage=self._stages.stage(native_state(name, assigned, replied)),
                        )
                    )  # fmt: skip
        summary = _summary(data, self._stages, issue.replied_at)
        self._replies.put(summary.ref.id, (summary.updated, issue.replied_at, issue.read_at))
        description = kit.without_key_line(kit.text(data.get("description")))
        return Ticket(summary=summary, description=description, events=tuple(events))

    # --- the employee's actions -------------------------------------------------------------

    def _note(
        self,
        ref: TicketRef,
        text: str,
        attachments: Sequence[Attachment] = (),
        before: _Issue | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> _Issue:
        """Add the employee's note (with ``changes``); the issue afterwards.

        Redmine answers 204 with nothing: the issue is read again, and the note
        counts as written only when it is there, the employee's and newer than
        every journal before.

        Raises:
            NotFound: the issue is gone or out of the employee's sight (nothing sent).
            BadResponse: the note is not there afterwards (not known to be done).
        """
        before = before or self._read(ref, fresh=True)
        newest = max(
            (int(_id(j["id"])) for j in kit.records(before.data.get("journals") or [], "x")),
            default=0,
        )
        body: dict[str, Any] = {"notes": text, **(changes or {})}
        uploads = [self._upload(a) for a in attachments]
        if uploads:
            body["uploads"] = uploads
        path = f"{kit.path('issues', kit.ref_id(ref.id))}.json"
        response = self._http.request("PUT", path, json_body={"issue": body})
        kit.expect(
            response.status in (200, 204), f"note on ticket {ref.id}",
            f"Redmine answered HTTP {response.status}: not known to be done",
        )  # fmt: skip
        after = self._read(ref, fresh=True)
        me = self._my_id()
        written = [
            j for j in kit.records(after.data.get("journals") or [], "journals")
            if int(_id(j["id"])) > newest and str((j.get("user") or {}).get("id")) == me
            and kit.same_text(text, j.get("notes"))
        ]  # fmt: skip
        kit.expect(bool(written), f"note on ticket {ref.id}", "the note is not on the issue")
        return after

    def _status(self, issue: _Issue) -> str:
        return _named(issue.data["status"], "status")[0]

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Add the employee's public note (with files)."""
        self._note(ref, text, attachments)

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        """The employee says it is solved: a note saying so, and the issue closed where allowed.

        A closed issue and no ``text``: nothing to send. When the employee may not close
        it (the project's workflow), Redmine keeps the note and drops the status silently:
        the agent reads the note and closes it.
        """
        statuses = self._status_table()
        current = self._read(ref, fresh=True)
        if self._status(current) in statuses.closed and not text.strip():
            return
        note = kit.confirmation(text)
        target = statuses.confirm_to
        changes = {"status_id": int(target)} if target else {}
        after = self._note(ref, note, before=current, changes=changes)
        if target and self._status(after) != target:
            logger.info("Redmine kept the note but did not close ticket %s", ref.id)

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        """The employee's note, and the priority raised to "Urgent" where allowed.

        The note is what matters: a priority Redmine drops (no right to edit it) is logged.
        """
        urgent = self._urgent_priority()
        changes = {"priority_id": int(urgent)} if urgent else {}
        after = self._note(ref, text, changes=changes)
        ident, name = _named(after.data.get("priority"), "priority")
        if urgent and ident != urgent and name.lower() not in URGENT_NAMES:
            logger.info("Redmine: the priority of ticket %s was not raised", ref.id)

    def reopen(self, ref: TicketRef, text: str) -> None:
        """The problem is back: the employee's note, and a finished issue new again.

        Raises:
            NotFound: the issue is gone or out of sight; nothing is sent.
            Forbidden: it stays finished: the employee may not reopen it here (the note
                is on the issue all the same).
        """
        statuses = self._status_table()
        current = self._read(ref, fresh=True)
        finished = self._status(current) in statuses.finished
        target = statuses.reopen_to if finished else None
        changes = {"status_id": int(target)} if target else {}
        after = self._note(ref, text, before=current, changes=changes)
        if finished and self._status(after) in statuses.finished:
            name = statuses.names.get(self._status(after), "finished")
            raise Forbidden(f"ticket {ref.id} stays {name}: Redmine did not reopen it", "rights")

    def download(self, file: AttachmentInfo, max_bytes: int) -> bytes:
        """One of an issue's files, with the employee's key, from Redmine's own downloads."""
        path = kit.same_origin_path(self._http.base_url, file.url, under=DOWNLOADS)
        response = self._http.request("GET", path)
        return kit.file_body(response.body, file.filename, max_bytes)

    def agent_photo(self, agent: Agent) -> bytes | None:
        """Redmine keeps no photos of its own (Gravatar is off the site); the profile has them."""
        return None


class RedmineConnector:
    """Signs employees in to Redmine 5 with their own API key (a password is exchanged)."""

    kind = KIND

    def __init__(
        self,
        config: HttpConfig,
        session_factory: Callable[[HttpConfig], requests.Session] = make_session,
        queue: str = "",
        remember_secret: Callable[[str], None] = lambda secret: None,
    ) -> None:
        self._config = config
        self._session_factory = session_factory
        self._project = queue
        self._remember_secret = remember_secret

    @property
    def queue(self) -> str:
        """The project new issues go to (its identifier)."""
        return self._project

    def _client(self, url: str, headers: Mapping[str, str] | None = None) -> HttpClient:
        return HttpClient(
            url, self._config, headers=headers, session_factory=self._session_factory,
            remember_secret=self._remember_secret,
        )  # fmt: skip

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> str:
        """The employee's API key: given as the password, or the password exchanged for it.

        Keys do not expire, so a password is never kept. With a key, ``username``
        may be empty; when given, it must be the key's user (login or e-mail address).

        Raises:
            AuthFailed: Redmine did not accept them (or the key is someone else's).
        """
        username, secret = username.strip(), password.strip()
        self._remember_secret(password)
        if API_KEY.fullmatch(secret):
            headers = {"X-Redmine-API-Key": secret}
        else:
            headers = kit.basic_auth(username, password)
        http = self._client(url, headers)
        try:
            data = kit.answer(http.request("GET", "/users/current.json"), 200, "sign-in")
        finally:
            http.close()
        user = kit.record(data.get("user"), "user")
        key = secret if API_KEY.fullmatch(secret) else user.get("api_key")
        if not isinstance(key, str) or not API_KEY.fullmatch(key):
            raise AuthFailed("Redmine gave no API key: IT must enable its REST API")
        self._remember_secret(key)
        names = {kit.text(user.get("login")).lower(), kit.text(user.get("mail")).lower()}
        if username and username.lower() not in names:
            raise AuthFailed("the API key belongs to another user")
        return key

    def open(self, url: str, credential: str) -> RedmineDesk:
        """The employee's view of Redmine, with their key."""
        if not API_KEY.fullmatch(credential or ""):
            raise AuthFailed("no usable credential")
        return RedmineDesk(self._client(url, {"X-Redmine-API-Key": credential}), self._project)
