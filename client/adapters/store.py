"""The outbox on disk: one SQLite file (WAL), every report and its attachments in one transaction.

A report is on disk before any network call, with copies of its attachments,
so neither a crash nor a file deleted meanwhile can lose it. A damaged file is
moved aside (never deleted), what can still be read from it is carried over,
and the caller is told.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from client.core.errors import StoreError
from client.core.models import Attachment, AttachmentInfo, Report, TicketRef
from client.core.outbox import OutboxItem, OutboxState, StoreRecovery, recovered

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    state TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL,
    check_first INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_reason TEXT,
    ticket_id TEXT,
    ticket_display TEXT
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
    ) -> None:
        self.path = path
        self._max_bytes = max_bytes
        self._db: sqlite3.Connection | None = None
        self._recovery: StoreRecovery | None = None

    # --- opening --------------------------------------------------------------------------

    def open(self) -> None:
        """Open (or create) the file; a damaged one is moved aside and salvaged."""
        if self._db is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect(self.path)
            self._check(self._db)
        except sqlite3.DatabaseError as exc:
            logger.error("outbox %s is damaged (%s); moving it aside", self.path, exc)
            if self._db is not None:
                self._db.close()
                self._db = None
            damaged = self._move_aside()
            self._db = self._connect(self.path)
            salvaged = self._salvage(damaged)
            self._recovery = StoreRecovery(str(damaged), salvaged)

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # a queued report survives a power cut
        db.execute("PRAGMA foreign_keys=ON")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        db.execute(f"PRAGMA max_page_count={max(self._max_bytes // page_size, 64)}")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"outbox written by a newer version ({version})")
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return db

    @staticmethod
    def _check(db: sqlite3.Connection) -> None:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {result}")

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        damaged = self.path.with_name(f"{self.path.stem}-damaged-{stamp}{self.path.suffix}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                source.rename(f"{damaged}{suffix}")
        return damaged

    def _salvage(self, damaged: Path) -> int:
        """Copy every report that can still be read from the damaged file."""
        salvaged = 0
        try:
            source = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
        except sqlite3.Error:
            return 0
        try:
            rows = source.execute(
                "SELECT * FROM outbox WHERE state IN (?, ?, ?, ?)", (*_WAITING, "rejected")
            ).fetchall()
            names = [d[0] for d in source.execute("SELECT * FROM outbox LIMIT 0").description]
        except sqlite3.Error as exc:
            logger.error("nothing could be read from %s: %s", damaged, exc)
            source.close()
            return 0
        assert self._db is not None
        for row in rows:
            values = dict(zip(names, row, strict=True))
            try:
                attachments = source.execute(
                    "SELECT position, filename, content_type, size, data FROM attachment "
                    "WHERE item_id = ? ORDER BY position",
                    (values["id"],),
                ).fetchall()
                with self._transaction() as db:
                    old_id = values.pop("id")
                    columns = ", ".join(values)
                    marks = ", ".join("?" for _ in values)
                    new_id = db.execute(
                        f"INSERT INTO outbox ({columns}) VALUES ({marks})",  # noqa: S608
                        tuple(values.values()),
                    ).lastrowid
                    db.executemany(
                        "INSERT INTO attachment (item_id, position, filename, content_type, "
                        "size, data) VALUES (?, ?, ?, ?, ?, ?)",
                        [(new_id, *a) for a in attachments],
                    )
                salvaged += 1
                logger.info("salvaged report %s (was item %s)", values["key"], old_id)
            except sqlite3.Error as exc:
                logger.error("report %s could not be salvaged: %s", values.get("key"), exc)
        source.close()
        return salvaged

    def recovery(self) -> StoreRecovery | None:
        """What opening found when the file was damaged (``None`` when it was fine)."""
        self.open()
        return self._recovery

    def db_mode(self) -> str:
        """The journal mode in use (``wal``)."""
        return str(self._query("PRAGMA journal_mode")[0][0])

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
                self.db.execute("COMMIT")
            elif self.db.in_transaction:  # SQLite may have rolled back already (disk full)
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
                        report.category,
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

    def claim_next(self, now: float) -> OutboxItem | None:
        """Take the oldest due report and mark it sending, in one write transaction."""
        try:
            with self._transaction() as db:  # BEGIN IMMEDIATE: one claimer at a time
                row = db.execute(
                    "SELECT id FROM outbox WHERE state IN (?, ?) AND next_attempt_at <= ? "
                    "ORDER BY created_at, id LIMIT 1",
                    (OutboxState.QUEUED.value, OutboxState.RETRY.value, now),
                ).fetchone()
                if row is None:
                    return None
                db.execute(
                    "UPDATE outbox SET state = ?, attempts = attempts + 1 WHERE id = ?",
                    (OutboxState.SENDING.value, row[0]),
                )
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc
        return self._item(row[0])

    def next_attempt_at(self) -> float | None:
        """When the earliest waiting report becomes due."""
        rows = self._query(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE state IN (?, ?)",
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
            category=item.category,
            attachments=tuple(
                Attachment(name, kind, bytes(data or b"")) for name, kind, data in rows
            ),
        )

    def save(self, item: OutboxItem) -> None:
        """Record the item's state; a delivered report's attachment bytes are released."""
        try:
            with self._transaction() as db:
                db.execute(
                    "UPDATE outbox SET state=?, subject=?, description=?, attempts=?, "
                    "next_attempt_at=?, check_first=?, error_code=?, error_reason=?, "
                    "ticket_id=?, ticket_display=? WHERE id=?",
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
                        item.id,
                    ),
                )
                if item.state is OutboxState.SENT:
                    db.execute("UPDATE attachment SET data = NULL WHERE item_id = ?", (item.id,))
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc

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
        """Forget a report (the user cancelled it)."""
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc

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
        """Items left *sending* by a run that stopped mid-attempt become due again, carefully."""
        rows = self._query("SELECT id FROM outbox WHERE state = ?", (OutboxState.SENDING.value,))
        for (item_id,) in rows:
            self.save(recovered(self._item(item_id), now))
        return len(rows)

    def _item(self, item_id: int) -> OutboxItem:
        rows = self._query(
            "SELECT key, created_at, state, subject, description, category, attempts, "
            "next_attempt_at, check_first, error_code, error_reason, ticket_id, ticket_display "
            "FROM outbox WHERE id = ?",
            (item_id,),
        )
        if not rows:
            raise StoreError(f"no outbox item {item_id}", code="missing")
        (key, created, state, subject, description, category, attempts, due, check,
         code, reason, ticket_id, ticket_display) = rows[0]  # fmt: skip
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
            category=category,
            attempts=attempts,
            next_attempt_at=due,
            check_first=bool(check),
            error_code=code,
            error_reason=reason,
            ticket=TicketRef(ticket_id, ticket_display or "") if ticket_id else None,
        )
