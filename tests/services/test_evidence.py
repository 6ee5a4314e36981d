"""Gathering what goes along with a report, off the GUI thread, within its time limits."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from client.core.diagnostics import desk_unknown
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

    def probe_desk(self) -> dict[str, Any]:
        self.release.wait(30)
        return desk_unknown("desk.example.org", 443, False, "late")

    def desk_timed_out(self) -> dict[str, Any]:
        return desk_unknown("desk.example.org", 443, False, "timeout")


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
    qtbot, pool: QThreadPool, make: Callable[..., EvidenceService]
) -> None:
    source = SlowDesk()
    evidence = make(TaskRunner(pool), lambda: source, Encoder, _reader, window_ms=10, cap_s=0.1)
    with qtbot.waitSignal(evidence.diagnostics_ready, timeout=10_000) as ready:
        number = evidence.collect_diagnostics()
    got_number, document = ready.args
    assert got_number == number
    assert document["network"]["desk"]["problem"] == "timeout"
    source.release.set()


def test_a_newer_snapshot_replaces_one_still_on_its_way(
    qtbot, pool: QThreadPool, make: Callable[..., EvidenceService]
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
    qtbot, make: Callable[..., EvidenceService]
) -> None:
    def broken() -> Any:
        raise OSError("psutil is missing")

    evidence = make(SyncTaskRunner(), broken, Encoder, _reader)
    with qtbot.waitSignal(evidence.diagnostics_failed) as failed:
        evidence.collect_diagnostics()
    assert "psutil is missing" in failed.args[1].detail


def test_pixels_are_encoded_on_a_worker(
    qtbot, pool: QThreadPool, make: Callable[..., EvidenceService]
) -> None:
    evidence = make(TaskRunner(pool), SlowDesk, Encoder, _reader)
    with qtbot.waitSignal(evidence.screenshot_ready) as ready:
        number = evidence.encode_screenshot(4, 2, 12, bytes(24))
    assert ready.args[0] == number and ready.args[1].data == b"4x2"


def test_files_within_the_budget_are_added_and_the_others_explained(
    qtbot, tmp_path: Path, make: Callable[..., EvidenceService]
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

    def probe_desk(self) -> dict[str, Any]:
        return desk_unknown("desk.example.org", 443, False, "refused")


def test_the_cpu_window_opened_with_the_tray_menu_makes_the_snapshot_ready_at_once(
    qtbot, make: Callable[..., EvidenceService]
) -> None:
    source, now = QuickDesk(), [100.0]
    evidence = make(SyncTaskRunner(), lambda: source, Encoder, _reader,
                    window_ms=10_000, clock=lambda: now[0])  # fmt: skip
    evidence.prepare()  # the user opened the tray menu
    now[0] += 30.0  # ...and clicked "Report" half a minute later: the 10 s window has passed
    with qtbot.waitSignal(evidence.diagnostics_ready, timeout=2000):
        evidence.collect_diagnostics()
    assert source.samples == 1, "the sample from the menu was used"


def test_a_stale_cpu_window_is_opened_afresh(qtbot, make: Callable[..., EvidenceService]) -> None:
    source, now = QuickDesk(), [100.0]
    evidence = make(SyncTaskRunner(), lambda: source, Encoder, _reader,
                    window_ms=0, clock=lambda: now[0])  # fmt: skip
    evidence.prepare()
    now[0] += 3600.0  # the menu was opened an hour ago
    with qtbot.waitSignal(evidence.diagnostics_ready):
        evidence.collect_diagnostics()
    assert source.samples == 2
