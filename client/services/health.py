"""The health of this computer on a gentle schedule: passes, nudges, fixes and telling IT.

Every ``interval_s`` (15 minutes by default; the first a few minutes after
start) a pass runs on a worker: the health helper process measures and
answers (``client/adapters/health_helper.py``: psutil and the history never
enter the tray), the rules are evaluated here, and the book of findings
(``client/core/nudges.py``) says what is due. The profile fixes' detection
scripts run on their own schedule (:data:`CHECK_FIXES_EVERY_S`), each within
its own time limit, through the fix runner.

What is due becomes signals for the windows (a quiet nudge, "may IT know?"),
a proactive report through the outbox (exactly once, offline too), an
update of the finding's one ticket, or that ticket closed (or told) when the
finding clears. docs/health.md describes the whole.
"""

from __future__ import annotations

import logging
import math
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from client.core.models import Stage
from client.services.tasks import TaskRunner

if TYPE_CHECKING:
    from client.core.fixes import Fix, FixRun
    from client.core.health import Check, Finding, Pass, Rule
    from client.core.models import Report
    from client.core.nudges import Mode, Step, Track
    from client.core.outbox import OutboxItem
    from client.core.ports import DeskPort
    from client.core.reading import Text
    from client.services.fixes import FixService
    from client.services.profile import ProfileService

logger = logging.getLogger(__name__)

#: A finding's ticket in these stages is the agent's to keep: nothing more is written to it.
_FINISHED = frozenset({Stage.CLOSED, Stage.CANCELLED})
#: The first pass after start (ms): not while the desktop is still starting.
FIRST_PASS_MS = 3 * 60 * 1000
#: How often a fix's detection script runs as a check (seconds).
CHECK_FIXES_EVERY_S = 6 * 3600
#: A fix check's outcomes that count (``client.core.fixes.Outcome`` values; that module stays
#: out of the idle tray, and a test holds them equal).
FIX_FOUND, FIX_NOTHING_FOUND = "found", "nothing_found"


class Probe(Protocol):
    """One health pass (``client.adapters.health_book.HelperProbe``)."""

    def measure(self, request: dict[str, Any]) -> dict[str, Any]: ...  # noqa: D102
    def cancel(self) -> None: ...  # noqa: D102


class FixChecks(Protocol):
    """Checks fixes by their detection (``client.adapters.fix_checks.FixChecksHelper``)."""

    def check(self, request: dict[str, Any]) -> dict[str, Any]: ...  # noqa: D102
    def cancel(self) -> None: ...  # noqa: D102


class BookStore(Protocol):
    """Where the book of findings is kept (``client.adapters.health_book.BookFile``)."""

    def load(self) -> dict[str, Track]: ...  # noqa: D102
    def save(self, book: dict[str, Track]) -> None: ...  # noqa: D102


@dataclass(frozen=True)
class HealthOptions:
    """How the service runs (from the settings)."""

    mode: str = "ask"
    interval_s: float = 15 * 60
    first_pass_ms: int = FIRST_PASS_MS
    quiet_hours: tuple[int, int] | None = None
    quiet_after_s: float = 60.0
    #: Where the history is kept (the helper's ``health.sqlite3``).
    history: str = ""
    language: str = "en"
    version: str = ""


class HealthService(QObject):
    """Runs passes and fix checks, keeps the book, and says what is due.

    Signals:
        changed(): a pass, a check or the employee changed what the health view shows.
        nudge(Finding): a quiet notification is due (its fix or a report offered).
        ask(Finding): may IT hear of this persistent finding? (policy ``ask``)
        filed(Finding): a proactive report was saved for IT (policy ``auto``), tell the employee.
        fixed(Finding, FixRun): IT's harmless fix ran for it without asking again.
        fixes_checked(): fix checks ran, and are in the record of what ran.
    """

    changed = Signal()
    nudge = Signal(object)
    ask = Signal(object)
    filed = Signal(object)
    fixed = Signal(object, object)
    fixes_checked = Signal()

    def __init__(
        self,
        io: TaskRunner,
        probe: Callable[[], Probe],
        book: BookStore,
        rules: Callable[[], Sequence[Rule]],
        send: Callable[[Report], None],
        desk: Callable[[], DeskPort | None],
        *,
        options: HealthOptions,
        fixes: Callable[[], FixService | None] = lambda: None,
        profile_fixes: Callable[[], Mapping[str, Text | None]] = dict,
        fix_checks: Callable[[], FixChecks] | None = None,
        fix_request: Callable[[], dict[str, Any]] = dict,
        desk_host: Callable[[], str] = lambda: "",
        desk_out_of_reach_s: Callable[[], float | None] = lambda: None,
        tray_start_s: Callable[[], float | None] = lambda: None,
        prepare: Callable[[], None] = lambda: None,
        published_rules: Callable[[], object] = lambda: None,
        store_runner: TaskRunner | None = None,
        ticket_stage: Callable[[str], Stage | None] = lambda ticket: None,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._io = io
        self._make_probe = probe
        self._probe: Probe | None = None
        self._store = book
        self._rules = rules
        self._send = send
        self._desk = desk
        self._options = options
        self._fixes = fixes
        self._profile_fixes = profile_fixes  # id → title: what the fix checks ask about
        self._make_fix_checks = fix_checks
        self._fix_checker: FixChecks | None = None
        self._fix_request = fix_request  # the profile's folder, the policy, the record
        self._desk_host = desk_host
        self._desk_out_of_reach_s = desk_out_of_reach_s
        self._tray_start_s = tray_start_s
        self._prepare = prepare
        self._published_rules = published_rules  # IT's, as the profile has them: the helper's
        self._ticket_stage = ticket_stage  # where a finding's ticket is, as the poller saw it
        # The outbox's runner in the app (serial): a report and the book that says it was
        # filed are written in order.
        self._store_runner = store_runner or io
        self._clock = clock
        self._book: dict[str, Track] | None = None
        self._last: Pass | None = None
        self._answer: dict[str, Any] | None = None  # the helper's, as it came
        self._checked_at: float | None = None
        self._findings: list[Finding] = []
        self._fix_findings: dict[str, Finding] = {}
        self._checked_fixes: dict[str, float] = {}
        self._fix_checking = False  # a fix check helper runs now
        self._busy = False
        self._writing: set[str] = set()
        self._started_at = clock()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_now)
        # What was held back right after start or wake is looked at again once that is over.
        self._calm_over = QTimer(self)
        self._calm_over.setSingleShot(True)
        self._calm_over.timeout.connect(lambda: self._act(self._clock()))

    # --- what the health view shows ---------------------------------------------------------

    @property
    def last_pass(self) -> Pass | None:
        """The last pass's facts (``None`` before the first)."""
        if self._last is None and self._answer is not None:
            from client.core.health import read_pass  # a pass that found nothing: read now

            self._last = read_pass(self._answer)
        return self._last

    @property
    def checked_at(self) -> float | None:
        """When the last pass answered (``None`` before the first)."""
        return self._checked_at

    @property
    def findings(self) -> list[Finding]:
        """What the last pass and the fix checks found."""
        return [*self._findings, *self._fix_findings.values()]

    @property
    def book(self) -> Mapping[str, Track]:
        """Each finding's life: nudged, snoozed, its ticket."""
        return dict(self._book or {})

    @property
    def busy(self) -> bool:
        """Whether a pass is running now."""
        return self._busy

    def standing(self) -> list[tuple[Finding, Track]]:
        """The findings that count, with their life: seen in enough passes, or IT told.

        A finding seen once is a moment's blip until the next pass says otherwise.
        """
        book = self._book or {}
        return [
            (finding, track)
            for finding in self.findings
            if (track := book.get(finding.id)) is not None
            and (track.passes >= finding.rule.persist_passes or track.told_it)
        ]

    def checks(self) -> list[Check]:
        """What is checked, with the last pass's values."""
        from client.core.health import checked

        return checked(self._rules(), self.last_pass)

    # --- the schedule ---------------------------------------------------------------------------

    def start(self) -> None:
        """The first pass a while after start, then one every interval."""
        self._started_at = self._clock()
        self._timer.start(self._options.first_pass_ms)

    def stop(self) -> None:
        """No more passes (the app is quitting); a running one is stopped."""
        self._timer.stop()
        self._calm_over.stop()
        if self._probe is not None:
            self._probe.cancel()
        if self._fix_checker is not None:
            self._fix_checker.cancel()

    def resumed(self) -> None:
        """The computer woke: nothing pops up for a while, and a pass comes soon."""
        self._started_at = self._clock()
        if not self._busy:
            self._timer.start(self._options.first_pass_ms)

    def check_now(self) -> None:
        """Run a pass now (the schedule, or "Check now" in the health view)."""
        if self._busy:
            return
        self._busy = True
        self._timer.stop()
        self._prepare()  # IT's rules and fixes are read before the pass is weighed
        self.changed.emit()
        if self._probe is None:
            self._probe = self._make_probe()
        probe, store = self._probe, self._store
        book = self._book
        # The book's module loads with the first finding (the idle tray's memory budget).
        desk = self._desk() if book or book is None else None  # the book may have some
        request = {  # the local day: the helper's own clock and zone
            "history": self._options.history,
            "desk_host": self._desk_host(),
            "network": True,
            "tray_start_s": self._tray_start_s(),
            "facts": self._known_facts(),
            "rules": self._published_rules(),
        }

        def work() -> tuple[dict[str, Any], dict[str, Track] | None, dict[str, str]]:  # worker
            loaded = store.load() if book is None else None
            tickets = _tickets_of(desk, _waiting(loaded or book))
            return probe.measure(request), loaded, tickets

        self._io.submit(work, owner=self, on_success=self._on_measured, on_error=self._on_failed)

    def _known_facts(self) -> dict[str, float]:
        """What the tray knows that the helper cannot measure: how long the desk is out of reach."""
        away = self._desk_out_of_reach_s()
        if away is None and self._desk() is not None:
            away = 0.0  # in reach: a finding that it was not clears
        if away is None or not math.isfinite(away):
            return {}
        return {"desk.unreachable_minutes": max(away, 0.0) / 60}

    def check_everything(self) -> None:
        """The health view's "Check now": a pass, and every fix's check, whenever they ran."""
        self._checked_fixes.clear()
        self.check_now()

    def _on_failed(self, error: Exception) -> None:
        self._busy = False
        logger.warning("health pass failed: %s", error)
        self._arm()
        self.changed.emit()

    def _arm(self) -> None:
        self._timer.start(int(min(self._options.interval_s, 24 * 3600.0) * 1000))

    # --- a pass's answer ------------------------------------------------------------------------

    def _on_measured(
        self, result: tuple[dict[str, Any], dict[str, Track] | None, dict[str, str]]
    ) -> None:
        answer, loaded, tickets = result
        self._busy = False
        self._arm()
        if loaded is not None and self._book is None:
            self._book = loaded
        self._checked_at = now = self._clock()
        if answer.get("found") == [] and not self._book and not self._fix_findings:
            # Nothing found, nothing on the book: the helper's evaluation is the whole of
            # it, and the rules and the book stay unloaded until they are needed.
            self._answer, self._last, self._findings = answer, None, []
            if answer.get("history") != "ok":
                logger.warning("health history: %s", answer.get("history"))
            logger.info("health pass: nothing found")
            self.changed.emit()
            self._check_fixes(now)
            return
        from client.core import nudges
        from client.core.health import FIX_PREFIX, SLOWER, evaluate, read_pass, retired

        book = dict(self._book or {})
        for key, ticket in tickets.items():
            book = nudges.delivered(book, key, ticket)
        rules = list(self._rules())
        for gone in retired(book, rules, set(self._profile_fixes())):
            # IT switched the check off: the tray stops watching it; a ticket is IT's to close.
            logger.info("health finding %s: no longer checked by IT's profile, forgotten", gone)
            book = nudges.forget(book, gone)
            self._fix_findings.pop(gone.removeprefix(FIX_PREFIX), None)
        found = read_pass(answer)
        if found.history:
            logger.warning("health history: %s", found.history)
        for line in found.skipped:
            logger.info("health check skipped: %s", line)
        self._answer, self._last = answer, found
        self._findings = evaluate(found, rules)
        measured = {rule.id for rule in rules if rule.metric in found.facts}
        if not found.history:
            measured.add(SLOWER)  # the trend was computed: no finding means none
        self._book = nudges.observe(book, self._findings, measured, now)
        logger.info(
            "health pass: %d finding(s)%s", len(self._findings),
            "".join(f", {f.id}" for f in self._findings),
        )  # fmt: skip
        self._act(now)
        self._check_fixes(now)

    def _act(self, now: float) -> None:
        """Carry out what is due, keep the book, and tell the view."""
        from client.core import nudges

        book = dict(self._book or {})
        self._started_at = min(self._started_at, now)  # the clock jumped back
        calm = nudges.Calm(
            self._options.quiet_hours,
            _minute_of_day(now),
            now - self._started_at,
            self._options.quiet_after_s,
        )
        for step in nudges.due(book, self.findings, now, calm, self._mode()):
            book = self._do(step, book, now)
        wait = min(calm.quiet_after_s - calm.since_start_s, 24 * 3600.0)
        if wait > 0 and self.findings:
            self._calm_over.start(int(wait * 1000) + 1)
        self._book = book
        self._save()
        self.changed.emit()

    def _mode(self) -> Mode:
        from client.core.nudges import Mode

        return Mode(self._options.mode)

    def _do(self, step: Step, book: dict[str, Track], now: float) -> dict[str, Track]:
        from client.core import nudges
        from client.core.nudges import StepKind

        track, finding = step.track, step.finding
        if step.kind is StepKind.CLEAR or step.kind is StepKind.UPDATE:
            stage = self._ticket_stage(track.ticket)
            if stage in _FINISHED or (stage is Stage.RESOLVED and step.kind is StepKind.UPDATE):
                # The agent finished it: no daily figures that would reopen it (Request
                # Tracker reopens a resolved ticket on a reply); once it clears, let it be.
                return nudges.forget(book, track.id) if step.kind is StepKind.CLEAR else book
            # The write's answer may come back before submit returns (it changes the book):
            # the book it changes is this one, and what it made of it goes on.
            self._book = book
            self._write(track, None if step.kind is StepKind.CLEAR else finding, now)
            return dict(self._book)
        assert finding is not None
        if step.kind is StepKind.FILE:
            return self._file(book, finding, asked=False, now=now)
        if step.kind is StepKind.ASK:
            logger.info("health finding %s: the employee is asked to tell IT", finding.id)
            self.ask.emit(finding)  # a nudge too: the next waits a period
            return nudges.nudged(nudges.asked(book, track.id, now), track.id, now)
        if self._run_harmless(finding):
            return nudges.nudged(book, track.id, now)
        logger.info("health finding %s: nudged", finding.id)
        self.nudge.emit(finding)
        return nudges.nudged(book, track.id, now)

    # --- telling IT -----------------------------------------------------------------------------

    def tell_it(self, finding_id: str, report: Report | None = None) -> None:
        """The employee approved the proactive report (policy ``ask``): it is filed now.

        ``report``: the one they were shown (:meth:`proactive_report`), sent as it was.
        """
        finding = next((f for f in self.findings if f.id == finding_id), None)
        book = dict(self._book or {})
        track = book.get(finding_id)
        if finding is None or track is None or track.told_it:
            return
        self._book = self._file(book, finding, asked=True, now=self._clock(), report=report)
        self._save()
        self.changed.emit()

    def proactive_report(self, finding: Finding, *, asked: bool) -> Report:
        """The report a finding makes: its fixed, small payload (shown before it is sent)."""
        from client.core.health_report import payload, report_text
        from client.core.models import Report

        track = (self._book or {}).get(finding.id)
        since = track.first_seen if track is not None else self._clock()
        found = self.last_pass or _empty_pass()
        system = f"{platform.system()} {platform.release()}".strip()
        subject, text = report_text(
            finding, since, found, system, self._options.language, asked=asked
        )
        attachment = payload(finding, since, found, system, self._options.version)
        return Report(subject, text, attachments=(attachment,))

    def _file(
        self,
        book: dict[str, Track],
        finding: Finding,
        *,
        asked: bool,
        now: float,
        report: Report | None = None,
    ) -> dict[str, Track]:
        from client.core import nudges

        report = report or self.proactive_report(finding, asked=asked)
        # The book says "filed" before the outbox holds the report: both are written on the
        # one serial worker, in this order, so a crash between them never files it twice.
        book = nudges.filed(book, finding.id, report.key, now)
        self._book = book
        self._save()
        self._send(report)
        logger.info("health finding %s: proactive report %s saved", finding.id, report.key)
        if not asked:
            self.filed.emit(finding)
        return book

    def report_not_stored(self, report: Report, _error: object) -> None:
        """The outbox could not keep a finding's report: IT was not told, it may be filed again."""
        from client.core import nudges

        if self._book is None:
            return
        book = nudges.unfiled(self._book, report.key)
        if book != self._book:
            logger.warning("health: report %s was not saved; its finding may be filed again",
                           report.key)  # fmt: skip
            self._change(book)

    def report_delivered(self, item: OutboxItem) -> None:
        """A report reached the desk: if it was a finding's, that finding has its ticket now."""
        from client.core import nudges

        if self._book is None or not item.ticket:
            return
        book = nudges.delivered(self._book, item.key, item.ticket.id)
        if book != self._book:
            finding = next(t.id for t in book.values() if t.report_key == item.key)
            logger.info("health finding %s: ticket %s", finding, item.ticket.id)
            self._book = book
            self._save()
            self.changed.emit()

    def _write(self, track: Track, finding: Finding | None, now: float) -> None:
        """Give the finding's ticket its new figures, or close it (tell it) when it cleared."""
        from client.core.health_report import cleared_text, update_text
        from client.core.models import TicketRef

        desk = self._desk()
        if desk is None or track.id in self._writing:
            return
        ref, language = TicketRef(track.ticket), self._options.language
        self._writing.add(track.id)
        if finding is None:
            text = cleared_text(now, language, closing=True)

            def work() -> None:
                desk.confirm_resolved(ref, text)
        else:
            text = update_text(finding, now, language)

            def work() -> None:
                desk.reply(ref, text)

        self._io.submit(
            work,
            owner=self,
            on_success=lambda _none: self._written(track.id, finding is None),
            on_error=lambda error: self._not_written(track.id, error),
        )

    def _written(self, track_id: str, cleared: bool) -> None:
        from client.core import nudges

        self._writing.discard(track_id)
        book = self._book or {}
        if cleared:
            logger.info("health finding %s cleared: its ticket was told", track_id)
            self._book = nudges.forget(book, track_id)
        else:
            self._book = nudges.updated(book, track_id, self._clock())
        self._save()
        self.changed.emit()

    def _not_written(self, track_id: str, error: Exception) -> None:
        self._writing.discard(track_id)
        logger.warning("health finding %s: its ticket was not updated: %s", track_id, error)

    # --- the employee's answers -----------------------------------------------------------------

    def snooze(self, finding_id: str, seconds: float) -> None:
        """Remind me later."""
        from client.core import nudges

        self._change(nudges.snoozed(self._book or {}, finding_id, self._clock(), seconds))

    def dismiss(self, finding_id: str) -> None:
        """Don't remind me (until it clears and comes back)."""
        from client.core import nudges

        self._change(nudges.dismissed(self._book or {}, finding_id))

    def decline(self, finding_id: str) -> None:
        """IT need not hear of it (policy ``ask``)."""
        from client.core import nudges

        self._change(nudges.declined(self._book or {}, finding_id))

    def _change(self, book: dict[str, Track]) -> None:
        self._book = book
        self._save()
        self.changed.emit()

    def _save(self) -> None:
        """Keep the book, on the store's runner: one write at a time, in the order asked."""
        store, book = self._store, dict(self._book or {})
        self._store_runner.submit(
            lambda: store.save(book),
            owner=self,
            on_success=lambda _none: None,
            on_error=lambda error: logger.warning("health book not saved: %s", error),
        )

    # --- IT's fixes: their detection as checks, and harmless ones run for a finding -------------

    def _check_fixes(self, now: float) -> None:
        """Check the fixes whose check is due, in one helper process (one at a time)."""
        titles = self._profile_fixes() if self._make_fix_checks is not None else {}
        due = [
            fix_id for fix_id in titles
            if not 0 <= now - self._checked_fixes.get(fix_id, -math.inf) < CHECK_FIXES_EVERY_S
        ]  # fmt: skip
        if not due or self._fix_checking or self._make_fix_checks is None:
            return
        logger.info("health: checking %d fix(es) with their detection", len(due))
        for fix_id in due:
            self._checked_fixes[fix_id] = now
        if self._fix_checker is None:
            self._fix_checker = self._make_fix_checks()
        checker, request = self._fix_checker, {**self._fix_request(), "due": due}
        self._fix_checking = True
        self._io.submit(
            lambda: checker.check(request),
            owner=self,
            on_success=lambda answer: self._on_fixes_checked(titles, answer),
            on_error=self._fixes_not_checked,
        )

    def _on_fixes_checked(self, titles: Mapping[str, Text | None], answer: dict[str, Any]) -> None:
        self._fix_checking = False
        checks = answer.get("checks")
        for entry in checks if isinstance(checks, list) else ():
            fix_id = entry.get("id") if isinstance(entry, dict) else None
            outcome = entry.get("outcome") if isinstance(entry, dict) else None
            if isinstance(fix_id, str) and fix_id in titles and isinstance(outcome, str):
                self._on_fix_checked(fix_id, titles[fix_id], outcome)
            elif isinstance(fix_id, str) and isinstance(entry, dict) and "not_run" in entry:
                logger.info("health check %s not run: %s", fix_id, entry.get("not_run"))
        self.fixes_checked.emit()
        self._check_fixes(self._clock())  # a harmless fix ran meanwhile: its check again

    def _fixes_not_checked(self, error: Exception) -> None:
        self._fix_checking = False  # each is checked again in six hours, as after any check
        logger.warning("health: the fixes' checks failed: %s", error)

    def _on_fix_checked(self, fix_id: str, title: Text | None, outcome: str) -> None:
        if outcome not in (FIX_FOUND, FIX_NOTHING_FOUND):
            return  # not run here, or it failed: neither found nor cleared
        if outcome == FIX_NOTHING_FOUND and not self._fix_findings and not self._book:
            return  # nothing to clear: the rules and the book stay unloaded
        from client.core import nudges
        from client.core.health import FIX_PREFIX, Finding, fix_rule

        finding_id = FIX_PREFIX + fix_id
        if outcome == FIX_FOUND:
            finding = Finding(finding_id, fix_rule(fix_id, title), 1.0, detail=fix_id)
            self._fix_findings[fix_id] = finding
            seen = [finding]
        else:
            self._fix_findings.pop(fix_id, None)
            seen = []
        now = self._clock()
        self._book = nudges.observe(self._book or {}, seen, {finding_id}, now)
        self._act(now)

    def _run_harmless(self, finding: Finding) -> bool:
        """Run the finding's fix without asking again, when IT marked it harmless."""
        fix_id = finding.rule.fix
        service = self._fixes() if fix_id else None
        fix = service.fix(fix_id) if service is not None else None
        if service is None or fix is None or not fix.harmless or service.refusal(fix):
            return False
        if service.running or not _runs_as_given(fix):
            return False  # the employee is nudged, and chooses in the fix's dialog

        def ran(run: FixRun) -> None:
            if run.fix_id == fix_id and run.started_by == "health check":
                service.finished.disconnect(ran)
                self.fixed.emit(finding, run)
                # Its check again now, not in six hours: the health view shows it gone.
                self._checked_fixes.pop(fix_id, None)
                self._check_fixes(self._clock())

        service.finished.connect(ran)
        service.run(fix_id, {}, started_by="health check")
        return True


def rules_of(profile: ProfileService | None) -> tuple[Rule, ...]:
    """The rules in force: the built-in ones with the verified profile's changes."""
    from client.core.health import rules_in_force

    return rules_in_force(profile.health_rules() if profile is not None else ())


def fixes_of(profile: ProfileService | None) -> dict[str, Text | None]:
    """The verified profile's fixes by id, with their titles (their detections are checks)."""
    return profile.fix_titles() if profile is not None else {}


def _waiting(book: Mapping[str, Track] | None) -> list[str]:
    """The report keys of filed findings whose tickets the book does not know yet."""
    if not book:
        return []
    from client.core.nudges import waiting_for_ticket

    return [track.report_key for track in waiting_for_ticket(book)]


def _tickets_of(desk: DeskPort | None, keys: Sequence[str]) -> dict[str, str]:
    """The tickets the desk made of reports whose delivery this tray did not see (worker)."""
    found: dict[str, str] = {}
    if desk is None:
        return found
    for key in keys:
        try:
            ref = desk.find_by_report_key(key)
        except Exception as error:  # noqa: BLE001 - the desk's trouble: asked again next pass
            logger.info("health: report %s not looked up: %s", key, error)
            continue
        if ref is not None:
            found[key] = ref.id
    return found


def _runs_as_given(fix: Fix) -> bool:
    """Whether the fix can run with IT's arguments and its parameters' defaults alone."""
    from client.core.fixes import BadValue, arguments_for

    try:
        arguments_for(fix, {})
    except BadValue:
        return False
    return True


def _minute_of_day(now: float) -> int:
    local = time.localtime(now)
    return local.tm_hour * 60 + local.tm_min


def _empty_pass() -> Pass:
    from client.core.health import Pass

    return Pass({})
