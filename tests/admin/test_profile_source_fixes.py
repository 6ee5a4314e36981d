"""IT's fixes folder: each fix and its scripts pinned by hash, checked, published and verified."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from client.adapters.profile_source import read_profile_source, syntax_problem
from client.core.fixes import MAX_SCRIPT_BYTES
from client.core.profile import parse_profile, profile_files
from tests.admin.conftest import Admin

FIX = """\
title = { en = "Empty the Notes cache", nl = "De cache van Notities legen" }
changes = { en = "Deletes cached copies.", nl = "Verwijdert kopieën." }
keywords = ["notes", "traag"]
timeout = 60
harmless = true

[scripts.linux]
interpreter = "sh"
detect = "detect.sh"
fix = "fix.sh"

[scripts.windows]
interpreter = "powershell"
detect = "detect.ps1"
fix = "fix.ps1"
"""


def add_fix(source: Path, fix_id: str = "notes-cache", toml: str = FIX) -> Path:
    folder = source / "fixes" / fix_id
    folder.mkdir(parents=True)
    (source / "fixes" / f"{fix_id}.toml").write_text(toml)
    (folder / "detect.sh").write_text('test -d "$HOME/.cache/notes" && exit 1\nexit 0\n')
    (folder / "fix.sh").write_text('rm -rf "$HOME/.cache/notes"\n')
    (folder / "detect.ps1").write_text("exit 0\n")
    (folder / "fix.ps1").write_text("exit 0\n")
    return folder


def test_a_fix_is_read_with_its_scripts_pinned(source: Path) -> None:
    add_fix(source)
    read = read_profile_source(source)
    assert read.problems == ()
    (entry,) = read.document["fixes"]
    detect = entry["scripts"]["linux"]["detect"]
    data = read.files["fixes/notes-cache/detect.sh"]
    assert detect == {
        "file": "fixes/notes-cache/detect.sh",
        "sha256": hashlib.sha256(data).hexdigest(),
        "length": len(data),
    }
    profile = parse_profile(read.document)
    assert [f.id for f in profile.fixes] == ["notes-cache"]
    assert profile.fixes[0].keywords == ("notes", "traag")


def test_published_fixes_verify_with_every_platforms_scripts(created: Admin, source: Path) -> None:
    add_fix(source)
    published = created.publish(source)
    assert "1 fix, 6 files" in published.out, published.out

    verified = created.verify()
    assert verified.code == 0, verified
    document = json.loads(read_profile_source(source).payload()["profile.json"])
    assert len(profile_files(parse_profile(document))) == 6  # a photo, an article, 4 scripts
    assert len(profile_files(parse_profile(document), "linux")) == 4


def test_each_bad_fix_is_named_by_its_file(source: Path) -> None:
    folder = add_fix(source)
    (folder / "fix.sh").write_text("if [ -d x ]; then\n  echo open\n")  # no fi
    (folder / "detect.ps1").unlink()
    broken = add_fix(source, "python-fix", FIX.replace('"sh"', '"python"').replace(".sh", ".py"))
    (broken / "detect.py").write_text("import sys\nsys.exit(1 if True else)\n")
    (broken / "fix.py").write_text("print('ok')\n")
    add_fix(source, "odd", 'colour = "red"\n' + FIX.replace('"powershell"', '"vbscript"'))
    (source / "fixes" / "notes.txt").write_text("todo")
    (source / "fixes" / "Bad Name.toml").write_text(FIX)
    (source / "fixes" / "traversal.toml").write_text(FIX.replace('"detect.sh"', '"../x.sh"'))

    problems = read_profile_source(source).problems

    expected = [
        "fixes/notes-cache/fix.sh: sh syntax error",
        "fixes/notes-cache/detect.ps1: missing",
        "fixes/python-fix/detect.py: Python syntax error",
        "fixes/odd.toml: unknown setting 'colour'",
        "fixes/odd.toml: scripts.windows.interpreter: 'vbscript' is not one of",
        "fixes/notes.txt: not a fix",
        "fixes/Bad Name.toml: not a fix",
        "fixes/traversal.toml [scripts.linux] detect: the name of a script file in "
        "fixes/traversal/",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)


def test_a_script_too_large_to_run_is_not_published(source: Path) -> None:
    folder = add_fix(source)
    (folder / "fix.sh").write_text("#" * (MAX_SCRIPT_BYTES + 1))
    problems = read_profile_source(source).problems
    assert any(p.startswith("fixes/notes-cache/fix.sh: 262145 bytes") for p in problems), problems


def test_a_script_that_is_not_utf8_is_named(source: Path) -> None:
    folder = add_fix(source)
    (folder / "fix.sh").write_bytes(b"echo caf\xe9\n")
    problems = read_profile_source(source).problems
    assert "fixes/notes-cache/fix.sh: not UTF-8 text (save it as UTF-8)" in problems


def test_syntax_checks() -> None:
    assert syntax_problem("exit 0\n", "sh", "x") == ""
    assert syntax_problem("x = (\n", "python", "x").startswith("Python syntax error")
    assert syntax_problem("echo $((1+)\n", "bash", "x").startswith("bash syntax error")
    assert syntax_problem("{{{", "powershell", "x") == ""  # not checked here
    assert syntax_problem("{{{", "cmd", "x") == ""  # the interpreter is named elsewhere
