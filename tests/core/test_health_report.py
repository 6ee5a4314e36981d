"""What a proactive report about a finding says, in English and Dutch, and what it carries."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from client.core.health import BUILTIN_RULES, Finding, Pass, Rule, evaluate, fix_rule, parse_rules
from client.core.health_report import (
    FILE_NAME,
    MARK,
    SCHEMA,
    amount,
    cleared_text,
    payload,
    report_text,
    update_text,
)

#: 2027-01-15 08:00 UTC.
SINCE = 1_800_000_000.0
SYSTEM = "Ubuntu 24.04 (x86_64)"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def builtin(rule_id: str) -> Rule:
    return next(rule for rule in BUILTIN_RULES if rule.id == rule_id)


DISK = Pass({"disk.free_percent": 8.46, "uptime.days": 3.0}, {"disk.free_percent": "/home"})
(DISK_LOW,) = evaluate(DISK, [builtin("disk-low")])
SLOW = Pass({}, slowdowns={"slow.probe_ms": 0.204, "slow.boot_s": 0.35})
(SLOWER,) = evaluate(SLOW, ())


def test_a_report_in_english_says_what_was_found_and_names_the_finding() -> None:
    subject, text = report_text(DISK_LOW, SINCE, DISK, SYSTEM, "en", asked=True)
    assert subject == "[Health] Your disk is almost full"
    assert text.splitlines() == [
        "The IT help app on this computer found this on its own. The employee agreed to tell IT.",
        "",
        "Your disk is almost full",
        "Empty the trash and remove large files you no longer need.",
        "",
        "Found since: 2027-01-15 08:00",
        "Measured: Free disk space: 8.5 % (limit: below 10 %)",
        "About: /home",
        "Computer: Ubuntu 24.04 (x86_64)",
        "",
        "Health-Finding: disk-low",
    ]


def test_a_report_in_dutch() -> None:
    subject, text = report_text(DISK_LOW, SINCE, DISK, SYSTEM, "nl", asked=False)
    assert subject == "[Gezondheid] Uw schijf is bijna vol"
    lines = text.splitlines()
    assert lines[0].startswith("De IT-hulp-app op deze computer vond dit zelf en meldde het")
    assert "Leeg de prullenbak en verwijder grote bestanden die u niet meer nodig hebt." in lines
    assert "Gevonden sinds: 2027-01-15 08:00" in lines
    assert "Gemeten: Vrije schijfruimte: 8.5 % (grens: onder 10 %)" in lines
    assert "Betreft: /home" in lines
    assert lines[-1] == f"{MARK}: disk-low"


@pytest.mark.parametrize(
    ("asked", "language", "intro"),
    [
        (True, "en", "The employee agreed to tell IT."),
        (False, "en", "as the IT policy says. The employee was told."),
        (True, "nl", "De medewerker gaf toestemming om IT in te lichten."),
        (False, "nl", "De medewerker is op de hoogte gebracht."),
        (False, "de", "The employee was told."),  # a language without words: English
    ],
)
def test_the_report_says_whether_the_employee_agreed_or_policy_filed_it(
    asked: bool, language: str, intro: str
) -> None:
    _, text = report_text(DISK_LOW, SINCE, DISK, SYSTEM, language, asked=asked)
    assert text.splitlines()[0].endswith(intro)


def test_a_limit_above_is_worded_as_above_and_without_a_detail_there_is_no_about_line() -> None:
    (hog,) = evaluate(Pass({"cpu.top_percent": 93.4}), [builtin("cpu-hog")])
    _, text = report_text(hog, SINCE, DISK, SYSTEM, "en", asked=True)
    assert "Measured: Busiest program: 93 % CPU (limit: above 80 % CPU)" in text.splitlines()
    assert "About:" not in text
    _, text = report_text(hog, SINCE, DISK, SYSTEM, "nl", asked=True)
    assert "Gemeten: Drukste programma: 93 % CPU (grens: boven 80 % CPU)" in text.splitlines()


def test_a_slowdown_report_gives_percentages_not_a_limit() -> None:
    subject, text = report_text(SLOWER, SINCE, SLOW, SYSTEM, "en", asked=True)
    assert subject == "[Health] Your computer is getting slower"
    lines = text.splitlines()
    assert [line for line in lines if "slower than" in line] == [
        "Start-up time: 35 % slower than this computer's own past",
        "Response time: 20 % slower than this computer's own past",
    ]
    assert not any(line.startswith("Measured:") for line in lines)
    assert lines[-1] == "Health-Finding: getting-slower"
    _, text = report_text(SLOWER, SINCE, SLOW, SYSTEM, "nl", asked=True)
    assert "Opstarttijd: 35 % trager dan deze computer zelf gewend is" in text.splitlines()


def test_a_figure_of_a_metric_this_build_does_not_know_is_named_as_is() -> None:
    odd = Finding("getting-slower", SLOWER.rule, 0.5, figures={"slow.fan": 0.5})
    _, text = report_text(odd, SINCE, SLOW, SYSTEM, "en", asked=True)
    assert "slow.fan: 50 % slower than this computer's own past" in text.splitlines()


def test_a_fix_detection_report_names_the_fix_finding_and_measures_nothing() -> None:
    found = Finding("fix:clear-cache", fix_rule("clear-cache"), 1.0)
    subject, text = report_text(found, SINCE, DISK, SYSTEM, "en", asked=False)
    assert subject == "[Health] A known problem was found"
    assert "IT has a fix for it that you can run yourself." in text.splitlines()
    assert "Measured:" not in text
    assert text.splitlines()[-1] == "Health-Finding: fix:clear-cache"


def test_a_rule_without_advice_leaves_the_line_out() -> None:
    problems: list[str] = []
    (rule,) = parse_rules(
        [{"id": "swap", "metric": "swap.used_percent", "title": "Swap is full", "above": 90}],
        problems,
    )
    (found,) = evaluate(Pass({"swap.used_percent": 95.0}), [rule])
    _, text = report_text(found, SINCE, DISK, SYSTEM, "en", asked=True)
    assert text.splitlines()[2:5] == ["Swap is full", "", "Found since: 2027-01-15 08:00"]


@pytest.mark.parametrize(
    ("metric", "value", "text"),
    [
        ("disk.free_percent", 8.46, "8.5 %"),
        ("disk.free_percent", 8.0, "8 %"),
        ("disk.free_percent", 12.6, "13 %"),
        ("disk.free_gb", 0.5, "0.5 GB"),
        ("uptime.days", 21, "21 days"),
        ("dns.failing", 1.0, "1"),
        ("slow.probe_ms", 1234.5, "1234 ms"),
        ("not.a.metric", 2.5, "2.5"),
    ],
)
def test_amounts_for_people(metric: str, value: float, text: str) -> None:
    assert amount(metric, value) == text


def test_days_read_as_dagen_in_dutch_and_other_units_stay() -> None:
    assert amount("uptime.days", 3.0, "nl") == "3 dagen"
    assert amount("disk.free_percent", 8.5, "nl") == "8.5 %"


def test_the_payload_holds_the_finding_and_the_last_numbers_and_nothing_more() -> None:
    attachment = payload(DISK_LOW, SINCE, DISK, SYSTEM, "0.1.0")
    assert (attachment.filename, attachment.content_type) == (FILE_NAME, "application/json")
    document = json.loads(attachment.data)
    assert set(document) == {
        "schema",
        "version",
        "finding",
        "metric",
        "value",
        "limit",
        "detail",
        "slowdowns",
        "since",
        "facts",
        "machine",
    }  # no screenshot, no process list, no logs
    assert document == {
        "schema": SCHEMA,
        "version": 1,
        "finding": "disk-low",
        "metric": "disk.free_percent",
        "value": 8.46,
        "limit": 10.0,
        "detail": "/home",
        "slowdowns": {},
        "since": "2027-01-15 08:00",
        "facts": {"disk.free_percent": 8.46, "uptime.days": 3.0},
        "machine": {"system": SYSTEM, "app": "0.1.0"},
    }


def test_a_slowdown_payload_has_figures_and_no_limit() -> None:
    document = json.loads(payload(SLOWER, SINCE, SLOW, SYSTEM, "0.1.0").data)
    assert document["limit"] is None
    assert document["slowdowns"] == {"slow.probe_ms": 0.204, "slow.boot_s": 0.35}
    assert document["value"] == 0.35 and document["facts"] == {}


@pytest.mark.parametrize(
    ("found", "language", "text"),
    [
        (DISK_LOW, "en", "Still found on 2027-01-16 09:30: 8.5 %."),
        (DISK_LOW, "nl", "Nog steeds gevonden op 2027-01-16 09:30: 8.5 %."),
        (SLOWER, "en", "Still found on 2027-01-16 09:30: 35 %, 20 %."),
    ],
)
def test_an_update_gives_the_new_figure(found: Finding, language: str, text: str) -> None:
    assert update_text(found, SINCE + 25.5 * 3600, language) == text


@pytest.mark.parametrize(
    ("language", "closing", "text"),
    [
        (
            "en",
            True,
            "The problem cleared on 2027-01-15 08:00; the IT help app no longer finds it.",
        ),
        (
            "en",
            False,
            "The problem cleared on 2027-01-15 08:00; the IT help app no longer finds it. "
            "You can close this ticket.",
        ),
        (
            "nl",
            False,
            "Het probleem is verdwenen op 2027-01-15 08:00; de IT-hulp-app vindt het niet meer. "
            "U kunt deze melding sluiten.",
        ),
    ],
)
def test_a_cleared_finding_closes_the_ticket_or_asks_the_agent_to(
    language: str, closing: bool, text: str
) -> None:
    assert cleared_text(SINCE, language, closing=closing) == text
