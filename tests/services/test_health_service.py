"""The health service with fakes: its schedule, nudges, telling IT, the one ticket, fix checks."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QObject, QTimer, Signal

from client.adapters.health_book import BookFile
from client.core.fixes import Fix, FixRun, Outcome, Parameter, Script, Variant
from client.core.health import BUILTIN_RULES, Finding, Rule
from client.core.health_report import FILE_NAME, MARK
from client.core.models import Report, Stage, TicketRef
from client.core.nudges import UPDATE_EVERY_S, Track
from client.core.outbox import OutboxItem, OutboxState
from client.core.ports import DeskPort
from client.core.reading import Text
from client.services.fixes import FixService
from client.services.health import (
    CHECK_FIXES_EVERY_S,
    FIX_FOUND,
    FIX_NOTHING_FOUND,
    FixChecks,
    HealthOptions,
    HealthService,
)
from client.services.tasks import SyncTaskRunner
from tests.fakes import FakeClock, FakeDesk

MIN, HOUR, DAY = 60.0, 3600.0, 86400.0
INTERVAL_S = 15 * MIN
#: Noon, local time, on a day far from any change of daylight saving time.
NOON = time.mktime((2026, 3, 10, 12, 0, 0, 0, 0, -1))
LOW_DISK = {"disk.free_percent": 4.5}
FINE_DISK = {"disk.free_percent": 55.0}
DISK = next(rule for rule in BUILTIN_RULES if rule.id == "disk-low")  # persist 2, 3 days, 72 h


def answer(facts: Mapping[str, Any], **more: Any) -> dict[str, Any]:
    """The helper's answer, as ``client/adapters/health_helper.py`` gives it."""
    return {
        "facts": dict(facts),
        "details": {},
        "skipped": [],
        "slowdowns": [],
        "history": "ok",
        **more,
    }


class FakeProbe:
    """Answers each pass with the scripted answer (or raises it), and says what it was asked."""

    def __init__(self) -> None:
        self.answer: dict[str, Any] | Exception = answer({})
        self.requests: list[dict[str, Any]] = []
        self.cancelled = 0

    def measure(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        # As the helper does: what the tray knows joins what was measured.
        return {**self.answer, "facts": {**self.answer["facts"], **request["facts"]}}

    def cancel(self) -> None:
        self.cancelled += 1


class FakeFixes(QObject):
    """The fix check helper (answers at once), and what of ``FixService`` a harmless run uses."""

    finished = Signal(object)

    def __init__(self, fixes: Sequence[Fix], outcome: Outcome = Outcome.FOUND) -> None:
        super().__init__()
        self._fixes = {fix.id: fix for fix in fixes}
        self.outcome = outcome
        self.checks: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.said: list[Any] = []  # what the helper answers next, if not each fix's outcome
        self.cancelled = 0
        self.runs: list[tuple[str, dict[str, str], str]] = []
        self.running = ""

    def titles(self) -> dict[str, Text | None]:
        """What the profile says of its fixes without reading them whole."""
        return {fix_id: fix.title for fix_id, fix in self._fixes.items()}

    def fix(self, fix_id: str) -> Fix | None:
        return self._fixes.get(fix_id)

    def refusal(self, fix: Fix) -> None:
        return None

    def check(self, request: dict[str, Any]) -> dict[str, Any]:
        """As the helper answers: each due fix checked, one not in the profile not run."""
        self.requests.append(request)
        self.checks.extend(request["due"])
        if self.said:
            return _raise_or(self.said.pop(0))
        return {
            "checks": [
                {"id": fix_id, "outcome": self.outcome.value} if fix_id in self._fixes
                else {"id": fix_id, "not_run": "not_in_profile"}
                for fix_id in request["due"]
            ]
        }  # fmt: skip

    def cancel(self) -> None:
        self.cancelled += 1

    def run(self, fix_id: str, values: Mapping[str, str], started_by: str = "you") -> None:
        self.runs.append((fix_id, dict(values), started_by))


def fix_run(fix_id: str, outcome: Outcome, started_by: str = "health check") -> FixRun:
    return FixRun(fix_id, 1, "linux", "", "", started_by, NOON, outcome)


def a_fix(
    fix_id: str = "clear-cache", *, harmless: bool = False, parameters: tuple[Parameter, ...] = ()
) -> Fix:
    script = Script("f/s.sh", "0" * 64, 10)
    text = Text({"en": "Clear the browser cache"})
    return Fix(
        fix_id, 1, text, text, text, text, parameters=parameters,
        variants=(Variant("linux", "sh", script, script),), harmless=harmless,
    )  # fmt: skip


class Rig:
    """A health service over fakes, a real book file, and a clock the test moves."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        mode: str = "auto",
        quiet_hours: tuple[int, int] | None = None,
        first_pass_ms: int = 3 * 60 * 1000,
        start: float = NOON,
        fixes: FakeFixes | None = None,
        desk: FakeDesk | None = None,
        io: SyncTaskRunner | None = None,
    ) -> None:
        self.clock = FakeClock(start)
        self.probe = FakeProbe()
        self.book_file = BookFile(tmp_path / "health-book.json")
        self.desk = desk if desk is not None else FakeDesk()
        self.sent: list[Report] = []
        self.rules: tuple[Rule, ...] = BUILTIN_RULES
        self.away: float | None = None
        self.fixes = fixes
        self.stages: dict[str, Stage] = {}  # the tickets as the poller saw them
        self.service = HealthService(
            io or SyncTaskRunner(), lambda: self.probe, self.book_file, lambda: self.rules,
            self.sent.append, lambda: cast(DeskPort, self.desk),
            options=HealthOptions(
                mode=mode, interval_s=INTERVAL_S, first_pass_ms=first_pass_ms,
                quiet_hours=quiet_hours, quiet_after_s=60.0, language="en", version="9.9",
            ),
            fixes=lambda: cast(FixService, self.fixes),
            profile_fixes=lambda: self.fixes.titles() if self.fixes is not None else {},
            fix_checks=(lambda: cast(FixChecks, self.fixes)) if fixes is not None else None,
            fix_request=lambda: {"profile": "/kept", "record": "/record", "enabled": True,
                                 "verified": True},
            desk_out_of_reach_s=lambda: self.away, clock=self.clock, store_runner=SyncTaskRunner(),
            ticket_stage=self.stages.get,
        )  # fmt: skip
        self.nudges: list[Finding] = []
        self.asks: list[Finding] = []
        self.filed: list[Finding] = []
        self.fixed: list[tuple[Finding, FixRun]] = []
        self.service.nudge.connect(self.nudges.append)
        self.service.ask.connect(self.asks.append)
        self.service.filed.connect(self.filed.append)
        self.service.fixed.connect(lambda finding, run: self.fixed.append((finding, run)))

    @property
    def timer(self) -> QTimer:
        timer = self.service.findChild(QTimer)
        assert isinstance(timer, QTimer)
        return timer

    def run_pass(self, facts: Mapping[str, Any], after_s: float = INTERVAL_S) -> None:
        """A pass ``after_s`` after the last one, the helper measuring ``facts``."""
        self.clock.advance(after_s)
        self.probe.answer = answer(facts)
        self.service.check_now()
        assert not self.service.busy

    def passes_until(self, at: float, facts: Mapping[str, Any]) -> None:
        """Passes every interval until ``at`` (the last one at ``at`` exactly)."""
        while self.clock.now + INTERVAL_S < at:
            self.run_pass(facts)
        self.run_pass(facts, at - self.clock.now)

    def nudged_ids(self) -> list[str]:
        return [finding.id for finding in self.nudges]

    def desk_calls(self, name: str) -> list[Any]:
        return [arg for called, arg in self.desk.calls if called == name]


@pytest.fixture
def rig(tmp_path: Path, qapp: object) -> Rig:
    return Rig(tmp_path)


def delivered(report: Report, ticket: str) -> OutboxItem:
    """The outbox's item for ``report`` once the desk made ``ticket`` of it."""
    return OutboxItem(
        7, report.key, report.subject, report.description, OutboxState.SENT, NOON,
        ticket=TicketRef(ticket),
    )  # fmt: skip


# --- the schedule -------------------------------------------------------------------------------


def test_the_first_pass_comes_after_first_pass_ms_then_one_every_interval(
    qtbot: QtBot, tmp_path: Path
) -> None:
    rig = Rig(tmp_path, first_pass_ms=40)
    assert not rig.timer.isActive()
    rig.service.start()
    assert rig.timer.isActive() and rig.timer.isSingleShot()
    assert rig.timer.interval() == 40
    assert rig.probe.requests == [], "nothing measured at start"

    qtbot.waitUntil(lambda: len(rig.probe.requests) == 1, timeout=5000)
    assert rig.service.checked_at == NOON and rig.service.last_pass is not None
    assert rig.timer.isActive() and rig.timer.interval() == INTERVAL_S * 1000

    rig.run_pass({})
    assert len(rig.probe.requests) == 2
    assert rig.timer.isActive() and rig.timer.interval() == INTERVAL_S * 1000

    rig.service.resumed()  # woke: a pass soon, not a whole interval later
    assert rig.timer.isActive() and rig.timer.interval() == 40
    rig.service.stop()
    assert not rig.timer.isActive() and rig.probe.cancelled == 1


# --- nudges --------------------------------------------------------------------------------------


def test_a_finding_nudges_once_seen_in_enough_passes_and_again_only_after_its_period(
    tmp_path: Path, qapp: object
) -> None:
    rig = Rig(tmp_path, mode="never")
    rig.run_pass(LOW_DISK)
    assert rig.nudges == [] and rig.service.book["disk-low"].passes == 1, "a blip is no finding"
    rig.run_pass(LOW_DISK)
    assert rig.nudged_ids() == ["disk-low"]
    assert rig.nudges[0].value == 4.5 and rig.nudges[0].rule == DISK
    first_nudge = rig.clock.now

    rig.passes_until(first_nudge + DISK.period_days * DAY - MIN, LOW_DISK)
    assert rig.nudged_ids() == ["disk-low"], "not again within its period"
    rig.run_pass(LOW_DISK, MIN)
    assert rig.nudged_ids() == ["disk-low", "disk-low"]


def test_policy_never_nudges_for_weeks_and_never_tells_it(tmp_path: Path, qapp: object) -> None:
    rig = Rig(tmp_path, mode="never")
    start = rig.clock.now
    rig.passes_until(start + 10 * DAY, LOW_DISK)
    assert rig.sent == [] and rig.filed == [] and rig.asks == []
    assert len(rig.nudges) == 4  # day 0, 3, 6, 9: once per period
    assert not rig.service.book["disk-low"].told_it


def test_snooze_holds_nudges_until_it_ends(tmp_path: Path, qapp: object) -> None:
    rig = Rig(tmp_path, mode="never")
    rig.run_pass(LOW_DISK)
    rig.run_pass(LOW_DISK)
    nudged_at = rig.clock.now
    rig.service.snooze("disk-low", 5 * DAY)
    rig.passes_until(nudged_at + 5 * DAY - MIN, LOW_DISK)
    assert len(rig.nudges) == 1, "past its period, but snoozed"
    rig.run_pass(LOW_DISK, 2 * MIN)
    assert len(rig.nudges) == 2


def test_dismiss_holds_nudges_until_it_has_been_gone_a_week_and_comes_back(
    tmp_path: Path, qapp: object
) -> None:
    rig = Rig(tmp_path, mode="never")
    rig.run_pass(LOW_DISK)
    rig.run_pass(LOW_DISK)
    rig.service.dismiss("disk-low")
    rig.passes_until(rig.clock.now + 8 * DAY, LOW_DISK)
    assert len(rig.nudges) == 1

    rig.run_pass(FINE_DISK)
    rig.run_pass(LOW_DISK)
    rig.run_pass(LOW_DISK)
    assert len(rig.nudges) == 1, "back within a week: the same, still dismissed"
    rig.run_pass(FINE_DISK)
    rig.passes_until(rig.clock.now + 7 * DAY, FINE_DISK)
    assert "disk-low" not in rig.service.book, "gone a week: forgotten, the dismissal too"
    rig.run_pass(LOW_DISK)
    rig.run_pass(LOW_DISK)
    assert len(rig.nudges) == 2


def test_nothing_nudges_in_quiet_hours_and_it_waits_for_their_end(
    tmp_path: Path, qapp: object
) -> None:
    late = time.mktime((2026, 3, 10, 23, 30, 0, 0, 0, -1))
    rig = Rig(tmp_path, mode="never", quiet_hours=(22 * 60, 7 * 60), start=late)
    morning = time.mktime((2026, 3, 11, 7, 0, 0, 0, 0, -1))
    rig.passes_until(morning - MIN, LOW_DISK)
    assert rig.nudges == [] and rig.service.book["disk-low"].passes > 2
    rig.run_pass(LOW_DISK, MIN)
    assert rig.nudged_ids() == ["disk-low"]


def test_nothing_nudges_right_after_start_or_after_waking(tmp_path: Path, qapp: object) -> None:
    rig = Rig(tmp_path, mode="never")
    uptime = {"uptime.days": 30.0}  # a finding at its first pass (persist_passes 1)
    rig.service.start()
    rig.run_pass(uptime, 0)
    rig.run_pass(uptime, 50)
    assert rig.nudges == [], "quiet for the first minute"
    rig.run_pass(uptime, 11)
    assert rig.nudged_ids() == ["uptime-long"]

    rig.clock.advance(4 * DAY)  # its period is over, and the computer slept
    rig.service.resumed()
    rig.run_pass(uptime, 0)
    assert len(rig.nudges) == 1, "quiet right after waking"
    rig.run_pass(uptime, 61)
    assert len(rig.nudges) == 2


# --- telling IT ----------------------------------------------------------------------------------


def test_policy_auto_files_one_report_then_updates_its_ticket_daily_and_closes_it(
    rig: Rig,
) -> None:
    start = rig.clock.now + INTERVAL_S
    rig.passes_until(start + 72 * HOUR - MIN, LOW_DISK)
    assert rig.sent == [] and rig.nudged_ids() == ["disk-low"], "nudged; not yet persistent"
    rig.run_pass(LOW_DISK, MIN)

    (report,) = rig.sent
    assert [f.id for f in rig.filed] == ["disk-low"]
    assert report.subject == "[Health] Your disk is almost full"
    assert "Measured: Free disk space: 4.5 % (limit: below 10 %)" in report.description
    assert report.description.endswith(f"{MARK}: disk-low")
    (attachment,) = report.attachments  # the finding as JSON: no screenshot, no logs
    assert (attachment.filename, attachment.content_type) == (FILE_NAME, "application/json")
    document = json.loads(attachment.data)
    assert (document["finding"], document["value"], document["limit"]) == ("disk-low", 4.5, 10.0)
    assert document["facts"]["disk.free_percent"] == 4.5 and document["machine"]["app"] == "9.9"
    assert set(document) == {"schema", "version", "finding", "metric", "value", "limit", "detail",
                             "slowdowns", "since", "facts", "machine"}  # fmt: skip
    assert rig.service.book["disk-low"].report_key == report.key

    rig.passes_until(rig.clock.now + 2 * DAY, LOW_DISK)
    assert len(rig.sent) == 1 and len(rig.filed) == 1, "exactly once"
    assert rig.desk_calls("reply") == [], "no ticket known yet: nothing to update"
    assert len(rig.nudges) == 1, "IT knows: no more nudges"

    rig.service.report_delivered(delivered(Report("Other", ""), "5"))  # someone else's
    rig.service.report_delivered(delivered(report, "41"))
    assert rig.service.book["disk-low"].ticket == "41"
    rig.run_pass(LOW_DISK)
    (first,) = rig.desk_calls("reply")
    assert first[0] == TicketRef("41") and "Still found on" in first[1] and "4.5 %" in first[1]
    rig.passes_until(rig.clock.now + UPDATE_EVERY_S - MIN, LOW_DISK)
    assert len(rig.desk_calls("reply")) == 1, "at most once a day"
    rig.run_pass(LOW_DISK, MIN)
    assert len(rig.desk_calls("reply")) == 2

    rig.run_pass(FINE_DISK)
    ((ref, text),) = rig.desk_calls("confirm_resolved")
    assert ref == TicketRef("41") and "The problem cleared on" in text
    assert "disk-low" not in rig.service.book
    assert "disk-low" not in BookFile(rig.book_file.path).load(), "forgotten on disk too"
    rig.run_pass(FINE_DISK)
    assert len(rig.desk_calls("confirm_resolved")) == 1 and len(rig.sent) == 1


def test_a_cleared_finding_whose_ticket_is_not_known_yet_is_told_once_it_is(rig: Rig) -> None:
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    (report,) = rig.sent
    rig.run_pass(FINE_DISK)
    assert rig.service.book["disk-low"].cleared_at is not None, "kept: IT must hear of it"
    rig.service.report_delivered(delivered(report, "42"))
    rig.run_pass(FINE_DISK)
    ((ref, _text),) = rig.desk_calls("confirm_resolved")
    assert ref == TicketRef("42") and "disk-low" not in rig.service.book


def test_policy_ask_asks_once_and_files_only_when_told(tmp_path: Path, qapp: object) -> None:
    rig = Rig(tmp_path, mode="ask")
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    assert [f.id for f in rig.asks] == ["disk-low"] and rig.sent == []
    rig.passes_until(rig.clock.now + 10 * DAY, LOW_DISK)
    assert len(rig.asks) == 1 and rig.sent == []

    rig.service.tell_it("disk-low")
    (report,) = rig.sent
    assert "The employee agreed to tell IT." in report.description
    assert rig.filed == [], "the employee chose it: nothing to tell them"
    rig.service.tell_it("disk-low")
    rig.run_pass(LOW_DISK)
    assert len(rig.sent) == 1


def test_declined_is_not_asked_again_until_it_clears(tmp_path: Path, qapp: object) -> None:
    rig = Rig(tmp_path, mode="ask")
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    rig.service.decline("disk-low")
    rig.passes_until(rig.clock.now + 20 * DAY, LOW_DISK)
    assert len(rig.asks) == 1 and rig.sent == []
    assert rig.service.book["disk-low"].declined

    rig.run_pass(FINE_DISK)
    rig.passes_until(rig.clock.now + 7 * DAY, FINE_DISK)
    assert "disk-low" not in rig.service.book
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    assert len(rig.asks) == 2 and rig.sent == []


def test_after_a_restart_the_ticket_of_a_report_whose_delivery_was_not_seen_is_looked_up(
    tmp_path: Path, qapp: object
) -> None:
    desk = FakeDesk()
    before = Rig(tmp_path, desk=desk)
    before.passes_until(before.clock.now + 73 * HOUR, LOW_DISK)
    (report,) = before.sent
    ref = desk.create_ticket(report)  # the outbox delivered it; the tray quit before it heard
    desk.calls.clear()

    after = Rig(tmp_path, desk=desk, start=before.clock.now + HOUR)
    after.service.start()
    after.run_pass(LOW_DISK)
    assert after.desk_calls("find_by_report_key") == [report.key]
    assert after.service.book["disk-low"].ticket == ref.id
    after.run_pass(LOW_DISK)
    assert after.desk_calls("find_by_report_key") == [report.key], "asked once"
    assert after.sent == [] and after.filed == [], "no second report"

    after.passes_until(after.clock.now + DAY, LOW_DISK)
    assert [r.id for r, _text in after.desk_calls("reply")] == [ref.id]


def test_a_ticket_the_desk_cannot_look_up_now_is_looked_up_at_the_next_pass(
    tmp_path: Path, qapp: object
) -> None:
    desk = FakeDesk()
    before = Rig(tmp_path, desk=desk)
    before.passes_until(before.clock.now + 73 * HOUR, LOW_DISK)
    (report,) = before.sent
    ref = desk.create_ticket(report)
    after = Rig(tmp_path, desk=desk, start=before.clock.now)
    desk.fail_with = ConnectionError("desk away")
    after.run_pass(LOW_DISK)
    assert after.service.book["disk-low"].ticket == "" and after.sent == []
    desk.fail_with = None
    after.run_pass(LOW_DISK)
    assert after.service.book["disk-low"].ticket == ref.id and after.sent == []


# --- what the helper answers ---------------------------------------------------------------------


def test_a_sensor_missing_in_one_pass_neither_clears_nor_counts(rig: Rig) -> None:
    rig.rules = (DISK,)
    rig.run_pass(LOW_DISK)
    rig.run_pass({"uptime.days": 1.0})  # the disk sensor failed this time
    track = rig.service.book["disk-low"]
    assert track.passes == 1 and track.cleared_at is None and rig.nudges == []
    rig.run_pass(LOW_DISK)
    assert rig.nudged_ids() == ["disk-low"], "its second pass in a row that measured it"


def test_a_failed_pass_crashes_nothing_nags_nothing_and_the_next_is_armed(rig: Rig) -> None:
    rig.run_pass(LOW_DISK)
    book = rig.service.book
    rig.clock.advance(INTERVAL_S)
    rig.probe.answer = RuntimeError("the health helper failed (1): killed")
    rig.service.check_now()
    assert not rig.service.busy and rig.nudges == [] and rig.service.book == book
    assert rig.timer.isActive() and rig.timer.interval() == INTERVAL_S * 1000
    rig.run_pass(LOW_DISK)
    assert rig.nudged_ids() == ["disk-low"]


def test_malformed_parts_of_an_answer_are_left_out(rig: Rig) -> None:
    rig.probe.answer = answer(
        {
            "disk.free_percent": "4",
            "uptime.days": math.nan,
            "memory.pressure_percent": True,
            "cpu.top_percent": math.inf,
            "made.up": 99.0,
            "battery.health_percent": 20.0,
        },
        details=["not", "a", "mapping"],
        skipped="not a list",
        slowdowns=[{"metric": "slow.probe_ms", "relative": "much"}, 7, {"metric": "x"}],
        history=12,
    )
    rig.clock.advance(INTERVAL_S)
    rig.service.check_now()
    found = rig.service.last_pass
    assert found is not None
    measured = {name: value for name, value in found.facts.items() if not name.startswith("desk.")}
    assert measured == {"battery.health_percent": 20.0}
    assert [f.id for f in rig.service.findings] == ["battery-worn"]

    for broken in ({}, {"facts": None}, {"facts": [1, 2]}, {"facts": {"x": {"y": 1}}}):
        rig.clock.advance(INTERVAL_S)
        rig.probe.answer = dict(broken)
        rig.service.check_now()
        assert not rig.service.busy and rig.timer.isActive()
    assert "battery-worn" in rig.service.book, "not measured since: neither seen nor cleared"


def test_a_damaged_book_is_moved_aside_and_a_new_one_started(rig: Rig, tmp_path: Path) -> None:
    rig.book_file.path.write_bytes(b'{"version": 1, "tracks": [{"id": ')
    rig.run_pass(LOW_DISK)
    assert list(rig.service.book) == ["disk-low"]
    assert len(list(tmp_path.glob("health-book-damaged-*.json"))) == 1
    assert list(BookFile(rig.book_file.path).load()) == ["disk-low"]


def test_the_book_outlives_a_restart(tmp_path: Path, qapp: object) -> None:
    before = Rig(tmp_path, mode="never")
    before.run_pass(LOW_DISK)
    before.run_pass(LOW_DISK)
    assert len(before.nudges) == 1
    after = Rig(tmp_path, mode="never", start=before.clock.now)
    after.run_pass(LOW_DISK)
    assert after.nudges == [], "nudged a pass ago, before the restart"
    assert after.service.book["disk-low"].passes == 3


# --- IT's fixes as checks ------------------------------------------------------------------------


def test_a_fix_whose_detection_finds_the_problem_is_a_finding_offering_that_fix(
    tmp_path: Path, qapp: object
) -> None:
    fixes = FakeFixes([a_fix()])
    rig = Rig(tmp_path, fixes=fixes)
    rig.run_pass({})
    assert fixes.checks == ["clear-cache"]
    (finding,) = rig.nudges
    assert finding.id == "fix:clear-cache" and finding.rule.fix == "clear-cache"
    assert finding.rule.title.get("en") == "Clear the browser cache"
    assert [f.id for f in rig.service.findings] == ["fix:clear-cache"]
    assert fixes.runs == [], "not harmless: the employee chooses"

    rig.passes_until(rig.clock.now + CHECK_FIXES_EVERY_S - MIN, {})
    assert fixes.checks == ["clear-cache"], "not checked again so soon"
    fixes.outcome = Outcome.NOTHING_FOUND
    rig.run_pass({}, MIN)
    assert fixes.checks == ["clear-cache", "clear-cache"]
    assert rig.service.findings == [] and rig.service.book["fix:clear-cache"].cleared_at


def test_findings_whose_check_it_switched_off_or_removed_are_forgotten(
    tmp_path: Path, qapp: object
) -> None:
    fixes = FakeFixes([a_fix()])
    rig = Rig(tmp_path, fixes=fixes, mode="never")
    rig.run_pass(LOW_DISK)
    rig.run_pass(LOW_DISK)
    assert {"disk-low", "fix:clear-cache"} <= set(rig.service.book)

    rig.rules = tuple(rule for rule in BUILTIN_RULES if rule.id != "disk-low")  # IT: off
    fixes._fixes.clear()  # and the fix is no longer in the profile
    rig.run_pass(LOW_DISK)
    assert not {"disk-low", "fix:clear-cache"} & set(rig.service.book)
    assert rig.service.findings == [] and rig.service.standing() == []
    assert rig.desk.calls == [], "a ticket, had there been one, is IT's to close"


def test_a_failed_check_neither_finds_nor_clears(tmp_path: Path, qapp: object) -> None:
    fixes = FakeFixes([a_fix()])
    rig = Rig(tmp_path, fixes=fixes)
    rig.run_pass({})
    fixes.outcome = Outcome.TIMED_OUT
    rig.run_pass({}, CHECK_FIXES_EVERY_S)
    assert len(fixes.checks) == 2 and "fix:clear-cache" in rig.service.book


def test_a_harmless_fix_runs_without_asking_and_says_so_when_it_finished(
    tmp_path: Path, qapp: object
) -> None:
    fixes = FakeFixes([a_fix(harmless=True)])
    rig = Rig(tmp_path, fixes=fixes)
    rig.run_pass({})
    assert fixes.runs == [("clear-cache", {}, "health check")]
    assert rig.nudges == [] and rig.fixed == []

    fixes.finished.emit(fix_run("clear-cache", Outcome.SOLVED, started_by="you"))
    assert rig.fixed == [], "the employee's own run"
    solved = fix_run("clear-cache", Outcome.SOLVED)
    assert fixes.checks == ["clear-cache"]
    fixes.outcome = Outcome.NOTHING_FOUND  # the fix did its work
    fixes.finished.emit(solved)
    ((finding, run),) = rig.fixed
    assert finding.id == "fix:clear-cache" and run == solved
    assert fixes.checks == ["clear-cache", "clear-cache"], "checked again at once, not in 6 h"
    assert rig.service.findings == [], "the health view shows it gone"
    fixes.finished.emit(solved)
    assert len(rig.fixed) == 1


def test_a_harmless_fix_that_needs_the_employees_choice_is_offered_not_run(
    tmp_path: Path, qapp: object
) -> None:
    which = Parameter("browser", Text({"en": "Browser"}), "choice", ("firefox", "chromium"))
    fixes = FakeFixes([a_fix(harmless=True, parameters=(which,))])  # no default to run with
    rig = Rig(tmp_path, fixes=fixes)
    rig.run_pass({})
    assert fixes.runs == [] and rig.fixed == []
    (finding,) = rig.nudges
    assert finding.rule.fix == "clear-cache", "the nudge offers the fix; its dialog asks"

    chosen = dataclasses.replace(which, default="firefox")
    fixes = FakeFixes([a_fix(harmless=True, parameters=(chosen,))])
    rig = Rig(tmp_path / "with-a-default", fixes=fixes)
    rig.run_pass({})
    assert fixes.runs == [("clear-cache", {}, "health check")], "IT's default is enough"


# --- the desk out of reach -----------------------------------------------------------------------


def test_the_desk_out_of_reach_for_an_hour_is_a_finding_it_never_hears_of(rig: Rig) -> None:
    rig.away = 59 * MIN
    rig.run_pass({})
    rig.run_pass({})
    assert rig.nudges == []
    rig.away = 61 * MIN
    rig.run_pass({})
    assert rig.nudges == []
    rig.away = 76 * MIN
    rig.run_pass({})
    (finding,) = rig.nudges
    assert finding.id == "desk-unreachable" and finding.value == pytest.approx(76)

    for _ in range(10 * 24):
        rig.away += HOUR
        rig.run_pass({}, HOUR)
    assert rig.sent == [] and rig.filed == [], "escalate never: IT would not get it anyway"
    assert len(rig.nudges) == 11, "once a day"

    rig.away = None  # the desk answers again
    rig.run_pass({})
    assert rig.service.book["desk-unreachable"].cleared_at == rig.clock.now
    assert "desk-unreachable" not in [f.id for f in rig.service.findings]


# --- what the review of the change found ---------------------------------------------------------


def test_the_report_told_it_is_the_one_the_employee_was_shown(tmp_path: Path, qapp: object) -> None:
    rig = Rig(tmp_path, mode="ask")
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    (finding,) = rig.asks
    shown = rig.service.proactive_report(finding, asked=True)
    rig.run_pass({"disk.free_percent": 2.0})  # a pass while the box is open: other figures
    rig.service.tell_it("disk-low", shown)
    assert rig.sent == [shown]
    assert rig.service.book["disk-low"].report_key == shown.key


def test_a_report_the_outbox_could_not_keep_leaves_the_finding_to_be_filed_again(
    rig: Rig,
) -> None:
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    (report,) = rig.sent
    filed = rig.service.book["disk-low"]
    assert filed.told_it
    rig.service.report_not_stored(report, "disk full")
    unfiled = rig.service.book["disk-low"]
    assert not unfiled.told_it, "IT was never told"
    assert BookFile(rig.book_file.path).load()["disk-low"].report_key == ""
    rig.run_pass(LOW_DISK)
    assert len(rig.sent) == 2 and rig.sent[1].key != report.key, "filed again, once"


def test_the_book_says_filed_before_the_outbox_holds_the_report(tmp_path: Path) -> None:
    # Both are written on the store's runner, in order: a crash between them cannot file twice.
    order: list[str] = []

    class Store(BookFile):
        def save(self, book: dict[str, Track]) -> None:
            order.append("book" + (" filed" if any(t.report_key for t in book.values()) else ""))

    rig = Rig(tmp_path)
    rig.service._store = Store(tmp_path / "b.json")  # noqa: SLF001 - a recording store
    rig.service._send = lambda report: order.append("report")  # noqa: SLF001
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    assert order.index("book filed") < order.index("report")


def test_a_clock_that_jumped_back_weeks_breaks_nothing(rig: Rig) -> None:
    rig.run_pass(LOW_DISK)
    rig.clock.now -= 40 * DAY  # beyond what a timer can hold in milliseconds
    rig.run_pass(LOW_DISK, 0)
    rig.run_pass(LOW_DISK)
    assert not rig.service.busy and rig.timer.isActive()
    assert rig.service.book["disk-low"].passes == 3


class HeldRunner(SyncTaskRunner):
    """Runs each job when the test says, in the order it came (a thread pool that waits)."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[Callable[[], None]] = []

    def submit(self, fn: Any, *, owner: QObject, on_success: Any, on_error: Any) -> None:
        self.jobs.append(lambda: SyncTaskRunner.submit(
            self, fn, owner=owner, on_success=on_success, on_error=on_error))  # fmt: skip

    def run(self, index: int = 0) -> None:
        self.jobs.pop(index)()


def test_one_fix_check_helper_at_a_time_and_what_fell_due_meanwhile_after_it(
    tmp_path: Path, qapp: object
) -> None:
    fixes = FakeFixes([a_fix("one"), a_fix("two")], Outcome.NOTHING_FOUND)
    io = HeldRunner()
    rig = Rig(tmp_path, fixes=fixes, io=io)
    rig.clock.advance(INTERVAL_S)
    rig.service.check_now()
    io.run()  # the pass: both fixes are due, in one request
    assert len(io.jobs) == 1 and fixes.requests == []
    rig.clock.advance(CHECK_FIXES_EVERY_S)  # the helper takes long; another pass comes
    rig.service.check_now()
    io.run(1)
    assert len(io.jobs) == 1, "no second helper while one runs"
    io.run()
    assert [r["due"] for r in fixes.requests] == [["one", "two"]]
    assert len(io.jobs) == 1, "what fell due meanwhile: checked once this one is done"
    io.run()
    assert [r["due"] for r in fixes.requests] == [["one", "two"], ["one", "two"]]
    assert io.jobs == []


def test_the_fix_check_helper_is_asked_with_the_apps_words_and_stopped_on_quit(
    tmp_path: Path, qapp: object
) -> None:
    fixes = FakeFixes([a_fix()], Outcome.NOTHING_FOUND)
    rig = Rig(tmp_path, fixes=fixes)
    rig.run_pass({})
    (request,) = fixes.requests
    assert request == {"profile": "/kept", "record": "/record", "enabled": True,
                       "verified": True, "due": ["clear-cache"]}  # fmt: skip
    rig.service.stop()
    assert fixes.cancelled == 1


def test_a_fix_check_helper_that_fails_or_answers_nonsense_finds_and_clears_nothing(
    tmp_path: Path, qapp: object
) -> None:
    fixes = FakeFixes([a_fix()])
    rig = Rig(tmp_path, fixes=fixes)
    rig.run_pass({})
    assert "fix:clear-cache" in rig.service.book
    fixes.said = [
        RuntimeError("the fix check helper did not answer within 1860 s"),
        {"checks": "all fine"},
        {"checks": [7, {"id": 3, "outcome": "nothing_found"}, {"id": "clear-cache"}]},
        {"checks": [{"id": "clear-cache", "outcome": "timed_out"}]},
        {"checks": [{"id": "some-other", "outcome": "nothing_found"}]},
    ]
    while fixes.said:
        rig.run_pass({}, CHECK_FIXES_EVERY_S)
        assert "fix:clear-cache" in rig.service.book and rig.service.findings
    fixes.outcome = Outcome.NOTHING_FOUND
    rig.run_pass({}, CHECK_FIXES_EVERY_S)
    assert rig.service.findings == [], "a helper that answers again clears it"


def _raise_or(said: Any) -> dict[str, Any]:
    if isinstance(said, Exception):
        raise said
    return cast(dict[str, Any], said)


def test_the_outcomes_the_service_reads_are_the_fix_runs_own() -> None:
    assert (FIX_FOUND, FIX_NOTHING_FOUND) == (Outcome.FOUND.value, Outcome.NOTHING_FOUND.value)


def test_a_ticket_the_agent_finished_gets_no_more_figures_and_is_let_be(rig: Rig) -> None:
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    (report,) = rig.sent
    rig.service.report_delivered(
        OutboxItem(1, report.key, report.subject, report.description, OutboxState.SENT,
                   rig.clock.now, ticket=TicketRef("42"))
    )  # fmt: skip
    rig.stages["42"] = Stage.RESOLVED  # the agent resolved it; the disk is still full
    rig.passes_until(rig.clock.now + 3 * DAY, LOW_DISK)
    assert _writes(rig) == [], "no daily reply that would reopen it"
    rig.run_pass(FINE_DISK)  # it cleared: the employee confirms the agent's solution
    assert _writes(rig) == ["confirm_resolved"]


def test_a_closed_ticket_is_not_written_to_when_its_finding_clears(rig: Rig) -> None:
    rig.passes_until(rig.clock.now + 73 * HOUR, LOW_DISK)
    (report,) = rig.sent
    rig.service.report_delivered(
        OutboxItem(1, report.key, report.subject, report.description, OutboxState.SENT,
                   rig.clock.now, ticket=TicketRef("42"))
    )  # fmt: skip
    rig.stages["42"] = Stage.CLOSED
    rig.run_pass(FINE_DISK)
    assert _writes(rig) == [] and "disk-low" not in rig.service.book


def _writes(rig: Rig) -> list[str]:
    """What the health service wrote to the desk (lookups aside)."""
    return [name for name, _ in rig.desk.calls if name in ("reply", "confirm_resolved")]
