"""A private virtual desktop: Xvfb, a session D-Bus and an XEmbed tray (trayer).

Used by the end-to-end tests, the benchmarks and the screenshot tool. Every
process is started here and stopped by PID; nothing outlives ``stop()``.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: Debian packages the virtual desktop needs, by the program they provide.
PROGRAMS = {"Xvfb": "xvfb", "trayer": "trayer", "xdotool": "xdotool", "dbus-daemon": "dbus"}
#: Libraries Qt's xcb platform plugin needs beyond a stock Debian image.
LIBRARIES = {"libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-keysyms.so.1": "libxcb-keysyms1"}


Rect = tuple[int, int, int, int]


def center(rect: Rect) -> tuple[int, int]:
    """The middle of ``rect`` (x, y, width, height): where a click on it lands."""
    x, y, w, h = rect
    return x + w // 2, y + h // 2


class DesktopError(RuntimeError):
    """The virtual desktop could not be started."""


def missing_packages() -> list[str]:
    """Debian packages that are not installed (empty when everything is there)."""
    missing = [package for program, package in PROGRAMS.items() if shutil.which(program) is None]
    try:
        listing = subprocess.run(
            ["ldconfig", "-p"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        listing = ""
    missing += [package for soname, package in LIBRARIES.items() if soname not in listing]
    return missing


@dataclass
class VirtualDesktop:
    """Xvfb + D-Bus + trayer on a free display number."""

    width: int = 1920
    height: int = 1080
    tray: bool = True
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _home: Path | None = None
    display: str = ""
    bus_address: str = ""

    def start(self, timeout: float = 20.0) -> VirtualDesktop:
        """Start everything; returns once the tray host is on screen."""
        missing = missing_packages()
        if missing:
            raise DesktopError(f"missing Debian packages: {' '.join(missing)}")
        self._home = Path(tempfile.mkdtemp(prefix="helpdesk-tray-desktop-"))
        (self._home / "runtime").mkdir(mode=0o700)
        try:
            self._start_x(timeout)
            self._start_bus(timeout)
            if self.tray:
                self._start_tray(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(
        self,
        args: list[str],
        *,
        stdout: int | None = None,
        stderr: int | None = None,
        pass_fds: tuple[int, ...] = (),
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603 - fixed programs, our arguments
            args,
            stdout=stdout,
            stderr=stderr,
            pass_fds=pass_fds,
            env=self.env() if env is None else env,
            start_new_session=True,
        )
        self._processes.append(process)
        return process

    def _start_x(self, timeout: float) -> None:
        read_fd, write_fd = os.pipe()
        try:
            self._spawn(
                [
                    "Xvfb",
                    "-displayfd",
                    str(write_fd),
                    "-screen",
                    "0",
                    f"{self.width}x{self.height}x24",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ],
                pass_fds=(write_fd,),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=dict(os.environ),
            )
            os.close(write_fd)
            number = _read_line(read_fd, timeout, "Xvfb did not report its display")
        finally:
            os.close(read_fd)
        self.display = f":{number}"

    def _start_bus(self, timeout: float) -> None:
        process = self._spawn(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdout is not None
        self.bus_address = _read_line(
            process.stdout.fileno(), timeout, "dbus-daemon did not report its address"
        )

    def _start_tray(self, timeout: float) -> None:
        self._spawn(
            [
                "trayer",
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "pixel",
                "--width",
                "240",
                "--height",
                "32",
                "--tint",
                "0x404040",
                "--transparent",
                "true",
                "--alpha",
                "0",
                "--SetDockType",
                "true",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # --sync blocks until the panel window exists; the timeout bounds it.
        try:
            subprocess.run(
                ["xdotool", "search", "--sync", "--classname", "trayer"],
                env=self.env(),
                capture_output=True,
                timeout=timeout,
                check=True,
            )
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as exc:
            raise DesktopError("trayer did not come up") from exc

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """An environment for programs on this desktop (no host display or bus leaks in)."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DBUS_SESSION_BUS_ADDRESS")
        }
        home = self._home or Path(tempfile.gettempdir())
        env.update(
            DISPLAY=self.display,
            XDG_RUNTIME_DIR=str(home / "runtime"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_DATA_HOME=str(home / "data"),
            QT_QPA_PLATFORM="xcb",
        )
        # Without a private bus Qt would autolaunch one that outlives us.
        env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address or "disabled:"
        env.update(extra or {})
        return env

    def xdotool(self, *args: str) -> str:
        """Run xdotool on this display; its output."""
        result = subprocess.run(
            ["xdotool", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=15,
            check=True,
        )
        return result.stdout

    def click(self, x: int, y: int, button: int = 1) -> None:
        """Move the real pointer and click."""
        self.move_to(x, y)
        self.xdotool("click", str(button))

    def move_to(self, x: int, y: int) -> None:
        """Move the real pointer to (x, y) and wait until it is there."""
        # ``mousemove --sync`` waits for the pointer to move: never, when it is there already.
        where = dict(
            part.split(":", 1) for part in self.xdotool("getmouselocation").split() if ":" in part
        )
        if (where.get("x"), where.get("y")) != (str(x), str(y)):
            self.xdotool("mousemove", "--sync", str(x), str(y))

    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        """Press the left button at ``start``, move to ``end`` and let go (a real drag)."""
        self.xdotool("mousemove", "--sync", str(start[0]), str(start[1]), "mousedown", "1")
        self.xdotool("mousemove", "--sync", str((start[0] + end[0]) // 2),
                     str((start[1] + end[1]) // 2))  # fmt: skip
        self.xdotool("mousemove", "--sync", str(end[0]), str(end[1]), "mouseup", "1")

    def click_menu_item(self, menu: Rect, item: Rect) -> None:
        """Click an entry of an open menu; ``item`` is relative to it (QMenu.actionGeometry)."""
        mx, my, _, _ = menu
        ix, iy, iw, ih = item
        self.click(mx + ix + iw // 2, my + iy + ih // 2)

    def window_rect(self, title: str) -> Rect:
        """Where the (first) window with this exact title is now."""
        found = self.xdotool("search", "--name", f"^{title}$", "getwindowgeometry", "--shell")
        values = dict(line.split("=", 1) for line in found.split() if "=" in line)
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    def type_text(self, text: str) -> None:
        """Type into the focused window, key by key."""
        self.xdotool("type", "--delay", "5", text)

    def stop(self) -> None:
        """Stop every process (newest first) and remove the temporary home."""
        for process in reversed(self._processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self._processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        self._processes.clear()
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def __enter__(self) -> VirtualDesktop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _read_line(fd: int, timeout: float, what: str) -> str:
    """One line from ``fd`` within ``timeout`` seconds (select, no busy wait)."""
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DesktopError(what)
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 256)
        if not chunk:
            raise DesktopError(what)
        data += chunk
    return data.decode().strip()
