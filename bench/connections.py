"""Connections the tray keeps to the desk: the real app in real time, "My tickets" open and shut.

Budget (issue 11, part 3; architecture §12): after at least 10 minutes of
polling with a short interval, with the tickets window opened (a ticket in it)
and closed in turn, the tray holds ≤ 2 TCP connections to the desk, none in
CLOSE-WAIT, and the desk's count of open connections stays flat.

Real time on purpose: a connection left behind by a worker thread shows only
once Qt's pool has retired that thread (after 30 s idle), which a simulated
clock never does. The app runs on a virtual desktop against a real demo desk
(Django's development server, which keeps idle connections open), with the
IT policy setting both poll intervals to 60 s; the window polls every 20 s
while it is open. The tray's sockets are read with psutil from the app's
process, the desk's from the server's.
"""

from __future__ import annotations

import collections
import queue
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from bench.app_use import app_env, close_tickets_window, open_a_ticket
from demo.deskctl import DemoDesk, temporary_desk
from tools.app_process import AppProcess
from tools.xsession import VirtualDesktop

#: Connections the tray may hold to the desk at the end (architecture §12).
BUDGET = 2
POLICY = "[network]\npoll_interval_s = 60\nrare_poll_interval_s = 60\n"
SAMPLE_EVERY_S = 5.0


@dataclass
class Sample:
    """The sockets at one moment."""

    at_s: float
    window_open: bool
    tray: dict[str, int]  # TCP state → connections from the tray to the desk
    desk: dict[str, int]  # TCP state → connections the desk has open (listening socket aside)

    @property
    def tray_total(self) -> int:
        """Every connection from the tray to the desk."""
        return sum(self.tray.values())

    @property
    def desk_total(self) -> int:
        """Every connection the desk has open."""
        return sum(self.desk.values())


@dataclass
class Result:
    """The samples of the run, and the tray's connections told apart by their local port."""

    seconds: float
    open_s: float
    closed_s: float
    cycles: int = 0
    ticket_loads: int = 0
    connections_seen: int = 0
    samples: list[Sample] = field(default_factory=list)

    @property
    def final(self) -> Sample:
        """The last sample: the end of a closed phase."""
        return self.samples[-1]

    @property
    def desk_after_closed(self) -> list[int]:
        """The desk's open connections at the end of each closed phase (flat means no leak)."""
        ends = [
            sample
            for sample, after in zip(self.samples, [*self.samples[1:], None], strict=True)
            if not sample.window_open and (after is None or after.window_open)
        ]
        return [sample.desk_total for sample in ends]

    def table(self) -> list[str]:
        """Markdown rows."""
        final = self.final
        close_wait = [sample.tray.get("CLOSE_WAIT", 0) for sample in self.samples]
        desk = self.desk_after_closed
        return [
            "| measure | value | budget |",
            "|---|---|---|",
            f'| real time; cycles of "My tickets" open {self.open_s:.0f} s (a ticket in it) '
            f"and closed {self.closed_s:.0f} s | {self.seconds / 60:.1f} min; {self.cycles} "
            "| ≥ 10 min |",
            f"| tickets loaded into the window (the app's log); tray connections seen "
            f"(by local port, sampled every {SAMPLE_EVERY_S:.0f} s) "
            f"| {self.ticket_loads}; {self.connections_seen} | |",
            f"| tray → desk TCP connections at the end | **{final.tray_total}** "
            f"({_states(final.tray)}) | ≤ {BUDGET} |",
            f"| of which in CLOSE-WAIT, at the end (most at any sample) "
            f"| **{final.tray.get('CLOSE_WAIT', 0)}** ({max(close_wait)}) | 0 |",
            f"| tray → desk connections, most at any sample "
            f"| {max(s.tray_total for s in self.samples)} | |",
            f"| desk's open connections at the end of each closed phase "
            f"| **{', '.join(str(n) for n in desk)}** | flat |",
            f"| desk's open connections, median (most) over {len(self.samples)} samples "
            f"| {statistics.median(s.desk_total for s in self.samples):.0f} "
            f"({max(s.desk_total for s in self.samples)}) | |",
        ]

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        return {
            **asdict(self),
            "final_tray": self.final.tray_total,
            "final_close_wait": self.final.tray.get("CLOSE_WAIT", 0),
            "desk_after_closed": self.desk_after_closed,
        }


def _states(counts: dict[str, int]) -> str:
    return ", ".join(f"{state} {n}" for state, n in sorted(counts.items())) or "none"


def _sockets(desk: DemoDesk, app: AppProcess) -> tuple[dict[str, int], dict[str, int]]:
    port = desk.port
    tray = collections.Counter(
        c.status
        for c in psutil.Process(app.process.pid).net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port
    )
    assert desk.pid is not None
    server = collections.Counter(
        c.status
        for c in psutil.Process(desk.pid).net_connections(kind="tcp")
        if c.laddr and c.laddr.port == port and c.status != psutil.CONN_LISTEN
    )
    return dict(tray), dict(server)


def _drain(app: AppProcess) -> list[str]:
    """Every line the app has written so far (``app.log`` grows by those not yet read)."""
    while True:
        try:
            _name, line = app.lines.get_nowait()
        except queue.Empty:
            return app.log
        app.log.append(line)


def _local_ports(desk: DemoDesk, app: AppProcess) -> set[int]:
    return {
        c.laddr.port
        for c in psutil.Process(app.process.pid).net_connections(kind="tcp")
        if c.raddr and c.raddr.port == desk.port
    }


def run(minutes: float = 10.0, open_s: float = 45.0, closed_s: float = 75.0) -> Result:
    """At least ``minutes`` of the real app, the window open and closed in turn."""
    result = Result(0.0, open_s, closed_s)
    with (
        tempfile.TemporaryDirectory(prefix="helpdesk-tray-bench-") as tmp,
        temporary_desk() as desk,
        VirtualDesktop() as desktop,
    ):
        env = app_env(desk, Path(tmp))
        Path(env["HELPDESK_TRAY_POLICY"]).write_text(POLICY, encoding="utf-8")
        app = AppProcess(desktop.env(env))
        try:
            icon = app.probe("tray_visible").rect()
            app.expect("ticket(s) loaded")
            mark = len(_drain(app))
            seen: set[int] = set()
            began = time.monotonic()

            def watch(seconds: float, window_open: bool) -> None:
                until = time.monotonic() + seconds
                while True:
                    tray, server = _sockets(desk, app)
                    seen.update(_local_ports(desk, app))
                    result.samples.append(
                        Sample(time.monotonic() - began, window_open, tray, server)
                    )
                    if time.monotonic() >= until:
                        return
                    time.sleep(min(SAMPLE_EVERY_S, until - time.monotonic()))

            while time.monotonic() - began < minutes * 60:
                open_a_ticket(desktop, app, icon)
                watch(open_s, window_open=True)
                close_tickets_window(desktop)
                watch(closed_s, window_open=False)
                result.cycles += 1
            result.seconds = time.monotonic() - began
            result.ticket_loads = sum(1 for line in _drain(app)[mark:] if " loaded (" in line)
            result.connections_seen = len(seen)
        finally:
            app.stop()
    return result
