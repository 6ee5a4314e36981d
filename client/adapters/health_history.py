"""The health passes' history: samples of the trend metrics and the sensors' counters.

One SQLite file, ``health.sqlite3`` beside the tray's other files, written
by the health helper process only (``client/adapters/health_helper.py``),
once a pass. It is opened for a pass and closed after it. Samples older than
:data:`KEEP_DAYS` are removed as new ones come, so the file stays small
(about 3 MB at one pass per 15 minutes).

A damaged file (not a database, corrupt) or one over ``max_bytes`` (never
read: only its size is looked at) is moved aside with
:func:`client.adapters.store.move_aside` and a new one started; :attr:`note`
says so. A history is worth keeping, not worth stopping a pass for.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from client.adapters.store import checked_connection, move_aside

logger = logging.getLogger(__name__)

FILE_NAME = "health.sqlite3"
SCHEMA_VERSION = 1
#: Days of samples kept: a baseline, the recent days and a season's margin.
KEEP_DAYS = 120
#: Past this size the file is not opened but moved aside (a pass writes about 200 bytes).
MAX_BYTES = 8 * 1024 * 1024
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sample (
    at REAL NOT NULL,      -- when (seconds since the epoch)
    day INTEGER NOT NULL,  -- the local day number (days since 1970-01-01, local time)
    metric TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sample_metric_day ON sample(metric, day);
CREATE TABLE IF NOT EXISTS counter (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL  -- JSON: what a sensor keeps for its next pass
);
"""
_DAMAGED = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


class HistoryProblem(Exception):
    """The history cannot be used this pass (its folder is read-only, the file busy)."""


def _damaged(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorname", "") in _DAMAGED


class HealthHistory:
    """The history in one SQLite file; use it in a ``with`` block, or call open and close.

    Each method opens the file if it is not open (and closes it after);
    inside ``with`` the file stays open for the whole pass.
    """

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES) -> None:
        self.path = path
        self._max_bytes = max_bytes
        self._db: sqlite3.Connection | None = None
        #: "ok", or what opening the file found ("moved aside ...").
        self.note = "ok"

    # --- opening ----------------------------------------------------------------------------

    def open(self) -> None:
        """Open (or start) the file; a damaged or enormous one is moved aside first."""
        if self._db is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            size = self.path.stat().st_size if self.path.exists() else 0
        except OSError as error:
            raise HistoryProblem(f"the history's folder: {error.strerror or error}") from error
        if size > self._max_bytes:
            logger.error("the health history %s is %d bytes; moving it aside", self.path, size)
            self._start_anew(f"was {size / 2**20:.0f} MB")
            return
        try:
            self._db = self._connect(self.path)
        except sqlite3.Error as error:
            if not _damaged(error):
                raise HistoryProblem(f"the history could not be opened: {error}") from error
            logger.error("the health history %s is damaged (%s); moving it aside", self.path, error)
            self._start_anew("was damaged")

    def _start_anew(self, why: str) -> None:
        """Move the file aside and open a new one; :attr:`note` says so."""
        self.close()
        try:
            aside = move_aside(self.path)
        except OSError as error:
            raise HistoryProblem(f"the history {why} and could not be moved aside") from error
        self.note = f"the history {why}: moved aside to {aside.name}, started anew"
        try:
            self._db = self._connect(self.path)
        except sqlite3.Error as error:
            raise HistoryProblem(f"a new history could not be made: {error}") from error

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        return checked_connection(path, _SCHEMA, SCHEMA_VERSION)

    def close(self) -> None:
        """Close the file."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> HealthHistory:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self, work: Any) -> Any:
        """``work(db)`` on the open file; a file found damaged meanwhile is started anew, once."""
        was_open = self._db is not None
        self.open()
        try:
            assert self._db is not None
            try:
                return work(self._db)
            except sqlite3.Error as error:
                if not _damaged(error):
                    raise HistoryProblem(f"the history: {error}") from error
                logger.error("the health history is damaged (%s); moving it aside", error)
                self._start_anew("was damaged")
                assert self._db is not None
                try:
                    return work(self._db)
                except sqlite3.Error as again:
                    raise HistoryProblem(f"the new history: {again}") from again
        finally:
            if not was_open:
                self.close()

    # --- reading and writing ----------------------------------------------------------------

    def counters(self) -> dict[str, Any]:
        """What each sensor kept for its next pass (an unreadable entry is left out)."""

        def read(db: sqlite3.Connection) -> list[tuple[str, str]]:
            return db.execute("SELECT name, data FROM counter").fetchall()

        kept: dict[str, Any] = {}
        for name, data in self._run(read):
            try:
                kept[str(name)] = json.loads(data)
            except (TypeError, ValueError):
                logger.warning("health history: counter %r unreadable, dropped", name)
        return kept

    def save(
        self,
        now: float,
        day: int,
        facts: Mapping[str, float],
        counters: Mapping[str, Any],
    ) -> None:
        """Add one pass's samples and replace the counters, in one transaction.

        Values that are not finite numbers are not stored; samples older than
        :data:`KEEP_DAYS` before ``day`` are removed.
        """
        rows = [
            (now, day, metric, float(value))
            for metric, value in facts.items()
            if isinstance(value, int | float) and math.isfinite(value)
        ]
        kept: list[tuple[str, str]] = []
        for name, data in counters.items():
            try:
                kept.append((name, json.dumps(data, allow_nan=False, separators=(",", ":"))))
            except (TypeError, ValueError):
                logger.warning("health history: counter %r not storable, dropped", name)

        def write(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT INTO sample (at, day, metric, value) VALUES (?,?,?,?)", rows)
                db.execute("DELETE FROM counter")
                db.executemany("INSERT INTO counter (name, data) VALUES (?, ?)", kept)
                db.execute("DELETE FROM sample WHERE day < ?", (day - KEEP_DAYS,))
            except BaseException:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:  # the error that brought us here is the one to tell
                    pass
                raise
            db.execute("COMMIT")

        self._run(write)

    def add(self, rows: Iterable[tuple[float, int, str, float]]) -> int:
        """Add samples ``(at, day, metric, value)`` in one transaction; how many were added.

        For an import (the demo's history); values that are not finite are left out.
        """
        kept = [
            (float(at), int(day), str(metric), float(value))
            for at, day, metric, value in rows
            if isinstance(value, int | float) and math.isfinite(value)
        ]

        def write(db: sqlite3.Connection) -> None:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT INTO sample (at, day, metric, value) VALUES (?,?,?,?)", kept)

        self._run(write)
        return len(kept)

    def samples(self, metric: str, since_day: int) -> list[tuple[int, float]]:
        """``(day, value)`` of ``metric`` from ``since_day`` on, oldest first."""

        def read(db: sqlite3.Connection) -> list[tuple[int, float]]:
            rows = db.execute(
                "SELECT day, value FROM sample WHERE metric = ? AND day >= ? ORDER BY day, at",
                (metric, since_day),
            ).fetchall()
            return [(int(day), float(value)) for day, value in rows]

        result: list[tuple[int, float]] = self._run(read)
        return result

    def disk_series(self, since_day: int) -> list[tuple[int, float]]:
        """Free GB of the fullest volume from ``since_day`` on (for the fill rate)."""
        return self.samples("disk.free_gb", since_day)
