"""The outbox file, version 4: why a report waits and since when; older files upgraded in place."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from client.adapters.store import SCHEMA_VERSION, SqliteOutbox
from client.core.errors import Forbidden, StoreError
from client.core.models import Report
from client.core.outbox import OutboxState, WaitingFor, attempt_failed, begin_attempt

NOW = 1_800_000_000.0

#: The outbox table as version 3 wrote it.
VERSION_3 = """
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, created_at REAL NOT NULL,
    state TEXT NOT NULL, subject TEXT NOT NULL, description TEXT NOT NULL, category TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL,
    check_first INTEGER NOT NULL DEFAULT 0, error_code TEXT, error_reason TEXT, ticket_id TEXT,
    ticket_display TEXT, claimed_by INTEGER, claimed_at REAL, refused TEXT
);
CREATE TABLE attachment (
    id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL,
    size INTEGER NOT NULL, data BLOB
);
INSERT INTO outbox (key, created_at, state, subject, description, attempts, next_attempt_at,
                    error_code, error_reason)
VALUES ('k-retry', 10, 'retry', 'offline', '', 1, 99999, 'unavailable', 'unreachable'),
       ('k-403', 20, 'rejected', 'no rights', '', 1, NULL, 'forbidden', NULL),
       ('k-404', 30, 'rejected', 'no queue', '', 1, NULL, 'not_found', NULL),
       ('k-413', 40, 'rejected', 'too large', '', 1, NULL, 'rejected', 'too_large');
PRAGMA user_version=3;
"""


def _version_3_file(path: Path, extra: str = "") -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript(VERSION_3 + extra)


def test_an_outbox_of_version_3_is_upgraded_and_its_refused_reports_wait_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.sqlite3"
    _version_3_file(path)
    outbox = SqliteOutbox(path)
    items = {item.key: item for item in outbox.items()}

    assert (items["k-retry"].state, items["k-retry"].waiting_for) == (OutboxState.RETRY, None)
    assert items["k-retry"].next_attempt_at == 99999, "a plain retry is left as it was"
    for key, cause, written in (("k-403", WaitingFor.RIGHTS, 20), ("k-404", WaitingFor.SETUP, 30)):
        item = items[key]
        assert item.state is OutboxState.RETRY, "a refusal of who we are is no verdict"
        assert item.waiting_for is cause and item.waiting_since == written
        assert item.next_attempt_at == written, "due at once"
    assert items["k-413"].state is OutboxState.REJECTED, "a refusal of the report stays"
    assert items["k-413"].waiting_for is None
    outbox.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4


def test_an_upgrade_that_fails_leaves_the_old_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    # A column of version 4 already there: the upgrade fails half-way through.
    _version_3_file(path, "ALTER TABLE outbox ADD COLUMN desk_message TEXT;")
    with pytest.raises(StoreError):
        SqliteOutbox(path).open()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
        columns = {row[1] for row in db.execute("PRAGMA table_info(outbox)")}
        assert "waiting_for" not in columns, "all or nothing"
        states = dict(db.execute("SELECT key, state FROM outbox"))
        assert states["k-403"] == "rejected"


def test_why_and_since_when_a_report_waits_are_kept(tmp_path: Path) -> None:
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite3")
    item = outbox.add(Report("Cannot file tickets", ""), NOW)
    waiting = attempt_failed(
        begin_attempt(item), Forbidden("Cross-site request forgery protection refused"), NOW
    )
    outbox.save(waiting)
    (stored,) = outbox.items()
    assert stored == waiting
    assert stored.waiting_for is WaitingFor.REQUEST_RULE and stored.waiting_since == NOW
    assert stored.desk_message == "Cross-site request forgery protection refused"
    outbox.close()

    with contextlib.closing(sqlite3.connect(outbox.path)) as db:
        db.execute("UPDATE outbox SET waiting_for = 'a_cause_of_a_later_version'")
        db.commit()
    again = SqliteOutbox(outbox.path)
    (read,) = again.items()
    assert read == replace(waiting, waiting_for=None), "still readable"
    again.close()
