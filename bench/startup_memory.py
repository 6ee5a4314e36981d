"""Start to tray-icon-visible, and idle memory and CPU: the app vs a bare PySide6 tray app.

Both run on the same virtual desktop (Xvfb + trayer), in the same run,
alternating, so machine noise hits both alike. The app runs as installed
(compiled bytecode) and signed in the real way: its token comes out of a
keyring through the helper process, and it polls a real demo desk.
"""

from __future__ import annotations

import compileall
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from client.adapters.keyring_store import SERVICE
from client.core.ports import credential_account
from demo.deskctl import DemoDesk, temporary_desk
from tools.app_process import ROOT, AppProcess
from tools.xsession import VirtualDesktop

BARE = [sys.executable, str(ROOT / "bench" / "bare_tray.py")]
BUDGET = 1.3


@dataclass
class Idle:
    """One process after idling."""

    rss_mb: float
    uss_mb: float
    cpu_percent: float


@dataclass
class Result:
    """Everything measured, both programs."""

    rounds: int
    idle_seconds: float
    start_bare_s: list[float]
    start_app_s: list[float]
    idle_bare: Idle
    idle_app: Idle

    @property
    def start_ratio(self) -> float:
        """Median start-to-visible of the app over the bare app's."""
        return statistics.median(self.start_app_s) / statistics.median(self.start_bare_s)

    @property
    def rss_ratio(self) -> float:
        """Idle RSS of the app over the bare app's."""
        return self.idle_app.rss_mb / self.idle_bare.rss_mb

    def table(self) -> list[str]:
        """The result as Markdown table rows."""
        bare, app = statistics.median(self.start_bare_s), statistics.median(self.start_app_s)
        idle = f"{self.idle_seconds:.0f} s"
        return [
            "| measure | bare PySide6 tray | helpdesk-tray | ratio | budget |",
            "|---|---|---|---|---|",
            f"| start to tray icon visible, median of {self.rounds} | {bare:.3f} s | "
            f"{app:.3f} s | {self.start_ratio:.2f}× | ≤ {BUDGET}× |",
            f"| RSS after {idle} idle | {self.idle_bare.rss_mb:.1f} MB | "
            f"{self.idle_app.rss_mb:.1f} MB | {self.rss_ratio:.2f}× | ≤ {BUDGET}× |",
            f"| USS after {idle} idle | {self.idle_bare.uss_mb:.1f} MB | "
            f"{self.idle_app.uss_mb:.1f} MB | | |",
            f"| CPU while idle | {self.idle_bare.cpu_percent:.3f} % | "
            f"{self.idle_app.cpu_percent:.3f} % | | ≤ 0.1 % |",
        ]

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        return {**asdict(self), "start_ratio": self.start_ratio, "rss_ratio": self.rss_ratio}


def _launch(
    desktop: VirtualDesktop, env: dict[str, str], command: list[str] | None
) -> tuple[float, AppProcess]:
    started = time.time()
    process = AppProcess(desktop.env(env), command=command)
    visible = float(process.probe("tray_visible").values["t"])
    return visible - started, process


def _app_env(desk: DemoDesk, home: Path) -> dict[str, str]:
    # A file-backed keyring stands in for the Secret Service; the helper reads it.
    keyring_file = home / "keyring.json"
    account = credential_account(desk.base_url, "anna")
    token = desk.token_for("anna", "demo-employee")
    keyring_file.write_text(json.dumps({f"{SERVICE}/{account}": token}), encoding="utf-8")
    return {
        "HELPDESK_TRAY_HOME": str(home / "home"),
        "HELPDESK_TRAY_POLICY": str(home / "none.toml"),
        "HELPDESK_TRAY_PROBE": "1",
        "HELPDESK_TRAY_DESK_URL": desk.base_url,
        "HELPDESK_TRAY_DESK_USERNAME": "anna",
        "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
        "PYTHONPATH": str(ROOT),  # where that test backend lives
        "HELPDESK_TRAY_TEST_KEYRING": str(keyring_file),
    }


def _measure(
    desktop: VirtualDesktop, app_env: dict[str, str], rounds: int, idle_s: float
) -> Result:
    starts: dict[str, list[float]] = {"bare": [], "app": []}
    for _ in range(rounds):
        for name, env, command in (("bare", {}, BARE), ("app", app_env, None)):
            elapsed, process = _launch(desktop, env, command)
            starts[name].append(elapsed)
            process.stop()
    _, bare = _launch(desktop, {}, BARE)
    _, app = _launch(desktop, app_env, None)
    try:
        app.expect("ticket(s) loaded")
        handles = {"bare": psutil.Process(bare.process.pid), "app": psutil.Process(app.process.pid)}
        cpu_before = {name: sum(h.cpu_times()[:2]) for name, h in handles.items()}
        time.sleep(idle_s)  # measuring the idle state itself: there is nothing to wait for
        idle = {}
        for name, handle in handles.items():
            full = handle.memory_full_info()
            cpu = sum(handle.cpu_times()[:2]) - cpu_before[name]
            idle[name] = Idle(full.rss / 2**20, full.uss / 2**20, 100 * cpu / idle_s)
    finally:
        bare.stop()
        app.stop()
    return Result(rounds, idle_s, starts["bare"], starts["app"], idle["bare"], idle["app"])


def run(rounds: int, idle_seconds: float) -> Result:
    """Start a demo desk and a virtual desktop, and measure."""
    # As installed: pip and PyInstaller ship compiled bytecode. Without it (for
    # example under PYTHONDONTWRITEBYTECODE) every start would compile our sources.
    compileall.compile_dir(str(ROOT / "client"), quiet=1)
    with (
        tempfile.TemporaryDirectory(prefix="helpdesk-tray-bench-") as tmp,
        temporary_desk() as desk,
        VirtualDesktop() as desktop,
    ):
        return _measure(desktop, _app_env(desk, Path(tmp)), rounds, idle_seconds)
