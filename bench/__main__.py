"""``python -m bench`` (``make bench``): run the benchmarks, save and print the results."""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psutil

from bench import startup_memory

RESULTS = Path(__file__).resolve().parent / "results"


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


def main() -> int:
    """Run, save the JSON record under bench/results/, print a Markdown summary."""
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    result = startup_memory.main(sys.argv[1:])
    record = {"date": stamp, "machine": machine(), "startup_memory": result.as_dict()}
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    lines = [f"{stamp} on {record['machine']}", "", *result.table(), "", f"saved {path}"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
