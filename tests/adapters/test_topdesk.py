"""The TOPdesk adapter: against the stand-in for what only TOPdesk needs, and a hostile desk.

The contract suite (tests/contract) and the outbox's fault suite run against the
stand-in too (``tests/support/topdesk_standin.py``: written from TOPdesk's
documentation, not recorded from a desk). These are TOPdesk's own: application
passwords, its stage rules, what a person may not do (priority, reopening),
entries invisible for the caller, and answers a broken or hostile server could give
(staged replies, ``tests/support/staged_server.py``).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests

from client.adapters.desks.topdesk import (
    STAGE_TABLE,
    TopdeskConnector,
    TopdeskDesk,
    native_state,
)
from client.adapters.http import HttpConfig
from client.core.errors import (
    AttachmentRefused,
    AuthFailed,
    BadResponse,
    DeskError,
    Forbidden,
    NotFound,
    QueueRefused,
    Unavailable,
)
from client.core.models import Agent, Attachment, AttachmentInfo, Report, Stage, TicketRef
from tests.support.staged_server import Reply, StagedServer, staged_server
from tests.support.topdesk_standin import (
    ANNA_EXPIRED,
    ANNA_LOGIN_PASSWORD,
    ANNA_PASSWORD,
    GROUP,
    JOOST_PASSWORD,
    TopdeskStandin,
    _TopdeskAgent,
    credential,
)

FAST = HttpConfig(total_timeout=5.0, connect_timeout=2.0, read_timeout=3.0, retries=0)


def subject(what: str) -> str:
    return f"{what} [{uuid.uuid4().hex[:8]}]"


# --- the stand-in -------------------------------------------------------------------------------


@pytest.fixture
def anna(topdesk_standin: TopdeskStandin) -> TopdeskDesk:
    return TopdeskConnector(HttpConfig()).open(topdesk_standin.url, credential("anna"))


@pytest.fixture
def joost(topdesk_standin: TopdeskStandin) -> Iterator[_TopdeskAgent]:
    agent = _TopdeskAgent(topdesk_standin.url)
    yield agent
    agent.close()


def test_a_person_signs_in_with_an_application_password_kept_with_the_login(
    topdesk_standin: TopdeskStandin,
) -> None:
    told: list[str] = []
    connector = TopdeskConnector(HttpConfig(), remember_secret=told.append)
    kept = connector.sign_in(topdesk_standin.url, "anna", ANNA_PASSWORD)
    assert kept == f"anna:{ANNA_PASSWORD}"
    assert {ANNA_PASSWORD, kept} <= set(told), "the log masks both"
    assert connector.open(topdesk_standin.url, kept).whoami().name == "Anna Jansen"


@pytest.mark.parametrize(
    ("login", "password", "said"),
    [
        ("anna", "not-her-application-password", "wrong or expired"),
        ("anna", ANNA_EXPIRED, "application passwords expire"),
        ("anna", ANNA_LOGIN_PASSWORD, "a normal TOPdesk password is not accepted"),
        ("joost", JOOST_PASSWORD, "persons only"),
        ("", ANNA_PASSWORD, "login name"),
    ],
    ids=["wrong", "expired", "normal-password", "operator", "no-login"],
)
def test_a_password_topdesk_does_not_take_says_why(
    topdesk_standin: TopdeskStandin, login: str, password: str, said: str
) -> None:
    with pytest.raises(AuthFailed, match=said):
        TopdeskConnector(HttpConfig()).sign_in(topdesk_standin.url, login, password)


def test_open_tells_the_log_mask_the_password_before_anything_is_sent() -> None:
    told: list[str] = []
    TopdeskConnector(HttpConfig(), remember_secret=told.append).open(
        "http://127.0.0.1:9", "anna:abcde-fghij"
    )
    assert "abcde-fghij" in told
    with pytest.raises(AuthFailed):
        TopdeskConnector(HttpConfig()).open("http://127.0.0.1:9", "no password here")


@pytest.mark.parametrize(
    ("flags", "status", "stage"),
    [
        ({}, "", Stage.RECEIVED),
        ({"group": True}, "", Stage.RECEIVED),
        ({"operator": True}, "", Stage.ASSIGNED),
        ({"operator": True, "responded": True}, "", Stage.IN_PROGRESS),
        ({"on_hold": True, "operator": True}, "Wacht op gebruiker", Stage.WAITING_ON_YOU),
        ({"on_hold": True}, "Waiting for user", Stage.WAITING_ON_YOU),
        ({"on_hold": True}, "Wacht op leverancier", Stage.IN_PROGRESS),
        ({"on_hold": True}, "Wacht op de maan", Stage.IN_PROGRESS),  # the tenant's own
        ({"completed": True, "on_hold": True}, "Wacht op gebruiker", Stage.RESOLVED),
        ({"closed": True, "completed": True}, "Afgemeld", Stage.CLOSED),
    ],
)
def test_the_booleans_decide_first_then_the_processing_status(
    flags: dict[str, bool], status: str, stage: Stage
) -> None:
    from client.core.stages import StageTable

    state = native_state(
        closed=flags.get("closed", False), completed=flags.get("completed", False),
        on_hold=flags.get("on_hold", False), processing_status=status,
        operator=flags.get("operator", False), group=flags.get("group", False),
        responded=flags.get("responded", False),
    )  # fmt: skip
    assert StageTable("topdesk", STAGE_TABLE).stage(state) is stage


def test_the_operators_work_shows_as_stages(anna: TopdeskDesk, joost: _TopdeskAgent) -> None:
    ref = anna.create_ticket(Report(subject("The dock drops the screen"), ""))
    assert anna.ticket(ref).summary.stage is Stage.RECEIVED
    joost.assign(ref.id)
    summary = anna.ticket(ref).summary
    assert summary.stage is Stage.ASSIGNED and summary.agent is not None
    assert summary.agent.name == "Joost Bakker"
    joost.reply(ref.id, "internal: firmware 1.2", public=False)
    assert anna.ticket(ref).summary.stage is Stage.ASSIGNED, "an invisible action is no news"
    joost.reply(ref.id, "Which dock is it?")
    (listed,) = [t for t in anna.changed_tickets(None)[0] if t.ref.id == ref.id]
    assert listed.stage is Stage.IN_PROGRESS and listed.agent_replied_at is not None
    joost.hold(ref.id)
    assert anna.ticket(ref).summary.stage is Stage.WAITING_ON_YOU
    joost.resolve(ref.id, "New firmware")
    assert anna.ticket(ref).summary.stage is Stage.RESOLVED


def test_entries_invisible_for_the_caller_never_reach_the_person(
    anna: TopdeskDesk, joost: _TopdeskAgent, topdesk_standin: TopdeskStandin
) -> None:
    ref = anna.create_ticket(Report(subject("Teams has no sound"), "Since Monday."))
    joost.reply(ref.id, "internal: the driver again", public=False)
    hidden = requests.post(
        f"{topdesk_standin.url}/tas/api/incidents/id/{ref.id}/attachments",
        auth=("joost", JOOST_PASSWORD), files={"file": ("notes.txt", b"x")},
        data={"invisibleForCaller": "true"}, timeout=10,
    )  # fmt: skip
    assert hidden.status_code == 200
    ticket = anna.ticket(ref)
    assert all("driver" not in e.text for e in ticket.events)
    assert not [a for e in ticket.events for a in e.attachments if a.filename == "notes.txt"]
    assert "internal: the driver again" in joost.conversation(ref.id)


def test_urgent_is_an_action_only_and_says_the_priority_is_the_operators(
    anna: TopdeskDesk, joost: _TopdeskAgent, caplog: pytest.LogCaptureFixture
) -> None:
    ref = anna.create_ticket(Report(subject("Payroll run fails"), ""))
    with caplog.at_level(logging.INFO, logger="client.adapters.desks.topdesk"):
        anna.mark_urgent(ref, "The payroll run is tonight")
    assert "The payroll run is tonight" in joost.conversation(ref.id)
    assert "priority" in caplog.text
    assert not anna.ticket(ref).summary.urgent


def test_it_is_solved_closes_the_incident_with_the_persons_words(
    anna: TopdeskDesk, joost: _TopdeskAgent
) -> None:
    ref = anna.create_ticket(Report(subject("Wifi drops"), ""))
    joost.resolve(ref.id, "New access point")
    anna.confirm_resolved(ref, "Works again")
    assert anna.ticket(ref).summary.stage is Stage.CLOSED
    said = joost.conversation(ref.id)
    assert "The requester confirms the problem is solved." in said and "Works again" in said
    anna.confirm_resolved(ref)  # closed, nothing to say: nothing is sent
    assert joost.conversation(ref.id) == said


def test_still_broken_keeps_the_action_and_says_a_person_cannot_reopen(
    anna: TopdeskDesk, joost: _TopdeskAgent
) -> None:
    ref = anna.create_ticket(Report(subject("Outlook asks for my password"), ""))
    anna.reopen(ref, "It is not finished anyway")  # open: the action only, no complaint
    joost.resolve(ref.id, "Reset your profile")
    with pytest.raises(Forbidden, match="stays completed"):
        anna.reopen(ref, "It asks again after every restart")
    assert "It asks again after every restart" in joost.conversation(ref.id)
    assert not joost.is_open(ref.id)
    assert anna.ticket(ref).summary.stage is Stage.RESOLVED


def test_the_policys_operator_group_takes_new_incidents(
    topdesk_standin: TopdeskStandin,
) -> None:
    url = topdesk_standin.url
    desk = TopdeskConnector(HttpConfig(), queue=GROUP["name"]).open(url, credential("anna"))
    ref = desk.create_ticket(Report(subject("New laptop"), ""))
    assert desk.ticket(ref).summary.native_status == "new+group"
    unknown = TopdeskConnector(HttpConfig(), queue="Nobody").open(url, credential("anna"))
    with pytest.raises(QueueRefused):
        unknown.create_ticket(Report(subject("New phone"), ""))


def test_the_standin_refuses_a_person_what_the_docs_call_operator_only(
    anna: TopdeskDesk, topdesk_standin: TopdeskStandin
) -> None:
    ref = anna.create_ticket(Report(subject("Monitor flickers"), ""))
    answer = requests.patch(
        f"{topdesk_standin.url}/tas/api/incidents/id/{ref.id}",
        auth=("anna", ANNA_PASSWORD), json={"priority": {"name": "Hoog"}}, timeout=10,
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.headers["Date"]
    listed = requests.get(
        f"{topdesk_standin.url}/tas/api/incidents/id/{ref.id}",
        auth=("anna", ANNA_PASSWORD), timeout=10,
    ).json()  # fmt: skip
    assert listed["modificationDate"].endswith("+0000") and len(listed["modificationDate"]) == 28


# --- a hostile or broken TOPdesk (staged) -----------------------------------------------------

ME = "0b6f4a52-64b1-4b7c-9f0e-1d2c3b4a5f60"
INCIDENT = "6c1e2f3a-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
API = "/tas/api"
PERSON = {"id": ME, "tasLoginName": "anna", "dynamicName": "Anna Jansen"}


def _json(data: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(data).encode(), headers=dict(headers))


def _incident(ident: Any = INCIDENT, **changes: Any) -> dict[str, Any]:
    return {
        "id": ident, "number": "I 2612 001", "briefDescription": "Printer",
        "request": "It jams.<br><br>Report-ID: k", "caller": {"id": ME, "dynamicName": "Anna"},
        "operator": None, "operatorGroup": None, "processingStatus": None, "priority": None,
        "onHold": False, "completed": False, "closed": True,
        "creationDate": "2026-12-07T10:00:00.000+0000",
        "modificationDate": "2026-12-07T10:00:00.000+0000", **changes,
    }  # fmt: skip


@pytest.fixture
def server() -> Iterator[StagedServer]:
    yield from staged_server()


def _desk(server: StagedServer, config: HttpConfig = FAST) -> TopdeskDesk:
    server.stage(f"{API}/persons/current", _json(PERSON))
    return TopdeskConnector(config).open(server.url, "anna:abcde-fghij")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b"<html>login</html>", content_type="text/html"),
        Reply(200, b'[{"id": "', content_type="application/json"),
        _json({"incidents": [_incident()]}),
        _json([_incident("../persons/current")]),
        _json([_incident(modificationDate="yesterday")]),
        _json([_incident(closed="yes")]),
        _json([_incident(caller="Anna")]),
    ],
    ids=["html", "truncated", "not-a-list", "bad-id", "bad-time", "bad-flag", "bad-caller"],
)
def test_a_list_that_is_not_topdesks_is_a_bad_response(server: StagedServer, reply: Reply) -> None:
    desk = _desk(server)
    server.stage(f"{API}/incidents", reply)
    with pytest.raises(BadResponse):
        desk.changed_tickets(None)


def test_a_processing_status_this_tenant_made_up_shows_as_in_progress(
    server: StagedServer,
) -> None:
    desk = _desk(server)
    held = _incident(closed=False, onHold=True, processingStatus={"id": ME, "name": "Bij de maan"})
    server.stage(f"{API}/incidents", _json([held]))
    (summary,) = desk.changed_tickets(None)[0]
    assert summary.stage is Stage.IN_PROGRESS


def test_pages_that_never_end_cost_a_bounded_number_of_requests(server: StagedServer) -> None:
    desk = _desk(server)
    page = [_incident(str(uuid.UUID(int=n))) for n in range(1, 101)]
    server.stage(f"{API}/incidents", _json(page, status=206))
    summaries, _ = desk.changed_tickets(None)
    assert len([s for s in server.seen if s.path.startswith(f"{API}/incidents")]) == 50
    assert len(summaries) == 50 * 100


def test_a_colleagues_incident_the_visibility_settings_show_is_never_the_persons(
    server: StagedServer,
) -> None:
    desk = _desk(server)
    colleague = _incident(caller={"id": INCIDENT, "dynamicName": "Bram"})
    server.stage(f"{API}/incidents", _json([colleague]))
    server.stage(f"{API}/incidents/id/{INCIDENT}", _json(colleague))
    assert desk.changed_tickets(None)[0] == []
    assert desk.find_by_report_key("k") is None
    with pytest.raises(NotFound):
        desk.ticket(TicketRef(INCIDENT))


def test_an_empty_list_is_204_and_a_report_not_there_is_none(server: StagedServer) -> None:
    desk = _desk(server)
    server.stage(f"{API}/incidents", Reply(204, b""))
    assert desk.changed_tickets(None)[0] == []
    assert desk.find_by_report_key("k") is None


@pytest.mark.parametrize(
    "answer",
    [Reply(204, b""), _json({}), _json(_incident(closed=False))],
    ids=["no-content", "empty", "action-not-on-the-trail"],
)
def test_an_action_topdesk_does_not_show_done_is_not_done(
    server: StagedServer, answer: Reply
) -> None:
    desk = _desk(server)
    open_incident = _incident(closed=False)
    server.stage(f"{API}/incidents/id/{INCIDENT}", _json(open_incident), answer)
    server.stage(f"{API}/incidents/id/{INCIDENT}/progresstrail", Reply(204, b""))
    with pytest.raises(BadResponse):
        desk.reply(TicketRef(INCIDENT), "Here is the log")
    assert [s.method for s in server.seen].count("PATCH") == 1


def test_a_file_elsewhere_is_refused_before_any_request(server: StagedServer) -> None:
    desk = _desk(server)
    elsewhere = f"https://elsewhere.example{API}/incidents/id/{INCIDENT}/attachments/x/download"
    files = [{"id": ME, "fileName": "x.log", "size": 3, "downloadUrl": elsewhere}]
    server.stage(f"{API}/incidents/id/{INCIDENT}", _json(_incident()))
    server.stage(f"{API}/incidents/id/{INCIDENT}/progresstrail", Reply(204, b""))
    server.stage(f"{API}/incidents/id/{INCIDENT}/attachments", _json(files))
    with pytest.raises(BadResponse, match="another origin"):
        desk.ticket(TicketRef(INCIDENT))
    with pytest.raises(BadResponse):
        desk.download(AttachmentInfo("x.log", 3, "text/plain", elsewhere), 100)
    assert not [s for s in server.seen if s.path.endswith("/download")]


@pytest.mark.parametrize(
    "ticket_id", ["../persons/current", "7", "", INCIDENT + "?x=1", INCIDENT + "/../x"]
)
def test_an_impossible_incident_id_is_never_sent(server: StagedServer, ticket_id: str) -> None:
    desk = _desk(server)
    with pytest.raises(NotFound):
        desk.ticket(TicketRef(ticket_id))
    with pytest.raises(NotFound):
        desk.reply(TicketRef(ticket_id), "hello")
    assert not [s for s in server.seen if s.path.startswith(f"{API}/incidents")]


def test_a_redirect_to_another_host_is_refused(server: StagedServer) -> None:
    server.stage(
        f"{API}/persons/current",
        Reply(302, b"", headers={"Location": "https://elsewhere.example/tas/api/persons/current"}),
    )
    desk = TopdeskConnector(FAST).open(server.url, "anna:abcde-fghij")
    with pytest.raises(Unavailable, match="another server"):
        desk.whoami()


def test_a_desk_that_never_answers_and_a_huge_body_are_desk_errors(
    server: StagedServer,
) -> None:
    small = HttpConfig(total_timeout=1.0, read_timeout=0.3, max_response_bytes=4096, retries=0)
    desk = _desk(server, small)
    server.stage(f"{API}/incidents", Reply(hold=threading.Event()))
    with pytest.raises(Unavailable):
        desk.changed_tickets(None)
    server.stage(f"{API}/incidents", _json([_incident()] * 100))
    with pytest.raises(BadResponse):
        desk.changed_tickets(None)


def test_a_refused_or_odd_avatar_is_no_photo(server: StagedServer) -> None:
    desk = _desk(server)
    agent = Agent("Joost", id=INCIDENT)
    server.stage(f"{API}/avatars/operator/{INCIDENT}", Reply(403, b"[]"))
    assert desk.agent_photo(agent) is None
    server.stage(f"{API}/avatars/operator/{INCIDENT}", _json({"image": "not bytes"}))
    assert desk.agent_photo(agent) is None
    assert desk.agent_photo(Agent("Joost", id="../persons/current")) is None
    assert not [s for s in server.seen if "persons/current" in s.path and "avatars" in s.path]


def test_a_creation_answered_with_another_incident_is_not_done(server: StagedServer) -> None:
    desk = _desk(server)
    server.stage(f"{API}/incidents", _json(_incident(briefDescription="Something else"), 201))
    with pytest.raises(BadResponse, match="another incident"):
        desk.create_ticket(Report("Printer jams", ""))
    server.stage(f"{API}/incidents", Reply(201, b"<html>ok</html>", content_type="text/html"))
    with pytest.raises(BadResponse):
        desk.create_ticket(Report("Printer jams", ""))


@pytest.mark.parametrize(
    ("status", "error", "said"),
    [(401, AuthFailed, "application password"), (403, Forbidden, "REST API")],
)
def test_sign_in_refusals_say_what_to_do(
    server: StagedServer, status: int, error: type[DeskError], said: str
) -> None:
    server.stage(f"{API}/persons/current", _json([{"message": "no"}], status))
    with pytest.raises(error, match=said):
        TopdeskConnector(FAST).sign_in(server.url, "anna", "abcde-fghij")


def _posts(server: StagedServer, path: str) -> int:
    return sum(1 for s in server.seen if s.method == "POST" and s.path.split("?")[0] == path)


def test_a_file_refused_after_the_incident_never_files_it_twice(server: StagedServer) -> None:
    desk = _desk(server)
    files = f"{API}/incidents/id/{INCIDENT}/attachments"
    server.stage(f"{API}/incidents", _json(_incident(), 201))
    server.stage(
        files,
        _json({"fileName": "diagnostics.json", "size": 2}),
        _json([{"message": "The file is too large"}], 413),
    )
    diagnostics = Attachment("diagnostics.json", "application/json", b"{}")
    screenshot = Attachment("screenshot.webp", "image/webp", b"x" * 50)
    report = Report("Printer", "It jams.", attachments=(diagnostics, screenshot))
    with pytest.raises(AttachmentRefused):
        desk.create_ticket(report)
    # The outbox sends it again at once without the refused file (client/core/outbox.py).
    again = desk.create_ticket(replace(report, attachments=(diagnostics,)))
    assert again.id == INCIDENT
    assert _posts(server, f"{API}/incidents") == 1, "one incident"
    assert _posts(server, files) == 2, "the diagnostics were not sent twice"


def test_a_network_failure_between_the_files_is_finished_when_sent_again(
    server: StagedServer,
) -> None:
    desk = _desk(server)
    files = f"{API}/incidents/id/{INCIDENT}/attachments"
    server.stage(f"{API}/incidents", _json(_incident(), 201))
    server.stage(
        files,
        _json({"fileName": "diagnostics.json", "size": 2}),
        Reply(raw=b""),  # the connection drops
        _json({"fileName": "screenshot.webp", "size": 50}),
    )
    report = Report(
        "Printer", "It jams.",
        attachments=(
            Attachment("diagnostics.json", "application/json", b"{}"),
            Attachment("screenshot.webp", "image/webp", b"x" * 50),
        ),
    )  # fmt: skip
    with pytest.raises(DeskError):
        desk.create_ticket(report)
    seen = len(server.seen)
    assert desk.find_by_report_key(report.key) is None, "not delivered while files are missing"
    assert len(server.seen) == seen, "known here: nothing asked"
    assert desk.create_ticket(report).id == INCIDENT
    assert _posts(server, f"{API}/incidents") == 1
    sent = [b"screenshot.webp" in s.body for s in server.seen if s.path == files]
    assert sent == [False, True, True], "the diagnostics once, the screenshot until it arrived"


def test_after_a_restart_an_incident_missing_files_is_finished_not_filed_again(
    server: StagedServer,
) -> None:
    files = f"{API}/incidents/id/{INCIDENT}/attachments"
    diagnostics = Attachment("diagnostics.json", "application/json", b"{}")
    screenshot = Attachment("screenshot.webp", "image/webp", b"x" * 50)
    report = Report("Printer", "It jams.", attachments=(diagnostics, screenshot))
    listed = _incident(request=f"It jams.<br><br>Files: 2<br><br>Report-ID: {report.key}")
    server.stage(f"{API}/incidents", _json(_incident(), 201), _json([listed]))
    download = f"{API}/incidents/id/{INCIDENT}/attachments/{ME}/download"
    server.stage(
        files,
        _json({"fileName": "diagnostics.json", "size": 2}),
        Reply(raw=b""),  # the connection drops; then the tray is quit
        _json([{"id": ME, "fileName": "diagnostics.json", "size": 2, "downloadUrl": download}]),
        _json({"fileName": "screenshot.webp", "size": 50}),
    )
    with pytest.raises(BadResponse, match="not all its files"):  # "maybe received": look first
        _desk(server).create_ticket(report)

    again = _desk(server)  # the next start
    assert again.find_by_report_key(report.key) is None, "not delivered while a file is missing"
    assert again.create_ticket(report).id == INCIDENT
    assert _posts(server, f"{API}/incidents") == 1, "one incident"
    sent = [
        b"screenshot.webp" in s.body for s in server.seen if s.path == files and s.method == "POST"
    ]
    assert sent == [False, True, True]


def test_the_request_says_how_many_files_follow_and_the_employee_does_not_see_it(
    anna: TopdeskDesk,
) -> None:
    report = Report(
        subject("Scanner"), "It saves blank pages.",
        attachments=(Attachment("scan.pdf", "application/pdf", b"%PDF-1.4 blank"),),
    )  # fmt: skip
    ref = anna.create_ticket(report)
    assert anna.ticket(ref).description == "It saves blank pages."
    assert anna.find_by_report_key(report.key) == ref
