"""Self-fix definitions from the signed profile, and the rules for running one. Qt-free.

A fix is a **detection** script and a **fix** script per platform (the
Intune model): detection exits 0 when all is well and 1 when the problem is
there; the fix runs only on 1, and detection runs again afterwards, as the
evidence. The profile pins each script's SHA-256 and length; the runner
(``client/adapters/fix_runner.py`` and its helper process) runs a private
copy checked against that hash, with an argument list built here from fixed
arguments and typed parameters. Nothing here runs anything.

docs/profile.md ("Fixes") describes the document; docs/self-fix.md the runner.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from client.core.reading import (
    Text,
    mapping_of,
    plain_text,
    read_id,
    read_items,
    read_keywords,
    read_target,
    read_text,
)

#: What a script may be run with; each maps to a fixed program in the runner, never a shell.
INTERPRETERS = ("python", "sh", "bash", "powershell")
#: The systems a fix can be written for.
PLATFORMS = ("linux", "windows", "macos")
#: The longest a whole run (detect, fix, detect again) may take, and the default.
MAX_TIMEOUT_S = 1800
DEFAULT_TIMEOUT_S = 120
#: The most fixed arguments and parameters a fix may have.
MAX_ARGUMENTS = 20
#: A script's largest size (bytes): a fix is a short script, not a program.
MAX_SCRIPT_BYTES = 256 * 1024
#: Output kept per step (bytes): more is cut, with a marker saying so.
OUTPUT_CAP = 64 * 1024
#: The longest a fix's description and its "what it changes" may be (characters).
MAX_DESCRIPTION = 1000
MAX_CHANGES = 400

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PARAMETER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
#: An argument IT wrote or allowed: printable, one line, not an option (no leading "-"
#: unless IT wrote it as a fixed argument), at most 200 characters.
_ARGUMENT_LIMIT = 200


class RunAs(Enum):
    """Whose rights a fix needs."""

    USER = "user"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Script:
    """A script of the profile: where it is published, and the bytes IT signed."""

    target: str
    sha256: str
    length: int


@dataclass(frozen=True)
class Variant:
    """A fix written for one platform."""

    platform: str
    interpreter: str
    detect: Script
    fix: Script


@dataclass(frozen=True)
class Parameter:
    """A value the employee chooses before the fix runs: one of ``choices``, or a whole number."""

    name: str
    label: Text
    #: ``"choice"`` or ``"integer"``.
    kind: str
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 0
    default: str = ""


@dataclass(frozen=True)
class Fix:
    """A self-fix as IT published it."""

    id: str
    version: int
    title: Text
    description: Text
    #: What the employee notices when this is the problem ("Teams has no sound").
    symptoms: Text
    #: One plain sentence of what the fix changes, shown before consent.
    changes: Text
    keywords: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    arguments: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    timeout_s: int = DEFAULT_TIMEOUT_S
    reversible: bool = False
    run_as: RunAs = RunAs.USER
    #: IT marks it harmless: a health check may run it without asking again (the Glass ball issue).
    harmless: bool = False

    def variant(self, platform: str) -> Variant | None:
        """The fix written for ``platform``, if there is one."""
        return next((v for v in self.variants if v.platform == platform), None)


# --- reading -----------------------------------------------------------------------------------


def parse_fixes(value: object, problems: list[str]) -> tuple[Fix, ...]:
    """The profile's ``fixes``: each one checked on its own, bad ones left out and named."""
    fixes: list[Fix] = []
    for index, raw in read_items(value, "fixes", problems):
        fix = _fix(raw, f"fixes[{index}]", problems)
        if fix is not None and any(f.id == fix.id for f in fixes):
            problems.append(f"fixes[{index}]: the id {fix.id!r} is used twice")
        elif fix is not None:
            fixes.append(fix)
    return tuple(fixes)


def _fix(raw: Mapping[str, Any], where: str, problems: list[str]) -> Fix | None:
    fix_id = read_id(raw, where, problems)
    if fix_id is None:
        return None
    where = f"{where} ({fix_id})"
    title = read_text(raw.get("title"))
    changes = read_text(raw.get("changes"), MAX_CHANGES)
    if title is None or changes is None:
        problems.append(f"{where}: needs a title and what it changes (changes)")
        return None
    variants = _variants(raw.get("scripts"), f"{where}.scripts", problems)
    if not variants:
        problems.append(f"{where}: no platform's scripts are usable")
        return None
    version = raw.get("version", 1)
    timeout = raw.get("timeout", DEFAULT_TIMEOUT_S)
    if type(timeout) is not int or not 1 <= timeout <= MAX_TIMEOUT_S:
        problems.append(f"{where}.timeout: seconds, 1 to {MAX_TIMEOUT_S}; {DEFAULT_TIMEOUT_S} used")
        timeout = DEFAULT_TIMEOUT_S
    run_as = raw.get("run_as", RunAs.USER.value)
    if run_as not in (RunAs.USER.value, RunAs.ADMINISTRATOR.value):
        # Unknown is taken as the stricter: the tray never runs it, it offers to ask IT.
        problems.append(f"{where}.run_as: 'user' or 'administrator'; taken as administrator")
        run_as = RunAs.ADMINISTRATOR.value
    arguments = _arguments(raw.get("arguments"), f"{where}.arguments", problems)
    parameters = _parameters(raw.get("parameters"), f"{where}.parameters", problems)
    if arguments is None or parameters is None:
        return None  # a fix run with other arguments than IT meant is not that fix
    if len(arguments) + len(parameters) > MAX_ARGUMENTS:
        problems.append(f"{where}: more than {MAX_ARGUMENTS} arguments and parameters")
        return None
    return Fix(
        id=fix_id,
        version=version if type(version) is int and version >= 1 else 1,
        title=title,
        description=read_text(raw.get("description"), MAX_DESCRIPTION) or title,
        symptoms=read_text(raw.get("symptoms")) or Text({"en": ""}),
        changes=changes,
        keywords=read_keywords(raw.get("keywords")),
        variants=variants,
        arguments=arguments,
        parameters=parameters,
        timeout_s=timeout,
        reversible=raw.get("reversible") is True,
        run_as=RunAs(run_as),
        harmless=raw.get("harmless") is True,
    )


def _variants(value: object, where: str, problems: list[str]) -> tuple[Variant, ...]:
    variants = []
    for platform, raw in mapping_of(value).items():
        here = f"{where}.{plain_text(platform, 16)}"
        if platform not in PLATFORMS:
            problems.append(f"{here}: not one of {', '.join(PLATFORMS)}")
            continue
        entry = mapping_of(raw)
        interpreter = entry.get("interpreter")
        if interpreter not in INTERPRETERS:
            problems.append(
                f"{here}.interpreter: {plain_text(interpreter, 32)!r} is not one of "
                f"{', '.join(INTERPRETERS)}"
            )
            continue
        detect = _script(entry.get("detect"), f"{here}.detect", problems)
        fix = _script(entry.get("fix"), f"{here}.fix", problems)
        if detect is not None and fix is not None:
            variants.append(Variant(platform, str(interpreter), detect, fix))
    return tuple(variants)


def _script(value: object, where: str, problems: list[str]) -> Script | None:
    raw = mapping_of(value)
    target = read_target(raw.get("file"), f"{where}.file", problems)
    digest = raw.get("sha256")
    length = raw.get("length")
    if target is None:
        if "file" not in raw:
            problems.append(f"{where}: no file")
        return None
    if not (isinstance(digest, str) and _SHA256.match(digest)):
        problems.append(f"{where}.sha256: not a SHA-256 (64 lower-case hex digits)")
        return None
    if type(length) is not int or not 0 < length <= MAX_SCRIPT_BYTES:
        problems.append(f"{where}.length: bytes, 1 to {MAX_SCRIPT_BYTES}")
        return None
    return Script(target, digest, length)


def _plain_argument(value: object) -> str | None:
    """An argument as written, if it is one printable line of at most 200 characters."""
    if (
        isinstance(value, str)
        and 0 < len(value) <= _ARGUMENT_LIMIT
        and value.isprintable()
        and value == value.strip()
    ):
        return value
    return None


def _arguments(value: object, where: str, problems: list[str]) -> tuple[str, ...] | None:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    arguments = tuple(_plain_argument(item) for item in items)
    if not isinstance(value, list) or None in arguments:
        problems.append(f"{where}: a list of one-line texts (the fix is left out)")
        return None
    return tuple(a for a in arguments if a is not None)


def _parameters(value: object, where: str, problems: list[str]) -> tuple[Parameter, ...] | None:
    if value is None:
        return ()
    parameters: list[Parameter] = []
    for index, raw in read_items(value, where, problems):
        parameter = _parameter(raw, f"{where}[{index}]", problems)
        if parameter is None or any(p.name == parameter.name for p in parameters):
            problems.append(f"{where}[{index}]: not usable (the fix is left out)")
            return None
        parameters.append(parameter)
    if not isinstance(value, list):
        return None
    return tuple(parameters)


def _parameter(raw: Mapping[str, Any], where: str, problems: list[str]) -> Parameter | None:
    name = raw.get("name")
    kind = raw.get("type")
    label = read_text(raw.get("label"))
    if not (isinstance(name, str) and _PARAMETER_NAME.match(name)) or label is None:
        problems.append(f"{where}: needs a name (lower-case, digits, _) and a label")
        return None
    default = raw.get("default")
    if kind == "choice":
        allowed = raw.get("allowed")
        choices = tuple(_plain_argument(item) for item in allowed or ())
        if (
            not isinstance(allowed, list)
            or not choices
            or None in choices
            or any(str(c).startswith("-") for c in choices)
        ):
            problems.append(f"{where}.allowed: one-line values, none starting with '-'")
            return None
        kept = tuple(c for c in choices if c is not None)
        return Parameter(name, label, "choice", kept, default=default if default in kept else "")
    if kind == "integer":
        low, high = raw.get("min"), raw.get("max")
        if type(low) is not int or type(high) is not int or not 0 <= low <= high:
            problems.append(f"{where}: min and max are whole numbers, 0 ≤ min ≤ max")
            return None
        usable = type(default) is int and low <= default <= high
        return Parameter(name, label, "integer", (), low, high, str(default) if usable else "")
    problems.append(f"{where}.type: 'choice' or 'integer'")
    return None


def fix_files(fixes: Sequence[Fix], platform: str | None = None) -> list[str]:
    """The scripts to fetch: ``platform``'s only, or every platform's (``None``: IT checking)."""
    return [
        script.target
        for fix in fixes
        for variant in fix.variants
        if platform is None or variant.platform == platform
        for script in (variant.detect, variant.fix)
    ]


# --- running: may it, and with what ------------------------------------------------------------


class NotAllowed(Enum):
    """Why a fix may not run on this computer now."""

    #: The IT policy switched fixes off (the kill switch).
    POLICY_OFF = "policy_off"
    #: There is no variant for this system.
    PLATFORM = "platform"
    #: It needs an administrator: the tray offers "Ask IT to do this" instead.
    NEEDS_ADMIN = "needs_admin"
    #: The tray itself runs with administrator rights: it runs no fix then.
    ELEVATED = "elevated"
    #: The profile is not verified now (too old, or its last update was refused).
    UNVERIFIED = "unverified"
    #: The runner cannot contain a fix on this system yet (no way to end all it starts).
    UNSUPPORTED = "unsupported"


def not_allowed(
    fix: Fix,
    *,
    platform: str,
    enabled: bool,
    verified: bool,
    elevated: bool,
    contained: bool = True,
) -> NotAllowed | None:
    """Why ``fix`` may not run here, or ``None`` when it may.

    ``verified`` is whether the profile it comes from is verified and within
    the policy's maximum age; ``contained`` whether the runner can end
    everything a script starts on this system. The order is what the
    employee can least change first.
    """
    if not enabled:
        return NotAllowed.POLICY_OFF
    if not verified:
        return NotAllowed.UNVERIFIED
    if fix.variant(platform) is None:
        return NotAllowed.PLATFORM
    if fix.run_as is RunAs.ADMINISTRATOR:
        return NotAllowed.NEEDS_ADMIN
    if elevated:
        return NotAllowed.ELEVATED
    if not contained:
        return NotAllowed.UNSUPPORTED
    return None


class BadValue(ValueError):
    """A parameter value the fix does not allow (it is never passed on)."""


def arguments_for(fix: Fix, values: Mapping[str, str]) -> list[str]:
    """The script's argument list: the fixed arguments, then each parameter's value in order.

    Every value must be one the fix allows (a listed choice, or a whole number
    in range, written plainly); anything else raises :class:`BadValue`.
    The list is passed to the program as is: no shell ever reads it.
    """
    argv = list(fix.arguments)
    for parameter in fix.parameters:
        value = values.get(parameter.name, parameter.default)
        if parameter.kind == "choice" and value in parameter.choices:
            argv.append(value)
        elif (
            parameter.kind == "integer"
            and value.isascii()
            and value.isdigit()
            and parameter.minimum <= int(value) <= parameter.maximum
        ):
            argv.append(str(int(value)))
        else:
            raise BadValue(f"{parameter.name}: {value[:40]!r} is not allowed")
    return argv


# --- what a run came to ------------------------------------------------------------------------


class Outcome(Enum):
    """How a run ended, in the words the employee reads."""

    #: Detection found the problem, the fix ran, and detection no longer finds it.
    SOLVED = "solved"
    #: Detection found no problem: nothing was changed.
    NOTHING_FOUND = "nothing_found"
    #: The fix ran, and detection still finds the problem.
    STILL_THERE = "still_there"
    #: A script failed (an exit code outside the contract), or could not start.
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    #: Refused before anything ran (:class:`NotAllowed`, or the file is not what IT signed).
    NOT_ALLOWED = "not_allowed"
    #: A health check ran the detection alone, and it found the problem (nothing was changed).
    FOUND = "found"


#: The steps of a run, in order.
DETECT, FIX, DETECT_AGAIN = "detect", "fix", "detect_again"


@dataclass(frozen=True)
class Step:
    """One script run: its exit code (``None``: it did not end by itself), output, time taken."""

    name: str
    exit_code: int | None
    output: str = ""
    #: Bytes of output left out (the output was cut after :data:`OUTPUT_CAP`).
    cut: int = 0
    duration_s: float = 0.0


def outcome_of(steps: Sequence[Step], *, ended: str = "", checking: bool = False) -> Outcome:
    """The outcome of a run from its steps; ``ended`` is ``"timeout"`` or ``"cancel"`` if so.

    ``checking``: a health check ran the detection alone (no fix was meant to run).
    """
    if ended == "timeout":
        return Outcome.TIMED_OUT
    if ended == "cancel":
        return Outcome.CANCELLED
    codes = {step.name: step.exit_code for step in steps}
    if codes.get(DETECT) == 0:
        return Outcome.NOTHING_FOUND
    if checking:
        return Outcome.FOUND if codes.get(DETECT) == 1 else Outcome.FAILED
    if codes.get(DETECT) != 1 or codes.get(FIX) != 0:
        return Outcome.FAILED
    after = codes.get(DETECT_AGAIN)
    if after == 0:
        return Outcome.SOLVED
    return Outcome.STILL_THERE if after == 1 else Outcome.FAILED


def keep_output(head: bytes, tail: bytes = b"", cut: int = 0) -> str:
    """Captured output as text the record and the UI can show: readable, and marked when cut.

    ``head`` is the start of the output, ``tail`` its end, and ``cut`` the
    bytes left out between them. Bytes that are not UTF-8 become U+FFFD;
    control characters other than newline and tab are dropped (a script's
    output never moves a terminal's cursor nor hides text).
    """
    text = _readable(head)
    if cut:
        text += f"\n… cut after {len(head) // 1024} KB: {cut} bytes left out …\n"
    return text + _readable(tail)


def _readable(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())


@dataclass(frozen=True)
class FixRun:
    """One run of a fix, as the record keeps it and a ticket carries it."""

    fix_id: str
    version: int
    platform: str
    #: SHA-256 of the detection and the fix script that ran (as IT signed them).
    detect_sha256: str
    fix_sha256: str
    #: ``"you"`` (the employee chose it) or ``"health check"``.
    started_by: str
    started_at: float
    outcome: Outcome
    steps: tuple[Step, ...] = ()
    duration_s: float = 0.0
    #: Why it did not run (a :class:`NotAllowed` value, ``"tampered"``), or why it failed.
    reason: str = ""

    def step(self, name: str) -> Step | None:
        """The step called ``name`` (:data:`DETECT`, :data:`FIX`, ...), if it ran."""
        return next((s for s in self.steps if s.name == name), None)


def runner_failed(fix: Fix, variant: Variant, started_by: str, at: float) -> FixRun:
    """The run of ``fix`` whose runner failed: its helper did not start, or did not answer."""
    return FixRun(
        fix.id, fix.version, variant.platform, variant.detect.sha256, variant.fix.sha256,
        started_by, at, Outcome.FAILED, reason="runner",
    )  # fmt: skip


def platform_of(system: str) -> str:
    """This computer's platform as fixes name it, from ``sys.platform`` (others as they are)."""
    if system.startswith("linux"):
        return "linux"
    if system.startswith("win"):
        return "windows"
    return "macos" if system == "darwin" else system
