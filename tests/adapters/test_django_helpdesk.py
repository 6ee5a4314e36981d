"""The django-helpdesk adapter against the real demo desk on 127.0.0.1."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from client.adapters.desks.django_helpdesk import (
    API_PREFIX,
    DjangoHelpdeskConnector,
    DjangoHelpdeskDesk,
)
from client.adapters.http import HttpClient, HttpConfig
from client.core.errors import (
    AttachmentRefused,
    AuthFailed,
    NotFound,
    QueueRefused,
    Rejected,
    Unavailable,
)
from client.core.models import Attachment, Cursor, EventKind, Report, Stage, TicketRef
from client.core.tracking import usual_duration
from demo.agent_console import AgentConsole
from demo.deskctl import DemoDesk
from tests.support.desk_fixture import AGENT_PASSWORD, EMPLOYEE_PASSWORD, DeskAccess

pytestmark = pytest.mark.desk

CONFIG = HttpConfig(connect_timeout=2.0, read_timeout=15.0)
SCREENSHOT = bytes(range(256)) * 400  # binary, every byte value


def _desk(access: DeskAccess, token: str) -> DjangoHelpdeskDesk:
    return DjangoHelpdeskConnector(CONFIG).open(access.url, token)


def _report(subject: str, *attachments: Attachment) -> Report:
    return Report(subject=subject, description=f"{subject}: details", attachments=attachments)


def _by_title(desk: DjangoHelpdeskDesk, title: str) -> TicketRef:
    tickets, _ = desk.changed_tickets(None)
    (ref,) = [t.ref for t in tickets if t.title == title]
    return ref


def test_sign_in_with_the_employees_own_password(demo_desk: DeskAccess) -> None:
    connector = DjangoHelpdeskConnector(CONFIG)
    token = connector.sign_in(demo_desk.url, "anna", EMPLOYEE_PASSWORD)
    assert token == demo_desk.anna_token
    person = connector.open(demo_desk.url, token).whoami()
    assert (person.username, person.name, person.department) == ("anna", "Anna Jansen", "Finance")
    with pytest.raises(AuthFailed):
        connector.sign_in(demo_desk.url, "anna", "not-her-password")


def test_a_wrong_token_is_auth_failed(demo_desk: DeskAccess) -> None:
    with pytest.raises(AuthFailed):
        _desk(demo_desk, "0" * 40).changed_tickets(None)


def test_a_ticket_with_an_attachment_arrives_whole(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    shot = Attachment("screen.png", "image/png", SCREENSHOT)
    ref = desk.create_ticket(_report("Screen goes black", shot))
    assert ref.display.startswith("finance-")
    ticket = desk.ticket(ref)
    assert ticket.summary.title == "Screen goes black"
    assert ticket.summary.stage is Stage.RECEIVED
    assert ticket.description == "Screen goes black: details"
    (opened,) = ticket.events
    assert not opened.by_agent and opened.author == "Anna Jansen"
    assert opened.text == "", "the description is shown once, not again as a message"
    (stored,) = opened.attachments
    assert (stored.filename, stored.size) == ("screen.png", len(SCREENSHOT))
    raw = HttpClient(demo_desk.url, CONFIG, {"Authorization": f"Token {demo_desk.anna_token}"})
    assert raw.request("GET", stored.url).body == SCREENSHOT


def test_the_description_is_not_repeated_as_the_first_message(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    ref = desk.create_ticket(_report("Scanner saves blank pages"))
    ticket = desk.ticket(ref)
    assert ticket.description == "Scanner saves blank pages: details"
    assert ticket.events == ()


def test_another_employee_cannot_see_the_ticket(demo_desk: DeskAccess) -> None:
    anna = _desk(demo_desk, demo_desk.anna_token)
    bram = _desk(demo_desk, demo_desk.bram_token)
    report = _report("Payroll file locked")
    ref = anna.create_ticket(report)
    with pytest.raises(NotFound):
        bram.ticket(ref)
    assert bram.find_by_report_key(report.key) is None
    assert ref not in {t.ref for t in bram.changed_tickets(None)[0]}
    with pytest.raises(NotFound):
        bram.reply(ref, "let me in")


def test_the_same_report_sent_twice_is_one_ticket(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    report = _report("Keyboard types double letters")
    assert desk.find_by_report_key(report.key) is None
    first = desk.create_ticket(report)
    second = desk.create_ticket(report)
    assert first == second
    assert desk.find_by_report_key(report.key) == first
    titles = [t.title for t in desk.changed_tickets(None)[0]]
    assert titles.count("Keyboard types double letters") == 1


def test_an_agents_public_reply_appears_and_private_notes_do_not(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    ref = desk.create_ticket(_report("Teams has no sound"))
    with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
        agent.assign(int(ref.id), "joost")
        assert desk.ticket(ref).summary.stage is Stage.ASSIGNED
        agent.reply(int(ref.id), "Internal: probably the driver", public=False)
        agent.reply(int(ref.id), "Could you try another headset?")
    ticket = desk.ticket(ref)
    assert ticket.summary.stage is Stage.IN_PROGRESS
    assert ticket.summary.agent is not None and ticket.summary.agent.name == "Joost Bakker"
    texts = [e.text for e in ticket.events]
    assert "Could you try another headset?" in texts
    assert not any("Internal" in text for text in texts)
    reply = next(e for e in ticket.events if e.text == "Could you try another headset?")
    assert reply.by_agent and reply.author == "Joost Bakker" and reply.kind is EventKind.MESSAGE


def test_seeded_tickets_show_every_stage(demo_desk: DeskAccess) -> None:
    tickets = {t.title: t for t in _desk(demo_desk, demo_desk.anna_token).changed_tickets(None)[0]}
    assert tickets["Excel crashes when opening the budget sheet"].stage is Stage.RECEIVED
    assert tickets["VPN drops every hour"].stage is Stage.IN_PROGRESS
    assert tickets["Request: second monitor"].stage is Stage.WAITING_ON_YOU
    assert tickets["Cannot log in to the expense portal"].stage is Stage.RESOLVED
    assert tickets["Printer on 2nd floor jams"].stage is Stage.CLOSED
    # Three of hers are done: the tray can say how long her tickets usually take.
    done = ("Cannot log in to the expense portal", "Printer on 2nd floor jams",
            "Keyboard is missing the euro sign")  # fmt: skip
    assert usual_duration(tickets[title] for title in done) is not None


def test_hold_resolve_reply_reopen_and_confirm(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    ref = desk.create_ticket(_report("Docking station not detected"))
    with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
        agent.hold(int(ref.id))
        assert desk.ticket(ref).summary.stage is Stage.WAITING_ON_YOU
        desk.reply(ref, "It is the Dell WD19", [Attachment("dock.txt", "text/plain", b"WD19")])
        agent.unhold(int(ref.id))
        agent.resolve(int(ref.id), "Firmware updated")
        resolved = desk.ticket(ref)
        assert resolved.summary.stage is Stage.RESOLVED
        # The conversation says so where it happened: "Now: Resolved" with the message.
        assert (resolved.events[-1].text, resolved.events[-1].new_stage) == (
            "Firmware updated",
            Stage.RESOLVED,
        )
        desk.reopen(ref, "Still not detected after a restart")
        reopened = desk.ticket(ref)
        assert reopened.summary.stage is Stage.IN_PROGRESS
        assert reopened.events[-1].new_stage is Stage.IN_PROGRESS  # the employee's reopening
        page = agent.ticket_page(int(ref.id))
        assert page.status == 2  # django-helpdesk's "Reopened", as the agent sees it
    mine = [e for e in reopened.events if not e.by_agent and e.text]
    assert [e.text for e in mine][-2:] == [
        "It is the Dell WD19",
        "Still not detected after a restart",
    ]
    assert mine[-2].attachments[0].filename == "dock.txt"
    desk.confirm_resolved(ref)
    assert desk.ticket(ref).summary.stage is Stage.CLOSED


def test_changed_since_returns_only_what_changed(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    everything, cursor = desk.changed_tickets(None)
    again, cursor = desk.changed_tickets(cursor)
    # Old tickets are not sent again; only those touched within the cursor's
    # safety margin may be (the client merges repeats).
    old = {t.ref for t in everything if t.title == "Printer on 2nd floor jams"}
    assert old and not old & {t.ref for t in again}
    ref = desk.create_ticket(_report("Mouse wheel scrolls backwards"))
    changed, _ = desk.changed_tickets(cursor)
    assert ref in {t.ref for t in changed}


def test_a_file_type_the_desk_refuses_is_named(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    report = _report(
        "Tool crashes",
        Attachment("tool.exe", "application/x-msdownload", b"MZ"),
        Attachment("notes.txt", "text/plain", b"it crashed"),
    )
    with pytest.raises(AttachmentRefused) as caught:
        desk.create_ticket(report)
    assert (caught.value.reason, caught.value.filenames) == ("file_type", ("tool.exe",))
    assert desk.find_by_report_key(report.key) is None, "nothing was created"


def test_an_upload_over_the_desks_limit_is_an_attachment_refusal(
    demo_desk: DeskAccess,
) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    huge = Attachment("dump.log", "text/plain", b"x" * (26 * 1024 * 1024))
    with pytest.raises(AttachmentRefused) as caught:
        desk.create_ticket(_report("Disk full", huge))
    assert caught.value.reason == "too_large"


def test_a_report_refused_for_its_text_is_not_an_attachment_refusal(
    demo_desk: DeskAccess,
) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    report = Report("x" * 300, "", attachments=(Attachment("a.txt", "text/plain", b"a"),))
    with pytest.raises(Rejected) as caught:
        desk.create_ticket(report)
    assert not isinstance(caught.value, AttachmentRefused)


def test_hostile_text_is_stored_and_returned_as_text(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    title = "<script>alert('x')</script> שלום \u202e<img src=x>"
    ref = desk.create_ticket(Report(subject=title, description="<b>bold</b>\n" + "A" * 100_000))
    ticket = desk.ticket(ref)
    assert ticket.summary.title == title
    assert ticket.description.startswith("<b>bold</b>")


def test_a_stopped_desk_is_unavailable(demo_desk: DeskAccess, tmp_path: Path) -> None:
    own = DemoDesk(data_dir=tmp_path / "desk", port=0)
    own.setup()
    own.start()
    desk = DjangoHelpdeskConnector(CONFIG).open(
        own.base_url, own.token_for("anna", EMPLOYEE_PASSWORD)
    )
    assert desk.changed_tickets(None)[0]
    own.stop()
    with pytest.raises(Unavailable) as caught:
        desk.changed_tickets(Cursor("2026-01-01T00:00:00+00:00"))
    assert caught.value.reason == "refused"  # nothing listens: the request never left


def test_garbage_report_keys_never_reach_a_ticket(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    assert desk.find_by_report_key(str(uuid.uuid4())) is None


def test_an_open_ticket_cannot_be_reopened(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    ref = desk.create_ticket(_report("Wi-Fi drops in meeting room"))
    with pytest.raises(Rejected) as caught:
        desk.reopen(ref, "still broken")
    assert caught.value.reason == "not_reopenable"
    desk.confirm_resolved(ref)  # "it fixed itself"
    with pytest.raises(Rejected) as closed:
        desk.confirm_resolved(ref)
    assert closed.value.reason == "already_closed"


def test_guessing_passwords_is_slowed_down(demo_desk: DeskAccess) -> None:
    connector = DjangoHelpdeskConnector(CONFIG)
    for _ in range(10):
        with pytest.raises(AuthFailed):
            connector.sign_in(demo_desk.url, "mallory", "guess")
    with pytest.raises(Unavailable) as caught:  # the 11th guess is not even checked
        connector.sign_in(demo_desk.url, "mallory", "guess")
    assert caught.value.reason == "busy" and caught.value.retry_after == 300


def test_each_write_is_answered_with_what_was_done_to_which_ticket(
    demo_desk: DeskAccess,
) -> None:
    """tray_api's answers carry what the adapter checks before it calls a write done."""
    desk = _desk(demo_desk, demo_desk.anna_token)
    ref = desk.create_ticket(_report("Headset crackles"))
    raw = HttpClient(demo_desk.url, CONFIG, {"Authorization": f"Token {demo_desk.anna_token}"})
    base = f"{API_PREFIX}/tickets/{ref.id}"

    def post(route: str, text: str) -> tuple[int, dict[str, Any]]:
        response = raw.request("POST", f"{base}/{route}", data={"text": text})
        return response.status, response.json()

    status, reply = post("replies", "Only in Teams")
    assert status == 201 and reply["action"] == "reply"
    assert reply["ticket"]["id"] == int(ref.id)
    assert (
        reply["event"]["text"] == "Only in Teams" and reply["event"]["author"]["is_agent"] is False
    )
    status, urgent = post("urgent", "The board meets at noon")
    assert (status, urgent["action"], urgent["ticket"]["priority"]) == (200, "urgent", 1)
    assert urgent["event"]["text"] == "The board meets at noon"
    status, closed = post("confirm", "Works now")
    assert (status, closed["action"], closed["ticket"]["status"]) == (200, "confirm", 4)
    assert (closed["event"]["text"], closed["event"]["new_status"]) == ("Works now", 4)
    status, reopened = post("reopen", "Crackles again")
    assert (status, reopened["action"], reopened["ticket"]["status"]) == (200, "reopen", 2)
    assert reopened["event"]["new_status"] == 2
    raw.close()


def test_urgent_on_the_real_desk_is_done(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    ref = desk.create_ticket(_report("Laptop will not charge"))
    assert not desk.ticket(ref).summary.urgent
    desk.mark_urgent(ref, "Battery at 5 %")
    ticket = desk.ticket(ref)
    assert ticket.events[-1].text == "Battery at 5 %"
    assert ticket.summary.urgent, "the tray shows it as urgent from now on"
    assert next(t for t in desk.changed_tickets(None)[0] if t.ref.id == ref.id).urgent


def test_a_report_goes_to_its_departments_queue_and_the_desk_names_the_department(
    demo_desk: DeskAccess,
) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    assert desk.whoami().department == "Finance", "what match.desk values are compared with"
    routed = desk.create_ticket(Report("Contract question", "For HR.", queue="hr"))
    assert routed.display.startswith("hr-"), "the profile's queue, not Anna's default"
    assert desk.ticket(routed).summary.title == "Contract question", "she still follows it"
    default = desk.create_ticket(Report("Laptop fan loud", "Very."))
    assert default.display.startswith("finance-")


def test_a_queue_the_desk_does_not_have_is_refused_as_a_queue(demo_desk: DeskAccess) -> None:
    desk = _desk(demo_desk, demo_desk.anna_token)
    report = Report("Lost queue", "Where does this go?", queue="no-such-queue")
    with pytest.raises(QueueRefused) as refused:
        desk.create_ticket(report)
    assert refused.value.fields == {"queue": ["Unknown queue 'no-such-queue'."]}
    assert desk.find_by_report_key(report.key) is None, "nothing was created"
