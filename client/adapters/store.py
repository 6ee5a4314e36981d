"""The outbox on disk: one SQLite file (WAL), every report and its attachments in one transaction.

A report is on disk before any network call, with copies of its attachments,
so neither a crash nor a file deleted meanwhile can lose it. A damaged file is
moved aside (never deleted), what can still be read from it is carried over,
and the caller is told.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Collection
from pathlib import Path

from client.core.errors import StoreError
from client.core.models import Attachment, AttachmentInfo, Report, TicketRef
from client.core.outbox import (
    CLAIM_LEASE_S,
    OutboxItem,
    OutboxState,
    StoreRecovery,
    WaitingFor,
    recovered,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 4

#: Columns each version added, for files written by an older one (upgraded in place).
_ADDED_COLUMNS = {
    2: ("claimed_by INTEGER", "claimed_at REAL"),
    3: ("refused TEXT",),
    4: ("waiting_for TEXT", "waiting_since REAL", "desk_message TEXT"),
}
#: Rows each version changes when it upgrades a file. 4: a refusal of who we are (403) or
#: of where we file (404) no longer rejects a report; reports an older version rejected so
#: wait again, due at once (the desk surely does not have them: a rejection is recorded only
#: after the desk said so), waiting since they were written.
_CHANGED_ROWS = {
    4: (
        f"UPDATE outbox SET state = '{OutboxState.RETRY.value}', next_attempt_at = created_at, "
        f"waiting_since = created_at, waiting_for = CASE error_code "
        f"WHEN 'not_found' THEN '{WaitingFor.SETUP.value}' "
        f"ELSE '{WaitingFor.RIGHTS.value}' END "
        f"WHERE state = '{OutboxState.REJECTED.value}' "
        "AND error_code IN ('forbidden', 'not_found')",
    ),
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a late answer cannot hit a new report
    key TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    state TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT,  -- the desk queue the report goes to (Report.queue)
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL,
    check_first INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_reason TEXT,
    ticket_id TEXT,
    ticket_display TEXT,
    claimed_by INTEGER,  -- the process sending it (state 'sending')
    claimed_at REAL,
    refused TEXT,  -- JSON [[file name, reason], ...]: attachments the desk would not take
    waiting_for TEXT,  -- what a report refused for who we are waits for (WaitingFor)
    waiting_since REAL,  -- since when (the first refusal for that cause)
    desk_message TEXT  -- the desk's words about that refusal, cleaned
);
CREATE TABLE IF NOT EXISTS attachment (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB
);
CREATE INDEX IF NOT EXISTS attachment_item ON attachment(item_id);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_attempt_at, id);
"""

_WAITING = tuple(s.value for s in (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.RETRY))
#: States in which the user may change or delete a report (it is surely not on its way).
_AT_REST = tuple(s.value for s in (OutboxState.QUEUED, OutboxState.RETRY, OutboxState.REJECTED))
#: Errors that mean the file itself is damaged (not busy, not a full disk).
_DAMAGED = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


class _Damaged(Exception):
    """The outbox file cannot be trusted: move it aside and start a new one."""


def _process_alive(pid: int) -> bool:
    """Whether a process with this id runs (a reused id counts as alive until the lease ends)."""
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there
        import psutil

        return bool(psutil.pid_exists(pid))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _waiting_for(value: str | None) -> WaitingFor | None:
    """The stored cause of a wait (one this version does not know is left out, not fatal)."""
    try:
        return WaitingFor(value) if value is not None else None
    except ValueError:
        logger.warning("outbox: unknown cause of a wait %r", value)
        return None


def move_aside(path: Path) -> Path:
    """Rename a damaged SQLite file and its WAL to ``<name>-damaged-<time>``; the new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    damaged = path.with_name(f"{path.stem}-damaged-{stamp}{path.suffix}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(f"{damaged}{suffix}")
    return damaged


def checked_connection(
    path: Path,
    schema: str,
    version: int,
    *,
    wal: bool = False,
    timeout: float = 5.0,
    same_thread: bool = True,
) -> sqlite3.Connection:
    """A connection to a file that passed SQLite's quick check, with ``schema`` in place.

    A file that fails the check raises an ``sqlite3.DatabaseError`` named
    ``SQLITE_CORRUPT``, as SQLite itself names a damaged file, so callers
    tell damage from other trouble in one way.
    """
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=same_thread, timeout=timeout)
    try:
        if wal:
            db.execute("PRAGMA journal_mode=WAL")
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            error = sqlite3.DatabaseError(f"quick_check: {result}")
            error.sqlite_errorname = "SQLITE_CORRUPT"
            raise error
        db.executescript(schema)
        db.execute(f"PRAGMA user_version={version}")
    except sqlite3.Error:
        db.close()
        raise
    return db


def _store_error(exc: sqlite3.Error) -> StoreError:
    if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
        return StoreError(str(exc), code="disk_full")
    return StoreError(f"{type(exc).__name__}: {exc}")


class SqliteOutbox:
    """``OutboxStore`` in one SQLite file. Used from one thread (the serial pool) at a time."""

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int = 500 * 1024 * 1024,
        owner: int | None = None,
        busy_timeout_s: float = 10.0,
    ) -> None:
        self.path = path
        self._max_bytes = max_bytes
        self._busy_timeout_s = busy_timeout_s
        #: Claims are marked with this process id, so another process can tell
        #: a claim in progress (the CLI sending) from one left by a crash.
        self._owner = owner if owner is not None else os.getpid()
        self._db: sqlite3.Connection | None = None
        self._recovery: StoreRecovery | None = None

    # --- opening --------------------------------------------------------------------------

    def open(self) -> None:
        """Open (or create) the file; a damaged one is moved aside and salvaged."""
        if self._db is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db: sqlite3.Connection | None = None
        try:
            db = self._connect(self.path)
            self._check(db)
            self._db = db
            return
        except _Damaged as exc:
            logger.error("outbox %s is damaged (%s); moving it aside", self.path, exc)
        except sqlite3.Error as exc:  # busy, full, unreadable: the file may be fine
            if db is not None:
                db.close()
            raise _store_error(exc) from exc
        if db is not None:
            db.close()
        damaged = move_aside(self.path)
        # Recorded before anything else can fail: the user hears of it either way.
        self._recovery = StoreRecovery(str(damaged), 0)
        try:
            self._db = self._connect(self.path)
        except (sqlite3.Error, _Damaged) as exc:
            raise StoreError(f"a new outbox could not be made: {exc}") from exc
        self._recovery = StoreRecovery(str(damaged), self._salvage(damaged))

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=self._busy_timeout_s
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a queued report survives a power cut
            db.execute("PRAGMA foreign_keys=ON")
            page_size = db.execute("PRAGMA page_size").fetchone()[0]
            db.execute(f"PRAGMA max_page_count={max(self._max_bytes // page_size, 64)}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                # A newer version's reports: left alone for it, never moved aside.
                raise StoreError(f"outbox written by a newer version ({version})")
            if version:  # 0: a new file
                self._upgrade(db)
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            db.close()
            if getattr(exc, "sqlite_errorname", "") in _DAMAGED:
                raise _Damaged(str(exc)) from exc
            raise
        except StoreError:
            db.close()
            raise
        return db

    @staticmethod
    def _upgrade(db: sqlite3.Connection) -> None:
        """Bring a file of an older version up to this one, all or nothing.

        In one write transaction, with the version read again inside it: the
        command line and the tray may open the same old file at once.
        """
        with SqliteOutbox._Tx(db):
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for added in range(version + 1, SCHEMA_VERSION + 1):
                for column in _ADDED_COLUMNS[added]:
                    db.execute(f"ALTER TABLE outbox ADD COLUMN {column}")
                for statement in _CHANGED_ROWS.get(added, ()):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @staticmethod
    def _check(db: sqlite3.Connection) -> None:
        try:
            result = db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", "") in _DAMAGED:
                raise _Damaged(str(exc)) from exc
            raise
        if result != "ok":
            raise _Damaged(f"quick_check: {result}")

    def _salvage(self, damaged: Path) -> int:
        """Copy every report that can still be read from the damaged file; how many."""
        try:
            source = sqlite3.connect(damaged.as_uri() + "?mode=ro", uri=True)
        except sqlite3.Error as exc:
            logger.error("%s cannot be opened: %s", damaged, exc)
            return 0
        with contextlib.closing(source):
            try:
                names = [d[0] for d in source.execute("SELECT * FROM outbox LIMIT 0").description]
                ids = [
                    row[0]
                    for row in source.execute(
                        "SELECT id FROM outbox WHERE state IN (?, ?, ?, ?)",
                        (*_WAITING, OutboxState.REJECTED.value),
                    )
                ]
            except sqlite3.Error as exc:
                logger.error("nothing could be read from %s: %s", damaged, exc)
                return 0
            # One by one: a damaged page costs only the reports stored on it.
            return sum(self._salvage_one(source, names, item_id) for item_id in ids)

    def _salvage_one(self, source: sqlite3.Connection, names: list[str], item_id: int) -> bool:
        assert self._db is not None
        here = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
        try:
            row = source.execute("SELECT * FROM outbox WHERE id = ?", (item_id,)).fetchone()
            values = {
                name: value
                for name, value in zip(names, row, strict=True)
                if name in here and name not in ("id", "claimed_by", "claimed_at")
            }
            if values["state"] == OutboxState.SENDING.value:
                values["state"] = OutboxState.RETRY.value
                values["check_first"] = 1  # it may have reached the desk
            attachments = source.execute(
                "SELECT position, filename, content_type, size, data FROM attachment "
                "WHERE item_id = ? ORDER BY position",
                (item_id,),
            ).fetchall()
            with self._transaction() as db:
                new_id = db.execute(
                    f"INSERT INTO outbox ({', '.join(values)}) "  # noqa: S608 (our column names)
                    f"VALUES ({', '.join('?' for _ in values)})",
                    tuple(values.values()),
                ).lastrowid
                db.executemany(
                    "INSERT INTO attachment (item_id, position, filename, content_type, "
                    "size, data) VALUES (?, ?, ?, ?, ?, ?)",
                    [(new_id, *a) for a in attachments],
                )
        except sqlite3.Error as exc:
            logger.error("report (item %s) could not be salvaged: %s", item_id, exc)
            return False
        logger.info("salvaged report %s (was item %s)", values["key"], item_id)
        return True

    def recovery(self) -> StoreRecovery | None:
        """What opening found when the file was damaged (``None`` when it was fine)."""
        self.open()
        return self._recovery

    def close(self) -> None:
        """Close the file."""
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- transactions ---------------------------------------------------------------------

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
            if kind is None:
                try:
                    self.db.execute("COMMIT")
                except sqlite3.Error:
                    self._roll_back()  # else every later write fails: "within a transaction"
                    raise
            else:
                self._roll_back()

        def _roll_back(self) -> None:
            if self.db.in_transaction:  # SQLite may have rolled back already (disk full)
                self.db.execute("ROLLBACK")

    def _transaction(self) -> SqliteOutbox._Tx:
        self.open()
        assert self._db is not None
        return SqliteOutbox._Tx(self._db)

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        self.open()
        assert self._db is not None
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc

    # --- the port -------------------------------------------------------------------------

    def add(self, report: Report, now: float) -> OutboxItem:
        """Store the report and copies of its attachments in one transaction."""
        try:
            with self._transaction() as db:
                item_id = db.execute(
                    "INSERT INTO outbox (key, created_at, state, subject, description, category, "
                    "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        report.key,
                        now,
                        OutboxState.QUEUED.value,
                        report.subject,
                        report.description,
                        report.queue,  # the column kept its first name
                        now,
                    ),
                ).lastrowid
                db.executemany(
                    "INSERT INTO attachment (item_id, position, filename, content_type, size, "
                    "data) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (item_id, position, a.filename, a.content_type, a.size, a.data)
                        for position, a in enumerate(report.attachments)
                    ],
                )
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"report {report.key} is queued already", code="duplicate") from exc
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc
        assert item_id is not None
        return self._item(item_id)

    def claim_next(self, now: float, exclude: Collection[int] = ()) -> OutboxItem | None:
        """Take the oldest due report and mark it sending, in one write transaction.

        Claims left behind by a process that died (or that outlived their
        lease) are released first, so a killed command line never leaves a
        report "sending" for ever. ``exclude``: reports the user is editing.
        """
        self._release_stale(now)
        held = ",".join(str(int(i)) for i in exclude)
        try:
            with self._transaction() as db:  # BEGIN IMMEDIATE: one claimer at a time
                row = db.execute(
                    "SELECT id FROM outbox WHERE state IN (?, ?) AND next_attempt_at <= ? "
                    f"AND id NOT IN ({held}) ORDER BY created_at, id LIMIT 1",  # noqa: S608 (ints)
                    (OutboxState.QUEUED.value, OutboxState.RETRY.value, now),
                ).fetchone()
                if row is None:
                    return None
                db.execute(
                    "UPDATE outbox SET state = ?, attempts = attempts + 1, claimed_by = ?, "
                    "claimed_at = ? WHERE id = ?",
                    (OutboxState.SENDING.value, self._owner, now, row[0]),
                )
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc
        return self._item(row[0])

    def next_attempt_at(self, exclude: Collection[int] = ()) -> float | None:
        """When the earliest waiting report (not in ``exclude``) becomes due."""
        held = ",".join(str(int(i)) for i in exclude)
        rows = self._query(
            f"SELECT MIN(next_attempt_at) FROM outbox WHERE state IN (?, ?) AND id NOT IN ({held})",  # noqa: S608 (integers only)
            (OutboxState.QUEUED.value, OutboxState.RETRY.value),
        )
        value = rows[0][0] if rows else None
        return float(value) if value is not None else None

    def load_report(self, item_id: int) -> Report:
        """The report as it was queued, with its attachments' bytes."""
        item = self._item(item_id)
        rows = self._query(
            "SELECT filename, content_type, data FROM attachment WHERE item_id = ? "
            "ORDER BY position",
            (item_id,),
        )
        return Report(
            subject=item.subject,
            description=item.description,
            key=item.key,
            queue=item.queue,
            attachments=tuple(
                Attachment(name, kind, bytes(data or b"")) for name, kind, data in rows
            ),
        )

    def save(self, item: OutboxItem, expect: OutboxState | None = None) -> None:
        """Record the item's state; a delivered report's attachment bytes are released.

        Only the report with this id *and* key is changed, and with ``expect``
        only while it is still in that state (another thread or process may
        have moved it on).

        Raises:
            StoreError: ``gone`` when the report is no longer (or no longer so)
                in the outbox; otherwise the disk failed.
        """
        guard = " AND state = ?" if expect is not None else ""
        try:
            with self._transaction() as db:
                changed = db.execute(
                    "UPDATE outbox SET state=?, subject=?, description=?, attempts=?, "
                    "next_attempt_at=?, check_first=?, error_code=?, error_reason=?, "
                    "ticket_id=?, ticket_display=?, refused=?, waiting_for=?, waiting_since=?, "
                    "desk_message=?, claimed_by=NULL, claimed_at=NULL "
                    f"WHERE id=? AND key=?{guard}",  # noqa: S608
                    (
                        item.state.value,
                        item.subject,
                        item.description,
                        item.attempts,
                        item.next_attempt_at,
                        int(item.check_first),
                        item.error_code,
                        item.error_reason,
                        item.ticket.id if item.ticket else None,
                        item.ticket.display if item.ticket else None,
                        json.dumps(item.refused) if item.refused else None,
                        item.waiting_for.value if item.waiting_for else None,
                        item.waiting_since,
                        item.desk_message,
                        item.id,
                        item.key,
                        *((expect.value,) if expect is not None else ()),
                    ),
                ).rowcount
                if item.state is OutboxState.SENT:
                    db.execute("UPDATE attachment SET data = NULL WHERE item_id = ?", (item.id,))
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc
        if not changed:
            raise StoreError(f"report {item.key} is not in the outbox as expected", code="gone")

    def items(self) -> list[OutboxItem]:
        """Every report that has not reached the desk (rejected ones included), oldest first."""
        rows = self._query(
            "SELECT id FROM outbox WHERE state != ? ORDER BY created_at, id",
            (OutboxState.SENT.value,),
        )
        return [self._item(row[0]) for row in rows]

    def sent(self, key: str) -> OutboxItem | None:
        """The delivered item with this report key, if any."""
        rows = self._query(
            "SELECT id FROM outbox WHERE key = ? AND state = ?", (key, OutboxState.SENT.value)
        )
        return self._item(rows[0][0]) if rows else None

    def remove(self, item_id: int) -> None:
        """Forget a report the user cancelled; never one that is on its way.

        Raises:
            StoreError: ``being_sent`` while it is being sent, ``already_sent``
                once the desk has it.
        """
        try:
            with self._transaction() as db:
                removed = db.execute(
                    "DELETE FROM outbox WHERE id = ? AND state IN (?, ?, ?)", (item_id, *_AT_REST)
                ).rowcount
                state = db.execute("SELECT state FROM outbox WHERE id = ?", (item_id,)).fetchone()
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc
        if removed or state is None:
            return  # gone, or gone already
        if state[0] == OutboxState.SENDING.value:
            raise StoreError(f"report {item_id} is being sent", code="being_sent")
        raise StoreError(f"report {item_id} has reached the desk", code="already_sent")

    def due_now(self, now: float) -> int:
        """Every report waiting for a later retry becomes due now."""
        try:
            with self._transaction() as db:
                return db.execute(
                    "UPDATE outbox SET next_attempt_at = ? WHERE state = ? AND next_attempt_at > ?",
                    (now, OutboxState.RETRY.value, now),
                ).rowcount
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc

    def recover(self, now: float) -> int:
        """At start: reports left *sending* by a process that stopped become due again, carefully.

        A claim is released when its process is gone or its lease ran out; a
        claim of another running process (the command line sending right now)
        is left alone. How many were released.
        """
        return self._release_stale(now, own_too=True)

    def _release_stale(self, now: float, *, own_too: bool = False) -> int:
        rows = self._query(
            "SELECT id, claimed_by, claimed_at FROM outbox WHERE state = ?",
            (OutboxState.SENDING.value,),
        )
        stale = [
            item_id
            for item_id, owner, claimed_at in rows
            if owner is None
            or (owner == self._owner and own_too)  # our pid, from before this start
            or (owner != self._owner and not _process_alive(owner))
            or (claimed_at or 0.0) < now - CLAIM_LEASE_S
        ]
        for item_id in stale:
            item = self._item(item_id)
            try:
                self.save(recovered(item, now), expect=OutboxState.SENDING)
            except StoreError as error:
                if error.code != "gone":  # taken care of meanwhile: fine
                    raise
        return len(stale)

    def _item(self, item_id: int) -> OutboxItem:
        rows = self._query(
            "SELECT key, created_at, state, subject, description, category, attempts, "
            "next_attempt_at, check_first, error_code, error_reason, ticket_id, ticket_display, "
            "refused, waiting_for, waiting_since, desk_message "
            "FROM outbox WHERE id = ?",
            (item_id,),
        )
        if not rows:
            raise StoreError(f"no outbox item {item_id}", code="missing")
        (key, created, state, subject, description, queue, attempts, due, check,
         code, reason, ticket_id, ticket_display, refused, waits_for, since,
         desk_words) = rows[0]  # fmt: skip
        files = self._query(
            "SELECT filename, size, content_type FROM attachment WHERE item_id = ? "
            "ORDER BY position",
            (item_id,),
        )
        return OutboxItem(
            id=item_id,
            key=key,
            subject=subject,
            description=description,
            state=OutboxState(state),
            created_at=created,
            attachments=tuple(AttachmentInfo(name, size, kind) for name, size, kind in files),
            queue=queue,
            attempts=attempts,
            next_attempt_at=due,
            check_first=bool(check),
            error_code=code,
            error_reason=reason,
            ticket=TicketRef(ticket_id, ticket_display or "") if ticket_id else None,
            refused=tuple((name, why) for name, why in json.loads(refused)) if refused else (),
            waiting_for=_waiting_for(waits_for),
            waiting_since=since,
            desk_message=desk_words,
        )
