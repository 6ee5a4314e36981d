"""The port's operations on Request Tracker 5 for one employee (``RtDesk``)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from client.adapters.desks import kit
from client.adapters.desks.rt.changes import search
from client.adapters.desks.rt.history import _HISTORY_FIELDS, build_ticket, read_bodies
from client.adapters.desks.rt.session import _CSRF, SAFE_METHODS, RtSession, origin_of
from client.adapters.desks.rt.shapes import (
    _DENIED,
    KIND,
    REPORT_ID_FIELD,
    REPORT_ID_LINE,
    REST,
    STAGE_TABLE,
    URGENT_PRIORITY,
    _ago,
    _Body,
    _custom_values,
    _denied,
    _items,
    _Known,
    _mapped,
    _Me,
    _messages,
    _name,
    _number,
    _photo_path,
    _Queue,
    _Record,
    _sql_quote,
    _summary,
    _text,
)
from client.adapters.http import HttpClient, HttpResponse
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
    Person,
    Report,
    Ticket,
    TicketRef,
    TicketSummary,
)
from client.core.stages import StageTable

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "General"  # the queue every RT has

#: How far back a report's key is looked for in the text of the user's tickets.
REPORT_ID_LOOKBACK_DAYS = 30

#: Statuses of RT's default lifecycle that are finished; a reply from the requestor
#: opens them again (RT's "On Correspond Open Inactive Tickets" scrip).
INACTIVE_STATUSES = frozenset({"resolved", "rejected", "deleted"})

#: REST2 caps a page at 100.
PER_PAGE = 100

#: A bound on paging, so a desk answering full pages forever cannot keep us busy.
MAX_PAGES = 50

#: Empty pages read past in a row before the newest id is reached (RT empties a page
#: whose records the user may not see; a desk sending nothing forever costs this many).
EMPTY_PAGES_IN_A_ROW = 3

#: A ticket's last answer is kept for conditional requests (a window shows one at a time).
KNOWN_TICKETS = 32

#: Message bodies kept by transaction id (transactions never change).
KNOWN_BODIES = 2000

_TICKET_FIELDS = {"fields[Owner]": "Name,RealName,EmailAddress,CustomFields"}


def _files(attachments: Sequence[Attachment]) -> list[tuple[str, tuple[str, bytes, str]]]:
    """Multipart file parts, as REST2 wants them (named ``Attachments``).

    Raises:
        AttachmentRefused: an empty file; REST2 refuses any attachment without content.
    """
    empty = tuple(a.filename for a in attachments if not a.data)
    if empty:
        raise AttachmentRefused("RT stores no empty files", reason="file_type", filenames=empty)
    return [("Attachments", (a.filename, a.data, a.content_type)) for a in attachments]


def _attachment_refusal(error: Rejected, attachments: Sequence[Attachment]) -> DeskError:
    """The refusal as one of attachments, when that is what RT (or a proxy) refused."""
    if attachments and error.reason in ("too_large", "413"):  # a proxy's body size limit
        return AttachmentRefused(error.detail, reason="too_large")
    return error


class RtDesk:
    """One employee's view of a Request Tracker 5 (implements ``DeskPort``).

    ``user`` is the employee's RT user name or numeric id (who ``whoami`` reads);
    ``session`` keeps them signed in (``None``: ``http`` authenticates by itself).
    """

    def __init__(
        self,
        http: HttpClient,
        user: str,
        queue: str = DEFAULT_QUEUE,
        *,
        session: RtSession | None = None,
        wall_clock: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._user = user
        self._queue_name = queue
        self._session = session
        self._wall_clock = wall_clock
        self._clock = clock
        self._stages = StageTable(KIND, STAGE_TABLE)
        self._known: Recent[_Known] = Recent(KNOWN_TICKETS)
        self._bodies: Recent[_Body] = Recent(KNOWN_BODIES)
        #: Last line of a ticket's first message (the Report-ID fallback).
        self._first_lines: Recent[str] = Recent(KNOWN_BODIES)
        #: Agent (RT user name) → path of their photo, "" when they have none.
        self._photo_paths: Recent[str] = Recent(256)
        self._photos: Recent[tuple[str, bytes]] = Recent(64)
        self._me: _Me | None = None
        #: Queue name → its id and Report-ID field, asked once per queue.
        self._queues: dict[str, _Queue] = {}
        self._origin = origin_of(http.base_url)

    # --- HTTP -----------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """A REST2 request as the signed-in user; an expired session is renewed once.

        A write sent with RT's session cookie carries the desk's address as its
        ``Origin`` (RT's forgery rules, see the module doc); when RT refuses it all the
        same, it is sent once more with the token, if one is kept.

        Raises:
            Forbidden: also for RT's ``400 {"message": "Permission Denied"}`` (reason
                ``"rights"``), and a write RT's forgery rules refuse with no token to
                fall back on (reason ``"csrf"``).
            BadResponse: a redirect that is not RT's "log in again".
            (and whatever :meth:`HttpClient.request` raises)
        """
        if not path.startswith("/"):  # never an address RT names: the cookie stays ours
            raise BadResponse(f"not a REST2 path: {path[:80]!r}")
        url = REST + path
        write = method.upper() not in SAFE_METHODS
        renewed = False
        while True:
            auth, generation = self._session.headers(write) if self._session else ({}, 0)
            if write and "Cookie" in auth:
                auth["Origin"] = self._origin
            try:
                response = self._http.request(
                    method,
                    url,
                    params=params,
                    json_body=json_body,
                    data=data,
                    files=files,
                    headers={**auth, **(headers or {})},
                )
            except AuthFailed:
                expired = True
            except Forbidden as error:
                if not _CSRF.search(error.detail):
                    raise Forbidden(error.detail, reason="rights") from error
                # Refused before RT looked at the request: nothing was done, resending is safe.
                if "Cookie" in auth and self._session and self._session.writes_by_token():
                    continue
                raise Forbidden(error.detail, reason="csrf") from error
            except Rejected as error:
                if error.reason == "400" and _DENIED.search(error.detail):
                    raise Forbidden(error.detail, reason="rights") from error
                raise
            else:
                if response.status in (301, 302, 303, 307, 308):
                    if "Cookie" not in auth or response.status not in (302, 303):
                        location = response.headers.get("Location", "?")
                        raise BadResponse(f"RT redirected {path} to {location}")
                    expired = True  # RT's answer to a session it no longer knows
                else:
                    expired = False
            if not expired:
                if self._session:
                    self._session.worked(generation)
                return response
            if self._session is None or renewed:
                raise AuthFailed("RT refused the session")
            self._session.renew(generation)
            renewed = True

    def _json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self._request("GET", path, params=params).json()

    def _pages(
        self, path: str, params: Mapping[str, str], *, until_id: int | None = None
    ) -> Iterator[tuple[list[Mapping[str, Any]], HttpResponse]]:
        """Each page of a collection, in order, until its end.

        The end: RT's ``next_page`` or page count when it gives them; otherwise (it
        gives neither to unprivileged users outside ``/tickets``) a short page, or,
        with ``until_id``, the page holding that id. RT drops records the user may not
        see from a page *after* cutting it, so a short page can come before the end;
        where the newest id is known (a ticket's ETag), it is the safer end: then even
        an empty page (a hundred records the user may not see) is read past, though
        never more than :data:`EMPTY_PAGES_IN_A_ROW` of them.
        """
        last_id = 0
        empty = 0
        for page in range(1, MAX_PAGES + 1):
            query = {**params, "per_page": str(PER_PAGE), "page": str(page)}
            response = self._request("GET", path, params=query)
            data = response.json()
            items = _items(data)
            yield items, response
            if not items:
                empty += 1
                if until_id is None or empty >= EMPTY_PAGES_IN_A_ROW:
                    return
                continue
            empty = 0
            if until_id is not None:
                # Ids ascend (the caller asks for that order): a page that does not go
                # past the last one (no ids, the same page again) would never reach the end.
                ids = [int(kit.desk_id(item.get("id"))) for item in items]
                if min(ids) <= last_id:
                    raise BadResponse(f"RT sent {path} page {page} out of order")
                last_id = max(ids)
                if last_id >= until_id:
                    return
                continue
            if data.get("next_page"):
                continue
            pages = _number(data.get("pages"))
            if (page >= pages) if pages is not None else len(items) < PER_PAGE:
                return
        logger.warning("RT: %s has more than %d pages; the rest is left out", path, MAX_PAGES)

    def _all(self, path: str, params: Mapping[str, str]) -> list[Mapping[str, Any]]:
        return [item for items, _ in self._pages(path, params) for item in items]

    # --- who and where --------------------------------------------------------------------

    def _whoami(self) -> _Me:
        if self._me is None:
            data = self._json(f"/user/{urllib.parse.quote(self._user, safe='')}")
            self._me = _mapped(
                "user",
                lambda: _Me(
                    name=_text(data["Name"]),
                    real_name=_text(data.get("RealName")),
                    email=_text(data.get("EmailAddress")),
                    organization=_text(data.get("Organization")),
                ),
            )
        return self._me

    def whoami(self) -> Person:
        """The signed-in employee (an unprivileged user may read their own record)."""
        me = self._whoami()
        return Person(
            username=me.name,
            name=me.real_name or me.name,
            email=me.email,
            department=me.organization or None,
        )

    def _queue_info(self, name: str | None = None) -> _Queue:
        """The queue (the configured one by default) and its Report-ID field (asked once)."""
        name = name or self._queue_name
        known = self._queues.get(name)
        if known is None:
            try:
                data = self._json(f"/queue/{urllib.parse.quote(name, safe='')}")
            except (Forbidden, NotFound) as error:
                # Not visible to this user (no SeeQueue): the key goes in the text.
                logger.warning("RT queue %r not readable: %s", name, error)
                known = _Queue(name, None)
            else:

                def build() -> _Queue:
                    fields = data.get("TicketCustomFields") or []
                    report = [f for f in fields if f.get("name") == REPORT_ID_FIELD]
                    return _Queue(_text(data["id"]), _text(report[0]["id"]) if report else None)

                known = _mapped("queue", build)
            if len(self._queues) >= 64:  # a handful of departments; never unbounded
                self._queues.clear()
            self._queues[name] = known
        return known

    # --- filing and finding reports -------------------------------------------------------

    def create_ticket(self, report: Report) -> TicketRef:
        """File the report in its queue (else the configured one), the employee as requestor.

        The key goes in the queue's Report-ID field when it has one, and always on the
        last line of the text too: RT silently drops a field value the employee may
        not set (201, no message), and a key that is nowhere would let a retry file
        the report twice. Files travel as multipart parts (no base64 growth).
        """
        me = self._whoami()
        queue = self._queue_info(report.queue)
        text = report.description
        fields: dict[str, Any] = {
            "Queue": queue.ident,
            "Requestor": me.email or me.name,
            "Subject": report.subject,
            "ContentType": "text/plain",
        }
        if queue.report_field:
            fields["CustomFields"] = {queue.report_field: report.key}
        text = kit.with_key_line(text, report.key)
        fields["Content"] = text
        try:
            if report.attachments:
                files = _files(report.attachments)
                response = self._request(
                    "POST", "/ticket", data={"JSON": json.dumps(fields)}, files=files
                )
            else:
                response = self._request("POST", "/ticket", json_body=fields)
        except Rejected as error:
            raise _attachment_refusal(error, report.attachments) from error
        except (Forbidden, NotFound) as error:
            # A department's queue that does not exist or is closed to the employee: RT
            # says "No permission to create tickets in the queue '…'" (403) for both.
            if report.queue and report.queue != self._queue_name:
                raise QueueRefused(str(error), "queue") from error
            raise
        data = response.json()
        if response.status != 201:  # a write is done only when RT says so
            raise BadResponse(f"RT answered {response.status} to a new ticket, not 201")
        return TicketRef(_mapped("ticket", lambda: kit.desk_id(data["id"], what="ticket id")))

    def find_by_report_key(self, key: str) -> TicketRef | None:
        """The user's ticket filed from the report with ``key``, if RT has one.

        With the Report-ID field: one search on it. When that finds nothing (or there
        is no field): the user's tickets of the last :data:`REPORT_ID_LOOKBACK_DAYS`
        days, newest first, each first message's last line compared (one request per
        ticket not seen before; RT searching the text itself would scan every
        attachment it has). Lookups are rare: only a report whose sending may or may
        not have reached RT is looked up.
        """
        queue = self._queue_info()
        mine = "Requestor.id = '__CurrentUser__'"
        if queue.report_field:
            query = f"{mine} AND CF.{{{REPORT_ID_FIELD}}} = {_sql_quote(key)}"
            params = {"query": query, "fields": "CustomFields", "orderby": "id"}
            found = self._all("/tickets", params)
            # Checked here too: RT reads a value like "CF.{x}" as a field name, not text.
            ids: list[str] = _mapped(
                "ticket list",
                lambda: [
                    kit.desk_id(i["id"], what="ticket id")
                    for i in found
                    if key in _custom_values(i, REPORT_ID_FIELD)
                ],
            )
            if ids:
                return TicketRef(ids[0])
        query = f"{mine} AND Created > {_ago(REPORT_ID_LOOKBACK_DAYS * 86400)}"
        params = {"query": query, "orderby": "id", "order": "DESC"}
        candidates = self._all("/tickets", params)
        ids = _mapped(
            "ticket list", lambda: [kit.desk_id(i["id"], what="ticket id") for i in candidates]
        )
        for ticket_id in ids:
            if self._first_line(ticket_id) == REPORT_ID_LINE + key:
                return TicketRef(ticket_id)
        return None

    def _first_line(self, ticket_id: str) -> str:
        """The last line of a ticket's first text part (its report), one request once."""
        line = self._first_lines.get(ticket_id)
        if line is None:
            query = json.dumps([{"field": "ContentType", "value": "text/plain"}])
            params = {"query": query, "fields": "Content", "orderby": "id", "per_page": "1"}
            data = self._json(f"{kit.path('ticket', ticket_id)}/attachments", params)
            items = _items(data)
            line = kit.last_line(_text(items[0].get("Content")) if items else "")
            self._first_lines.put(ticket_id, line)
        return line

    # --- watching ---------------------------------------------------------------------------

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """The user's tickets changed since the cursor (all without one): one search.

        The search, its window and why nothing is lost: :func:`changes.search`.
        """
        started = self._wall_clock(), self._clock()
        return search(self._pages, self._summaries, since, started)

    def _summaries(self, items: Sequence[Mapping[str, Any]]) -> list[TicketSummary]:
        return _mapped("ticket list", lambda: [_summary(item, self._stages) for item in items])

    def _record(self, ref: TicketRef) -> tuple[_Known, bool]:
        """The ticket's record, asked with ``If-None-Match``; whether it is a new answer.

        Raises:
            NotFound: RT says it is not there, the user may no longer see it (moved to
                a queue they cannot see: RT answers 403), or it is deleted.
        """
        known = self._known.get(ref.id)
        try:
            response = self._request(
                "GET",
                kit.path("ticket", kit.ref_id(ref.id)),
                params=_TICKET_FIELDS,
                headers={"If-None-Match": known.etag} if known else None,
            )
        except Forbidden as error:
            raise NotFound(f"ticket {ref.id} is out of the user's sight: {error.detail}") from error
        if response.status == 304 and known is not None:
            return known, False
        data = response.json()
        record: _Record = _mapped("ticket", lambda: self._parse_record(data))
        if record.status == "deleted":
            # RT still shows it to its requestor (and a reply would bring it back).
            raise NotFound(f"ticket {ref.id} was deleted")
        fetched = _Known(response.headers.get("ETag", ""), record)
        if fetched.etag:
            self._known.put(ref.id, fetched)
        return fetched, True

    def _parse_record(self, data: Mapping[str, Any]) -> _Record:
        owner = data.get("Owner")
        people = [*(data.get("Requestor") or ()), *(data.get("Cc") or ())]
        record = _Record(
            summary=_summary(data, self._stages),
            status=_text(data["Status"]),
            priority=_number(data.get("Priority")),
            people=frozenset(_name(p).lower() for p in people),
        )
        if record.summary.agent is not None and record.summary.agent.id:
            self._photo_paths.put(record.summary.agent.id, _photo_path(owner) or "")
        return record

    def ticket(self, ref: TicketRef) -> Ticket:
        """One ticket with its public history.

        The ticket is asked with ``If-None-Match`` (its ETag is the newest transaction
        the user can see): unchanged, RT answers 304 and the ticket from last time is
        returned, one request. Changed: its history, then the text and files of the
        messages not read before (two requests for any number of them; transactions
        never change, so each is read once).
        """
        known, fresh = self._record(ref)
        if not fresh and known.ticket is not None:
            return known.ticket
        record = known.record
        newest = _number(known.etag.strip('"')) if known.etag else None
        path = kit.path("ticket", kit.ref_id(ref.id), "history")
        pages = self._pages(path, _HISTORY_FIELDS, until_id=newest)
        history = [item for items, _ in pages for item in items]
        messages: list[str] = _mapped(
            "history",
            lambda: [
                kit.desk_id(t["id"], what="transaction id")
                for t in history
                if t.get("Type") in ("Create", "Correspond")
            ],
        )
        base = f"{self._http.base_url}{REST}/attachment/"
        read_bodies(self._all, self._bodies, ref.id, messages, base)
        ticket: Ticket = _mapped(
            "history", lambda: build_ticket(record, history, self._bodies, self._stages)
        )
        if known.etag:
            self._known.put(ref.id, _Known(known.etag, record, ticket))
        return ticket

    # --- the user's actions -----------------------------------------------------------------

    def _correspond(
        self,
        ref: TicketRef,
        text: str,
        attachments: Sequence[Attachment] = (),
        status: str | None = None,
    ) -> list[str]:
        """Post a public reply (and, in the same call, a status); RT's messages."""
        body: dict[str, Any] = {"Content": text, "ContentType": "text/plain"}
        if status:
            body["Status"] = status
        path = kit.path("ticket", kit.ref_id(ref.id), "correspond")
        try:
            if attachments:
                response = self._request(
                    "POST", path, data={"JSON": json.dumps(body)}, files=_files(attachments)
                )
            else:
                response = self._request("POST", path, json_body=body)
        except Rejected as error:
            raise _attachment_refusal(error, attachments) from error
        messages = _messages(response)
        if messages and _DENIED.search(messages[0]):  # the reply itself was refused
            raise Forbidden(messages[0], reason="rights")
        if response.status != 201 or not messages:  # a write is done only when RT says so
            raise BadResponse(f"RT answered {response.status} {messages[:1]} to a reply, not 201")
        return messages

    def _update(self, ref: TicketRef, changes: Mapping[str, Any]) -> list[str]:
        path = kit.path("ticket", kit.ref_id(ref.id))
        return _messages(self._request("PUT", path, json_body=dict(changes)))

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Add the employee's public reply (RT reopens a resolved ticket for it)."""
        self._correspond(ref, text, attachments)

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        """The employee says the problem is solved.

        RT has no "closed after resolved": a resolved ticket is finished. So:

        * Resolved (or rejected) and no ``text``: nothing to send.
        * Otherwise one reply carries the note and ``"Status": "resolved"``. The note
          starts with a line saying the employee confirms it is solved, so the agent
          knows even when the status change is refused.
        * When the employee may change the status (RT's ModifyTicket), the ticket ends
          resolved. On a resolved ticket RT's "open inactive tickets" scrip reopens it
          for the reply, and the same call resolves it again: the note is kept, the
          ticket stays resolved.
        * Without ModifyTicket RT refuses the status (its answer says "Permission
          Denied") but keeps the note: the agent reads it and resolves the ticket. On a
          resolved ticket the note has then reopened it; the text is never dropped.
        """
        known, _ = self._record(ref)
        if known.record.status in INACTIVE_STATUSES and not text.strip():
            return
        messages = self._correspond(ref, kit.confirmation(text), status="resolved")
        denied = _denied(messages[1:])
        if denied:
            logger.info("RT kept the note but refused to resolve ticket %s: %s", ref.id, denied)

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        """The employee's note, then the priority raised to RT's "High" where allowed.

        The note is what matters: a priority RT refuses ("Permission Denied" without
        ModifyTicket), or that cannot be set for any other reason, is logged and left.
        A priority already higher is not lowered.
        """
        self._correspond(ref, text)
        try:
            known = self._known.get(ref.id) or self._record(ref)[0]
            if (known.record.priority or 0) >= URGENT_PRIORITY:
                return
            messages = self._update(ref, {"Priority": URGENT_PRIORITY})
        except DeskError as error:
            logger.warning("RT: the priority of ticket %s was not raised: %s", ref.id, error)
            return
        refused = _denied(messages)
        if refused:
            logger.info("RT: the priority of ticket %s was not raised: %s", ref.id, refused)

    def reopen(self, ref: TicketRef, text: str) -> None:
        """The problem is back: the employee's reply, and the ticket open again.

        RT's default scrip reopens a resolved ticket when its requestor replies. When it
        did not (a desk without that scrip), the status is set to ``open`` directly.

        Raises:
            NotFound: the ticket was deleted (a reply would bring it back) or moved
                out of the employee's sight; nothing is sent.
            Forbidden: the ticket is still finished and the employee may not reopen it
                (the reply is in the ticket all the same).
        """
        self._record(ref)
        self._correspond(ref, text)
        known, _ = self._record(ref)
        if known.record.status not in INACTIVE_STATUSES:
            return
        messages = self._update(ref, {"Status": "open"})
        refused = _denied(messages) or (None if messages else "RT changed nothing")
        if refused:
            raise Forbidden(f"ticket {ref.id} stays {known.record.status}: {refused}", "rights")

    def download(self, file: AttachmentInfo, max_bytes: int) -> bytes:
        """One of a ticket's files: REST2's attachment record, whose content is base64.

        Only an address of the form the ticket's history gave (``…/attachment/<id>``)
        is asked for.
        """
        prefix = f"{self._http.base_url}{REST}/attachment/"
        if not file.url.startswith(prefix):
            raise BadResponse(f"not one of the desk's files: {file.filename[:80]!r}")
        number = kit.desk_id(file.url[len(prefix) :], what="attachment id")
        data = kit.record(self._json(f"/attachment/{number}"), "attachment")
        encoded = "".join(_text(data.get("Content")).split())  # RT breaks it into lines
        # Base64 is a third larger than the file: refuse before decoding a huge one.
        if len(encoded) // 4 * 3 > max_bytes + 2:
            raise BadResponse(f"the file {file.filename[:80]!r} is larger than {max_bytes} bytes")
        try:
            body = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise BadResponse(f"the file {file.filename[:80]!r} is not base64: {error}") from error
        return kit.file_body(body, file.filename, max_bytes)

    def agent_photo(self, agent: Agent) -> bytes | None:
        """The agent's photo from their user custom field Photo, asked with ``If-None-Match``.

        The path is known from the owner of a ticket read before; otherwise one of the
        employee's tickets that agent owns is looked up for it (once).
        """
        name = agent.id or agent.name
        path = self._photo_paths.get(name)
        if path is None:
            query = f"Requestor.id = '__CurrentUser__' AND Owner = {_sql_quote(name)}"
            params = {"query": query, "fields": "Owner", "fields[Owner]": "CustomFields"}
            data = self._json("/tickets", {**params, "per_page": "1"})
            items = _items(data)
            found = _mapped("ticket", lambda: _photo_path(items[0].get("Owner")) if items else None)
            path = found or ""
            self._photo_paths.put(name, path)
        if not path:
            return None
        cached = self._photos.get(path)
        # The session asks for JSON; RT answers that with 406 for a file.
        headers = {"Accept": "image/*", **({"If-None-Match": cached[0]} if cached else {})}
        response = self._request("GET", path, headers=headers)
        if response.status == 304 and cached is not None:
            return cached[1]
        body = kit.photo_body(response)  # an image, and not a huge one
        etag = kit.entity_tag(response.headers.get("ETag"))
        if etag:
            self._photos.put(path, (etag, body))
        return body
