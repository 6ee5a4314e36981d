"""``python -m bench`` (``make bench``): run the benchmarks, save and print the results.

``--only startup,crash,latency,report,idle,rt,redmine,connections,profile,panel,search,trend,``
``health,health-idle,bundle`` picks some; all run by default.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psutil

from bench import (
    bundle,
    connections,
    crash_kills,
    health_idle,
    health_pass,
    idle_polls,
    loop_latency,
    panel_open,
    profile_refresh,
    redmine_desk,
    report_evidence,
    rt_desk,
    search_quality,
    startup_memory,
    trend_rates,
)

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARKS = (
    "startup", "crash", "latency", "report", "idle", "rt", "redmine", "connections", "profile",
    "panel", "search", "trend", "health", "health-idle", "bundle",
)  # fmt: skip


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": psutil.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyside6": version("PySide6-Essentials"),
    }


def parse(argv: list[str]) -> argparse.Namespace:
    """The options of every benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset")
    parser.add_argument("--rounds", type=int, default=9, help="start-ups of each program")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds idle before measuring")
    parser.add_argument(
        "--with-profile", action="store_true", help="startup: the policy names a signed profile"
    )
    parser.add_argument("--memory-runs", type=int, default=5, help="pairs measured for memory")
    parser.add_argument(
        "--used-idle", type=float, default=300.0, help="seconds idle after first use (0: skip)"
    )
    parser.add_argument("--kills", type=int, default=200, help="SIGKILLs of the outbox sender")
    parser.add_argument("--seed", type=int, default=None, help="crash harness seed")
    parser.add_argument("--fault-rounds", type=int, default=5, help="passes over every fault")
    parser.add_argument("--report-rounds", type=int, default=21, help="grabs and snapshots")
    parser.add_argument("--idle-hours", type=int, default=24, help="simulated idle hours")
    parser.add_argument(
        "--rt-rounds", type=int, default=9, help="rounds of each RT and Redmine operation"
    )
    parser.add_argument(
        "--delay-trials", type=int, default=6, help="changes timed from desk to client"
    )
    parser.add_argument(
        "--connection-minutes", type=float, default=10.0, help="real minutes of the app"
    )
    parser.add_argument("--panel-starts", type=int, default=5, help="fresh starts, panel")
    parser.add_argument("--panel-warm", type=int, default=5, help="warm opens per start")
    parser.add_argument(
        "--health-minutes", type=float, default=10.0, help="real idle minutes, health on and off"
    )
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    return args


def main() -> int:
    """Run, save the JSON record under bench/results/, print a Markdown summary."""
    args = parse(sys.argv[1:])
    chosen = args.only.split(",")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    record: dict[str, object] = {"date": stamp, "machine": machine()}
    lines = [f"{stamp} on {record['machine']}"]
    if "startup" in chosen:
        startup = startup_memory.run(
            args.rounds, args.idle, args.memory_runs, args.used_idle, args.with_profile
        )
        record["startup_memory"] = startup.as_dict()
        lines += ["", *startup.table()]
    if "crash" in chosen:
        crash = crash_kills.run(args.kills, args.seed)
        record["crash_harness"] = crash.as_dict()
        lines += ["", *crash.table()]
    if "report" in chosen:
        evidence = report_evidence.run(args.report_rounds)
        record["report_evidence"] = evidence.as_dict()
        lines += ["", *evidence.table()]
    if "idle" in chosen:
        idle = idle_polls.run(args.idle_hours, args.seed, trials=args.delay_trials)
        record["idle_polls"] = idle.as_dict()
        lines += ["", *idle.table()]
    if "rt" in chosen:
        tracker = rt_desk.run(args.rt_rounds)
        record["rt_desk"] = tracker.as_dict()
        lines += ["", *tracker.table()]
    if "redmine" in chosen:
        issues = redmine_desk.run(args.rt_rounds)
        record["redmine_desk"] = issues.as_dict()
        lines += ["", *issues.table()]
    if "connections" in chosen:
        sockets = connections.run(args.connection_minutes)
        record["connections"] = sockets.as_dict()
        lines += ["", *sockets.table()]
    if "profile" in chosen:
        profile = profile_refresh.run()
        record["profile_refresh"] = profile.as_dict()
        lines += ["", *profile.table()]
    if "panel" in chosen:
        panel = panel_open.run(args.panel_starts, args.panel_warm)
        record["panel_open"] = panel.as_dict()
        lines += ["", *panel.table()]
    if "search" in chosen:
        search = search_quality.run()
        record["search_quality"] = search.as_dict()
        lines += ["", *search.table()]
    if "trend" in chosen:
        trend = trend_rates.run(seed=14 if args.seed is None else args.seed)
        record["trend_rates"] = trend
        lines += ["", *trend_rates.table(trend)]
    if "health" in chosen:
        health = health_pass.run()
        record["health_pass"] = health.as_dict()
        lines += ["", *health.table()]
    if "health-idle" in chosen:
        quiet = health_idle.run(args.health_minutes)
        fleet = health_idle.fleet()
        record["health_idle"] = {"cpu": quiet.as_dict(), "desk_requests": fleet}
        lines += ["", *health_idle.table(quiet, fleet)]
    if "bundle" in chosen:
        frozen = bundle.run(args.rounds, args.idle, args.memory_runs)
        record["bundle"] = frozen.as_dict()
        lines += ["", *frozen.table()]
    if "latency" in chosen:
        latency = loop_latency.run(args.fault_rounds)
        record["loop_latency"] = latency.as_dict()
        lines += ["", *latency.table()]
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    sys.stdout.write("\n".join([*lines, "", f"saved {path}"]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
