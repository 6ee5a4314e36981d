"""Kill the outbox sender again and again, then prove every report reached the desk once.

Reports (each with a ~200 KB attachment) go into a real SQLite outbox. A
child process (:mod:`tools.outbox_child`) sends them to the real demo desk
and is SIGKILLed, either at a chosen point (marked sending, half-way through
the upload, after the desk stored the ticket but before the outbox recorded
it) or from outside at a random moment of its work. Then it is started again,
as the tray would be. At the end a last run drains the outbox, and the desk's
own database is asked how many tickets each report became.

Used by ``tests/services/test_outbox_crashes.py`` (a short run) and
``bench/crash_harness.py`` (at least 200 kills, counts in docs/performance.md).
"""

from __future__ import annotations

import base64
import json
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client.adapters.store import SqliteOutbox
from client.core.models import Attachment, Report
from demo.deskctl import DemoDesk

REPO = Path(__file__).resolve().parent.parent
#: Where the child kills itself; ``random`` is a SIGKILL from the harness at a random moment.
KILL_POINTS = ("marked_sending", "mid_upload", "created", "random")
#: How long a random kill waits, at most, after the child said it is ready (seconds).
RANDOM_KILL_WINDOW_S = 0.4
#: No single child run may take longer than this (it would mean a hang).
CHILD_TIMEOUT_S = 120.0

# Run inside the desk's own Django (manage.py shell): per title with our tag, the
# number of tickets and the sizes of their attachments.
_COUNT_TICKETS = """
import json
from helpdesk.models import FollowUpAttachment, Ticket
found = {{}}
for title in Ticket.objects.filter(title__startswith={tag!r}).values_list("title", flat=True):
    found.setdefault(title, [0, []])[0] += 1
files = FollowUpAttachment.objects.filter(followup__ticket__title__startswith={tag!r})
for title, size in files.values_list("followup__ticket__title", "size"):
    found[title][1].append(size)
print(json.dumps(found))
"""


@dataclass
class CrashRun:
    """What a harness run did and found."""

    reports: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    #: Child runs that ended by themselves (the outbox was empty before the kill point).
    clean_exits: int = 0
    #: Creations the desk answered "already have it": the sender did not ask first.
    replays: int = 0
    #: Reports whose ticket count in the desk is not exactly one (title -> count).
    wrong_counts: dict[str, int] = field(default_factory=dict)
    #: Reports whose ticket lacks its attachment or holds it cut short (titles).
    damaged: list[str] = field(default_factory=list)
    #: Reports the outbox does not show as delivered after the final drain.
    undelivered: int = 0
    seconds: float = 0.0

    @property
    def total_kills(self) -> int:
        """Kills of every kind."""
        return sum(self.kills.values())

    @property
    def exactly_once(self) -> bool:
        """Every report is at the desk once, recorded as delivered, never re-created."""
        return not (self.wrong_counts or self.damaged or self.undelivered or self.replays)


class ChildFailed(RuntimeError):
    """The sender exited in a way no kill explains; the message carries its error output."""


class CrashHarness:
    """Enqueue, kill, restart, drain and count, against one running demo desk."""

    def __init__(
        self,
        desk: DemoDesk,
        token: str,
        work_dir: Path,
        *,
        seed: int,
        batch: int = 4,
        attachment_bytes: int = 200_000,
        progress: Callable[[str], None] = lambda line: None,
    ) -> None:
        self._desk = desk
        self._token = token
        self._dir = work_dir
        self._rng = random.Random(seed)
        self._batch = batch
        self._attachment_size = attachment_bytes // 4 * 4  # base64: whole groups of four
        self._progress = progress
        self._tag = f"crash-{uuid.uuid4().hex[:8]}"
        self.outbox_path = work_dir / "outbox.sqlite3"
        self.journal = work_dir / "creations.log"
        self._keys: dict[str, str] = {}  # report key -> subject

    def run(self, kills: int) -> CrashRun:
        """Kill the sender at least ``kills`` times, drain, and count what the desk holds."""
        started = time.monotonic()
        result = CrashRun()
        while result.total_kills < kills:
            if not self._waiting():
                self.enqueue(self._batch)
            point = self._next_point(result.kills)
            killed = self.run_sender(point)
            if killed:
                result.kills[point] += 1
            else:
                result.clean_exits += 1
            if result.total_kills and result.total_kills % 25 == 0 and killed:
                self._progress(f"{result.total_kills} kills, {len(self._keys)} reports")
        self.drain(result)
        result.seconds = time.monotonic() - started
        return result

    def drain(self, result: CrashRun | None = None) -> CrashRun:
        """Let the sender finish undisturbed, then count what the desk and the outbox hold."""
        result = result or CrashRun()
        if self.run_sender("none"):
            raise ChildFailed("the final drain was killed")
        result.reports = len(self._keys)
        result.replays = self._replays()
        result.undelivered = self._undelivered()
        result.wrong_counts, result.damaged = self._desk_contents()
        return result

    def _next_point(self, kills: Counter[str]) -> str:
        """The kill point hit least so far (ties broken at random): every point gets its share."""
        fewest = min(kills[point] for point in KILL_POINTS)
        return self._rng.choice([point for point in KILL_POINTS if kills[point] == fewest])

    # --- the outbox ----------------------------------------------------------------------

    def _waiting(self) -> int:
        store = SqliteOutbox(self.outbox_path)
        try:
            return len([item for item in store.items() if item.state.waiting])
        finally:
            store.close()

    def enqueue(self, count: int) -> None:
        """Queue ``count`` new reports, each with its attachment."""
        store = SqliteOutbox(self.outbox_path)
        try:
            for _ in range(count):
                number = len(self._keys) + 1
                text = base64.b64encode(self._rng.randbytes(self._attachment_size * 3 // 4))
                report = Report(
                    subject=f"{self._tag} report {number}",
                    description=f"Crash harness report {number}.",
                    attachments=(Attachment("diagnostics.txt", "text/plain", text),),
                )
                store.add(report, time.time())
                self._keys[report.key] = report.subject
        finally:
            store.close()

    def _undelivered(self) -> int:
        store = SqliteOutbox(self.outbox_path)
        try:
            return sum(1 for key in self._keys if store.sent(key) is None)
        finally:
            store.close()

    # --- the child -----------------------------------------------------------------------

    def run_sender(self, point: str, after: int | None = None) -> bool:
        """One sender run, to die at ``point`` (the ``after``-th time; random when None).

        Returns True when it was SIGKILLed, False when it emptied the outbox.
        """
        at = "none" if point == "random" else point
        stderr_path = self._dir / "child.err"
        with stderr_path.open("wb") as stderr:
            child = subprocess.Popen(
                [
                    sys.executable, "-m", "tools.outbox_child",
                    str(self.outbox_path), self._desk.base_url, self._token, str(self.journal),
                    "--kill-at", at, "--kill-after", str(after or self._rng.randint(1, 3)),
                ],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )  # fmt: skip
            assert child.stdout is not None
            ready = child.stdout.readline().strip() == b"ready"
            if point == "random" and ready:
                try:
                    child.wait(timeout=self._rng.uniform(0, RANDOM_KILL_WINDOW_S))
                except subprocess.TimeoutExpired:
                    child.kill()
            try:
                code = child.wait(timeout=CHILD_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                raise ChildFailed(f"the sender hung ({point})") from None
            finally:
                child.stdout.close()
        if code == -signal.SIGKILL:
            return True
        if code == 0 and ready:
            return False
        raise ChildFailed(
            f"the sender exited with {code} ({point}):\n"
            + stderr_path.read_text(errors="replace")[-4000:]
        )

    # --- the desk ------------------------------------------------------------------------

    def _replays(self) -> int:
        if not self.journal.exists():
            return 0
        lines = self.journal.read_text(encoding="ascii").splitlines()
        return sum(1 for line in lines if line.split()[0] == "200")

    def _desk_contents(self) -> tuple[dict[str, int], list[str]]:
        """Reports not filed exactly once, and reports whose attachment did not arrive whole."""
        output = self._desk.manage("shell", "-c", _COUNT_TICKETS.format(tag=self._tag))
        found: dict[str, list[Any]] = json.loads(output.strip().splitlines()[-1])
        wrong = {}
        damaged = []
        for subject in self._keys.values():
            tickets, sizes = found.get(subject, [0, []])
            if tickets != 1:
                wrong[subject] = tickets
            elif sizes != [self._attachment_size]:
                damaged.append(subject)
        return wrong, damaged
