"""The fix runner's helper process: runs one fix's scripts and ends everything they started.

Started by :class:`client.adapters.fix_runner.FixRunner` for one run, as the
logged-in user. It reads one JSON request line on stdin (the scripts' bytes
and pinned SHA-256, the interpreter, the argument list, the time limit) and
then watches stdin: a ``cancel`` line, or stdin closing (the tray quit or
died), cancels the run. It writes a JSON line as each step starts and one
with the result at the end.

How it keeps a script contained (Linux):

- it refuses to run anything when it has administrator rights (root);
- it makes itself a *child subreaper* (``PR_SET_CHILD_SUBREAPER``): whatever
  a script starts stays below this process even after a double fork or
  ``setsid``, so it can be found and ended;
- it sets ``PR_SET_NO_NEW_PRIVS``: nothing a script starts can gain rights,
  not through ``sudo``, ``pkexec`` or any other setuid program;
- each script is written into a private folder (mode 0700) just before it
  runs, read back and checked against the pinned hash; only that checked copy
  runs, by a fixed program (never a shell reading a command line), with an
  argument list;
- the environment is built from nothing: the user's own name, home and
  language, a fixed ``PATH``, and the session's bus (to restart a user
  service); no token, proxy or other inherited variable;
- when a script ends, times out or is cancelled, every process below this
  one is killed and reaped;
- output is kept up to a cap (the start and the end), the rest counted.

Other systems have no subreaper: there the helper refuses ("unsupported")
rather than run a script it could not stop. Standard library only, and no
import from the rest of the client: it can be run as a file on its own
(the tests run it so, as an unprivileged user).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

#: prctl(2) options: orphans below this process are re-parented to it; and no program
#: started below it gains rights (setuid programs such as sudo or pkexec, file capabilities).
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
#: prctl(2): this process is not "dumpable": a script, though it runs as the same user,
#: cannot open its pipes under /proc/<pid>/fd, read its memory or environment, or trace it.
PR_SET_DUMPABLE = 4
#: The longest line the tray reads from the helper (bytes); the tray bounds it as well.
MAX_LINE = 16 * 1024 * 1024
#: The PATH a script sees: system programs only, nothing the user's profile added.
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
#: Variables passed on from the user's session, when set (no secrets among them).
SESSION_VARIABLES = (
    "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "TZ", "DISPLAY", "WAYLAND_DISPLAY",
    "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
    "XDG_DATA_HOME", "XDG_STATE_HOME",
)  # fmt: skip
#: File suffix per interpreter (the private copy's name; the published name is never used).
SUFFIXES = {"python": ".py", "sh": ".sh", "bash": ".sh", "powershell": ".ps1"}
#: How long ending a run's processes may take before the helper gives up waiting (s).
END_WAIT_S = 5.0


def interpreter_command(interpreter: str) -> list[str | None] | None:
    """The fixed program (and its options) a script of this kind runs with; ``None``: unknown.

    The program itself is ``None`` when this kind is known but not installed here.
    """
    found = shutil.which
    programs: dict[str, list[str | None]] = {
        # -I: no user site, no PYTHON* variables, no current folder; -S: standard library only.
        "python": [sys.executable, "-I", "-S", "-B"],
        "sh": [found("sh", path=SAFE_PATH)],
        "bash": [found("bash", path=SAFE_PATH), "--noprofile", "--norc"],
        "powershell": [
            found("pwsh", path=SAFE_PATH),
            "-NoLogo",
            "-NoProfile",
            "-NonInteractive",
            "-File",
        ],  # fmt: skip
    }
    return programs.get(interpreter)


def script_environment(
    home: str, user: str, private: Path, environ: dict[str, str]
) -> dict[str, str]:
    """The environment a script runs in: built from nothing, no inherited secret."""
    env = {name: environ[name] for name in SESSION_VARIABLES if environ.get(name)}
    temporary = private / "tmp"
    temporary.mkdir(mode=0o700, exist_ok=True)
    env.update(
        PATH=SAFE_PATH,
        HOME=home,
        USER=user,
        LOGNAME=user,
        TMPDIR=str(temporary),
        HELPDESK_FIX="1",
    )
    return env


def contain() -> bool:
    """Reap every orphan below, forbid gaining rights, shut /proc (Linux); whether it worked."""
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"):
        return False
    import ctypes

    try:
        os.close(os.pidfd_open(os.getpid()))  # the kernel has pidfds (Linux 5.3)
        libc = ctypes.CDLL(None, use_errno=True)
        return all(
            int(libc.prctl(option, value, 0, 0, 0)) == 0
            for option, value in (
                (PR_SET_CHILD_SUBREAPER, 1), (PR_SET_NO_NEW_PRIVS, 1), (PR_SET_DUMPABLE, 0),
            )
        )  # fmt: skip
    except (OSError, AttributeError):
        return False


def descendants(root: int) -> set[int]:
    """Every process below ``root`` (from /proc; zombies included)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read()
        except OSError:
            continue  # it ended meanwhile
        # The command name may hold spaces and ")": the fields after its last ")" are fixed.
        parents[int(entry)] = int(fields[fields.rindex(b")") + 2 :].split()[1])
    found: set[int] = set()
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


def end_everything(wait_s: float = END_WAIT_S) -> bool:
    """Kill and reap every process below this one; whether none is left."""
    deadline = time.monotonic() + wait_s
    me = os.getpid()
    while True:
        left = descendants(me)
        if not left:
            return True
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        _reap()
        if time.monotonic() > deadline:
            return not descendants(me)
        time.sleep(0.005)  # the kernel finishing the kills, not a guess at timing


def _reap() -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Output:
    """A step's output: the first ``head_cap`` bytes, the last ``tail_cap``, and a count between."""

    def __init__(self, cap: int) -> None:
        self.head_cap = cap * 3 // 4
        self.tail_cap = cap - self.head_cap
        self.head = bytearray()
        self.tail = bytearray()
        self.cut = 0

    def add(self, data: bytes) -> None:
        """Keep what fits in the head, then the newest bytes in the tail."""
        room = self.head_cap - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        self.tail += data
        extra = len(self.tail) - self.tail_cap
        if extra > 0:
            del self.tail[:extra]
            self.cut += extra


class Run:
    """One run: detect, fix only when detection says 1, detect again; stop on timeout or cancel."""

    def __init__(
        self,
        request: dict[str, Any],
        control: int,
        say: Callable[[dict[str, Any]], None],
        early: bytes = b"",
    ) -> None:
        self.request = request
        self.control = control  # the raw stdin: a "cancel" line, or its end, cancels
        self.say = say
        self.deadline = time.monotonic() + float(request["timeout_s"])
        self.cap = int(request.get("cap", 64 * 1024))
        # What came after the request's line before the run began: a cancel sent with it.
        self.ended = "cancel" if b"cancel" in early else ""  # or "timeout"
        self.steps: list[dict[str, Any]] = []

    def execute(self, private: Path, env: dict[str, str], interpreter: list[str]) -> None:
        """Run the steps the exit codes call for, until one is stopped."""
        arguments = [str(a) for a in self.request.get("arguments", [])]
        plan: tuple[tuple[str, str], ...] = (
            ("detect", "detect"), ("fix", "fix"), ("detect_again", "detect"),
        )  # fmt: skip
        if self.request.get("detect_only") is True:
            plan = plan[:1]  # a health check: is the problem here? Nothing is changed.
        for step, script in plan:
            if self.stopped():
                return  # cancelled (before anything ran, too) or timed out
            if time.monotonic() >= self.deadline:
                self.ended = "timeout"  # no step starts past the run's time
                return
            if step == "fix" and self.steps[-1]["exit_code"] != 1:
                return  # nothing to fix, or detection failed: the fix never runs
            if step == "detect_again" and self.steps[-1]["exit_code"] is None:
                return
            try:
                path = self.copy(private, script)
            except OSError as error:  # the last step broke its own folder: recorded, not fatal
                self.steps.append(self.failed(step, f"no private copy: {error.strerror}"))
                return
            if path is None:
                self.steps.append(self.failed(step, "the copy is not what IT signed"))
                return
            self.say({"step": step})
            self.steps.append(
                self.run_one(step, [*interpreter, str(path), *arguments], private, env)
            )

    def stopped(self) -> bool:
        """Whether the run was cancelled or ran out of time."""
        return bool(self.ended)

    def copy(self, private: Path, script: str) -> Path | None:
        """The script written into the private folder, read back and checked; ``None``: mismatch."""
        entry = self.request[script]
        data = base64.b64decode(entry["data"])
        path = private / f"{script}{SUFFIXES[self.request['interpreter']]}"
        path.unlink(missing_ok=True)  # the last step may have left or changed it
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            return None
        return path

    def failed(self, step: str, why: str) -> dict[str, Any]:
        """A step that did not run, and why."""
        return {"name": step, "exit_code": None, "error": why, "head": "", "tail": "", "cut": 0,
                "duration_s": 0.0}  # fmt: skip

    def run_one(
        self, step: str, argv: list[str], private: Path, env: dict[str, str]
    ) -> dict[str, Any]:
        """Run one script to its end (or the run's), then end whatever it left running."""
        started = time.monotonic()
        try:
            process = subprocess.Popen(  # noqa: S603 - a checked copy, a fixed program, no shell
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=private / "tmp",  # not the folder of its copies
                env=env,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as error:
            return self.failed(step, f"could not start: {error.strerror or error}")
        output = Output(self.cap)
        try:
            exit_code = self.watch(process, output)
        except OSError as error:  # no pidfd after all: stop it, and say so
            self.ended = self.ended or "timeout"
            exit_code = None
            output.add(f"\n(the helper could not watch the script: {error})".encode())
        left = not end_everything()
        if process.stdout is not None:
            process.stdout.close()
        return {
            "name": step,
            "exit_code": exit_code,
            "error": "processes it started did not end" if left else "",
            "head": base64.b64encode(bytes(output.head)).decode(),
            "tail": base64.b64encode(bytes(output.tail)).decode(),
            "cut": output.cut,
            "duration_s": round(time.monotonic() - started, 3),
        }

    def watch(self, process: subprocess.Popen[bytes], output: Output) -> int | None:
        """Collect output until the script exits; ``None`` when it was stopped (timeout, cancel)."""
        assert process.stdout is not None
        selector = selectors.DefaultSelector()
        exited = os.pidfd_open(process.pid)
        selector.register(process.stdout, selectors.EVENT_READ, "output")
        selector.register(exited, selectors.EVENT_READ, "exited")
        selector.register(self.control, selectors.EVENT_READ, "control")
        try:
            while True:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    self.ended = "timeout"
                    return None
                for key, _ in selector.select(left):
                    if key.data == "output":
                        data = os.read(process.stdout.fileno(), 65536)
                        if data:
                            output.add(data)
                        else:
                            selector.unregister(process.stdout)
                    elif key.data == "control" and self.cancelled():
                        self.ended = "cancel"
                        return None
                    elif key.data == "exited":
                        code = process.wait()
                        self.drain(process, output)
                        return code
        finally:
            selector.close()
            os.close(exited)

    def drain(self, process: subprocess.Popen[bytes], output: Output) -> None:
        """What is left in the pipe once the script exited; whatever it left running ends first."""
        end_everything()
        assert process.stdout is not None
        os.set_blocking(process.stdout.fileno(), False)
        while True:
            try:
                data = os.read(process.stdout.fileno(), 65536)
            except BlockingIOError:
                return
            if not data:
                return
            output.add(data)

    def cancelled(self) -> bool:
        """Whether the tray asked to cancel (a ``cancel`` line, or stdin closed)."""
        data = os.read(self.control, 4096)
        return not data or b"cancel" in data


def refuse(say: Callable[[dict[str, Any]], None], why: str) -> int:
    """Answer that nothing ran, and why."""
    say({"done": True, "refused": why, "steps": [], "ended": ""})
    return 0


def _request_line(control: int) -> tuple[bytes, bytes]:
    """The request's line read from the raw stdin, and what followed it (a cancel, perhaps).

    Read without Python's buffering: a buffer would hold a cancel the run then never sees.
    """
    data = b""
    while b"\n" not in data and len(data) < MAX_LINE:
        chunk = os.read(control, 65536)
        if not chunk:
            break
        data += chunk
    line, _, rest = data.partition(b"\n")
    return line, rest


def serve(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Run the fix the first stdin line describes; report on stdout (JSON lines)."""

    def say(message: dict[str, Any]) -> None:
        stdout.write(json.dumps(message).encode() + b"\n")
        stdout.flush()

    os.umask(0o077)  # the private copies readable by this user only, whatever the tray's umask
    control = stdin.fileno()
    line, early = _request_line(control)
    try:
        request = json.loads(line)
        interpreter = interpreter_command(str(request["interpreter"]))
        for script in ("detect", "fix"):
            entry = request[script]
            data = base64.b64decode(entry["data"], validate=True)
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                return refuse(say, "tampered")
    except (ValueError, KeyError, TypeError):
        return refuse(say, "bad_request")
    if interpreter is None:
        return refuse(say, "interpreter")
    if None in interpreter:
        return refuse(say, "not_installed")  # PowerShell on a computer without it, say
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return refuse(say, "elevated")
    if not contain():
        return refuse(say, "unsupported")
    import pwd

    account = pwd.getpwuid(os.getuid())
    private = Path(tempfile.mkdtemp(prefix="helpdesk-fix-"))

    def stop(*_: object) -> None:
        # A SIGTERM (the tray's session ending) ends the run like a cancel: nothing is left.
        end_everything()
        shutil.rmtree(private, ignore_errors=True)
        os._exit(3)

    for ending in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(ending, stop)
    run = Run(request, control, say, early)
    try:
        env = script_environment(account.pw_dir, account.pw_name, private, dict(os.environ))
        run.execute(private, env, [str(part) for part in interpreter])
    finally:
        end_everything()
        shutil.rmtree(private, ignore_errors=True)
    say({"done": True, "refused": "", "steps": run.steps, "ended": run.ended})
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run as a file of its own: ``python3 fix_helper.py``."""
    del argv
    return serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main())
