"""One health pass's measurements: disk, memory, CPU, battery, crashes, responsiveness.

Runs in the health helper process only (``client/adapters/health_helper.py``):
psutil never enters the tray. Each sensor is a function of its own, run in
isolation: whatever it raises (access denied, a missing ``/proc`` file, an
odd value) leaves that sensor out with a short "name: reason" in
``skipped``, and the others go on. Sensors that measure "since the previous
pass" (CPU, memory pressure) keep counters the helper stores and hands back
next time; on the first pass they have nothing to say.

Metric names are fixed: the tray's rules use them (``client/core/health.py``).
Percentages are 0-100; ``cpu.top_percent`` is of one core, so it may pass 100.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import math
import os
import re
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

logger = logging.getLogger(__name__)

#: Intervals shorter than this say nothing about sustained CPU use.
MIN_INTERVAL_S = 30.0
#: How long a name lookup of the desk may take before it counts as failing.
DNS_LIMIT_S = 3.0
#: A week, for crash reports.
WEEK_S = 7 * 86400.0
#: Attempts per boot at asking the OS how long the boot took, before giving up until the next.
BOOT_ATTEMPTS = 3
#: The responsiveness probe: bytes hashed, bytes written, synced, read back and deleted.
PROBE_HASH_BYTES = 1024 * 1024
PROBE_FILE_BYTES = 64 * 1024
_GB = 1e9  # disk.free_gb is in GB (10^9 bytes), as file managers show it
_REASON_CHARS = 120


class Unavailable(Exception):
    """A sensor cannot measure here; ``counters`` are kept for its next pass all the same."""

    def __init__(self, reason: str, counters: Any = None) -> None:
        super().__init__(reason)
        self.counters = counters


@dataclass(frozen=True)
class Situation:
    """What a sensor is given: the time of the pass, its own counters from the previous one."""

    now: float
    previous: Any  # this sensor's counters from the previous pass (None: the first pass)
    scratch: Path  # a folder of the user's where the probe may write a small file


@dataclass
class Found:
    """What one sensor measured, and the counters it keeps for its next pass (``None``: none)."""

    facts: dict[str, float] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    counters: Any = None


#: A sensor: its name (in ``skipped`` and the counters) and what it runs.
Sensor = tuple[str, Callable[[Situation], Found]]


@dataclass
class Measured:
    """One pass: the facts, what could not be measured, the counters to keep, the time it took."""

    facts: dict[str, float]
    details: dict[str, str]
    skipped: list[str]
    counters: dict[str, Any]
    took_checks_ms: float
    took_network_ms: float
    #: Milliseconds each sensor took (the benchmark's breakdown).
    timings: dict[str, float] = field(default_factory=dict)


# --- the sensors ------------------------------------------------------------------------------


def _system_volume() -> str:
    if sys.platform == "win32":
        return os.environ.get("SystemDrive", "C:") + "\\"
    return "/"


def disk(situation: Situation) -> Found:
    """The fuller of the system volume and the home folder's: free share and GB."""
    places = [(_system_volume(), _system_volume())]
    home = Path.home()
    try:
        separate = os.stat(home).st_dev != os.stat(places[0][0]).st_dev
    except OSError:
        separate = False
    if separate:
        places.append((str(home), "~"))
    worst: tuple[float, float, str] | None = None
    for path, shown in places:
        usage = psutil.disk_usage(path)
        if usage.total <= 0:
            continue
        share = 100.0 * usage.free / usage.total
        if worst is None or share < worst[0]:
            worst = (share, usage.free / _GB, shown)
    if worst is None:
        raise ValueError("no volume with a size")
    share, free_gb, shown = worst
    return Found(
        {"disk.free_percent": share, "disk.free_gb": free_gb}, {"disk.free_percent": shown}
    )


def memory(situation: Situation) -> Found:
    """Memory available, and swap in use (left out without swap)."""
    virtual = psutil.virtual_memory()
    facts = {"memory.available_percent": 100.0 * virtual.available / virtual.total}
    swap = psutil.swap_memory()
    if swap.total > 0:
        facts["swap.used_percent"] = 100.0 * swap.used / swap.total
    return Found(facts)


PRESSURE_FILE = Path("/proc/pressure/memory")


def _pressure_total_us(text: str) -> int:
    for line in text.splitlines():
        if line.startswith("some "):
            for part in line.split():
                if part.startswith("total="):
                    return int(part[len("total=") :])
    raise ValueError("no 'some ... total=' line")


def pressure(situation: Situation) -> Found:
    """Share of the time since the previous pass in which some task stalled on memory (PSI)."""
    if not sys.platform.startswith("linux"):
        return Found()
    total_us = _pressure_total_us(PRESSURE_FILE.read_text(encoding="ascii"))
    found = Found(counters={"at": situation.now, "total_us": total_us})
    before = situation.previous
    if isinstance(before, dict):
        at, was = float(before["at"]), int(before["total_us"])
        elapsed = situation.now - at
        if elapsed > 0 and total_us >= was:  # backwards: rebooted, nothing to say this time
            share = 100.0 * (total_us - was) / 1e6 / elapsed
            found.facts["memory.pressure_percent"] = min(share, 100.0)
    return found


def uptime(situation: Situation) -> Found:
    """Days since the computer started."""
    return Found({"uptime.days": max(situation.now - psutil.boot_time(), 0.0) / 86400.0})


def _interval(situation: Situation) -> float | None:
    """Seconds since the previous pass's counters, or ``None`` when too short to use."""
    before = situation.previous
    if not isinstance(before, dict) or "at" not in before:
        return None
    elapsed = situation.now - float(before["at"])
    return elapsed if elapsed >= MIN_INTERVAL_S else None


def cpu(situation: Situation) -> Found:
    """The whole computer's CPU busy share since the previous pass (all cores)."""
    times = psutil.cpu_times()
    values = times._asdict()
    total = sum(values.values()) - values.get("guest", 0.0) - values.get("guest_nice", 0.0)
    idle = values["idle"] + values.get("iowait", 0.0)
    now = {"at": situation.now, "total": total, "idle": idle}
    if _interval(situation) is None:
        # Too soon (or the first pass): keep the older start, so a quick repeat loses nothing.
        before = situation.previous
        return Found(counters=before if isinstance(before, dict) and "at" in before else now)
    before = situation.previous
    spent, rested = total - float(before["total"]), idle - float(before["idle"])
    found = Found(counters=now)
    if spent > 0 and rested >= 0:  # backwards: rebooted
        found.facts["cpu.busy_percent"] = min(max(100.0 * (spent - rested) / spent, 0.0), 100.0)
    return found


def _process_key(pid: int, created: float) -> str:
    return f"{pid}@{created:.2f}"  # a reused pid has another start time


def processes(situation: Situation) -> Found:
    """The busiest process since the previous pass: its CPU share of one core, and its name.

    This helper and its parent (the tray) are left out. Only the name is
    given, never a command line (it may hold a file name or a password).
    """
    mine = {os.getpid(), os.getppid()}
    seconds: dict[str, float] = {}
    pids: dict[str, int] = {}
    for process in psutil.process_iter(["cpu_times", "create_time"]):
        info = process.info
        cpu_times, created = info["cpu_times"], info["create_time"]
        if process.pid in mine or cpu_times is None or created is None:
            continue  # None: access denied (another user's process, on some systems)
        key = _process_key(process.pid, created)
        seconds[key] = round(cpu_times.user + cpu_times.system, 2)
        pids[key] = process.pid
    now = {"at": situation.now, "seconds": seconds}
    elapsed = _interval(situation)
    if elapsed is None:
        before = situation.previous
        return Found(counters=before if isinstance(before, dict) and "at" in before else now)
    earlier = situation.previous["seconds"]
    start = float(situation.previous["at"])
    best_key, best = "", -1.0
    for key, spent in seconds.items():
        was = earlier.get(key)
        if was is None:
            created = float(key.partition("@")[2])
            if created < start:
                continue  # there before but not seen then: nothing to compare with
            was = 0.0  # started since: everything it used is new
        delta = spent - float(was)
        if delta > best:
            best_key, best = key, delta
    found = Found(counters=now)
    if best_key:
        found.facts["cpu.top_percent"] = max(100.0 * best / elapsed, 0.0)
        if best > 0:
            found.details["cpu.top_percent"] = _process_name(pids[best_key])
    return found


def _process_name(pid: int) -> str:
    try:
        return psutil.Process(pid).name()[:100] or "?"
    except psutil.Error:  # gone since, or not ours to ask
        return "?"


POWER_SUPPLY = "/sys/class/power_supply"


def battery(situation: Situation) -> Found:
    """Full capacity as a share of the design capacity (Linux); nothing without a battery."""
    full = design = 0.0
    for folder in sorted(glob.glob(os.path.join(POWER_SUPPLY, "BAT*"))):
        for kind in ("energy", "charge"):
            full_file = Path(folder, f"{kind}_full")
            if full_file.exists():
                full += float(full_file.read_text(encoding="ascii"))
                design += float(Path(folder, f"{kind}_full_design").read_text(encoding="ascii"))
                break
    if full <= 0 and design <= 0:
        return Found()  # a desktop, or not Linux: nothing to say, nothing wrong
    if design <= 0:
        raise ValueError("no design capacity")
    return Found({"battery.health_percent": 100.0 * full / design})


def crash_folders() -> list[tuple[Path, str]]:
    """Where this operating system leaves crash reports: (folder, file pattern)."""
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return [(Path(local, "CrashDumps"), "*.dmp")] if local else []
    if sys.platform == "darwin":
        reports = Path.home() / "Library" / "Logs" / "DiagnosticReports"
        return [(reports, "*.ips"), (reports, "*.crash")]
    return [(Path("/var/crash"), "*.crash"), (Path("/var/lib/systemd/coredump"), "*")]


def crashes(situation: Situation, folders: Sequence[tuple[Path, str]] | None = None) -> Found:
    """Crash reports written in the last 7 days (by modification time)."""
    since = situation.now - WEEK_S
    count, seen = 0, 0
    for folder, pattern in crash_folders() if folders is None else folders:
        if not folder.is_dir():
            continue
        seen += 1
        with os.scandir(folder) as entries:  # unreadable: PermissionError, skipped
            for entry in entries:
                if Path(entry.name).match(pattern) and entry.is_file(follow_symlinks=False):
                    if entry.stat(follow_symlinks=False).st_mtime >= since:
                        count += 1
    if not seen:
        raise Unavailable("no crash report folder")
    return Found({"crashes.week": float(count)})


_PROBE_DATA = bytes(range(256)) * (PROBE_HASH_BYTES // 256)
_PROBE_FILE = _PROBE_DATA[:PROBE_FILE_BYTES]


def probe(situation: Situation) -> Found:
    """A fixed small task, timed: hash 1 MB, then write, sync, read and delete 64 KB."""
    situation.scratch.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    hashlib.sha256(_PROBE_DATA).digest()
    handle, name = tempfile.mkstemp(prefix=".health-probe-", dir=situation.scratch)
    try:
        os.write(handle, _PROBE_FILE)
        os.fsync(handle)
        os.lseek(handle, 0, os.SEEK_SET)
        read = b""
        while len(read) < PROBE_FILE_BYTES:
            chunk = os.read(handle, PROBE_FILE_BYTES - len(read))
            if not chunk:
                break
            read += chunk
    finally:
        os.close(handle)
        os.unlink(name)
    took_ms = (time.perf_counter() - start) * 1000.0
    if read != _PROBE_FILE:
        raise ValueError("the probe file read back differently")
    return Found({"slow.probe_ms": took_ms})


BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")
_UNITS = {"h": 3600.0, "min": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|min|ms|us|µs|s)\b")


def parse_boot_time(text: str) -> float:
    """Seconds from ``systemd-analyze time``: "... = 12.345s", "... = 1min 2.3s"."""
    for line in text.splitlines():
        if line.startswith("Startup finished") and "=" in line:
            total = line.rpartition("=")[2]
            parts = _DURATION.findall(total.split("\n")[0])
            if parts:
                return sum(float(number) * _UNITS[unit] for number, unit in parts)
    raise ValueError("no 'Startup finished ... = N' line")


def _run_systemd_analyze() -> str:
    import shutil
    import subprocess

    command = shutil.which("systemd-analyze")
    if command is None:
        raise Unavailable("no systemd-analyze")
    result = subprocess.run(  # noqa: S603 - a fixed system command
        [command, "time"],
        capture_output=True,
        text=True,
        timeout=10,
        env={**os.environ, "LC_ALL": "C"},
        check=False,
    )
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()[:1] or ["failed"]
        raise Unavailable(f"systemd-analyze: {said[0]}")
    return result.stdout


def boot(situation: Situation, run: Callable[[], str] = _run_systemd_analyze) -> Found:
    """How long the last boot took (systemd), asked once per boot: the fact on that pass only."""
    if not sys.platform.startswith("linux"):
        return Found()
    boot_id = BOOT_ID_FILE.read_text(encoding="ascii").strip()
    before = situation.previous
    if isinstance(before, dict) and before.get("boot_id") == boot_id:
        if "boot_s" in before:
            return Found(counters=before)  # measured already this boot
        if int(before.get("attempts", 0)) >= BOOT_ATTEMPTS:
            raise Unavailable(str(before.get("reason", "not available")), before)
        attempts = int(before.get("attempts", 0)) + 1
    else:
        attempts = 1
    try:
        seconds = parse_boot_time(run())
    except (Unavailable, OSError, ValueError) as error:
        reason = str(error) or type(error).__name__
        counters = {"boot_id": boot_id, "attempts": attempts, "reason": reason[:_REASON_CHARS]}
        raise Unavailable(reason, counters) from error
    return Found({"slow.boot_s": seconds}, counters={"boot_id": boot_id, "boot_s": seconds})


#: The built-in pass, in order. Tests put their own in place of these.
SENSORS: tuple[Sensor, ...] = (
    ("disk", disk),
    ("memory", memory),
    ("pressure", pressure),
    ("uptime", uptime),
    ("cpu", cpu),
    ("processes", processes),
    ("battery", battery),
    ("crashes", crashes),
    ("probe", probe),
    ("boot", boot),
)


#: What each sensor may cost a pass (ms); the others, :data:`DEFAULT_BUDGET_MS`. A sensor over
#: its budget in :data:`OVER_BUDGET_PASSES` passes in a row rests for :data:`REST_S`.
BUDGET_MS = {"processes": 40.0, "probe": 30.0, "boot": 3000.0, "crashes": 25.0}
DEFAULT_BUDGET_MS = 15.0
OVER_BUDGET_PASSES = 3
REST_S = 24 * 3600.0


# --- the network part -------------------------------------------------------------------------


def _host(desk_host: str) -> str:
    desk_host = desk_host.strip()
    if "://" in desk_host:
        return urlsplit(desk_host).hostname or ""
    return desk_host


ROUTES = (Path("/proc/net/route"), Path("/proc/net/ipv6_route"))


def has_default_route(routes: Sequence[Path] = ROUTES) -> bool:
    """Whether this computer has a way out (an IPv4 or IPv6 default route).

    Unknown (not Linux, not readable) counts as yes: then the lookup is tried.
    """
    try:
        v4 = routes[0].read_text().splitlines()[1:]
        v6 = routes[1].read_text().splitlines() if routes[1].exists() else []
    except OSError:
        return True
    if any(len(f := line.split()) > 1 and f[1] == "00000000" for line in v4):
        return True
    return any(
        len(f := line.split()) > 9 and f[0] == "0" * 32 and f[1] == "00" and f[9] != "lo"
        for line in v6
    )


def dns_failing(
    desk_host: str,
    *,
    resolve: Callable[..., Any] = socket.getaddrinfo,
    limit_s: float = DNS_LIMIT_S,
) -> bool:
    """Whether the desk's name fails to resolve within ``limit_s`` (nothing is sent to it)."""
    outcome: list[bool] = []

    def lookup() -> None:
        try:
            outcome.append(bool(resolve(desk_host, None)))
        except (OSError, UnicodeError, ValueError):
            outcome.append(False)

    thread = threading.Thread(target=lookup, name="health-dns", daemon=True)
    thread.start()
    thread.join(limit_s)
    return not (outcome and outcome[0])  # still running: too slow, as good as failing


# --- the pass ---------------------------------------------------------------------------------


def _reason(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    if isinstance(error, Unavailable):
        reason = text or "not available"
    else:
        reason = f"{type(error).__name__}: {text}" if text else type(error).__name__
    try:
        home = str(Path.home())
    except (RuntimeError, KeyError, OSError):
        home = ""
    if len(home) > 1:
        reason = reason.replace(home, "~")
    return reason[:_REASON_CHARS]


#: The counter that keeps each sensor's standing against its budget.
BUDGET_COUNTER = "budget"


def _budgets(kept: object) -> dict[str, dict[str, Any]]:
    """Each sensor's passes over budget in a row and rest, as the last pass kept them."""
    if not isinstance(kept, dict):
        return {}
    budgets: dict[str, dict[str, Any]] = {}
    for name, state in kept.items():
        if not isinstance(state, dict):
            continue
        over, rest = state.get("over"), state.get("rest_until")
        if type(over) is int and isinstance(rest, int | float) and math.isfinite(rest):
            budgets[str(name)] = {"over": over, "rest_until": float(rest)}
    return budgets


def _spent(name: str, state: dict[str, Any], took_ms: float, now: float) -> None:
    """Count a pass over ``name``'s budget; the third in a row rests it for a day."""
    budget = BUDGET_MS.get(name, DEFAULT_BUDGET_MS)
    if took_ms <= budget:
        state["over"] = 0
        return
    state["over"] += 1
    logger.warning("health: %s took %.0f ms, over its %.0f ms budget", name, took_ms, budget)
    if state["over"] >= OVER_BUDGET_PASSES:
        logger.warning("health: %s rests for a day: over its budget %d times in a row",
                       name, OVER_BUDGET_PASSES)  # fmt: skip
        state["over"], state["rest_until"] = 0, now + REST_S


def measure(
    previous: Mapping[str, Any],
    *,
    desk_host: str,
    now: float,
    network: bool,
    scratch: Path | None = None,
    sensors: Sequence[Sensor] | None = None,
    resolve: Callable[..., Any] = socket.getaddrinfo,
    timer: Callable[[], float] = time.perf_counter,
    routed: Callable[[], bool] | None = None,
) -> Measured:
    """Run every sensor (each on its own), then the desk's name lookup when ``network``.

    ``previous`` is the counters of the previous pass (``Measured.counters``);
    ``scratch`` the folder the responsiveness probe writes in (the temporary
    folder when not given). Each sensor has a cost budget (:data:`BUDGET_MS`):
    one that keeps going over it rests for a day, with a log line, so a
    slow sensor never makes every pass slow.
    """
    scratch = scratch if scratch is not None else Path(tempfile.gettempdir())
    result = Measured({}, {}, [], {}, 0.0, 0.0)
    budgets = _budgets(previous.get(BUDGET_COUNTER))
    started = timer()
    for name, sensor in SENSORS if sensors is None else sensors:
        earlier = previous.get(name)
        state = budgets.setdefault(name, {"over": 0, "rest_until": 0.0})
        if now < state["rest_until"]:
            result.skipped.append(f"{name}: resting until tomorrow, over its cost budget")
            if earlier is not None:
                result.counters[name] = earlier
            continue
        began = timer()
        try:
            found = sensor(Situation(now, earlier, scratch))
        except Exception as error:  # one sensor's failure never stops the others
            reason = _reason(error)
            logger.info("health: %s left out (%s)", name, reason)
            result.skipped.append(f"{name}: {reason}")
            kept = error.counters if isinstance(error, Unavailable) else earlier
            if kept is not None:
                result.counters[name] = kept
            continue
        finally:
            took = round((timer() - began) * 1000.0, 3)
            result.timings[name] = took
            _spent(name, state, took, now)
        if found.counters is not None:
            result.counters[name] = found.counters
        for metric, value in found.facts.items():
            if isinstance(value, int | float) and math.isfinite(value):
                result.facts[metric] = round(float(value), 3)
            else:
                result.skipped.append(f"{name}: {metric} not a number")
        result.details.update(found.details)
    result.counters[BUDGET_COUNTER] = budgets
    result.took_checks_ms = round((timer() - started) * 1000.0, 3)
    host = _host(desk_host)
    on_this_computer = host == "localhost" or host.startswith("127.") or host == "::1"
    if network and host and not on_this_computer and not (routed or has_default_route)():
        # Offline (on a train): names cannot be looked up, and that is no DNS problem.
        result.skipped.append("dns: no network route")
    elif network and host:
        began = time.perf_counter()
        result.facts["dns.failing"] = 1.0 if dns_failing(host, resolve=resolve) else 0.0
        result.took_network_ms = round((time.perf_counter() - began) * 1000.0, 3)
    return result
