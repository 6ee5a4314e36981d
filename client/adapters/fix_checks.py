"""IT's fixes' detection as health checks, in a short-lived helper process.

Every six hours the health service (``client/services/health.py``) asks which
of the profile's fixes find their problem on this computer. One helper
process (``helpdesk-tray --fix-check-helper``) checks the due ones, one after
another: it reads the kept profile as verified, decides whether each may run
here (as a fix the employee starts would be decided), runs its detection
alone through the fix runner within the fix's own time limit, and keeps each
run in the record of what ran (``record.sqlite3``). The tray loads none of
the fixes' reader, the runner or the record for a check, so checks cost the
idle tray nothing (docs/performance.md, "Health checks").

The request, one JSON object on stdin::

    {"profile": "<the kept profile's folder>", "due": ["fix-id", ...],
     "enabled": true (the policy's fixes.enabled), "verified": true (the tray's
     word: verified and not older than the policy allows), "record": "<path>" or "",
     "command": ["..."] (optional, tests: how to start the fix helper, say as an
     unprivileged account; that helper then is the one to refuse administrator rights)}

The answer, one JSON object on stdout::

    {"checks": [{"id": "clean", "outcome": "found"},
                {"id": "printer", "not_run": "needs_admin"}, ...]}

``outcome`` is a :class:`client.core.fixes.Outcome` value; a check that was
not run (not allowed here, the employee's choices needed, not in the
profile) is said with ``not_run`` and is not in the record, as before. A bad
request answers ``{"error": ...}`` and exits 2.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from client import FIX_CHECK_HELPER_FLAG
from client.adapters.helper_process import (
    BadRequest,
    HelperProblem,
    OneShotHelper,
    answer_one,
    helper_command,
    request_object,
)

if TYPE_CHECKING:
    from client.core.fixes import Fix, FixRun

logger = logging.getLogger(__name__)

#: The longest a fix's own time limit may be (s): ``client.core.fixes.MAX_TIMEOUT_S``
#: (here too, so that the tray does not load that module; a test holds them equal).
MAX_FIX_TIMEOUT_S = 1800
#: What one check may take beyond its limit before the tray stops the helper (s): the
#: runner's grace and kill (``client.adapters.fix_runner``), and the helper's own start.
CHECK_OVERHEAD_S = 60.0
#: The most fixes one request may name (a profile has at most this many entries).
MAX_DUE = 500


class FixChecksHelper:
    """The tray's side: one helper process checks the due fixes and answers."""

    def __init__(self, command: Sequence[str] | None = None) -> None:
        self._command = list(command or helper_command(FIX_CHECK_HELPER_FLAG))
        self._helpers: list[OneShotHelper] = []

    def check(self, request: dict[str, Any]) -> dict[str, Any]:
        """The helper's answer to ``request`` (blocking: call it on a worker).

        Each fix's runner stops it at its own limit; the tray waits at most the
        longest any limit allows, so a helper that hangs is stopped all the same.
        """
        due = request.get("due")
        count = len(due) if isinstance(due, list) else 1
        helper = OneShotHelper(
            self._command, count * (MAX_FIX_TIMEOUT_S + CHECK_OVERHEAD_S), "the fix check helper"
        )
        self._helpers.append(helper)
        try:
            answer = helper.ask(request)
        finally:
            self._helpers.remove(helper)
        if "error" in answer:
            raise HelperProblem(f"the fix check helper failed: {str(answer['error'])[:200]}")
        return answer

    def cancel(self) -> None:
        """Stop checks still running (the app is quitting); the runner ends what they started."""
        for helper in list(self._helpers):
            helper.cancel()


# --- the helper's side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request, checked."""

    profile: Path
    due: tuple[str, ...]
    enabled: bool
    verified: bool
    record: Path | None
    command: tuple[str, ...] | None


def parse_request(text: str) -> Request:
    """The request in ``text``, or :class:`BadRequest` saying what is wrong."""
    raw = request_object(text)
    profile, record, due = raw.get("profile"), raw.get("record", ""), raw.get("due")
    if not isinstance(profile, str) or not profile.strip():
        raise BadRequest("profile must be a folder")
    if not isinstance(record, str):
        raise BadRequest("record must be a path or empty")
    if not isinstance(due, list) or len(due) > MAX_DUE or not all(isinstance(i, str) for i in due):
        raise BadRequest(f"due must be a list of at most {MAX_DUE} fix ids")
    enabled, verified = raw.get("enabled"), raw.get("verified")
    if not isinstance(enabled, bool) or not isinstance(verified, bool):
        raise BadRequest("enabled and verified must be true or false")
    command = raw.get("command")
    if command is not None and (
        not isinstance(command, list) or not command or not all(isinstance(p, str) for p in command)
    ):
        raise BadRequest("command must be a list of strings")
    return Request(
        Path(profile), tuple(dict.fromkeys(due)), enabled, verified,
        Path(record) if record.strip() else None, tuple(command) if command else None,
    )  # fmt: skip


def check_fixes(request: Request) -> dict[str, Any]:
    """Check each due fix as the request says; what each did (the helper's answer)."""
    from client.adapters.fix_runner import (
        FixRunner,
        can_contain,
        fix_helper_command,
        running_elevated,
    )
    from client.adapters.profile_store import ProfileStore
    from client.core.fixes import parse_fixes, platform_of, runner_failed
    from client.core.reading import readable

    kept = ProfileStore(request.profile).load()
    fixes: dict[str, Fix] = {}
    if kept is not None and readable(kept.document):
        fixes = {fix.id: fix for fix in parse_fixes(kept.document.get("fixes"), [])}
    platform, contained = platform_of(sys.platform), can_contain()
    # A fix helper started another way (tests: as an unprivileged account) checks its own
    # rights, and refuses to run with administrator rights as it always does.
    elevated = running_elevated() if request.command is None else False
    runner = FixRunner(request.command or fix_helper_command())
    record = _Record(request.record)
    checks: list[dict[str, str]] = []
    for fix_id in request.due:
        fix = fixes.get(fix_id)
        reason, arguments = (
            ("not_in_profile", [])
            if fix is None or kept is None
            else _may_check(fix, request, platform, elevated, contained)
        )
        variant = fix.variant(platform) if fix is not None and not reason else None
        if fix is None or kept is None or variant is None:  # not_allowed named the platform
            logger.info("health check %s not run: %s", fix_id, reason)
            checks.append({"id": fix_id, "not_run": reason})
            continue
        try:
            run = runner.run(
                fix, variant, kept.read, arguments, started_by="health check", detect_only=True
            )
        except Exception as error:  # noqa: BLE001 - the runner's trouble: a failed check
            logger.warning("health check %s could not run: %s", fix_id, error)
            run = runner_failed(fix, variant, "health check", time.time())
        logger.info("health check %s: %s", fix_id, run.outcome.value)
        record.keep(run)
        checks.append({"id": fix_id, "outcome": run.outcome.value})
    record.close()
    return {"checks": checks}


def _may_check(
    fix: Fix, request: Request, platform: str, elevated: bool, contained: bool
) -> tuple[str, list[str]]:
    """Why ``fix`` may not be checked here (``""``: it may), and the arguments it runs with.

    The same rules as a fix the employee starts (``core.fixes.not_allowed``), and IT's
    arguments with the parameters' defaults: a fix that needs the employee's choice is
    not run as a check.
    """
    from client.core.fixes import BadValue, arguments_for, not_allowed

    refused = not_allowed(
        fix, platform=platform, enabled=request.enabled, verified=request.verified,
        elevated=elevated, contained=contained,
    )  # fmt: skip
    if refused is not None:
        return refused.value, []
    try:
        return "", arguments_for(fix, {})
    except BadValue:
        return "needs_choice", []


def serve(stdin: IO[str], stdout: IO[str]) -> int:
    """Answer one request of the tray (the helper process's whole life); the exit status."""
    return answer_one(stdin, stdout, parse_request, check_fixes, "the checks")


class _Record:
    """The record of what ran, opened with the first run to keep; a failure is logged."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._record: Any = None

    def keep(self, run: FixRun) -> None:
        if self._path is None:
            return
        try:
            if self._record is None:
                from client.adapters.record_store import SqliteRecord

                self._record = SqliteRecord(self._path)
            self._record.add(run)
        except Exception as error:  # noqa: BLE001 - the check counts; the record said so
            logger.warning("health check %s not recorded: %s", run.fix_id, error)

    def close(self) -> None:
        close = getattr(self._record, "close", None)
        if callable(close):
            close()
