"""Health rules: the built-in ones, IT's changes from the profile, the helper's answer, findings."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from client.core.health import (
    BUILTIN_RULES,
    DEFAULT_ESCALATE_AFTER_H,
    DEFAULT_PERIOD_DAYS,
    DEFAULT_PERSIST_PASSES,
    MAX_RULES,
    SLOWER,
    Pass,
    Rule,
    checked,
    evaluate,
    fix_rule,
    parse_rules,
    read_pass,
    retired,
    rules_in_force,
)
from client.core.reading import Text

NAN, INF = float("nan"), float("inf")


def builtin(rule_id: str) -> Rule:
    return next(rule for rule in BUILTIN_RULES if rule.id == rule_id)


def new_rule(**changes: Any) -> dict[str, Any]:
    return {
        "id": "vpn-slow",
        "metric": "slow.probe_ms",
        "title": {"en": "The network is slow", "nl": "Het netwerk is traag"},
        "above": 500,
        **changes,
    }


def read(*entries: Any) -> tuple[tuple[Rule, ...], list[str]]:
    problems: list[str] = []
    rules = parse_rules(list(entries), problems)
    return rules, problems


# --- IT's rules from the profile ---------------------------------------------------------------


def test_a_new_rule_gets_the_defaults_for_what_it_does_not_say() -> None:
    (rule,), problems = read(new_rule())
    assert problems == []
    assert (rule.id, rule.metric, rule.above, rule.below) == (
        "vpn-slow",
        "slow.probe_ms",
        500,
        None,
    )
    assert rule.title.get("nl") == "Het netwerk is traag"
    assert rule.advice.get("en") == "" and rule.fix == ""
    assert rule.period_days == DEFAULT_PERIOD_DAYS
    assert rule.persist_passes == DEFAULT_PERSIST_PASSES
    assert rule.escalate_after_h == DEFAULT_ESCALATE_AFTER_H
    assert rule.enabled


def test_a_new_rule_says_all_it_wants() -> None:
    (rule,), problems = read(
        new_rule(
            above=None,
            below=20.5,
            metric="battery.health_percent",
            advice="Charge it less often.",
            fix="battery-report",
            period_days=2,
            persist_passes=4,
            escalate_after_hours=12,
        )
    )
    assert problems == []
    assert (rule.metric, rule.above, rule.below, rule.fix) == (
        "battery.health_percent",
        None,
        20.5,
        "battery-report",
    )
    assert rule.advice.get("nl") == "Charge it less often."
    assert (rule.period_days, rule.persist_passes, rule.escalate_after_h) == (2.0, 4, 12.0)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (new_rule(id="VPN slow"), "health.rules[0]: no id"),
        (
            new_rule(metric="disk.temperature"),
            "unknown metric 'disk.temperature'; the rule is skipped",
        ),
        (new_rule(metric=None), "health.rules[0]: unknown metric None"),
        ({"id": "new", "title": "New", "above": 1}, "health.rules[0]: unknown metric None"),
        (new_rule(below=10), "needs one limit, a number 'above' or 'below'"),
        (new_rule(above=None), "needs one limit"),
        (new_rule(above="500"), "needs one limit"),
        (new_rule(above=True), "needs one limit"),
        (new_rule(above=NAN), "needs one limit"),
        (new_rule(above=INF), "needs one limit"),
        ({"id": "disk-low", "above": 5, "below": 10}, "needs one limit"),
        (new_rule(title=None), "health.rules[0]: no title"),
        (new_rule(title=" \u0007 "), "health.rules[0]: no title"),
    ],
)
def test_a_bad_rule_is_skipped_and_named_while_the_others_stay(
    entry: dict[str, Any], problem: str
) -> None:
    rules, problems = read(entry, new_rule(id="other"))
    assert [rule.id for rule in rules] == ["other"]
    assert len(problems) == 1 and problem in problems[0], problems


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"rules": []}, "health.rules: not a list"),
        ("disk-low", "health.rules: not a list"),
        (["disk-low"], "health.rules[0]: not an object"),
    ],
)
def test_rules_that_are_no_list_of_objects_are_named(value: object, problem: str) -> None:
    problems: list[str] = []
    assert parse_rules(value, problems) == ()
    assert problems == [problem]


def test_no_rules_is_no_problem() -> None:
    problems: list[str] = []
    assert parse_rules(None, problems) == () and problems == []


def test_an_id_used_twice_keeps_the_first() -> None:
    rules, problems = read(new_rule(above=100), new_rule(above=900))
    assert [(rule.id, rule.above) for rule in rules] == [("vpn-slow", 100)]
    assert problems == ["health.rules[1]: the id 'vpn-slow' is used twice"]


def test_too_many_rules_are_cut_and_named() -> None:
    rules, problems = read(*(new_rule(id=f"r{i}") for i in range(MAX_RULES + 3)))
    assert [rule.id for rule in rules] == [f"r{i}" for i in range(MAX_RULES)]
    assert problems == [f"health.rules: {MAX_RULES + 3} rules; the first {MAX_RULES} are used"]


@pytest.mark.parametrize(
    ("entry", "changed"),
    [
        ({"id": "disk-low", "fix": "clean-disk"}, {"fix": "clean-disk"}),
        ({"id": "disk-low", "below": 5}, {"below": 5.0}),
        ({"id": "disk-low", "above": 95}, {"above": 95.0, "below": None}),
        ({"id": "disk-low", "metric": "disk.free_gb"}, {"metric": "disk.free_gb"}),
        ({"id": "cpu-hog", "title": "Busy!"}, {"title": Text({"en": "Busy!"})}),
        ({"id": "cpu-hog", "advice": {"nl": "Sluit het"}}, {"advice": Text({"nl": "Sluit het"})}),
        ({"id": "uptime-long", "period_days": 1}, {"period_days": 1.0}),
        ({"id": "uptime-long", "persist_passes": 3}, {"persist_passes": 3}),
        ({"id": "uptime-long", "escalate_after_hours": 48}, {"escalate_after_h": 48.0}),
        ({"id": "crashes", "escalate_after_hours": None}, {"escalate_after_h": None}),
        # Not a number: the built-in's own value, never a default that tells IT sooner.
        ({"id": "uptime-long", "escalate_after_hours": "never"}, {}),
        ({"id": "disk-low", "escalate_after_hours": "3 days"}, {}),
        ({"id": "disk-low", "period_days": "often", "persist_passes": True, "fix": 7}, {}),
        ({"id": "disk-low", "enabled": True}, {}),
    ],
)
def test_a_rule_with_a_built_in_id_changes_only_what_it_sets(
    entry: dict[str, Any], changed: dict[str, Any]
) -> None:
    (rule,), problems = read(entry)
    assert problems == []
    assert rule == dataclasses.replace(builtin(entry["id"]), **changed)


def test_a_built_in_rule_with_a_wrong_metric_is_skipped_and_the_built_in_stays() -> None:
    rules, problems = read({"id": "disk-low", "metric": "disk.temperature"})
    assert rules == () and "unknown metric" in problems[0]
    assert builtin("disk-low") in rules_in_force(rules)


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("period_days", 0, "period_days", 0.5),
        ("period_days", 365, "period_days", 90.0),
        ("period_days", 1.5, "period_days", 1.5),
        ("persist_passes", 0, "persist_passes", 1),
        ("persist_passes", -4, "persist_passes", 1),
        ("persist_passes", 1000, "persist_passes", 96),
        ("persist_passes", 2.7, "persist_passes", 2),
        ("persist_passes", "3", "persist_passes", DEFAULT_PERSIST_PASSES),
        ("escalate_after_hours", 0, "escalate_after_h", 1.0),
        ("escalate_after_hours", 10**6, "escalate_after_h", 24.0 * 60),
        ("escalate_after_hours", None, "escalate_after_h", None),  # null: IT never hears of it
        ("escalate_after_hours", NAN, "escalate_after_h", DEFAULT_ESCALATE_AFTER_H),
        ("escalate_after_hours", False, "escalate_after_h", DEFAULT_ESCALATE_AFTER_H),
        ("fix", "clean\n" + "x" * 100, "fix", "clean " + "x" * 58),
    ],
)
def test_numbers_are_kept_within_bounds(
    name: str, value: object, field: str, expected: object
) -> None:
    (rule,), problems = read(new_rule(**{name: value}))
    assert problems == []
    assert getattr(rule, field) == expected


def test_enabled_false_switches_a_built_in_rule_off() -> None:
    rules, problems = read({"id": "uptime-long", "enabled": False, "metric": "nonsense"})
    assert problems == []
    in_force = rules_in_force(rules)
    assert "uptime-long" not in [rule.id for rule in in_force]
    assert len(in_force) == len(BUILTIN_RULES) - 1


def test_rules_in_force_are_the_built_ins_changed_and_added_to_in_order() -> None:
    assert rules_in_force(()) == BUILTIN_RULES
    rules, _ = read({"id": "cpu-hog", "above": 95}, new_rule(), new_rule(id="gone", enabled=False))
    in_force = rules_in_force(rules)
    assert [rule.id for rule in in_force] == [rule.id for rule in BUILTIN_RULES] + ["vpn-slow"]
    assert next(rule for rule in in_force if rule.id == "cpu-hog").above == 95


def test_a_rule_names_its_limit() -> None:
    assert builtin("disk-low").limit == 10.0
    assert builtin("cpu-hog").limit == 80.0


# --- what a pass found -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (8, 8.0),
        (8.25, 8.25),
        (0, 0.0),
        ("8", None),
        (True, None),
        (False, None),
        (NAN, None),
        (INF, None),
        (-INF, None),
        (None, None),
        ([8], None),
    ],
)
def test_only_finite_numbers_are_facts(value: object, kept: float | None) -> None:
    found = read_pass({"facts": {"disk.free_percent": value, "uptime.days": 3}})
    assert found.facts.get("disk.free_percent") == kept
    assert found.facts["uptime.days"] == 3.0


def test_facts_with_names_this_build_does_not_know_are_left_out() -> None:
    found = read_pass({"facts": {"disk.temperature": 80, "__class__": 1, "swap.used_percent": 4}})
    assert found.facts == {"swap.used_percent": 4.0}


def test_an_empty_or_malformed_answer_is_an_empty_pass_whose_trends_say_nothing() -> None:
    # No history "ok": the trends were not computed, so "no slowdown" is not known either.
    assert read_pass({}) == Pass({}, history="no history in the answer")
    broken = read_pass(
        {"facts": [1], "details": "x", "skipped": "all", "slowdowns": {"a": 1}, "history": 5}
    )
    assert broken == Pass({}, history="no history in the answer")
    assert read_pass({"history": "ok"}) == Pass({})


def test_a_number_too_large_for_a_float_is_no_fact() -> None:
    found = read_pass({"facts": {"uptime.days": 10**400, "disk.free_percent": 7}})
    assert found.facts == {"disk.free_percent": 7.0}


def test_hostile_details_are_one_short_plain_line() -> None:
    found = read_pass(
        {
            "details": {
                "cpu.top_percent": "evil\x1b[31m\nprogram\u202e" + "x" * 500,
                "disk.free_percent": 5,
                "disk.temperature": "hot",
            }
        }
    )
    detail = found.details["cpu.top_percent"]
    assert detail.startswith("evil[31m program") and len(detail) == 120
    assert all(ch.isprintable() for ch in detail)
    assert list(found.details) == ["cpu.top_percent"]


def test_skipped_sensors_are_kept_short_and_few() -> None:
    found = read_pass({"skipped": ["battery: none\x00", 7, "y" * 500] + ["z"] * 100})
    assert found.skipped[:2] == ("battery: none", "y" * 200)
    assert len(found.skipped) == 50


def test_slowdowns_keep_known_metrics_that_really_got_slower() -> None:
    found = read_pass(
        {
            "slowdowns": [
                {"metric": "slow.probe_ms", "relative": 0.25},
                {"metric": "slow.boot_s", "relative": 0},
                {"metric": "slow.tray_start_s", "relative": -0.3},
                {"metric": "slow.fan_rpm", "relative": 0.5},
                {"metric": "cpu.busy_percent", "relative": NAN},
                {"metric": "memory.pressure_percent", "relative": True},
                "slow.boot_s",
            ]
        }
    )
    assert found.slowdowns == {"slow.probe_ms": 0.25}


@pytest.mark.parametrize(
    ("history", "note"),
    [
        ("ok", ""),
        (None, "no history in the answer"),
        (3, "no history in the answer"),
        ("disk full\n", "disk full"),
        ("e" * 400, "e" * 300),
    ],  # fmt: skip
)
def test_what_went_wrong_with_the_history_is_kept_short(history: object, note: str) -> None:
    assert read_pass({"history": history}).history == note


RULES = (builtin("disk-low"), builtin("cpu-hog"), builtin("battery-worn"))


@pytest.mark.parametrize(
    ("facts", "found"),
    [
        ({"disk.free_percent": 10.0}, []),  # the limit itself is fine
        ({"disk.free_percent": 9.9}, [("disk-low", 9.9)]),
        ({"cpu.top_percent": 80.0}, []),
        ({"cpu.top_percent": 80.1}, [("cpu-hog", 80.1)]),
        ({"disk.free_percent": 3, "cpu.top_percent": 99}, [("disk-low", 3.0), ("cpu-hog", 99.0)]),
        ({}, []),  # nothing measured (no battery, ...): nothing found
    ],
)
def test_a_fact_past_its_limit_is_a_finding(
    facts: dict[str, float], found: list[tuple[str, float]]
) -> None:
    findings = evaluate(Pass(facts), RULES)
    assert [(finding.id, finding.value) for finding in findings] == found


def test_a_finding_says_what_it_is_about() -> None:
    (finding,) = evaluate(
        Pass({"cpu.top_percent": 97}, details={"cpu.top_percent": "backup-agent"}), RULES
    )
    assert (finding.rule, finding.detail, finding.figures) == (
        builtin("cpu-hog"),
        "backup-agent",
        {},
    )


def test_slowdowns_are_one_getting_slower_finding_with_the_worst_figure() -> None:
    slowdowns = {"slow.probe_ms": 0.2, "slow.boot_s": 0.45, "slow.tray_start_s": 0.3}
    (finding,) = evaluate(Pass({}, slowdowns=slowdowns), RULES)
    assert (finding.id, finding.value, finding.figures) == (SLOWER, 0.45, slowdowns)
    assert finding.rule.escalate_after_h is not None


def test_a_fix_detection_is_a_finding_that_offers_that_fix() -> None:
    findings = evaluate(Pass({"disk.free_percent": 50}), RULES, ["clear-cache", "vpn-reset"])
    assert [finding.id for finding in findings] == ["fix:clear-cache", "fix:vpn-reset"]
    assert [finding.rule.fix for finding in findings] == ["clear-cache", "vpn-reset"]
    assert findings[0].rule.persist_passes == 1


def test_a_fix_rule_has_a_title_of_its_own_or_a_general_one() -> None:
    assert fix_rule("x").title.get("nl") == "Er is een bekend probleem gevonden"
    assert fix_rule("x", Text({"en": "Mail is stuck"})).title.get("nl") == "Mail is stuck"


def test_what_is_checked_shows_each_rule_with_its_value() -> None:
    lines = checked(RULES, Pass({"disk.free_percent": 4.0, "cpu.top_percent": 12.0}))
    assert [(line.rule.id, line.value, line.found) for line in lines] == [
        ("disk-low", 4.0, True),
        ("cpu-hog", 12.0, False),
        ("battery-worn", None, False),  # not measured here
    ]


def test_what_is_checked_before_any_pass_has_no_values() -> None:
    lines = checked(RULES, None)
    assert [(line.value, line.found) for line in lines] == [(None, False)] * 3


def test_findings_nothing_checks_any_more_are_retired() -> None:
    rules = rules_in_force(parse_rules([{"id": "uptime-long", "enabled": False}], []))
    book = ["disk-low", "uptime-long", "gone-rule", SLOWER, "fix:clear-cache", "fix:removed"]
    assert retired(book, rules, {"clear-cache"}) == {"uptime-long", "gone-rule", "fix:removed"}
    assert retired([], rules, set()) == set()
