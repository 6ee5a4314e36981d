"""The wired-up app on real threads, reporting through every network fault, with a loop probe.

Shared by ``tests/services/test_loop_latency.py`` (the budget as a test) and
``bench/loop_latency.py`` (the measured maximum for docs/performance.md).
Everything a user's click would touch is real: the composition root with its
two thread pools, the SQLite outbox, the django-helpdesk adapter, the demo
desk behind the fault proxy, and the "My tickets" window showing the waiting
reports. Only the keyring is in memory.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
from client.adapters.http import HttpConfig
from client.adapters.store import SqliteOutbox
from client.app import TrayApp
from client.core.models import Attachment, Report
from client.core.redact import Redactor
from client.core.settings import SettingsLayer, merge
from client.services.crash import CrashHandler
from client.services.latency import EventLoopMonitor
from client.services.tasks import TaskRunner
from client.ui import resources
from tests.fakes import MemorySecretStore, make_evidence
from tests.support.fault_proxy import Fault, ProxyProcess

#: Short limits, so every fault ends in a second or two (the app's own are longer).
CONFIG = HttpConfig(
    connect_timeout=2.0, read_timeout=1.0, total_timeout=1.5, max_response_bytes=1024 * 1024,
    retries=1,
)  # fmt: skip
#: Every fault the plain-HTTP proxy can make (the TLS one needs its own listener).
FAULTS = tuple(fault for fault in Fault if fault is not Fault.TLS_UNKNOWN_CA)
WAIT_S = 60.0


def wait_for(signal: Any, what: str, timeout_s: float = WAIT_S) -> list[Any]:
    """Run the event loop until ``signal`` fires; its arguments. Fails after ``timeout_s``."""
    loop = QEventLoop()
    received: list[list[Any]] = []

    def on_signal(*args: Any) -> None:
        received.append(list(args))
        loop.quit()

    signal.connect(on_signal)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    try:
        loop.exec()
    finally:
        signal.disconnect(on_signal)
    if not received:
        raise TimeoutError(f"no {what} within {timeout_s:.0f} s")
    return received[0]


@dataclass
class FaultLatency:
    """The longest stall while one fault was on, and while it cleared."""

    fault: str
    max_stall_ms: float


@dataclass
class LatencyRun:
    """The whole run: per fault, overall maximum, and every tick for percentiles."""

    faults: list[FaultLatency] = field(default_factory=list)
    max_stall_ms: float = 0.0
    ticks: int = 0
    samples: list[float] = field(default_factory=list)
    reports_delivered: int = 0


class LatencyScenario:
    """Build the app against ``proxy``; :meth:`run` reports through each fault in turn."""

    def __init__(
        self,
        qapp: QApplication,
        proxy: ProxyProcess,
        token: str,
        data_dir: Path,
        *,
        rounds: int = 1,
    ) -> None:
        self._proxy = proxy
        self._rounds = rounds
        resources.register_search_paths()
        self._io_pool = QThreadPool()
        self._io_pool.setMaxThreadCount(4)
        self._serial_pool = QThreadPool()
        self._serial_pool.setMaxThreadCount(1)
        self.store = SqliteOutbox(data_dir / "outbox.sqlite3")
        settings = merge([SettingsLayer("user", {"desk.url": proxy.url, "desk.username": "anna"})])
        self.app = TrayApp(
            qapp,
            settings,
            io=TaskRunner(self._io_pool),
            serial=TaskRunner(self._serial_pool),
            outbox_store=self.store,
            connector_for=lambda kind: DjangoHelpdeskConnector(CONFIG),
            secrets=MemorySecretStore(),
            save_settings=lambda values: None,
            redactor=Redactor(),
            crash=CrashHandler(),
            evidence=make_evidence(TaskRunner(self._io_pool), proxy.url, window_ms=200),
            preset_credential=token,
            tray_retries=0,
        )
        self.monitor = EventLoopMonitor(keep_samples=True)

    def run(self, progress: Callable[[str], None] = lambda line: None) -> LatencyRun:
        """Sign in, open "My tickets", then per fault: report, fail, clear, deliver."""
        self.app.start()
        wait_for(self.app.account.signed_in, "sign-in")
        self.app.windows.show_tickets()
        result = LatencyRun()

        def count_delivery(_item: object) -> None:
            result.reports_delivered += 1

        self.app.outbox.report_delivered.connect(count_delivery)
        self.monitor.start()
        for round_number in range(self._rounds):
            for fault in FAULTS:
                first = len(self.monitor.samples)
                self._report_through(fault, round_number)
                stalls = self.monitor.samples[first:]
                result.faults.append(FaultLatency(fault.value, max(stalls, default=0.0)))
                progress(f"{fault.value}: {result.faults[-1].max_stall_ms:.1f} ms")
        self.monitor.stop()
        result.max_stall_ms = self.monitor.max_stall_ms
        result.ticks = self.monitor.ticks
        result.samples = list(self.monitor.samples)
        return result

    def _report_through(self, fault: Fault, round_number: int) -> None:
        self._proxy.inject(fault)  # every request: the upload and the ticket list
        text = base64.b64encode(os.urandom(150_000))
        report = Report(
            f"latency {fault.value} {round_number} {uuid.uuid4().hex[:6]}",
            "The network is acting up.",
            attachments=(Attachment("diagnostics.txt", "text/plain", text),),
        )
        self.app.reports.send(report)
        wait_for(self.app.outbox.attempt_failed, f"a failed attempt under {fault.value}")
        self.app.poller.poll_now()
        self._proxy.clear()
        self.app.outbox.retry_now()
        (item,) = wait_for(self.app.outbox.report_delivered, f"delivery after {fault.value}")
        assert item.key == report.key, "the oldest report is delivered first"

    def close(self) -> None:
        """Close the windows, let the pools finish, close the outbox."""
        self.monitor.stop()
        for widget in QApplication.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        self._io_pool.waitForDone(int(WAIT_S * 1000))
        self._serial_pool.waitForDone(int(WAIT_S * 1000))
        self.store.close()


def measure(desk_url: str, token: str, rounds: int, timeout_s: float = 600.0) -> LatencyRun:
    """Run the scenario in a process of its own, as the app runs: a fresh interpreter.

    In the test process the heap holds everything the suite made, and one
    collection of it alone can take tens of milliseconds: that would measure
    pytest, not the app.
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.latency_scenario", desk_url, token, str(rounds)],
        cwd=Path(__file__).resolve().parents[2],
        env=env, capture_output=True, text=True, timeout=timeout_s, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the latency scenario failed:\n{done.stderr[-4000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return LatencyRun(
        faults=[FaultLatency(**f) for f in data["faults"]],
        max_stall_ms=data["max_stall_ms"],
        ticks=data["ticks"],
        samples=data["samples"],
        reports_delivered=data["reports_delivered"],
    )


def main(argv: list[str]) -> int:
    """``python -m tests.support.latency_scenario DESK_URL TOKEN ROUNDS``: JSON on stdout."""
    desk_url, token, rounds = argv[0], argv[1], int(argv[2])
    qapp = QApplication([sys.argv[0]])
    with (
        tempfile.TemporaryDirectory(prefix="helpdesk-tray-latency-") as tmp,
        ProxyProcess(desk_url) as proxy,
    ):
        scenario = LatencyScenario(qapp, proxy, token, Path(tmp), rounds=rounds)
        try:
            result = scenario.run(lambda line: print(line, file=sys.stderr))
        finally:
            scenario.close()
    sys.stdout.write(json.dumps(asdict(result)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
