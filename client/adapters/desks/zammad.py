"""Zammad, through its REST API v1, as the employee: a customer who sees their own tickets.

Written from Zammad's published API documentation (the ``zammad-documentation``
repository, ``api/*.rst``) and the shared notes (reference: desk-apis §2); no Zammad
could run here, so the tests run against a stand-in written from the same pages
(``tests/support/zammad_standin.py``). IT's side is in docs/zammad.md. The traps,
and the choices made:

* **Credential.** The employee's own access token (``Authorization: Token
  token=…``), never a password: a password is exchanged once for a token
  (``POST /user_access_token`` with Basic auth, answered ``{"name": <token>}``),
  which works only where IT granted the Customer role
  ``user_preferences.access_token``; otherwise the employee is told to paste one.
  Tokens do not expire unless made so.
* **A customer sees the shared organisation's tickets too** (list, search and
  ``GET /tickets/{id}``): only tickets whose ``customer_id`` is the employee's own
  are shown, read, written to or found by their key.
* **The list endpoint (``GET /tickets``) sorts by id only**; the search endpoint
  sorts (``sort_by=updated_at&order_by=desc``), and ``query=*`` is every ticket
  the user may read (Zammad drops ``*``, and a blank query searches the database,
  never the search index, so it is current). Its answer holds the ticket ids and
  the records (``assets``): the owner's name and photo hash come from there.
* **A key search goes to the search index when there is one**, which is updated
  after a delay: a report just created may not be found by its key yet. So a
  lookup also reads the first article of the employee's tickets created lately.
  The key is on the last line of the first article (no ticket field is the
  customer's to set); each candidate's first article is read to confirm it.
* **``last_contact_agent_at`` moves only for communication articles** (email,
  phone, web…): an agent's public *note* leaves it empty. Whether an agent wrote
  is read from the articles when it is empty (once per change of the ticket).
* **Internal articles** never reach a customer (Zammad leaves them out); any that
  would are dropped here too. ``updated_at`` moves for them all the same: such a
  ticket comes back as changed with nothing new in its history.
* **State types, not names**: a site names its states as it likes; the type
  (``new``, ``open``, ``pending reminder``, ``pending action``, ``closed``,
  ``merged``, ``removed``) says what a state means.
* **What a customer may change** (the seeded object attributes): the state, to
  one of type ``open`` or ``closed``; never the priority or the owner. So
  "urgent" is a note only; "it is solved" is a note and the state ``closed``;
  "still broken" is a note (a customer's follow-up on a closed ticket) and the
  state ``open``. A group whose ``follow_up_possible`` is ``new_ticket`` refuses
  the note on a closed ticket (422): nothing is written, and reopening says so.
* **Writes** (``POST``) are done when the answer carries what was written: the
  new ticket with the employee as its customer, the article with its text.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from client.adapters.desks import kit
from client.adapters.http import HttpClient, HttpConfig, make_session
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

KIND = "zammad"
#: Where the REST API lives below the desk's address.
API = "/api/v1"
#: Zammad's default group, where new tickets go unless IT names another (desk.queue).
DEFAULT_GROUP = "Users"
REPORT_ID_LINE = kit.REPORT_ID_LINE
#: Zammad caps a list page at 100 (a search page at 200).
PER_PAGE = 100
#: A bound on paging, so a desk answering full pages forever cannot keep us busy.
MAX_PAGES = 50
#: How far back a change search reaches before the newest ``updated_at`` it saw: a
#: change stamped earlier may be committed after a search ran.
CURSOR_MARGIN_S = 120.0
#: A key lookup reads the first article of the employee's tickets created this recently.
REPORT_ID_LOOKBACK = timedelta(days=7)
#: ... at most this many of them (the employee's own), their first articles read ...
REPORT_ID_CANDIDATES = 50
#: ... found in at most this many pages of this many tickets (a shared organisation's).
REPORT_ID_PAGES = 6
REPORT_ID_PER_PAGE = 50
#: Zammad's "nobody": the owner of a ticket no agent has taken.
NOBODY = "1"
#: A Zammad access token (64 URL-safe characters as issued; some range allowed).
TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,256}")
#: A user's image hash (hexadecimal).
IMAGE_HASH = re.compile(r"[0-9a-f]{16,128}")
#: A ticket number (digits; a site may prefix none).
NUMBER = re.compile(r"[0-9A-Za-z\-]{1,40}")
#: Priority names that count as urgent (Zammad's default top one is "3 high").
URGENT_WORDS = frozenset({"high", "urgent", "critical", "immediate"})
#: Where Zammad serves an article's file, below the API.
DOWNLOADS = "/ticket_attachment/"
#: What the token made by a password exchange may do.
TOKEN_LABEL = "helpdesk-tray"
#: Zammad's seeded state types by id (``GET /ticket_states`` gives the id; with
#: ``expand=true`` also the name, which wins).
STATE_TYPES = MappingProxyType(
    {
        "1": "new",
        "2": "open",
        "3": "pending reminder",
        "4": "pending action",
        "5": "closed",
        "6": "merged",
        "7": "removed",
    }
)
FINISHED_TYPES = frozenset({"closed", "merged", "removed", "pending action"})
#: A site's own state that waits for the customer, by its name.
WAITING_NAME = re.compile(r"wait\w*\s+(for|on)\s+(the\s+)?(customer|requester|user|you)")

#: Native state → stage. The native state is the state's type, refined (for ``new``,
#: ``open`` and ``pending reminder``) by whether an agent owns it and wrote publicly.
STAGE_TABLE = MappingProxyType(
    {
        "new": Stage.RECEIVED,
        "new+assigned": Stage.ASSIGNED,
        "new+replied": Stage.IN_PROGRESS,
        "open": Stage.IN_PROGRESS,
        "open+assigned": Stage.ASSIGNED,
        "open+replied": Stage.IN_PROGRESS,
        "pending reminder": Stage.IN_PROGRESS,
        "pending reminder+replied": Stage.WAITING_ON_YOU,
        "waiting for customer": Stage.WAITING_ON_YOU,
        "pending action": Stage.RESOLVED,
        "closed": Stage.CLOSED,
        "merged": Stage.CLOSED,
        "removed": Stage.CANCELLED,
    }
)


def native_state(state_type: str, state_name: str, owned: bool, agent_replied: bool) -> str:
    """The key into :data:`STAGE_TABLE`: the state type, refined as the stage rule says."""
    kind = " ".join(state_type.lower().split())
    name = " ".join(state_name.lower().split())
    if agent_replied and kind not in FINISHED_TYPES and WAITING_NAME.search(name):
        return "waiting for customer"
    if kind in ("new", "open"):
        if agent_replied:
            return f"{kind}+replied"
        return f"{kind}+assigned" if owned else kind
    if kind == "pending reminder" and agent_replied:
        return "pending reminder+replied"
    return kind


# --- reading Zammad's answers ------------------------------------------------------------


def _id(value: Any, what: str = "id") -> str:
    return kit.desk_id(value, what=what)


def _article_id(item: Mapping[str, Any]) -> str:
    return _id(item["id"], what="article id")


def _size(value: Any) -> int:
    """A file's size: Zammad sends it as text (``"1234"``) or a number."""
    text = kit.text(value, "0", numbers=True)
    kit.expect(text.isdigit(), "attachment", f"bad size {text[:20]!r}")
    return int(text)


def _plain(body: str, content_type: str) -> str:
    """An article's text: HTML (what agents write in Zammad) made plain."""
    if content_type.lower() != "text/html":
        return body
    return kit.html_text(body)


def _sender_name(value: Any) -> str:
    """``from`` without an e-mail address (``Anna Jansen <anna@…>``)."""
    text = kit.text(value)
    return text.split("<", 1)[0].strip().strip('"') or text


def _iso(value: Any, what: str) -> datetime:
    try:
        return kit.timestamp(value)
    except BadResponse as error:
        raise BadResponse(f"{what}: {error.detail}") from None


@dataclass(frozen=True)
class _User:
    """What a customer may read of another user (``id, firstname, lastname, image``)."""

    name: str
    image: str | None


def _user(item: Mapping[str, Any]) -> _User:
    name = " ".join(
        p for p in (kit.text(item.get("firstname")), kit.text(item.get("lastname"))) if p
    )  # fmt: skip
    image = item.get("image")
    if image is not None and not (isinstance(image, str) and IMAGE_HASH.fullmatch(image)):
        image = None  # a hash we would not put in a path
    return _User(name or kit.text(item.get("login")), image)


@dataclass(frozen=True)
class _Window:
    """The change cursor: the newest ``updated_at`` seen, and what was seen near it.

    ``seen`` holds each ticket (id → its ``updated_at`` as Zammad wrote it) updated
    within :data:`CURSOR_MARGIN_S` of ``newest``: the next search reaches back that
    far and leaves out each one whose ``updated_at`` is what it was.
    """

    newest: str | None
    seen: Mapping[str, str]

    def dumps(self) -> str:
        return json.dumps({"v": 1, "newest": self.newest, "seen": dict(self.seen)})

    @classmethod
    def loads(cls, text: str) -> _Window | None:
        try:
            data = json.loads(text)
            if data.get("v") != 1:
                return None
            newest = data.get("newest")
            if newest is not None:
                kit.timestamp(newest)
            seen = {str(k): str(v) for k, v in dict(data["seen"]).items()}
            return cls(None if newest is None else str(newest), seen)
        except (ValueError, TypeError, KeyError, AttributeError, BadResponse):
            return None

    def start(self) -> datetime | None:
        if self.newest is None:
            return None
        return kit.timestamp(self.newest) - timedelta(seconds=CURSOR_MARGIN_S)


@dataclass(frozen=True)
class _Read:
    """One ticket as the employee reads it: its record and its public articles."""

    data: Mapping[str, Any]
    articles: list[Mapping[str, Any]]


class ZammadDesk:
    """One employee's view of a Zammad (implements ``DeskPort``)."""

    def __init__(self, http: HttpClient, group: str = DEFAULT_GROUP) -> None:
        self._http = http
        self._group = group or DEFAULT_GROUP
        self._stages = StageTable(KIND, STAGE_TABLE)
        self._me: str | None = None
        self._states: dict[str, tuple[str, str]] | None = None
        self._priorities: dict[str, str] | None = None
        self._people: Recent[_User] = Recent(256)
        #: Ticket id → (``updated_at`` as written, when an agent last wrote publicly).
        self._replies: Recent[tuple[str, datetime | None]] = Recent(512)
        #: Ticket id → the last line of its first article (it never changes).
        self._key_lines: Recent[str] = Recent(512)
        self._lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------

    def _list(self, path: str, what: str, params: Mapping[str, str] | None = None) -> list[Any]:
        data = self._http.request("GET", path, params=params).json()
        if not isinstance(data, list):
            raise BadResponse(f"expected {what} as a list, got {type(data).__name__}")
        return data

    def _my_id(self) -> str:
        if self._me is None:
            self.whoami()
        assert self._me is not None
        return self._me

    def _state_table(self, refresh: bool = False) -> dict[str, tuple[str, str]]:
        """State id → (name, type), from ``GET /ticket_states?expand=true`` (asked once)."""
        with self._lock:
            known = None if refresh else self._states
        if known is not None:
            return known
        items = kit.records(self._list("/ticket_states", "states", {"expand": "true"}), "states")

        def build() -> dict[str, tuple[str, str]]:
            table = {}
            for item in items:
                ident = _id(item["id"], what="state id")
                kind = kit.text(item.get("state_type")) or STATE_TYPES.get(
                    kit.text(item.get("state_type_id"), numbers=True), ""
                )
                table[ident] = (kit.text(item.get("name")), kind.lower())
            return table

        table = kit.mapped("states", build)
        with self._lock:
            self._states = table
        return table

    def _state(self, state_id: Any) -> tuple[str, str]:
        ident = _id(state_id, what="state id")
        table = self._state_table()
        if ident not in table:
            table = self._state_table(refresh=True)  # a state IT added since
        return table.get(ident, ("", ""))

    def _state_of_type(self, kind: str, preferred: str) -> str | None:
        table = self._state_table()
        ids = [i for i, (_, k) in sorted(table.items(), key=lambda p: int(p[0])) if k == kind]
        named = [i for i in ids if table[i][0].lower() == preferred]
        chosen = named or ids
        return chosen[0] if chosen else None

    def _priority(self, priority_id: Any) -> str:
        if priority_id is None:
            return ""
        ident = _id(priority_id, what="priority id")
        with self._lock:
            table = self._priorities
        if table is None or ident not in table:
            items = kit.records(self._list("/ticket_priorities", "priorities"), "priorities")
            table = kit.mapped(
                "priorities",
                lambda: {_id(p["id"]): kit.text(p.get("name")) for p in items},
            )
            with self._lock:
                self._priorities = table
        return table.get(ident, "")

    # --- who -------------------------------------------------------------------------------

    def whoami(self) -> Person:
        """The signed-in employee (``GET /users/me``: a wrong token answers 401 here)."""
        response = self._http.request("GET", "/users/me")
        me = kit.answer(response, 200, "user")

        def build() -> Person:
            self._me = _id(me["id"], what="user id")
            login = kit.text(me.get("login"))
            return Person(
                username=login,
                name=_user(me).name or login,
                email=kit.text(me.get("email")),
                department=kit.text(me.get("department")) or None,  # for match.desk
            )

        return kit.mapped("user", build)

    # --- reports ----------------------------------------------------------------------------

    def create_ticket(self, report: Report) -> TicketRef:
        """``POST /tickets`` with the report as its first article (files in base64).

        Raises:
            QueueRefused: Zammad does not know the group, or the employee may not use it.
            AttachmentRefused: the request was too large for the desk.
        """
        me = self._my_id()
        article: dict[str, Any] = {
            "subject": report.subject,
            "body": kit.with_key_line(report.description, report.key),
            "content_type": "text/plain",
            "type": "web",
            "internal": False,
        }
        if report.attachments:
            article["attachments"] = [_encoded(a) for a in report.attachments]
        group = report.queue or self._group
        body = {"title": report.subject, "group": group, "article": article}
        try:
            response = self._http.request("POST", "/tickets", json_body=body)
        except Rejected as error:
            if error.reason == "413":
                raise AttachmentRefused(error.detail, "too_large") from error
            if "group" in error.detail.lower():
                raise QueueRefused(f"Zammad refused the group {group!r}: {error.detail}") from error
            raise
        data = kit.answer(response, 201, "new ticket")

        def check() -> TicketRef:
            ref = _ref(data)
            kit.expect(kit.same_text(report.subject, data.get("title")), "new ticket", "no title")
            customer = _id(data["customer_id"], what="customer id")
            kit.expect(customer == me, "new ticket", "it is not the employee's")
            return ref

        return kit.mapped("new ticket", check)

    def find_by_report_key(self, key: str) -> TicketRef | None:
        """The employee's ticket whose first article ends with this key, if any."""
        line = f"{REPORT_ID_LINE}{key}"
        checked: set[str] = set()
        found = self._search({"query": key, "per_page": "20", "page": "1"})
        # The search index may not have it yet: the employee's tickets created lately,
        # newest first, page by page (a shared organisation's colleagues' come too).
        since = datetime.now(UTC) - REPORT_ID_LOOKBACK
        recent: list[Mapping[str, Any]] = []
        for page in range(1, REPORT_ID_PAGES + 1):
            items = self._search(
                {"query": "*", "sort_by": "created_at", "order_by": "desc",
                 "per_page": str(REPORT_ID_PER_PAGE), "page": str(page)}
            )  # fmt: skip
            lately = [t for t in items if _iso(t.get("created_at"), "ticket") >= since]
            recent += [t for t in lately if self._mine(t)]
            if len(items) < REPORT_ID_PER_PAGE or len(lately) < len(items):
                break
        candidates = [t for t in found if self._mine(t)] + recent[:REPORT_ID_CANDIDATES]
        for item in candidates:
            ref = kit.mapped("ticket", functools.partial(_ref, item))
            if ref.id in checked:
                continue
            checked.add(ref.id)
            if self._key_line(ref) == line:
                return ref
        return None

    def _mine(self, item: Mapping[str, Any]) -> bool:
        return kit.text(item.get("customer_id"), numbers=True) == self._my_id()

    def _key_line(self, ref: TicketRef) -> str:
        kept = self._key_lines.get(ref.id)
        if kept is None:
            articles = self._articles(ref)
            first = kit.mapped(
                "articles", lambda: min(articles, key=lambda a: int(_id(a["id"])), default=None)
            )
            body = "" if first is None else kit.text(first.get("body"))
            kept = kit.last_line(_plain(body, kit.text(first.get("content_type")) if first else ""))
            if first is not None:
                self._key_lines.put(ref.id, kept)
        return kept

    # --- lists and changes ------------------------------------------------------------------

    def _search(self, params: Mapping[str, str]) -> list[Mapping[str, Any]]:
        """One search page: the tickets in the order Zammad gave (owners remembered)."""
        response = self._http.request("GET", "/tickets/search", params=params)
        data = kit.answer(response, 200, "ticket search")
        ids = data.get("tickets")
        if not isinstance(ids, list):
            raise BadResponse("expected the ticket search's ids as a list")
        assets = kit.record(data.get("assets") or {}, "assets")
        tickets = kit.record(assets.get("Ticket") or {}, "ticket assets")
        users = kit.record(assets.get("User") or {}, "user assets")
        for ident, item in users.items():
            person = kit.mapped("user", functools.partial(_user, kit.record(item, "user")))
            self._people.put(_id(str(ident), what="user id"), person)

        def build() -> list[Mapping[str, Any]]:
            return [kit.record(tickets[_id(i, what="ticket id")], "ticket") for i in ids]

        return kit.mapped("ticket search", build)

    def _pages(self, sort_by: str) -> Iterator[list[Mapping[str, Any]]]:
        for page in range(1, MAX_PAGES + 1):
            params = {
                "query": "*", "sort_by": sort_by, "order_by": "desc",
                "page": str(page), "per_page": str(PER_PAGE),
            }  # fmt: skip
            items = self._search(params)
            yield items
            if len(items) < PER_PAGE:
                return
        logger.warning("Zammad: more than %d pages of tickets; the rest is left out", MAX_PAGES)

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """The employee's tickets changed since ``since``: one sorted search, paged.

        Pages are read newest first until a ticket older than the window's start.
        """
        previous = _Window.loads(since.value) if since is not None else None
        start = previous.start() if previous is not None else None
        me = self._my_id()
        summaries: list[TicketSummary] = []
        everything: list[tuple[str, str, datetime]] = []
        done = False
        for items in self._pages("updated_at"):
            for item in items:
                updated_raw = kit.text(item.get("updated_at"))
                updated = _iso(updated_raw, "ticket")
                if start is not None and updated < start:
                    done = True
                    break
                if kit.text(item.get("customer_id"), numbers=True) != me:
                    continue  # a colleague's, shared through the organisation
                summary = kit.mapped("ticket", functools.partial(self._listed, item))
                everything.append((summary.ref.id, updated_raw, updated))
                if previous is not None and previous.seen.get(summary.ref.id) == updated_raw:
                    continue  # returned as it is by the previous search
                summaries.append(summary)
            if done:
                break
        newest = max((u for _, _, u in everything), default=None)
        if newest is None:
            window = previous or _Window(None, {})
        else:
            edge = newest - timedelta(seconds=CURSOR_MARGIN_S)
            raw = next(r for _, r, u in everything if u == newest)
            window = _Window(raw, {i: r for i, r, u in everything if u >= edge})
        return summaries, Cursor(window.dumps())

    def _listed(self, item: Mapping[str, Any]) -> TicketSummary:
        ident = _id(item["id"], what="ticket id")
        updated = kit.text(item.get("updated_at"))
        contact = kit.optional_timestamp(item.get("last_contact_agent_at"))
        kind = self._state(item["state_id"])[1]
        if contact is not None or kind not in ("new", "open", "pending reminder"):
            replied = contact
        else:
            kept = self._replies.get(ident)
            if kept is not None and kept[0] == updated:
                replied = kept[1]
            else:  # a public note leaves last_contact_agent_at empty: the articles say
                replied = _replied_at(self._articles(TicketRef(ident)))
                self._replies.put(ident, (updated, replied))
        return self._summary(item, replied)

    def _summary(self, item: Mapping[str, Any], replied: datetime | None) -> TicketSummary:
        name, kind = self._state(item["state_id"])
        owner = _id(item.get("owner_id") or NOBODY, what="owner id")
        agent = None
        if owner != NOBODY:
            person = self._people.get(owner)
            agent = Agent(name=person.name if person else "", id=owner)
        priority = self._priority(item.get("priority_id"))
        state = native_state(kind, name, agent is not None, replied is not None)
        return TicketSummary(
            ref=_ref(item),
            title=kit.text(item.get("title")),
            stage=self._stages.stage(state),
            native_status=state,
            updated=_iso(item["updated_at"], "ticket"),
            created=_iso(item["created_at"], "ticket"),
            agent=agent,
            agent_replied_at=replied,
            urgent=bool(URGENT_WORDS & set(re.split(r"\W+", priority.lower()))),
        )

    # --- one ticket -------------------------------------------------------------------------

    def _record(self, ref: TicketRef) -> Mapping[str, Any]:
        """``GET /tickets/{id}``: the employee's own ticket, else :class:`NotFound`."""
        path = kit.path("tickets", kit.ref_id(ref.id))
        try:
            response = self._http.request("GET", path)
        except Forbidden as error:
            raise NotFound(f"ticket {ref.id} is out of the user's sight") from error
        data = kit.answer(response, 200, f"ticket {ref.id}")
        kit.mapped("ticket", lambda: kit.expect(_ref(data).id == ref.id, "ticket", "another came"))
        if not self._mine(data):
            raise NotFound(f"ticket {ref.id} is not the user's own (shared organisation)")
        return data

    def _articles(self, ref: TicketRef) -> list[Mapping[str, Any]]:
        path = kit.path("ticket_articles", "by_ticket", kit.ref_id(ref.id))
        try:
            items = kit.records(self._list(path, "articles"), "articles")
        except Forbidden as error:
            raise NotFound(f"ticket {ref.id} is out of the user's sight") from error
        for item in items:
            kit.mapped("article", functools.partial(_article_id, item))
            kit.expect(
                kit.text(item.get("ticket_id"), numbers=True) == ref.id,
                "articles", "an article of another ticket came",
            )  # fmt: skip
        return [a for a in items if a.get("internal") is not True and a.get("sender") != "System"]

    def _owner(self, data: Mapping[str, Any]) -> None:
        """Learn the owner's name and photo hash (a search by the ticket's number)."""
        owner = _id(data.get("owner_id") or NOBODY, what="owner id")
        if owner != NOBODY and self._people.get(owner) is None:
            self._search({"query": kit.text(data.get("number"), numbers=True), "per_page": "10"})

    def ticket(self, ref: TicketRef) -> Ticket:
        """One ticket with its public history: the report, and each public article."""
        data = self._record(ref)
        self._owner(data)
        articles = self._articles(ref)
        return kit.mapped("ticket", lambda: self._build(_Read(data, articles)))

    def _build(self, read: _Read) -> Ticket:
        data, base = read.data, self._http.base_url
        ident = _id(data["id"])
        events: list[TicketEvent] = []
        description = ""
        ordered = sorted(read.articles, key=lambda a: int(_id(a["id"])))
        for index, article in enumerate(ordered):
            article_id = _id(article["id"], what="article id")
            files = tuple(
                AttachmentInfo(
                    filename=kit.text(f.get("filename")),
                    size=_size(f.get("size")),
                    content_type=_content_type(f.get("preferences")),
                    url=f"{base}{kit.path('ticket_attachment', ident, article_id, _id(f['id']))}",
                )
                for f in kit.records(article.get("attachments") or [], "attachments")
            )
            text = _plain(kit.text(article.get("body")), kit.text(article.get("content_type")))
            by_agent = article.get("sender") == "Agent"
            at = _iso(article["created_at"], "article")
            author = _sender_name(article.get("from"))
            if index == 0 and not by_agent:
                description = kit.without_key_line(text)
                events.append(
                    TicketEvent(
                        id=f"{ident}-created", at=at, kind=EventKind.CREATED, author=author,
                        attachments=files,
                    )
                )  # fmt: skip
                continue
            events.append(
                TicketEvent(
                    id=article_id, at=at, kind=EventKind.MESSAGE, text=text, author=author,
                    by_agent=by_agent, attachments=files,
                )
            )  # fmt: skip
        contact = kit.optional_timestamp(data.get("last_contact_agent_at"))
        replied = max(filter(None, (contact, _replied_at(ordered))), default=None)
        summary = self._summary(data, replied)
        self._replies.put(ident, (kit.text(data.get("updated_at")), replied))
        return Ticket(summary=summary, description=description, events=tuple(events))

    # --- the employee's actions -------------------------------------------------------------

    def _post(
        self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()
    ) -> Mapping[str, Any]:
        """The employee's public article (``POST /ticket_articles``); its answer checked.

        Raises:
            Forbidden: a closed ticket whose group takes no follow-ups (nothing written).
            BadResponse: the answer is not the article written (not known to be done).
        """
        body: dict[str, Any] = {
            "ticket_id": int(kit.ref_id(ref.id)), "body": text, "content_type": "text/plain",
            "type": "web", "internal": False,
        }  # fmt: skip
        if attachments:
            body["attachments"] = [_encoded(a) for a in attachments]
        try:
            response = self._http.request("POST", "/ticket_articles", json_body=body)
        except Rejected as error:
            if "follow-up" in error.detail.lower() or "follow up" in error.detail.lower():
                raise Forbidden(
                    f"ticket {ref.id} is closed and its group takes no follow-ups:"
                    " Zammad asks for a new ticket (nothing was written)",
                    "rights",
                ) from error
            raise
        data = kit.answer(response, 201, f"article on ticket {ref.id}")
        what = f"article on ticket {ref.id}"
        kit.expect(kit.text(data.get("ticket_id"), numbers=True) == ref.id, what, "wrong ticket")
        kit.expect(kit.same_text(text, data.get("body")), what, "the text is not what was sent")
        kit.expect(data.get("internal") is not True, what, "it was stored as internal")
        kit.mapped("article", lambda: _id(data["id"], what="article id"))
        return data

    def _set_state(self, ref: TicketRef, state_id: str) -> str | None:
        """``PUT /tickets/{id}`` with a state; the state Zammad answers (``None``: refused)."""
        path = kit.path("tickets", kit.ref_id(ref.id))
        try:
            response = self._http.request("PUT", path, json_body={"state_id": int(state_id)})
        except (Rejected, Forbidden) as error:
            logger.info("Zammad kept the state of ticket %s: %s", ref.id, error.detail)
            return None
        data = kit.answer(response, 200, f"state of ticket {ref.id}")
        return kit.mapped("ticket", lambda: _id(data["state_id"], what="state id"))

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Add the employee's public article (with files) to their own ticket."""
        self._record(ref)  # a colleague's shared ticket is not the employee's to write to
        self._post(ref, text, attachments)

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        """The employee says it is solved: a note saying so, and the state ``closed``.

        A closed ticket and no ``text``: nothing to send. A state Zammad keeps is
        logged: the agent reads the note and closes it.

        Raises:
            Forbidden: with ``text`` on a closed ticket whose group takes no follow-ups.
        """
        data = self._record(ref)
        kind = kit.mapped("ticket", lambda: self._state(data["state_id"]))[1]
        if kind in ("closed", "merged") and not text.strip():
            return
        self._post(ref, kit.confirmation(text))
        target = self._state_of_type("closed", "closed")
        if target is None:
            return
        answered = self._set_state(ref, target)
        if answered != target:
            logger.info("Zammad kept the note but did not close ticket %s", ref.id)

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        """The employee's note only: the priority is not a customer's to set in Zammad."""
        self._record(ref)
        self._post(ref, text)

    def reopen(self, ref: TicketRef, text: str) -> None:
        """The problem is back: the employee's article, and a finished ticket open again.

        Raises:
            NotFound: the ticket is gone or not the employee's; nothing is sent.
            Forbidden: it stays finished: its group takes no follow-ups (nothing is
                written: Zammad asks for a new ticket), or Zammad kept its state (the
                article is on the ticket all the same).
        """
        data = self._record(ref)
        finished = kit.mapped("ticket", lambda: self._state(data["state_id"]))[1] in FINISHED_TYPES
        self._post(ref, text)
        if not finished:
            return
        after = self._record(ref)  # a follow-up may have opened it already
        name, kind = kit.mapped("ticket", lambda: self._state(after["state_id"]))
        if kind not in FINISHED_TYPES:
            return
        target = self._state_of_type("open", "open")
        answered = self._set_state(ref, target) if target else None
        if answered is None or self._state(answered)[1] in FINISHED_TYPES:
            raise Forbidden(
                f"ticket {ref.id} stays {name or kind}: Zammad did not reopen it", "rights"
            )

    def download(self, file: AttachmentInfo, max_bytes: int) -> bytes:
        """One of a ticket's files, with the employee's token, from Zammad's own API."""
        path = kit.same_origin_path(self._http.base_url, file.url, under=DOWNLOADS)
        response = self._http.request("GET", path)
        return kit.file_body(response.body, file.filename, max_bytes)

    def agent_photo(self, agent: Agent) -> bytes | None:
        """The owner's avatar (``GET /users/image/{hash}``), when their record has one."""
        person = self._people.get(agent.id or "")
        if person is None or person.image is None:
            return None
        response = self._http.request("GET", kit.path("users", "image", person.image))
        return kit.photo_body(response)


def _ref(item: Mapping[str, Any]) -> TicketRef:
    ident = _id(item["id"], what="ticket id")
    number = kit.text(item.get("number"), numbers=True)
    if number and not NUMBER.fullmatch(number):
        raise BadResponse(f"the desk sent an impossible ticket number: {number[:40]!r}")
    return TicketRef(ident, f"#{number}" if number else "")


def _replied_at(articles: Sequence[Mapping[str, Any]]) -> datetime | None:
    """When an agent last wrote a public article (``None``: never)."""
    times = [
        _iso(a["created_at"], "article") for a in articles
        if a.get("sender") == "Agent" and a.get("internal") is not True
    ]  # fmt: skip
    return max(times, default=None)


def _content_type(preferences: Any) -> str:
    prefs = kit.record(preferences or {}, "attachment preferences")
    kind = prefs.get("Content-Type") or prefs.get("Mime-Type")
    return kit.text(kind) or "application/octet-stream"


def _encoded(attachment: Attachment) -> dict[str, str]:
    return {
        "filename": attachment.filename,
        "data": base64.b64encode(attachment.data).decode("ascii"),
        "mime-type": attachment.content_type,
    }


def _token_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Token token={token}"}


class ZammadConnector:
    """Signs employees in to Zammad with their own access token (a password is exchanged)."""

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
        self._group = queue or DEFAULT_GROUP
        self._remember_secret = remember_secret

    @property
    def queue(self) -> str:
        """The group new tickets go to."""
        return self._group

    def _client(self, url: str, headers: Mapping[str, str]) -> HttpClient:
        return HttpClient(
            url.rstrip("/") + API, self._config, headers=headers,
            session_factory=self._session_factory, remember_secret=self._remember_secret,
        )  # fmt: skip

    def _me(self, url: str, headers: Mapping[str, str]) -> Mapping[str, Any]:
        http = self._client(url, headers)
        try:
            return kit.answer(http.request("GET", "/users/me"), 200, "sign-in")
        finally:
            http.close()

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> str:
        """The employee's access token: given as the password, or the password exchanged.

        A token is tried first (``GET /users/me``); when Zammad refuses it and a user
        name is given, the password is exchanged once for a token of the employee's
        own (``POST /user_access_token``), and never kept. With a token, ``username``
        may be empty; when given, it must be the token's user (login or e-mail).

        Raises:
            AuthFailed: Zammad accepted neither, or the password may not make a token
                (IT has not granted it: the employee must paste one), or the token is
                someone else's.
        """
        username, secret = username.strip(), password.strip()
        self._remember_secret(password)
        token = secret if TOKEN.fullmatch(secret) else None
        me: Mapping[str, Any] | None = None
        if token is not None:
            self._remember_secret(token)
            try:
                me = self._me(url, _token_header(token))
            except AuthFailed:
                if not username:
                    raise AuthFailed("Zammad refused the access token") from None
        if me is None:
            if not username:
                raise AuthFailed("paste an access token from your Zammad profile")
            token = self._exchange(url, username, password)
            me = self._me(url, _token_header(token))
        assert token is not None
        names = {kit.text(me.get("login")).lower(), kit.text(me.get("email")).lower()}
        if username and username.lower() not in names:
            raise AuthFailed("the access token belongs to another user")
        return token

    def _exchange(self, url: str, username: str, password: str) -> str:
        http = self._client(url, kit.basic_auth(username, password))
        body = {"label": TOKEN_LABEL, "permission": ["ticket.customer"]}
        try:
            response = http.request("POST", "/user_access_token", json_body=body)
        except Forbidden:
            raise AuthFailed(
                "Zammad may not make you an access token: paste one from your Zammad"
                " profile, or ask IT to grant your role access tokens"
            ) from None
        except AuthFailed:
            raise AuthFailed("Zammad refused the user name or password") from None
        finally:
            http.close()
        data = kit.answer(response, (200, 201), "access token")
        token = kit.credential(data.get("name") or data.get("token"), "access token")
        self._remember_secret(token)
        if not TOKEN.fullmatch(token):
            raise AuthFailed("Zammad gave an access token of a shape it never issues")
        return token

    def open(self, url: str, credential: str) -> ZammadDesk:
        """The employee's view of Zammad, with their token."""
        if credential:
            self._remember_secret(credential)
        if not TOKEN.fullmatch(credential or ""):
            raise AuthFailed("no usable credential")
        return ZammadDesk(self._client(url, _token_header(credential)), self._group)
