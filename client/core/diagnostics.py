"""The diagnostics snapshot: its versioned schema, and what an agent reads first.

The snapshot is a JSON document (``diagnostics.json`` on the ticket) taken at
the moment the user clicks "Report". Its JSON Schema is
``client/core/diagnostics_schema.py`` (not loaded by the app: the tests and
the docs use it), written out for people in docs/diagnostics.md;
:func:`facts` picks the few findings that go at the top of the ticket text.
Collecting is I/O and lives in ``client/adapters/sysinfo.py``; this module is
pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA_ID = "helpdesk-tray/diagnostics"
VERSION = 1
FILE_NAME = "diagnostics.json"
CONTENT_TYPE = "application/json"
#: The desk's reachability is given at most this long (seconds).
PROBE_CAP_S = 2.0
#: Lines of the app's own log that travel along.
LOG_LINES = 200
#: Processes listed by CPU and by memory.
TOP_PROCESSES = 10


def desk_unknown(host: str, port: int, via_proxy: bool, problem: str) -> dict[str, Any]:
    """The ``network.desk`` section when the desk could not be checked (``problem`` says why)."""
    return {
        "host": host,
        "port": port,
        "via_proxy": via_proxy,
        "dns_ms": None,
        "addresses": [],
        "tcp_ms": None,
        "reachable": False,
        "problem": problem,
    }


@dataclass(frozen=True)
class ProbeTarget:
    """Where the desk check connects first: the desk itself, or the proxy in effect."""

    host: str
    port: int
    via_proxy: bool


def desk_timed_out(target: ProbeTarget | None, cap_s: float) -> dict[str, Any]:
    """The ``network.desk`` section when the check gave no answer within ``cap_s`` seconds.

    ``target`` is ``None`` when not even where to connect was known by then
    (finding the proxy may itself wait for a name lookup).
    """
    problem = f"timeout: no answer within {cap_s:g} s"
    if target is None:
        return desk_unknown("", 0, False, problem)
    return desk_unknown(target.host, target.port, target.via_proxy, problem)


def assemble(local: Mapping[str, Any], desk: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot: what the computer said about itself, plus the desk check."""
    document = dict(local)
    document["network"] = {**local["network"], "desk": dict(desk)}
    return document


def to_json(document: Mapping[str, Any]) -> bytes:
    """The file that travels with the ticket (UTF-8, indented for people)."""
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Fact:
    """One finding worth an agent's first glance; ``code`` is put in words by the UI."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)


#: Thresholds above which a finding is worth mentioning at all.
BUSY_CPU_PERCENT = 80.0
FULL_SWAP_PERCENT = 50.0
LOW_BATTERY_PERCENT = 30.0
LONG_UPTIME_DAYS = 7


def facts(document: Mapping[str, Any]) -> list[Fact]:
    """What goes at the top of the ticket text: fullest disk, memory, the desk; more if unusual."""
    found: list[Fact] = []
    disks = [d for d in document.get("disks", []) if d.get("total_bytes")]
    if disks:
        fullest = min(disks, key=lambda d: d["free_bytes"] / d["total_bytes"])
        free = 100.0 * fullest["free_bytes"] / fullest["total_bytes"]
        found.append(Fact("disk_free", {"mount": fullest["mount"], "percent": round(free)}))
    memory = document.get("memory")
    if memory:
        found.append(Fact("memory_used", {"percent": round(memory["used_percent"])}))
        if memory["swap_total_bytes"] and memory["swap_used_percent"] >= FULL_SWAP_PERCENT:
            found.append(Fact("swap_used", {"percent": round(memory["swap_used_percent"])}))
    cpu = document.get("cpu") or {}
    if (cpu.get("load_percent") or 0.0) >= BUSY_CPU_PERCENT:
        found.append(Fact("cpu_busy", {"percent": round(cpu["load_percent"])}))
    battery = document.get("battery")
    if battery and not battery["plugged_in"] and battery["percent"] < LOW_BATTERY_PERCENT:
        found.append(Fact("battery_low", {"percent": round(battery["percent"])}))
    uptime = document.get("uptime_s")
    if uptime is not None and uptime >= LONG_UPTIME_DAYS * 86400:
        found.append(Fact("uptime_days", {"days": int(uptime // 86400)}))
    desk = document.get("network", {}).get("desk")
    if desk is not None and desk["host"]:
        if desk["reachable"]:
            found.append(Fact("desk_reachable", {"ms": round(desk["tcp_ms"] or 0.0)}))
        else:
            found.append(Fact("desk_unreachable", {"problem": desk["problem"] or ""}))
    return found
