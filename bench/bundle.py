"""The frozen app against a bare PySide6 tray frozen the same way: size, start, idle memory.

Both are built here, from the current sources, by ``tools/freeze.py`` with the
same spec and slimming (``installer/helpdesk-tray.spec``; ``--bare`` freezes
``bench/bare_tray.py``). Then, on a virtual desktop (Xvfb + trayer):

- Bundle size: the bytes of every file in each folder (``du -sb``), and what
  the app carries that the bare tray does not, biggest first.
- Start to icon visible: ``rounds`` starts of each, alternating, on one
  desktop; the ratio of the medians. The two programs from source (compiled
  bytecode, as the startup benchmark runs them) take their turns too, so the
  run says what freezing changes.
- Idle memory: ``runs`` pairs side by side, each pair on a desktop of its own
  (all at once), the app signed in to a real demo desk with its tickets
  loaded; RSS after ``idle`` seconds; the median of the pairs' ratios.

The frozen app gets its token from the environment (``HELPDESK_TRAY_TOKEN``):
the file keyring the source benchmark uses is a test module a bundle does not
carry.
"""

from __future__ import annotations

import compileall
import contextlib
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from bench.app_use import app_env
from demo.deskctl import DemoDesk, temporary_desk
from tools.app_process import ROOT, AppProcess
from tools.freeze import APP, BARE, freeze
from tools.xsession import VirtualDesktop

#: Size, start-up and idle memory against the bare tray (issue 16).
BUDGET = 1.3
#: The same two programs from source, started in the same rounds.
BARE_SOURCE, APP_SOURCE = "bare-tray (source)", "helpdesk-tray (source)"
SOURCE_COMMANDS = {
    BARE_SOURCE: [sys.executable, str(ROOT / "bench" / "bare_tray.py")],
    APP_SOURCE: [sys.executable, "-m", "client"],
}


@dataclass
class Result:
    """Everything measured, both bundles."""

    rounds: int
    idle_seconds: float
    build_s: dict[str, float]
    size_bytes: dict[str, int]
    files: dict[str, int]
    #: What only the app carries, biggest first: (folder or file in _internal, bytes).
    extra: list[tuple[str, int]]
    start_s: dict[str, list[float]]
    rss_mb: dict[str, list[float]] = field(default_factory=dict)
    uss_mb: dict[str, list[float]] = field(default_factory=dict)

    @property
    def size_ratio(self) -> float:
        """The app's bundle over the bare tray's."""
        return self.size_bytes[APP] / self.size_bytes[BARE]

    @property
    def start_ratio(self) -> float:
        """Median start to icon of the app over the bare tray's."""
        return self._start_ratio(APP, BARE)

    def _start_ratio(self, app: str, bare: str) -> float:
        return statistics.median(self.start_s[app]) / statistics.median(self.start_s[bare])

    def rss_ratios(self) -> list[float]:
        """App RSS over bare RSS, one per pair."""
        return [app / bare for bare, app in zip(self.rss_mb[BARE], self.rss_mb[APP], strict=True)]

    def table(self) -> list[str]:
        """The result as Markdown table rows."""
        mib = {name: size / 2**20 for name, size in self.size_bytes.items()}
        start = {name: statistics.median(times) for name, times in self.start_s.items()}
        ratios = self.rss_ratios()
        runs = len(ratios)

        def verdict(ratio: float) -> str:
            return "" if ratio <= BUDGET else " **over budget**"

        rss = {name: statistics.median(values) for name, values in self.rss_mb.items()}
        uss = {name: statistics.median(values) for name, values in self.uss_mb.items()}
        return [
            "| measure | bare tray, frozen | helpdesk-tray, frozen | ratio | budget |",
            "|---|---|---|---|---|",
            f"| build time | {self.build_s[BARE]:.1f} s | {self.build_s[APP]:.1f} s | | |",
            f"| bundle size (files) | {mib[BARE]:.1f} MiB ({self.files[BARE]}) | "
            f"{mib[APP]:.1f} MiB ({self.files[APP]}) | **{self.size_ratio:.2f}×**"
            f"{verdict(self.size_ratio)} | ≤ {BUDGET}× |",
            f"| start to tray icon visible, median of {self.rounds} | {start[BARE]:.3f} s | "
            f"{start[APP]:.3f} s | **{self.start_ratio:.2f}×**{verdict(self.start_ratio)} | "
            f"≤ {BUDGET}× |",
            f"| the same from source, in the same rounds | {start[BARE_SOURCE]:.3f} s | "
            f"{start[APP_SOURCE]:.3f} s | {self._start_ratio(APP_SOURCE, BARE_SOURCE):.2f}× | |",
            f"| RSS after {self.idle_seconds:.0f} s idle, median of {runs} | {rss[BARE]:.1f} MB | "
            f"{rss[APP]:.1f} MB | **{statistics.median(ratios):.2f}×** "
            f"({min(ratios):.3f}–{max(ratios):.3f}){verdict(statistics.median(ratios))} | "
            f"≤ {BUDGET}× |",
            f"| USS after {self.idle_seconds:.0f} s idle, median | {uss[BARE]:.1f} MB | "
            f"{uss[APP]:.1f} MB | | |",
            "",
            "What only the app's bundle carries, biggest first:",
            "",
            *(f"- `{name}`: {size / 2**20:.1f} MiB" for name, size in self.extra[:12]),
        ]

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        return {
            **asdict(self),
            "size_ratio": self.size_ratio,
            "start_ratio": self.start_ratio,
            "rss_ratio": statistics.median(self.rss_ratios()),
            "rss_ratios": self.rss_ratios(),
        }


def _sizes(folder: Path) -> dict[str, int]:
    """Every file's bytes, by its path in the bundle (symbolic links not followed)."""
    return {
        str(path.relative_to(folder)): path.lstat().st_size
        for path in folder.rglob("*")
        if path.is_file() or path.is_symlink()
    }


def _extra(app: dict[str, int], bare: dict[str, int]) -> list[tuple[str, int]]:
    """What only the app carries, summed by its first two path parts (``_internal/PIL``)."""
    groups: dict[str, int] = {}
    for name, size in app.items():
        if name in bare:
            continue
        key = "/".join(Path(name).parts[:2])
        groups[key] = groups.get(key, 0) + size
    return sorted(groups.items(), key=lambda item: -item[1])


def _launch(
    desktop: VirtualDesktop, command: Path | list[str], env: dict[str, str]
) -> tuple[float, AppProcess]:
    started = time.time()
    process = AppProcess(
        desktop.env(env), command=command if isinstance(command, list) else [str(command)]
    )
    visible = float(process.probe("tray_visible").values["t"])
    return visible - started, process


def _memory(
    bundles: dict[str, Path], desk: DemoDesk, home: Path, runs: int, idle_s: float
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    rss: dict[str, list[float]] = {BARE: [], APP: []}
    uss: dict[str, list[float]] = {BARE: [], APP: []}
    with contextlib.ExitStack() as stack:
        pairs = []
        for number in range(runs):
            desktop = stack.enter_context(VirtualDesktop())
            _, bare = _launch(desktop, bundles[BARE], {})
            stack.callback(bare.stop)
            _, app = _launch(
                desktop, bundles[APP], app_env(desk, home / f"run-{number}", keyring=False)
            )
            stack.callback(app.stop)
            app.expect("ticket(s) loaded", timeout=60)
            pairs.append((bare, app))
        since = time.monotonic()
        time.sleep(max(0.0, since + idle_s - time.monotonic()))  # idling is the point
        for bare, app in pairs:
            for name, process in ((BARE, bare), (APP, app)):
                full = psutil.Process(process.process.pid).memory_full_info()
                rss[name].append(full.rss / 2**20)
                uss[name].append(full.uss / 2**20)
    return rss, uss


def run(rounds: int, idle_seconds: float, runs: int = 5) -> Result:
    """Build both bundles, start a demo desk and virtual desktops, and measure."""
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="helpdesk-tray-bundle-")))
        bundles: dict[str, Path] = {}
        build_s: dict[str, float] = {}
        for name in (BARE, APP):
            started = time.monotonic()
            folder = freeze(tmp / "dist", build=tmp / "build", bare=name == BARE)
            build_s[name] = time.monotonic() - started
            bundles[name] = folder / name
        sizes = {name: _sizes(bundles[name].parent) for name in bundles}
        desk = stack.enter_context(temporary_desk())
        compileall.compile_dir(str(ROOT / "client"), quiet=1)  # as installed
        commands: dict[str, Path | list[str]] = {**bundles, **SOURCE_COMMANDS}
        starts: dict[str, list[float]] = {name: [] for name in commands}
        with VirtualDesktop() as desktop:
            for number in range(rounds):
                for name, command in commands.items():
                    app = name in (APP, APP_SOURCE)
                    env = (
                        app_env(desk, tmp / f"start-{number}-{name}", keyring=False) if app else {}
                    )
                    elapsed, process = _launch(desktop, command, env)
                    starts[name].append(elapsed)
                    process.stop()
        rss, uss = _memory(bundles, desk, tmp, runs, idle_seconds)
        return Result(
            rounds=rounds,
            idle_seconds=idle_seconds,
            build_s=build_s,
            size_bytes={name: sum(files.values()) for name, files in sizes.items()},
            files={name: len(files) for name, files in sizes.items()},
            extra=_extra(sizes[APP], sizes[BARE]),
            start_s=starts,
            rss_mb=rss,
            uss_mb=uss,
        )
