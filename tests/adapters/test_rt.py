"""The Request Tracker adapter: against staged REST2 replies, and against a real RT 5.

The staged tests need no RT: a local server answers each path as RT 5.0.3 did when
it was measured (shared docs, reference: request-tracker-5). The tests marked ``rt``
check the facts the adapter relies on against the real thing.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import logging
import random
import socket
import textwrap
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from pytestqt.qtbot import QtBot

from client import __version__
from client.adapters.desks.rt import (
    KIND,
    STAGE_TABLE,
    RtConnector,
    RtCredential,
    RtDesk,
    RtSession,
    native_state,
    plain_text,
)
from client.adapters.http import HttpClient, HttpConfig, make_session
from client.core.errors import (
    AttachmentRefused,
    AuthFailed,
    BadResponse,
    Forbidden,
    NotFound,
    QueueRefused,
    Unavailable,
)
from client.core.models import (
    Agent,
    Attachment,
    AttachmentInfo,
    Cursor,
    EventKind,
    Report,
    Stage,
    TicketRef,
)
from client.core.outbox import OutboxSender
from client.core.tray_state import ConnectionState
from client.services.poller import TicketPoller
from client.services.tasks import SyncTaskRunner
from tests.fakes import FakeClock, MemoryOutbox
from tests.support.rt_desk import AGENT, EMPLOYEE_PASSWORD, RtAccess, RtAgent, photo_png
from tests.support.staged_server import Reply, StagedServer, staged_server

CONFIG = HttpConfig(connect_timeout=2.0, read_timeout=5.0, retries=0)
TOKEN = "1-30-" + "ab" * 16
COOKIE = "RT_SID_helpdesk.test.8980"
REST = "/REST/2.0"
WHEN = "2026-11-22T10:10:11Z"
UNSET = "1970-01-01T00:00:00Z"


@pytest.fixture
def server() -> Iterator[StagedServer]:
    yield from staged_server()


# --- staging helpers ---------------------------------------------------------------------


def _json(value: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(value).encode(), headers=dict(headers))


def _session(sid: str) -> Reply:
    """RT's answer to a token on a web page: a redirect and its session cookie."""
    cookie = f"{COOKIE}={sid}; path=/; HttpOnly"
    return Reply(302, b"", "text/html", headers={"Location": "/SelfService/", "Set-Cookie": cookie})


EXPIRED = Reply(302, b"Login required", "text/plain", headers={"Location": "/"})


def _user(name: str = "anna", real: str = "Anna Jansen") -> dict[str, Any]:
    return {"type": "user", "id": name, "Name": name, "RealName": real, "EmailAddress": ""}


def _item(ticket_id: int, status: str = "new", **fields: Any) -> dict[str, Any]:
    item = {
        "id": str(ticket_id),
        "type": "ticket",
        "Subject": f"ticket {ticket_id}",
        "Status": status,
        "Owner": _user("Nobody", "Nobody in particular"),
        "Created": WHEN,
        "LastUpdated": WHEN,
        "Due": UNSET,
        "Told": UNSET,
        "Priority": "0",
    }
    item.update(fields)
    return item


def _page(items: list[dict[str, Any]], page: int = 1, **envelope: Any) -> dict[str, Any]:
    """A collection as RT shows it to an unprivileged user (no total, no next_page)."""
    return {
        "count": len(items),
        "page": page,
        "per_page": 100,
        "total": None,
        "pages": None,
        "items": items,
        **envelope,
    }


def _record(ticket_id: int = 1, status: str = "open", **fields: Any) -> dict[str, Any]:
    record = _item(ticket_id, status, Requestor=[_user()], Cc=[], **fields)
    record["id"] = ticket_id  # a record's id is a number, a collection's a string
    return record


def _transaction(txn_id: int, kind: str, creator: str = "anna", **fields: Any) -> dict[str, Any]:
    real = {"anna": "Anna Jansen", "joost": "Joost de Vries"}.get(creator, creator)
    entry: dict[str, Any] = {
        "id": str(txn_id),
        "type": "transaction",
        "Type": kind,
        "Field": "",
        "OldValue": "",
    }
    entry |= {"NewValue": "", "Created": WHEN, "Creator": _user(creator, real)}
    return entry | fields


def _part(
    part_id: int, txn_id: int, content_type: str = "text/plain", **fields: Any
) -> dict[str, Any]:
    part = {"id": str(part_id), "TransactionId": str(txn_id), "ContentType": content_type}
    return part | {"Filename": "", "ContentLength": "0"} | fields


def _desk(server: StagedServer, **kwargs: Any) -> RtDesk:
    return RtConnector(CONFIG, **kwargs).open(server.url, TOKEN)


def _signed_in(server: StagedServer) -> RtDesk:
    """A desk whose token exchange is staged (session ``s1``)."""
    server.stage("/", _session("s1"))
    return _desk(server)


def _sent(server: StagedServer, path: str) -> list[Any]:
    return [s for s in server.seen if s.path.split("?")[0] == path]


def _query(seen: Any) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(seen.path).query))


def _multipart(seen: Any) -> dict[str, tuple[str | None, bytes]]:
    """A multipart body's parts: name (and name:filename for files) -> (file name, bytes)."""
    head = f"Content-Type: {seen.headers['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + seen.body)
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        filename = part.get_filename()
        content = part.get_payload(decode=True)
        assert isinstance(content, bytes)
        parts.setdefault(name, (filename, content))
        if filename:
            parts[f"{name}:{filename}"] = (filename, content)
    return parts


# --- stages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "owned", "replied", "stage"),
    [
        ("new", False, False, Stage.RECEIVED),
        ("new", True, False, Stage.ASSIGNED),
        ("new", True, True, Stage.IN_PROGRESS),
        ("open", True, False, Stage.ASSIGNED),
        ("open", True, True, Stage.IN_PROGRESS),
        ("open", False, False, Stage.IN_PROGRESS),
        ("stalled", True, True, Stage.WAITING_ON_YOU),
        ("resolved", True, True, Stage.RESOLVED),
        ("rejected", False, False, Stage.CANCELLED),
        ("deleted", True, False, Stage.CANCELLED),
    ],
)
def test_rt_states_map_to_stages(status: str, owned: bool, replied: bool, stage: Stage) -> None:
    assert STAGE_TABLE[native_state(status, owned, replied)] is stage


def test_a_status_of_a_custom_lifecycle_is_in_progress_and_logged_once(
    server: StagedServer, caplog: pytest.LogCaptureFixture
) -> None:
    desk = _signed_in(server)
    items = [_item(1, "waiting-for-vendor"), _item(2, "waiting-for-vendor")]
    server.stage(f"{REST}/tickets", _json(_page(items)))
    with caplog.at_level(logging.WARNING, logger="client.core.stages"):
        first, _ = desk.changed_tickets(None)
        desk.changed_tickets(None)
    assert [t.stage for t in first] == [Stage.IN_PROGRESS, Stage.IN_PROGRESS]
    assert first[0].native_status == "waiting-for-vendor"
    warnings = [r for r in caplog.records if "waiting-for-vendor" in r.getMessage()]
    assert len(warnings) == 1 and KIND in warnings[0].getMessage()


def test_a_poll_maps_owner_reply_and_unset_dates(server: StagedServer) -> None:
    desk = _signed_in(server)
    owner = _user("joost", "Joost de Vries") | {"EmailAddress": "joost@helpdesk.test"}
    told = "2026-11-22T11:00:00Z"
    items = [
        _item(1, "new"),
        _item(2, "open", Owner=owner),
        _item(3, "open", Owner=owner, Told=told, Due="2026-12-01T17:00:00Z"),
    ]
    server.stage(f"{REST}/tickets", _json(_page(items)))
    received, assigned, replied = desk.changed_tickets(None)[0]
    assert (received.stage, received.agent, received.due) == (Stage.RECEIVED, None, None)
    assert received.agent_replied_at is None  # Told unset: 1970-01-01T00:00:00Z
    assert assigned.stage is Stage.ASSIGNED
    assert assigned.agent == Agent("Joost de Vries", "joost@helpdesk.test", "joost")
    assert replied.stage is Stage.IN_PROGRESS
    assert replied.agent_replied_at == datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
    assert replied.due == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


# --- what RT answers when it says no -------------------------------------------------------


def test_permission_denied_in_a_200_message_array_is_forbidden(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(
        f"{REST}/ticket/1",
        _json(_record(1, "resolved"), ETag='"7"'),  # before the reply
        _json(_record(1, "resolved"), ETag='"8"'),  # still resolved after it
        _json(["Ticket 1: Permission Denied"]),  # PUT {"Status": "open"}
    )
    server.stage(f"{REST}/ticket/1/correspond", _json(["Correspondence added"], 201))
    with pytest.raises(Forbidden, match="Permission Denied"):
        desk.reopen(TicketRef("1"), "It is broken again")
    put = [s for s in _sent(server, f"{REST}/ticket/1") if s.method == "PUT"]
    assert [json.loads(s.body) for s in put] == [{"Status": "open"}]


def test_a_refused_priority_is_not_an_error_the_note_is_what_matters(
    server: StagedServer,
) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1/correspond", _json(["Correspondence added"], 201))
    server.stage(
        f"{REST}/ticket/1",
        _json(_record(1, "open"), ETag='"9"'),
        _json(["Ticket 1: Permission Denied"]),
    )
    desk.mark_urgent(TicketRef("1"), "The CEO cannot print")
    (note,) = _sent(server, f"{REST}/ticket/1/correspond")
    assert json.loads(note.body)["Content"] == "The CEO cannot print"
    put = [s for s in _sent(server, f"{REST}/ticket/1") if s.method == "PUT"]
    assert [json.loads(s.body) for s in put] == [{"Priority": 100}]


def test_a_priority_already_higher_is_not_lowered(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1/correspond", _json(["Correspondence added"], 201))
    server.stage(f"{REST}/ticket/1", _json(_record(1, "open", Priority="200"), ETag='"9"'))
    desk.mark_urgent(TicketRef("1"), "Still urgent")
    assert [s.method for s in _sent(server, f"{REST}/ticket/1")] == ["GET"]


def test_a_400_permission_denied_is_forbidden_with_rts_message(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/5/correspond", _json({"message": "Permission Denied"}, 400))
    with pytest.raises(Forbidden) as caught:
        desk.reply(TicketRef("5"), "Hello?")
    assert caught.value.detail == "Permission Denied"


@pytest.mark.parametrize(
    "reply",
    [
        # RT in install mode (its database missing) serves its set-up pages.
        Reply(200, b"<html><title>RT Installer</title></html>", "text/html"),
        # A captive portal or proxy page in place of the desk.
        Reply(200, b"<html><body>Please sign in to the network</body></html>", "text/html"),
    ],
)
def test_html_in_place_of_json_is_a_bad_response(server: StagedServer, reply: Reply) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/tickets", reply)
    with pytest.raises(BadResponse, match="expected JSON"):
        desk.changed_tickets(None)


def test_a_proxys_error_page_is_unavailable(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/tickets", Reply(502, b"<h1>Bad Gateway</h1>", "text/html"))
    with pytest.raises(Unavailable) as caught:
        desk.changed_tickets(None)
    assert caught.value.reason == "server_error"


def test_rt_down_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    desk = RtConnector(CONFIG).open(f"http://127.0.0.1:{port}", TOKEN)
    with pytest.raises(Unavailable) as caught:
        desk.changed_tickets(None)
    assert caught.value.reason == "refused"  # its port turns connections away


def test_a_redirect_elsewhere_is_a_bad_response_not_a_sign_out(server: StagedServer) -> None:
    desk = _signed_in(server)
    moved = Reply(301, b"", headers={"Location": "https://desk.example.org/REST/2.0/tickets"})
    server.stage(f"{REST}/tickets", moved)
    with pytest.raises(BadResponse, match="redirected"):
        desk.changed_tickets(None)
    assert len(_sent(server, "/")) == 1  # no new session was asked for


# --- the session ---------------------------------------------------------------------------


def test_a_load_balancers_cookies_beside_rts_do_not_hide_it(server: StagedServer) -> None:
    # requests joins several Set-Cookie headers with ", ": no parser splits that again.
    server.stage(
        "/",
        Reply(
            302,
            b"",
            "text/html",
            headers={"Location": "/SelfService/"},
            cookies=(
                "SERVERID=web2; path=/; HttpOnly",
                f"{COOKIE}=s9; path=/; HttpOnly; secure",
                "BIGipServerpool=1677830336.20480.0000; path=/; Httponly; Secure",
            ),
        ),
    )
    server.stage(f"{REST}/tickets", _json(_page([])))
    _desk(server).changed_tickets(None)
    poll = server.seen[-1]
    assert poll.headers.get("Cookie") == f"{COOKIE}=s9"
    assert "Authorization" not in poll.headers


def test_the_token_is_exchanged_once_for_a_session_cookie(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/tickets", _json(_page([])))
    for _ in range(3):
        desk.changed_tickets(None)
    exchange, *polls = server.seen
    assert (exchange.method, exchange.path) == ("GET", "/")
    assert exchange.headers["Authorization"] == f"token {TOKEN}"
    assert "Cookie" not in exchange.headers
    assert len(polls) == 3
    assert all(p.headers.get("Cookie") == f"{COOKIE}=s1" for p in polls)
    assert not any("Authorization" in p.headers for p in polls)
    assert not any("token=" in s.path for s in server.seen)


def test_an_expired_session_is_renewed_silently(server: StagedServer) -> None:
    server.stage("/", _session("s1"), _session("s2"))
    desk = _desk(server)
    server.stage(f"{REST}/tickets", _json(_page([])), EXPIRED, _json(_page([_item(1)])))
    desk.changed_tickets(None)
    tickets, _ = desk.changed_tickets(None)
    assert [t.ref.id for t in tickets] == ["1"]
    cookies = [s.headers.get("Cookie") for s in _sent(server, f"{REST}/tickets")]
    assert cookies == [f"{COOKIE}=s1", f"{COOKIE}=s1", f"{COOKIE}=s2"]
    exchanges = _sent(server, "/")
    assert len(exchanges) == 2
    assert "Cookie" not in exchanges[1].headers  # not the stale one: only the token


def test_a_wrong_token_is_auth_failed_after_one_exchange(server: StagedServer) -> None:
    # RT shows its login page for a token it does not know (200, an anonymous session).
    login_page = Reply(
        200, b"<form id=login>", "text/html", headers={"Set-Cookie": f"{COOKIE}=anon; path=/"}
    )
    server.stage("/", login_page)
    server.stage(f"{REST}/tickets", EXPIRED)
    with pytest.raises(AuthFailed):
        _desk(server).changed_tickets(None)
    assert len(_sent(server, "/")) == 1
    assert len(_sent(server, f"{REST}/tickets")) == 1


def test_a_session_refused_again_after_renewal_is_auth_failed(server: StagedServer) -> None:
    server.stage("/", _session("s1"), _session("s2"))
    desk = _desk(server)
    server.stage(f"{REST}/tickets", _json(_page([])), EXPIRED)
    desk.changed_tickets(None)
    with pytest.raises(AuthFailed):
        desk.changed_tickets(None)
    assert len(_sent(server, "/")) == 2
    assert len(_sent(server, f"{REST}/tickets")) == 3


class BothWaiting(threading.Event):
    """A hold released once two requests wait on it: both were sent with the old session."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._waiting = 0

    def wait(self, timeout: float | None = None) -> bool:
        with self._lock:
            self._waiting += 1
            if self._waiting == 2:
                self.set()
        return super().wait(timeout)


def test_two_requests_seeing_the_session_expire_renew_it_once(server: StagedServer) -> None:
    desk = _signed_in(server)
    both = BothWaiting()
    server.stage(
        f"{REST}/tickets",
        _json(_page([])),
        Reply(302, b"", headers={"Location": "/"}, hold=both),
        Reply(302, b"", headers={"Location": "/"}, hold=both),
        _json(_page([_item(1)])),
    )
    server.stage("/", _session("s1"), _session("s2"))
    desk.changed_tickets(None)
    results: list[object] = []
    workers = [
        threading.Thread(target=lambda: results.append(desk.changed_tickets(None)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
    assert len(results) == 2
    assert len(_sent(server, "/")) == 2  # the first exchange and one renewal
    retried = [s.headers["Cookie"] for s in _sent(server, f"{REST}/tickets")[3:]]
    assert retried == [f"{COOKIE}=s2"] * 2


def test_a_desk_that_gives_no_session_gets_the_token_each_time(server: StagedServer) -> None:
    # RT's web interface not reachable (only /REST/2.0 exposed by a proxy, say).
    server.stage("/", Reply(404, b"not here", "text/plain"))
    server.stage(f"{REST}/tickets", _json(_page([])))
    desk = _desk(server)
    desk.changed_tickets(None)
    desk.changed_tickets(None)
    polls = _sent(server, f"{REST}/tickets")
    assert [p.headers.get("Authorization") for p in polls] == [f"token {TOKEN}"] * 2
    assert len(_sent(server, "/")) == 1


def test_requests_look_like_the_tray_never_like_a_browser(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/tickets", _json(_page([_item(1)])))
    server.stage(f"{REST}/ticket/1", _json(_record(1), ETag='"3"'))
    # The ETag is the newest transaction the user can see: the history holds it.
    server.stage(f"{REST}/ticket/1/history", _json(_page([_transaction(3, "Status")])))
    _, cursor = desk.changed_tickets(None)
    desk.changed_tickets(cursor)
    desk.ticket(TicketRef("1"))
    desk.ticket(TicketRef("1"))
    assert len(server.seen) == 7
    for seen in server.seen:
        assert seen.headers["User-Agent"] == f"helpdesk-tray/{__version__}"
        assert "Mozilla" not in seen.headers["User-Agent"]
        assert "If-Modified-Since" not in seen.headers  # RT 5.0.3 answers it with 500
        assert "token=" not in seen.path


# --- signing in ----------------------------------------------------------------------------


def test_sign_in_with_a_password_keeps_the_session_not_the_password(
    server: StagedServer,
) -> None:
    server.stage(
        "/NoAuth/Login.html",
        Reply(302, b"", "text/html", headers={"Location": "/", "Set-Cookie": f"{COOKIE}=pw1"}),
    )
    server.stage(f"{REST}/user/anna", _json(_user() | {"id": 30}))
    credential = RtConnector(CONFIG).sign_in(server.url, "anna", "her password")
    assert json.loads(credential) == {"v": 1, "user": "anna", "cookie": COOKIE, "sid": "pw1"}
    login = _sent(server, "/NoAuth/Login.html")[0]
    form = dict(urllib.parse.parse_qsl(login.body.decode()))
    assert (form["user"], form["pass"]) == ("anna", "her password")
    assert _sent(server, f"{REST}/user/anna")[0].headers["Cookie"] == f"{COOKIE}=pw1"
    kept = RtConnector(CONFIG).sign_in(server.url, "anna", "her password", keep_password=True)
    assert RtCredential.loads(kept).password == "her password"


def test_a_wrong_password_is_auth_failed(server: StagedServer) -> None:
    login_page = Reply(200, b"<form>", "text/html", headers={"Set-Cookie": f"{COOKIE}=anon"})
    server.stage("/NoAuth/Login.html", login_page)
    with pytest.raises(AuthFailed):
        RtConnector(CONFIG).sign_in(server.url, "anna", "not her password")
    assert _sent(server, f"{REST}/user/anna") == []


def test_a_login_form_that_is_not_rts_is_a_bad_response(server: StagedServer) -> None:
    server.stage("/NoAuth/Login.html", Reply(200, b"<html>hello</html>", "text/html"))
    with pytest.raises(BadResponse):
        RtConnector(CONFIG).sign_in(server.url, "anna", "pw")


def test_sign_in_with_a_token_checks_it_is_the_users(server: StagedServer) -> None:
    server.stage(f"{REST}/user/30", _json(_user() | {"EmailAddress": "anna@example.test"}))
    credential = RtConnector(CONFIG).sign_in(server.url, "Anna", TOKEN)
    assert json.loads(credential) == {"v": 1, "token": TOKEN}
    assert _sent(server, f"{REST}/user/30")[0].headers["Authorization"] == f"token {TOKEN}"
    assert RtConnector(CONFIG).sign_in(server.url, "anna@example.test", TOKEN) == credential
    with pytest.raises(AuthFailed, match="another user"):
        RtConnector(CONFIG).sign_in(server.url, "bram", TOKEN)
    assert RtConnector(CONFIG).sign_in(server.url, "", TOKEN) == credential  # no name given


def test_a_session_credential_that_expired_signs_the_user_out(server: StagedServer) -> None:
    credential = RtCredential(user="anna", cookie=COOKIE, sid="old").dumps()
    desk = RtConnector(CONFIG).open(server.url, credential)
    server.stage(f"{REST}/tickets", EXPIRED)
    with pytest.raises(AuthFailed):
        desk.changed_tickets(None)
    assert _sent(server, f"{REST}/tickets")[0].headers["Cookie"] == f"{COOKIE}=old"
    assert _sent(server, "/") == [] and _sent(server, "/NoAuth/Login.html") == []


def test_a_kept_password_renews_an_expired_session(server: StagedServer) -> None:
    credential = RtCredential(user="anna", cookie=COOKIE, sid="old", password="pw").dumps()
    desk = RtConnector(CONFIG).open(server.url, credential)
    server.stage(
        "/NoAuth/Login.html",
        Reply(302, b"", "text/html", headers={"Location": "/", "Set-Cookie": f"{COOKIE}=new"}),
    )
    server.stage(f"{REST}/tickets", EXPIRED, _json(_page([])))
    desk.changed_tickets(None)
    cookies = [s.headers["Cookie"] for s in _sent(server, f"{REST}/tickets")]
    assert cookies == [f"{COOKIE}=old", f"{COOKIE}=new"]


@pytest.mark.parametrize("kept", ["", "{}", '{"v": 2, "token": "x"}', "not json", '{"v": 1}'])
def test_a_credential_this_version_cannot_read_is_auth_failed(kept: str) -> None:
    with pytest.raises(AuthFailed):
        RtConnector(CONFIG).open("http://127.0.0.1:9", kept)


# --- changes -------------------------------------------------------------------------------


class Clocks:
    """The wall and monotonic clocks of the computer, set by the test."""

    def __init__(self) -> None:
        self.wall = 1_800_000_000.0
        self.mono = 5_000.0

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


def _clocked(server: StagedServer, clocks: Clocks) -> RtDesk:
    server.stage("/", _session("s1"))
    http = HttpClient(server.url, CONFIG, follow_redirects=False)
    session = RtSession(http, RtCredential(token=TOKEN))
    return RtDesk(
        http, "30", session=session, wall_clock=lambda: clocks.wall, clock=lambda: clocks.mono
    )


def test_the_change_window_is_relative_and_covers_the_time_since_the_last_search(
    server: StagedServer,
) -> None:
    clocks = Clocks()
    desk = _clocked(server, clocks)
    server.stage(f"{REST}/tickets", _json(_page([])))
    _, cursor = desk.changed_tickets(None)
    clocks.advance(300)
    _, cursor = desk.changed_tickets(cursor)
    clocks.mono += 40  # the wall clock set back by an hour meanwhile
    clocks.wall -= 3600
    desk.changed_tickets(cursor)
    first, second, third = (_query(s)["query"] for s in _sent(server, f"{REST}/tickets"))
    assert first == "Requestor.id = '__CurrentUser__'"
    # 300 s since the last search, a 5 s margin, an hour for a summer-time switch.
    assert second == "Requestor.id = '__CurrentUser__' AND LastUpdated > '-3905 seconds'"
    assert third == "Requestor.id = '__CurrentUser__' AND LastUpdated > '-3645 seconds'"


def test_a_change_in_the_same_second_as_the_last_poll_is_not_lost(server: StagedServer) -> None:
    clocks = Clocks()
    desk = _clocked(server, clocks)
    # RT's clock (its Date header) and the tickets' times, fixed: both changed in
    # the second the searches ran in.
    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
    second = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    two = _item(2, "new", LastUpdated=second)

    def answer(*items: dict[str, Any]) -> Reply:
        return Reply(200, json.dumps(_page(list(items))).encode(), date=now.timestamp())

    server.stage(
        f"{REST}/tickets",
        answer(_item(1, "open", LastUpdated=second), two),
        # Ticket 1 resolved within the same second as the first poll saw it open.
        answer(_item(1, "resolved", LastUpdated=second), two),
        answer(_item(1, "resolved", LastUpdated=second), two),
    )
    first, cursor = desk.changed_tickets(None)
    assert [t.ref.id for t in first] == ["1", "2"]
    clocks.advance(1)
    second_poll, cursor = desk.changed_tickets(cursor)
    assert ("1", Stage.RESOLVED) in [(t.ref.id, t.stage) for t in second_poll]
    clocks.advance(20)
    third, _ = desk.changed_tickets(cursor)
    # Both were last updated in the second the last search ran in (by RT's clock):
    # a third change in that second would look exactly the same, so they are told
    # again (the tracker merges repeats) rather than risk losing one.
    assert [(t.ref.id, t.stage) for t in third] == [("1", Stage.RESOLVED), ("2", Stage.RECEIVED)]


def test_an_unchanged_ticket_is_not_told_again_once_its_second_is_past(
    server: StagedServer,
) -> None:
    clocks = Clocks()
    desk = _clocked(server, clocks)
    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
    earlier = (now - timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    item = json.dumps(_page([_item(1, "open", LastUpdated=earlier)])).encode()
    answer = Reply(200, item, date=now.timestamp())
    server.stage(f"{REST}/tickets", answer, answer)
    first, cursor = desk.changed_tickets(None)
    assert [t.ref.id for t in first] == ["1"]
    clocks.advance(300)
    again, _ = desk.changed_tickets(cursor)
    assert again == []  # in the window's overlap, as it was: nothing to tell


def test_a_cursor_of_another_kind_means_everything(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/tickets", _json(_page([_item(1)])))
    tickets, _ = desk.changed_tickets(Cursor("2026-11-22T10:10:11+00:00"))
    assert [t.ref.id for t in tickets] == ["1"]
    assert _query(_sent(server, f"{REST}/tickets")[0])["query"] == (
        "Requestor.id = '__CurrentUser__'"
    )


def test_a_list_is_paged_until_a_short_page(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(
        f"{REST}/tickets",
        _json(_page([_item(n) for n in range(1, 101)])),
        _json(_page([_item(n) for n in range(101, 104)], page=2)),
    )
    tickets, _ = desk.changed_tickets(None)
    assert len(tickets) == 103
    pages = [_query(s) for s in _sent(server, f"{REST}/tickets")]
    assert [(p["page"], p["per_page"]) for p in pages] == [("1", "100"), ("2", "100")]


def test_a_list_with_a_page_count_stops_at_the_last_page(server: StagedServer) -> None:
    desk = _signed_in(server)
    full = _page([_item(n) for n in range(1, 101)], total=100, pages=1)
    server.stage(f"{REST}/tickets", _json(full))
    tickets, _ = desk.changed_tickets(None)
    assert len(tickets) == 100
    assert len(_sent(server, f"{REST}/tickets")) == 1


# --- one ticket ----------------------------------------------------------------------------


def _stage_ticket(server: StagedServer, etag: str = '"12"') -> None:
    joost = _user("joost", "Joost de Vries")
    owner = joost | {
        "CustomFields": [
            {
                "id": "2",
                "name": "Photo",
                "values": [
                    {
                        "content_type": "image/png",
                        "filename": "joost.png",
                        "_url": "http://rt.internal:8080/REST/2.0/download/cf/1",
                    }
                ],
            }
        ]
    }
    record = _record(1, "open", Owner=owner, Told="2026-11-22T10:20:00Z")
    server.stage(f"{REST}/ticket/1", _json(record, ETag=etag))
    history = [
        _transaction(10, "Create"),
        _transaction(11, "EmailRecord", "RT_System"),
        _transaction(12, "Set", "joost", Field="Owner", OldValue="6", NewValue="28"),
        _transaction(13, "AddWatcher", "joost"),
        _transaction(14, "Correspond", "joost"),
        _transaction(15, "Status", "RT_System", Field="Status", OldValue="new", NewValue="open"),
    ]
    server.stage(f"{REST}/ticket/1/history", _json(_page(history)))
    parts = [
        _part(1, 10, "multipart/mixed"),
        _part(2, 10, "text/plain"),
        _part(3, 10, "image/png", Filename="screen.png", ContentLength="2048"),
        _part(4, 14, "multipart/alternative"),
        _part(5, 14, "text/plain"),
        _part(6, 14, "text/html"),
    ]
    bodies = [
        {"id": "2", "Content": "Printer jams\n\nReport-ID: 7f1c"},
        {"id": "5", "Content": "Which tray?\n"},
    ]
    server.stage(f"{REST}/ticket/1/attachments", _json(_page(parts)), _json(_page(bodies)))


def test_a_ticket_with_its_history_messages_and_files(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_ticket(server)
    ticket = desk.ticket(TicketRef("1"))
    assert ticket.summary.stage is Stage.IN_PROGRESS
    assert ticket.description == "Printer jams"  # the key line is for the desk
    created, assigned, reply, opened = ticket.events
    assert (created.kind, created.by_agent, created.author) == (
        EventKind.CREATED,
        False,
        "Anna Jansen",
    )
    (screen,) = created.attachments
    assert (screen.filename, screen.size, screen.content_type) == ("screen.png", 2048, "image/png")
    assert screen.url == f"{server.url}{REST}/attachment/3"
    assert (assigned.kind, assigned.new_stage) == (EventKind.STATUS_CHANGE, Stage.ASSIGNED)
    assert (reply.kind, reply.text, reply.by_agent) == (EventKind.MESSAGE, "Which tray?", True)
    assert reply.author == "Joost de Vries"
    assert (opened.kind, opened.new_stage) == (EventKind.STATUS_CHANGE, Stage.IN_PROGRESS)
    # EmailRecord and AddWatcher are not for the tracker.
    assert [e.id for e in ticket.events] == ["10", "12", "14", "15"]
    # Bodies: the parts of both messages at once, then the two text parts at once.
    metadata, contents = (_query(s) for s in _sent(server, f"{REST}/ticket/1/attachments"))
    assert json.loads(metadata["query"]) == [
        {"field": "TransactionId", "value": "10"},
        {"field": "TransactionId", "value": "14"},
    ]
    assert "Content" not in metadata["fields"].split(",")
    assert json.loads(contents["query"]) == [
        {"field": "id", "value": "2"},
        {"field": "id", "value": "5"},
    ]


def test_long_messages_are_read_in_slices_and_a_huge_one_becomes_a_file(
    server: StagedServer,
) -> None:
    """Pasted logs must not make a ticket unreadable (one answer over the size limit)."""
    desk = _signed_in(server)
    mib = 1024 * 1024
    history = [
        _transaction(10, "Create"),
        *(_transaction(n, "Correspond", "joost") for n in (11, 12, 13)),
    ]
    server.stage(f"{REST}/ticket/1", _json(_record(1, "open"), ETag='"13"'))
    server.stage(f"{REST}/ticket/1/history", _json(_page(history)))
    parts = [
        _part(2, 10, "text/plain", ContentLength="100"),
        _part(3, 11, "text/plain", ContentLength=str(mib // 2)),
        _part(4, 12, "text/plain", ContentLength=str(mib // 2 + 10)),
        _part(5, 13, "text/plain", ContentLength=str(3 * mib)),  # a pasted 3 MB log
    ]
    bodies = [{"id": str(n), "Content": f"body {n}"} for n in (2, 3, 4)]
    server.stage(
        f"{REST}/ticket/1/attachments",
        _json(_page(parts)),
        _json(_page(bodies[:2])),
        _json(_page(bodies[2:])),
    )
    ticket = desk.ticket(TicketRef("1"))
    _metadata, *contents = (_query(s) for s in _sent(server, f"{REST}/ticket/1/attachments"))
    asked = [[q["value"] for q in json.loads(c["query"])] for c in contents]
    assert asked == [["2", "3"], ["4"]], "about a megabyte per request, never the huge one"
    texts = {e.id: e.text for e in ticket.events}
    assert (texts["11"], texts["12"], texts["13"]) == ("body 3", "body 4", "")
    (log,) = next(e for e in ticket.events if e.id == "13").attachments
    assert (log.filename, log.size) == ("message.txt", 3 * mib)
    assert log.url == f"{server.url}{REST}/attachment/5"


def test_a_ticket_unchanged_is_a_304_and_the_ticket_from_before(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_ticket(server)
    first = desk.ticket(TicketRef("1"))
    server.stage(f"{REST}/ticket/1", Reply(304, b""))
    before = len(server.seen)
    assert desk.ticket(TicketRef("1")) == first
    (again,) = server.seen[before:]
    assert again.headers["If-None-Match"] == '"12"'


def test_history_goes_on_past_a_short_page_until_the_newest_transaction(
    server: StagedServer,
) -> None:
    # RT drops transactions the user may not see from a page after cutting it: a
    # short page is not the end while the ETag's transaction has not come.
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1", _json(_record(1, "open"), ETag='"205"'))
    first = [_transaction(n, "Status", Field="Status", NewValue="open") for n in range(100, 197)]
    second = [_transaction(n, "Status", Field="Status", NewValue="stalled") for n in (201, 205)]
    server.stage(f"{REST}/ticket/1/history", _json(_page(first)), _json(_page(second, page=2)))
    ticket = desk.ticket(TicketRef("1"))
    assert ticket.events[-1].id == "205"
    assert len(_sent(server, f"{REST}/ticket/1/history")) == 2


@pytest.mark.parametrize(
    "reply",
    [
        _json({"message": "Forbidden"}, 403),  # moved to a queue the user cannot see
        _json(_record(1, "deleted"), ETag='"40"'),  # deleted: RT still shows it
        _json({"message": "Not Found"}, 404),
    ],
)
def test_a_ticket_deleted_or_moved_away_is_not_found(server: StagedServer, reply: Reply) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1", reply)
    with pytest.raises(NotFound):
        desk.ticket(TicketRef("1"))


def test_reopening_a_deleted_ticket_sends_nothing(server: StagedServer) -> None:
    # A reply would bring it back to life (RT reopens inactive tickets on a reply).
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1", _json(_record(1, "deleted"), ETag='"40"'))
    with pytest.raises(NotFound):
        desk.reopen(TicketRef("1"), "Where did it go?")
    assert _sent(server, f"{REST}/ticket/1/correspond") == []


def test_html_messages_are_read_as_text() -> None:
    html = "<p>Hello <b>Anna</b>,</p><p>try&nbsp;this:<br>reboot</p><script>x()</script>"
    assert plain_text(html, "text/html") == "Hello Anna,\n\ntry this:\nreboot"
    assert plain_text("  as it is <b>\n", "text/plain") == "as it is <b>"


def test_the_agents_photo_comes_from_our_address_and_is_asked_conditionally(
    server: StagedServer,
) -> None:
    desk = _signed_in(server)
    _stage_ticket(server)
    agent = desk.ticket(TicketRef("1")).summary.agent
    assert agent is not None and agent.id == "joost"
    png = b"\x89PNG\r\n\x1a\n photo"
    server.stage(
        f"{REST}/download/cf/1",
        Reply(200, png, "image/png", headers={"ETag": '"p1"'}),
        Reply(304, b"", "image/png"),
    )
    assert desk.agent_photo(agent) == png
    assert desk.agent_photo(agent) == png
    first, second = _sent(server, f"{REST}/download/cf/1")  # ours, not RT's own base URL
    assert first.headers["Accept"] == "image/*" and "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"] == '"p1"'


def test_an_agent_not_seen_yet_has_their_photo_looked_up_once(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/tickets", _json(_page([])))
    assert desk.agent_photo(Agent("Mila Mol", id="mila")) is None
    assert desk.agent_photo(Agent("Mila Mol", id="mila")) is None
    (lookup,) = _sent(server, f"{REST}/tickets")
    assert _query(lookup)["query"] == "Requestor.id = '__CurrentUser__' AND Owner = 'mila'"


# --- reports -------------------------------------------------------------------------------


def _stage_create(server: StagedServer, custom_fields: list[dict[str, Any]]) -> None:
    me = _user() | {"id": 30, "EmailAddress": "anna@example.test"}
    server.stage(f"{REST}/user/30", _json(me))
    queue = {"id": 3, "Name": "General", "TicketCustomFields": custom_fields}
    server.stage(f"{REST}/queue/General", _json(queue))
    created = {"id": "42", "type": "ticket", "_url": "http://127.0.0.1/REST/2.0/ticket/42"}
    server.stage(f"{REST}/ticket", _json(created, 201, Location="/REST/2.0/ticket/42"))


REPORT_FIELD = {"id": "7", "type": "customfield", "ref": "customfield", "name": "Report-ID"}


def test_a_report_with_files_is_one_multipart_request(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_create(server, [REPORT_FIELD])
    screen = Attachment("screen.png", "image/png", bytes(range(256)) * 40)
    diagnostics = Attachment("diagnostics.json", "application/json", b'{"cpu": 3}')
    report = Report("Printer jams", "It jams.", attachments=(screen, diagnostics))
    assert desk.create_ticket(report) == TicketRef("42")
    (create,) = _sent(server, f"{REST}/ticket")
    assert create.headers["Content-Type"].startswith("multipart/form-data")
    parts = _multipart(create)
    fields = json.loads(parts["JSON"][1])
    assert fields == {
        "Queue": "3",
        "Requestor": "anna@example.test",  # REST2 does not make the creator the requestor
        "Subject": "Printer jams",
        "ContentType": "text/plain",
        "CustomFields": {"7": report.key},
        # The key in the text too: RT drops a field value it may not set, silently.
        "Content": f"It jams.\n\nReport-ID: {report.key}",
    }
    assert parts["Attachments:screen.png"][1] == screen.data  # raw bytes, no base64
    assert parts["Attachments:diagnostics.json"][1] == diagnostics.data


def test_without_the_report_field_the_key_is_the_texts_last_line(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_create(server, [])
    report = Report("No sound", "Teams is silent.")
    desk.create_ticket(report)
    (create,) = _sent(server, f"{REST}/ticket")
    fields = json.loads(create.body)
    assert "CustomFields" not in fields
    assert fields["Content"] == f"Teams is silent.\n\nReport-ID: {report.key}"
    desk.create_ticket(report)
    assert len(_sent(server, f"{REST}/queue/General")) == 1  # asked once


def test_an_upload_too_large_for_a_proxy_is_an_attachment_refusal(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_create(server, [REPORT_FIELD])
    server.stage(
        f"{REST}/ticket", Reply(413, b"<h1>413 Request Entity Too Large</h1>", "text/html")
    )
    big = Attachment("screen.png", "image/png", b"x" * 1000)
    with pytest.raises(AttachmentRefused) as caught:
        desk.create_ticket(Report("Big", "big", attachments=(big,)))
    assert caught.value.reason == "too_large"


def test_an_empty_file_is_refused_before_anything_is_sent(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_create(server, [REPORT_FIELD])
    empty = Attachment("empty.log", "text/plain", b"")
    with pytest.raises(AttachmentRefused) as caught:
        desk.create_ticket(Report("Log", "log", attachments=(empty,)))
    assert caught.value.filenames == ("empty.log",)
    assert _sent(server, f"{REST}/ticket") == []


def test_a_hostile_report_key_is_quoted_and_checked(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_create(server, [REPORT_FIELD])
    # Whatever RT makes of it, a ticket whose field is not exactly the key is not it.
    other = _item(9) | {"CustomFields": [{"id": "7", "name": "Report-ID", "values": ["abc"]}]}
    server.stage(f"{REST}/tickets", _json(_page([other])))
    server.stage(f"{REST}/ticket/9/attachments", _json(_page([{"id": "90", "Content": "abc"}])))
    key = "x\\' OR Requestor.id != '__CurrentUser__"
    assert desk.find_by_report_key(key) is None
    query = _query(_sent(server, f"{REST}/tickets")[0])["query"]
    assert query == (
        "Requestor.id = '__CurrentUser__' AND CF.{Report-ID} = "
        "'x\\\\\\' OR Requestor.id != \\'__CurrentUser__'"
    )


def test_a_report_key_is_found_in_the_report_field(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_create(server, [REPORT_FIELD])
    mine = _item(9) | {"CustomFields": [{"id": "7", "name": "Report-ID", "values": ["k-1"]}]}
    server.stage(f"{REST}/tickets", _json(_page([mine])))
    assert desk.find_by_report_key("k-1") == TicketRef("9")


def test_without_the_field_a_report_key_is_found_in_recent_texts(server: StagedServer) -> None:
    desk = _signed_in(server)
    _stage_create(server, [])
    server.stage(f"{REST}/tickets", _json(_page([_item(12), _item(11)])))
    server.stage(f"{REST}/ticket/12/attachments", _json(_page([{"id": "1", "Content": "x"}])))
    found = {"id": "2", "Content": "It broke.\n\nReport-ID: k-2\n"}
    server.stage(f"{REST}/ticket/11/attachments", _json(_page([found])))
    assert desk.find_by_report_key("k-2") == TicketRef("11")
    query = _query(_sent(server, f"{REST}/tickets")[0])
    assert query["query"] == "Requestor.id = '__CurrentUser__' AND Created > '-2592000 seconds'"
    assert desk.find_by_report_key("k-2") == TicketRef("11")
    assert len(_sent(server, f"{REST}/ticket/11/attachments")) == 1  # its text is known now


def test_a_key_rt_dropped_from_the_field_is_found_on_the_texts_last_line(
    server: StagedServer,
) -> None:
    # Without SetInitialCustomField RT answers 201 and keeps no field value: the
    # lookup must still find the ticket, or a retry would file the report twice.
    desk = _signed_in(server)
    _stage_create(server, [REPORT_FIELD])
    server.stage(f"{REST}/tickets", _json(_page([])), _json(_page([_item(12)])))
    found = {"id": "2", "Content": "It broke.\n\nReport-ID: k-3\n"}
    server.stage(f"{REST}/ticket/12/attachments", _json(_page([found])))
    assert desk.find_by_report_key("k-3") == TicketRef("12")
    searches = [_query(s)["query"] for s in _sent(server, f"{REST}/tickets")]
    assert searches == [
        "Requestor.id = '__CurrentUser__' AND CF.{Report-ID} = 'k-3'",
        "Requestor.id = '__CurrentUser__' AND Created > '-2592000 seconds'",
    ]


# --- the user's actions --------------------------------------------------------------------


def test_confirming_a_resolved_ticket_without_words_sends_nothing(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1", _json(_record(1, "resolved"), ETag='"9"'))
    desk.confirm_resolved(TicketRef("1"))
    assert _sent(server, f"{REST}/ticket/1/correspond") == []


def test_it_fixed_itself_is_one_reply_that_resolves(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1", _json(_record(1, "open"), ETag='"9"'))
    server.stage(
        f"{REST}/ticket/1/correspond",
        _json(["Correspondence added", "Permission Denied"], 201),  # no ModifyTicket
    )
    desk.confirm_resolved(TicketRef("1"), "It fixed itself.")
    (sent,) = _sent(server, f"{REST}/ticket/1/correspond")
    body = json.loads(sent.body)
    assert body["Status"] == "resolved"
    assert body["Content"].startswith("The requester confirms the problem is solved.")
    assert body["Content"].endswith("It fixed itself.")


def test_a_reply_with_files_is_multipart(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1/correspond", _json(["Correspondence added"], 201))
    log = Attachment("vpn.log", "text/plain", b"connect failed\n")
    desk.reply(TicketRef("1"), "Here is the log", [log])
    parts = _multipart(_sent(server, f"{REST}/ticket/1/correspond")[0])
    assert json.loads(parts["JSON"][1]) == {
        "Content": "Here is the log",
        "ContentType": "text/plain",
    }
    assert parts["Attachments"] == ("vpn.log", log.data)


def test_reopen_leaves_it_to_rts_scrip_when_it_reopened(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(
        f"{REST}/ticket/1",
        _json(_record(1, "resolved"), ETag='"7"'),
        _json(_record(1, "open"), ETag='"9"'),
    )
    server.stage(f"{REST}/ticket/1/correspond", _json(["Correspondence added"], 201))
    desk.reopen(TicketRef("1"), "It is back")
    assert [s.method for s in _sent(server, f"{REST}/ticket/1")] == ["GET", "GET"]


# --- against a real Request Tracker --------------------------------------------------------

SCREENSHOT = bytes(range(256)) * 1200  # binary, every byte value
DIAGNOSTICS = b'{"cpu": 3, "note": "caf\xc3\xa9"}'


@dataclass
class Exchange:
    """One request as it left, and the status RT gave it."""

    method: str
    path: str
    auth: str
    cookie: str
    status: int


def _recording(log: list[Exchange]) -> Callable[[HttpConfig], requests.Session]:
    def record(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        sent = response.request
        auth = "token" if "Authorization" in sent.headers else ""
        cookie = str(sent.headers.get("Cookie", ""))
        path = urllib.parse.urlsplit(sent.url or "").path
        log.append(Exchange(sent.method or "", path, auth, cookie, response.status_code))

    def factory(config: HttpConfig) -> requests.Session:
        session = make_session(config)
        session.hooks["response"].append(record)
        return session

    return factory


def _employee(access: RtAccess, log: list[Exchange] | None = None, token: str = "") -> RtDesk:
    connector = RtConnector(
        HttpConfig(), _recording(log) if log is not None else make_session, queue=access.queue
    )
    return connector.open(access.url, token or access.anna_token)


def _forget_session(access: RtAccess, cookie: str) -> None:
    """End one RT web session on the server (RT keeps each in a file named by its id)."""
    sid = cookie.partition("=")[2]
    (access.rt.data_dir / "session_data" / sid).unlink()


@pytest.fixture
def agent(rt_desk: RtAccess) -> Iterator[RtAgent]:
    joost = rt_desk.agent()
    yield joost
    joost.close()


@pytest.mark.rt
def test_rt_a_report_with_files_arrives_whole_with_its_key(
    rt_desk: RtAccess, agent: RtAgent
) -> None:
    desk = _employee(rt_desk)
    screen = Attachment("screen.png", "image/png", SCREENSHOT)
    diagnostics = Attachment("diagnostics.json", "application/json", DIAGNOSTICS)
    report = Report("Screen flickers", "Since this morning.", attachments=(screen, diagnostics))
    ref = desk.create_ticket(report)
    number = int(ref.id)
    assert agent.attachments(number) == {"screen.png": SCREENSHOT, "diagnostics.json": DIAGNOSTICS}
    assert agent.custom_field(number, "Report-ID") == [report.key]
    assert agent.requestors(number) == ["anna@example.test"]
    assert desk.find_by_report_key(report.key) == ref
    assert _employee(rt_desk, token=rt_desk.bram_token).find_by_report_key(report.key) is None
    ticket = desk.ticket(ref)
    assert ticket.description == "Since this morning."
    (created,) = ticket.events
    sizes = {a.filename: a.size for a in created.attachments}
    assert sizes == {"screen.png": len(SCREENSHOT), "diagnostics.json": len(DIAGNOSTICS)}


@pytest.mark.rt
def test_rt_a_report_goes_to_its_departments_queue_and_rt_names_the_department(
    rt_desk: RtAccess, agent: RtAgent
) -> None:
    desk = _employee(rt_desk)
    assert desk.whoami().department == "Finance", "RT's Organization field on Anna's record"
    report = Report("Invoice run fails", "Since 9:00.", queue="Finance")
    routed = desk.create_ticket(report)
    default = desk.create_ticket(Report("Mouse lags", "A lot."))
    assert agent.queue_name(int(routed.id)) == "Finance"
    assert agent.queue_name(int(default.id)) == rt_desk.queue
    # Finance has no Report-ID field: the key is found on the report's last line.
    assert desk.find_by_report_key(report.key) == routed
    assert routed in [t.ref for t in desk.changed_tickets(None)[0]], "the employee follows it"


@pytest.mark.rt
@pytest.mark.parametrize("queue", ["Nowhere", "Management"])  # none; closed to employees
def test_rt_a_department_queue_rt_refuses_is_a_queue_refusal_and_creates_nothing(
    rt_desk: RtAccess, queue: str
) -> None:
    desk = _employee(rt_desk)
    report = Report("Lost queue", "Where does this go?", queue=queue)
    with pytest.raises(QueueRefused):
        desk.create_ticket(report)
    assert desk.find_by_report_key(report.key) is None
    sender_store = MemoryOutbox()
    sender_store.add(report, 0.0)
    attempt = OutboxSender(sender_store, clock=lambda: 0.0).send_next(desk)
    assert attempt is not None and attempt.delivered, "to the default queue instead"
    assert desk.find_by_report_key(report.key) == attempt.item.ticket


@pytest.mark.rt
def test_rt_the_token_is_sent_once_then_the_session_cookie(rt_desk: RtAccess) -> None:
    log: list[Exchange] = []
    desk = _employee(rt_desk, log)
    ref = desk.create_ticket(Report("Mouse lags", "A lot."))
    _, cursor = desk.changed_tickets(None)
    for _ in range(3):
        _, cursor = desk.changed_tickets(cursor)
    desk.ticket(ref)
    desk.ticket(ref)
    with_token = [e for e in log if e.auth]
    assert [(e.method, e.path, e.status) for e in with_token] == [("GET", "/", 302)]
    rest = [e for e in log if e.path.startswith("/REST/2.0/")]
    assert len(rest) >= 10 and all(e.cookie.startswith("RT_SID_") for e in rest)
    assert [e.status for e in log if e.path == f"/REST/2.0/ticket/{ref.id}"] == [200, 304]


@pytest.mark.rt
def test_rt_an_expired_session_is_renewed_with_the_token(rt_desk: RtAccess) -> None:
    log: list[Exchange] = []
    desk = _employee(rt_desk, log)
    desk.changed_tickets(None)
    _forget_session(rt_desk, log[-1].cookie)
    log.clear()
    desk.changed_tickets(None)
    assert [(e.path, e.auth, e.status) for e in log] == [
        ("/REST/2.0/tickets", "", 302),  # RT's answer to a session it no longer has
        ("/", "token", 302),
        ("/REST/2.0/tickets", "", 200),
    ]


@pytest.mark.rt
def test_rt_password_sign_in_keeps_a_session_that_ends_with_rts(rt_desk: RtAccess) -> None:
    connector = RtConnector(HttpConfig())
    credential = connector.sign_in(rt_desk.url, "anna", EMPLOYEE_PASSWORD)
    kept = RtCredential.loads(credential)
    assert (kept.user, kept.token, kept.password) == ("anna", "", "")
    desk = connector.open(rt_desk.url, credential)
    assert desk.whoami().name == "Anna Jansen"
    _forget_session(rt_desk, f"{kept.cookie}={kept.sid}")
    with pytest.raises(AuthFailed):
        desk.changed_tickets(None)
    with pytest.raises(AuthFailed):
        connector.sign_in(rt_desk.url, "anna", "not her password")
    token = connector.sign_in(rt_desk.url, "anna", rt_desk.anna_token)
    assert RtCredential.loads(token).token == rt_desk.anna_token
    with pytest.raises(AuthFailed):
        connector.sign_in(rt_desk.url, "bram", rt_desk.anna_token)


@pytest.mark.rt
def test_rt_the_agents_work_shows_in_stages_messages_and_photo(
    rt_desk: RtAccess, agent: RtAgent
) -> None:
    desk = _employee(rt_desk)
    ref = desk.create_ticket(Report("VPN drops", "Every hour."))
    number = int(ref.id)
    _, cursor = desk.changed_tickets(None)
    agent.assign(number, AGENT)
    changed, cursor = desk.changed_tickets(cursor)  # a relative date RT reads in any zone
    assert (ref, Stage.ASSIGNED) in [(t.ref, t.stage) for t in changed]
    agent.reply(number, "Internal: probably the certificate", public=False)
    agent.reply(number, "Which VPN client do you use?")
    changed, cursor = desk.changed_tickets(cursor)
    (summary,) = [t for t in changed if t.ref == ref]
    assert summary.stage is Stage.IN_PROGRESS and summary.agent_replied_at is not None
    repeat, _ = desk.changed_tickets(cursor)  # within RT's second: at most told again
    assert [t for t in repeat if t.ref == ref] in ([], [summary])
    ticket = desk.ticket(ref)
    texts = [(e.kind, e.text, e.by_agent) for e in ticket.events if e.text]
    assert texts == [(EventKind.MESSAGE, "Which VPN client do you use?", True)]
    assert ticket.summary.agent is not None
    assert ticket.summary.agent.name == "Joost de Vries"
    assert desk.agent_photo(ticket.summary.agent) == photo_png()
    assert desk.agent_photo(ticket.summary.agent) == photo_png()  # a 304 this time
    agent.hold(number)
    assert desk.ticket(ref).summary.stage is Stage.WAITING_ON_YOU


@pytest.mark.rt
def test_rt_deleted_and_moved_tickets_are_not_found(rt_desk: RtAccess, agent: RtAgent) -> None:
    desk = _employee(rt_desk)
    deleted = desk.create_ticket(Report("Spam?", "Not really."))
    moved = desk.create_ticket(Report("Salary question", "For management."))
    desk.ticket(deleted)
    agent.delete(int(deleted.id))  # RT still shows it to its requestor, status deleted
    agent.move(int(moved.id), rt_desk.other_queue)  # RT answers 403
    for ref in (deleted, moved):
        with pytest.raises(NotFound):
            desk.ticket(ref)
    with pytest.raises(NotFound):
        desk.reopen(deleted, "Why was it deleted?")
    assert agent.status(int(deleted.id)) == "deleted"  # a reply would have reopened it


@pytest.mark.rt
def test_rt_the_employees_actions_with_modify_ticket(rt_desk: RtAccess, agent: RtAgent) -> None:
    desk = _employee(rt_desk)
    ref = desk.create_ticket(Report("Printer offline", "Second floor."))
    number = int(ref.id)
    assert not desk.ticket(ref).summary.urgent
    desk.mark_urgent(ref, "The board meeting starts at ten")
    assert agent.priority(number) == 100
    assert desk.ticket(ref).summary.urgent, "the tray shows it as urgent from now on"
    assert next(t for t in desk.changed_tickets(None)[0] if t.ref.id == ref.id).urgent
    desk.confirm_resolved(ref, "It fixed itself.")
    assert agent.status(number) == "resolved"
    before = len(agent.history(number))
    desk.confirm_resolved(ref)
    assert len(agent.history(number)) == before  # nothing to send to a resolved ticket
    desk.reopen(ref, "It is offline again")
    assert agent.status(number) == "open"
    notes = [h["Content"] for h in agent.history(number) if h["Type"] == "Correspond"]
    assert notes[-1] == "It is offline again"
    assert notes[-2].endswith("It fixed itself.")


# --- the poller against a misbehaving RT ---------------------------------------------------


def test_no_bad_answer_from_rt_stops_the_poller(qtbot: QtBot, server: StagedServer) -> None:
    """Install mode, a proxy's error page, RT down, a ticket gone, an ended session:
    each is a state the tray shows, and the next poll tries again."""
    clock = FakeClock()
    poller = TicketPoller(
        SyncTaskRunner(), clock=clock, wall_clock=clock, rng=random.Random(1), jitter=0.0
    )
    failed: list[tuple[str, str]] = []
    poller.ticket_failed.connect(lambda ref, error: failed.append((ref.id, error.code)))
    desk = _signed_in(server)
    listed = _json(_page([_item(1, "open")]))
    server.stage(
        f"{REST}/tickets",
        listed,
        Reply(200, b"<html><title>RT Installer</title></html>", "text/html"),
        Reply(502, b"<h1>Bad Gateway</h1>", "text/html"),
        listed,
    )
    poller.start(desk)
    assert (poller.state, [t.ref.id for t in poller.tickets]) == (ConnectionState.ONLINE, ["1"])

    for expected in ("bad_response", "server_error"):
        clock.advance(poller.next_delay_s or 0)
        assert poller.poll_now(force=True)
        assert poller.state is ConnectionState.OFFLINE and poller.last_error is not None
        assert expected in (poller.last_error.code, getattr(poller.last_error, "reason", ""))
        assert (poller.next_delay_s or 0) > 0  # the next try is armed
    clock.advance(poller.next_delay_s or 0)
    poller.poll_now(force=True)
    assert poller.state is ConnectionState.ONLINE
    assert [t.ref.id for t in poller.tickets] == ["1"], "nothing forgotten meanwhile"

    # The ticket the tracker shows was deleted at the desk: unavailable, not a crash.
    server.stage(f"{REST}/ticket/1", _json(_record(1, "deleted"), ETag='"40"'))
    poller.watch(TicketRef("1"))
    poller.refresh_ticket(TicketRef("1"))
    assert failed == [("1", "not_found")]
    assert poller.state is ConnectionState.ONLINE

    # The session ended and the token no longer works: the user is asked to sign in.
    unauthorized = Reply(401, b'{"message":"Unauthorized"}', "application/json")
    server.stage(f"{REST}/tickets", EXPIRED, unauthorized)
    server.stage("/", Reply(200, b"<html><form id=login></form></html>", "text/html"))
    with qtbot.waitSignal(poller.credential_rejected, timeout=1000):
        clock.advance(poller.next_delay_s or 0)
        poller.poll_now(force=True)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not base64 at all!", "not base64"),
        (base64.b64encode(b"x" * 3000).decode(), "larger than"),
        ({"nested": "object"}, "expected text"),  # not even text
    ],
)
def test_a_file_whose_content_is_not_what_rt_promises_is_refused(
    server: StagedServer, content: object, problem: str
) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/attachment/3", _json({"id": 3, "Content": content}))
    file = AttachmentInfo("screen.png", 2048, "image/png", f"{server.url}{REST}/attachment/3")
    with pytest.raises(BadResponse, match=problem):
        desk.download(file, max_bytes=2048)


def test_a_file_comes_back_decoded_and_only_from_rts_attachments(server: StagedServer) -> None:
    desk = _signed_in(server)
    lines = "\n".join(textwrap.wrap(base64.b64encode(bytes(range(256))).decode(), 76))
    server.stage(f"{REST}/attachment/3", _json({"id": 3, "Content": lines}))
    file = AttachmentInfo("screen.png", 256, "image/png", f"{server.url}{REST}/attachment/3")
    assert desk.download(file, max_bytes=256) == bytes(range(256))
    for url in (f"{server.url}{REST}/ticket/1", f"{server.url}{REST}/attachment/../user/1"):
        with pytest.raises(BadResponse):
            desk.download(AttachmentInfo("x", 1, "text/plain", url), max_bytes=10)
