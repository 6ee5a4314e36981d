"""The record of what IT ran on this computer and what the tray sent, in one SQLite file.

``record.sqlite3`` sits next to the outbox. Each entry is a row: when, what
kind, and the entry as JSON (``client/core/record.py``). A damaged file is
moved aside (never deleted), every entry that can still be read is carried
over into a new one, and :meth:`SqliteRecord.recovery` says so; the tray
tells the employee. Entries beyond :data:`KEEP` are removed, oldest first.
Used from one thread at a time (the tray's serial runner). The file is
opened for each use and closed after it: the record is written a few times
a day, and an open SQLite connection keeps a page cache the idle tray would
carry for nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from client.adapters.store import checked_connection, move_aside
from client.core.errors import StoreError
from client.core.fixes import FixRun
from client.core.outbox import StoreRecovery
from client.core.record import Entry, SentReport, as_json, from_json

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
#: How many entries are kept (years of ordinary use); beyond that the oldest go.
KEEP = 10_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL  -- the entry as JSON (client/core/record.py)
);
CREATE INDEX IF NOT EXISTS entry_at ON entry(at);
"""
_DAMAGED = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


class SqliteRecord:
    """The record in one SQLite file; opened on first use."""

    def __init__(self, path: Path, keep: int = KEEP) -> None:
        self.path = path
        self._keep = keep
        self._db: sqlite3.Connection | None = None
        self._recovery: StoreRecovery | None = None

    def open(self) -> None:
        """Open (or create) the file; a damaged one is moved aside, what it holds carried over."""
        if self._db is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"the record's folder could not be made: {error}") from error
        try:
            self._db = self._connect(self.path)
            return
        except sqlite3.Error as error:
            if getattr(error, "sqlite_errorname", "") not in _DAMAGED:
                raise StoreError(f"the record could not be opened: {error}") from error
            logger.error("the record %s is damaged (%s); moving it aside", self.path, error)
        damaged = move_aside(self.path)
        self._recovery = StoreRecovery(str(damaged), 0)
        try:
            self._db = self._connect(self.path)
        except sqlite3.Error as error:
            raise StoreError(f"a new record could not be made: {error}") from error
        self._recovery = StoreRecovery(str(damaged), self._salvage(damaged))

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        return checked_connection(
            path, _SCHEMA, SCHEMA_VERSION, wal=True, timeout=10, same_thread=False
        )

    def _salvage(self, damaged: Path) -> int:
        """Copy every entry that can still be read from the damaged file; how many."""
        assert self._db is not None
        try:
            source = sqlite3.connect(damaged.as_uri() + "?mode=ro", uri=True)
        except sqlite3.Error as error:  # pragma: no cover - read-only opening is lazy
            logger.error("%s cannot be opened: %s", damaged, error)
            return 0
        saved = 0
        with contextlib.closing(source):
            for entry_id in self._ids(source):  # one by one: a bad page costs only its entries
                try:
                    row = source.execute(
                        "SELECT at, kind, data FROM entry WHERE id = ?", (entry_id,)
                    ).fetchone()
                    if row is not None:
                        self._db.execute("INSERT INTO entry (at, kind, data) VALUES (?, ?, ?)", row)
                        saved += 1
                except sqlite3.Error as error:
                    logger.error("record entry %s could not be carried over: %s", entry_id, error)
        return saved

    def _ids(self, source: sqlite3.Connection) -> list[int]:
        """The damaged file's entry ids: read in one go, else every id it may have held."""
        try:
            return [row[0] for row in source.execute("SELECT id FROM entry ORDER BY id")]
        except sqlite3.Error as error:
            logger.error("the record's entries cannot be listed (%s); looking up each", error)
        try:
            row = source.execute("SELECT seq FROM sqlite_sequence WHERE name = 'entry'").fetchone()
        except sqlite3.Error as error:
            logger.error("nothing could be read from the damaged record: %s", error)
            return []
        last = int(row[0]) if row else 0
        return list(range(max(1, last - 2 * self._keep), last + 1))

    def recovery(self) -> StoreRecovery | None:
        """What opening found when the file was damaged (``None``: it was fine)."""
        with self._using():
            return self._recovery

    @contextlib.contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        """The open file for one use; closed after it."""
        self.open()
        assert self._db is not None
        try:
            yield self._db
        finally:
            self.close()

    def add(self, entry: FixRun | SentReport) -> None:
        """Keep ``entry``; the oldest beyond :data:`KEEP` go."""
        with self._using() as db:
            self._add(db, entry)

    def _add(self, db: sqlite3.Connection, entry: FixRun | SentReport) -> None:
        kind, at, data = as_json(entry)
        try:
            db.execute(
                "INSERT INTO entry (at, kind, data) VALUES (?, ?, ?)",
                (at, kind, json.dumps(data, ensure_ascii=False)),
            )
            db.execute(
                "DELETE FROM entry WHERE id <= (SELECT id FROM entry ORDER BY id DESC "
                "LIMIT 1 OFFSET ?)",
                (self._keep,),
            )
        except sqlite3.Error as error:
            raise StoreError(f"the record could not be written: {error}") from error

    def entries(self, limit: int = 500) -> list[Entry]:
        """The newest ``limit`` entries, newest first."""
        with self._using() as db:
            rows = db.execute(
                "SELECT at, kind, data FROM entry ORDER BY at DESC, id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [from_json(kind, at, _loads(data)) for at, kind, data in rows]

    def export(self, target: Path) -> int:
        """Write every entry to ``target`` as JSON (oldest first); how many."""
        with self._using() as db:
            rows = db.execute("SELECT at, kind, data FROM entry ORDER BY at, id").fetchall()
        document = {
            "what": "helpdesk-tray record: fixes run and reports sent on this computer",
            "entries": [{"kind": kind, "at": at, "entry": _loads(data)} for at, kind, data in rows],
        }
        try:
            target.write_text(json.dumps(document, ensure_ascii=False, indent=1), "utf-8")
        except OSError as error:
            raise StoreError(f"{target}: {error.strerror}", code="export") from error
        return len(rows)

    def close(self) -> None:
        """Close the file."""
        if self._db is not None:
            self._db.close()
            self._db = None


def _loads(data: str) -> object:
    try:
        return json.loads(data)
    except ValueError:
        return None
