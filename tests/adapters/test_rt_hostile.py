"""The RT adapter against a hostile or broken RT: nothing it sends is used unchecked.

Staged replies (see ``tests/support/staged_server.py``); each case was seen from a
deliberately hostile desk (the Hardening issue): amplification by pages without ids,
paths built from ids that are not ids, writes counted as done on an answer that does
not say so, and photos of any size.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from client.core.errors import BadResponse, NotFound
from client.core.models import Agent, Attachment, TicketRef
from tests.adapters.test_rt import (
    REST,
    _item,
    _json,
    _page,
    _record,
    _sent,
    _signed_in,
    _transaction,
    _user,
)
from tests.support.staged_server import Reply, StagedServer, staged_server


@pytest.fixture
def server() -> Iterator[StagedServer]:
    yield from staged_server()


def _rest_requests(server: StagedServer) -> list[str]:
    return [s.path.split("?")[0] for s in server.seen if s.path.startswith(REST)]


@pytest.mark.parametrize(
    "page",
    [
        [{"type": "transaction", "Type": "Correspond"}] * 100,  # no ids at all
        [_transaction(5, "Correspond")] * 100,  # the same id, page after page
        [_transaction(n, "Set") for n in range(100, 0, -1)],  # the same page again
    ],
    ids=["no-ids", "same-id", "same-page"],
)
def test_history_pages_that_never_reach_the_end_cost_a_few_requests_not_fifty(
    server: StagedServer, page: list[dict[str, object]]
) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1", _json(_record(1), ETag='"900"'))
    server.stage(f"{REST}/ticket/1/history", _json(_page(page)))
    with pytest.raises(BadResponse):
        desk.ticket(TicketRef("1"))
    assert len(_sent(server, f"{REST}/ticket/1/history")) <= 2
    assert len(_rest_requests(server)) <= 4


@pytest.mark.parametrize("bad_id", [None, "", "../../x?y=1", "0", "-3", "1e3", True, 1.5])
def test_a_ticket_id_that_is_not_an_id_never_becomes_a_path(
    server: StagedServer, bad_id: object
) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/queue/General", _json({"id": 1, "TicketCustomFields": []}))
    server.stage(f"{REST}/tickets", _json(_page([_item(1) | {"id": bad_id}])))
    with pytest.raises(BadResponse):
        desk.find_by_report_key("4f1c9a2e-report")
    with pytest.raises(BadResponse):
        desk.changed_tickets(None)
    assert all(p in (f"{REST}/queue/General", f"{REST}/tickets") for p in _rest_requests(server))


@pytest.mark.parametrize("ref", ["../../x?y=1", "1/../2", "", "abc", "1#x"])
def test_an_impossible_ticket_reference_is_not_found_before_any_request(
    server: StagedServer, ref: str
) -> None:
    desk = _signed_in(server)
    with pytest.raises(NotFound):
        desk.ticket(TicketRef(ref))
    with pytest.raises(NotFound):
        desk.reply(TicketRef(ref), "hello")
    assert _rest_requests(server) == []


def test_a_new_ticket_is_filed_only_when_rt_answers_201_with_its_id(server: StagedServer) -> None:
    from client.core.models import Report

    desk = _signed_in(server)
    server.stage(f"{REST}/user/30", _json(_user() | {"EmailAddress": "anna@example.test"}))
    server.stage(f"{REST}/queue/General", _json({"id": 1, "TicketCustomFields": []}))
    server.stage(
        f"{REST}/ticket",
        _json({"id": "7", "type": "ticket"}, 200),  # 200: not what RT says for a new one
        Reply(201, b"<html>Welcome</html>", "text/html"),
        _json({"id": "../7", "type": "ticket"}, 201),
        _json({"id": "7", "type": "ticket"}, 201),
    )
    for _ in range(3):
        with pytest.raises(BadResponse):
            desk.create_ticket(Report("Printer", "Jams."))
    assert desk.create_ticket(Report("Printer", "Jams.")) == TicketRef("7")


@pytest.mark.parametrize(
    "reply",
    [
        _json(["Correspondence added"], 200),
        _json([], 201),
        _json({"message": "ok"}, 201),
        Reply(201, b"<html>ok</html>", "text/html"),
        Reply(201, b'["Correspondence ad', "application/json"),
    ],
    ids=["200", "no-message", "object", "html", "truncated"],
)
def test_a_reply_is_done_only_when_rts_answer_says_so(server: StagedServer, reply: Reply) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1/correspond", reply)
    with pytest.raises(BadResponse):
        desk.reply(
            TicketRef("1"), "It is the blue cable.", (Attachment("a.txt", "text/plain", b"a"),)
        )


@pytest.mark.parametrize(
    "url",
    [
        "http://rt.internal/REST/2.0/download/cf/../../../NoAuth/Logout.html",
        "http://rt.internal/REST/2.0/download/cf/%2e%2e/%2e%2e/x",
        "http://rt.internal/REST/2.0/download/cf/1%2F..%2F..%2Fuser%2Froot",
        "http://rt.internal/REST/2.0//evil.example/photo",
    ],
)
def test_a_photo_address_that_climbs_out_is_never_asked_for(server: StagedServer, url: str) -> None:
    desk = _signed_in(server)
    owner = _user("joost", "Joost de Vries") | {
        "CustomFields": [{"name": "Photo", "values": [{"content_type": "image/png", "_url": url}]}]
    }
    server.stage(f"{REST}/ticket/1", _json(_record(1, Owner=owner), ETag='"3"'))
    server.stage(f"{REST}/ticket/1/history", _json(_page([_transaction(3, "Create")])))
    server.stage(f"{REST}/ticket/1/attachments", _json(_page([])))
    desk.ticket(TicketRef("1"))
    server.stage(f"{REST}/tickets", _json(_page([])))
    assert desk.agent_photo(Agent(name="Joost de Vries", id="joost")) is None
    assert all("download" not in p and "NoAuth" not in p for p in _rest_requests(server))


def test_a_photo_is_an_image_of_bounded_size(server: StagedServer) -> None:
    desk = _signed_in(server)
    photo = "http://rt.internal/REST/2.0/download/cf/1"
    owner = _user("joost", "Joost de Vries") | {
        "CustomFields": [
            {"name": "Photo", "values": [{"content_type": "image/png", "_url": photo}]}
        ]
    }
    server.stage(f"{REST}/ticket/1", _json(_record(1, Owner=owner), ETag='"3"'))
    server.stage(f"{REST}/ticket/1/history", _json(_page([_transaction(3, "Create")])))
    server.stage(f"{REST}/ticket/1/attachments", _json(_page([])))
    desk.ticket(TicketRef("1"))
    server.stage(
        f"{REST}/download/cf/1",
        Reply(200, b"\x89PNG" + b"\0" * (3 * 1024 * 1024), "image/png"),
        Reply(200, b"<html>login</html>", "text/html"),
        Reply(200, b"\x89PNG small", "image/png"),
    )
    joost = Agent(name="Joost de Vries", id="joost")
    for _ in range(2):
        with pytest.raises(BadResponse):
            desk.agent_photo(joost)
    assert desk.agent_photo(joost) == b"\x89PNG small"


def test_the_login_form_names_rts_page_with_the_host_in_lower_case(server: StagedServer) -> None:
    # RT compares a Referer's host exactly, and keeps the case a user typed.
    from client.adapters.desks.rt import log_in
    from client.adapters.http import HttpClient, HttpConfig

    cookie = "RT_SID_helpdesk.test.80=s9; path=/; HttpOnly"
    server.stage(
        "/NoAuth/Login.html",
        Reply(302, b"", "text/html", headers={"Location": "/", "Set-Cookie": cookie}),
    )
    port = server.url.rsplit(":", 1)[1]
    http = HttpClient(f"http://LOCALHOST:{port}", HttpConfig(retries=0), follow_redirects=False)
    try:
        assert log_in(http, "anna", "secret-pass") == "RT_SID_helpdesk.test.80=s9"
    finally:
        http.close()
    (sent,) = _sent(server, "/NoAuth/Login.html")
    assert sent.headers["Referer"] == f"http://localhost:{port}/NoAuth/Login.html"
    assert sent.headers["Origin"] == f"http://localhost:{port}"


def test_history_reads_past_a_page_rt_emptied_until_the_newest_transaction(
    server: StagedServer,
) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1", _json(_record(1), ETag='"205"'))
    # Page 1 held 100 transactions the employee may not see: RT sends it empty.
    server.stage(
        f"{REST}/ticket/1/history",
        _json(_page([])),
        _json(_page([_transaction(205, "Status", Field="Status", NewValue="resolved")])),
    )
    server.stage(f"{REST}/ticket/1/attachments", _json(_page([])))
    ticket = desk.ticket(TicketRef("1"))
    assert [e.id for e in ticket.events] == ["205"]
    assert len(_sent(server, f"{REST}/ticket/1/history")) == 2


def test_a_desk_sending_empty_history_pages_forever_costs_three(server: StagedServer) -> None:
    desk = _signed_in(server)
    server.stage(f"{REST}/ticket/1", _json(_record(1), ETag='"900"'))
    server.stage(f"{REST}/ticket/1/history", _json(_page([])))
    server.stage(f"{REST}/ticket/1/attachments", _json(_page([])))
    desk.ticket(TicketRef("1"))
    assert len(_sent(server, f"{REST}/ticket/1/history")) == 3
