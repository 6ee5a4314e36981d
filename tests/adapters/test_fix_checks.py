"""The fix check helper as a real process: IT's fixes' detection as health checks, recorded."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from client import FIX_CHECK_HELPER_FLAG
from client.adapters import fix_checks, fix_runner
from client.adapters.fix_checks import FixChecksHelper
from client.adapters.helper_process import HelperProblem, helper_command
from client.adapters.profile_store import ProfileStore
from client.adapters.record_store import SqliteRecord
from client.core import fixes
from client.core.fixes import DETECT, FixRun, Outcome
from client.core.reading import FORMAT
from tests.support.fix_user import FixUser

DETECT_SH = b'test -e "$HOME/problem" && exit 1\nexit 0\n'
FIX_SH = b'rm -f "$HOME/problem"\n'
HANG_SH = b'touch "$HOME/hanging"\nsleep 300\n'


def pinned(target: str, data: bytes) -> dict[str, Any]:
    return {"file": target, "sha256": hashlib.sha256(data).hexdigest(), "length": len(data)}


def a_fix(fix_id: str, detect: bytes = DETECT_SH, **changes: Any) -> dict[str, Any]:
    return {
        "id": fix_id,
        "title": {"en": "Clean up", "nl": "Opruimen"},
        "changes": "Removes a file.",
        "timeout": 60,
        "scripts": {"linux": {"interpreter": "sh", "detect": pinned(f"{fix_id}/d.sh", detect),
                              "fix": pinned(f"{fix_id}/f.sh", FIX_SH)}},
        **changes,
    }  # fmt: skip


def keep_profile(folder: Path, entries: list[dict[str, Any]], files: dict[str, bytes]) -> None:
    """A verified profile as the profile helper keeps it."""
    document = {"format": FORMAT, "version": 1, "fixes": entries}
    ProfileStore(folder).save(document, files, time.time())


def scripts(fix_id: str, detect: bytes = DETECT_SH) -> dict[str, bytes]:
    return {f"{fix_id}/d.sh": detect, f"{fix_id}/f.sh": FIX_SH}


def request(tmp_path: Path, fix_user: FixUser, due: list[str], **changes: Any) -> dict[str, Any]:
    return {
        "profile": str(tmp_path / "profile"), "record": str(tmp_path / "record.sqlite3"),
        "enabled": True, "verified": True, "due": due, "command": fix_user.command, **changes,
    }  # fmt: skip


def recorded(tmp_path: Path) -> list[FixRun]:
    return [e for e in SqliteRecord(tmp_path / "record.sqlite3").entries() if isinstance(e, FixRun)]


def test_a_fix_whose_detection_finds_the_problem_is_found_recorded_and_not_fixed(
    tmp_path: Path, fix_user: FixUser
) -> None:
    keep_profile(tmp_path / "profile", [a_fix("clean")], scripts("clean"))
    (fix_user.home / "problem").write_text("x")

    answer = FixChecksHelper().check(request(tmp_path, fix_user, ["clean"]))

    assert answer == {"checks": [{"id": "clean", "outcome": "found"}]}
    assert (fix_user.home / "problem").exists(), "a check changes nothing"
    (run,) = recorded(tmp_path)
    assert (run.fix_id, run.outcome, run.started_by) == ("clean", Outcome.FOUND, "health check")
    assert [step.name for step in run.steps] == [DETECT]

    (fix_user.home / "problem").unlink()
    answer = FixChecksHelper().check(request(tmp_path, fix_user, ["clean"]))
    assert answer == {"checks": [{"id": "clean", "outcome": "nothing_found"}]}
    assert [r.outcome for r in recorded(tmp_path)] == [Outcome.NOTHING_FOUND, Outcome.FOUND]


def test_fixes_that_may_not_run_here_are_not_run_and_not_recorded(
    tmp_path: Path, fix_user: FixUser
) -> None:
    choose = [{"name": "mode", "type": "choice", "label": "Mode", "allowed": ["a", "b"]}]
    entries = [
        a_fix("admin", run_as="administrator"),
        a_fix("choose", parameters=choose),
        a_fix("windows", scripts={"windows": a_fix("w")["scripts"]["linux"]}),
    ]
    files = {**scripts("admin"), **scripts("choose"), **scripts("w")}
    keep_profile(tmp_path / "profile", entries, files)
    (fix_user.home / "problem").write_text("x")

    due = ["admin", "choose", "windows", "gone"]
    answer = FixChecksHelper().check(request(tmp_path, fix_user, due))
    assert answer["checks"] == [
        {"id": "admin", "not_run": "needs_admin"},
        {"id": "choose", "not_run": "needs_choice"},
        {"id": "windows", "not_run": "platform"},
        {"id": "gone", "not_run": "not_in_profile"},
    ]
    keep_profile(tmp_path / "profile", [a_fix("clean")], scripts("clean"))
    for words, reason in (({"enabled": False}, "policy_off"), ({"verified": False}, "unverified")):
        answer = FixChecksHelper().check(request(tmp_path, fix_user, ["clean"], **words))
        assert answer["checks"] == [{"id": "clean", "not_run": reason}]
    assert recorded(tmp_path) == []


def test_a_kept_script_changed_after_verification_is_refused_and_recorded(
    tmp_path: Path, fix_user: FixUser
) -> None:
    keep_profile(tmp_path / "profile", [a_fix("clean")], scripts("clean"))
    kept = ProfileStore(tmp_path / "profile").load()
    assert kept is not None
    digest = kept.files["clean/d.sh"]
    (tmp_path / "profile" / "files" / digest).write_bytes(b'touch "$HOME/pwned"\n')

    answer = FixChecksHelper().check(request(tmp_path, fix_user, ["clean"]))

    assert answer == {"checks": [{"id": "clean", "outcome": "not_allowed"}]}
    assert not (fix_user.home / "pwned").exists()
    (run,) = recorded(tmp_path)
    assert run.reason == "tampered"


def test_the_helper_weighs_its_own_rights_when_it_starts_the_fix_helper_itself(
    tmp_path: Path,
) -> None:
    keep_profile(tmp_path / "profile", [a_fix("clean")], scripts("clean"))
    asked = {"profile": str(tmp_path / "profile"), "record": "", "enabled": True,
             "verified": True, "due": ["clean"]}  # fmt: skip
    answer = FixChecksHelper().check(asked)
    if fix_runner.running_elevated():  # these machines: root
        assert answer == {"checks": [{"id": "clean", "not_run": "elevated"}]}
    else:
        assert answer == {"checks": [{"id": "clean", "outcome": "nothing_found"}]}


def test_no_kept_profile_or_a_damaged_one_checks_nothing(tmp_path: Path, fix_user: FixUser) -> None:
    answer = FixChecksHelper().check(request(tmp_path, fix_user, ["clean"]))
    assert answer == {"checks": [{"id": "clean", "not_run": "not_in_profile"}]}
    (tmp_path / "profile").mkdir()
    (tmp_path / "profile" / "last-good.json").write_text('{"document": ')
    answer = FixChecksHelper().check(request(tmp_path, fix_user, ["clean"]))
    assert answer == {"checks": [{"id": "clean", "not_run": "not_in_profile"}]}


def test_a_record_that_cannot_be_written_loses_no_check(tmp_path: Path, fix_user: FixUser) -> None:
    keep_profile(tmp_path / "profile", [a_fix("clean")], scripts("clean"))
    (tmp_path / "record.sqlite3").mkdir()  # a folder where the record should be
    answer = FixChecksHelper().check(request(tmp_path, fix_user, ["clean"]))
    assert answer == {"checks": [{"id": "clean", "outcome": "nothing_found"}]}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"profile": "", "due": [], "enabled": true, "verified": true}', "profile"),
        ('{"profile": "/p", "due": "clean", "enabled": true, "verified": true}', "due"),
        ('{"profile": "/p", "due": [1], "enabled": true, "verified": true}', "due"),
        ('{"profile": "/p", "due": [], "enabled": "yes", "verified": true}', "enabled"),
        ('{"profile": "/p", "due": [], "enabled": true, "verified": true, "record": 7}', "record"),
        (
            '{"profile": "/p", "due": [], "enabled": true, "verified": true, "command": []}',
            "command",
        ),
    ],
)
def test_a_bad_request_is_answered_with_what_is_wrong_and_status_2(text: str, says: str) -> None:
    done = subprocess.run(
        helper_command(FIX_CHECK_HELPER_FLAG), input=text, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert says in json.loads(done.stdout)["error"]


def test_too_many_fixes_in_one_request_is_a_bad_request(tmp_path: Path) -> None:
    asked = {"profile": "/p", "enabled": True, "verified": True,
             "due": [f"f{n}" for n in range(fix_checks.MAX_DUE + 1)]}  # fmt: skip
    with pytest.raises(HelperProblem, match="at most 500"):
        FixChecksHelper().check(asked)


def test_quitting_stops_a_check_and_everything_its_script_started(
    tmp_path: Path, fix_user: FixUser
) -> None:
    keep_profile(tmp_path / "profile", [a_fix("hang", HANG_SH)], scripts("hang", HANG_SH))
    helper = FixChecksHelper()
    outcome: list[object] = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            _answer_or_problem(helper, request(tmp_path, fix_user, ["hang"]))
        )
    )
    worker.start()
    deadline = time.monotonic() + 60
    while not (fix_user.home / "hanging").exists() and time.monotonic() < deadline:
        worker.join(0.05)
    assert (fix_user.home / "hanging").exists(), "the detection script started"

    helper.cancel()
    worker.join(60)

    assert not worker.is_alive() and isinstance(outcome[0], HelperProblem)
    while fix_user.processes() and time.monotonic() < deadline:
        worker.join(0.05)  # the fix helper sees its pipe close, and ends the script
    assert fix_user.processes() == []


def _answer_or_problem(helper: FixChecksHelper, asked: dict[str, Any]) -> object:
    try:
        return helper.check(asked)
    except HelperProblem as problem:
        return problem


def test_the_trays_copies_of_the_limits_are_the_fix_runners() -> None:
    assert fix_checks.MAX_FIX_TIMEOUT_S == fixes.MAX_TIMEOUT_S
    assert fix_checks.CHECK_OVERHEAD_S >= fix_runner.GRACE_S + fix_runner.KILL_AFTER_S + 10


def test_the_tray_never_loads_the_fixes_reader_runner_or_record_for_a_check() -> None:
    code = (
        "import sys; import client.adapters.fix_checks; import client.services.health; "
        "print(sorted(m for m in ('client.core.fixes', 'client.adapters.fix_runner', "
        "'client.adapters.record_store', 'client.adapters.profile_store') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
