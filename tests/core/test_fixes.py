"""Fix definitions read from the profile, the rules for running one, and what a run came to."""

from __future__ import annotations

from typing import Any

import pytest

from client.core.fixes import (
    DEFAULT_TIMEOUT_S,
    DETECT,
    DETECT_AGAIN,
    FIX,
    BadValue,
    Fix,
    FixRun,
    NotAllowed,
    Outcome,
    RunAs,
    Step,
    arguments_for,
    fix_files,
    keep_output,
    not_allowed,
    outcome_of,
    platform_of,
    runner_failed,
)
from client.core.profile import parse_profile, profile_files
from client.core.reading import readable

SHA = "a" * 64


def script(target: str = "fixes/x/detect.sh", **changes: Any) -> dict[str, Any]:
    return {"file": target, "sha256": SHA, "length": 10, **changes}


def variant(**changes: Any) -> dict[str, Any]:
    return {
        "interpreter": "sh",
        "detect": script("fixes/x/detect.sh"),
        "fix": script("fixes/x/fix.sh"),
        **changes,
    }


def fix_entry(**changes: Any) -> dict[str, Any]:
    return {
        "id": "x",
        "title": {"en": "Empty the cache", "nl": "Cache legen"},
        "changes": {"en": "Removes cached files.", "nl": "Verwijdert tijdelijke bestanden."},
        "scripts": {"linux": variant()},
        **changes,
    }


def read(*fixes: Any) -> tuple[tuple[Fix, ...], tuple[str, ...]]:
    profile = parse_profile({"format": 1, "version": 1, "fixes": list(fixes)})
    return profile.fixes, profile.problems


def test_a_full_fix_is_read() -> None:
    (fix,), problems = read(
        fix_entry(
            version=4,
            description="Clears the cache of the demo app.",
            symptoms={"en": "The app is slow", "nl": "De app is traag"},
            keywords=["Cache", "traag", 5, ""],
            timeout=60,
            reversible=True,
            harmless=True,
            arguments=["--quiet"],
            parameters=[
                {
                    "name": "days",
                    "type": "integer",
                    "label": "Days",
                    "min": 1,
                    "max": 30,
                    "default": 7,
                },
                {
                    "name": "app",
                    "type": "choice",
                    "label": {"en": "App", "nl": "Programma"},
                    "allowed": ["mail", "teams"],
                    "default": "teams",
                },
            ],  # fmt: skip
            scripts={
                "linux": variant(),
                "windows": variant(
                    interpreter="powershell",
                    detect=script("fixes/x/detect.ps1"),
                    fix=script("fixes/x/fix.ps1"),
                ),
            },
        )
    )
    assert problems == ()
    assert fix.version == 4 and fix.timeout_s == 60
    assert fix.reversible and fix.harmless and fix.run_as is RunAs.USER
    assert fix.title.get("nl") == "Cache legen"
    assert fix.symptoms.get("nl") == "De app is traag"
    assert fix.keywords == ("cache", "traag")
    assert fix.arguments == ("--quiet",)
    assert [(p.name, p.kind, p.default) for p in fix.parameters] == [
        ("days", "integer", "7"),
        ("app", "choice", "teams"),
    ]
    assert fix.variant("windows") is not None and fix.variant("macos") is None
    assert fix_files((fix,), "linux") == ["fixes/x/detect.sh", "fixes/x/fix.sh"]
    assert len(fix_files((fix,))) == 4


def test_a_description_and_what_it_changes_may_be_longer_than_a_name() -> None:
    long = "Notities bewaart kopieën van recente notitieboeken. " * 30
    (fix,), _ = read(fix_entry(description=long, changes=long, title=long))
    assert len(fix.title.get("en")) == 200
    assert len(fix.changes.get("en")) == 400
    assert len(fix.description.get("en")) == 1000


def test_defaults_of_a_minimal_fix() -> None:
    (fix,), problems = read(fix_entry())
    assert problems == ()
    assert fix.version == 1 and fix.timeout_s == DEFAULT_TIMEOUT_S
    assert fix.description == fix.title
    assert fix.symptoms.get("en") == ""
    assert not fix.reversible and not fix.harmless
    assert fix.arguments == () and fix.parameters == ()


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": "../x"}, "no id"),
        ({"title": None}, "needs a title and what it changes"),
        ({"changes": ""}, "needs a title and what it changes"),
        ({"scripts": {}}, "no platform's scripts are usable"),
        ({"scripts": {"beos": variant()}}, "beos: not one of linux, windows, macos"),
        ({"scripts": {"linux": variant(interpreter="cmd")}}, "'cmd' is not one of"),
        ({"scripts": {"linux": variant(interpreter="sh -c")}}, "'sh -c' is not one of"),
        ({"scripts": {"linux": variant(detect={})}}, "linux.detect: no file"),
        ({"scripts": {"linux": variant(detect=script("../../etc/passwd"))}}, "not a file of"),
        ({"scripts": {"linux": variant(detect=script("/etc/passwd"))}}, "not a file of"),
        (
            {"scripts": {"linux": variant(detect=script("https://evil.example/x.sh"))}},
            "not a file of",
        ),
        ({"scripts": {"linux": variant(fix=script("fixes/a;b.sh"))}}, "not a file of"),
        ({"scripts": {"linux": variant(fix=script(sha256="A" * 64))}}, "not a SHA-256"),
        ({"scripts": {"linux": variant(fix=script(sha256=None))}}, "not a SHA-256"),
        ({"scripts": {"linux": variant(fix=script(length=0))}}, "length: bytes"),
        ({"scripts": {"linux": variant(fix=script(length=10**7))}}, "length: bytes"),
        ({"scripts": {"linux": variant(fix=script(length="10"))}}, "length: bytes"),
        ({"arguments": "--quiet"}, "arguments: a list of one-line texts"),
        ({"arguments": ["ok", "two\nlines"]}, "arguments: a list of one-line texts"),
        ({"arguments": [" padded"]}, "arguments: a list of one-line texts"),
        ({"arguments": ["x" * 201]}, "arguments: a list of one-line texts"),
        ({"arguments": ["a"] * 21}, "more than 20 arguments"),
        ({"parameters": {"name": "x"}}, "parameters: not a list"),
        ({"parameters": [{"name": "x", "type": "text", "label": "X"}]}, "'choice' or 'integer'"),
        (
            {"parameters": [{"name": "X", "type": "choice", "label": "X", "allowed": ["a"]}]},
            "needs a name",
        ),
        ({"parameters": [{"name": "x", "type": "choice", "allowed": ["a"]}]}, "needs a name"),
        (
            {"parameters": [{"name": "x", "type": "choice", "label": "X", "allowed": []}]},
            "none starting with '-'",
        ),
        (
            {"parameters": [{"name": "x", "type": "choice", "label": "X", "allowed": "a"}]},
            "none starting with '-'",
        ),
        (
            {"parameters": [{"name": "x", "type": "choice", "label": "X", "allowed": ["-rf"]}]},
            "none starting with '-'",
        ),
        (
            {"parameters": [{"name": "x", "type": "choice", "label": "X", "allowed": ["a\nb"]}]},
            "none starting with '-'",
        ),
        (
            {"parameters": [{"name": "x", "type": "integer", "label": "X", "min": -1, "max": 3}]},
            "0 ≤ min ≤ max",
        ),
        (
            {"parameters": [{"name": "x", "type": "integer", "label": "X", "min": 4, "max": 3}]},
            "0 ≤ min ≤ max",
        ),
        (
            {"parameters": [{"name": "x", "type": "integer", "label": "X", "max": 3}]},
            "0 ≤ min ≤ max",
        ),
        (
            {
                "parameters": [{"name": "x", "type": "integer", "label": "X", "min": 0, "max": 3}]
                * 2
            },
            "parameters[1]: not usable",
        ),
    ],  # fmt: skip
)
def test_a_fix_that_cannot_be_run_as_written_is_left_out(
    changes: dict[str, Any], problem: str
) -> None:
    fixes, problems = read(fix_entry(**changes))
    assert fixes == ()
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("changes", "problem", "check"),
    [
        ({"timeout": 0}, "timeout: seconds", lambda f: f.timeout_s == DEFAULT_TIMEOUT_S),
        ({"timeout": 3600}, "timeout: seconds", lambda f: f.timeout_s == DEFAULT_TIMEOUT_S),
        ({"timeout": True}, "timeout: seconds", lambda f: f.timeout_s == DEFAULT_TIMEOUT_S),
        ({"run_as": "root"}, "taken as administrator", lambda f: f.run_as is RunAs.ADMINISTRATOR),
        (
            {"scripts": {"linux": variant(), "windows": variant(interpreter="vbs")}},
            "windows.interpreter",
            lambda f: f.variant("windows") is None,
        ),
    ],  # fmt: skip
)
def test_a_part_that_does_not_hold_up_is_replaced_by_the_safe_choice(
    changes: dict[str, Any], problem: str, check: Any
) -> None:
    (fix,), problems = read(fix_entry(**changes))
    assert any(problem in p for p in problems), problems
    assert check(fix)


def test_odd_values_that_need_no_problem_fall_back_quietly() -> None:
    (fix,), problems = read(
        fix_entry(
            version=0,
            keywords="not a list",
            run_as="administrator",
            parameters=[
                {"name": "n", "type": "integer", "label": "N", "min": 1, "max": 3, "default": 9},
                {"name": "c", "type": "choice", "label": "C", "allowed": ["a"], "default": "z"},
            ],
        )
    )
    assert problems == ()
    assert fix.version == 1 and fix.keywords == ()
    assert fix.run_as is RunAs.ADMINISTRATOR
    assert [p.default for p in fix.parameters] == ["", ""]


def test_an_id_used_twice_keeps_the_first() -> None:
    fixes, problems = read(fix_entry(), fix_entry(title="Other"))
    assert [f.title.get("en") for f in fixes] == ["Empty the cache"]
    assert problems == ("fixes[1]: the id 'x' is used twice",)


def test_the_tray_fetches_its_own_platforms_scripts_only() -> None:
    profile = parse_profile(
        {
            "format": 1,
            "version": 1,
            "fixes": [
                fix_entry(
                    scripts={
                        "linux": variant(),
                        "macos": variant(
                            detect=script("fixes/x/mac-detect.sh"), fix=script("fixes/x/mac.sh")
                        ),
                    }
                )
            ],
        }
    )
    assert profile_files(profile, "linux") == ["fixes/x/detect.sh", "fixes/x/fix.sh"]
    assert profile_files(profile, "windows") == []
    assert len(profile_files(profile)) == 4


# --- may it run here ---------------------------------------------------------------------------


def a_fix(**changes: Any) -> Fix:
    (fix,), _ = read(fix_entry(**changes))
    return fix


@pytest.mark.parametrize(
    ("fix_changes", "where", "expected"),
    [
        ({}, {}, None),
        ({}, {"enabled": False}, NotAllowed.POLICY_OFF),
        ({}, {"verified": False}, NotAllowed.UNVERIFIED),
        ({}, {"platform": "windows"}, NotAllowed.PLATFORM),
        ({"run_as": "administrator"}, {}, NotAllowed.NEEDS_ADMIN),
        ({}, {"elevated": True}, NotAllowed.ELEVATED),
        ({}, {"contained": False}, NotAllowed.UNSUPPORTED),
        # What the employee can least change is named first.
        ({"run_as": "administrator"}, {"enabled": False, "elevated": True}, NotAllowed.POLICY_OFF),
        ({}, {"verified": False, "platform": "macos"}, NotAllowed.UNVERIFIED),
    ],
)
def test_whether_a_fix_may_run_here(
    fix_changes: dict[str, Any], where: dict[str, Any], expected: NotAllowed | None
) -> None:
    context = {"platform": "linux", "enabled": True, "verified": True, "elevated": False}
    assert not_allowed(a_fix(**fix_changes), **{**context, **where}) is expected


PARAMETERS = [
    {"name": "days", "type": "integer", "label": "Days", "min": 1, "max": 30, "default": 7},
    {"name": "app", "type": "choice", "label": "App", "allowed": ["mail", "teams"]},
]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"app": "mail"}, ["--quiet", "7", "mail"]),
        ({"days": "30", "app": "teams"}, ["--quiet", "30", "teams"]),
        ({"days": "007", "app": "teams"}, ["--quiet", "7", "teams"]),
    ],
)
def test_arguments_are_the_fixed_ones_then_each_value(
    values: dict[str, str], expected: list[str]
) -> None:
    fix = a_fix(arguments=["--quiet"], parameters=PARAMETERS)
    assert arguments_for(fix, values) == expected


@pytest.mark.parametrize(
    "values",
    [
        {},  # no choice made and no default
        {"app": "; rm -rf ~"},
        {"app": "$(id)"},
        {"app": "`id`"},
        {"app": "mail\nteams"},
        {"app": "-rf"},
        {"app": "MAIL"},
        {"app": "mail", "days": "-1"},
        {"app": "mail", "days": "31"},
        {"app": "mail", "days": "0"},
        {"app": "mail", "days": "1e3"},
        {"app": "mail", "days": "٣"},  # a digit, but not an ASCII one
        {"app": "mail", "days": ""},
    ],
)
def test_a_value_the_fix_does_not_allow_is_refused(values: dict[str, str]) -> None:
    fix = a_fix(parameters=PARAMETERS)
    with pytest.raises(BadValue):
        arguments_for(fix, values)


# --- what a run came to ------------------------------------------------------------------------


def steps(*codes: int | None) -> list[Step]:
    return [
        Step(name, code) for name, code in zip((DETECT, FIX, DETECT_AGAIN), codes, strict=False)
    ]


@pytest.mark.parametrize(
    ("codes", "ended", "expected"),
    [
        ((1, 0, 0), "", Outcome.SOLVED),
        ((0,), "", Outcome.NOTHING_FOUND),
        ((1, 0, 1), "", Outcome.STILL_THERE),
        ((1, 3, 1), "", Outcome.FAILED),
        ((1, 0, 2), "", Outcome.FAILED),
        ((2,), "", Outcome.FAILED),
        ((None,), "", Outcome.FAILED),
        ((), "", Outcome.FAILED),
        ((1, None), "timeout", Outcome.TIMED_OUT),
        ((1,), "cancel", Outcome.CANCELLED),
    ],
)
def test_the_outcome_of_a_run(codes: tuple[int | None, ...], ended: str, expected: Outcome) -> None:
    assert outcome_of(steps(*codes), ended=ended) is expected


def test_a_run_names_its_steps() -> None:
    run = FixRun("x", 1, "linux", SHA, SHA, "you", 0.0, Outcome.SOLVED, tuple(steps(1, 0, 0)))
    assert run.step(FIX) == Step(FIX, 0)
    assert FixRun("x", 1, "linux", SHA, SHA, "you", 0.0, Outcome.FAILED).step(FIX) is None


def test_output_is_readable_and_marked_where_it_was_cut() -> None:
    assert keep_output(b"ok\n") == "ok\n"
    assert keep_output(b"a\x00b\x1b[2J\r\n\tc\xff") == "ab[2J\n\tc\ufffd"
    cut = keep_output(b"x" * 2048, b"THE END\n", 5000)
    assert cut == "x" * 2048 + "\n… cut after 2 KB: 5000 bytes left out …\nTHE END\n"


@pytest.mark.parametrize(
    ("system", "platform"),
    [("linux", "linux"), ("win32", "windows"), ("darwin", "macos"), ("freebsd13", "freebsd13")],
)
def test_the_platform_of_this_computer(system: str, platform: str) -> None:
    assert platform_of(system) == platform


@pytest.mark.parametrize(
    ("code", "expected"),
    [(1, Outcome.FOUND), (0, Outcome.NOTHING_FOUND), (2, Outcome.FAILED), (None, Outcome.FAILED)],
)
def test_a_health_check_runs_the_detection_alone(code: int | None, expected: Outcome) -> None:
    """Detection alone: 1 is "found" (not a failed fix), 0 nothing found, else it failed."""
    assert outcome_of(steps(code), checking=True) is expected
    assert outcome_of(steps(code), ended="timeout", checking=True) is Outcome.TIMED_OUT


def test_a_run_whose_runner_failed_names_the_scripts_it_meant_to_run() -> None:
    fix = a_fix()
    (linux,) = fix.variants
    run = runner_failed(fix, linux, "health check", 12.5)
    assert (run.fix_id, run.platform, run.started_by, run.started_at) == (
        fix.id, "linux", "health check", 12.5,
    )  # fmt: skip
    assert (run.detect_sha256, run.fix_sha256) == (linux.detect.sha256, linux.fix.sha256)
    assert (run.outcome, run.reason, run.steps) == (Outcome.FAILED, "runner", ())


@pytest.mark.parametrize(
    ("document", "read"),
    [
        ({"format": 1, "version": 1}, True),
        ({"format": 1, "version": 7}, True),
        ({"format": 2, "version": 1}, False),
        ({"version": 1}, False),
        ({"format": 1, "version": 0}, False),
        ({"format": 1, "version": True}, False),
        ({"format": 1, "version": "1"}, False),
        ({"format": 1}, False),
    ],
)
def test_which_kept_documents_this_build_reads(document: dict[str, Any], read: bool) -> None:
    assert readable(document) is read
