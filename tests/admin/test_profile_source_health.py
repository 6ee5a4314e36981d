"""IT's health rules in ``health.toml``: into the profile, each problem named by its table."""

from __future__ import annotations

from pathlib import Path

from client.adapters.profile_source import read_profile_source
from client.core.health import rules_in_force
from client.core.profile import parse_profile

RULES = """\
[rules.disk-low]
below = 15
fix = "empty-trash"

[rules.uptime-long]
enabled = false

[rules.swap-heavy]
metric = "swap.used_percent"
above = 50
title = { en = "Swap is in heavy use", nl = "Wisselgeheugen zwaar in gebruik" }
"""


def test_health_rules_change_add_and_switch_off_built_in_ones(source: Path) -> None:
    (source / "health.toml").write_text(RULES, encoding="utf-8")
    read = read_profile_source(source)
    assert read.problems == ()
    profile = parse_profile(read.document)
    rules = {rule.id: rule for rule in rules_in_force(profile.health_rules)}
    assert rules["disk-low"].below == 15 and rules["disk-low"].fix == "empty-trash"
    assert rules["disk-low"].title.get("nl") == "Uw schijf is bijna vol"  # kept from the built-in
    assert "uptime-long" not in rules
    assert rules["swap-heavy"].above == 50 and rules["swap-heavy"].metric == "swap.used_percent"


def test_without_health_toml_the_profile_has_no_health_part(source: Path) -> None:
    assert "health" not in read_profile_source(source).document


def test_a_bad_rule_is_named_by_its_table_and_the_others_stay(source: Path) -> None:
    (source / "health.toml").write_text(
        RULES + '\n[rules.fan]\nmetric = "fan.rpm"\nabove = 3000\ncolour = "red"\n'
        '\n[rules.odd]\nmetric = "uptime.days"\nabove = 3\nbelow = 1\ntitle = "Odd"\n',
        encoding="utf-8",
    )
    read = read_profile_source(source)
    assert read.problems == (
        "health.toml [rules.fan]: unknown setting 'colour' (known: metric, above, below, title, "
        "advice, fix, period_days, persist_passes, escalate_after_hours, enabled)",
        "health.toml [rules.fan]: unknown metric 'fan.rpm'; the rule is skipped",
        "health.toml [rules.odd]: needs one limit, a number 'above' or 'below'",
    )
    rules = {r.id for r in rules_in_force(parse_profile(read.document).health_rules)}
    assert {"disk-low", "swap-heavy"} <= rules and not {"fan", "odd"} & rules


def test_rules_that_are_not_tables_are_named(source: Path) -> None:
    (source / "health.toml").write_text('rules = "all"\n', encoding="utf-8")
    assert read_profile_source(source).problems == (
        "health.toml: rules: one [rules.<id>] table per rule",
    )
    (source / "health.toml").write_text("[rules]\ndisk-low = 3\n", encoding="utf-8")
    assert read_profile_source(source).problems == ("health.toml [rules.disk-low]: not a table",)
