"""TOPdesk, through its REST API (``/tas/api``), as the employee: a *person* (a caller).

Written from TOPdesk's published API documentation (developers.topdesk.com: the
tutorial, the incident explorer) and the field names third-party clients use
(Pipedream's TOPdesk component, Cortex XSOAR's TOPdesk integration, UGDSB.PS.Topdesk):
no live tenant was reachable, so what the tray relies on is listed in docs/topdesk.md
with how it was checked. IT's side is in docs/topdesk.md too. The choices that follow:

* **Credential.** The person's login name and an *application password* (HTTP Basic),
  made by the employee under *My settings → Application passwords*: TOPdesk shows it
  once and it expires on the date chosen. There is no exchange: the pair is the
  credential kept (``login:application-password``). A normal TOPdesk password is not
  accepted by the API: a 401 says so, and that the application password may have
  expired. An operator's login is refused (it would see every caller's incidents).
* **Persons see what their visibility settings allow** (the docs: "Person visibility
  settings apply"), which may be their branch's incidents: every list asks for
  ``caller.id==<me>`` and every incident read is checked to be the employee's own,
  else it is "not found".
* **Many fields are operator-only** ("Can only be set by operators": status,
  operator, processingStatus, onHold, priority, completed, externalNumber, ...).
  So the report's key travels on the request text's last line (``externalNumber``
  is operator-only); "This is urgent now" is an action only (the priority is logged
  as not raised); and a person cannot reopen a completed or closed incident: their
  action is kept and "Still broken" says the incident stays finished.
* **Texts are limited HTML** (``<br>``, ``<b>``, ...): what the employee wrote is
  escaped and its line ends sent as ``<br>``; what comes back is read from
  ``plainText`` where given, else from the memo with the tags taken out.
* **Writes are checked by a read**: an action counts as written once the progress
  trail shows a new entry by the employee with its text; a file once TOPdesk's answer
  names it with its size; a close once the incident says ``closed``.
* **Files are sent after the incident** (TOPdesk has no upload ahead of it). Files on
  the progress trail belong to the latest visible entry by the same person before them.
* **Lists answer 206 while more follow, 204 when empty**; pages are bounded.
* **Stages** come from the booleans first (closed, completed, on hold), then from
  whether an operator took the incident or wrote to the caller, then, on hold, from
  the processing status's name (per tenant, often Dutch): see :data:`STAGE_TABLE`.
* **Where reports go:** the operator group the policy names (``desk.queue``), by id
  (a UUID) or by name; a person may set it (it is not marked operator-only). Empty:
  TOPdesk's own defaults decide.
"""

from __future__ import annotations

import functools
import html
import logging
import mimetypes
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    DeskError,
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

KIND = "topdesk"
#: Where TOPdesk's REST API lives below the desk's address.
API = "/tas/api"
#: TOPdesk's ids: UUIDs.
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: Always the last line of the request text.
REPORT_ID_LINE = kit.REPORT_ID_LINE
#: The line before it when files follow the incident: how many (a retry finishes them).
FILES_LINE = "Files: "
#: How far back a report's key is looked for in the requests of the employee's incidents.
REPORT_ID_LOOKBACK_DAYS = 30
#: TOPdesk's limit on an incident's brief description.
BRIEF_MAX = 80
PAGE_SIZE = 100
#: A bound on paging, so a desk answering "more follow" forever cannot keep us busy.
MAX_PAGES = 50
#: Seconds the change window reaches back before the newest change seen (TOPdesk keeps
#: milliseconds; its ``Date`` header whole seconds).
CURSOR_MARGIN_S = 2
#: Without TOPdesk's clock (no ``Date``), an incident returned unchanged counts as settled
#: once it was last changed this long before the search, by this computer's clock.
SETTLE_WITHOUT_CLOCK_S = 30.0
#: Priority names that count as urgent (per tenant; TOPdesk's and common Dutch ones).
URGENT_NAMES = frozenset({"urgent", "spoed", "hoog", "high", "critical", "kritiek", "p1"})
#: Where TOPdesk serves an incident's files, below the API.
DOWNLOADS = "/incidents/id/"

#: Native state → stage. The booleans decide first (closed, completed); an incident
#: on hold is keyed by its processing status's name (per tenant: IT adds its own);
#: then whether an operator wrote to the caller, took it, or only a group has it.
STAGE_TABLE = MappingProxyType(
    {
        "new": Stage.RECEIVED,
        "new+group": Stage.RECEIVED,
        "assigned": Stage.ASSIGNED,
        "responded": Stage.IN_PROGRESS,
        "on hold:wacht op gebruiker": Stage.WAITING_ON_YOU,
        "on hold:wacht op aanmelder": Stage.WAITING_ON_YOU,
        "on hold:waiting for user": Stage.WAITING_ON_YOU,
        "on hold:waiting for caller": Stage.WAITING_ON_YOU,
        "on hold:wacht op leverancier": Stage.IN_PROGRESS,
        "on hold:waiting for supplier": Stage.IN_PROGRESS,
        "completed": Stage.RESOLVED,
        "closed": Stage.CLOSED,
    }
)


def native_state(
    *,
    closed: bool,
    completed: bool,
    on_hold: bool,
    processing_status: str,
    operator: bool,
    group: bool,
    responded: bool,
) -> str:
    """The key into :data:`STAGE_TABLE`: the booleans first, then the processing status."""
    if closed:
        return "closed"
    if completed:
        return "completed"
    if on_hold:
        return "on hold:" + " ".join(processing_status.lower().split())
    if responded:
        return "responded"
    if operator:
        return "assigned"
    return "new+group" if group else "new"


# --- reading TOPdesk's answers ------------------------------------------------------------


def _uuid(value: Any, what: str = "id") -> str:
    return kit.desk_id(value, UUID, what=what)


def _flag(value: Any, what: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadResponse(f"expected {what} as true or false, got {type(value).__name__}")
    return value


def _named(value: Any, what: str) -> tuple[str, str] | None:
    """A reference ``{"id": "<uuid>", "name": "..."}`` (``None``: not set)."""
    if value is None:
        return None
    item = kit.record(value, what)
    if item.get("id") is None:
        return None
    return _uuid(item.get("id"), what=f"{what} id"), kit.text(item.get("name"))


def _to_memo(text: str) -> str:
    """The employee's text as TOPdesk's limited HTML: escaped, line ends as ``<br>``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def _incident_ref(item: Mapping[str, Any]) -> TicketRef:
    return TicketRef(_uuid(item["id"], what="incident id"), kit.text(item.get("number")))


def _request_text(report: Report) -> str:
    """The request as sent: the description, how many files follow, the key last."""
    text = report.description
    if report.attachments:
        text = f"{text.rstrip()}\n\n{FILES_LINE}{len(report.attachments)}"
    return kit.with_key_line(text, report.key)


def _files_expected(text: str) -> int:
    """How many files the request says follow it (0 when it says nothing)."""
    lines = [line.strip() for line in kit.without_key_line(text).splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    count = last.removeprefix(FILES_LINE)
    return int(count) if last.startswith(FILES_LINE) and count.isdigit() else 0


def _description(text: str) -> str:
    """The employee's description: the request without the lines the tray added."""
    text = kit.without_key_line(text).rstrip()
    lines = text.splitlines()
    if lines and _files_expected(text):
        return "\n".join(lines[:-1]).rstrip()
    return text


def _entry_text(entry: Mapping[str, Any]) -> str:
    plain = entry.get("plainText")
    if isinstance(plain, str):
        return plain.strip()
    return kit.html_text(kit.text(entry.get("memoText")))


def _entry_time(entry: Mapping[str, Any]) -> datetime:
    return kit.timestamp(entry.get("creationDate", entry.get("entryDate")))


def _settled(updated: datetime, answered: float | None) -> bool:
    """Whether an incident changed at ``updated`` cannot have changed unseen by ``answered``."""
    return kit.settled(updated, answered, CURSOR_MARGIN_S)


def _desk_time(response: HttpResponse, ours: float) -> float:
    """TOPdesk's time when it answered: its ``Date``, or a bound on it."""
    return kit.desk_time(response, ours, SETTLE_WITHOUT_CLOCK_S, CURSOR_MARGIN_S)


def _fiql_time(moment: datetime) -> str:
    """A time as TOPdesk writes it (milliseconds, numeric zone)."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "+0000"


#: The change cursor's version (a cursor of another is read as none: a full list).
WINDOW_VERSION = 1


class TopdeskDesk:
    """One person's view of a TOPdesk (implements ``DeskPort``)."""

    def __init__(
        self,
        http: HttpClient,
        group: str = "",
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._group = group
        self._wall = wall_clock
        self._stages = StageTable(KIND, STAGE_TABLE)
        #: Incident id → (modificationDate, when an operator last wrote to the caller).
        self._replies: Recent[tuple[datetime, datetime | None]] = Recent(512)
        self._me: Mapping[str, Any] | None = None
        #: Reports whose incident exists but whose files did not all arrive: key →
        #: (incident, files stored as (name, size)). Sending the report again finishes
        #: its files instead of filing it twice (see :meth:`create_ticket`).
        self._unfinished: dict[str, tuple[TicketRef, set[tuple[str, int]]]] = {}
        self._lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------

    def _list(
        self, path: str, params: Mapping[str, str], what: str, *, paged: tuple[str, str]
    ) -> Iterator[tuple[list[Mapping[str, Any]], HttpResponse]]:
        """A list's pages: 206 while more follow, 200 for the last, 204 for none."""
        start_name, size_name = paged
        start = 0
        for _ in range(MAX_PAGES):
            query = {**params, start_name: str(start), size_name: str(PAGE_SIZE)}
            response = self._http.request("GET", path, params=query)
            if response.status == 204:
                yield [], response
                return
            kit.expect(
                response.status in (200, 206), what,
                f"TOPdesk answered HTTP {response.status}, not a list",
            )  # fmt: skip
            items = kit.records(response.json(), what)
            yield items, response
            if response.status == 200 or not items:
                return
            start += len(items)
        logger.warning("TOPdesk: more than %d pages of %s; the rest is left out", MAX_PAGES, what)

    def _incidents(
        self, query: str, sort: str
    ) -> Iterator[tuple[list[Mapping[str, Any]], HttpResponse]]:
        params = {"query": query, "sort": sort}
        return self._list("/incidents", params, "incidents", paged=("pageStart", "pageSize"))

    def _whoami(self) -> Mapping[str, Any]:
        me = kit.record(self._http.get_json("/persons/current"), "person")
        with self._lock:
            self._me = me
        return me

    def _my_id(self) -> str:
        me = self._me or self._whoami()
        return _uuid(me.get("id"), what="person id")

    def _caller(self, item: Mapping[str, Any]) -> str | None:
        caller = _named(item.get("caller"), "caller")  # no id: an unregistered caller
        return caller[0] if caller else None

    # --- who --------------------------------------------------------------------------------

    def whoami(self) -> Person:
        """The signed-in person (``/persons/current``: 401 for a wrong or expired password)."""
        me = self._whoami()

        def build() -> Person:
            login = kit.text(me.get("tasLoginName")) or kit.text(me.get("networkLoginName"))
            first, last = kit.text(me.get("firstName")), kit.text(me.get("surName"))
            name = kit.text(me.get("dynamicName")) or " ".join(p for p in (first, last) if p)
            department = _named(me.get("department"), "department")
            return Person(
                username=login or name,
                name=name or login,
                email=kit.text(me.get("email")),
                department=department[1] if department else None,
            )

        return kit.mapped("person", build)

    # --- one incident -----------------------------------------------------------------------

    def _path(self, ref: TicketRef, *rest: str) -> str:
        return kit.path("incidents", "id", kit.ref_id(ref.id, UUID, what="incident"), *rest)

    def _incident(self, ref: TicketRef) -> Mapping[str, Any]:
        """The incident, when it is the employee's own.

        Raises:
            NotFound: not there, out of sight, or another caller's (visibility settings
                may show a person their branch's incidents).
        """
        path = self._path(ref)
        try:
            data = kit.answer(self._http.request("GET", path), 200, f"incident {ref.id}")
        except Forbidden as error:
            raise NotFound(f"incident {ref.id} is out of the person's sight") from error
        kit.expect(_uuid(data.get("id")).lower() == ref.id.lower(), f"incident {ref.id}",
                   "another incident came")  # fmt: skip
        if self._caller(data) != self._my_id():
            raise NotFound(f"incident {ref.id} is another caller's")
        return data

    def _trail(self, ref: TicketRef) -> list[Mapping[str, Any]]:
        """The progress trail as the person may see it: caller-visible entries only."""
        entries: list[Mapping[str, Any]] = []
        for items, _ in self._list(
            self._path(ref, "progresstrail"), {}, "progress trail", paged=("start", "page_size")
        ):
            entries.extend(e for e in items if e.get("invisibleForCaller") is not True)
        return entries

    def _files(self, ref: TicketRef) -> list[tuple[Mapping[str, Any], AttachmentInfo]]:
        base = self._http.base_url
        files = []
        for items, _ in self._list(
            self._path(ref, "attachments"), {}, "attachments", paged=("start", "page_size")
        ):
            for item in items:
                if item.get("invisibleForCaller") is True:
                    continue
                name = kit.text(item.get("fileName"))
                url = _file_url(base, item.get("downloadUrl"))
                size = item.get("size")
                if not isinstance(size, int) or size < 0:
                    raise BadResponse(f"the attachment {name[:80]!r} has no usable size")
                kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
                files.append((item, AttachmentInfo(name, size, kind, url)))
        return files

    def _replied_at(self, trail: Sequence[Mapping[str, Any]]) -> datetime | None:
        """When an operator last wrote to the caller (a visible action by an operator)."""
        me = self._my_id()
        last = None
        for entry in trail:
            if self._by_agent(entry, me) and entry.get("type", "action") == "action":
                at = _entry_time(entry)
                last = at if last is None or at > last else last
        return last

    def _person_of(self, entry: Mapping[str, Any]) -> str | None:
        person = _named(entry.get("person"), "person")
        return person[0] if person else None

    def _by_agent(self, entry: Mapping[str, Any], me: str) -> bool:
        person = _named(entry.get("person"), "person")
        operator = _named(entry.get("operator"), "operator")
        return operator is not None and (person is None or person[0] != me)

    def _summary(self, item: Mapping[str, Any], replied: datetime | None) -> TicketSummary:
        operator = _named(item.get("operator"), "operator")
        group = _named(item.get("operatorGroup"), "operator group")
        status = _named(item.get("processingStatus"), "processing status")
        priority = _named(item.get("priority"), "priority")
        state = native_state(
            closed=_flag(item.get("closed"), "closed"),
            completed=_flag(item.get("completed"), "completed"),
            on_hold=_flag(item.get("onHold"), "onHold"),
            processing_status=status[1] if status else "",
            operator=operator is not None,
            group=group is not None,
            responded=replied is not None,
        )
        return TicketSummary(
            ref=TicketRef(_uuid(item["id"], what="incident id"), kit.text(item.get("number"))),
            title=kit.text(item.get("briefDescription")),
            stage=self._stages.stage(state),
            native_status=state,
            updated=kit.timestamp(item["modificationDate"]),
            created=kit.timestamp(item.get("creationDate") or item["callDate"]),
            agent=Agent(name=operator[1], id=operator[0]) if operator else None,
            due=kit.optional_timestamp(item.get("targetDate")),
            agent_replied_at=replied,
            urgent=priority is not None and priority[1].strip().lower() in URGENT_NAMES,
        )

    def ticket(self, ref: TicketRef) -> Ticket:
        """One incident with what the caller may see of its progress trail and files."""
        data = self._incident(ref)
        trail = self._trail(ref)
        files = self._files(ref)
        return kit.mapped("incident", lambda: self._build(data, trail, files))

    def _build(
        self,
        data: Mapping[str, Any],
        trail: list[Mapping[str, Any]],
        files: list[tuple[Mapping[str, Any], AttachmentInfo]],
    ) -> Ticket:
        me = self._my_id()
        created_at = kit.timestamp(data.get("creationDate") or data["callDate"])
        caller = kit.record(data.get("caller"), "caller")
        entries = sorted(
            (e for e in trail if e.get("type", "action") in ("action", "request")),
            key=_entry_time,
        )
        # The first request is the report itself (the incident's request text).
        first_request = next((e for e in entries if e.get("type") == "request"), None)
        messages = [e for e in entries if e is not first_request]
        owners: dict[str, list[AttachmentInfo]] = {"created": []}
        for item, info in files:
            uploader = _named(item.get("person"), "person") or _named(
                item.get("operator"), "operator"
            )
            at = _entry_time(item)
            home = "created"
            for entry in messages:
                author = _named(entry.get("person"), "person") or _named(
                    entry.get("operator"), "operator"
                )
                if _entry_time(entry) <= at and author is not None and uploader is not None:
                    if author[0] == uploader[0]:
                        home = _uuid(entry["id"], what="entry id")
            owners.setdefault(home, []).append(info)
        events = [
            TicketEvent(
                id=f"{_uuid(data['id'])}-created", at=created_at, kind=EventKind.CREATED,
                author=kit.text(caller.get("dynamicName")) or None,
                attachments=tuple(owners["created"]),
            )
        ]  # fmt: skip
        for entry in messages:
            ident = _uuid(entry["id"], what="entry id")
            person = _named(entry.get("person"), "person")
            operator = _named(entry.get("operator"), "operator")
            by_agent = self._by_agent(entry, me)
            author = operator if by_agent else person
            events.append(
                TicketEvent(
                    id=ident, at=_entry_time(entry), kind=EventKind.MESSAGE,
                    text=_entry_text(entry), author=author[1] if author else None,
                    by_agent=by_agent, attachments=tuple(owners.get(ident, ())),
                )
            )  # fmt: skip
        replied = self._replied_at(trail)
        summary = self._summary(data, replied)
        self._replies.put(summary.ref.id, (summary.updated, replied))
        request = kit.text(data.get("request"))
        description = _description(kit.html_text(request)) if request else ""
        return Ticket(summary=summary, description=description, events=tuple(events))

    # --- filing and finding reports ---------------------------------------------------------

    def _group_field(self, name: str) -> dict[str, str]:
        return {"id": name} if UUID.fullmatch(name) else {"name": name}

    def create_ticket(self, report: Report) -> TicketRef:
        """File the report as the person's incident, its files sent right after.

        The key is the request text's last line (``externalNumber`` is operator-only).
        TOPdesk takes files only onto an incident that exists, so a file refused (the
        outbox then sends the report again at once, without it) or a network failure
        between the files leaves an incident behind: sending the same report again
        from this tray finishes that incident's files and files nothing twice.
        """
        unfinished = self._unfinished.get(report.key)
        if unfinished is not None:
            ref, stored = unfinished
            self._attach(ref, report, stored)
            return ref
        for attachment in report.attachments:
            if not attachment.data:
                raise AttachmentRefused(
                    "TOPdesk stores no empty files", reason="file_type",
                    filenames=(attachment.filename,),
                )  # fmt: skip
        body: dict[str, Any] = {
            "callerLookup": {"id": self._my_id()},
            "briefDescription": report.subject[:BRIEF_MAX],
            "request": _to_memo(_request_text(report)),
        }
        group = report.queue or self._group
        if group:
            body["operatorGroup"] = self._group_field(group)
        try:
            response = self._http.request("POST", "/incidents", json_body=body)
        except Rejected as error:
            # Nothing was created: it may go again without the group. TOPdesk's 400 does
            # not say reliably which field it minds, so any refusal with a group set is
            # taken as the group's (the outbox then files it without, saying so).
            if group:
                raise QueueRefused(
                    f"TOPdesk refused the incident for operator group {group!r}: {error.detail}",
                    "queue",
                ) from error
            raise
        created = kit.answer(response, (200, 201), "new incident")
        ref = TicketRef(
            _uuid(created.get("id"), what="incident id"), kit.text(created.get("number"))
        )
        kit.expect(
            kit.same_text(report.subject[:BRIEF_MAX], created.get("briefDescription")),
            f"report {report.key}", "the desk answered with another incident",
        )  # fmt: skip
        self._attach(ref, report, set())
        return ref

    def _attach(self, ref: TicketRef, report: Report, stored: set[tuple[str, int]]) -> None:
        """Send the report's files not yet ``stored``; the report is unfinished till all are."""
        self._unfinished[report.key] = (ref, stored)
        for attachment in report.attachments:
            mark = (attachment.filename, attachment.size)
            if mark in stored:
                continue
            try:
                self._upload(ref, attachment)
            except AttachmentRefused:
                raise  # the outbox sends the report again at once, without that file
            except DeskError as error:
                # The incident exists: the outbox must look it up before it sends again.
                raise BadResponse(
                    f"incident {ref.id} was filed but not all its files arrived: {error}"
                ) from error
            stored.add(mark)
        del self._unfinished[report.key]

    def _upload(self, ref: TicketRef, attachment: Attachment) -> None:
        """One file on the incident; done when TOPdesk names it with its size."""
        try:
            response = self._http.request(
                "POST", self._path(ref, "attachments"), files=kit.uploads([attachment], "file")
            )
        except Rejected as error:
            reason = "too_large" if error.reason in ("413", "too_large") else "file_type"
            raise AttachmentRefused(
                error.detail, reason=reason, filenames=(attachment.filename,)
            ) from error
        stored = kit.answer(response, (200, 201), f"file {attachment.filename!r}")
        kit.expect(
            stored.get("fileName") == attachment.filename and stored.get("size") == attachment.size,
            f"file {attachment.filename!r}", "TOPdesk did not store it as sent",
        )  # fmt: skip

    def find_by_report_key(self, key: str) -> TicketRef | None:
        """The person's incident filed from the report with ``key``, if TOPdesk has one.

        The person's incidents of the last :data:`REPORT_ID_LOOKBACK_DAYS` days, each
        checked: the caller is the employee and the request's last line is the key's.
        An incident this tray filed whose files did not all arrive is not the report
        yet: ``None``, so the report is sent again and :meth:`create_ticket` finishes it.
        """
        if key in self._unfinished:
            logger.info("TOPdesk: report %s has an incident still missing files", key)
            return None
        me = self._my_id()
        since = datetime.fromtimestamp(self._wall(), UTC) - timedelta(days=REPORT_ID_LOOKBACK_DAYS)
        query = f"caller.id=={me};creationDate=gt={_fiql_time(since)}"
        for items, _ in self._incidents(query, "creationDate:desc"):
            for item in items:
                text = kit.html_text(kit.text(item.get("request")))
                if self._caller(item) == me and kit.last_line(text) == REPORT_ID_LINE + key:
                    ref = kit.mapped("incident", functools.partial(_incident_ref, item))
                    return self._if_complete(key, ref, _files_expected(text))
        return None

    def _if_complete(self, key: str, ref: TicketRef, expected: int) -> TicketRef | None:
        """``ref`` when the files its request announced are on it; else unfinished, ``None``.

        A report whose incident was filed but whose files did not all arrive (the tray
        stopped, or the answer to the filing was lost) is sent again by the outbox, and
        :meth:`create_ticket` then finishes it on the same incident.
        """
        if not expected:
            return ref
        stored = {(info.filename, info.size) for _, info in self._files(ref)}
        if len(stored) >= expected:
            return ref
        logger.info("TOPdesk: incident %s has %d of its %d files", ref.id, len(stored), expected)
        self._unfinished[key] = (ref, stored)
        return None

    # --- watching ---------------------------------------------------------------------------

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """The person's incidents changed since the cursor (all of them without one).

        One search, ``caller.id==me;modificationDate=gt=T``, T the newest change the
        previous searches saw less :data:`CURSOR_MARGIN_S`; incidents that come back
        exactly as before, settled by TOPdesk's clock, are left out.
        """
        previous = kit.ChangeWindow.loads(since.value, WINDOW_VERSION) if since else None
        me = self._my_id()
        query = f"caller.id=={me}"
        if previous is not None and previous.newest is not None:
            start = datetime.fromtimestamp(previous.newest - CURSOR_MARGIN_S, UTC)
            query += f";modificationDate=gt={_fiql_time(start)}"
        ours = self._wall()
        summaries: list[TicketSummary] = []
        seen: dict[str, str] = {}
        newest = previous.newest if previous is not None else None
        answered: float | None = None
        for items, response in self._incidents(query, "modificationDate:asc"):
            if answered is None:
                answered = _desk_time(response, ours)
            for item in items:
                if self._caller(item) != me:
                    continue  # a colleague's, shown by the visibility settings
                summary = kit.mapped("incident", functools.partial(self._listed, item))
                updated = summary.updated.timestamp()
                newest = updated if newest is None else max(newest, updated)
                mark = kit.fingerprint(item)
                seen[summary.ref.id] = mark
                if (
                    previous is not None
                    and previous.seen.get(summary.ref.id) == mark
                    and _settled(summary.updated, previous.answered)
                ):
                    continue
                summaries.append(summary)
        return summaries, Cursor(kit.ChangeWindow(newest, answered, seen).dumps(WINDOW_VERSION))

    def _listed(self, item: Mapping[str, Any]) -> TicketSummary:
        """A listed incident's summary; whether an operator wrote needs its trail (per change)."""
        unread = self._summary(item, None)
        kept = self._replies.get(unread.ref.id)
        if kept is not None and kept[0] == unread.updated:
            replied = kept[1]
        elif unread.native_status in ("new", "new+group", "assigned"):
            replied = self._replied_at(self._trail(unread.ref))
            self._replies.put(unread.ref.id, (unread.updated, replied))
        else:
            replied = kept[1] if kept else None
        return self._summary(item, replied)

    # --- the person's actions ---------------------------------------------------------------

    def _action(
        self, ref: TicketRef, text: str, changes: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any]:
        """Add the person's action (with ``changes``); the incident as TOPdesk answered.

        Done only when the progress trail afterwards holds a new entry by the person
        with this text.

        Raises:
            NotFound: the incident is gone or not the person's (nothing sent).
            BadResponse: TOPdesk's answer or trail does not show it done.
        """
        self._incident(ref)
        me = self._my_id()
        before = {e.get("id") for e in self._trail(ref)}
        body = {"action": _to_memo(text), **(changes or {})}
        response = self._http.request("PATCH", self._path(ref), json_body=body)
        after = kit.answer(response, 200, f"action on incident {ref.id}")
        kit.expect(
            after.get("id") == ref.id, f"action on incident {ref.id}", "another incident came"
        )
        written = [
            e for e in self._trail(ref)
            if e.get("id") not in before and self._person_of(e) == me
            and kit.same_text(text, _entry_text(e))
        ]  # fmt: skip
        kit.expect(
            bool(written), f"action on incident {ref.id}", "the action is not on the incident"
        )
        return after

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Add the person's action, then its files."""
        self._action(ref, text)
        for attachment in attachments:
            self._upload(ref, attachment)

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        """The person says it is solved: an action saying so, and the incident closed.

        A person may set ``closed``; when TOPdesk keeps it open all the same (the
        tenant's settings), the action is there and the operator closes it.
        """
        current = self._incident(ref)
        if _flag(current.get("closed"), "closed") and not text.strip():
            return
        after = self._action(ref, kit.confirmation(text), {"closed": True})
        if not _flag(after.get("closed"), "closed"):
            logger.info("TOPdesk kept the action but did not close incident %s", ref.id)

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        """The person's action; the priority is operator-only in TOPdesk, so it stays."""
        self._action(ref, text)
        logger.info("TOPdesk: the priority of incident %s is the operator's to raise", ref.id)

    def reopen(self, ref: TicketRef, text: str) -> None:
        """The problem is back: the person's action; a person cannot reopen in TOPdesk.

        Raises:
            NotFound: the incident is gone or not the person's; nothing is sent.
            Forbidden: it stays completed or closed (the action is on it all the same).
        """
        after = self._action(ref, text)
        for field, word in (("closed", "closed"), ("completed", "completed")):
            if _flag(after.get(field), field):
                raise Forbidden(
                    f"incident {ref.id} stays {word}: a TOPdesk person cannot reopen it", "rights"
                )

    def download(self, file: AttachmentInfo, max_bytes: int) -> bytes:
        """One of an incident's files, with the person's credential, from TOPdesk's API only."""
        path = kit.same_origin_path(self._http.base_url, file.url, under=DOWNLOADS)
        kit.expect(path.endswith("/download"), "file", "not a TOPdesk download address")
        response = self._http.request("GET", path)
        return kit.file_body(response.body, file.filename, max_bytes)

    def agent_photo(self, agent: Agent) -> bytes | None:
        """The operator's avatar; a refusal (a person may not read it) is no photo."""
        if not agent.id or not UUID.fullmatch(agent.id):
            return None
        try:
            response = self._http.request("GET", kit.path("avatars", "operator", agent.id))
            return kit.photo_body(response)
        except (Forbidden, NotFound):
            return None
        except BadResponse as error:
            logger.info("TOPdesk: no usable avatar for operator %s: %s", agent.id, error.detail)
            return None


def _file_url(base_url: str, value: Any) -> str:
    """A file's address as TOPdesk gives it (a path from the host, or a full URL).

    Refused unless it is one of TOPdesk's own incident files.
    """
    if isinstance(value, str) and value.startswith("/"):
        parts = urllib.parse.urlsplit(base_url)
        prefix = parts.path.rstrip("/")
        kit.desk_path(value, under=prefix + DOWNLOADS)
        value = f"{parts.scheme}://{parts.netloc}{value}"
    return kit.same_origin_url(base_url, value, under=DOWNLOADS)


def _split(credential: str) -> tuple[str, str]:
    login, sep, password = (credential or "").partition(":")
    if not sep or not login.strip() or not password or any(c.isspace() for c in password):
        raise AuthFailed("no usable credential")
    return login, password


class TopdeskConnector:
    """Signs persons in to TOPdesk with their login name and an application password."""

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
        self._group = queue
        self._remember_secret = remember_secret

    @property
    def queue(self) -> str:
        """The operator group new incidents go to (its id or name; empty: TOPdesk decides)."""
        return self._group

    def _client(self, url: str, login: str, password: str) -> HttpClient:
        base = url.rstrip("/")
        if not base.endswith(API):
            base += API
        return HttpClient(
            base, self._config, headers=kit.basic_auth(login, password),
            session_factory=self._session_factory, remember_secret=self._remember_secret,
        )  # fmt: skip

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> str:
        """The credential to keep: the login and the application password, once TOPdesk took them.

        ``keep_password`` changes nothing: the application password is the credential.

        Raises:
            AuthFailed: TOPdesk refused them (wrong, expired, a normal password, or an
                operator's login).
            Forbidden: the person may not use the API (their permission group).
        """
        login, secret = username.strip(), password.strip()
        self._remember_secret(password)
        if not login or ":" in login:
            raise AuthFailed("TOPdesk needs the person's login name with the application password")
        credential = f"{login}:{secret}"
        self._remember_secret(credential)
        _split(credential)
        http = self._client(url, login, secret)
        try:
            TopdeskDesk(http, self._group).whoami()
        except AuthFailed as error:
            raise AuthFailed(
                "TOPdesk refused the login name and application password: it may be wrong "
                "or expired (application passwords expire; a normal TOPdesk password is not "
                "accepted by the API). Make a new one under My settings → Application passwords."
            ) from error
        except NotFound as error:
            raise AuthFailed(
                "TOPdesk knows this login but not as a person (an operator's login?): "
                "the tray signs in persons only"
            ) from error
        except Forbidden as error:
            raise Forbidden(
                "TOPdesk knows the person but refuses the API: IT must give their permission "
                "group 'REST API' and 'Use application passwords'",
                "rights",
            ) from error
        finally:
            http.close()
        return credential

    def open(self, url: str, credential: str) -> TopdeskDesk:
        """The person's view of TOPdesk, with their login and application password."""
        self._remember_secret(credential)
        login, password = _split(credential)
        self._remember_secret(password)
        return TopdeskDesk(self._client(url, login, password), self._group)
