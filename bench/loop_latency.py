"""The GUI thread while the network misbehaves: the longest event-loop stall.

The wired-up app on its real thread pools reports through every fault of the
fault proxy, several rounds, to a real demo desk; an event-loop probe times
the GUI thread every 10 ms. Budget (architecture §12): no stall over 50 ms.
It runs in a process of its own (``tests/support/latency_scenario.py``).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from client.services.latency import STALL_THRESHOLD_MS
from demo.deskctl import temporary_desk
from tests.support.latency_scenario import LatencyRun, measure


@dataclass
class Result:
    """The run's stalls."""

    rounds: int
    run: LatencyRun

    @property
    def p99_ms(self) -> float:
        """99th percentile of the per-tick lateness."""
        return statistics.quantiles(self.run.samples, n=100)[98]

    def worst(self) -> tuple[str, float]:
        """The fault under which the longest stall happened."""
        worst = max(self.run.faults, key=lambda f: f.max_stall_ms)
        return worst.fault, worst.max_stall_ms

    def table(self) -> list[str]:
        """Markdown rows."""
        fault, worst = self.worst()
        return [
            "| measure | value | budget |",
            "|---|---|---|",
            f"| reports through a fault, then delivered | {self.run.reports_delivered} "
            f"({self.rounds} rounds of {len(self.run.faults) // self.rounds} faults) | |",
            f"| probe ticks (every 10 ms) | {self.run.ticks} | |",
            f"| longest GUI-thread stall | {self.run.max_stall_ms:.1f} ms (under {fault}) "
            f"| < {STALL_THRESHOLD_MS:.0f} ms |",
            f"| 99th percentile lateness | {self.p99_ms:.1f} ms | |",
            f"| median lateness | {statistics.median(self.run.samples):.2f} ms | |",
        ]

    def as_dict(self) -> dict[str, object]:
        """For the JSON record (without the raw samples)."""
        return {
            "rounds": self.rounds,
            "reports_delivered": self.run.reports_delivered,
            "ticks": self.run.ticks,
            "max_stall_ms": self.run.max_stall_ms,
            "p99_ms": self.p99_ms,
            "per_fault_max_ms": {f"{i}:{f.fault}": f.max_stall_ms for i, f in
                                 enumerate(self.run.faults)},
        }  # fmt: skip


def run(rounds: int) -> Result:
    """Start a demo desk, then the app and a fault proxy in a fresh process (offscreen)."""
    with temporary_desk() as desk:
        token = desk.token_for("anna", "demo-employee")
        return Result(rounds, measure(desk.base_url, token, rounds, timeout_s=1800))
