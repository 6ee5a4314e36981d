"""The parcel tracker against the real demo desk: the agent works in django-helpdesk's own pages,
the employee's poller sees each step, and the employee answers from the tray."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector, DjangoHelpdeskDesk
from client.adapters.files import read_user_file
from client.adapters.http import HttpConfig
from client.core.errors import ClientError
from client.core.models import Report, Stage, TicketRef
from client.core.tracking import Action, ChangeKind, TicketChange
from client.services.poller import TicketPoller
from client.services.tasks import SyncTaskRunner
from client.services.ticket_actions import TicketActions
from demo.agent_console import AgentConsole
from tests.support.desk_fixture import AGENT_PASSWORD, DeskAccess

pytestmark = pytest.mark.desk

CONFIG = HttpConfig(connect_timeout=2.0, read_timeout=15.0)
REOPENED = 2  # django-helpdesk's status code, as the agent's page shows it


class Employee:
    """Anna's tray: the real adapter, the real poller and the real actions, one thread."""

    def __init__(self, qtbot: QtBot, access: DeskAccess) -> None:
        self.desk: DjangoHelpdeskDesk = DjangoHelpdeskConnector(CONFIG).open(
            access.url, access.anna_token
        )
        runner = SyncTaskRunner()
        self.poller = TicketPoller(runner, slow_interval_s=3600)
        self.actions = TicketActions(runner, lambda: self.desk, read_user_file, max_bytes=1 << 20)
        self.changes: list[TicketChange] = []
        self.poller.tickets_changed.connect(self.changes.extend)
        self.failures: list[object] = []
        self.actions.failed.connect(lambda *failure: self.failures.append(failure))
        self.qtbot = qtbot

    def poll(self) -> list[TicketChange]:
        """Ask the desk what changed (as the timer or the menu would)."""
        self.changes.clear()
        assert self.poller.poll_now(force=True)
        return list(self.changes)

    def stage(self, ref: TicketRef) -> Stage:
        (mine,) = [t for t in self.poller.tickets if t.ref == ref]
        return mine.stage

    def act(self, ref: TicketRef, action: Action, text: str, paths: list[str] = []) -> None:  # noqa: B006
        assert self.actions.run(ref, action, text, list(paths))
        assert self.failures == []


@pytest.fixture
def anna(qtbot: QtBot, demo_desk: DeskAccess) -> Iterator[Employee]:
    employee = Employee(qtbot, demo_desk)
    yield employee
    employee.poller.stop()


def _kinds(changes: list[TicketChange], ref: TicketRef) -> list[ChangeKind]:
    return [c.kind for c in changes if c.ref == ref]


def test_each_step_the_agent_takes_reaches_the_employee_as_a_stage(
    anna: Employee, demo_desk: DeskAccess
) -> None:
    ref = anna.desk.create_ticket(Report("Laptop fan is loud", "Since this morning"))
    anna.poller.start(anna.desk)
    assert anna.stage(ref) is Stage.RECEIVED
    with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
        number = int(ref.id)
        agent.assign(number, "joost")
        assert _kinds(anna.poll(), ref) == [ChangeKind.ASSIGNED]
        assert anna.stage(ref) is Stage.ASSIGNED

        agent.reply(number, "Internal: check the BIOS fan curve", public=False)
        # A private note touches the ticket, but is no reply the employee sees.
        assert _kinds(anna.poll(), ref) in ([], [ChangeKind.UPDATED])
        agent.reply(number, "Is it plugged in to the dock?")
        assert _kinds(anna.poll(), ref) == [ChangeKind.AGENT_REPLIED]
        assert anna.stage(ref) is Stage.IN_PROGRESS

        agent.hold(number)
        assert _kinds(anna.poll(), ref) == [ChangeKind.WAITING_ON_YOU]

        agent.unhold(number)
        agent.resolve(number, "Cleaned the fan")
        assert _kinds(anna.poll(), ref) == [ChangeKind.RESOLVED]


def test_still_broken_reopens_it_in_the_desk(anna: Employee, demo_desk: DeskAccess) -> None:
    ref = anna.desk.create_ticket(Report("Outlook asks for my password", ""))
    with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
        agent.resolve(int(ref.id), "Reset your profile")
        anna.poller.start(anna.desk)
        assert anna.stage(ref) is Stage.RESOLVED

        anna.act(ref, Action.REOPEN, "It asks again after every restart")

        page = agent.ticket_page(int(ref.id))
        assert page.status == REOPENED
        assert "It asks again after every restart" in page.html
    assert anna.poll() and anna.stage(ref) is Stage.IN_PROGRESS


def test_a_reply_from_the_tray_is_the_employees_follow_up_with_its_file(
    anna: Employee, demo_desk: DeskAccess, tmp_path: Path
) -> None:
    ref = anna.desk.create_ticket(Report("Second monitor flickers", ""))
    log = tmp_path / "display.log"
    log.write_text("EDID checksum error on DP-2", encoding="utf-8")

    anna.act(ref, Action.REPLY, "It is the Dell on the left", [str(log)])

    events = anna.desk.ticket(ref).events
    mine = [e for e in events if e.text == "It is the Dell on the left"]
    assert len(mine) == 1 and not mine[0].by_agent and mine[0].author == "Anna Jansen"
    assert [a.filename for a in mine[0].attachments] == ["display.log"]
    with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
        page = agent.ticket_page(int(ref.id))
    assert "It is the Dell on the left" in page.html and page.attachment_links


def test_urgent_raises_the_priority_and_fixed_itself_closes(
    anna: Employee, demo_desk: DeskAccess
) -> None:
    ref = anna.desk.create_ticket(Report("Cannot print payslips", ""))
    anna.act(ref, Action.URGENT, "Payroll closes at noon")
    with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
        page = agent.ticket_page(int(ref.id))
        assert page.priority == 1 and "Payroll closes at noon" in page.html

    anna.act(ref, Action.FIXED_ITSELF, "After a restart it printed")
    anna.poller.start(anna.desk)
    assert anna.stage(ref) is Stage.CLOSED
    texts = [e.text for e in anna.desk.ticket(ref).events]
    assert "After a restart it printed" in texts


def test_an_action_the_desk_refuses_says_so_and_keeps_the_ticket(
    anna: Employee, demo_desk: DeskAccess
) -> None:
    ref = anna.desk.create_ticket(Report("Wi-Fi drops", ""))
    anna.act(ref, Action.FIXED_ITSELF, "")
    failed: list[tuple[TicketRef, Action, ClientError]] = []
    anna.actions.failed.connect(lambda *failure: failed.append(failure))
    anna.actions.run(ref, Action.URGENT, "Now it is urgent", [])  # closed: refused
    ((failed_ref, action, error),) = failed
    assert (failed_ref, action, error.code) == (ref, Action.URGENT, "rejected")
