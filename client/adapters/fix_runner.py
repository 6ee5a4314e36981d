"""Running a fix from the verified profile, in the contained helper process.

The tray's side of architecture §7. :meth:`FixRunner.run` reads the fix's
two scripts from the kept profile (each checked against the hash the store
recorded when TUF verified it), checks them against the SHA-256 and length
the signed document pins, and hands the bytes to the helper
(``client/adapters/fix_helper.py``), which copies, re-checks and runs them
as the logged-in user and ends everything they start. What came back becomes
a :class:`client.core.fixes.FixRun` for the record and any ticket.

Blocking: call it on a worker (the io runner), never the GUI thread.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from client.adapters.helper_process import start_helper
from client.core.fixes import (
    OUTPUT_CAP,
    Fix,
    FixRun,
    Outcome,
    Step,
    Variant,
    keep_output,
    outcome_of,
)

logger = logging.getLogger(__name__)

#: How much longer than the fix's own limit the helper may take before it is stopped (s).
GRACE_S = 20.0
#: How long a helper told to stop may take before it is killed (s).
KILL_AFTER_S = 5.0
#: The longest line read from the helper (bytes): a result with 64 KB of output per step.
MAX_LINE = 16 * 1024 * 1024


def running_elevated() -> bool:
    """Whether this process has administrator rights (root, or an elevated Windows token)."""
    if hasattr(os, "geteuid"):
        return os.geteuid() == 0
    import ctypes  # pragma: no cover - Windows

    try:  # pragma: no cover - Windows
        return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # pragma: no cover - Windows
        return True  # unknown is taken as the stricter


#: What of the session a fix sees (the helper keeps the same list: SESSION_VARIABLES in
#: client/adapters/fix_helper.py; a test holds them equal). Here as well, so that the
#: helper's module never loads in the tray.
SESSION_VARIABLES = (
    "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "TZ", "DISPLAY", "WAYLAND_DISPLAY",
    "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
    "XDG_DATA_HOME", "XDG_STATE_HOME",
)  # fmt: skip


def fix_helper_command(frozen: bool | None = None) -> list[str]:
    """How to start the helper: the frozen program with its flag, or this Python on its file.

    From source it runs the helper's own file in isolated mode (``-I``): it
    needs nothing but the standard library, so no module path and no
    ``PYTHON*`` variable is taken from the environment.
    """
    from client import FIX_HELPER_FLAG
    from client.adapters.helper_process import helper_command

    if getattr(sys, "frozen", False) if frozen is None else frozen:
        return helper_command(FIX_HELPER_FLAG, frozen=True)
    # Its file, not the module: the helper's code never loads in the tray (idle memory).
    return [sys.executable, "-I", str(Path(__file__).with_name("fix_helper.py"))]


def helper_environment(environ: dict[str, str]) -> dict[str, str]:
    """What the helper inherits: the session's display, bus and language, and where programs are.

    Nothing else: a script can read its parent's environment (``/proc``), so
    the helper holds no token, proxy password or other secret either.
    """
    keep = (*SESSION_VARIABLES, "PATH", "HOME", "SYSTEMROOT", "WINDIR")
    return {name: environ[name] for name in keep if environ.get(name)}


def can_contain() -> bool:
    """Whether the helper can end everything a script starts on this system (Linux: yes)."""
    return sys.platform.startswith("linux")


class FixRunner:
    """Runs one fix at a time in the helper ``command`` starts; :meth:`cancel` stops it."""

    def __init__(
        self,
        command: Sequence[str],
        clock: Callable[[], float] = time.time,
        grace_s: float = GRACE_S,
    ) -> None:
        self._command = list(command)
        self._clock = clock
        self._grace_s = grace_s
        self._lock = threading.Lock()
        self._process: Any = None
        self._cancelled = False

    def run(
        self,
        fix: Fix,
        variant: Variant,
        read: Callable[[str], bytes | None],
        arguments: Sequence[str],
        *,
        started_by: str,
        on_step: Callable[[str], None] = lambda step: None,
        detect_only: bool = False,
    ) -> FixRun:
        """Run ``fix`` (its ``variant`` for this system) with ``arguments``; what happened.

        ``read`` gives a file of the kept profile, or ``None`` when it is not
        there or no longer what was verified. ``detect_only``: a health check,
        the detection alone (its outcome is found or nothing found).
        """
        started = self._clock()
        record = FixRun(
            fix_id=fix.id,
            version=fix.version,
            platform=variant.platform,
            detect_sha256=variant.detect.sha256,
            fix_sha256=variant.fix.sha256,
            started_by=started_by,
            started_at=started,
            outcome=Outcome.NOT_ALLOWED,
        )
        scripts = {}
        for name, script in (("detect", variant.detect), ("fix", variant.fix)):
            data = read(script.target)
            if (
                data is None
                or len(data) != script.length
                or hashlib.sha256(data).hexdigest() != script.sha256
            ):
                logger.warning("fix %s: %s is not what IT signed; not run", fix.id, script.target)
                return replace(record, reason="tampered")
            scripts[name] = {"data": base64.b64encode(data).decode(), "sha256": script.sha256}
        request = {
            "interpreter": variant.interpreter,
            **scripts,
            "arguments": list(arguments),
            "timeout_s": fix.timeout_s,
            "cap": OUTPUT_CAP,
            "detect_only": detect_only,
        }
        answer = self._ask(request, fix.timeout_s + self._grace_s, on_step)
        duration = round(self._clock() - started, 3)
        if answer is None:
            return replace(record, outcome=Outcome.FAILED, duration_s=duration, reason="helper")
        if answer.get("refused"):
            reason = str(answer["refused"])
            return replace(record, duration_s=duration, reason=reason)
        steps = tuple(_step(raw) for raw in answer.get("steps", []))
        ended = str(answer.get("ended", ""))
        error = next((s.output for s in steps if s.exit_code is None and s.output), "")
        return replace(
            record,
            outcome=outcome_of(steps, ended=ended, checking=detect_only),
            steps=steps,
            duration_s=duration,
            reason=error if not ended else "",
        )

    def prepare(self) -> None:
        """A run is about to be asked for: a cancel meant for an earlier one is forgotten.

        Called where the run is decided (the GUI thread), before it goes to a
        worker: a Cancel pressed from then on stops it, even before the helper starts.
        """
        with self._lock:
            self._cancelled = False

    def cancel(self) -> None:
        """Ask the running helper to stop; it ends everything the fix started."""
        with self._lock:
            self._cancelled = True
            process = self._process
        if process is None:
            return
        try:
            process.stdin.write(b"cancel\n")
            process.stdin.flush()
        except (OSError, ValueError):
            pass  # it has ended meanwhile

    def _ask(
        self, request: dict[str, Any], limit_s: float, on_step: Callable[[str], None]
    ) -> dict[str, Any] | None:
        import subprocess  # deferred like start_helper's: for TimeoutExpired

        try:
            process = start_helper(
                self._command,
                text=False,
                keep_stderr=False,
                env=helper_environment(dict(os.environ)),
            )
        except OSError as error:
            logger.warning("the fix helper did not start: %s", error)
            return None
        with self._lock:
            self._process = process
            cancelled = self._cancelled
        # Past its limit the helper is stopped: its SIGTERM handler ends what the fix started.
        # One that does not end (a script stopped it: SIGSTOP) is killed a little later.
        watchdog = threading.Timer(limit_s, process.terminate)
        killer = threading.Timer(limit_s + KILL_AFTER_S, process.kill)
        for timer in (watchdog, killer):
            timer.daemon = True
            timer.start()
        answer = None
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            if cancelled:
                process.stdin.write(b"cancel\n")
            process.stdin.flush()
            for line in iter(lambda: process.stdout.readline(MAX_LINE), b""):
                message = _message(line)
                if "step" in message:
                    on_step(str(message["step"]))
                elif message.get("done"):
                    answer = message
                    break
        except OSError as error:
            logger.warning("the fix helper failed: %s", error)
        finally:
            watchdog.cancel()
            killer.cancel()
            with self._lock:
                self._process = None
                self._cancelled = False
            for pipe in (process.stdin, process.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
            try:
                process.wait(KILL_AFTER_S)
            except subprocess.TimeoutExpired:
                process.kill()  # it would not go: it must not hold a worker for ever
                process.wait()
        if answer is None:
            logger.warning("the fix helper ended without an answer (%s)", process.returncode)
        return answer


def _message(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def _step(raw: dict[str, Any]) -> Step:
    """A step as the helper reported it, its output made readable (and marked when cut)."""
    error = str(raw.get("error", ""))
    output = keep_output(
        base64.b64decode(raw.get("head", "")), base64.b64decode(raw.get("tail", "")),
        int(raw.get("cut", 0)),
    )  # fmt: skip
    return Step(
        name=str(raw.get("name", "")),
        exit_code=raw.get("exit_code") if isinstance(raw.get("exit_code"), int) else None,
        output=output or error,
        cut=int(raw.get("cut", 0)),
        duration_s=float(raw.get("duration_s", 0.0)),
    )
