"""The outbox on disk: real SQLite files, full disks and damaged files."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from client.adapters.store import SqliteOutbox
from client.core.errors import StoreError, Unavailable
from client.core.models import Attachment, Report, TicketRef
from client.core.outbox import (
    CLAIM_LEASE_S,
    OutboxState,
    attempt_failed,
    begin_attempt,
    delivered,
)

NOW = 1_800_000_000.0
PHOTO = os.urandom(300_000)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[SqliteOutbox]:
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


def test_the_queue_a_report_was_saved_for_is_kept_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = SqliteOutbox(path)
    routed = first.add(Report("Invoice run fails", "", queue="finance"), NOW)
    plain = first.add(Report("Mouse lags", ""), NOW)
    first.close()
    again = SqliteOutbox(path)  # after a restart, or a crash
    assert again.load_report(routed.id).queue == "finance"
    assert again.load_report(plain.id).queue is None, "the desk's default"
    claimed = again.claim_next(NOW + 1)
    assert claimed is not None and claimed.queue == "finance"
    edited = replace(claimed, subject="Invoice run fails at 9:00", state=OutboxState.QUEUED)
    again.save(edited)  # the user changed the text of the report waiting to be sent
    assert again.load_report(routed.id).queue == "finance", "changing the text keeps the queue"
    again.close()


def test_the_file_is_durable_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = SqliteOutbox(path)
    item = first.add(_report(), NOW)
    first.close()
    again = SqliteOutbox(path)
    assert [i.key for i in again.items()] == [item.key]
    again.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


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
    path = tmp_path / "outbox.sqlite3"
    store = SqliteOutbox(path)
    keys = {store.add(_report(f"r{n}"), NOW).key for n in range(40)}
    store.close()
    code = (
        "import sys, pathlib; from client.adapters.store import SqliteOutbox\n"
        "from client.core.models import TicketRef; from client.core.outbox import delivered\n"
        "s = SqliteOutbox(pathlib.Path(sys.argv[1]))\n"
        "while (item := s.claim_next(1e12)) is not None:\n"
        "    print(item.key, flush=True)\n"
        "    s.save(delivered(item, TicketRef(item.key, '')))"
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


def test_attachments_the_desk_refused_are_remembered(outbox: SqliteOutbox) -> None:
    item = outbox.add(_report("x", Attachment("tool.exe", "application/octet-stream", b"MZ")), NOW)
    outbox.save(
        delivered(begin_attempt(item), TicketRef("5", "FIN-5"), [("tool.exe", "file_type")])
    )
    sent = outbox.sent(item.key)
    assert sent is not None and sent.refused == (("tool.exe", "file_type"),)


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
    folder = tmp_path / "Anna's files #1 ?%20"  # characters that mean something in a URI
    folder.mkdir()
    path = folder / "outbox.sqlite3"
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


def test_a_report_cannot_be_deleted_while_it_is_on_its_way(outbox: SqliteOutbox) -> None:
    item = outbox.add(_report(), NOW)
    claimed = outbox.claim_next(NOW)
    assert claimed is not None
    with pytest.raises(StoreError) as caught:
        outbox.remove(item.id)
    assert caught.value.code == "being_sent"
    outbox.save(delivered(claimed, TicketRef("7", "FIN-7")))
    with pytest.raises(StoreError) as caught:
        outbox.remove(item.id)
    assert caught.value.code == "already_sent"
    assert outbox.sent(item.key) is not None


def test_a_late_answer_never_lands_on_another_report(outbox: SqliteOutbox) -> None:
    old = outbox.add(_report("deleted by the user"), NOW)
    outbox.remove(old.id)
    new = outbox.add(_report("filed afterwards"), NOW)
    assert new.id != old.id, "ids are never reused"
    with pytest.raises(StoreError) as caught:
        outbox.save(delivered(begin_attempt(old), TicketRef("9", "FIN-9")))
    assert caught.value.code == "gone"
    (still,) = outbox.items()
    assert (still.key, still.state) == (new.key, OutboxState.QUEUED)


def test_a_change_is_refused_once_the_report_moved_on(outbox: SqliteOutbox) -> None:
    item = outbox.add(_report(), NOW)
    outbox.claim_next(NOW)  # another process took it a moment ago
    with pytest.raises(StoreError) as caught:
        outbox.save(replace(item, subject="changed"), expect=OutboxState.QUEUED)
    assert caught.value.code == "gone"
    assert outbox.items()[0].subject == "Printer jams"


def test_a_claim_of_a_running_process_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    cli = SqliteOutbox(path, owner=os.getppid())  # a process that is running: our parent
    item = cli.add(_report(), NOW)
    assert cli.claim_next(NOW) is not None
    tray = SqliteOutbox(path)
    assert tray.recover(NOW + 60) == 0, "the command line is sending it right now"
    assert tray.claim_next(NOW + 60) is None
    assert tray.recover(NOW + CLAIM_LEASE_S + 1) == 1, "but not for ever"
    (again,) = tray.items()
    assert (again.id, again.state, again.check_first) == (item.id, OutboxState.RETRY, True)
    cli.close()
    tray.close()


def test_a_claim_of_a_process_that_died_is_released_at_the_next_claim(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    path = tmp_path / "outbox.sqlite3"
    killed_cli = SqliteOutbox(path, owner=int(gone.stdout))
    item = killed_cli.add(_report(), NOW)
    assert killed_cli.claim_next(NOW) is not None
    killed_cli.close()
    tray = SqliteOutbox(path)
    again = tray.claim_next(NOW + 1)  # no restart needed
    assert again is not None and again.id == item.id and again.check_first
    tray.close()


def test_a_busy_outbox_is_not_mistaken_for_a_damaged_one(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    SqliteOutbox(path).add(_report(), NOW)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # e.g. a backup tool holding the file
        blocked = SqliteOutbox(path, busy_timeout_s=0.05)
        with pytest.raises(StoreError):
            blocked.items()
        other.execute("ROLLBACK")
    assert blocked.recovery() is None
    assert list(tmp_path.glob("*damaged*")) == []
    assert len(blocked.items()) == 1
    blocked.close()


def test_a_failed_commit_leaves_the_outbox_usable(outbox: SqliteOutbox) -> None:
    outbox.add(_report("first"), NOW)
    # Make COMMIT itself fail, as a full disk can: a deferred foreign key violation.
    assert outbox._db is not None
    outbox._db.execute("CREATE TABLE probe (ref INTEGER REFERENCES outbox(id) "
                       "DEFERRABLE INITIALLY DEFERRED)")  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError), outbox._transaction() as db:
        db.execute("INSERT INTO probe VALUES (424242)")
    assert outbox.add(_report("second"), NOW).subject == "second"
    assert [i.subject for i in outbox.items()] == ["first", "second"]


def test_an_outbox_of_the_first_version_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
            "created_at REAL NOT NULL, state TEXT NOT NULL, subject TEXT NOT NULL, "
            "description TEXT NOT NULL, category TEXT, attempts INTEGER NOT NULL DEFAULT 0, "
            "next_attempt_at REAL, check_first INTEGER NOT NULL DEFAULT 0, error_code TEXT, "
            "error_reason TEXT, ticket_id TEXT, ticket_display TEXT);"
            "INSERT INTO outbox (key, created_at, state, subject, description, next_attempt_at) "
            "VALUES ('k-1', 1, 'sending', 'from version 1', '', 1);"
            "PRAGMA user_version=1;"
        )
    outbox = SqliteOutbox(path)
    assert outbox.recover(NOW) == 1
    (item,) = outbox.items()
    assert (item.subject, item.state, item.check_first) == (
        "from version 1",
        OutboxState.RETRY,
        True,
    )
    outbox.close()
