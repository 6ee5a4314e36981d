"""The demo's fixes: every variant's scripts parse, and the Linux ones genuinely fix, as a user.

PowerShell cannot be installed on these machines, so its variants are parsed
with tree-sitter's PowerShell grammar; shell variants are read by ``sh -n``
and ``bash -n``, Python ones compiled. The Linux fixes run for real through
the tray's runner as the unprivileged account of tests/support/fix_user.py,
against a broken state made in its home, and the result is checked on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell

from client.adapters.fix_runner import FixRunner
from client.adapters.profile_source import read_fixes
from client.core.fixes import Fix, NotAllowed, Outcome, arguments_for, not_allowed, parse_fixes
from demo.profile_site import DEMO_DIR
from tests.support.fix_user import FixUser
from tests.support.requirements import missing


def demo_fixes() -> tuple[dict[str, Fix], dict[str, bytes]]:
    entries, files, problems = read_fixes(DEMO_DIR)
    assert problems == ()
    parsed: list[str] = []
    fixes = parse_fixes(entries, parsed)
    assert parsed == []
    return {fix.id: fix for fix in fixes}, files


def powershell_errors(source: bytes) -> list[str]:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    found: list[str] = []

    def visit(node: tree_sitter.Node) -> None:
        if node.type == "ERROR" or node.is_missing:
            found.append(f"line {node.start_point[0] + 1}: {node.text!r}")
        for child in node.children:
            visit(child)

    visit(parser.parse(source).root_node)
    return found


def test_every_variant_of_every_demo_fix_parses() -> None:
    fixes, files = demo_fixes()
    checked = {"sh": 0, "bash": 0, "python": 0, "powershell": 0}
    for fix in fixes.values():
        assert {v.platform for v in fix.variants} >= {"linux", "windows"}, fix.id
        for variant in fix.variants:
            for script in (variant.detect, variant.fix):
                source = files[script.target]
                if variant.interpreter == "powershell":
                    assert powershell_errors(source) == [], script.target
                elif variant.interpreter == "python":
                    compile(source, script.target, "exec")
                else:
                    for shell in ("sh", "bash"):
                        done = subprocess.run(
                            [shell, "-n"], input=source, capture_output=True, check=False
                        )
                        assert done.returncode == 0, (script.target, shell, done.stderr)
                checked[variant.interpreter] += 1
    assert all(checked.values()), checked


def test_the_powershell_check_finds_a_broken_script() -> None:
    assert powershell_errors(b"if ($x { exit 1") != []
    assert powershell_errors(b"$a = @(1, 2\nWrite-Output 'x'\n") != []


@pytest.fixture
def own_account(fix_user: FixUser) -> FixUser:
    """The fix account, when it is not the tests' own (the demo fixes change its home)."""
    if fix_user.uid == os.getuid():
        missing("a separate account for the demo fixes", "run the tests as root (as CI does)")
    return fix_user


def give(user: FixUser, path: Path) -> None:
    """Make ``path`` and the folders above it (up to the home) the account's own."""
    for part in [path, *path.parents]:
        if part == user.home:
            break
        os.chown(part, user.uid, -1)


def run_fix(user: FixUser, fix: Fix, files: dict[str, bytes], values: dict[str, str]) -> Outcome:
    variant = fix.variant("linux")
    assert variant is not None
    result = FixRunner(user.command).run(
        fix, variant, files.get, arguments_for(fix, values), started_by="you"
    )
    return result.outcome


def test_emptying_the_notes_cache_really_empties_it(own_account: FixUser) -> None:
    fixes, files = demo_fixes()
    cache = own_account.home / ".cache" / "example-notes"
    (cache / "notebooks").mkdir(parents=True)
    (cache / "notebooks" / "big.bin").write_bytes(os.urandom(11 * 1024 * 1024))
    give(own_account, cache / "notebooks" / "big.bin")

    assert run_fix(own_account, fixes["notes-cache"], files, {}) is Outcome.SOLVED
    assert cache.is_dir() and list(cache.iterdir()) == []
    assert run_fix(own_account, fixes["notes-cache"], files, {}) is Outcome.NOTHING_FOUND


def test_repairing_the_notes_settings_keeps_the_damaged_file(own_account: FixUser) -> None:
    fixes, files = demo_fixes()
    settings = own_account.home / ".config" / "example-notes" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"theme": "dark", "sync": tr')
    give(own_account, settings)

    assert run_fix(own_account, fixes["notes-settings"], files, {}) is Outcome.SOLVED
    assert set(json.loads(settings.read_text())) == {"theme", "sync", "language"}
    assert settings.with_name("settings.json.damaged").read_text() == '{"theme": "dark", "sync": tr'
    assert run_fix(own_account, fixes["notes-settings"], files, {}) is Outcome.NOTHING_FOUND


def test_emptying_the_trash_deletes_only_what_is_older_than_chosen(own_account: FixUser) -> None:
    fixes, files = demo_fixes()
    trash = own_account.home / ".local" / "share" / "Trash"
    for name, age_days in (("old report.docx", 40), ("yesterday.txt", 1)):
        (trash / "files").mkdir(parents=True, exist_ok=True)
        (trash / "info").mkdir(exist_ok=True)
        (trash / "files" / name).write_text("content")
        info = trash / "info" / f"{name}.trashinfo"
        info.write_text(f"[Trash Info]\nPath=/home/x/{name}\n")
        moment = time.time() - age_days * 86400
        os.utime(info, (moment, moment))
        give(own_account, trash / "files" / name)
        give(own_account, info)

    assert run_fix(own_account, fixes["empty-trash"], files, {"days": "30"}) is Outcome.SOLVED
    assert sorted(p.name for p in (trash / "files").iterdir()) == ["yesterday.txt"]
    assert run_fix(own_account, fixes["empty-trash"], files, {"days": "0"}) is Outcome.SOLVED
    assert list((trash / "files").iterdir()) == []


def test_the_printer_driver_needs_an_administrator_so_it_is_never_run() -> None:
    fixes, _ = demo_fixes()
    reason = not_allowed(
        fixes["printer-driver"], platform="linux", enabled=True, verified=True, elevated=False
    )
    assert reason is NotAllowed.NEEDS_ADMIN


def test_the_demo_fixes_need_no_program_this_machine_lacks() -> None:
    for program in ("sh", "du", "find", "cut", "wc", "basename"):
        assert shutil.which(program), program


def test_the_demos_broken_notes_app_is_what_its_fixes_find_and_fix(
    own_account: FixUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from demo.launch import break_notes

    fixes, files = demo_fixes()
    notes = break_notes(own_account.home / "notes-home")
    for root, folders, names in os.walk(notes):
        for name in [*folders, *names, "."]:
            os.chown(Path(root) / name, own_account.uid, -1)
    give(own_account, notes)
    # What the demo hands the tray, and the tray its fixes: where the "Notes" app lives.
    monkeypatch.setenv("XDG_CACHE_HOME", str(notes / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(notes / ".config"))

    assert run_fix(own_account, fixes["notes-cache"], files, {}) is Outcome.SOLVED
    assert run_fix(own_account, fixes["notes-settings"], files, {}) is Outcome.SOLVED
    assert not any((notes / ".cache" / "example-notes").iterdir())
