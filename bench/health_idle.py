"""What health checks cost an idle tray: CPU over real minutes, and requests at the desk.

The Glass ball issue's budgets: idle CPU over 10 minutes with checks on
stays ≤ 0.1 % of one core, and the checks add no request at the desk unless
something is found.

- **Idle CPU:** the real app on a virtual desktop, signed in to a real demo
  desk, left alone for ``minutes`` real minutes, once with health checks off
  (the policy's ``health.enabled = false``) and once on, with the shortest
  interval IT may set (5 minutes) and the first pass a minute after start:
  more passes than in use, so the figure is an upper bound. CPU is the app's
  own time plus that of its ended children (each pass is a helper process),
  from ``/proc/<pid>/stat``, from the first minute on (start-up is not idle).
- **Requests at the desk** are counted by the health service itself against a
  counting desk over 30 simulated days (``fleet``): nothing found, then one
  persistent finding under ``auto`` (one report, an update a day, the close).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.app_use import app_env
from demo.deskctl import DemoDesk, temporary_desk
from tools.app_process import AppProcess
from tools.xsession import VirtualDesktop

#: Seconds after start before the idle window begins (the start-up is not idle).
SETTLE_S = 60.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system time of ``pid`` and its ended (reaped) children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / TICKS


@dataclass
class IdleCpu:
    """CPU an idle tray used, with and without health checks."""

    minutes: float
    off_percent: float
    on_percent: float
    passes: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _idle(desk: DemoDesk, home: Path, health: bool, minutes: float) -> tuple[float, int]:
    env = app_env(desk, home)
    policy = Path(env["HELPDESK_TRAY_POLICY"])
    policy.write_text(
        "[health]\nenabled = true\ninterval_min = 5\n" if health else "[health]\nenabled = false\n",
        encoding="utf-8",
    )
    env["HELPDESK_TRAY_HEALTH_FIRST_MS"] = str(int(SETTLE_S * 1000))
    with VirtualDesktop() as desktop:
        app = AppProcess(desktop.env(env))
        try:
            app.probe("tray_visible", timeout=60)
            time.sleep(SETTLE_S - 1)  # real minutes are what is measured
            pid = app.process.pid
            start, began = cpu_seconds(pid), time.monotonic()
            time.sleep(minutes * 60)
            used, took = cpu_seconds(pid) - start, time.monotonic() - began
            passes = 0
            while not app.lines.empty():
                passes += "health pass:" in app.lines.get_nowait()[1]
        finally:
            app.stop()
    return 100.0 * used / took, passes


def run(minutes: float = 10.0) -> IdleCpu:
    """Idle CPU of the real app for ``minutes``, health checks off and on."""
    with tempfile.TemporaryDirectory(prefix="bench-health-idle-") as tmp, temporary_desk() as desk:
        off, _ = _idle(desk, Path(tmp) / "off", False, minutes)
        on, passes = _idle(desk, Path(tmp) / "on", True, minutes)
    return IdleCpu(minutes, round(off, 4), round(on, 4), passes)


class _CountingDesk:
    """A desk that counts what the health service asks of it (one request each)."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.requests[name] = self.requests.get(name, 0) + 1

    def find_by_report_key(self, key: str) -> None:
        self._count("find_by_report_key")

    def reply(self, ref: object, text: str, attachments: object = ()) -> None:
        self._count("reply")

    def confirm_resolved(self, ref: object, text: str = "") -> None:
        self._count("confirm_resolved")


def fleet(days: int = 30, found_from_day: int = 10, cleared_on_day: int = 25) -> dict[str, Any]:
    """Desk requests of one tray's health checks over ``days`` simulated days, per client-hour.

    Passes every 15 minutes. Until ``found_from_day`` nothing is found; then the
    disk stays nearly full (policy ``auto``) until ``cleared_on_day``. Each report
    saved is one create request when the outbox sends it.
    """
    from PySide6.QtCore import QCoreApplication

    from client.adapters.health_book import BookFile
    from client.core.models import TicketRef
    from client.core.outbox import OutboxItem, OutboxState
    from client.services.health import HealthOptions, HealthService, rules_of
    from client.services.tasks import SyncTaskRunner

    _app = QCoreApplication.instance() or QCoreApplication([])
    clock = [1_800_000_000.0]
    desk, sent = _CountingDesk(), list[Any]()
    before: dict[str, int] = {}
    free = [40.0]

    class Probe:
        def measure(self, request: dict[str, Any]) -> dict[str, Any]:
            return {"facts": {"disk.free_percent": free[0]}, "history": "ok"}

        def cancel(self) -> None:
            pass

    quiet: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-health-fleet-") as tmp:
        service = HealthService(
            SyncTaskRunner(), Probe, BookFile(Path(tmp) / "book.json"), lambda: rules_of(None),
            sent.append, lambda: desk,  # type: ignore[arg-type,return-value]
            options=HealthOptions(mode="auto", first_pass_ms=0, quiet_after_s=0),
            clock=lambda: clock[0],
        )  # fmt: skip
        passes = days * 24 * 4
        for n in range(passes):
            day = n // 96
            free[0] = 4.0 if found_from_day <= day < cleared_on_day else 40.0
            clock[0] += 900
            service.check_now()
            for report in sent[len(quiet) :]:
                quiet[report.key] = n
                item = OutboxItem(1, report.key, report.subject, report.description,
                                  OutboxState.SENT, clock[0], ticket=TicketRef("42"))  # fmt: skip
                service.report_delivered(item)
            if day == found_from_day - 1 and n % 96 == 95:
                before = dict(desk.requests)
    nothing = sum(before.values()) if found_from_day else 0
    total = sum(desk.requests.values()) + len(sent)
    return {
        "days": days,
        "passes": passes,
        "nothing_found": {"hours": found_from_day * 24, "requests": nothing},
        "whole_run": {
            "reports_created": len(sent),
            **desk.requests,
            "requests": total,
            "per_client_hour": round(total / (days * 24), 4),
        },
    }


def table(idle: IdleCpu, fleet_record: dict[str, Any]) -> list[str]:
    """Markdown of what health checks cost an idle tray and the desk."""
    run = fleet_record["whole_run"]
    return [
        f"Health checks, idle (bench/health_idle.py): {idle.minutes:.0f} real minutes each",
        "",
        "| | CPU, % of one core | budget |",
        "|---|---|---|",
        f"| health checks off | {idle.off_percent} | |",
        f"| on, a pass every 5 min (the shortest IT may set), {idle.passes} passes | "
        f"{idle.on_percent} | ≤ 0.1 |",
        "",
        f"Desk requests over {fleet_record['days']} simulated days "
        f"({fleet_record['passes']} passes): nothing found for "
        f"{fleet_record['nothing_found']['hours']} h: {fleet_record['nothing_found']['requests']}; "
        f"with one finding lasting 15 days (auto): {run['requests']} "
        f"({run['reports_created']} report, {run.get('reply', 0)} daily updates, "
        f"{run.get('confirm_resolved', 0)} close), {run['per_client_hour']} per client-hour",
    ]
