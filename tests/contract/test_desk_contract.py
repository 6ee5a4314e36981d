"""The desk port's contract, written once and run against every real desk.

Each test runs against django-helpdesk (the demo desk), Request Tracker 5 and
Redmine 5, real servers on 127.0.0.1, and against the stand-ins for Zammad and
TOPdesk, written from their published API documentation
(``tests/support/contract_desks.py``). The employee acts only through the desk
port, as the tray does; the agent acts in the desk's own interface. A test of
what the desk's own workflow does (``desk_workflow``) runs against the real
desks only: a stand-in would answer with what we guessed. A new desk adapter
passes these by adding a fixture.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from client.core.errors import BadResponse, Forbidden, NotFound
from client.core.models import Attachment, EventKind, Report, Stage, TicketRef, TicketSummary
from client.core.ports import DeskPort
from tests.support.contract_desks import ContractDesk, DeskAgent

pytestmark = pytest.mark.desk

#: Every byte value, 100 KB: a binary file survives only if nothing re-encodes it.
SCREENSHOT = bytes(range(256)) * 400
DIAGNOSTICS = json.dumps({"schema": 1, "disk": {"/": {"free_percent": 3}}}).encode()


@pytest.fixture
def anna(contract_desk: ContractDesk) -> DeskPort:
    return contract_desk.direct()


@pytest.fixture
def agent(contract_desk: ContractDesk) -> Iterator[DeskAgent]:
    agent = contract_desk.agent()
    yield agent
    agent.close()


def _subject(what: str) -> str:
    return f"{what} [{uuid.uuid4().hex[:8]}]"  # unique: the desk is shared by the session


def _summary(desk: DeskPort, ref: TicketRef) -> TicketSummary:
    """The ticket as the employee's full list shows it."""
    (summary,) = [t for t in desk.changed_tickets(None)[0] if t.ref.id == ref.id]
    return summary


def test_a_report_arrives_with_its_files_byte_for_byte(
    anna: DeskPort, agent: DeskAgent, contract_desk: ContractDesk
) -> None:
    report = Report(
        subject=_subject("Excel shows #VALUE! in every total"),
        description="Since this morning.\nIt worked yesterday.",
        attachments=(
            Attachment("screenshot.webp", "image/webp", SCREENSHOT),
            Attachment("diagnostics.json", "application/json", DIAGNOSTICS),
        ),
    )
    ref = anna.create_ticket(report)

    ticket = anna.ticket(ref)
    assert ticket.summary.title == report.subject
    assert ticket.summary.stage is Stage.RECEIVED
    assert "Since this morning.\nIt worked yesterday." in ticket.description
    shown = {a.filename: a.size for e in ticket.events for a in e.attachments}
    assert shown == {"screenshot.webp": len(SCREENSHOT), "diagnostics.json": len(DIAGNOSTICS)}
    files = agent.files(ref.id)
    assert files == {"screenshot.webp": SCREENSHOT, "diagnostics.json": DIAGNOSTICS}


def test_the_employee_opens_a_tickets_files_as_they_were_sent(anna: DeskPort) -> None:
    report = Report(
        subject=_subject("The scanner saves blank pages"),
        description="See the picture.",
        attachments=(Attachment("screenshot.webp", "image/webp", SCREENSHOT),),
    )
    ref = anna.create_ticket(report)
    listed = {a.filename: a for e in anna.ticket(ref).events for a in e.attachments}
    assert anna.download(listed["screenshot.webp"], max_bytes=len(SCREENSHOT)) == SCREENSHOT
    with pytest.raises(BadResponse):  # larger than the caller takes: refused, not cut
        anna.download(listed["screenshot.webp"], max_bytes=len(SCREENSHOT) - 1)
    elsewhere = replace(listed["screenshot.webp"], url="https://elsewhere.example/file")
    with pytest.raises(BadResponse):  # the token goes to the desk's own files only
        anna.download(elsewhere, max_bytes=len(SCREENSHOT))


def test_an_employee_never_sees_another_employees_ticket(
    anna: DeskPort, contract_desk: ContractDesk
) -> None:
    ref = anna.create_ticket(Report(_subject("My salary slip is wrong"), "Private."))
    bram = contract_desk.open_other()
    with pytest.raises((NotFound, Forbidden)):
        bram.ticket(ref)
    assert ref.id not in {t.ref.id for t in bram.changed_tickets(None)[0]}
    assert anna.whoami().name != bram.whoami().name


@pytest.mark.desk_workflow
def test_the_agents_work_shows_as_stages(
    anna: DeskPort, agent: DeskAgent, contract_desk: ContractDesk
) -> None:
    ref = anna.create_ticket(Report(_subject("The docking station drops the screen"), ""))
    number = ref.id

    agent.assign(number)
    summary = _summary(anna, ref)
    assert summary.stage is Stage.ASSIGNED
    assert summary.agent is not None and summary.agent.name == agent.name

    agent.reply(number, "Internal: firmware 1.2 is known to do this", public=False)
    assert _summary(anna, ref).stage is Stage.ASSIGNED, "an internal note is not news"
    agent.reply(number, "Which dock is it, the grey or the black one?")
    summary = _summary(anna, ref)
    assert summary.stage is Stage.IN_PROGRESS and summary.agent_replied_at is not None
    events = anna.ticket(ref).events
    said = [e for e in events if e.kind is EventKind.MESSAGE and e.by_agent]
    assert [e.text.strip() for e in said] == ["Which dock is it, the grey or the black one?"]
    assert all("firmware" not in e.text for e in events)

    agent.hold(number)
    assert _summary(anna, ref).stage is Stage.WAITING_ON_YOU
    agent.resolve(number, "New firmware installed")
    assert _summary(anna, ref).stage is Stage.RESOLVED


def test_the_employees_reply_reaches_the_agent_as_theirs(
    anna: DeskPort, agent: DeskAgent, contract_desk: ContractDesk
) -> None:
    ref = anna.create_ticket(Report(_subject("The second monitor flickers"), ""))
    log = Attachment("display.log", "text/plain", b"EDID checksum error on DP-2\n")

    anna.reply(ref, "It is the Dell on the left", [log])

    mine = [e for e in anna.ticket(ref).events if e.text.strip() == "It is the Dell on the left"]
    assert len(mine) == 1 and not mine[0].by_agent
    assert mine[0].author == contract_desk.employee_name
    assert [a.filename for a in mine[0].attachments] == ["display.log"]
    assert "It is the Dell on the left" in agent.conversation(ref.id)
    assert agent.files(ref.id)["display.log"] == log.data


@pytest.mark.desk_workflow
def test_still_broken_opens_it_again_at_the_desk(
    anna: DeskPort, agent: DeskAgent, contract_desk: ContractDesk
) -> None:
    ref = anna.create_ticket(Report(_subject("Outlook asks for my password"), ""))
    agent.resolve(ref.id, "Reset your profile")
    assert _summary(anna, ref).stage is Stage.RESOLVED

    anna.reopen(ref, "It asks again after every restart")

    assert agent.is_open(ref.id)
    assert "It asks again after every restart" in agent.conversation(ref.id)
    assert _summary(anna, ref).stage is Stage.IN_PROGRESS


def test_a_report_is_found_again_by_its_key(anna: DeskPort, contract_desk: ContractDesk) -> None:
    report = Report(_subject("VPN drops every hour"), "On the train.")
    ref = anna.create_ticket(report)
    assert anna.find_by_report_key(report.key) == ref
    assert anna.find_by_report_key(Report("other", "").key) is None
    bram = contract_desk.open_other()
    assert bram.find_by_report_key(report.key) is None, "another employee's key finds nothing"


def test_the_change_cursor_returns_what_changed_and_not_what_did_not(
    anna: DeskPort, agent: DeskAgent, contract_desk: ContractDesk
) -> None:
    new = anna.create_ticket(Report(_subject("The new problem"), ""))
    anna.create_ticket(Report(_subject("An older problem"), ""))
    # A cursor looks back a moment (desks keep times to the second, and a change
    # may commit while a poll runs), so "unchanged" means: before that moment.
    # The demo desk has old seeded tickets; on RT the one above becomes old in
    # a few seconds of clock time (a wait for the clock, not for a race).
    deadline = time.monotonic() + contract_desk.lookback.total_seconds() + 10

    def unchanged() -> set[str]:
        quiet = datetime.now(UTC) - contract_desk.lookback - timedelta(seconds=2)
        return {t.ref.id for t in anna.changed_tickets(None)[0] if t.updated < quiet}

    while not (old := unchanged()):
        assert time.monotonic() < deadline, "no ticket of the employee's grew old"
        time.sleep(0.2)
    everything, cursor = anna.changed_tickets(None)
    assert new.id in {t.ref.id for t in everything}

    agent.reply(new.id, "Looking at it now")
    changed, later = anna.changed_tickets(cursor)

    assert new.id in {t.ref.id for t in changed}
    assert not old & {t.ref.id for t in changed}
    still, _ = anna.changed_tickets(later)
    assert not old & {t.ref.id for t in still}


def test_the_agents_photo_comes_from_the_desk_when_it_keeps_one(
    anna: DeskPort, agent: DeskAgent, contract_desk: ContractDesk
) -> None:
    ref = anna.create_ticket(Report(_subject("New keyboard please"), ""))
    agent.assign(ref.id)
    summary = _summary(anna, ref)
    assert summary.agent is not None
    assert anna.agent_photo(summary.agent) == contract_desk.agent_photo
