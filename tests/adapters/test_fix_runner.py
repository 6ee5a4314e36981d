"""The fix runner with real scripts in real processes, run as an unprivileged account.

Each fix is read from a profile document by the tray's own parser, its
scripts pinned by SHA-256, and run through :class:`FixRunner` and the helper
process as ``hdt-fixes`` (tests/support/fix_user.py). What the scripts did
is checked on disk and in the process table, not only in what the runner says.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from client.adapters.fix_runner import FixRunner, helper_environment
from client.core.fixes import DETECT, DETECT_AGAIN, FIX, Fix, FixRun, Outcome
from client.core.profile import parse_profile
from tests.support.fix_user import FixUser

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the contained runner is Linux's"
)

HEALTHY_UNLESS_FLAG = 'test -e "$HOME/problem" && exit 1\nexit 0\n'
REMOVE_FLAG = 'rm -f "$HOME/problem"\necho fixed\n'


def make_fix(
    detect: str,
    fix: str,
    *,
    interpreter: str = "sh",
    timeout: int = 20,
    arguments: list[str] | None = None,
    parameters: list[dict[str, object]] | None = None,
) -> tuple[Fix, dict[str, bytes]]:
    """A fix read from a profile document, and the kept profile's files (target → bytes)."""
    files = {"fixes/t/detect": detect.encode(), "fixes/t/fix": fix.encode()}

    def pinned(target: str) -> dict[str, object]:
        data = files[target]
        return {"file": target, "sha256": hashlib.sha256(data).hexdigest(), "length": len(data)}

    document = {
        "format": 1,
        "version": 1,
        "fixes": [
            {
                "id": "t",
                "version": 3,
                "title": "Test fix",
                "changes": "Changes a test file.",
                "timeout": timeout,
                "arguments": arguments or [],
                "parameters": parameters or [],
                "scripts": {
                    "linux": {
                        "interpreter": interpreter,
                        "detect": pinned("fixes/t/detect"),
                        "fix": pinned("fixes/t/fix"),
                    }
                },
            }
        ],
    }
    profile = parse_profile(document)
    assert not profile.problems
    return profile.fixes[0], files


def run(
    user: FixUser,
    fix: Fix,
    files: dict[str, bytes],
    arguments: list[str] | None = None,
    *,
    runner: FixRunner | None = None,
    on_step: Callable[[str], None] = lambda step: None,
) -> FixRun:
    runner = runner or FixRunner(user.command)
    variant = fix.variant("linux")
    assert variant is not None
    return runner.run(fix, variant, files.get, arguments or [], started_by="you", on_step=on_step)


def output_of(result: FixRun, name: str) -> str:
    step = result.step(name)
    assert step is not None, f"{name} did not run"
    return step.output


def codes(result: FixRun) -> dict[str, int | None]:
    return {step.name: step.exit_code for step in result.steps}


def make_problem(user: FixUser, name: str = "problem") -> Path:
    path = user.home / name
    path.write_text("broken")
    os.chown(path, user.uid, -1)
    return path


# --- the exit-code contract ----------------------------------------------------------------------


def test_a_found_problem_is_fixed_and_detection_again_is_the_evidence(fix_user: FixUser) -> None:
    problem = make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, REMOVE_FLAG)
    seen: list[str] = []

    result = run(fix_user, fix, files, on_step=seen.append)

    assert result.outcome is Outcome.SOLVED
    assert codes(result) == {DETECT: 1, FIX: 0, DETECT_AGAIN: 0}
    assert seen == [DETECT, FIX, DETECT_AGAIN]
    assert not problem.exists(), "the fix really changed the account's files"
    assert output_of(result, FIX) == "fixed\n"
    assert (result.fix_id, result.version, result.started_by) == ("t", 3, "you")
    assert result.fix_sha256 == hashlib.sha256(files["fixes/t/fix"]).hexdigest()


def test_no_problem_found_means_the_fix_never_runs(fix_user: FixUser) -> None:
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, 'touch "$HOME/fix-ran"\n')

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.NOTHING_FOUND
    assert codes(result) == {DETECT: 0}
    assert not (fix_user.home / "fix-ran").exists()


def test_a_problem_the_fix_does_not_remove_is_still_there(fix_user: FixUser) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, "echo tried\n")

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.STILL_THERE
    assert codes(result) == {DETECT: 1, FIX: 0, DETECT_AGAIN: 1}


def test_a_fix_that_exits_non_zero_failed_and_detection_still_runs_after_it(
    fix_user: FixUser,
) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, "echo 'disk full' >&2\nexit 3\n")

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.FAILED
    assert codes(result) == {DETECT: 1, FIX: 3, DETECT_AGAIN: 1}
    assert "disk full" in output_of(result, FIX)


def test_a_detection_that_exits_2_failed_and_the_fix_never_runs(fix_user: FixUser) -> None:
    fix, files = make_fix("echo 'cannot tell'\nexit 2\n", 'touch "$HOME/fix-ran"\n')

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.FAILED
    assert codes(result) == {DETECT: 2}
    assert not (fix_user.home / "fix-ran").exists()


def test_python_fixes_run_with_the_standard_library_only(fix_user: FixUser) -> None:
    make_problem(fix_user)
    detect = (
        "import os, sys\nsys.exit(1 if os.path.exists(os.path.expanduser('~/problem')) else 0)\n"
    )
    remedy = (
        "import os, sys\nos.remove(os.path.expanduser('~/problem'))\nprint(sys.flags.isolated)\n"
    )
    fix, files = make_fix(detect, remedy, interpreter="python")

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.SOLVED
    assert output_of(result, FIX) == "1\n"


def test_bash_fixes_run_without_the_users_start_up_files(fix_user: FixUser) -> None:
    (fix_user.home / ".bashrc").write_text("echo from-bashrc\n")
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, REMOVE_FLAG, interpreter="bash")

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.SOLVED
    assert all("from-bashrc" not in step.output for step in result.steps)


# --- bad behaviour of a script -------------------------------------------------------------------


def test_a_hanging_fix_times_out_and_nothing_it_started_is_left(fix_user: FixUser) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, "sleep 300 &\nsleep 300\n", timeout=2)

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.TIMED_OUT
    assert codes(result) == {DETECT: 1, FIX: None}
    assert 1.5 < result.duration_s < 15
    assert fix_user.processes() == []


def test_cancel_stops_the_run_and_ends_everything_it_started(fix_user: FixUser) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, "echo started\nsleep 300\n", timeout=120)
    runner = FixRunner(fix_user.command)
    fix_started = threading.Event()

    def on_step(step: str) -> None:
        if step == FIX:
            fix_started.set()

    results: list[FixRun] = []
    worker = threading.Thread(
        target=lambda: results.append(run(fix_user, fix, files, runner=runner, on_step=on_step))
    )
    worker.start()
    assert fix_started.wait(20)
    runner.cancel()
    worker.join(30)

    assert results and results[0].outcome is Outcome.CANCELLED
    assert codes(results[0]) == {DETECT: 1, FIX: None}
    assert fix_user.processes() == []


def test_binary_garbage_becomes_readable_text(fix_user: FixUser) -> None:
    make_problem(fix_user)
    fix, files = make_fix(
        HEALTHY_UNLESS_FLAG,
        "printf 'ok\\000\\033[2J\\377\\376\\r\\a done\\n'\nhead -c 2000 /dev/urandom\n"
        'rm -f "$HOME/problem"\n',
    )

    result = run(fix_user, fix, files)

    output = output_of(result, FIX)
    assert result.outcome is Outcome.SOLVED
    assert output.startswith("ok[2J")
    assert "\ufffd" in output
    assert all(ch in "\n\t" or ch.isprintable() for ch in output)


def test_a_fix_that_deletes_its_own_file_still_ends_with_a_full_record(fix_user: FixUser) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, 'rm -f "$0"\nrm -f "$HOME/problem"\necho gone\n')

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.SOLVED
    assert codes(result) == {DETECT: 1, FIX: 0, DETECT_AGAIN: 0}


def test_a_gigabyte_of_output_is_capped_with_a_visible_marker(fix_user: FixUser) -> None:
    make_problem(fix_user)
    gigabyte = 1024**3
    fix, files = make_fix(
        HEALTHY_UNLESS_FLAG,
        f"head -c {gigabyte} /dev/zero | tr '\\000' x\necho THE-END\nrm -f \"$HOME/problem\"\n",
        timeout=120,
    )

    result = run(fix_user, fix, files)

    step = result.step(FIX)
    assert result.outcome is Outcome.SOLVED
    assert step is not None
    assert step.cut > gigabyte - 70_000
    assert "cut after 48 KB" in step.output
    assert step.output.endswith("THE-END\n"), "the end of the output is kept"
    assert len(step.output) < 70_000


# --- attacks: refused or neutralised -------------------------------------------------------------


def test_a_script_swapped_after_verification_is_not_run(fix_user: FixUser) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, REMOVE_FLAG)
    swapped = dict(files, **{"fixes/t/fix": b'touch "$HOME/pwned"\n'})

    result = run(fix_user, fix, swapped)

    assert result.outcome is Outcome.NOT_ALLOWED
    assert result.reason == "tampered"
    assert result.steps == ()
    assert not (fix_user.home / "pwned").exists()
    assert (fix_user.home / "problem").exists()


def test_a_script_of_the_right_hash_but_another_length_is_not_run(fix_user: FixUser) -> None:
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, REMOVE_FLAG)
    variant = fix.variant("linux")
    assert variant is not None
    longer = dict(files, **{"fixes/t/detect": files["fixes/t/detect"] + b"\n"})

    result = run(fix_user, fix, longer)

    assert (result.outcome, result.reason) == (Outcome.NOT_ALLOWED, "tampered")


def test_a_script_missing_from_the_kept_profile_is_not_run(fix_user: FixUser) -> None:
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, REMOVE_FLAG)

    result = run(fix_user, fix, {"fixes/t/detect": files["fixes/t/detect"]})

    assert (result.outcome, result.reason) == (Outcome.NOT_ALLOWED, "tampered")


def helper_answer(command: list[str], request: dict[str, object]) -> dict[str, object]:
    done = subprocess.run(
        command, input=json.dumps(request).encode() + b"\n", capture_output=True, timeout=30,
        env=helper_environment(dict(os.environ)), check=False,
    )  # fmt: skip
    answer: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return answer


def script_entry(text: str) -> dict[str, str]:
    data = text.encode()
    return {"data": base64.b64encode(data).decode(), "sha256": hashlib.sha256(data).hexdigest()}


def test_the_helper_refuses_bytes_that_do_not_match_their_pinned_hash(fix_user: FixUser) -> None:
    detect = script_entry("exit 1\n")
    fix = dict(script_entry('touch "$HOME/pwned"\n'), sha256="0" * 64)

    answer = helper_answer(
        fix_user.command,
        {"interpreter": "sh", "detect": detect, "fix": fix, "arguments": [], "timeout_s": 10},
    )

    assert answer["refused"] == "tampered"
    assert not (fix_user.home / "pwned").exists()


@pytest.mark.parametrize("interpreter", ["cmd", "/bin/sh", "sh -c", "perl", ""])
def test_the_helper_refuses_an_unknown_interpreter(fix_user: FixUser, interpreter: str) -> None:
    answer = helper_answer(
        fix_user.command,
        {
            "interpreter": interpreter,
            "detect": script_entry("exit 1\n"),
            "fix": script_entry("exit 0\n"),
            "timeout_s": 10,
        },
    )

    assert answer["refused"] == "interpreter"


@pytest.mark.skipif(shutil.which("pwsh") is not None, reason="PowerShell is installed here")
def test_a_fix_whose_program_is_not_installed_is_refused_and_says_so(fix_user: FixUser) -> None:
    answer = helper_answer(
        fix_user.command,
        {
            "interpreter": "powershell",
            "detect": script_entry("exit 1\n"),
            "fix": script_entry("exit 0\n"),
            "timeout_s": 10,
        },
    )

    assert answer["refused"] == "not_installed"


def test_the_helper_refuses_a_request_that_is_not_one(fix_user: FixUser) -> None:
    done = subprocess.run(
        fix_user.command, input=b"rm -rf ~\n", capture_output=True, timeout=30, check=False
    )

    assert json.loads(done.stdout)["refused"] == "bad_request"


@pytest.mark.skipif(os.geteuid() != 0, reason="shows what happens when the tray runs as root")
def test_the_helper_runs_nothing_with_administrator_rights(tmp_path: Path) -> None:
    from client.adapters import fix_helper

    marker = tmp_path / "ran-as-root"
    answer = helper_answer(
        ["/usr/bin/python3", "-I", fix_helper.__file__],
        {
            "interpreter": "sh",
            "detect": script_entry("exit 1\n"),
            "fix": script_entry(f"touch {marker}\n"),
            "timeout_s": 10,
        },
    )

    assert answer["refused"] == "elevated"
    assert not marker.exists()


ECHO_ARGUMENTS = 'for a in "$@"; do printf "[%s]\\n" "$a"; done\nexit 1\n'


@pytest.mark.parametrize(
    "value",
    ["; rm -rf ~", "$(touch $HOME/pwned)", "`touch $HOME/pwned`", "&& touch ~/pwned", "|id", "*"],
)
def test_an_allowed_value_with_shell_syntax_is_one_literal_argument(
    fix_user: FixUser, value: str
) -> None:
    (fix_user.home / "keep").write_text("still here")
    fix, files = make_fix(
        ECHO_ARGUMENTS,
        "exit 0\n",
        parameters=[{"name": "printer", "type": "choice", "label": "Printer", "allowed": [value]}],
    )

    result = run(fix_user, fix, files, [value])

    assert output_of(result, DETECT) == f"[{value}]\n"
    assert not (fix_user.home / "pwned").exists()
    assert (fix_user.home / "keep").exists()


def test_a_fixed_argument_starting_with_a_dash_goes_to_the_script_not_the_shell(
    fix_user: FixUser,
) -> None:
    fix, files = make_fix(ECHO_ARGUMENTS, "exit 0\n", arguments=["-c", "touch /tmp/x", "--help"])

    result = run(fix_user, fix, files, list(fix.arguments))

    assert output_of(result, DETECT) == "[-c]\n[touch /tmp/x]\n[--help]\n"


def test_the_script_sees_no_secret_of_the_tray_or_its_helper(
    fix_user: FixUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = {
        "HELPDESK_TRAY_TOKEN": "desk-token-123",
        "HTTPS_PROXY": "http://joost:Geheim123@proxy:3128",
        "AWS_SECRET_ACCESS_KEY": "aws-secret-456",
        "LD_PRELOAD": "/tmp/evil.so",
        "PYTHONPATH": "/tmp/evil",
        "BASH_ENV": "/tmp/evil.sh",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    fix, files = make_fix(
        'env\necho "parent: $(tr "\\0" "\\n" < /proc/$PPID/environ)"\nexit 0\n', "exit 0\n"
    )

    result = run(fix_user, fix, files)

    output = output_of(result, DETECT)
    assert "HOME=" in output and "PATH=/usr/local/bin:/usr/bin:/bin" in output
    for name, value in secrets.items():
        assert value not in output, name
        assert f"{name}=" not in output, name


def test_the_script_runs_as_the_user_and_cannot_gain_rights(fix_user: FixUser) -> None:
    fix, files = make_fix(
        "id -u\ngrep NoNewPrivs /proc/self/status\nsudo -n true 2>/dev/null && echo ELEVATED\n"
        "exit 0\n",
        "exit 0\n",
    )

    result = run(fix_user, fix, files)

    output = output_of(result, DETECT)
    assert output.splitlines()[0] == str(fix_user.uid)
    assert "NoNewPrivs:\t1" in output
    assert "ELEVATED" not in output


@pytest.mark.parametrize(
    "escape",
    [
        "(sleep 300 &)",  # a grandchild left sleeping
        "setsid sleep 300 &",  # a new session
        "setsid sh -c 'sleep 300 & exit' &",  # a double-forked daemon in its own session
        "nohup sleep 300 >/dev/null 2>&1 &",
        "sh -c 'trap \"\" TERM HUP; sleep 300' &",  # ignores polite signals
    ],
)
def test_whatever_a_script_leaves_running_is_ended(fix_user: FixUser, escape: str) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, f'{escape}\nrm -f "$HOME/problem"\nexit 0\n')

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.SOLVED
    assert fix_user.processes() == []


def test_the_private_copy_is_gone_after_the_run(fix_user: FixUser) -> None:
    fix, files = make_fix('echo "$PWD" > "$HOME/where"\nexit 0\n', "exit 0\n")

    run(fix_user, fix, files)

    private = Path((fix_user.home / "where").read_text().strip()).parent  # it runs in tmp/
    assert private.name.startswith("helpdesk-fix-")
    assert not private.exists()


def test_a_helper_that_answers_nonsense_is_a_failed_run(tmp_path: Path) -> None:
    fix, files = make_fix("exit 1\n", "exit 0\n")
    runner = FixRunner(["/bin/echo", "not json"])

    result = runner.run(fix, fix.variants[0], files.get, [], started_by="you")

    assert (result.outcome, result.reason) == (Outcome.FAILED, "helper")


def test_a_helper_that_never_answers_is_stopped(tmp_path: Path) -> None:
    fix, files = make_fix("exit 1\n", "exit 0\n", timeout=1)
    runner = FixRunner(["/bin/sleep", "300"], grace_s=0.5)

    result = runner.run(fix, fix.variants[0], files.get, [], started_by="you")

    assert (result.outcome, result.reason) == (Outcome.FAILED, "helper")
    assert result.duration_s < 30


@pytest.mark.parametrize("frozen", [False, True])
def test_the_helper_starts_without_the_environments_module_path(frozen: bool) -> None:
    from client.adapters.fix_runner import fix_helper_command

    command = fix_helper_command(frozen=frozen)
    if frozen:
        assert command[1:] == ["--fix-helper"]
    else:
        assert command[1] == "-I" and command[2].endswith("fix_helper.py")


def test_the_helper_as_the_tray_starts_it_answers(tmp_path: Path) -> None:
    from client.adapters.fix_runner import fix_helper_command

    fix, files = make_fix("exit 0\n", "exit 0\n")
    result = FixRunner(fix_helper_command()).run(fix, fix.variants[0], files.get, [],
                                                 started_by="you")  # fmt: skip
    if os.geteuid() == 0:  # these machines: the helper itself refuses to run anything
        assert (result.outcome, result.reason) == (Outcome.NOT_ALLOWED, "elevated")
    else:
        assert result.outcome is Outcome.NOTHING_FOUND


def test_a_cancel_sent_before_the_helper_read_the_request_still_stops_the_run(
    fix_user: FixUser,
) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, REMOVE_FLAG)
    runner = FixRunner(fix_user.command)
    runner.prepare()
    runner.cancel()  # pressed before the helper started: sent right after the request

    result = run(fix_user, fix, files, runner=runner)

    assert result.outcome is Outcome.CANCELLED
    assert result.steps == ()
    assert (fix_user.home / "problem").exists(), "nothing ran"


def test_a_cancel_of_an_earlier_run_does_not_stop_the_next(fix_user: FixUser) -> None:
    make_problem(fix_user)
    fix, files = make_fix(HEALTHY_UNLESS_FLAG, REMOVE_FLAG)
    runner = FixRunner(fix_user.command)
    runner.cancel()  # nothing was running
    runner.prepare()

    assert run(fix_user, fix, files, runner=runner).outcome is Outcome.SOLVED


def test_a_script_cannot_reach_its_helpers_pipes_to_forge_the_result(fix_user: FixUser) -> None:
    make_problem(fix_user)
    forged = '{"done": true, "refused": "", "steps": [], "ended": ""}'
    fix, files = make_fix(
        HEALTHY_UNLESS_FLAG,
        f"echo '{forged}' > /proc/$PPID/fd/1 2>/dev/null && echo FORGED\n"
        "cat /proc/$PPID/environ >/dev/null 2>&1 && echo READ-ENVIRON\n"
        'rm -f "$HOME/problem"\n',
    )

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.SOLVED
    assert codes(result) == {DETECT: 1, FIX: 0, DETECT_AGAIN: 0}, "the helper's own answer"
    assert "FORGED" not in output_of(result, FIX)
    assert "READ-ENVIRON" not in output_of(result, FIX)


def test_a_script_that_stops_its_helper_does_not_hold_the_tray(fix_user: FixUser) -> None:
    fix, files = make_fix("kill -STOP $PPID\nexit 1\n", "exit 0\n", timeout=1)
    runner = FixRunner(fix_user.command, grace_s=0.5)

    result = run(fix_user, fix, files, runner=runner)

    assert (result.outcome, result.reason) == (Outcome.FAILED, "helper")
    assert result.duration_s < 20


def test_a_fix_that_breaks_the_folder_of_its_copies_still_ends_with_a_record(
    fix_user: FixUser,
) -> None:
    make_problem(fix_user)
    fix, files = make_fix(
        HEALTHY_UNLESS_FLAG,
        "rm -f ../detect.sh && mkdir ../detect.sh && chmod 000 ../detect.sh\n"
        'rm -f "$HOME/problem"\n',
    )

    result = run(fix_user, fix, files)

    assert result.outcome is Outcome.FAILED
    assert codes(result) == {DETECT: 1, FIX: 0, DETECT_AGAIN: None}
    assert "no private copy" in result.reason or "no private copy" in output_of(
        result, DETECT_AGAIN
    )


def test_the_tray_and_the_helper_pass_a_fix_the_same_session_variables() -> None:
    # Kept twice on purpose: the helper runs as a file of its own (standard library only),
    # and its module must not load in the tray (idle memory, docs/performance.md).
    from client.adapters import fix_helper, fix_runner

    assert fix_runner.SESSION_VARIABLES == fix_helper.SESSION_VARIABLES
    assert fix_runner.fix_helper_command(frozen=False)[2] == fix_helper.__file__


def test_the_helpers_module_does_not_load_with_the_runner() -> None:
    code = (
        "import sys\nimport client.adapters.fix_runner as r\nr.fix_helper_command()\n"
        "print('client.adapters.fix_helper' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.stdout.strip() == "False"
