"""Gathering what goes along with a report, off the GUI thread, within its time limits."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from client.core.diagnostics import ProbeTarget, desk_unknown
from client.core.errors import ValidationError
from client.core.models import Attachment
from client.services.evidence import EvidenceService
from client.services.tasks import SyncTaskRunner, TaskRunner


class SlowDesk:
    """A diagnostics source whose desk check hangs (a name lookup that never returns)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.samples = 0

    def sample(self) -> object:
        self.samples += 1
        return "sample"

    def local(self, since: object | None = None) -> dict[str, Any]:
        assert since == "sample", "the CPU window starts at the click"
        return {"network": {"interfaces": [], "proxy": None}, "notes": []}

    def probe_target(self) -> ProbeTarget:
        return ProbeTarget("desk.example.org", 443, False)

    def probe_desk(self, target: ProbeTarget) -> dict[str, Any]:
        self.release.wait(30)
        return desk_unknown(target.host, target.port, target.via_proxy, "late")


class Encoder:
    def encode(self, width: int, height: int, stride: int, rgb: bytes, stem: str) -> Attachment:
        return Attachment(f"{stem}.raw", "application/octet-stream", f"{width}x{height}".encode())


def _reader(path: str, budget: int) -> Attachment:
    data = Path(path).read_bytes() if Path(path).is_file() else None
    if data is None:
        raise ValidationError("file_is_folder", "attachments", Path(path).name)
    if len(data) > budget:
        raise ValidationError("file_too_large", "attachments", Path(path).name)
    return Attachment(Path(path).name, "text/plain", data)


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    pool = QThreadPool()
    yield pool
    pool.waitForDone()


@pytest.fixture
def make(qapp: QApplication) -> Iterator[Callable[..., EvidenceService]]:
    """Services that leave by deleteLater, as in the app, never by Python's garbage collector.

    (PySide 6.11 corrupts the heap when an object whose signal was emitted
    from a queued worker result is deleted directly while a Python callable
    is connected to it: "shared QObject was deleted directly".)
    """
    made: list[EvidenceService] = []

    def build(*args: Any, **kwargs: Any) -> EvidenceService:
        service = EvidenceService(*args, parent=qapp, **kwargs)
        made.append(service)
        return service

    yield build
    for service in made:
        service.deleteLater()
    qapp.processEvents()


def test_a_desk_check_that_hangs_is_cut_off_and_the_snapshot_still_comes(
    qtbot: QtBot, pool: QThreadPool, make: Callable[..., EvidenceService]
) -> None:
    source = SlowDesk()
    evidence = make(TaskRunner(pool), lambda: source, Encoder, _reader, window_ms=10, cap_s=0.1)
    with qtbot.waitSignal(evidence.diagnostics_ready, timeout=10_000) as ready:
        number = evidence.collect_diagnostics()
    got_number, document = ready.args
    assert got_number == number
    desk = document["network"]["desk"]
    assert desk["problem"] == "timeout: no answer within 0.1 s"
    assert (desk["host"], desk["port"]) == ("desk.example.org", 443)
    source.release.set()


def test_a_newer_snapshot_replaces_one_still_on_its_way(
    qtbot: QtBot, pool: QThreadPool, make: Callable[..., EvidenceService]
) -> None:
    source = SlowDesk()
    evidence = make(TaskRunner(pool), lambda: source, Encoder, _reader, window_ms=10, cap_s=0.2)
    heard: list[int] = []
    evidence.diagnostics_ready.connect(lambda number, _doc: heard.append(number))
    evidence.collect_diagnostics()
    with qtbot.waitSignal(evidence.diagnostics_ready, timeout=10_000):
        second = evidence.collect_diagnostics()
    source.release.set()
    pool.waitForDone()
    QApplication.processEvents()  # the first one's late result is delivered (and ignored)
    assert heard == [second]


def test_a_source_that_cannot_be_made_fails_in_words(
    qtbot: QtBot, make: Callable[..., EvidenceService]
) -> None:
    def broken() -> Any:
        raise OSError("psutil is missing")

    evidence = make(SyncTaskRunner(), broken, Encoder, _reader)
    with qtbot.waitSignal(evidence.diagnostics_failed) as failed:
        evidence.collect_diagnostics()
    assert "psutil is missing" in failed.args[1].detail


def test_pixels_are_encoded_on_a_worker(
    qtbot: QtBot, pool: QThreadPool, make: Callable[..., EvidenceService]
) -> None:
    evidence = make(TaskRunner(pool), SlowDesk, Encoder, _reader)
    with qtbot.waitSignal(evidence.screenshot_ready) as ready:
        number = evidence.encode_screenshot(4, 2, 12, bytes(24))
    assert ready.args[0] == number and ready.args[1].data == b"4x2"


def test_files_within_the_budget_are_added_and_the_others_explained(
    qtbot: QtBot, tmp_path: Path, make: Callable[..., EvidenceService]
) -> None:
    small, large = tmp_path / "a.txt", tmp_path / "b.txt"
    small.write_bytes(b"x" * 10)
    large.write_bytes(b"y" * 10)
    evidence = make(SyncTaskRunner(), SlowDesk, Encoder, _reader)
    with qtbot.waitSignal(evidence.files_read) as read:
        evidence.read_files([str(small), str(tmp_path), str(large)], budget=15)
    _number, added, problems = read.args
    assert [a.filename for a in added] == ["a.txt"]
    assert [(p.code, p.detail) for p in problems] == [
        ("file_is_folder", tmp_path.name),
        ("file_too_large", "b.txt"),  # 10 more bytes would pass 15 in total
    ]


class QuickDesk(SlowDesk):
    """A source whose desk check answers at once."""

    def probe_desk(self, target: ProbeTarget) -> dict[str, Any]:
        return desk_unknown(target.host, target.port, target.via_proxy, "refused")


def test_the_cpu_window_opened_with_the_tray_menu_makes_the_snapshot_ready_at_once(
    qtbot: QtBot, make: Callable[..., EvidenceService]
) -> None:
    source, now = QuickDesk(), [100.0]
    evidence = make(SyncTaskRunner(), lambda: source, Encoder, _reader,
                    window_ms=10_000, clock=lambda: now[0])  # fmt: skip
    evidence.prepare()  # the user opened the tray menu
    now[0] += 30.0  # ...and clicked "Report" half a minute later: the 10 s window has passed
    with qtbot.waitSignal(evidence.diagnostics_ready, timeout=2000):
        evidence.collect_diagnostics()
    assert source.samples == 1, "the sample from the menu was used"


def test_a_stale_cpu_window_is_opened_afresh(
    qtbot: QtBot, make: Callable[..., EvidenceService]
) -> None:
    source, now = QuickDesk(), [100.0]
    evidence = make(SyncTaskRunner(), lambda: source, Encoder, _reader,
                    window_ms=0, clock=lambda: now[0])  # fmt: skip
    evidence.prepare()
    now[0] += 3600.0  # the menu was opened an hour ago
    with qtbot.waitSignal(evidence.diagnostics_ready):
        evidence.collect_diagnostics()
    assert source.samples == 2


class TargetWatchingDesk(SlowDesk):
    """A hanging desk check whose source notes on which thread its target was worked out."""

    def __init__(self, gui_thread: QThread) -> None:
        super().__init__()
        self._gui_thread = gui_thread
        self.on_gui_thread: list[bool] = []

    def probe_target(self) -> ProbeTarget:
        # Finding the proxy may look up names or read the registry: never on the GUI thread.
        self.on_gui_thread.append(QThread.currentThread() == self._gui_thread)
        return ProbeTarget("proxy.example.org", 3128, True)


def test_where_the_desk_check_goes_is_worked_out_off_the_gui_thread(
    qtbot: QtBot, qapp: QApplication, pool: QThreadPool, make: Callable[..., EvidenceService]
) -> None:
    source = TargetWatchingDesk(qapp.thread())
    evidence = make(TaskRunner(pool), lambda: source, Encoder, _reader, window_ms=10, cap_s=0.1)
    with qtbot.waitSignal(evidence.diagnostics_ready, timeout=10_000) as ready:
        evidence.collect_diagnostics()
    source.release.set()
    desk = ready.args[1]["network"]["desk"]
    assert (desk["host"], desk["port"], desk["via_proxy"]) == ("proxy.example.org", 3128, True)
    assert desk["problem"].startswith("timeout")
    assert source.on_gui_thread and not any(source.on_gui_thread)


class ProxyLookupHangs(SlowDesk):
    """A source for which even finding the proxy hangs (a name lookup for the exceptions)."""

    def probe_target(self) -> ProbeTarget:
        self.release.wait(30)
        return super().probe_target()


def test_a_desk_check_that_cannot_even_find_its_proxy_is_cut_off_too(
    qtbot: QtBot, pool: QThreadPool, make: Callable[..., EvidenceService]
) -> None:
    source = ProxyLookupHangs()
    evidence = make(TaskRunner(pool), lambda: source, Encoder, _reader, window_ms=10, cap_s=0.1)
    with qtbot.waitSignal(evidence.diagnostics_ready, timeout=10_000) as ready:
        evidence.collect_diagnostics()
    source.release.set()
    desk = ready.args[1]["network"]["desk"]
    assert (desk["host"], desk["reachable"]) == ("", False)
    assert desk["problem"] == "timeout: no answer within 0.1 s"


def test_a_replaced_snapshot_leaves_no_timer_running(
    qtbot: QtBot, make: Callable[..., EvidenceService]
) -> None:
    source = QuickDesk()
    evidence = make(SyncTaskRunner(), lambda: source, Encoder, _reader, window_ms=10_000)

    def running() -> int:
        return sum(timer.isActive() for timer in evidence.findChildren(QTimer))

    evidence.collect_diagnostics()  # waits out its CPU window (and the desk check's cap)
    alone = running()
    assert alone >= 1
    evidence.collect_diagnostics()  # the user reported again: the first one is over
    assert running() == alone


class Helper:
    """Stands for the evidence helper process: counts how it was let go, and where."""

    def __init__(self) -> None:
        self.closed_on: list[bool] = []  # whether each close ran on the GUI thread
        self.cancelled = 0

    def close(self) -> None:
        app = QApplication.instance()
        assert app is not None
        self.closed_on.append(QThread.currentThread() is app.thread())

    def cancel(self) -> None:
        self.cancelled += 1


def test_the_helper_is_let_go_on_a_worker_once_evidence_work_is_quiet(
    qtbot: QtBot, pool: QThreadPool, make: Callable[..., EvidenceService]
) -> None:
    helper, source = Helper(), QuickDesk()
    evidence = make(TaskRunner(pool), lambda: source, Encoder, _reader,
                    helper=helper, release_after_s=1.0, window_ms=0)  # fmt: skip
    evidence.prepare()
    with qtbot.waitSignal(evidence.diagnostics_ready, timeout=5000):
        evidence.collect_diagnostics()
    with qtbot.waitSignal(evidence.screenshot_ready, timeout=5000):
        evidence.encode_screenshot(2, 2, 6, b"\0" * 12)
    assert helper.closed_on == [], "not while the report's work goes on"
    qtbot.waitUntil(lambda: helper.closed_on == [False], timeout=5000)


def test_a_sample_taken_in_a_helper_since_let_go_is_not_used(
    qtbot: QtBot, make: Callable[..., EvidenceService]
) -> None:
    helper, source = Helper(), QuickDesk()
    evidence = make(SyncTaskRunner(), lambda: source, Encoder, _reader,
                    helper=helper, release_after_s=0.05, window_ms=0)  # fmt: skip
    evidence.prepare()  # the menu opened; nobody reported
    qtbot.waitUntil(lambda: len(helper.closed_on) == 1)
    with qtbot.waitSignal(evidence.diagnostics_ready):
        evidence.collect_diagnostics()
    assert source.samples == 2, "the report opened its CPU window afresh"


def test_quitting_cancels_the_helper_and_its_release(
    qtbot: QtBot, make: Callable[..., EvidenceService]
) -> None:
    helper = Helper()
    evidence = make(SyncTaskRunner(), QuickDesk, Encoder, _reader,
                    helper=helper, release_after_s=0.05)  # fmt: skip
    evidence.encode_screenshot(2, 2, 6, b"\0" * 12)
    pending_before = evidence.release_pending
    evidence.shutdown()
    assert helper.cancelled == 1
    assert (pending_before, evidence.release_pending) == (True, False), "none after quitting"
    assert helper.closed_on == []
