"""What the computer says about itself, for the diagnostics snapshot (psutil and the stdlib).

Every section is collected on its own: one that fails (access denied, a
vanished process, no battery) is left out with a note, never the whole
snapshot. Nothing secret is read: no environment (except the proxy settings,
without credentials), no command lines, no browser data. Host and user names
appear only when IT policy allows; otherwise they (and the home folder) are
masked wherever the computer wrote them: log lines, mount points, program and
interface names. The shape is ``client/core/diagnostics.py``.
"""

from __future__ import annotations

import getpass
import logging
import os
import platform
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from client.adapters.desk_probe import DeskProbe, problem_text
from client.core.diagnostics import LOG_LINES, SCHEMA_ID, TOP_PROCESSES, VERSION
from client.core.redact import NameMask, Redactor

logger = logging.getLogger(__name__)

#: File systems that are not disks a user fills (snap images, kernel views).
_PSEUDO_FILESYSTEMS = frozenset(
    {"squashfs", "tmpfs", "devtmpfs", "overlay", "proc", "sysfs", "cgroup2", "autofs", "efivarfs"}
)
#: Bytes read from the end of the log for its last lines; longer lines are cut.
_LOG_TAIL_BYTES = 256 * 1024
_LOG_LINE_CHARS = 2000
#: What stands for a name the IT policy keeps out of the snapshot.
USER_PLACEHOLDER, HOST_PLACEHOLDER, HOME_PLACEHOLDER = "[user]", "[host]", "~"
#: Shorter user and host names are left alone: masking them would mangle ordinary words.
_MIN_NAME_CHARS = 3
#: Host names that say nothing about whose computer it is.
_ANONYMOUS_HOSTS = frozenset({"localhost", "localhost.localdomain"})
#: Parts of the snapshot the app writes itself, never the computer: not masked.
_OWN_FIELDS = frozenset({"schema", "version", "taken_at", "app"})


@dataclass(frozen=True)
class ProcessSample:
    """CPU time of every process at one moment: the start of a measuring window."""

    taken_at: float
    cpu_seconds: dict[int, float]

    def as_json(self) -> dict[str, Any]:
        """For a pipe: JSON has no integer keys."""
        return {"taken_at": self.taken_at, "cpu_seconds": list(self.cpu_seconds.items())}

    @classmethod
    def from_json(cls, value: object) -> ProcessSample | None:
        """What :meth:`as_json` made, or ``None`` for anything else (a fresh window then)."""
        if not isinstance(value, dict):
            return None
        taken_at, pairs = value.get("taken_at"), value.get("cpu_seconds")
        if not isinstance(taken_at, int | float) or not isinstance(pairs, list):
            return None
        try:
            return cls(float(taken_at), {int(pid): float(seconds) for pid, seconds in pairs})
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class SnapshotOptions:
    """What the snapshot may include, and where the app's own log is."""

    app_version: str
    log_file: Path | None = None
    include_host_name: bool = False
    include_user_name: bool = False


def _home_folders() -> list[str]:
    """The user's home folder, as the OS writes it and with forward slashes."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):  # no home at all: nothing to mask
        return []
    if home.parent == home:  # "/" or "C:\\": masking it would mangle every path
        return []
    return list(dict.fromkeys([str(home), home.as_posix()]))


def _name(read: Callable[[], str]) -> str:
    """The user's or the computer's name, or "" when the OS cannot say."""
    try:
        return read()
    except Exception:  # getpass.getuser: OSError (3.13) or KeyError/ImportError before
        return ""


def _round(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


class SystemInfo(DeskProbe):
    """Takes the local part of a snapshot, and checks whether the desk can be reached.

    ``desk_url`` is asked each time (the user may sign in to another desk);
    ``policy_proxy`` is the proxy IT set, if any. The ``DiagnosticsSource`` port
    in one process (the command-line tools, the benches); the tray splits it:
    the local part in the evidence helper process, the desk check
    (:class:`DeskProbe`) in the tray.
    """

    def __init__(
        self,
        options: SnapshotOptions,
        redactor: Redactor,
        *,
        desk_url: Callable[[], str] = lambda: "",
        policy_proxy: str = "",
        clock: Callable[[], float] = time.perf_counter,
        resolve: Callable[..., list[Any]] = socket.getaddrinfo,
    ) -> None:
        super().__init__(desk_url, policy_proxy, clock=clock, resolve=resolve)
        self._options = options
        self._redactor = redactor

    # --- the local part -------------------------------------------------------------------

    def sample(self) -> ProcessSample:
        """Start measuring CPU use (system and per process); :meth:`local` ends the window."""
        psutil.cpu_percent(interval=None)
        return ProcessSample(self._clock(), self._process_cpu_times())

    def local(self, since: object | None = None) -> dict[str, Any]:
        """Everything but the desk check (``network.desk``), as the schema has it.

        CPU use is measured from ``since`` (taken a moment earlier with
        :meth:`sample`) to now.
        """
        notes: list[dict[str, str]] = []

        def section(item: str, collect: Callable[[], Any], missing: Any = None) -> Any:
            try:
                return collect()
            except Exception as error:  # one failing item never spoils the snapshot
                logger.info("diagnostics: %s left out (%s)", item, problem_text(error))
                notes.append({"item": item, "problem": problem_text(error)})
                return missing

        start: ProcessSample | None = since if isinstance(since, ProcessSample) else None
        if start is None:
            start = section("processes", self.sample)
        document: dict[str, Any] = {
            "schema": SCHEMA_ID,
            "version": VERSION,
            "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "app": {
                "name": "helpdesk-tray",
                "version": self._options.app_version,
                "python": platform.python_version(),
            },
            "os": section("os", self._os, {}),
            "computer": section("computer", self._computer, {"vendor": None, "model": None}),
            "uptime_s": section("uptime", lambda: _round(time.time() - psutil.boot_time(), 0)),
            "memory": section("memory", self._memory),
            "disks": self._disks(notes),
            "battery": section("battery", self._battery),
            "network": {
                "interfaces": section("network interfaces", self._interfaces, []),
                "proxy": section(
                    "proxy", lambda: self.proxy_in_effect(self._desk_url(), self._policy_proxy)
                ),
            },
            "log_tail": section("log", self._log_tail, []),
        }
        document["cpu"] = section("cpu", self._cpu)
        document["processes"] = (
            section(
                "processes",
                lambda: self._processes(start.cpu_seconds, self._clock() - start.taken_at),
            )
            if start is not None
            else None
        )
        document["notes"] = notes
        mask = self._name_mask()
        if mask is None:
            return document
        return {
            key: value if key in _OWN_FIELDS else mask.value(value)
            for key, value in document.items()
        }

    def _name_mask(self) -> NameMask | None:
        """What stands for the names the policy keeps out (``None``: it keeps none out)."""
        placeholders: dict[str, str] = {}
        if not self._options.include_user_name:
            for home in _home_folders():  # masked whatever the user name's length
                placeholders[home] = HOME_PLACEHOLDER
            user = _name(getpass.getuser)
            if len(user) >= _MIN_NAME_CHARS:
                placeholders[user] = USER_PLACEHOLDER
        if not self._options.include_host_name:
            host = _name(socket.gethostname)
            for name in (host, host.partition(".")[0]):  # full and short name
                if len(name) >= _MIN_NAME_CHARS and name.lower() not in _ANONYMOUS_HOSTS:
                    placeholders.setdefault(name, HOST_PLACEHOLDER)
        return NameMask(placeholders) if placeholders else None

    def _os(self) -> dict[str, str]:
        info = {
            "system": platform.system(),
            "release": platform.release(),
            "version": platform.version(),
            "machine": platform.machine(),
        }
        name = ""
        if sys.platform.startswith("linux"):
            name = platform.freedesktop_os_release().get("PRETTY_NAME", "")
        elif sys.platform == "darwin":
            name = f"macOS {platform.mac_ver()[0]}"
        elif sys.platform == "win32":
            name = f"Windows {platform.win32_ver()[0]} {platform.win32_edition() or ''}".strip()
        if name:
            info["name"] = name
        return info

    def _computer(self) -> dict[str, str | None]:
        vendor = model = None
        dmi = Path("/sys/class/dmi/id")
        if dmi.is_dir():
            vendor = self._read_dmi(dmi / "sys_vendor")
            model = self._read_dmi(dmi / "product_name")
        computer: dict[str, str | None] = {"vendor": vendor, "model": model}
        if self._options.include_host_name:
            computer["host_name"] = socket.gethostname()
        if self._options.include_user_name:
            computer["user_name"] = getpass.getuser()
        return computer

    @staticmethod
    def _read_dmi(path: Path) -> str | None:
        try:
            value = path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        return value or None

    def _cpu(self) -> dict[str, Any]:
        load_average = None
        if hasattr(os, "getloadavg"):
            load_average = [_round(v, 2) for v in os.getloadavg()]
        return {
            "cores_logical": psutil.cpu_count(logical=True),
            "cores_physical": psutil.cpu_count(logical=False),
            "load_percent": _round(psutil.cpu_percent(interval=None)),
            "load_average": load_average,
        }

    @staticmethod
    def _memory() -> dict[str, Any]:
        memory, swap = psutil.virtual_memory(), psutil.swap_memory()
        return {
            "total_bytes": memory.total,
            "available_bytes": memory.available,
            "used_percent": _round(memory.percent),
            "swap_total_bytes": swap.total,
            "swap_used_percent": _round(swap.percent),
        }

    @staticmethod
    def _disks(notes: list[dict[str, str]]) -> list[dict[str, Any]]:
        disks: list[dict[str, Any]] = []
        seen: set[str] = set()
        try:
            partitions = psutil.disk_partitions(all=False)
        except Exception as error:
            notes.append({"item": "disks", "problem": problem_text(error)})
            return disks
        for part in partitions:
            if part.fstype in _PSEUDO_FILESYSTEMS or part.device in seen:
                continue
            seen.add(part.device)
            try:
                usage = psutil.disk_usage(part.mountpoint)
            except Exception as error:  # a stale network mount, an unreadable one
                notes.append({"item": f"disk {part.mountpoint}", "problem": problem_text(error)})
                continue
            disks.append(
                {
                    "mount": part.mountpoint,
                    "filesystem": part.fstype,
                    "total_bytes": usage.total,
                    "free_bytes": usage.free,
                    "used_percent": _round(usage.percent),
                }
            )
        return disks

    @staticmethod
    def _battery() -> dict[str, Any] | None:
        sensors = getattr(psutil, "sensors_battery", None)
        battery = sensors() if sensors is not None else None
        if battery is None:
            return None  # a desktop: nothing to say, nothing wrong
        seconds = battery.secsleft
        known = isinstance(seconds, int | float) and seconds >= 0
        return {
            "percent": _round(battery.percent),
            "plugged_in": battery.power_plugged,
            "seconds_left": float(seconds) if known else None,
        }

    @staticmethod
    def _interfaces() -> list[dict[str, Any]]:
        stats = psutil.net_if_stats()
        families = {socket.AF_INET: "ipv4", socket.AF_INET6: "ipv6"}
        interfaces = []
        for name, addresses in sorted(psutil.net_if_addrs().items()):
            stat = stats.get(name)
            interfaces.append(
                {
                    "name": name,
                    "up": bool(stat and stat.isup),
                    "speed_mbps": (stat.speed or None) if stat else None,
                    "addresses": [
                        {"family": families[a.family], "address": a.address}
                        for a in addresses
                        if a.family in families
                    ],
                }
            )
        return interfaces

    def _log_tail(self) -> list[str]:
        path = self._options.log_file
        if path is None or not path.exists():
            return []
        with path.open("rb") as log:
            size = log.seek(0, os.SEEK_END)
            log.seek(max(size - _LOG_TAIL_BYTES, 0))
            text = log.read().decode("utf-8", errors="replace")
        lines = text.splitlines()[-LOG_LINES:]
        return [self._redactor.redact(line[:_LOG_LINE_CHARS]) for line in lines]

    # --- processes ------------------------------------------------------------------------

    @staticmethod
    def _process_cpu_times() -> dict[int, float]:
        times: dict[int, float] = {}
        for process in psutil.process_iter(["cpu_times"]):
            cpu = process.info["cpu_times"]
            if cpu is not None:  # None: access denied (another user's process)
                times[process.pid] = cpu.user + cpu.system
        return times

    @staticmethod
    def _processes(first: dict[int, float], elapsed_s: float) -> dict[str, Any]:
        rows = []
        window = max(elapsed_s, 1e-3)
        for process in psutil.process_iter(["name", "cpu_times", "memory_info"]):
            info = process.info
            if info["cpu_times"] is None or info["memory_info"] is None:
                continue
            before = first.get(process.pid)
            now = info["cpu_times"].user + info["cpu_times"].system
            cpu = 100.0 * (now - before) / window if before is not None else 0.0
            rows.append(
                {
                    "name": str(info["name"] or "?")[:100],
                    "pid": process.pid,
                    "cpu_percent": _round(max(cpu, 0.0)),
                    "memory_bytes": info["memory_info"].rss,
                }
            )
        # Only what was busy, or holds memory: idle kernel threads (0.0 %, no memory of
        # their own) would fill the "busiest programs" with nothing to see.
        busy = [r for r in rows if r["cpu_percent"] > 0]
        resident = [r for r in rows if r["memory_bytes"] > 0]
        return {
            "sampled_ms": _round(elapsed_s * 1000),
            "by_cpu": sorted(busy, key=lambda r: r["cpu_percent"], reverse=True)[:TOP_PROCESSES],
            "by_memory": sorted(resident, key=lambda r: r["memory_bytes"], reverse=True)[
                :TOP_PROCESSES
            ],
        }
