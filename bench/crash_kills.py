"""The crash harness at full length: at least 200 SIGKILLs of the sender, then count.

Every kill point gets an equal share (before sending, half-way through the
upload, after the desk stored the ticket but before the outbox recorded it,
and from outside at a random moment); the desk's database then says how many
tickets each report became. ``tests/services/test_outbox_crashes.py`` runs
the short version.
"""

from __future__ import annotations

import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from demo.deskctl import temporary_desk
from tools.crash_harness import KILL_POINTS, CrashHarness, CrashRun


@dataclass
class Result:
    """One harness run and the seed that reproduces its choices."""

    seed: int
    run: CrashRun

    def table(self) -> list[str]:
        """Markdown rows."""
        run = self.run
        kills = ", ".join(f"{point} {run.kills[point]}" for point in KILL_POINTS)
        verdict = "yes" if run.exactly_once else "**no**"
        return [
            "| measure | value |",
            "|---|---|",
            f"| SIGKILLs of the sender | {run.total_kills} ({kills}) |",
            f"| sender runs that ended on their own | {run.clean_exits} |",
            f"| reports (~200 KB attachment each) | {run.reports} |",
            f"| reports at the desk not exactly once | {len(run.wrong_counts)} |",
            f"| tickets with a missing or cut attachment | {len(run.damaged)} |",
            f"| reports the outbox does not know as delivered | {run.undelivered} |",
            f"| creations the desk had to deduplicate | {run.replays} |",
            f"| every report exactly once | {verdict} |",
            f"| wall time | {run.seconds:.0f} s (seed {self.seed}) |",
        ]

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        run = self.run
        return {
            "seed": self.seed,
            "kills": dict(run.kills),
            "total_kills": run.total_kills,
            "clean_exits": run.clean_exits,
            "reports": run.reports,
            "wrong_counts": run.wrong_counts,
            "damaged": run.damaged,
            "undelivered": run.undelivered,
            "replays": run.replays,
            "exactly_once": run.exactly_once,
            "seconds": run.seconds,
        }


def run(kills: int, seed: int | None = None) -> Result:
    """Start a demo desk and kill the sender at least ``kills`` times."""
    seed = random.randrange(2**32) if seed is None else seed
    with (
        tempfile.TemporaryDirectory(prefix="helpdesk-tray-crash-") as tmp,
        temporary_desk() as desk,
    ):
        token = desk.token_for("anna", "demo-employee")
        harness = CrashHarness(
            desk, token, Path(tmp), seed=seed, progress=lambda line: print(line, file=sys.stderr)
        )
        return Result(seed, harness.run(kills))
