"""What a health pass costs: its built-in checks, the name lookup, the helper process.

The tray runs a health pass about every 15 minutes, in a short-lived helper
process (``helpdesk-tray --health-helper``, ``client/adapters/health_helper.py``).

- **Checks:** ``passes`` passes of ``client.adapters.health_probe.measure``
  in this process, each handing its counters to the next and 15 minutes
  later by the clock it is given (so the CPU sensors compare, as in use);
  ``took_checks_ms`` each time. The first pass is left out of the median
  (it asks systemd for the boot time, once per boot). Budget: ≤ 50 ms median.
- **Network:** the desk's name lookup alone (``localhost``), apart.
- **Helper process:** the real helper, ``helper_runs`` times against one
  history file, as the tray starts it: wall time from start to exit and the
  CPU time it used (user + system, Python's start included), and what that
  costs per hour at one pass per 15 minutes, as a share of one core.
- **Fix checks:** the real fix check helper (``--fix-check-helper``,
  ``client/adapters/fix_checks.py``), ``fix_check_runs`` times, checking
  :data:`FIX_CHECKS` fixes of a kept profile whose detection is ``exit 0``:
  its start, the profile's reading, one fix helper per fix and the record's
  writes, wall time and CPU (its children's included). As root the fix helper
  refuses to run a script, after its own start: a script's own time is IT's.

``python -m bench --only health``.
"""

from __future__ import annotations

import hashlib
import json
import resource
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client import FIX_CHECK_HELPER_FLAG
from client.adapters.fix_runner import fix_helper_command
from client.adapters.health_helper import health_helper_command
from client.adapters.health_probe import measure
from client.adapters.helper_process import helper_command
from client.adapters.profile_store import ProfileStore
from client.core.reading import FORMAT

ROOT = Path(__file__).resolve().parent.parent
BUDGET_CHECKS_MS = 50.0
PASS_INTERVAL_S = 15 * 60
PASSES_PER_HOUR = 3600 / PASS_INTERVAL_S
#: Fixes in the kept profile the fix check helper checks, and how often it runs (hours).
FIX_CHECKS = 4
FIX_CHECK_EVERY_H = 6


def _p90(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]
    )


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "p90": round(_p90(values), 2),
        "max": round(max(values), 2),
    }


@dataclass
class Result:
    """Checks, the name lookup, and the helper process, each as median, p90 and max."""

    passes: int
    helper_runs: int
    checks_ms: list[float] = field(default_factory=list)
    sensors_ms: dict[str, float] = field(default_factory=dict)
    network_ms: list[float] = field(default_factory=list)
    helper_wall_ms: list[float] = field(default_factory=list)
    helper_cpu_ms: list[float] = field(default_factory=list)
    helper_checks_ms: list[float] = field(default_factory=list)
    fix_check_runs: int = 5
    fix_check_wall_ms: list[float] = field(default_factory=list)
    fix_check_cpu_ms: list[float] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def cpu_percent_per_hour(self) -> float:
        """The helper's CPU time per hour at one pass per 15 minutes, in % of one core."""
        cpu_s = statistics.median(self.helper_cpu_ms) / 1000.0
        return 100.0 * cpu_s * PASSES_PER_HOUR / 3600.0

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        return {
            "passes": self.passes,
            "helper_runs": self.helper_runs,
            "checks_ms": _summary(self.checks_ms),
            "checks_budget_ms": BUDGET_CHECKS_MS,
            "sensors_median_ms": self.sensors_ms,
            "network_ms": _summary(self.network_ms),
            "helper_wall_ms": _summary(self.helper_wall_ms),
            "helper_cpu_ms": _summary(self.helper_cpu_ms),
            "helper_checks_ms": _summary(self.helper_checks_ms),
            "fix_checks": FIX_CHECKS,
            "fix_check_wall_ms": _summary(self.fix_check_wall_ms),
            "fix_check_cpu_ms": _summary(self.fix_check_cpu_ms),
            "per_hour": {
                "passes": PASSES_PER_HOUR,
                "cpu_s": round(statistics.median(self.helper_cpu_ms) / 1000 * PASSES_PER_HOUR, 3),
                "cpu_percent_of_one_core": round(self.cpu_percent_per_hour(), 4),
            },
            "skipped": self.skipped,
        }

    def table(self) -> list[str]:
        """Markdown rows for docs/performance.md."""
        checks, network = _summary(self.checks_ms), _summary(self.network_ms)
        wall, cpu = _summary(self.helper_wall_ms), _summary(self.helper_cpu_ms)
        inside = _summary(self.helper_checks_ms)
        fix_wall, fix_cpu = _summary(self.fix_check_wall_ms), _summary(self.fix_check_cpu_ms)
        slowest = sorted(self.sensors_ms.items(), key=lambda item: -item[1])[:3]
        return [
            "| health pass | median | p90 | budget |",
            "|---|---|---|---|",
            f"| **built-in checks, in process** ({self.passes} passes) | **{checks['median']} ms** "
            f"| {checks['p90']} ms | ≤ {BUDGET_CHECKS_MS:.0f} ms |",
            f"| slowest sensors (median) | "
            f"{', '.join(f'{name} {ms} ms' for name, ms in slowest)} | | |",
            f"| desk name lookup (apart) | {network['median']} ms | {network['p90']} ms | |",
            f"| helper process, start to exit ({self.helper_runs} runs) | {wall['median']} ms "
            f"| {wall['p90']} ms | |",
            f"| helper process, CPU time (user + system) | {cpu['median']} ms "
            f"| {cpu['p90']} ms | |",
            f"| checks inside the helper (took_ms.checks) | {inside['median']} ms "
            f"| {inside['p90']} ms | |",
            f"| CPU per hour at one pass per {PASS_INTERVAL_S // 60} min | "
            f"{self.cpu_percent_per_hour():.4f} % of a core | | |",
            f"| fix check helper, {FIX_CHECKS} fixes, start to exit ({self.fix_check_runs} runs) "
            f"| {fix_wall['median']} ms | {fix_wall['p90']} ms | |",
            f"| fix check helper, CPU time (its fix helpers included) | {fix_cpu['median']} ms "
            f"| {fix_cpu['p90']} ms | |",
        ]


def _in_process(result: Result, scratch: Path) -> None:
    now = time.time()
    counters: dict[str, Any] = {}
    by_sensor: dict[str, list[float]] = {}
    for index in range(result.passes + 1):
        measured = measure(
            counters,
            desk_host="",
            now=now + index * PASS_INTERVAL_S,
            network=False,
            scratch=scratch,
        )
        counters = measured.counters
        if index == 0:
            continue  # the boot time is asked once per boot: on this pass
        result.checks_ms.append(measured.took_checks_ms)
        for name, took in measured.timings.items():
            by_sensor.setdefault(name, []).append(took)
        result.skipped = measured.skipped
    result.sensors_ms = {name: round(statistics.median(v), 3) for name, v in by_sensor.items()}
    for _ in range(10):
        lookup = measure({}, desk_host="localhost", now=now, network=True, sensors=())
        result.network_ms.append(lookup.took_network_ms)


def _helper(result: Result, history: Path) -> None:
    now = time.time()
    for index in range(result.helper_runs):
        request = {
            "history": str(history),
            "desk_host": "",
            "network": False,
            "tray_start_s": None,
            "now": now + index * PASS_INTERVAL_S,
            "utc_offset_s": 0,
        }
        wall, cpu, answer = _timed(health_helper_command(), request)
        result.helper_wall_ms.append(wall)
        result.helper_cpu_ms.append(cpu)
        result.helper_checks_ms.append(float(json.loads(answer)["took_ms"]["checks"]))


def _fix_checks(result: Result, scratch: Path) -> None:
    script = b"exit 0\n"
    pinned = {"sha256": hashlib.sha256(script).hexdigest(), "length": len(script)}
    fixes = [
        {"id": f"fix-{n}", "title": "A fix", "changes": "Nothing.", "timeout": 30,
         "scripts": {"linux": {"interpreter": "sh", "detect": {"file": f"f{n}/d.sh", **pinned},
                               "fix": {"file": f"f{n}/f.sh", **pinned}}}}
        for n in range(FIX_CHECKS)
    ]  # fmt: skip
    files = {f"f{n}/{name}.sh": script for n in range(FIX_CHECKS) for name in ("d", "f")}
    document = {"format": FORMAT, "version": 1, "fixes": fixes}
    ProfileStore(scratch / "profile").save(document, files, time.time())
    request = {
        "profile": str(scratch / "profile"), "record": str(scratch / "record.sqlite3"),
        "enabled": True, "verified": True, "due": [fix["id"] for fix in fixes],
        "command": fix_helper_command(),  # as the tray's own: it weighs its rights itself
    }  # fmt: skip
    for _ in range(result.fix_check_runs):
        wall, cpu, _out = _timed(helper_command(FIX_CHECK_HELPER_FLAG), request)
        result.fix_check_wall_ms.append(wall)
        result.fix_check_cpu_ms.append(cpu)


def _timed(command: list[str], request: dict[str, Any]) -> tuple[float, float, str]:
    """Run a helper on ``request``: wall and CPU time (ms, its children's included), its answer."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own helper
        command, input=json.dumps(request), capture_output=True, text=True, cwd=ROOT,
        timeout=120, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return round(wall * 1000, 2), round(cpu * 1000, 2), done.stdout


def run(passes: int = 30, helper_runs: int = 10, fix_check_runs: int = 5) -> Result:
    """Measure the checks in this process, then the real helper processes."""
    result = Result(passes, helper_runs, fix_check_runs=fix_check_runs)
    with tempfile.TemporaryDirectory(prefix="helpdesk-tray-health-bench-") as tmp:
        _in_process(result, Path(tmp))
        _helper(result, Path(tmp) / "health.sqlite3")
        _fix_checks(result, Path(tmp))
    return result


if __name__ == "__main__":
    print(json.dumps(run().as_dict(), indent=2))  # noqa: T201
