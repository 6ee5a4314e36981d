"""A TOPdesk stand-in on 127.0.0.1: written from the documentation, NOT recorded from a desk.

No TOPdesk can run here, so this small stateful server answers the incident API
(``/tas/api``) in the shapes TOPdesk's published documentation gives, for the
adapter (``client/adapters/desks/topdesk.py``) and the desk contract suite.
Sources read (2026-12-07, through the search tool; nothing was copied):

* developers.topdesk.com: the tutorial (permission group "REST API" and "Use
  application passwords"; HTTP Basic with login name and application password;
  FIQL ``query`` with ``==``, ``=gt=``, ``;``), the incident explorer's operations
  as the Pipedream TOPdesk component mirrors them (createIncident, patchIncident,
  getIncidentProgressTrailById: the fields, their limits, and which "can only be set
  by operators": status, operator, processingStatus, onHold, priority, completed,
  closed on creation, externalNumber, actionInvisibleForCaller, ...);
* Cortex XSOAR's TOPdesk integration (demisto/content, Packs/TOPdesk): the incident,
  action and attachment JSON of its test data (``modificationDate`` like
  ``2021-02-11T06:32:36.000+0000``, attachments' ``fileName``/``downloadUrl``/``size``/
  ``invisibleForCaller``/``entryDate``), "a person can only update incidents he
  created", "Person visibility settings apply" for the incident list;
* UGDSB.PS.Topdesk's endpoint table (``/incidents/id/{id}/progresstrail``,
  ``…/attachments``, ``…/attachments/{aid}/download``, ``/avatars/operator/{id}``).

Guessed (no document reached says; see docs/topdesk.md): that a person's
``/persons/current`` answers their own card; that a person may set ``closed`` on
their incident (integrations say so, the explorer marks ``closed`` operator-only on
creation) and add an action to a completed or closed one, which stays finished;
that a person's action is an ``action`` entry with ``person`` set; the progress
trail's entry shape (``id``, ``type`` request/action/attachment, ``creationDate``,
``memoText``, ``plainText``, ``person``, ``operator``, ``invisibleForCaller``), newest
first, paged with ``start``/``page_size``; that the first request is a trail entry and
the incident's ``request`` holds the text sent; errors as ``[{"message": ...}]``;
that operator-only fields from a person are refused with 400 (TOPdesk may ignore
them instead); 404 for another caller's incident; that a person may read an
operator's avatar, served as an image; the incident number's form. Persons here see
their own incidents only (the strictest visibility setting).
"""

from __future__ import annotations

import base64
import html
import json
import operator
import re
import struct
import threading
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from client.adapters.desks.topdesk import CURSOR_MARGIN_S, TopdeskConnector
from client.adapters.http import HttpConfig
from client.core.ports import DeskPort
from tests.support.contract_desks import ContractDesk

API = "/tas/api"
#: Application passwords (shown once by TOPdesk; here fixed for the session).
ANNA_PASSWORD = "ann4x-q7k2m-p9w3r-t6v8z-b5n1c"
BRAM_PASSWORD = "br4mx-h3j8k-l2m6n-q9r4s-w7t5y"
JOOST_PASSWORD = "j00st-a8b2c-d6e4f-g1h9i-k3l7m"
#: Anna's application password whose expiry date has passed, and her normal password.
ANNA_EXPIRED = "ann4x-0ld00-exp1r-ed000-00000"
ANNA_LOGIN_PASSWORD = "anna-topdesk-login-1"
GROUP = {"id": "5b1f0c52-3c8e-4d7e-9a3f-0d6b7c1e2a90", "name": "Servicedesk"}
STATUSES = [
    {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)), "name": name}
    for name in ("Aangemeld", "In behandeling", "Wacht op gebruiker", "Wacht op leverancier")
]
OPERATOR_ONLY = frozenset(
    {
        "status", "operator", "processingStatus", "onHold", "priority", "completed",
        "completedDate", "closedDate", "impact", "urgency", "entryType", "externalNumber",
        "targetDate", "actionInvisibleForCaller", "responded", "responseDate", "duration",
        "sla", "supplier", "object", "location", "branch", "closureCode", "majorCall",
    }
)  # fmt: skip


def _png() -> bytes:
    """A 1x1 PNG: the operator's avatar."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x2a\x6f\xb3")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PHOTO = _png()


@dataclass(frozen=True)
class _User:
    login: str
    id: str
    name: str
    operator: bool
    passwords: tuple[str, ...]
    expired: tuple[str, ...] = ()

    def ref(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


USERS = {
    u.login: u
    for u in (
        _User("anna", str(uuid.uuid5(uuid.NAMESPACE_DNS, "anna")), "Anna Jansen", False,
              (ANNA_PASSWORD,), (ANNA_EXPIRED,)),
        _User("bram", str(uuid.uuid5(uuid.NAMESPACE_DNS, "bram")), "Bram Visser", False,
              (BRAM_PASSWORD,)),
        _User("joost", str(uuid.uuid5(uuid.NAMESPACE_DNS, "joost")), "Joost Bakker", True,
              (JOOST_PASSWORD,)),
    )
}  # fmt: skip


def _stamp(moment: datetime) -> str:
    """TOPdesk's time: milliseconds and a numeric zone (``2026-12-07T10:00:00.000+0000``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _plain(memo: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", "\n", memo))).strip()


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _Incident:
    id: str
    number: str
    caller: _User
    brief: str
    request: str
    created: datetime
    modified: datetime
    group: dict[str, str] | None
    operator: dict[str, str] | None = None
    status: dict[str, str] | None = None
    on_hold: bool = False
    completed: bool = False
    closed: bool = False
    trail: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[dict[str, Any], bytes]] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id, "number": self.number, "status": "firstLine",
            "briefDescription": self.brief, "request": self.request, "externalNumber": "",
            "caller": {"id": self.caller.id, "dynamicName": self.caller.name},
            "operator": self.operator, "operatorGroup": self.group,
            "processingStatus": self.status, "priority": None, "targetDate": None,
            "onHold": self.on_hold, "responded": False, "completed": self.completed,
            "closed": self.closed, "callDate": _stamp(self.created),
            "creationDate": _stamp(self.created), "modificationDate": _stamp(self.modified),
            "requests": f"{API}/incidents/id/{self.id}/requests",
            "action": f"{API}/incidents/id/{self.id}/actions",
            "attachments": f"{API}/incidents/id/{self.id}/attachments",
        }  # fmt: skip


class TopdeskState:
    """The stand-in's incidents, shared by its request threads."""

    def __init__(self) -> None:
        self.incidents: dict[str, _Incident] = {}
        self.lock = threading.Lock()
        self._last = datetime.now(UTC)

    def now(self) -> datetime:
        """TOPdesk's clock, in milliseconds, never going back."""
        moment = datetime.now(UTC).replace(microsecond=datetime.now(UTC).microsecond // 1000 * 1000)
        self._last = max(moment, self._last)
        return self._last

    def visible(self, user: _User, ident: str) -> _Incident:
        incident = self.incidents.get(ident.lower())
        if incident is None or (not user.operator and incident.caller is not user):
            raise _Refused(404, "Incident not found")
        return incident

    def entry(self, incident: _Incident, user: _User, kind: str, memo: str, hidden: bool) -> None:
        incident.trail.append(
            {
                "id": str(uuid.uuid4()), "type": kind, "creationDate": _stamp(self.now()),
                "invisibleForCaller": hidden, "memoText": memo, "plainText": _plain(memo),
                "person": None if user.operator else user.ref(),
                "operator": user.ref() if user.operator else None,
            }
        )  # fmt: skip


def _fiql(query: str) -> list[tuple[str, str, str]]:
    conditions = []
    for part in filter(None, query.split(";")):
        match = re.fullmatch(r"([A-Za-z.]+)(==|=gt=|=ge=|=lt=|=le=)(.+)", part)
        if match is None or match[1] not in ("caller.id", "creationDate", "modificationDate"):
            raise _Refused(400, f"'{part[:40]}' is not a valid FIQL selector")
        conditions.append((match[1], match[2], match[3].strip("'")))
    return conditions


def _matches(item: dict[str, Any], conditions: list[tuple[str, str, str]]) -> bool:
    for name, op, value in conditions:
        if name == "caller.id":
            if (item["caller"]["id"] == value) != (op == "=="):
                return False
            continue
        have, want = datetime.fromisoformat(item[name]), datetime.fromisoformat(value)
        ok = {"==": have == want, "=gt=": have > want, "=ge=": have >= want,
              "=lt=": have < want, "=le=": have <= want}[op]  # fmt: skip
        if not ok:
            return False
    return True


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    """The form's parts by name: (file name, bytes), byte for byte."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise _Refused(415, "multipart/form-data expected")
    parts = {}
    for part in body.split(b"--" + match[1].encode())[1:-1]:
        head, _, data = part[2:].partition(b"\r\n\r\n")
        disposition = head.decode("latin-1")
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'filename="([^"]*)"', disposition)
        if name:
            parts[name[1]] = (filename[1] if filename else "", data[:-2])
    return parts


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: Any = None, content_type: str = "application/json") -> None:
        raw = (
            body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        )
        self.send_response(status)  # with a Date header
        if status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _user(self) -> _User:
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        login, _, password = base64.b64decode(value or "").decode().partition(":")
        user = USERS.get(login)
        if scheme != "Basic" or user is None or password not in user.passwords:
            expired = user is not None and password in user.expired
            raise _Refused(401, "Application password expired" if expired else "Unauthorized")
        return user

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            if not url.path.startswith(API + "/"):
                raise _Refused(404, "Not found")
            user = self._user()
            with self.server.state.lock:
                self._route(user, self.command, url.path[len(API) :].split("/")[1:], query, body)
        except _Refused as refused:
            self._send(refused.status, [{"message": str(refused)}])

    do_GET = do_POST = do_PATCH = _handle  # noqa: N815

    def _route(
        self, user: _User, method: str, parts: list[str], query: dict[str, str], body: bytes
    ) -> None:
        state = self.server.state
        match method, parts:
            case "GET", ["persons", "current"] if not user.operator:
                self._send(200, {"id": user.id, "tasLoginName": user.login,
                                 "dynamicName": user.name, "firstName": user.name.split()[0],
                                 "surName": user.name.split()[-1],
                                 "email": f"{user.login}@example.org"})  # fmt: skip
            case "GET", ["incidents", "statuses"]:
                self._send(200, STATUSES)
            case "GET", ["incidents"]:
                items = [i.json() for i in state.incidents.values()
                         if user.operator or i.caller is user]  # fmt: skip
                items = [i for i in items if _matches(i, _fiql(query.get("query", "")))]
                for key in reversed(query.get("sort", "creationDate:desc").split(",")):
                    name, _, order = key.partition(":")
                    items.sort(key=operator.itemgetter(name), reverse=order == "desc")
                self._page(items, query, "pageStart", "pageSize")
            case "POST", ["incidents"]:
                self._create(user, json.loads(body))
            case "GET", ["incidents", "id", ident]:
                self._send(200, state.visible(user, ident).json())
            case "PATCH", ["incidents", "id", ident]:
                incident = state.visible(user, ident)
                self._change(user, incident, json.loads(body))
                self._send(200, incident.json())
            case "GET", ["incidents", "id", ident, "progresstrail"]:
                trail = state.visible(user, ident).trail
                shown = [e for e in reversed(trail) if user.operator or not e["invisibleForCaller"]]
                self._page(shown, query, "start", "page_size")
            case "GET", ["incidents", "id", ident, "attachments"]:
                files = [f for f, _ in state.visible(user, ident).files
                         if user.operator or not f["invisibleForCaller"]]  # fmt: skip
                self._page(files, query, "start", "page_size")
            case "POST", ["incidents", "id", ident, "attachments"]:
                self._attach(user, state.visible(user, ident), body)
            case "GET", ["incidents", "id", ident, "attachments", aid, "download"]:
                for info, data in state.visible(user, ident).files:
                    if info["id"] == aid and (user.operator or not info["invisibleForCaller"]):
                        return self._send(200, data, "application/octet-stream")
                raise _Refused(404, "Attachment not found")
            case "GET", ["avatars", "operator", ident]:
                if ident != USERS["joost"].id:
                    raise _Refused(404, "No avatar")
                self._send(200, PHOTO, "image/png")
            case _:
                raise _Refused(404 if method == "GET" else 405, "Not found")
        return None

    def _page(self, items: list[Any], query: dict[str, str], start: str, size: str) -> None:
        first, count = int(query.get(start, 0)), min(int(query.get(size, 10)), 10000)
        page = items[first : first + count]
        if not page:
            return self._send(204)
        return self._send(206 if first + count < len(items) else 200, page)

    def _create(self, user: _User, data: dict[str, Any]) -> None:
        state = self.server.state
        if user.operator:
            raise _Refused(400, "This stand-in files incidents as persons only")
        refused = sorted(OPERATOR_ONLY & data.keys() | ({"closed"} & data.keys()))
        if refused:
            raise _Refused(400, f"Field '{refused[0]}' can only be set by operators")
        caller = (data.get("callerLookup") or {}).get("id", user.id)
        brief = str(data.get("briefDescription") or "")
        if caller != user.id:
            raise _Refused(400, "A person can only register incidents for themselves")
        if len(brief) > 80:
            raise _Refused(400, "briefDescription is longer than 80 characters")
        group = data.get("operatorGroup")
        if group is not None and not (
            group.get("id") == GROUP["id"] or group.get("name") == GROUP["name"]
        ):
            raise _Refused(400, "Operator group not found")
        now = state.now()
        number = f"I {now:%y%m} {len(state.incidents) + 1:03d}"
        incident = _Incident(str(uuid.uuid4()), number, user, brief, str(data.get("request") or ""),
                             now, now, dict(GROUP) if group else None)  # fmt: skip
        state.entry(incident, user, "request", incident.request, hidden=False)
        state.incidents[incident.id] = incident
        self._send(201, incident.json())

    def _change(self, user: _User, incident: _Incident, data: dict[str, Any]) -> None:
        state = self.server.state
        if not user.operator:
            refused = sorted(OPERATOR_ONLY & data.keys())
            if refused or data.get("closed") is False:
                raise _Refused(
                    400, f"Field '{(refused or ['closed'])[0]}' can only be set by operators"
                )
            if data.get("closed") is True:
                incident.closed = True
        else:
            if "operator" in data:
                incident.operator = USERS["joost"].ref() if data["operator"] else None
            if "processingStatus" in data:
                wanted = data["processingStatus"]
                incident.status = next(s for s in STATUSES if wanted.get("id") == s["id"]
                                       or wanted.get("name") == s["name"])  # fmt: skip
            for name, attribute in (
                ("onHold", "on_hold"),
                ("completed", "completed"),
                ("closed", "closed"),
            ):
                if name in data:
                    setattr(incident, attribute, bool(data[name]))
        if data.get("action"):
            hidden = bool(data.get("actionInvisibleForCaller")) and user.operator
            state.entry(incident, user, "action", str(data["action"]), hidden)
        incident.modified = state.now()

    def _attach(self, user: _User, incident: _Incident, body: bytes) -> None:
        state = self.server.state
        form = _multipart(self.headers.get("Content-Type", ""), body)
        if "file" not in form or not form["file"][0]:
            raise _Refused(400, "No file part")
        hidden = form.get("invisibleForCaller", ("", b""))[1] == b"true"
        if hidden and not user.operator:
            raise _Refused(400, "Field 'invisibleForCaller' can only be set by operators")
        name, data = form["file"]
        aid = str(uuid.uuid4())
        info = {
            "id": aid, "fileName": name, "size": len(data), "description": None,
            "downloadUrl": f"{API}/incidents/id/{incident.id}/attachments/{aid}/download",
            "invisibleForCaller": hidden, "entryDate": _stamp(state.now()),
            "person": None if user.operator else user.ref(),
            "operator": user.ref() if user.operator else None,
        }  # fmt: skip
        incident.files.append((info, data))
        state.entry(incident, user, "attachment", html.escape(name), hidden)
        incident.modified = state.now()
        self._send(200, info)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: TopdeskState


@dataclass(frozen=True)
class TopdeskStandin:
    """The running stand-in: its address and state."""

    url: str
    state: TopdeskState


@pytest.fixture(scope="session")
def topdesk_standin() -> Iterator[TopdeskStandin]:
    """The TOPdesk stand-in for the session, on a free port of 127.0.0.1."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = TopdeskState()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield TopdeskStandin(f"http://127.0.0.1:{server.server_address[1]}", server.state)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _TopdeskAgent:
    """The operator Joost, through TOPdesk's own REST API with his application password."""

    name = "Joost Bakker"

    def __init__(self, url: str) -> None:
        self._api = url.rstrip("/") + API
        self._session = requests.Session()
        self._session.auth = ("joost", JOOST_PASSWORD)

    def _patch(self, ticket_id: str, **fields: object) -> None:
        answer = self._session.patch(
            f"{self._api}/incidents/id/{ticket_id}", json=fields, timeout=10
        )
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])

    def _get(self, path: str) -> Any:
        answer = self._session.get(f"{self._api}{path}", timeout=10)
        assert answer.status_code in (200, 204, 206), (answer.status_code, answer.text[:300])
        return answer.json() if answer.status_code != 204 else []

    def assign(self, ticket_id: str) -> None:
        self._patch(ticket_id, operator={"id": USERS["joost"].id})

    def reply(self, ticket_id: str, text: str, public: bool = True) -> None:
        self._patch(ticket_id, action=text, actionInvisibleForCaller=not public)

    def hold(self, ticket_id: str) -> None:
        self._patch(ticket_id, onHold=True, processingStatus={"name": "Wacht op gebruiker"})

    def resolve(self, ticket_id: str, text: str) -> None:
        self._patch(ticket_id, action=text, completed=True)

    def is_open(self, ticket_id: str) -> bool:
        incident = self._get(f"/incidents/id/{ticket_id}")
        return not (incident["completed"] or incident["closed"])

    def conversation(self, ticket_id: str) -> str:
        trail = self._get(f"/incidents/id/{ticket_id}/progresstrail?page_size=1000")
        return "\n".join(
            f"{(e['person'] or e['operator'])['name']}: {e['plainText']}" for e in reversed(trail)
        )

    def files(self, ticket_id: str) -> dict[str, bytes]:
        files = self._get(f"/incidents/id/{ticket_id}/attachments?page_size=1000")
        return {
            f["fileName"]: self._session.get(
                self._api + f["downloadUrl"][len(API) :], timeout=10
            ).content
            for f in files
        }

    def close(self) -> None:
        self._session.close()


def credential(login: str) -> str:
    """What the tray keeps for ``login``: the login and the application password."""
    return f"{login}:{USERS[login].passwords[0]}"


def contract_desk(request: pytest.FixtureRequest) -> ContractDesk:
    """The stand-in as a contract desk: Anna and Bram as persons, Joost as the operator."""
    standin: TopdeskStandin = request.getfixturevalue("topdesk_standin")

    def person(login: str) -> Any:
        def open_desk(url: str, config: HttpConfig) -> DeskPort:
            return TopdeskConnector(config).open(url, credential(login))

        return open_desk

    return ContractDesk(
        kind="topdesk",
        url=standin.url,
        create_path=API + "/incidents",
        open=person("anna"),
        open_other=lambda: person("bram")(standin.url, HttpConfig()),
        agent=lambda: _TopdeskAgent(standin.url),
        agent_photo=PHOTO,
        employee_name="Anna Jansen",
        # An incident returned unchanged is left out once settled by TOPdesk's Date
        # (whole seconds) less the cursor's margin.
        lookback=timedelta(seconds=CURSOR_MARGIN_S + 1),
    )
