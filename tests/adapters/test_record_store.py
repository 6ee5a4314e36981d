"""The record in a real SQLite file: kept, read newest first, exported, and a damaged file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from client.adapters.record_store import SqliteRecord
from client.core.errors import StoreError
from client.core.fixes import FixRun, Outcome
from client.core.record import SentReport, Unreadable


def run(at: float, fix_id: str = "notes-cache") -> FixRun:
    return FixRun(fix_id, 1, "linux", "a" * 64, "b" * 64, "you", at, Outcome.SOLVED)


def test_entries_come_back_newest_first_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    record = SqliteRecord(path)
    record.add(run(10.0))
    record.add(SentReport(20.0, "#1", "Help", (("description", 4),)))
    record.close()

    again = SqliteRecord(path)
    assert again.entries() == [SentReport(20.0, "#1", "Help", (("description", 4),)), run(10.0)]
    assert again.recovery() is None


def test_only_the_newest_are_kept(tmp_path: Path) -> None:
    record = SqliteRecord(tmp_path / "record.sqlite3", keep=3)
    for at in range(1, 6):
        record.add(run(float(at)))
    assert [e.started_at for e in record.entries() if isinstance(e, FixRun)] == [5.0, 4.0, 3.0]


def test_export_writes_every_entry_oldest_first(tmp_path: Path) -> None:
    record = SqliteRecord(tmp_path / "record.sqlite3")
    record.add(run(2.0, "b"))
    record.add(run(1.0, "a"))
    target = tmp_path / "export.json"

    assert record.export(target) == 2
    exported = json.loads(target.read_text("utf-8"))
    assert [e["entry"]["fix_id"] for e in exported["entries"]] == ["a", "b"]


def test_export_to_a_folder_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    record = SqliteRecord(tmp_path / "record.sqlite3")
    with pytest.raises(StoreError) as raised:
        record.export(tmp_path / "missing" / "export.json")
    assert raised.value.code == "export"


def test_an_entry_a_newer_version_wrote_is_shown_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    SqliteRecord(path).add(run(1.0))
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO entry (at, kind, data) VALUES (2.0, 'health', '{\"x\": 1}')")
        db.execute("INSERT INTO entry (at, kind, data) VALUES (3.0, 'fix_run', 'not json')")
    assert SqliteRecord(path).entries()[:2] == [
        Unreadable(3.0, "fix_run"),
        Unreadable(2.0, "health"),
    ]


def test_a_damaged_file_is_moved_aside_and_its_readable_entries_carried_over(
    tmp_path: Path,
) -> None:
    path = tmp_path / "record.sqlite3"
    record = SqliteRecord(path)
    for at in range(1, 201):
        record.add(SentReport(float(at), f"#{at}", "x" * 400, (("description", 400),)))
    record.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 10 : page * 11] = b"\xde\xad" * (page // 2)  # one page of entries destroyed
    path.write_bytes(bytes(data))
    (tmp_path / "record.sqlite3-wal").unlink(missing_ok=True)

    reopened = SqliteRecord(path)
    recovery = reopened.recovery()

    assert recovery is not None
    assert Path(recovery.damaged_copy).exists(), "the damaged file is kept, never deleted"
    assert 100 < recovery.salvaged < 200
    assert len(reopened.entries(limit=1000)) == recovery.salvaged


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    path.write_bytes(b"this is not SQLite" * 100)

    record = SqliteRecord(path)
    record.add(run(1.0))

    recovery = record.recovery()
    assert recovery is not None and recovery.salvaged == 0
    assert Path(recovery.damaged_copy).read_bytes().startswith(b"this is not SQLite")
    assert record.entries() == [run(1.0)]


def test_a_record_that_cannot_be_made_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        SqliteRecord(blocker / "record.sqlite3").add(run(1.0))
