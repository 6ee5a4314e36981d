"""The Redmine adapter: against the real Redmine for its traps, and against a hostile one.

The contract suite (tests/contract) and the outbox's fault suite run against the
real Redmine too; these are what only Redmine needs: its silent traps handled,
its sign-in, and answers a broken or hostile server could give (staged replies,
``tests/support/staged_server.py``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from client.adapters.desks.redmine import RedmineConnector, RedmineDesk
from client.adapters.http import HttpConfig
from client.core.errors import AuthFailed, BadResponse, Forbidden, NotFound
from client.core.models import Report, Stage, TicketRef
from tests.support.redmine_desk import AGENT, PASSWORD, PROJECT, RedmineAccess
from tests.support.staged_server import Reply, StagedServer, staged_server

FAST = HttpConfig(total_timeout=5.0, connect_timeout=2.0, read_timeout=3.0, retries=0)


def subject(what: str) -> str:
    return f"{what} [{uuid.uuid4().hex[:8]}]"


# --- the real Redmine -------------------------------------------------------------------------


@pytest.fixture
def anna(redmine_desk: RedmineAccess) -> RedmineDesk:
    return RedmineConnector(HttpConfig(), queue=PROJECT).open(
        redmine_desk.url, redmine_desk.key("anna")
    )


@pytest.mark.redmine
def test_a_password_is_exchanged_for_the_employees_own_key_and_never_kept(
    redmine_desk: RedmineAccess,
) -> None:
    told: list[str] = []
    connector = RedmineConnector(HttpConfig(), queue=PROJECT, remember_secret=told.append)
    kept = connector.sign_in(redmine_desk.url, "anna", PASSWORD)
    assert kept == redmine_desk.key("anna") and PASSWORD not in kept
    assert {PASSWORD, kept} <= set(told), "the log masks both"
    assert connector.sign_in(redmine_desk.url, "", redmine_desk.key("bram")) == (
        redmine_desk.key("bram")
    )
    with pytest.raises(AuthFailed):
        connector.sign_in(redmine_desk.url, "anna", "not her password")
    with pytest.raises(AuthFailed):  # bram's key, signed in as anna
        connector.sign_in(redmine_desk.url, "anna", redmine_desk.key("bram"))


@pytest.mark.redmine
def test_a_wrong_key_is_refused_although_redmine_lists_nothing_for_it(
    redmine_desk: RedmineAccess,
) -> None:
    desk = RedmineConnector(HttpConfig(), queue=PROJECT).open(redmine_desk.url, "0" * 40)
    with pytest.raises(AuthFailed):
        desk.changed_tickets(None)
    with pytest.raises(AuthFailed):
        desk.whoami()


@pytest.mark.redmine
def test_urgent_raises_the_priority_and_keeps_the_note(
    anna: RedmineDesk, redmine_desk: RedmineAccess
) -> None:
    ref = anna.create_ticket(Report(subject("The printer is on fire"), "Smoke."))
    anna.mark_urgent(ref, "It is smoking now")
    (summary,) = [t for t in anna.changed_tickets(None)[0] if t.ref == ref]
    assert summary.urgent
    notes = [j["notes"] for j in redmine_desk.as_user(AGENT).journals(int(ref.id))]
    assert notes == ["It is smoking now"]


@pytest.mark.redmine
def test_confirming_closes_a_resolved_issue_and_keeps_the_note_where_redmine_drops_it(
    anna: RedmineDesk, redmine_desk: RedmineAccess
) -> None:
    agent = redmine_desk.as_user(AGENT)
    resolved = anna.create_ticket(Report(subject("Wifi drops"), ""))
    agent.put(
        f"/issues/{resolved.id}", {"issue": {"status_id": redmine_desk.ids.statuses["Resolved"]}}
    )
    anna.confirm_resolved(resolved)
    assert anna.ticket(resolved).summary.stage is Stage.CLOSED

    new = anna.create_ticket(Report(subject("Wifi drops again"), ""))
    anna.confirm_resolved(new, "It fixed itself")  # New -> Closed is not hers to make
    assert anna.ticket(new).summary.stage is Stage.RECEIVED
    (note,) = [j["notes"] for j in agent.journals(int(new.id))]
    assert note.startswith("The requester confirms the problem is solved.")
    assert note.endswith("It fixed itself")


@pytest.mark.redmine
def test_reopening_what_the_employee_may_not_reopen_says_so_and_keeps_the_note(
    anna: RedmineDesk, redmine_desk: RedmineAccess
) -> None:
    agent = redmine_desk.as_user(AGENT)
    ref = anna.create_ticket(Report(subject("Licence expired"), ""))
    rejected = redmine_desk.ids.statuses["Rejected"]
    agent.put(f"/issues/{ref.id}", {"issue": {"status_id": rejected, "notes": "Not ours"}})
    with pytest.raises(Forbidden, match="stays Rejected"):
        anna.reopen(ref, "It is ours, please look")
    assert "It is ours, please look" in [j["notes"] for j in agent.journals(int(ref.id))]
    assert anna.ticket(ref).summary.stage is Stage.CANCELLED


@pytest.mark.redmine
def test_an_agents_private_note_is_no_news_to_the_employee(
    anna: RedmineDesk, redmine_desk: RedmineAccess
) -> None:
    ref = anna.create_ticket(Report(subject("Teams has no sound"), ""))
    before = anna.ticket(ref)
    redmine_desk.as_user(AGENT).put(
        f"/issues/{ref.id}", {"issue": {"notes": "internal: driver", "private_notes": True}}
    )
    after = anna.ticket(ref)
    assert after.events == before.events and after.summary.stage is before.summary.stage


@pytest.mark.redmine
def test_a_key_of_another_report_finds_nothing_though_the_filter_is_real(
    anna: RedmineDesk,
) -> None:
    report = Report(subject("Key lookup"), "")
    ref = anna.create_ticket(report)
    assert anna.find_by_report_key(report.key) == ref
    assert anna.find_by_report_key(str(uuid.uuid4())) is None


# --- a hostile or broken Redmine (staged) ------------------------------------------------------

KEY = "ab" * 20
ME = {"user": {"id": 5, "login": "anna", "firstname": "Anna", "lastname": "Jansen"}}


def _json(data: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(data).encode(), headers=dict(headers))


def _issue(ident: Any = 7, **changes: Any) -> dict[str, Any]:
    return {
        "id": ident, "subject": "Printer", "description": "It jams.",
        "status": {"id": 1, "name": "New"}, "priority": {"id": 2, "name": "Normal"},
        "author": {"id": 5, "name": "Anna Jansen"},
        "created_on": "2026-12-07T10:00:00Z", "updated_on": "2026-12-07T10:00:00Z",
        **changes,
    }  # fmt: skip


@pytest.fixture
def server() -> Iterator[StagedServer]:
    yield from staged_server()


def _desk(server: StagedServer) -> RedmineDesk:
    server.stage("/users/current.json", _json(ME))
    server.stage(
        "/projects/it-helpdesk.json",
        _json({"project": {"id": 1, "issue_custom_fields": [{"id": 3, "name": "Report key"}]}}),
    )
    return RedmineConnector(FAST, queue=PROJECT).open(server.url, KEY)


def test_a_filter_redmine_ignored_never_finds_a_strangers_issue(server: StagedServer) -> None:
    desk = _desk(server)
    stranger = _issue(9, author={"id": 6, "name": "Bram"}, custom_fields=[{"id": 3, "value": "k"}])
    other_key = _issue(8, custom_fields=[{"id": 3, "value": "another"}])
    server.stage("/issues.json", _json({"issues": [stranger, other_key], "total_count": 2}))
    assert desk.find_by_report_key("k") is None


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b"<html>login</html>", content_type="text/html"),
        Reply(200, b'{"issues": [', content_type="application/json"),
        _json({"issues": "all of them", "total_count": 1}),
        _json({"issues": [_issue("../1")], "total_count": 1}),
        _json({"issues": [_issue(7, updated_on="yesterday")], "total_count": 1}),
        _json({"issues": [_issue(7, status="open")], "total_count": 1}),
    ],
    ids=["html", "truncated", "not-a-list", "bad-id", "bad-time", "bad-status"],
)
def test_a_list_that_is_not_redmines_is_a_bad_response(server: StagedServer, reply: Reply) -> None:
    desk = _desk(server)
    server.stage("/issues.json", reply)
    with pytest.raises(BadResponse):
        desk.changed_tickets(None)


def test_a_status_this_site_made_up_shows_as_in_progress(server: StagedServer) -> None:
    desk = _desk(server)
    item = _issue(7, status={"id": 12, "name": "Waiting for vendor"})
    server.stage("/issues.json", _json({"issues": [item], "total_count": 1}))
    (summary,) = desk.changed_tickets(None)[0]
    assert summary.stage is Stage.IN_PROGRESS


def test_pages_that_never_end_cost_a_bounded_number_of_requests(server: StagedServer) -> None:
    desk = _desk(server)
    page = [_issue(n, status={"id": 5, "name": "Closed"}) for n in range(1, 101)]
    server.stage("/issues.json", _json({"issues": page, "total_count": 10**9}))
    summaries, _ = desk.changed_tickets(None)
    assert len([s for s in server.seen if s.path.startswith("/issues.json")]) == 50
    assert len(summaries) == 5000


def test_a_write_whose_note_is_not_there_afterwards_is_not_done(server: StagedServer) -> None:
    desk = _desk(server)
    issue = _issue(7, journals=[])
    server.stage(
        "/issues/7.json", _json({"issue": issue}), Reply(204, b""), _json({"issue": issue})
    )
    with pytest.raises(BadResponse, match="not on the issue"):
        desk.reply(TicketRef("7"), "Here is the log")


def test_a_file_elsewhere_is_refused_before_any_request(server: StagedServer) -> None:
    desk = _desk(server)
    files = [
        {"id": 4, "filename": "x.log", "filesize": 3, "content_type": "text/plain",
         "content_url": "https://elsewhere.example/attachments/download/4/x.log"},
    ]  # fmt: skip
    server.stage("/issues/7.json", _json({"issue": _issue(7, attachments=files)}))
    with pytest.raises(BadResponse, match="another origin"):
        desk.ticket(TicketRef("7"))


@pytest.mark.parametrize("ticket_id", ["../users", "7?x=1", "0", "-1", ""])
def test_an_impossible_ticket_id_is_never_sent(server: StagedServer, ticket_id: str) -> None:
    desk = _desk(server)
    with pytest.raises(NotFound):
        desk.ticket(TicketRef(ticket_id))
    with pytest.raises(NotFound):
        desk.reply(TicketRef(ticket_id), "hello")
    assert not [s for s in server.seen if s.path.startswith("/issues")]


def test_a_sign_in_answer_without_a_key_is_refused(server: StagedServer) -> None:
    server.stage("/users/current.json", _json({"user": {"id": 5, "login": "anna"}}))
    connector = RedmineConnector(FAST, queue=PROJECT)
    with pytest.raises(AuthFailed, match="REST API"):
        connector.sign_in(server.url, "anna", "secret")
