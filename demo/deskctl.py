"""Set up, start and stop the demo desk (django-helpdesk + tray_api on 127.0.0.1).

As a command line::

    python demo/deskctl.py setup  [--data DIR]
    python demo/deskctl.py start  [--data DIR] [--port N]   # N=0: any free port
    python demo/deskctl.py stop   [--data DIR]
    python demo/deskctl.py status [--data DIR]
    python demo/deskctl.py url    [--data DIR]

As a library, e.g. in a test fixture::

    desk = DemoDesk(data_dir=tmp_path / "desk", port=0)
    desk.setup()
    desk.start()                      # returns once GET /api/tray/v1/health is 200
    token = desk.token_for("anna", "demo-employee")
    desk.stop()

The server is ``manage.py runserver --noreload --insecure`` run by the current
interpreter (``sys.executable``) in its own process group, logging to
``<data>/desk.log``. ``<data>/desk.pid`` and ``<data>/desk.port`` record the
running server. Only the standard library is used here. POSIX only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

DEMO_DIR = Path(__file__).resolve().parent
MANAGE_PY = DEMO_DIR / "manage.py"
DEFAULT_DATA_DIR = DEMO_DIR / ".data"
DEFAULT_PORT = 8765
HOST = "127.0.0.1"
HEALTH_PATH = "/api/tray/v1/health"
TOKEN_PATH = "/api/tray/v1/auth/token"
#: The shell file that points the command line at the running demo desk (demo/launch.py).
CLI_ENV = "cli.env"


class DeskError(RuntimeError):
    """The demo desk could not be set up, started or stopped."""


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether ``port`` on ``host`` can be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# Servers started by this Python process, so their exit status is collected by
# their Popen object (no zombies, no "still running" ResourceWarning).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a dead child of ours is reaped, not alive)."""
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        _CHILDREN.pop(pid, None)
        return False
    with contextlib.suppress(ChildProcessError):
        reaped, _status = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """Whether ``pid`` has exited and only waits for its parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    # "pid (comm) state ...": comm may contain spaces or parentheses.
    fields = stat[stat.rfind(")") + 2 :].split()
    return bool(fields) and fields[0] in {"Z", "X"}


def _is_desk_process(pid: int) -> bool:
    """Whether ``pid`` looks like a demo desk server (guards against reused pids)."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return True  # no procfs: trust the pid file
    try:
        args = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return b"runserver" in args and any(arg.endswith(b"manage.py") for arg in args)


class DemoDesk:
    """Controller of one demo desk instance, identified by its data directory."""

    def __init__(
        self,
        data_dir: Path | str | None = None,
        port: int | None = None,
        *,
        python: str | None = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 10.0,
    ) -> None:
        env_dir = os.environ.get("DEMO_DESK_DATA")
        chosen = data_dir if data_dir is not None else (env_dir or DEFAULT_DATA_DIR)
        self.data_dir = Path(chosen).expanduser().resolve()
        self.requested_port = DEFAULT_PORT if port is None else int(port)
        self.python = python or sys.executable
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._proc: subprocess.Popen[bytes] | None = None

    # ----------------------------------------------------------------- files
    @property
    def pid_file(self) -> Path:
        return self.data_dir / "desk.pid"

    @property
    def port_file(self) -> Path:
        return self.data_dir / "desk.port"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "desk.log"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "db.sqlite3"

    def _read_int(self, path: Path) -> int | None:
        try:
            return int(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None

    @property
    def pid(self) -> int | None:
        """PID of the running server, from the pid file."""
        return self._read_int(self.pid_file)

    @property
    def port(self) -> int | None:
        """Port of the running server, from the port file."""
        return self._read_int(self.port_file)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        port = self.port
        if port is None:
            raise DeskError(f"the demo desk in {self.data_dir} is not running")
        return f"http://{HOST}:{port}"

    def _clear_files(self) -> None:
        # The command line's demo sign-in (demo/launch.py) goes with the desk it is for.
        for path in (self.pid_file, self.port_file, self.data_dir / CLI_ENV):
            path.unlink(missing_ok=True)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server log."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # ------------------------------------------------------------- commands
    def env(self) -> dict[str, str]:
        """Environment of the Django processes."""
        env = dict(os.environ)
        env["DEMO_DESK_DATA"] = str(self.data_dir)
        env["DJANGO_SETTINGS_MODULE"] = "desksite.settings"
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("PYTHONPATH", None)
        return env

    def manage(self, *args: str, timeout: float = 300.0) -> str:
        """Run ``manage.py <args>``; returns its output, raises DeskError on failure."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [self.python, str(MANAGE_PY), *args],
            cwd=DEMO_DIR,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise DeskError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def setup(self) -> str:
        """Migrate (only when needed) and seed the data directory. Idempotent."""
        return self.manage("setup_demo")

    def is_running(self) -> bool:
        """Whether the server recorded in the pid file is alive."""
        pid = self.pid
        return pid is not None and _pid_alive(pid) and _is_desk_process(pid)

    def is_healthy(self, timeout: float = 2.0) -> bool:
        """Whether ``GET /api/tray/v1/health`` answers 200 right now."""
        port = self.port
        if port is None:
            return False
        return self._health(port, timeout)

    @staticmethod
    def _health(port: int, timeout: float) -> bool:
        url = f"http://{HOST}:{port}{HEALTH_PATH}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                body = json.loads(response.read().decode("utf-8"))
                return response.status == 200 and body.get("ok") is True
        except (OSError, ValueError):
            return False

    def start(self) -> str:
        """Start the server and wait until it is healthy; returns the base URL.

        When this data directory's server already runs, it is reused. When the
        database does not exist yet, ``setup()`` runs first.
        """
        if self.is_running():
            if self._wait_healthy(self.pid or 0, None):
                return self.base_url
            raise DeskError(f"a demo desk runs (pid {self.pid}) but is not healthy")
        self._clear_files()
        if not self.db_file.exists():
            self.setup()
        port = self.requested_port or free_port()
        if not port_is_free(port):
            raise DeskError(f"port {port} on {HOST} is already in use")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "wb") as log:
            self._proc = subprocess.Popen(
                [
                    self.python,
                    str(MANAGE_PY),
                    "runserver",
                    f"{HOST}:{port}",
                    "--noreload",
                    "--insecure",
                ],
                cwd=DEMO_DIR,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _CHILDREN[self._proc.pid] = self._proc
        self.pid_file.write_text(f"{self._proc.pid}\n", encoding="ascii")
        self.port_file.write_text(f"{port}\n", encoding="ascii")
        if not self._wait_healthy(self._proc.pid, self._proc):
            tail = self.log_tail()
            exited = self._proc.poll()
            self.stop(quiet=True)
            reason = (
                f"exited with code {exited}"
                if exited is not None
                else f"did not answer within {self.startup_timeout:.0f} s"
            )
            raise DeskError(f"the demo desk {reason}; log tail:\n{tail}")
        return self.base_url

    def _wait_healthy(self, pid: int, proc: subprocess.Popen[bytes] | None) -> bool:
        port = self.port
        if port is None:
            return False
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                return False
            if proc is None and not _pid_alive(pid):
                return False
            if self._health(port, timeout=1.0):
                return True
            time.sleep(0.1)
        return False

    def stop(self, *, quiet: bool = False) -> bool:
        """Stop the server: SIGTERM to its process group, SIGKILL after a timeout.

        Returns False (and does nothing else) when it was not running.
        """
        pid = self.pid
        if pid is None or not _pid_alive(pid) or not _is_desk_process(pid):
            self._clear_files()
            self._proc = None
            if not quiet:
                print(f"demo desk in {self.data_dir} is not running", file=sys.stderr)
            return False
        self._signal_group(pid, signal.SIGTERM)
        if not self._wait_gone(pid, self.stop_timeout):
            self._signal_group(pid, signal.SIGKILL)
            self._wait_gone(pid, 5.0)
        self._clear_files()
        self._proc = None
        return True

    @staticmethod
    def _signal_group(pid: int, sig: signal.Signals) -> None:
        try:
            os.killpg(os.getpgid(pid), sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    @staticmethod
    def _wait_gone(pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                return True
            time.sleep(0.05)
        return not _pid_alive(pid)

    def status(self) -> dict[str, Any]:
        """Whether the server runs, with its pid, port, URL and health."""
        running = self.is_running()
        return {
            "running": running,
            "pid": self.pid if running else None,
            "port": self.port if running else None,
            "url": self.base_url if running else None,
            "healthy": self.is_healthy() if running else False,
            "data_dir": str(self.data_dir),
        }

    # -------------------------------------------------------------- helpers
    def token_for(self, username: str, password: str) -> str:
        """The user's API token, obtained through ``POST /api/tray/v1/auth/token``."""
        request = urllib.request.Request(
            self.base_url + TOKEN_PATH,
            data=json.dumps({"username": username, "password": password}).encode("utf-8"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return str(json.loads(response.read().decode("utf-8"))["token"])
        except urllib.error.HTTPError as exc:
            with exc:
                body = exc.read().decode("utf-8", errors="replace")
            raise DeskError(f"no token for {username!r}: HTTP {exc.code} {body}") from exc

    def __enter__(self) -> DemoDesk:
        self.setup()
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop(quiet=True)


@contextlib.contextmanager
def temporary_desk() -> Iterator[DemoDesk]:
    """A freshly seeded desk on a free port in a temporary folder, stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-tray-desk-") as folder:
        desk = DemoDesk(data_dir=Path(folder), port=0)
        desk.setup()
        desk.start()
        try:
            yield desk
        finally:
            desk.stop(quiet=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="deskctl", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["setup", "start", "stop", "status", "url"])
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="data directory (default: $DEMO_DESK_DATA or demo/.data)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port for start, 0 = any free port (default {DEFAULT_PORT})",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="start-up timeout, seconds")
    args = parser.parse_args(argv)
    desk = DemoDesk(args.data, args.port, startup_timeout=args.timeout)
    try:
        if args.command == "setup":
            started = time.monotonic()
            output = desk.setup()
            print(output.rstrip())
            print(f"set up {desk.data_dir} in {time.monotonic() - started:.1f} s")
        elif args.command == "start":
            print(desk.start())
        elif args.command == "stop":
            if desk.stop():
                print("stopped")
        elif args.command == "status":
            info = desk.status()
            if info["running"]:
                health = "healthy" if info["healthy"] else "NOT answering"
                print(f"running, pid {info['pid']}, {info['url']} ({health})")
            else:
                print(f"not running ({info['data_dir']})")
                return 3
        elif args.command == "url":
            if not desk.is_running():
                print(f"not running ({desk.data_dir})", file=sys.stderr)
                return 3
            print(desk.base_url)
    except DeskError as exc:
        print(f"deskctl: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
