"""Starting this same program again as a helper process (the keyring, a report's evidence).

Heavy or blocking work runs in a process of its own, so it never sits in the
memory of a tray that runs all day, nor holds up its event loop. The helper is
the frozen executable, or this Python with ``-m client``, with a flag first.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any

#: A helper's exit status for a request it does not take.
BAD_REQUEST = 2
#: Environment a helper does not inherit: credentials handed to the tray itself.
_NOT_FOR_THE_HELPER = ("HELPDESK_TRAY_TOKEN",)


def helper_command(
    flag: str, *args: str, frozen: bool | None = None, executable: str | None = None
) -> list[str]:
    """How to start this program as the helper that ``flag`` names.

    ``-P`` keeps the current directory off ``sys.path``, so a stray ``client``
    folder where the user happens to be cannot stand in for ours.
    """
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    executable = executable or sys.executable
    if frozen:
        return [executable, flag, *args]
    return [executable, "-P", "-m", "client", flag, *args]


def start_helper(
    command: Sequence[str], *, text: bool, keep_stderr: bool, env: dict[str, str] | None = None
) -> Any:
    """Start ``command`` with pipes to its stdin and stdout (``subprocess.Popen``).

    The helper gets this process's environment without the tray's token, or
    ``env`` when given. Raises ``OSError`` when it cannot be started.
    """
    # Deferred: subprocess is needed on a worker, not for the icon to appear
    # (start-up budget, docs/performance.md).
    import subprocess

    if env is None:
        env = {k: v for k, v in os.environ.items() if k not in _NOT_FOR_THE_HELPER}
    return subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
        list(command),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if keep_stderr else subprocess.DEVNULL,
        text=text,
        env=env,
    )


class HelperProblem(Exception):
    """A one-shot helper did not start, did not answer in time, or answered nonsense."""


class OneShotHelper:
    """Runs a helper for one request: JSON in on stdin, one JSON object out on stdout.

    ``what`` names it in messages ("the keyring helper"). Thread-safe;
    :meth:`cancel` stops every helper still running (the app is quitting).
    """

    def __init__(self, command: Sequence[str], timeout: float, what: str) -> None:
        self._command = list(command)
        self._timeout = timeout
        self._what = what
        self._running: set[Any] = set()
        self._lock = threading.Lock()

    def is_running(self) -> bool:
        """Whether a helper is running now."""
        with self._lock:
            return bool(self._running)

    def cancel(self) -> None:
        """Stop helpers that are still running."""
        with self._lock:
            running = list(self._running)
        for process in running:
            process.kill()

    def ask(self, request: dict[str, object]) -> dict[str, Any]:
        """Send ``request``; the helper's answer (raises :class:`HelperProblem`)."""
        import subprocess  # deferred (start_helper): for TimeoutExpired

        try:
            process = start_helper(self._command, text=True, keep_stderr=True)
        except OSError as exc:
            raise HelperProblem(f"{self._what} did not start: {exc}") from exc
        with self._lock:
            self._running.add(process)
        try:
            stdout, stderr = process.communicate(json.dumps(request), timeout=self._timeout)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            process.communicate()
            waited = f"{self._timeout:.0f} s"
            raise HelperProblem(f"{self._what} did not answer within {waited}") from exc
        finally:
            with self._lock:
                self._running.discard(process)
        try:
            answer = json.loads(stdout)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            tail = stderr.strip().splitlines()[-1:] or ["no output"]
            raise HelperProblem(f"{self._what} failed ({process.returncode}): {tail[0]}")
        return answer


class BadRequest(ValueError):
    """A helper's request is not what the tray sends."""


def request_object(text: str) -> dict[str, Any]:
    """The JSON object a helper was sent, or :class:`BadRequest` saying what is wrong."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise BadRequest("the request is not JSON") from error
    if not isinstance(raw, dict):
        raise BadRequest("the request is not a JSON object")
    return raw


def answer_one(
    stdin: IO[str],
    stdout: IO[str],
    parse: Callable[[str], Any],
    work: Callable[[Any], dict[str, Any]],
    what: str,
) -> int:
    """A helper's whole life: read one request, answer one JSON object; the exit status.

    A request ``parse`` refuses (raising :class:`BadRequest`) answers
    ``{"error": ...}`` with status 2; a failure of ``work`` (a bug) is said in
    one line, never as a traceback on the pipe, with status 1.
    """
    try:
        request = parse(stdin.read())
    except (BadRequest, UnicodeDecodeError) as error:
        stdout.write(json.dumps({"error": str(error) or "bad request"}))
        stdout.flush()
        return BAD_REQUEST
    try:
        text = json.dumps(work(request), allow_nan=False)
    except Exception as error:  # a bug: said in one line, never a traceback on the pipe
        logging.getLogger(__name__).exception("%s failed", what)
        stdout.write(json.dumps({"error": f"{what} failed: {type(error).__name__}: {error}"}))
        stdout.flush()
        return 1
    stdout.write(text)
    stdout.flush()
    return 0
