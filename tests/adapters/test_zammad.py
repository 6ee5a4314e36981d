"""The Zammad adapter: against the stand-in for Zammad's rules, and against a hostile Zammad.

No Zammad runs here: the first half runs against the stand-in written from Zammad's
published API documentation (``tests/support/zammad_standin.py``; what it guesses is
listed there), the second against staged replies a broken or hostile server could
give (``tests/support/staged_server.py``). The contract suite (tests/contract) and
the outbox's fault suite run against the stand-in too.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from client.adapters.desks.zammad import (
    MAX_PAGES,
    STAGE_TABLE,
    ZammadConnector,
    ZammadDesk,
    native_state,
)
from client.adapters.http import HttpConfig
from client.core.errors import AuthFailed, BadResponse, DeskError, Forbidden, NotFound
from client.core.models import AttachmentInfo, EventKind, Report, Stage, TicketRef
from client.core.stages import StageTable
from tests.support.staged_server import Reply, StagedServer, staged_server
from tests.support.zammad_standin import (
    ANNA_TOKEN,
    BRAM_TOKEN,
    GROUP,
    PASSWORDS,
    PHOTO,
    ZammadStandin,
    _ZammadAgent,
)

FAST = HttpConfig(total_timeout=5.0, connect_timeout=2.0, read_timeout=1.0, retries=0)


def subject(what: str) -> str:
    return f"{what} [{uuid.uuid4().hex[:8]}]"


# --- the stand-in ------------------------------------------------------------------------------


@pytest.fixture
def anna(zammad_standin: ZammadStandin) -> ZammadDesk:
    return ZammadConnector(HttpConfig(), queue=GROUP).open(zammad_standin.url, ANNA_TOKEN)


@pytest.fixture
def agent(zammad_standin: ZammadStandin) -> Iterator[_ZammadAgent]:
    joost = _ZammadAgent(zammad_standin.url)
    yield joost
    joost.close()


def _stage(desk: ZammadDesk, ref: TicketRef) -> Stage:
    (summary,) = [t for t in desk.changed_tickets(None)[0] if t.ref.id == ref.id]
    return summary.stage


def test_a_pasted_token_signs_in_and_the_log_masks_it(zammad_standin: ZammadStandin) -> None:
    told: list[str] = []
    connector = ZammadConnector(HttpConfig(), remember_secret=told.append)
    assert connector.sign_in(zammad_standin.url, "", ANNA_TOKEN) == ANNA_TOKEN
    assert connector.sign_in(zammad_standin.url, "anna", ANNA_TOKEN) == ANNA_TOKEN
    assert ANNA_TOKEN in told
    with pytest.raises(AuthFailed, match="another user"):  # bram's token, signed in as anna
        connector.sign_in(zammad_standin.url, "anna", BRAM_TOKEN)
    with pytest.raises(AuthFailed, match="refused the access token"):
        connector.sign_in(zammad_standin.url, "", "x" * 64)


def test_a_password_is_exchanged_once_for_a_token_of_her_own(
    zammad_standin: ZammadStandin,
) -> None:
    told: list[str] = []
    connector = ZammadConnector(HttpConfig(), remember_secret=told.append)
    token = connector.sign_in(zammad_standin.url, "anna", PASSWORDS["anna"])
    assert PASSWORDS["anna"] not in token and {PASSWORDS["anna"], token} <= set(told)
    me = connector.open(zammad_standin.url, token).whoami()
    assert (me.name, me.department) == ("Anna Jansen", "Finance")
    with pytest.raises(AuthFailed, match="password"):
        connector.sign_in(zammad_standin.url, "anna", "not her password")
    # IT has not granted Bram's role access tokens: he is told to paste one.
    with pytest.raises(AuthFailed, match="paste one"):
        connector.sign_in(zammad_standin.url, "bram", PASSWORDS["bram"])
    with pytest.raises(AuthFailed):
        connector.open(zammad_standin.url, "")


def test_a_wrong_token_is_refused(zammad_standin: ZammadStandin) -> None:
    desk = ZammadConnector(FAST).open(zammad_standin.url, "w" * 64)
    with pytest.raises(AuthFailed):
        desk.changed_tickets(None)
    with pytest.raises(AuthFailed):
        desk.whoami()


@pytest.mark.parametrize(
    ("state_type", "name", "owned", "replied", "stage"),
    [
        ("new", "new", False, False, Stage.RECEIVED),
        ("new", "new", True, False, Stage.ASSIGNED),
        ("new", "new", True, True, Stage.IN_PROGRESS),
        ("open", "open", False, False, Stage.IN_PROGRESS),
        ("open", "open", True, False, Stage.ASSIGNED),
        ("open", "open", True, True, Stage.IN_PROGRESS),
        ("pending reminder", "pending reminder", True, False, Stage.IN_PROGRESS),
        ("pending reminder", "pending reminder", True, True, Stage.WAITING_ON_YOU),
        ("open", "Waiting for customer", True, True, Stage.WAITING_ON_YOU),
        ("open", "Waiting for customer", True, False, Stage.ASSIGNED),
        ("pending action", "pending close", True, True, Stage.RESOLVED),
        ("closed", "closed", True, True, Stage.CLOSED),
        ("merged", "merged", True, False, Stage.CLOSED),
        ("removed", "removed", False, False, Stage.CANCELLED),
        ("on the moon", "lunar", True, True, Stage.IN_PROGRESS),  # a type no one documents
    ],
)
def test_every_documented_state_type_has_its_stage(
    state_type: str, name: str, owned: bool, replied: bool, stage: Stage
) -> None:
    table = StageTable("zammad", STAGE_TABLE)
    assert table.stage(native_state(state_type, name, owned, replied)) is stage


def test_the_agents_work_shows_as_stages_on_the_stand_in(
    anna: ZammadDesk, agent: _ZammadAgent
) -> None:
    ref = anna.create_ticket(Report(subject("The docking station drops the screen"), ""))
    assert _stage(anna, ref) is Stage.RECEIVED
    agent.assign(ref.id)
    assert _stage(anna, ref) is Stage.ASSIGNED
    agent.reply(ref.id, "Internal: firmware 1.2", public=False)
    assert _stage(anna, ref) is Stage.ASSIGNED, "an internal note is not news"
    # A public note leaves last_contact_agent_at empty: the articles say an agent wrote.
    agent.reply(ref.id, "Which dock is it?")
    (summary,) = [t for t in anna.changed_tickets(None)[0] if t.ref == ref]
    assert summary.stage is Stage.IN_PROGRESS and summary.agent_replied_at is not None
    agent.hold(ref.id)
    assert _stage(anna, ref) is Stage.WAITING_ON_YOU
    agent.resolve(ref.id, "New firmware installed")
    assert _stage(anna, ref) is Stage.RESOLVED


def test_internal_articles_are_never_shown(anna: ZammadDesk, agent: _ZammadAgent) -> None:
    ref = anna.create_ticket(Report(subject("Teams has no sound"), "Since the update."))
    before = anna.ticket(ref)
    agent.reply(ref.id, "internal: driver 31.0 is broken", public=False)
    after = anna.ticket(ref)
    assert after.events == before.events
    assert all("driver" not in e.text for e in after.events)
    assert after.description == "Since the update."


def test_urgent_is_a_note_only_for_the_priority_is_not_the_customers(
    anna: ZammadDesk, agent: _ZammadAgent
) -> None:
    ref = anna.create_ticket(Report(subject("The printer is on fire"), "Smoke."))
    anna.mark_urgent(ref, "It is smoking now")
    assert "It is smoking now" in agent.conversation(ref.id)
    (summary,) = [t for t in anna.changed_tickets(None)[0] if t.ref == ref]
    assert not summary.urgent


def test_confirming_closes_a_resolved_ticket_with_a_note(
    anna: ZammadDesk, agent: _ZammadAgent, zammad_standin: ZammadStandin
) -> None:
    ref = anna.create_ticket(Report(subject("Wifi drops"), ""))
    agent.resolve(ref.id, "Router restarted")
    anna.confirm_resolved(ref, "Works again")
    assert anna.ticket(ref).summary.stage is Stage.CLOSED
    assert "The requester confirms the problem is solved." in agent.conversation(ref.id)
    count = len(zammad_standin.tickets[int(ref.id)]["article_ids"])
    anna.confirm_resolved(ref)  # closed, nothing to say: nothing is sent
    assert len(zammad_standin.tickets[int(ref.id)]["article_ids"]) == count


def test_still_broken_opens_a_closed_ticket_again(anna: ZammadDesk, agent: _ZammadAgent) -> None:
    ref = anna.create_ticket(Report(subject("Outlook asks for my password"), ""))
    agent.resolve(ref.id, "Reset your profile")
    agent.close_ticket(ref.id)
    anna.reopen(ref, "It asks again after every restart")
    assert agent.is_open(ref.id)
    assert "It asks again after every restart" in agent.conversation(ref.id)


def test_reopening_where_the_group_takes_no_follow_ups_is_refused(
    anna: ZammadDesk, agent: _ZammadAgent
) -> None:
    ref = anna.create_ticket(Report(subject("Licence expired"), ""))
    agent.move(ref.id, 2)  # the Archive group: follow_up_possible "new_ticket"
    agent.close_ticket(ref.id)
    with pytest.raises(Forbidden, match="new ticket"):
        anna.reopen(ref, "It is back")
    assert not agent.is_open(ref.id)
    assert "It is back" not in agent.conversation(ref.id)  # Zammad refused the article


def test_the_owners_photo_comes_from_the_users_image(
    anna: ZammadDesk, agent: _ZammadAgent, zammad_standin: ZammadStandin
) -> None:
    ref = anna.create_ticket(Report(subject("New keyboard please"), ""))
    (summary,) = [t for t in anna.changed_tickets(None)[0] if t.ref == ref]
    assert summary.agent is None
    agent.assign(ref.id)
    (summary,) = [t for t in anna.changed_tickets(None)[0] if t.ref == ref]
    assert summary.agent is not None and summary.agent.name == "Joost Bakker"
    assert anna.agent_photo(summary.agent) == PHOTO
    fresh = ZammadConnector(HttpConfig()).open(zammad_standin.url, ANNA_TOKEN)
    shown = fresh.ticket(ref).summary.agent  # the owner learned from a search by number
    assert shown is not None and shown.name == "Joost Bakker"
    assert fresh.agent_photo(shown) == PHOTO


def test_a_colleagues_ticket_in_the_shared_organisation_stays_theirs(
    anna: ZammadDesk, zammad_standin: ZammadStandin
) -> None:
    bram = ZammadConnector(HttpConfig()).open(zammad_standin.url, BRAM_TOKEN)
    report = Report(subject("My salary slip is wrong"), "Private.")
    ref = bram.create_ticket(report)
    # Zammad itself shows it to Anna (shared organisation) ...
    raw = requests.get(
        f"{zammad_standin.url}/api/v1/tickets/{ref.id}",
        headers={"Authorization": f"Token token={ANNA_TOKEN}"},
        timeout=10,
    )
    assert raw.status_code == 200
    # ... the tray does not.
    assert ref.id not in {t.ref.id for t in anna.changed_tickets(None)[0]}
    with pytest.raises(NotFound):
        anna.ticket(ref)
    with pytest.raises(NotFound):
        anna.reply(ref, "Not mine")
    assert anna.find_by_report_key(report.key) is None
    assert len(zammad_standin.tickets[int(ref.id)]["article_ids"]) == 1


def test_the_agents_reply_is_a_message_by_the_agent(anna: ZammadDesk, agent: _ZammadAgent) -> None:
    ref = anna.create_ticket(Report(subject("Screen flickers"), "Left one."))
    agent.reply(ref.id, "Try another cable")
    (said,) = [e for e in anna.ticket(ref).events if e.kind is EventKind.MESSAGE]
    assert said.by_agent and said.author == "Joost Bakker" and said.text == "Try another cable"


# --- a hostile or broken Zammad (staged) -------------------------------------------------------

TOKEN = "t" * 64
ME = {"id": 3, "login": "anna", "firstname": "Anna", "lastname": "Jansen"}
STATES = [
    {"id": 1, "name": "new", "state_type_id": 1},
    {"id": 2, "name": "open", "state_type_id": 2},
    {"id": 4, "name": "closed", "state_type_id": 5},
]


def _json(data: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(data).encode(), headers=dict(headers))


def _ticket(ident: Any = 7, **changes: Any) -> dict[str, Any]:
    return {
        "id": ident, "number": "31007", "title": "Printer", "state_id": 1, "priority_id": 2,
        "owner_id": 1, "customer_id": 3, "last_contact_agent_at": None,
        "created_at": "2026-12-07T10:00:00.000Z", "updated_at": "2026-12-07T10:00:00.000Z",
        **changes,
    }  # fmt: skip


def _found(*tickets: dict[str, Any]) -> Reply:
    return _json(
        {
            "tickets": [t["id"] for t in tickets],
            "tickets_count": len(tickets),
            "assets": {"Ticket": {str(t["id"]): t for t in tickets}, "User": {}},
        }
    )


@pytest.fixture
def server() -> Iterator[StagedServer]:
    yield from staged_server()


def _desk(server: StagedServer, config: HttpConfig = FAST) -> ZammadDesk:
    server.stage("/api/v1/users/me", _json(ME))
    server.stage("/api/v1/ticket_states", _json(STATES))
    server.stage("/api/v1/ticket_priorities", _json([{"id": 2, "name": "2 normal"}]))
    server.stage("/api/v1/ticket_articles/by_ticket/7", _json([]))
    return ZammadConnector(config).open(server.url, TOKEN)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b"<html>login</html>", content_type="text/html"),
        Reply(200, b'{"tickets": [', content_type="application/json"),
        _json([_ticket()]),
        _json({"tickets": "all of them", "assets": {}}),
        _json({"tickets": ["../1"], "assets": {"Ticket": {}}}),
        _json({"tickets": [7], "assets": {"Ticket": {}}}),
        _found(_ticket(updated_at="yesterday")),
        _found(_ticket(updated_at="2026-12-07T10:00:00")),
        _found(_ticket(state_id="open")),
        _found(_ticket(number="../x")),
    ],
    ids=[
        "html", "truncated", "a-list", "not-a-list", "bad-id", "no-record", "bad-time",
        "no-zone", "bad-state", "bad-number",
    ],
)  # fmt: skip
def test_a_search_that_is_not_zammads_is_a_bad_response(server: StagedServer, reply: Reply) -> None:
    desk = _desk(server)
    server.stage("/api/v1/tickets/search", reply)
    with pytest.raises(BadResponse):
        desk.changed_tickets(None)


def test_a_state_this_site_made_up_shows_as_in_progress(server: StagedServer) -> None:
    desk = _desk(server)
    server.stage("/api/v1/tickets/search", _found(_ticket(state_id=12)))
    (summary,) = desk.changed_tickets(None)[0]
    assert summary.stage is Stage.IN_PROGRESS


def test_a_colleagues_ticket_in_the_answer_is_left_out(server: StagedServer) -> None:
    desk = _desk(server)
    server.stage("/api/v1/tickets/search", _found(_ticket(7, customer_id=4)))
    assert desk.changed_tickets(None)[0] == []


def test_pages_that_never_end_cost_a_bounded_number_of_requests(server: StagedServer) -> None:
    desk = _desk(server)
    server.stage("/api/v1/tickets/search", _found(*[_ticket(n, state_id=4) for n in range(1, 101)]))
    summaries, _ = desk.changed_tickets(None)
    assert len([s for s in server.seen if s.path.startswith("/api/v1/tickets/search")]) == MAX_PAGES
    assert len(summaries) == 100 * MAX_PAGES


@pytest.mark.parametrize(
    "reply",
    [
        _json({"id": 9, "ticket_id": 7, "body": "something else"}, status=201),
        _json({"id": 9, "ticket_id": 8, "body": "Here is the log"}, status=201),
        _json({"id": 9, "ticket_id": 7, "body": "Here is the log", "internal": True}, status=201),
        _json({}, status=200),
        Reply(201, b"<html>ok</html>", content_type="text/html"),
    ],
    ids=["other-text", "other-ticket", "internal", "empty-200", "html"],
)
def test_a_write_whose_answer_does_not_say_it_was_done_is_not_done(
    server: StagedServer, reply: Reply
) -> None:
    desk = _desk(server)
    server.stage("/api/v1/tickets/7", _json(_ticket()))
    server.stage("/api/v1/ticket_articles", reply)
    with pytest.raises(BadResponse):
        desk.reply(TicketRef("7"), "Here is the log")


def test_a_new_ticket_for_someone_else_is_not_done(server: StagedServer) -> None:
    desk = _desk(server)
    server.stage("/api/v1/tickets", _json(_ticket(7, customer_id=4), status=201))
    with pytest.raises(BadResponse, match="not the employee's"):
        desk.create_ticket(Report("Printer", "It jams."))


def test_a_file_elsewhere_is_refused_before_any_request(server: StagedServer) -> None:
    desk = _desk(server)
    elsewhere = AttachmentInfo(
        "x.log", 3, "text/plain", "https://elsewhere.example/api/v1/ticket_attachment/7/8/9"
    )
    outside = AttachmentInfo("x.log", 3, "text/plain", f"{server.url}/api/v1/users/me")
    for file in (elsewhere, outside):
        with pytest.raises(BadResponse):
            desk.download(file, 1000)
    assert server.seen == []


@pytest.mark.parametrize("ticket_id", ["../users", "7?x=1", "0", "-1", ""])
def test_an_impossible_ticket_id_is_never_sent(server: StagedServer, ticket_id: str) -> None:
    desk = _desk(server)
    with pytest.raises(NotFound):
        desk.ticket(TicketRef(ticket_id))
    with pytest.raises(NotFound):
        desk.reply(TicketRef(ticket_id), "hello")
    assert not [s for s in server.seen if "ticket" in s.path]


def test_a_redirect_to_another_host_is_refused(server: StagedServer) -> None:
    desk = _desk(server)
    server.stage(
        "/api/v1/users/me", Reply(302, b"", headers={"Location": "https://elsewhere.example/me"})
    )
    with pytest.raises(DeskError, match="redirects to another server"):
        desk.whoami()


def test_a_desk_that_never_answers_is_a_desk_error(server: StagedServer) -> None:
    desk = _desk(server)
    server.stage("/api/v1/users/me", Reply(hold=threading.Event()))
    with pytest.raises(DeskError):
        desk.whoami()


def test_a_huge_answer_is_refused(server: StagedServer) -> None:
    desk = _desk(server, HttpConfig(max_response_bytes=2000, retries=0))
    server.stage("/api/v1/tickets/search", _json({"tickets": [], "padding": "x" * 5000}))
    with pytest.raises(BadResponse, match="limit"):
        desk.changed_tickets(None)


def test_a_token_exchange_answered_without_a_token_is_refused(server: StagedServer) -> None:
    server.stage("/api/v1/users/me", _json({"error": "Invalid token!"}, status=401))
    server.stage("/api/v1/user_access_token", _json({"name": None}))
    with pytest.raises(BadResponse, match="access token"):
        ZammadConnector(FAST).sign_in(server.url, "anna", "secret-password")


def _article(ident: int, body: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": ident, "ticket_id": 7, "from": "Anna Jansen", "body": body,
        "content_type": "text/plain", "sender": "Customer", "internal": False,
        "created_at": "2026-12-07T10:00:00.000Z", "attachments": [], **changes,
    }  # fmt: skip


def test_a_report_the_search_index_has_not_seen_yet_is_found_all_the_same(
    server: StagedServer,
) -> None:
    # Elasticsearch is updated after a delay: the key search finds nothing yet; the
    # employee's newest tickets (read from the database) have it on their first article.
    desk = _desk(server)
    key = str(uuid.uuid4())
    fresh = _ticket(7, created_at=datetime.now(UTC).isoformat())
    server.stage("/api/v1/tickets/search", _found(), _found(fresh))
    server.stage(
        "/api/v1/ticket_articles/by_ticket/7",
        _json(
            [
                _article(12, "Agent's answer", sender="Agent"),
                _article(11, f"Jams.\n\nReport-ID: {key}"),
            ]
        ),
    )
    assert desk.find_by_report_key(key) == TicketRef("7", "#31007")


def test_a_ticket_whose_first_article_has_another_key_is_not_the_report(
    server: StagedServer,
) -> None:
    desk = _desk(server)
    key = str(uuid.uuid4())
    found = _ticket(7, created_at=datetime.now(UTC).isoformat())
    server.stage("/api/v1/tickets/search", _found(found))
    server.stage(
        "/api/v1/ticket_articles/by_ticket/7",
        _json([_article(11, "Report-ID: another"), _article(12, f"Report-ID: {key}")]),
    )
    assert desk.find_by_report_key(key) is None


def test_an_article_of_another_ticket_in_the_answer_is_a_bad_response(
    server: StagedServer,
) -> None:
    desk = _desk(server)
    server.stage("/api/v1/tickets/7", _json(_ticket()))
    server.stage("/api/v1/ticket_articles/by_ticket/7", _json([_article(11, "x", ticket_id=8)]))
    with pytest.raises(BadResponse, match="another ticket"):
        desk.ticket(TicketRef("7"))


def test_an_agents_html_answer_reads_as_text_and_internal_ones_never_show(
    server: StagedServer,
) -> None:
    desk = _desk(server)
    server.stage("/api/v1/tickets/7", _json(_ticket(owner_id=2)))
    server.stage(
        "/api/v1/tickets/search",
        _json({"tickets": [], "assets": {"User": {"2": {"id": 2, "firstname": "Joost"}}}}),
    )
    server.stage(
        "/api/v1/ticket_articles/by_ticket/7",
        _json([
            _article(11, "It jams.\n\nReport-ID: k"),
            _article(12, "secret", sender="Agent", internal=True),
            _article(13, "<p>Try <b>tray 2</b>.</p><p>Joost</p>", sender="Agent",
                     content_type="text/html", **{"from": "Joost <joost@example.com>"}),
        ]),
    )  # fmt: skip
    ticket = desk.ticket(TicketRef("7"))
    assert ticket.description == "It jams."
    (message,) = [e for e in ticket.events if e.kind is EventKind.MESSAGE]
    assert message.text == "Try tray 2.\nJoost" and message.author == "Joost" and message.by_agent
    assert ticket.summary.stage is Stage.IN_PROGRESS and ticket.summary.agent is not None


def test_her_report_is_found_behind_a_page_of_her_colleagues_newer_tickets(
    server: StagedServer,
) -> None:
    # A shared organisation: fifty colleagues reported the same outage after her, and the
    # search index has none of it yet.
    desk = _desk(server)
    key = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    colleagues = [_ticket(100 + n, customer_id=9, created_at=now) for n in range(50)]
    hers = _ticket(7, created_at=now)
    server.stage("/api/v1/tickets/search", _found(), _found(*colleagues), _found(hers))
    server.stage(
        "/api/v1/ticket_articles/by_ticket/7", _json([_article(11, f"Jams.\n\nReport-ID: {key}")])
    )
    assert desk.find_by_report_key(key) == TicketRef("7", "#31007")
    assert not [s for s in server.seen if "by_ticket/1" in s.path], "colleagues' never read"


@pytest.mark.parametrize("action", ["confirm", "reopen"])
def test_a_ticket_answered_without_its_state_is_a_bad_response(
    server: StagedServer, action: str
) -> None:
    desk = _desk(server)
    broken = {k: v for k, v in _ticket().items() if k != "state_id"}
    server.stage("/api/v1/tickets/7", _json(broken))
    with pytest.raises(BadResponse):
        if action == "confirm":
            desk.confirm_resolved(TicketRef("7"))
        else:
            desk.reopen(TicketRef("7"), "Still broken")
