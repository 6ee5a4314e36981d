"""A stand-in for Zammad's REST API v1, written from its published documentation.

Not recorded from a live desk: no Zammad can run on this machine. The shapes and
rules come from the ``zammad/zammad-documentation`` pages ``api/intro.rst``
(token and Basic auth, ``expand``, ``page``/``per_page``, ``sort_by``/``order_by``),
``api/ticket/index.rst`` (list, search with ``tickets``/``tickets_count``/``assets``,
show, create answered 201, update), ``api/ticket/articles.rst`` (articles by ticket,
create with base64 attachments, ``/ticket_attachment/{t}/{a}/{id}``),
``api/ticket/states.rst``, ``api/ticket/priorities.rst`` and
``api/user-access-token.rst`` (``POST`` answered ``{"name": <token>}``); and from
what the shared notes (reference: desk-apis §2) read in ``zammad/zammad``: a
customer's visible tickets (own, plus a shared organisation's), the fields a
customer may not set (owner, customer, organisation; an article is always public,
from the Customer, of type ``web`` or ``note``), the states a customer may choose
(types ``open`` and ``closed``), the follow-up rule on a closed ticket (the group's
``follow_up_possible``: ``new_ticket`` answers 422), ``query=*`` being every ticket
(Zammad drops ``*``), ``last_contact_agent_at`` moving only for communication
articles (not notes), the cut-down user records a customer sees of others.

Guessed (not in the pages read): error bodies beyond ``{"error": …}``; that a
customer's ``priority_id`` is ignored rather than refused; that a customer's
article on a pending or closed ticket sets it ``open``; the search's matching (a
substring of title, number, article text); the photo route's answer for an
unknown hash (a small GIF); per-millisecond ``updated_at`` always increasing.

People: employees ``anna`` (Anna Jansen) and ``bram`` (Bram Visser), customers of
one *shared* organisation (so each may read the other's tickets: the adapter must
keep to its own), and agent ``joost`` (Joost Bakker, with a photo). Anna's role
may make access tokens (IT granted it); Bram's may not.
"""

from __future__ import annotations

import base64
import json
import struct
import threading
import urllib.parse
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from client.adapters.desks.zammad import ZammadConnector
from client.adapters.http import HttpConfig
from client.core.ports import DeskPort
from tests.support.contract_desks import ContractDesk

API = "/api/v1"
ANNA_TOKEN = "anna-" + "A1b2" * 15
BRAM_TOKEN = "bram-" + "C3d4" * 15
AGENT_TOKEN = "joost-" + "E5f6" * 15
PASSWORDS = {"anna": "anna-pass-1", "bram": "bram-pass-1", "joost": "joost-pass-1"}
GROUP = "Users"
#: A group whose closed tickets take no follow-up (``follow_up_possible: new_ticket``).
CLOSED_GROUP = "Archive"
NOBODY, JOOST, ANNA, BRAM = 1, 2, 3, 4
PHOTO_HASH = "5b2d8c4c1f0e4a9db36f7c1a2e9d0b47"


def _png() -> bytes:
    """A 2x2 red PNG: the agent's photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


PHOTO = _png()
STATES = [  # id, name, state type id, state type (api/ticket/states.rst)
    (1, "new", 1, "new"), (2, "open", 2, "open"), (3, "pending reminder", 3, "pending reminder"),
    (4, "closed", 5, "closed"), (5, "merged", 6, "merged"), (6, "removed", 7, "removed"),
    (7, "pending close", 4, "pending action"),
]  # fmt: skip
STATE_TYPE = {ident: kind for ident, _, _, kind in STATES}
PRIORITIES = [(1, "1 low"), (2, "2 normal"), (3, "3 high")]
COMMUNICATION = frozenset({"email", "phone", "web", "sms", "chat"})


class Refused(Exception):
    """An error answer: status and Zammad's ``{"error": …}``."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


class ZammadStandin:
    """The desk's state and its answers; serves on 127.0.0.1 from a thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users: dict[int, dict[str, Any]] = {
            NOBODY: self._person(NOBODY, "-", "-", "", None, "nobody"),
            JOOST: self._person(JOOST, "joost", "Joost", "Bakker", PHOTO_HASH, "agent"),
            ANNA: self._person(ANNA, "anna", "Anna", "Jansen", None, "customer", tokens=True),
            BRAM: self._person(BRAM, "bram", "Bram", "Visser", None, "customer"),
        }
        self.tokens = {ANNA_TOKEN: ANNA, BRAM_TOKEN: BRAM, AGENT_TOKEN: JOOST}
        self.groups = {
            1: {"id": 1, "name": GROUP, "follow_up_possible": "yes"},
            2: {"id": 2, "name": CLOSED_GROUP, "follow_up_possible": "new_ticket"},
        }
        self.tickets: dict[int, dict[str, Any]] = {}
        self.articles: dict[int, dict[str, Any]] = {}
        self.files: dict[int, bytes] = {}
        self._last = datetime(2000, 1, 1, tzinfo=UTC)
        self._ids = iter(range(1, 10**9))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @staticmethod
    def _person(
        ident: int, login: str, first: str, last: str, image: str | None, role: str,
        tokens: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        org = 1 if role == "customer" else None
        return {
            "id": ident, "login": login, "firstname": first, "lastname": last,
            "email": f"{login}@example.com" if role != "nobody" else "", "image": image,
            "image_source": None, "active": role != "nobody", "organization_id": org,
            "role": role, "may_make_tokens": tokens,
            # A user's department is one of Zammad's own user attributes.
            "department": "Finance" if role == "customer" else "",
        }  # fmt: skip

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- rules -----------------------------------------------------------------------------

    def now(self) -> str:
        """Zammad's time format: ISO 8601, milliseconds, UTC ("Z")."""
        moment = datetime.now(UTC)
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        if moment <= self._last:
            moment = self._last + timedelta(milliseconds=1)
        self._last = moment
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def user(self, header: str) -> dict[str, Any]:
        scheme, _, value = header.partition(" ")
        if scheme == "Token" and value.startswith("token=") and value[6:] in self.tokens:
            return self.users[self.tokens[value[6:]]]
        if scheme == "Basic":
            login, _, password = base64.b64decode(value).decode().partition(":")
            for person in self.users.values():
                if person["login"] == login and PASSWORDS.get(login) == password:
                    return person
        raise Refused(401, "Invalid token!" if scheme == "Token" else "authentication failed")

    def visible(self, me: dict[str, Any], ticket: dict[str, Any]) -> bool:
        if me["role"] == "agent":
            return True
        shared = me["organization_id"] is not None
        return ticket["customer_id"] == me["id"] or (
            shared and ticket["organization_id"] == me["organization_id"]
        )

    def ticket(self, me: dict[str, Any], ident: str) -> dict[str, Any]:
        ticket = self.tickets.get(int(ident)) if ident.isdigit() else None
        if ticket is None:
            raise Refused(404, f"Couldn't find Ticket with 'id'={ident}")
        if not self.visible(me, ticket):
            raise Refused(403, "Not authorized")
        return ticket

    def shown_user(self, me: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
        keep = {k: v for k, v in person.items() if k not in ("role", "may_make_tokens")}
        if me["role"] == "agent" or person["id"] == me["id"]:
            return keep
        return {
            k: keep[k] for k in ("id", "firstname", "lastname", "image", "image_source", "active")
        }

    def expanded(self, ticket: dict[str, Any]) -> dict[str, Any]:
        state = next(name for i, name, _, _ in STATES if i == ticket["state_id"])
        return {
            **ticket, "state": state, "group": self.groups[ticket["group_id"]]["name"],
            "priority": dict(PRIORITIES)[ticket["priority_id"]],
            "owner": self.users[ticket["owner_id"]]["login"],
            "customer": self.users[ticket["customer_id"]]["login"],
        }  # fmt: skip

    def add_article(self, me: dict[str, Any], ticket: dict[str, Any], data: dict[str, Any]) -> Any:
        kind = str(data.get("type") or "note")
        internal = bool(data.get("internal"))
        sender = "Agent"
        if me["role"] != "agent":  # a customer's article: public, from the Customer
            sender, internal = "Customer", False
            kind = kind if kind in ("web", "note") else "note"
        ident, at = next(self._ids), self.now()
        files = []
        for item in data.get("attachments") or []:
            raw = base64.b64decode(item["data"])
            file_id = next(self._ids)
            self.files[file_id] = raw
            mime = item.get("mime-type") or "application/octet-stream"
            files.append({
                "id": file_id, "filename": item["filename"], "size": str(len(raw)),
                "preferences": {"Content-Type": mime, "Mime-Type": mime},
            })  # fmt: skip
        name = f"{me['firstname']} {me['lastname']}".strip()
        article = {
            "id": ident, "ticket_id": ticket["id"], "from": name, "to": "", "cc": "",
            "subject": data.get("subject") or ticket["title"], "body": str(data.get("body") or ""),
            "content_type": data.get("content_type") or "text/plain", "type": kind,
            "sender": sender, "internal": internal, "created_by_id": me["id"],
            "updated_by_id": me["id"], "created_at": at, "updated_at": at, "attachments": files,
        }  # fmt: skip
        self.articles[ident] = article
        ticket["article_count"] += 1
        ticket["updated_at"] = at
        ticket["article_ids"].append(ident)
        if not internal and kind in COMMUNICATION and sender != "System":
            ticket["last_contact_at"] = at
            ticket[f"last_contact_{sender.lower()}_at"] = at
        if sender == "Customer" and STATE_TYPE[ticket["state_id"]] not in ("new", "open"):
            ticket["state_id"] = 2  # a customer's follow-up opens it again (guessed)
        return article

    def follow_up(self, me: dict[str, Any], ticket: dict[str, Any]) -> None:
        closed = STATE_TYPE[ticket["state_id"]] == "closed"
        if closed and me["role"] != "agent":
            if self.groups[ticket["group_id"]]["follow_up_possible"] != "yes":
                raise Refused(
                    422, "Cannot follow-up on a closed ticket. Please create a new ticket."
                )

    def state_id(self, data: dict[str, Any]) -> int | None:
        if "state_id" in data:
            return int(data["state_id"])
        if "state" in data:
            return next((i for i, name, _, _ in STATES if name == data["state"]), -1)
        return None

    # --- endpoints -------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str], auth: str, body: Any) -> Any:
        me = self.user(auth)
        parts = path.removeprefix(API).strip("/").split("/")
        with self.lock:
            return self._route(me, method, parts, query, body if isinstance(body, dict) else {})

    def _route(
        self, me: dict[str, Any], method: str, parts: list[str], query: dict[str, str],
        body: dict[str, Any],
    ) -> Any:  # fmt: skip
        expand = query.get("expand") == "true"
        match method, parts:
            case "GET", ["users", "me"]:
                return 200, self.shown_user(me, me)
            case "POST", ["user_access_token"]:
                if not me["may_make_tokens"]:
                    raise Refused(403, "Not authorized (user)!")
                token = f"{me['login']}-made-" + base64.urlsafe_b64encode(bytes(range(33))).decode()
                self.tokens[token] = me["id"]
                return 200, {"name": token}
            case "GET", ["users", "image", image]:
                if image == PHOTO_HASH:
                    return 200, ("image/png", PHOTO)
                return 200, ("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
            case "GET", ["ticket_states"]:
                return 200, [
                    {"id": i, "name": n, "state_type_id": t, "active": i != 6,
                     **({"state_type": kind} if expand else {})}
                    for i, n, t, kind in STATES
                ]  # fmt: skip
            case "GET", ["ticket_priorities"]:
                return 200, [{"id": i, "name": n, "active": True} for i, n in PRIORITIES]
            case "GET", ["tickets"]:
                page, per_page = (
                    int(query.get("page", 1)),
                    min(int(query.get("per_page", 100)), 100),
                )
                mine = [t for _, t in sorted(self.tickets.items()) if self.visible(me, t)]
                chosen = mine[(page - 1) * per_page : page * per_page]
                return 200, [self.expanded(t) if expand else t for t in chosen]
            case "GET", ["tickets", "search"]:
                return 200, self.search(me, query)
            case "GET", ["tickets", ident]:
                ticket = self.ticket(me, ident)
                return 200, self.expanded(ticket) if expand else ticket
            case "POST", ["tickets"]:
                return 201, self.create(me, body)
            case "PUT", ["tickets", ident]:
                return 200, self.update(me, self.ticket(me, ident), body)
            case "GET", ["ticket_articles", "by_ticket", ident]:
                ticket = self.ticket(me, ident)
                shown = [self.articles[i] for i in ticket["article_ids"]]
                return 200, [a for a in shown if me["role"] == "agent" or not a["internal"]]
            case "POST", ["ticket_articles"]:
                ticket = self.ticket(me, str(body.get("ticket_id")))
                self.follow_up(me, ticket)
                return 201, self.add_article(me, ticket, body)
            case "GET", ["ticket_attachment", ticket_id, article_id, file_id]:
                ticket = self.ticket(me, ticket_id)
                article = self.articles.get(int(article_id)) if article_id.isdigit() else None
                if (
                    article is None
                    or article["ticket_id"] != ticket["id"]
                    or (article["internal"] and me["role"] != "agent")
                    or not file_id.isdigit()
                    or int(file_id) not in self.files
                ):
                    raise Refused(404, "Couldn't find Store")
                return 200, ("application/octet-stream", self.files[int(file_id)])
        raise Refused(404, f"No route matches [{method}] {'/'.join(parts)}")

    def search(self, me: dict[str, Any], query: dict[str, str]) -> Any:
        text = query.get("query", "").replace("*", "").strip().lower()
        per_page = min(int(query.get("per_page", 50)), 200)
        page = int(query.get("page", 1))
        sort_by = query.get("sort_by", "updated_at")
        if sort_by not in ("updated_at", "created_at", "id"):
            sort_by = "updated_at"

        def matches(ticket: dict[str, Any]) -> bool:
            if not text:
                return True
            fields = [ticket["title"], ticket["number"]] + [
                f"{a['body']} {a['from']} {a['subject']}"
                for a in (self.articles[i] for i in ticket["article_ids"])
            ]
            return any(text in str(field).lower() for field in fields)

        found = [t for t in self.tickets.values() if self.visible(me, t) and matches(t)]
        found.sort(
            key=lambda t: (t[sort_by], t["id"]), reverse=query.get("order_by", "desc") != "asc"
        )
        chosen = found[(page - 1) * per_page : page * per_page]
        if query.get("expand") == "true":
            return [self.expanded(t) for t in chosen]
        people = {t[k] for t in chosen for k in ("owner_id", "customer_id", "created_by_id")}
        return {
            "tickets": [t["id"] for t in chosen], "tickets_count": len(chosen),
            "assets": {
                "Ticket": {str(t["id"]): t for t in chosen},
                "User": {str(i): self.shown_user(me, self.users[i]) for i in people},
            },
        }  # fmt: skip

    def create(self, me: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        group = next((g for g in self.groups.values() if g["name"] == body.get("group")), None)
        if group is None:
            raise Refused(422, f"No lookup value found for 'group': {body.get('group')!r}")
        if not body.get("title"):
            raise Refused(422, "Title can't be blank")
        customer = me["id"] if me["role"] != "agent" else int(body.get("customer_id") or me["id"])
        ident, at = next(self._ids), self.now()
        ticket = {
            "id": ident, "group_id": group["id"], "priority_id": 2, "state_id": 1,
            "organization_id": self.users[customer]["organization_id"],
            "number": str(31000 + ident), "title": str(body["title"]), "owner_id": NOBODY,
            "customer_id": customer, "note": None, "last_contact_at": None,
            "last_contact_agent_at": None, "last_contact_customer_at": None,
            "article_count": 0, "pending_time": None, "preferences": {}, "created_by_id": me["id"],
            "updated_by_id": me["id"], "created_at": at, "updated_at": at, "article_ids": [],
        }  # fmt: skip
        self.tickets[ident] = ticket
        if isinstance(body.get("article"), dict):
            self.add_article(me, ticket, body["article"])
        return ticket

    def update(self, me: dict[str, Any], ticket: dict[str, Any], body: dict[str, Any]) -> Any:
        self.follow_up(me, ticket)
        state = self.state_id(body)
        agent = me["role"] == "agent"
        if state is not None:
            allowed = {i for i, _, _, kind in STATES if agent or kind in ("open", "closed")}
            if state not in allowed:
                raise Refused(422, "The state is not one you may choose")
            ticket["state_id"] = state
        if agent:  # a customer's owner, customer, organisation and priority are dropped
            for key in ("owner_id", "priority_id", "group_id"):
                if key in body:
                    ticket[key] = int(body[key])
            if "pending_time" in body:
                ticket["pending_time"] = body["pending_time"]
        if "title" in body:
            ticket["title"] = str(body["title"])
        ticket["updated_by_id"], ticket["updated_at"] = me["id"], self.now()
        if isinstance(body.get("article"), dict):
            self.add_article(me, ticket, body["article"])
        return ticket


def _handler(desk: ZammadStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            split = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(split.query))
            try:
                body = json.loads(raw) if raw else {}
                status, data = desk.answer(
                    self.command, split.path, query, self.headers.get("Authorization", ""), body
                )
            except Refused as refusal:
                status, data = refusal.status, {"error": refusal.error}
            except (ValueError, KeyError, TypeError) as error:
                status, data = 422, {"error": f"{type(error).__name__}: {error}"}
            if isinstance(data, tuple):
                kind, payload = data
            else:
                kind, payload = "application/json; charset=utf-8", json.dumps(data).encode()
            self.send_response(status)  # with a Date header, as Zammad's server sends
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

    return Handler


class _ZammadAgent:
    """The agent, through Zammad's own REST API with their access token."""

    name = "Joost Bakker"

    def __init__(self, url: str) -> None:
        self._url = url.rstrip("/") + API
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Token token={AGENT_TOKEN}"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        answer = self._session.request(method, self._url + path, json=body, timeout=10)
        assert answer.status_code in (200, 201), (answer.status_code, answer.text[:300])
        return answer.json() if answer.headers["Content-Type"].startswith("application/json") else (
            answer.content
        )  # fmt: skip

    def _pending(self) -> str:
        return (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def assign(self, ticket_id: str) -> None:
        self._call("PUT", f"/tickets/{ticket_id}", {"owner_id": JOOST})

    def reply(self, ticket_id: str, text: str, public: bool = True) -> None:
        # A public *note*, as agents write in Zammad: it leaves last_contact_agent_at alone.
        article = {
            "ticket_id": int(ticket_id),
            "body": text,
            "type": "note",
            "internal": not public,
        }
        self._call("POST", "/ticket_articles", article)

    def hold(self, ticket_id: str) -> None:
        body = {"state": "pending reminder", "pending_time": self._pending()}
        self._call("PUT", f"/tickets/{ticket_id}", body)

    def resolve(self, ticket_id: str, text: str) -> None:
        article = {"body": text, "type": "note", "internal": False}
        body = {"state": "pending close", "pending_time": self._pending(), "article": article}
        self._call("PUT", f"/tickets/{ticket_id}", body)

    def close_ticket(self, ticket_id: str) -> None:
        """Close it (not part of the contract's agent: Zammad's own tests use it)."""
        self._call("PUT", f"/tickets/{ticket_id}", {"state": "closed"})

    def move(self, ticket_id: str, group_id: int) -> None:
        """Put it in another group (the desk's test of follow-ups refused)."""
        self._call("PUT", f"/tickets/{ticket_id}", {"group_id": group_id})

    def is_open(self, ticket_id: str) -> bool:
        state = self._call("GET", f"/tickets/{ticket_id}?expand=true")["state"]
        return state in ("new", "open")

    def _articles(self, ticket_id: str) -> list[dict[str, Any]]:
        articles: list[dict[str, Any]] = self._call(
            "GET", f"/ticket_articles/by_ticket/{ticket_id}"
        )
        return articles

    def conversation(self, ticket_id: str) -> str:
        return "\n".join(f"{a['from']}: {a['body']}" for a in self._articles(ticket_id))

    def files(self, ticket_id: str) -> dict[str, bytes]:
        return {
            f["filename"]: self._call("GET", f"/ticket_attachment/{ticket_id}/{a['id']}/{f['id']}")
            for a in self._articles(ticket_id) for f in a["attachments"]
        }  # fmt: skip

    def close(self) -> None:
        self._session.close()


@pytest.fixture(scope="session")
def zammad_standin() -> Iterator[ZammadStandin]:
    """The stand-in, serving for the whole session."""
    desk = ZammadStandin()
    desk.start()
    yield desk
    desk.stop()


def contract_desk(request: pytest.FixtureRequest) -> ContractDesk:
    """Zammad's stand-in as a contract desk (``tests/support/contract_desks.py``)."""
    desk: ZammadStandin = request.getfixturevalue("zammad_standin")

    def as_user(token: str) -> Any:
        def open_desk(url: str, config: HttpConfig) -> DeskPort:
            return ZammadConnector(config, queue=GROUP).open(url, token)

        return open_desk

    return ContractDesk(
        kind="zammad",
        url=desk.url,
        create_path=API + "/tickets",
        open=as_user(ANNA_TOKEN),
        open_other=lambda: as_user(BRAM_TOKEN)(desk.url, HttpConfig()),
        agent=lambda: _ZammadAgent(desk.url),
        agent_photo=PHOTO,
        employee_name="Anna Jansen",
        # The window reaches back, but leaves out each ticket whose updated_at (in
        # milliseconds) is what the previous search saw: an unchanged one never returns.
        lookback=timedelta(0),
    )
