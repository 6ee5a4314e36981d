"""Telling IT of a health finding, at the real desks: django-helpdesk (the demo desk) and RT 5.

The tray's own parts are real (the health service, its book file, the outbox on SQLite, the
desk adapters); only the helper's measurement and the clock are the test's. Each desk is
checked from the agent's side: django-helpdesk's staff pages, RT's REST2 as the agent.
"""

from __future__ import annotations

import html
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import pytest

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
from client.adapters.desks.rt import RtConnector
from client.adapters.health_book import BookFile
from client.adapters.http import HttpConfig
from client.adapters.store import SqliteOutbox
from client.core.health import BUILTIN_RULES, Finding, Rule
from client.core.ports import DeskPort
from client.core.reading import Text
from client.services.health import HealthOptions, HealthService
from client.services.outbox import OutboxService
from client.services.tasks import SyncTaskRunner
from demo.agent_console import CLOSED, AgentConsole
from tests.fakes import FakeClock
from tests.support.desk_fixture import AGENT_PASSWORD, DeskAccess
from tests.support.rt_desk import RtAccess, RtAgent

CONFIG = HttpConfig(connect_timeout=2.0, read_timeout=15.0)
HOUR, DAY = 3600.0, 86400.0
#: Noon, local time, on a day far from any change of daylight saving time.
NOON = time.mktime((2026, 3, 10, 12, 0, 0, 0, 0, -1))
LOW_DISK = {"disk.free_percent": 4.5}
FINE_DISK = {"disk.free_percent": 55.0}
DISK = next(rule for rule in BUILTIN_RULES if rule.id == "disk-low")  # IT hears after 72 h
UPDATED = "Still found on"
CLEARED = "The problem cleared on"


class AtTheDesk(Protocol):
    """One real desk: Anna's view through the tray's adapter, and the agent's own view."""

    kind: str

    def employee(self) -> DeskPort: ...

    def tickets_titled(self, subject: str) -> list[int]: ...

    def conversation(self, number: int) -> str: ...

    def finished(self, number: int) -> bool: ...

    def close(self) -> None: ...


class Helpdesk:
    """django-helpdesk: Anna's tray API, and Joost in the staff pages (``AgentConsole``)."""

    kind = "django-helpdesk"

    def __init__(self, access: DeskAccess) -> None:
        self._access = access
        self._agent = AgentConsole(access.url, "joost", AGENT_PASSWORD)

    def employee(self) -> DeskPort:
        return DjangoHelpdeskConnector(CONFIG).open(self._access.url, self._access.anna_token)

    def tickets_titled(self, subject: str) -> list[int]:
        # The staff pages have no search the console reads: Anna's list holds all of hers.
        mine, _ = self.employee().changed_tickets(None)
        return [int(t.ref.id) for t in mine if t.title == subject]

    def conversation(self, number: int) -> str:
        return html.unescape(self._agent.ticket_page(number).html)

    def finished(self, number: int) -> bool:
        return self._agent.ticket_page(number).status == CLOSED

    def close(self) -> None:
        self._agent.disconnect()


class Tracker:
    """Request Tracker: Anna through the RT adapter, Joost through REST2 (``RtAgent``)."""

    kind = "request-tracker"

    def __init__(self, access: RtAccess) -> None:
        self._access = access
        self._agent: RtAgent = access.agent()

    def employee(self) -> DeskPort:
        connector = RtConnector(CONFIG, queue=self._access.queue)
        return connector.open(self._access.url, self._access.anna_token)

    def tickets_titled(self, subject: str) -> list[int]:
        return self._agent.tickets_with_subject(subject)

    def conversation(self, number: int) -> str:
        return "\n".join(str(entry.get("Content") or "") for entry in self._agent.history(number))

    def finished(self, number: int) -> bool:
        # The fixture grants requestors ModifyTicket (OPTIONAL_REQUESTOR_RIGHTS): the tray
        # may resolve. Without it RT keeps the note only, which conversation() shows.
        return self._agent.status(number) == "resolved"

    def close(self) -> None:
        self._agent.close()


@pytest.fixture(
    params=[
        pytest.param("django-helpdesk", marks=pytest.mark.desk),
        pytest.param("request-tracker", marks=pytest.mark.rt),
    ]
)
def at_the_desk(request: pytest.FixtureRequest) -> Iterator[AtTheDesk]:
    """Each real desk in turn (one that cannot start fails the run in CI)."""
    desk: AtTheDesk
    if request.param == "django-helpdesk":
        desk = Helpdesk(request.getfixturevalue("demo_desk"))
    else:
        desk = Tracker(request.getfixturevalue("rt_desk"))
    yield desk
    desk.close()


class Probe:
    """The helper's answer for each pass (the disk's free space is the test's)."""

    def __init__(self) -> None:
        self.facts: dict[str, float] = dict(LOW_DISK)

    def measure(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"facts": dict(self.facts), "details": {}, "skipped": [], "slowdowns": [],
                "history": "ok"}  # fmt: skip

    def cancel(self) -> None:
        pass


@dataclass
class Tray:
    """Anna's tray as far as health goes: the service, its book, the outbox on SQLite."""

    health: HealthService
    outbox: OutboxService
    store: SqliteOutbox
    filed: list[Finding]

    def close(self) -> None:
        self.health.stop()
        self.store.close()


class Computer:
    """Anna's computer: its files stay across restarts of the tray; the clock is the test's."""

    def __init__(self, tmp_path: Path, desk: DeskPort, rule: Rule) -> None:
        self.tmp_path, self.desk, self.rule = tmp_path, desk, rule
        self.clock = FakeClock(NOON)
        self.probe = Probe()

    def start_tray(self, *, hears_deliveries: bool = True) -> Tray:
        runner = SyncTaskRunner()
        store = SqliteOutbox(self.tmp_path / "outbox.sqlite3")
        outbox = OutboxService(runner, runner, store, lambda: self.desk, clock=self.clock)
        health = HealthService(
            runner, lambda: self.probe, BookFile(self.tmp_path / "health-book.json"),
            lambda: (self.rule,), outbox.enqueue, lambda: self.desk,
            options=HealthOptions(mode="auto", interval_s=HOUR, quiet_after_s=60.0),
            clock=self.clock,
        )  # fmt: skip
        if hears_deliveries:
            outbox.report_delivered.connect(health.report_delivered)
        filed: list[Finding] = []
        health.filed.connect(filed.append)
        outbox.start()
        health.start()
        return Tray(health, outbox, store, filed)

    def passes(self, tray: Tray, hours: float, every_h: float = 3.0) -> None:
        """A pass every ``every_h`` hours for ``hours`` hours."""
        for _ in range(round(hours / every_h)):
            self.clock.advance(every_h * HOUR)
            tray.health.check_now()
            assert not tray.health.busy


def a_rule() -> Rule:
    """The built-in disk rule, its title this test's own (so its tickets can be counted)."""
    return replace(DISK, title=Text({"en": f"Disk almost full {uuid.uuid4().hex[:8]}"}))


def test_a_persistent_finding_is_one_ticket_updated_daily_and_closed_when_it_clears(
    at_the_desk: AtTheDesk, tmp_path: Path, qapp: object
) -> None:
    rule = a_rule()
    subject = f"[Health] {rule.title.get('en')}"
    computer = Computer(tmp_path, at_the_desk.employee(), rule)
    tray = computer.start_tray()
    computer.passes(tray, 69)
    assert at_the_desk.tickets_titled(subject) == [], "not yet persistent"

    computer.passes(tray, 9)  # past 72 h since it was first seen
    (number,) = at_the_desk.tickets_titled(subject)
    assert [f.id for f in tray.filed] == ["disk-low"] and tray.outbox.items == []
    assert tray.health.book["disk-low"].ticket == str(number)
    filed_text = at_the_desk.conversation(number)
    assert "Measured: Free disk space: 4.5 % (limit: below 10 %)" in filed_text
    assert "Health-Finding: disk-low" in filed_text

    computer.passes(tray, 21)  # a day after it was filed
    assert at_the_desk.tickets_titled(subject) == [number], "exactly one ticket"
    assert at_the_desk.conversation(number).count(UPDATED) == 1, "the day's update"
    computer.passes(tray, 12)
    assert at_the_desk.conversation(number).count(UPDATED) == 1, "at most once a day"

    tray.close()  # the tray restarts: its outbox and book are read again
    tray = computer.start_tray()
    computer.passes(tray, 15)
    assert at_the_desk.tickets_titled(subject) == [number], "no second ticket after a restart"
    assert tray.filed == [] and tray.health.book["disk-low"].ticket == str(number)
    assert at_the_desk.conversation(number).count(UPDATED) == 2, "the next day's, same ticket"
    assert not at_the_desk.finished(number)

    computer.probe.facts = dict(FINE_DISK)
    computer.passes(tray, 3)
    assert CLEARED in at_the_desk.conversation(number)
    assert at_the_desk.finished(number)
    assert "disk-low" not in tray.health.book
    computer.passes(tray, 6)
    assert at_the_desk.conversation(number).count(CLEARED) == 1
    assert at_the_desk.tickets_titled(subject) == [number]
    tray.close()


def test_a_ticket_made_while_the_tray_did_not_hear_of_it_is_found_after_a_restart(
    at_the_desk: AtTheDesk, tmp_path: Path, qapp: object
) -> None:
    rule = a_rule()
    subject = f"[Health] {rule.title.get('en')}"
    computer = Computer(tmp_path, at_the_desk.employee(), rule)
    tray = computer.start_tray(hears_deliveries=False)  # it quits before the delivery is told
    computer.passes(tray, 75)  # the last pass filed it, and the outbox delivered it
    (number,) = at_the_desk.tickets_titled(subject)
    assert tray.health.book["disk-low"].ticket == ""
    tray.close()

    tray = computer.start_tray()
    computer.passes(tray, 3)
    assert tray.health.book["disk-low"].ticket == str(number), "the desk was asked for it"
    computer.passes(tray, 21)  # a day after it was filed
    assert at_the_desk.tickets_titled(subject) == [number], "no second ticket"
    assert at_the_desk.conversation(number).count(UPDATED) == 1
    tray.close()
