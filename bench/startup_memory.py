"""Start to tray-icon-visible, and idle memory and CPU (after start and after first use).

The app against a bare PySide6 tray app, both on a virtual desktop (Xvfb +
trayer), in the same run, so machine noise hits both alike. The app runs as
installed (compiled bytecode) and signed in the real way: its token comes out
of a keyring through the helper process, and it polls a real demo desk.

- Start to icon visible: ``rounds`` starts of each program, alternating, on
  one desktop; the ratio of the medians.
- Idle memory after start: ``runs`` pairs of the two programs side by side,
  each pair on a desktop of its own (all pairs at once); RSS after ``idle``
  seconds. Each pair gives a ratio; the median of the ratios is the figure
  (one run is noisy by about ±0.01).
- Idle memory after first use: then, in each pair in turn, the app is used the
  way an employee first uses it, with real clicks: a report filed from the
  tray menu (the dialog with its screenshot and diagnostics, Send, Close),
  "My tickets" opened from the menu and a ticket opened in it, the window
  closed. After ``used_idle`` seconds idle (5 minutes), both programs again.
"""

from __future__ import annotations

import compileall
import contextlib
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.app_use import app_env, first_use
from demo.deskctl import DemoDesk, temporary_desk
from demo.profile_site import publish_demo_profile, serve_profile
from tools.app_process import ROOT, AppProcess
from tools.xsession import VirtualDesktop

BARE = [sys.executable, str(ROOT / "bench" / "bare_tray.py")]
#: Start-up and idle memory after start (architecture §12); the target leaves headroom.
BUDGET = 1.3
TARGET = 1.25
#: Idle memory after first use (architecture §12).
USED_BUDGET = 1.6


@dataclass
class Idle:
    """One process after idling."""

    rss_mb: float
    uss_mb: float
    cpu_percent: float


@dataclass
class PairRun:
    """One pair's measurements: (bare, app) after start, and after first use."""

    after_start: tuple[Idle, Idle]
    after_use: tuple[Idle, Idle] | None = None


@dataclass
class Result:
    """Everything measured, both programs."""

    rounds: int
    idle_seconds: float
    used_idle_seconds: float
    start_bare_s: list[float]
    start_app_s: list[float]
    pairs: list[PairRun] = field(default_factory=list)

    @property
    def start_ratio(self) -> float:
        """Median start-to-visible of the app over the bare app's."""
        return statistics.median(self.start_app_s) / statistics.median(self.start_bare_s)

    def _idles(self, used: bool) -> list[tuple[Idle, Idle]]:
        found = [pair.after_use if used else pair.after_start for pair in self.pairs]
        return [idles for idles in found if idles is not None]

    def ratios(self, used: bool = False) -> list[float]:
        """App RSS over bare RSS, one ratio per pair."""
        return [app.rss_mb / bare.rss_mb for bare, app in self._idles(used)]

    def rss_ratio(self, used: bool = False) -> float:
        """The median of the pairs' RSS ratios."""
        return statistics.median(self.ratios(used))

    def median(self, which: str, program: int, used: bool = False) -> float:
        """The median of one measure (``rss_mb``...) of the bare tray (0) or the app (1)."""
        return float(
            statistics.median(getattr(idles[program], which) for idles in self._idles(used))
        )

    def _memory_rows(self, used: bool) -> list[str]:
        if not self._idles(used):
            return []
        runs = len(self._idles(used))
        when = (
            f"after first use and {self.used_idle_seconds:.0f} s idle"
            if used
            else f"after {self.idle_seconds:.0f} s idle"
        )
        budget = f"≤ {USED_BUDGET}×" if used else f"≤ {BUDGET}× (target ≤ {TARGET}×)"
        ratios = self.ratios(used)
        return [
            f"| RSS {when}, median of {runs} | {self.median('rss_mb', 0, used):.1f} MB | "
            f"{self.median('rss_mb', 1, used):.1f} MB | **{self.rss_ratio(used):.2f}×** "
            f"({min(ratios):.3f}–{max(ratios):.3f}) | {budget} |",
            f"| USS {when}, median | {self.median('uss_mb', 0, used):.1f} MB | "
            f"{self.median('uss_mb', 1, used):.1f} MB | | |",
            f"| CPU while idle ({when}), median | {self.median('cpu_percent', 0, used):.3f} % | "
            f"{self.median('cpu_percent', 1, used):.3f} % | | ≤ 0.1 % |",
        ]

    def table(self) -> list[str]:
        """The result as Markdown table rows."""
        bare, app = statistics.median(self.start_bare_s), statistics.median(self.start_app_s)
        return [
            "| measure | bare PySide6 tray | helpdesk-tray | ratio (range) | budget |",
            "|---|---|---|---|---|",
            f"| start to tray icon visible, median of {self.rounds} | {bare:.3f} s | "
            f"{app:.3f} s | **{self.start_ratio:.2f}×** | ≤ {BUDGET}× |",
            *self._memory_rows(used=False),
            *self._memory_rows(used=True),
        ]

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        record: dict[str, object] = {
            **asdict(self),
            "start_ratio": self.start_ratio,
            "rss_ratio": self.rss_ratio(),
            "rss_ratios": self.ratios(),
        }
        if self._idles(used=True):
            record["used_rss_ratio"] = self.rss_ratio(used=True)
            record["used_rss_ratios"] = self.ratios(used=True)
        return record


def _launch(
    desktop: VirtualDesktop, env: dict[str, str], command: list[str] | None
) -> tuple[float, AppProcess]:
    started = time.time()
    process = AppProcess(desktop.env(env), command=command)
    visible = float(process.probe("tray_visible").values["t"])
    return visible - started, process


def _starts(
    desktop: VirtualDesktop, app_env: dict[str, str], rounds: int
) -> dict[str, list[float]]:
    starts: dict[str, list[float]] = {"bare": [], "app": []}
    for _ in range(rounds):
        for name, env, command in (("bare", {}, BARE), ("app", app_env, None)):
            elapsed, process = _launch(desktop, env, command)
            starts[name].append(elapsed)
            process.stop()
    return starts


@dataclass
class _Pair:
    """The bare tray and the app side by side on a desktop of their own."""

    desktop: VirtualDesktop
    bare: AppProcess
    app: AppProcess
    icon: tuple[int, int, int, int]
    since: float = 0.0  # when the idle time being measured began (monotonic)
    cpu: tuple[float, float] = (0.0, 0.0)

    def begin_idle(self) -> None:
        """From now on both are idle."""
        self.since = time.monotonic()
        self.cpu = (_cpu(self.bare), _cpu(self.app))

    def measure(self, idle_s: float) -> tuple[Idle, Idle]:
        """Both, once they have idled ``idle_s`` seconds."""
        time.sleep(max(0.0, self.since + idle_s - time.monotonic()))  # idling is the point
        elapsed = time.monotonic() - self.since
        return (
            _idle(self.bare, self.cpu[0], elapsed),
            _idle(self.app, self.cpu[1], elapsed),
        )


def _cpu(process: AppProcess) -> float:
    return float(sum(psutil.Process(process.process.pid).cpu_times()[:2]))


def _idle(process: AppProcess, cpu_before: float, elapsed: float) -> Idle:
    full = psutil.Process(process.process.pid).memory_full_info()
    cpu = _cpu(process) - cpu_before
    return Idle(full.rss / 2**20, full.uss / 2**20, 100 * cpu / elapsed)


def _memory(
    desk: DemoDesk,
    home: Path,
    runs: int,
    idle_s: float,
    used_idle_s: float,
    profile: tuple[str, bytes] | None = None,
) -> list[PairRun]:
    with contextlib.ExitStack() as stack:
        pairs = []
        for number in range(runs):
            desktop = stack.enter_context(VirtualDesktop())
            _, bare = _launch(desktop, {}, BARE)
            stack.callback(bare.stop)
            app = AppProcess(desktop.env(app_env(desk, home / f"run-{number}", profile)))
            stack.callback(app.stop)
            icon = app.probe("tray_visible").rect()
            wanted = ["ticket(s) loaded"] + (["profile version 1 kept"] if profile else [])
            for line in wanted:  # in either order
                if not any(line in seen for seen in app.log):
                    app.expect(line)
            pair = _Pair(desktop, bare, app, icon)
            pair.begin_idle()
            pairs.append(pair)
        measured = [PairRun(pair.measure(idle_s)) for pair in pairs]
        if used_idle_s > 0:
            for number, pair in enumerate(pairs):
                first_use(pair.desktop, pair.app, pair.icon, number)
                pair.begin_idle()
            for pair, run in zip(pairs, measured, strict=True):
                run.after_use = pair.measure(used_idle_s)
        return measured


def run(
    rounds: int,
    idle_seconds: float,
    runs: int = 5,
    used_idle_seconds: float = 300.0,
    with_profile: bool = False,
) -> Result:
    """Start a demo desk and virtual desktops, and measure.

    ``with_profile``: the policy names the demo's signed profile (served here),
    so the app shows the agent card: idle memory with the profile loaded.
    """
    # As installed: pip and PyInstaller ship compiled bytecode. Without it (for
    # example under PYTHONDONTWRITEBYTECODE) every start would compile our sources.
    compileall.compile_dir(str(ROOT / "client"), quiet=1)
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="helpdesk-tray-bench-")))
        desk = stack.enter_context(temporary_desk())
        profile = None
        if with_profile:
            demo = publish_demo_profile(tmp / "profile-site", datetime.now(UTC))
            profile = (stack.enter_context(serve_profile(tmp / "profile-site")), demo.root)
        with VirtualDesktop() as desktop:
            starts = _starts(desktop, app_env(desk, tmp / "starts", profile), rounds)
        result = Result(rounds, idle_seconds, used_idle_seconds, starts["bare"], starts["app"])
        result.pairs = _memory(desk, tmp, runs, idle_seconds, used_idle_seconds, profile)
        return result
