"""The outbox on disk: real SQLite files, full disks and damaged files."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from client.adapters.store import SqliteOutbox
from client.core.errors import StoreError, Unavailable
from client.core.models import Attachment, Report, TicketRef
from client.core.outbox import OutboxState, attempt_failed, begin_attempt, delivered

NOW = 1_800_000_000.0
PHOTO = os.urandom(300_000)


@pytest.fixture
def outbox(tmp_path: Path) -> SqliteOutbox:
    store = SqliteOutbox(tmp_path / "outbox.sqlite3")
    yield store
    store.close()


def _report(subject: str = "Printer jams", *files: Attachment) -> Report:
    return Report(subject=subject, description="floor 2", attachments=files)


def test_a_report_and_its_attachments_are_stored_whole(outbox: SqliteOutbox) -> None:
    report = _report("Screen black", Attachment("screen.png", "image/png", PHOTO))
    item = outbox.add(report, NOW)
    assert item.state is OutboxState.QUEUED and item.key == report.key
    assert [(a.filename, a.size) for a in item.attachments] == [("screen.png", len(PHOTO))]
    assert outbox.load_report(item.id) == report


def test_the_file_is_durable_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = SqliteOutbox(path)
    item = first.add(_report(), NOW)
    first.close()
    again = SqliteOutbox(path)
    assert [i.key for i in again.items()] == [item.key]
    assert again.db_mode() == "wal"
    again.close()


def test_oldest_due_first_and_nothing_before_its_time(outbox: SqliteOutbox) -> None:
    first = outbox.add(_report("first"), NOW)
    second = outbox.add(_report("second"), NOW + 1)
    assert outbox.claim_next(NOW - 1) is None
    claimed = outbox.claim_next(NOW + 5)
    assert claimed is not None and claimed.id == first.id
    assert (claimed.state, claimed.attempts) == (OutboxState.SENDING, 1)
    outbox.save(attempt_failed(claimed, Unavailable(reason="unreachable"), NOW + 5))
    assert outbox.next_attempt_at() == pytest.approx(NOW + 1)
    assert outbox.claim_next(NOW + 6).id == second.id  # type: ignore[union-attr]
    assert outbox.claim_next(NOW + 6) is None  # the first waits for its retry time


def test_two_processes_never_claim_the_same_report(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "outbox.sqlite3"
    store = SqliteOutbox(path)
    keys = {store.add(_report(f"r{n}"), NOW).key for n in range(40)}
    store.close()
    code = (
        "import sys, pathlib; from client.adapters.store import SqliteOutbox\n"
        "s = SqliteOutbox(pathlib.Path(sys.argv[1]))\n"
        "while (item := s.claim_next(1e12)) is not None: print(item.key, flush=True)"
    )
    claimers = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    claimed = [line.strip() for c in claimers for line in c.communicate()[0].splitlines()]
    assert sorted(claimed) == sorted(keys)  # each report exactly once


def test_a_delivered_report_releases_its_attachment_bytes(outbox: SqliteOutbox) -> None:
    item = outbox.add(_report("x", Attachment("a.bin", "application/octet-stream", PHOTO)), NOW)
    outbox.save(delivered(begin_attempt(item), TicketRef("12", "FIN-12")))
    assert outbox.items() == []
    sent = outbox.sent(item.key)
    assert sent is not None and sent.ticket == TicketRef("12", "FIN-12")
    assert outbox.load_report(item.id).attachments[0].data == b""


def test_a_run_that_stopped_mid_attempt_is_recovered_carefully(outbox: SqliteOutbox) -> None:
    item = outbox.add(_report(), NOW)
    outbox.save(begin_attempt(item))
    assert outbox.recovery() is None
    assert outbox.recover(NOW + 10) == 1
    (again,) = outbox.items()
    assert again.state is OutboxState.RETRY and again.check_first
    assert outbox.claim_next(NOW + 10) is not None


def test_the_same_report_cannot_be_queued_twice(outbox: SqliteOutbox) -> None:
    report = _report()
    outbox.add(report, NOW)
    with pytest.raises(StoreError) as caught:
        outbox.add(report, NOW)
    assert caught.value.code == "duplicate"


def test_a_full_disk_refuses_the_report_and_leaves_nothing_half_stored(tmp_path: Path) -> None:
    # SQLite's page limit raises the very error a full disk does (SQLITE_FULL).
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite3", max_bytes=256 * 1024)
    outbox.add(_report("small"), NOW)
    with pytest.raises(StoreError) as caught:
        outbox.add(_report("big", Attachment("big.bin", "application/octet-stream", PHOTO)), NOW)
    assert caught.value.code == "disk_full"
    assert [i.subject for i in outbox.items()] == ["small"]
    outbox.close()


def test_a_garbage_file_is_moved_aside_and_a_new_outbox_starts(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    outbox = SqliteOutbox(path)
    recovery = outbox.recovery()
    assert recovery is not None and recovery.salvaged == 0
    assert Path(recovery.damaged_copy).read_bytes().startswith(b"this is not a database")
    assert outbox.add(_report(), NOW).state is OutboxState.QUEUED
    outbox.close()


def test_reports_that_can_still_be_read_are_salvaged(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = SqliteOutbox(path)
    keep = first.add(_report("keep me", Attachment("a.txt", "text/plain", b"hello")), NOW)
    first.add(_report("big", Attachment("big.bin", "application/octet-stream", PHOTO)), NOW)
    first.close()
    with sqlite3.connect(path) as db:  # fold the WAL into the file first
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[-60_000:-50_000] = os.urandom(10_000)  # damage pages of the big attachment
    path.write_bytes(bytes(data))
    outbox = SqliteOutbox(path)
    recovery = outbox.recovery()
    assert recovery is not None and recovery.salvaged >= 1
    saved = {i.key: i for i in outbox.items()}
    assert keep.key in saved
    assert outbox.load_report(saved[keep.key].id).attachments[0].data == b"hello"
    outbox.close()
