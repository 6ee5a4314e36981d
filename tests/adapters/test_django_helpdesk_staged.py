"""The django-helpdesk adapter against staged answers a real desk rarely gives on demand.

Every write counts as done only when the desk's answer says what was done, for this
ticket (architecture, section 3); ids and URLs taken from the desk are checked before
they reach a request. The good answers staged here are the ones ``demo/tray_api``
gives (``tests/adapters/test_django_helpdesk.py`` checks that against the real desk).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from client.adapters.desks.django_helpdesk import (
    API_PREFIX,
    DjangoHelpdeskConnector,
    DjangoHelpdeskDesk,
)
from client.adapters.http import HttpConfig
from client.core.errors import BadResponse, NotFound
from client.core.models import Cursor, Report, TicketRef
from tests.support.staged_server import Reply, StagedServer, staged_server

CONFIG = HttpConfig(connect_timeout=2.0, read_timeout=5.0, retries=0)
TOKEN = "0123456789abcdef0123456789abcdef01234567"
WHEN = "2026-11-22T10:10:11.000+00:00"
TICKET = 7
TICKETS = f"{API_PREFIX}/tickets"
REF = TicketRef(str(TICKET), f"finance-{TICKET}")
_OPEN, _REOPENED, _CLOSED = 1, 2, 4


@pytest.fixture
def server() -> Iterator[StagedServer]:
    yield from staged_server()


def _desk(server: StagedServer) -> DjangoHelpdeskDesk:
    return DjangoHelpdeskConnector(CONFIG).open(server.url, TOKEN)


def _json(value: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(value).encode(), headers=dict(headers))


def _summary(ticket_id: int = TICKET, status: int = _OPEN, **fields: Any) -> dict[str, Any]:
    return {
        "id": ticket_id,
        "ref": f"finance-{ticket_id}",
        "title": f"ticket {ticket_id}",
        "queue": {"slug": "finance", "title": "Finance"},
        "status": status,
        "status_name": "Open",
        "on_hold": False,
        "assignee": None,
        "priority": 3,
        "due_date": None,
        "created": WHEN,
        "modified": WHEN,
        "report_key": None,
        "agent_replied": False,
        "last_agent_reply": None,
        **fields,
    }


def _event(event_id: int = 40, text: str = "", **fields: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "date": WHEN,
        "author": {"name": "Anna Jansen", "is_agent": False},
        "title": "Comment",
        "text": text,
        "new_status": None,
        "attachments": [],
        **fields,
    }


def _detail(ticket_id: int = TICKET, status: int = _OPEN, **fields: Any) -> dict[str, Any]:
    return {**_summary(ticket_id, status, **fields), "description": "details", "events": []}


def _attachment(url: str, attachment_id: int = 3) -> dict[str, Any]:
    return {"id": attachment_id, "filename": "a.txt", "size": 1, "mime_type": "text/plain"} | {
        "url": url
    }


# --- what tray_api answers to each write, and what the adapter does with it --------------------

#: Each write: the adapter call, the path it posts to, the text it sends, tray_api's answer.
Write = tuple[Callable[[DjangoHelpdeskDesk], None], str, Callable[[], Reply]]

WRITES: dict[str, Write] = {
    "reply": (
        lambda desk: desk.reply(REF, "It is the Dell WD19"),
        "replies",
        lambda: _json(
            {
                "action": "reply",
                "ticket": _summary(),
                "event": _event(text="It is the Dell WD19"),
            },
            201,
        ),
    ),
    "confirm_resolved": (
        lambda desk: desk.confirm_resolved(REF, "Thanks!"),
        "confirm",
        lambda: _json(
            {
                "action": "confirm",
                "ticket": _detail(status=_CLOSED),
                "event": _event(text="Thanks!", new_status=_CLOSED),
            }
        ),
    ),
    "reopen": (
        lambda desk: desk.reopen(REF, "Still broken"),
        "reopen",
        lambda: _json(
            {
                "action": "reopen",
                "ticket": _detail(status=_REOPENED),
                "event": _event(text="Still broken", new_status=_REOPENED),
            }
        ),
    ),
    "mark_urgent": (
        lambda desk: desk.mark_urgent(REF, "The board meets at noon"),
        "urgent",
        lambda: _json(
            {
                "action": "urgent",
                "ticket": _detail(priority=1),
                "event": _event(text="The board meets at noon"),
            }
        ),
    ),
}


def _redirected_to_the_ticket(server: StagedServer, path: str, good: Reply) -> Reply:
    """A 302 (a proxy, a login) that ``requests`` follows with a GET, without the text."""
    server.stage(f"{TICKETS}/{TICKET}", _json(_detail()))
    return Reply(302, b"", "text/html", headers={"Location": f"{TICKETS}/{TICKET}"})


def _about_another_ticket(good: Reply) -> Reply:
    answer = json.loads(good.body)
    answer["ticket"]["id"] = TICKET + 1
    answer["ticket"]["ref"] = f"finance-{TICKET + 1}"
    return Reply(good.status, json.dumps(answer).encode())


def _other_status(good: Reply) -> Reply:
    """The right body with a status tray_api does not document for it (200 for a 201)."""
    return Reply(200 if good.status == 201 else 202, good.body)


def _another_action(good: Reply) -> Reply:
    answer = json.loads(good.body)
    answer["action"] = "reply" if answer["action"] != "reply" else "urgent"
    return Reply(good.status, json.dumps(answer).encode())


def _someone_elses_text(good: Reply) -> Reply:
    answer = json.loads(good.body)
    answer["event"]["text"] = "an earlier message"
    return Reply(good.status, json.dumps(answer).encode())


def _by_an_agent(good: Reply) -> Reply:
    answer = json.loads(good.body)
    answer["event"]["author"] = {"name": "Joost Bakker", "is_agent": True}
    return Reply(good.status, json.dumps(answer).encode())


#: Hostile or wrong answers to a write: each must leave the user's text with the caller.
HOSTILE: dict[str, Callable[[StagedServer, str, Reply], Reply]] = {
    "html page with 200": lambda s, p, g: Reply(
        200, b"<html><body>Welcome</body></html>", "text/html"
    ),
    "truncated json": lambda s, p, g: Reply(g.status, g.body[: len(g.body) // 2]),
    "wrong shape": lambda s, p, g: _json({"ok": True}, g.status),
    "a list": lambda s, p, g: _json([json.loads(g.body)], g.status),
    "empty 204": lambda s, p, g: Reply(204, b""),
    "302 turned into a get": _redirected_to_the_ticket,
    "undocumented status": lambda s, p, g: _other_status(g),
    "about another ticket": lambda s, p, g: _about_another_ticket(g),
    "another action": lambda s, p, g: _another_action(g),
    "not the text sent": lambda s, p, g: _someone_elses_text(g),
    "written by an agent": lambda s, p, g: _by_an_agent(g),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_write_the_desk_confirms_is_done(server: StagedServer, write: str) -> None:
    call, path, good = WRITES[write]
    server.stage(f"{TICKETS}/{TICKET}/{path}", good())
    call(_desk(server))  # no error: the desk said it did it
    (sent,) = server.seen
    assert (sent.method, sent.path) == ("POST", f"{TICKETS}/{TICKET}/{path}")


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("write", WRITES)
def test_a_write_whose_answer_does_not_say_it_was_done_is_a_bad_response(
    server: StagedServer, write: str, hostile: str
) -> None:
    call, path, good = WRITES[write]
    server.stage(f"{TICKETS}/{TICKET}/{path}", HOSTILE[hostile](server, path, good()))
    with pytest.raises(BadResponse):
        call(_desk(server))


# --- creating tickets and signing in ---------------------------------------------------------

REPORT = Report(subject="Screen goes black", description="details")


def _created(status: int = 201, key: str | None = REPORT.key, **fields: Any) -> Reply:
    return _json({"ticket": _detail(report_key=key, **fields)}, status)


def test_a_created_ticket_is_the_one_the_desk_names(server: StagedServer) -> None:
    server.stage(TICKETS, _created(201))
    assert _desk(server).create_ticket(REPORT) == REF


def test_the_same_report_again_is_the_ticket_made_the_first_time(server: StagedServer) -> None:
    server.stage(TICKETS, _created(200))  # tray_api: the key was known, nothing created
    assert _desk(server).create_ticket(REPORT) == REF


CREATE_HOSTILE: dict[str, Callable[[StagedServer], Reply]] = {
    "html page with 200": lambda s: Reply(200, b"<html>Sign in</html>", "text/html"),
    "truncated json": lambda s: Reply(201, _created().body[:40]),
    "wrong shape": lambda s: _json({"tickets": []}, 201),
    "no ticket id": lambda s: _json({"ticket": {"ref": "finance-7"}}, 201),
    "empty 204": lambda s: Reply(204, b""),
    "undocumented status": lambda s: Reply(202, _created().body),
    "another report's ticket": lambda s: _created(201, key="d5b4f0e8-3a5b-4a8e-9f57-1c1b3b0e7b11"),
    "a ticket without a report key": lambda s: _created(200, key=None),
    "impossible id": lambda s: _created(201, id="../../admin"),
}


@pytest.mark.parametrize("hostile", CREATE_HOSTILE)
def test_a_create_whose_answer_does_not_name_the_ticket_is_a_bad_response(
    server: StagedServer, hostile: str
) -> None:
    server.stage(TICKETS, CREATE_HOSTILE[hostile](server))
    with pytest.raises(BadResponse):
        _desk(server).create_ticket(REPORT)


def test_a_lookup_that_ignores_the_report_key_is_a_bad_response(server: StagedServer) -> None:
    """A desk answering with every ticket would make the outbox take the newest for ours."""
    other = _summary(TICKET + 1, report_key="d5b4f0e8-3a5b-4a8e-9f57-1c1b3b0e7b11")
    server.stage(TICKETS, _json({"tickets": [other], "server_time": WHEN}))
    with pytest.raises(BadResponse):
        _desk(server).find_by_report_key(REPORT.key)


TOKEN_PATH = f"{API_PREFIX}/auth/token"
PERSON = {"username": "anna", "name": "Anna Jansen", "email": "", "department": None}

SIGN_IN_HOSTILE: dict[str, Reply] = {
    "html page with 200": Reply(200, b"<html>Welcome</html>", "text/html"),
    "truncated json": Reply(200, b'{"token": "0123456789abcdef'),
    "wrong shape": _json([TOKEN]),
    "no token": _json({"person": PERSON}),
    "empty 204": Reply(204, b""),
    "undocumented status": _json({"token": TOKEN, "person": PERSON}, 202),
    "a token that cannot be a header": _json({"token": "abc\r\nX-Evil: 1", "person": PERSON}),
    "a token with spaces": _json({"token": "Token " + TOKEN, "person": PERSON}),
}


def test_sign_in_returns_the_token_the_desk_gave(server: StagedServer) -> None:
    server.stage(TOKEN_PATH, _json({"token": TOKEN, "person": PERSON}))
    assert DjangoHelpdeskConnector(CONFIG).sign_in(server.url, "anna", "pw") == TOKEN


@pytest.mark.parametrize("hostile", SIGN_IN_HOSTILE)
def test_a_sign_in_answer_without_a_usable_token_is_a_bad_response(
    server: StagedServer, hostile: str
) -> None:
    server.stage(TOKEN_PATH, SIGN_IN_HOSTILE[hostile])
    with pytest.raises(BadResponse):
        DjangoHelpdeskConnector(CONFIG).sign_in(server.url, "anna", "pw")


def test_a_sign_in_redirected_to_a_page_is_a_bad_response(server: StagedServer) -> None:
    server.stage(TOKEN_PATH, Reply(302, b"", "text/html", headers={"Location": "/health"}))
    server.stage("/health", _json({"ok": True}))
    with pytest.raises(BadResponse):
        DjangoHelpdeskConnector(CONFIG).sign_in(server.url, "anna", "pw")


# --- ids and URLs from the desk ------------------------------------------------------------

IMPOSSIBLE_IDS = ["../../x?y=1", "7/../../admin", "", "0", "-7", "007", "7 ", "7#x", "1e3", "٣"]


@pytest.mark.parametrize("ticket_id", IMPOSSIBLE_IDS)
@pytest.mark.parametrize("write", WRITES)
def test_an_impossible_ticket_id_is_never_sent_in_a_write(
    server: StagedServer, write: str, ticket_id: str
) -> None:
    call, path, good = WRITES[write]
    server.stage(f"{TICKETS}/{TICKET}/{path}", good())
    desk = _desk(server)
    bad_ref = TicketRef(ticket_id)
    calls: dict[str, Callable[[], None]] = {
        "reply": lambda: desk.reply(bad_ref, "hi"),
        "confirm_resolved": lambda: desk.confirm_resolved(bad_ref),
        "reopen": lambda: desk.reopen(bad_ref, "hi"),
        "mark_urgent": lambda: desk.mark_urgent(bad_ref, "hi"),
    }
    with pytest.raises(NotFound):
        calls[write]()
    assert server.seen == [], "nothing may leave for an id no ticket can have"


@pytest.mark.parametrize("ticket_id", IMPOSSIBLE_IDS)
def test_an_impossible_ticket_id_is_never_fetched(server: StagedServer, ticket_id: str) -> None:
    server.stage(f"{API_PREFIX}/x", _json(_detail()))
    with pytest.raises(NotFound):
        _desk(server).ticket(TicketRef(ticket_id))
    assert server.seen == []


@pytest.mark.parametrize("bad_id", ["../../x?y=1", "07", 0, -3, True, 1.5, None, 10**19])
def test_a_ticket_id_the_desk_sends_is_checked_when_read(
    server: StagedServer, bad_id: object
) -> None:
    """Ids become paths of later requests: a list holding an impossible one is refused."""
    server.stage(TICKETS, _json({"tickets": [_summary(bad_id)], "server_time": WHEN}))  # type: ignore[arg-type]
    with pytest.raises(BadResponse):
        _desk(server).changed_tickets(None)


def test_a_ticket_answer_about_another_ticket_is_a_bad_response(server: StagedServer) -> None:
    server.stage(f"{TICKETS}/{TICKET}", _json(_detail(TICKET + 1)))
    with pytest.raises(BadResponse):
        _desk(server).ticket(REF)


@pytest.mark.parametrize("bad_id", ["1/../2", 0, True, "x"])
def test_an_event_id_the_desk_sends_is_checked_when_read(
    server: StagedServer, bad_id: object
) -> None:
    detail = _detail() | {"events": [_event(event_id=bad_id, text="hi")]}  # type: ignore[arg-type]
    server.stage(f"{TICKETS}/{TICKET}", _json(detail))
    with pytest.raises(BadResponse):
        _desk(server).ticket(REF)


HOSTILE_URLS = [
    "@evil.example/steal",  # base_url + this = http://127.0.0.1:port@evil.example/steal
    "//evil.example/steal",
    "https://evil.example/steal",
    ".evil.example/steal",
    f"{API_PREFIX}/tickets/{TICKET}/attachments/../../../auth/token",
    f"{API_PREFIX}/tickets/{TICKET}/attachments/%2e%2e/%2e%2e/%2e%2e/me",
    f"{API_PREFIX}/tickets/{TICKET}/attachments/3\\..\\..\\me",
    f"{API_PREFIX}/tickets/{TICKET + 1}/attachments/3",  # another ticket's file
    "/admin/helpdesk/ticket/",
    f"{API_PREFIX}/tickets/{TICKET}/attachments/3?next=/admin",
    f"{API_PREFIX}/tickets/{TICKET}/attachments/3\r\nX-Evil: 1",
    "",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_an_attachment_url_must_stay_on_the_desks_api(server: StagedServer, url: str) -> None:
    event = _event(text="see file", attachments=[_attachment(url)])
    server.stage(f"{TICKETS}/{TICKET}", _json(_detail() | {"events": [event]}))
    with pytest.raises(BadResponse):
        _desk(server).ticket(REF)


def test_an_attachment_url_of_the_ticket_is_kept(server: StagedServer) -> None:
    url = f"{API_PREFIX}/tickets/{TICKET}/attachments/3"
    event = _event(text="see file", attachments=[_attachment(url)])
    server.stage(f"{TICKETS}/{TICKET}", _json(_detail() | {"events": [event]}))
    ticket = _desk(server).ticket(REF)
    assert ticket.events[0].attachments[0].url == server.url + url


@pytest.mark.parametrize("cursor", ["yesterday", "", 17, None, "2026-11-22T10:10:11"])
def test_a_cursor_the_desk_sends_is_checked_before_it_is_sent_back(
    server: StagedServer, cursor: object
) -> None:
    server.stage(TICKETS, _json({"tickets": [], "server_time": cursor}))
    with pytest.raises(BadResponse):
        _desk(server).changed_tickets(Cursor(WHEN))


@pytest.mark.parametrize("etag", ['"' + "a" * 5000 + '"', "no quotes", '"a"b"'])
def test_an_etag_that_is_no_etag_is_not_sent_back(server: StagedServer, etag: str) -> None:
    server.stage(f"{TICKETS}/{TICKET}", _json(_detail(), ETag=etag))
    desk = _desk(server)
    desk.ticket(REF)
    desk.ticket(REF)
    assert [s.headers.get("If-None-Match") for s in server.seen] == [None, None]


def test_a_304_for_a_ticket_never_fetched_is_a_bad_response(server: StagedServer) -> None:
    server.stage(f"{TICKETS}/{TICKET}", Reply(304, b""))
    with pytest.raises(BadResponse):
        _desk(server).ticket(REF)
