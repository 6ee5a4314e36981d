"""The fix service: whether a fix may run now, running it, cancelling it, and the record."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

from client.adapters.fix_runner import FixRunner
from client.adapters.record_store import SqliteRecord
from client.core.fixes import DETECT, FIX, FixRun, Outcome
from client.core.models import UpdateOutcome
from client.core.profile import FORMAT
from client.core.record import SentReport
from client.services.fixes import FixContext, FixService
from client.services.profile import ProfileService
from client.services.tasks import SyncTaskRunner, TaskRunner
from tests.services.test_profile_service import Kept, Source
from tests.support.fix_user import FixUser

DAY = 86400.0
DETECT_SH = b'test -e "$HOME/problem" && exit 1\nexit 0\n'
FIX_SH = b'echo "$1"\nrm -f "$HOME/problem"\n'


def pinned(target: str, data: bytes) -> dict[str, Any]:
    return {"file": target, "sha256": hashlib.sha256(data).hexdigest(), "length": len(data)}


def document(fix_sh: bytes = FIX_SH, **changes: Any) -> dict[str, Any]:
    fix = {
        "id": "clean",
        "title": {"en": "Clean up", "nl": "Opruimen"},
        "changes": "Removes a file.",
        "timeout": 60,
        "parameters": [{"name": "mode", "type": "choice", "label": "Mode",
                        "allowed": ["quick", "full"], "default": "quick"}],
        "scripts": {"linux": {"interpreter": "sh", "detect": pinned("f/d.sh", DETECT_SH),
                              "fix": pinned("f/f.sh", fix_sh)}},
        **changes,
    }  # fmt: skip
    return {"format": FORMAT, "version": 1, "fixes": [fix]}


class Spy:
    """A runner that says what it was asked, and runs nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def run(self, fix: Any, variant: Any, read: Any, arguments: Any, *, started_by: str,
            on_step: Any) -> FixRun:  # fmt: skip
        self.calls.append((fix.id, list(arguments)))
        on_step(DETECT)
        return FixRun(fix.id, fix.version, "linux", "", "", started_by, 1.0, Outcome.NOTHING_FOUND)

    def prepare(self) -> None:
        pass

    def cancel(self) -> None:
        pass


class Built:
    def __init__(self, service: FixService, source: Source, now: list[float], path: Path) -> None:
        self.service, self.source, self.now, self.path = service, source, now, path

    def record(self) -> list[Any]:
        return SqliteRecord(self.path).entries()


def build(
    tmp_path: Path,
    runner: Any,
    *,
    context: FixContext | None = None,
    doc: dict[str, Any] | None = None,
    files: dict[str, bytes] | None = None,
    io: TaskRunner | None = None,
) -> Built:
    now = [1_000_000.0]
    source = Source()
    source.kept_copy = Kept(
        doc or document(), now[0], files=files if files is not None else
        {"f/d.sh": DETECT_SH, "f/f.sh": FIX_SH},
    )  # fmt: skip
    profile = ProfileService(SyncTaskRunner(), source, clock=lambda: now[0], max_age_s=7 * DAY)
    profile.start()
    profile.want()
    path = tmp_path / "record.sqlite3"
    service = FixService(
        io or SyncTaskRunner(), SyncTaskRunner(), profile,
        lambda: context or FixContext(True, "linux", False, True),
        lambda: runner, lambda: SqliteRecord(path), clock=lambda: now[0],
    )  # fmt: skip
    return Built(service, source, now, path)


def finished_run(qtbot: QtBot, built: Built, values: dict[str, str] | None = None) -> FixRun:
    with qtbot.waitSignal(built.service.finished, timeout=60_000) as done:
        built.service.run("clean", values or {})
    run = done.args[0]
    assert isinstance(run, FixRun)
    return run


def test_a_fix_that_may_run_is_run_with_its_values_and_recorded(
    qtbot: QtBot, tmp_path: Path
) -> None:
    spy = Spy()
    built = build(tmp_path, spy)
    steps: list[str] = []
    built.service.step.connect(steps.append)

    run = finished_run(qtbot, built, {"mode": "full"})

    assert spy.calls == [("clean", ["full"])]
    assert steps == [DETECT]
    assert run.outcome is Outcome.NOTHING_FOUND
    assert built.record() == [run]
    assert built.service.running == ""


@pytest.mark.parametrize(
    ("context", "reason"),
    [
        (FixContext(False, "linux", False, True), "policy_off"),
        (FixContext(True, "windows", False, True), "platform"),
        (FixContext(True, "linux", True, True), "elevated"),
        (FixContext(True, "linux", False, False), "unsupported"),
    ],
)
def test_a_fix_that_may_not_run_here_is_refused_and_recorded(
    qtbot: QtBot, tmp_path: Path, context: FixContext, reason: str
) -> None:
    spy = Spy()
    built = build(tmp_path, spy, context=context)

    run = finished_run(qtbot, built)

    assert (run.outcome, run.reason) == (Outcome.NOT_ALLOWED, reason)
    assert spy.calls == []
    assert built.record() == [run]


def test_an_expired_profile_runs_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    spy = Spy()
    built = build(tmp_path, spy)
    built.now[0] += 8 * DAY  # past the policy's maximum age

    run = finished_run(qtbot, built)

    assert (run.outcome, run.reason) == (Outcome.NOT_ALLOWED, "unverified")
    assert spy.calls == []


@pytest.mark.parametrize(
    ("refusal", "runs"),
    [("tampered", False), ("expired", False), ("rollback", False), ("unreachable", True)],
)
def test_after_a_refused_update_only_an_unreachable_server_still_lets_fixes_run(
    qtbot: QtBot, tmp_path: Path, refusal: str, runs: bool
) -> None:
    spy = Spy()
    built = build(tmp_path, spy)
    built.source.next = [UpdateOutcome(refusal=refusal, role="timestamp")]
    built.service._profile.update_now()  # type: ignore[union-attr]

    run = finished_run(qtbot, built)

    assert bool(spy.calls) is runs
    assert (run.reason == "unverified") is not runs


def test_a_fix_that_needs_an_administrator_is_never_run(qtbot: QtBot, tmp_path: Path) -> None:
    spy = Spy()
    built = build(tmp_path, spy, doc=document(run_as="administrator"))

    run = finished_run(qtbot, built)

    assert (run.outcome, run.reason) == (Outcome.NOT_ALLOWED, "needs_admin")
    assert spy.calls == []


@pytest.mark.parametrize("value", ["; rm -rf ~", "$(id)", "full\nquick", "-rf", ""])
def test_a_value_the_fix_does_not_allow_is_refused(
    qtbot: QtBot, tmp_path: Path, value: str
) -> None:
    spy = Spy()
    built = build(tmp_path, spy)

    run = finished_run(qtbot, built, {"mode": value})

    assert (run.outcome, run.reason) == (Outcome.NOT_ALLOWED, "bad_value")
    assert spy.calls == []


def test_a_kept_script_changed_after_verification_is_refused_by_the_real_runner(
    qtbot: QtBot, tmp_path: Path, fix_user: FixUser
) -> None:
    built = build(
        tmp_path,
        FixRunner(fix_user.command),
        files={"f/d.sh": DETECT_SH, "f/f.sh": b'touch "$HOME/pwned"\n'},
    )

    run = finished_run(qtbot, built)

    assert (run.outcome, run.reason) == (Outcome.NOT_ALLOWED, "tampered")
    assert not (fix_user.home / "pwned").exists()
    assert built.record() == [run]


def test_cancel_ends_a_running_fix_on_a_worker_thread(
    qtbot: QtBot, tmp_path: Path, fix_user: FixUser
) -> None:
    hang = b"sleep 300\n"
    (fix_user.home / "problem").write_text("x")
    pool = QThreadPool()
    built = build(
        tmp_path, FixRunner(fix_user.command), doc=document(fix_sh=hang),
        files={"f/d.sh": DETECT_SH, "f/f.sh": hang}, io=TaskRunner(pool),
    )  # fmt: skip
    fixing = threading.Event()
    built.service.step.connect(lambda step: fixing.set() if step == FIX else None)

    with qtbot.waitSignal(built.service.finished, timeout=60_000) as done:
        built.service.run("clean", {})
        assert built.service.running == "clean"
        qtbot.waitUntil(fixing.is_set, timeout=30_000)
        built.service.cancel()

    assert done.args[0].outcome is Outcome.CANCELLED
    assert fix_user.processes() == []
    pool.waitForDone()
    # The worker's last events handled here, while the service still exists: left for the
    # test's teardown, they met it half destroyed (a heap corruption under PySide6).
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def test_sent_reports_are_kept_and_the_record_can_be_exported(qtbot: QtBot, tmp_path: Path) -> None:
    built = build(tmp_path, Spy())
    report = SentReport(5.0, "#12", "Printer", (("description", 10), ("screen.jpg", 2048)))
    with qtbot.waitSignal(built.service.record_changed):
        built.service.keep(report)
    shown: list[list[Any]] = []
    built.service.entries(shown.append, built.service)
    assert shown == [[report]]
    counted: list[int] = []
    built.service.export(tmp_path / "out.json", counted.append, built.service)
    assert counted == [1] and (tmp_path / "out.json").exists()


def test_a_record_that_cannot_be_written_is_said(qtbot: QtBot, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    built = build(tmp_path, Spy())
    built.service._make_record = lambda: SqliteRecord(blocker / "record.sqlite3")
    with qtbot.waitSignal(built.service.record_problem) as problem:
        built.service.keep(SentReport(1.0, "", "x"))
    assert problem.args[0].code == "store_failed"


def test_a_damaged_record_is_said_once_and_kept_in_use(qtbot: QtBot, tmp_path: Path) -> None:
    built = build(tmp_path, Spy())
    built.path.write_bytes(b"not a database" * 50)
    with qtbot.waitSignal(built.service.record_problem) as problem:
        built.service.keep(SentReport(1.0, "", "x"))
    assert problem.args[0].code == "record_recovered"
    assert built.record() == [SentReport(1.0, "", "x")]
