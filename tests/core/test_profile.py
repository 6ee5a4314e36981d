"""Reading the organisation's profile: every bad part left out and named, the rest used."""

from __future__ import annotations

import copy
from datetime import date, time
from typing import Any

import pytest

from client.core.profile import (
    FORMAT,
    Absence,
    ProfileError,
    detect_department,
    parse_profile,
    profile_files,
)
from client.core.reading import MAX_ITEMS, Text


def _document() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": 3,
        "organisation": {
            "name": {"en": "Gemeente Voorbeeld IT", "nl": "Gemeente Voorbeeld ICT"},
            "accent": "#0057b8",
            "logo": "branding/logo.png",
        },
        "agents": [
            {
                "id": "joost",
                "name": "Joost Bakker",
                "role": {"en": "Service desk, Finance", "nl": "Servicedesk, Financiën"},
                "photo": "agents/joost.png",
                "email": "joost.bakker@example.org",
                "phone": "+31 20 123 4567",
                "chat": "https://chat.example.org/joost",
                "hours": {
                    "time_zone": "Europe/Amsterdam",
                    "week": {"mon": ["13:00-17:00", "08:30-12:00"], "fri": "08:30-24:00"},
                },
                "absent": [{"from": "2026-12-24", "to": "2027-01-02"}, {"from": "2026-12-10"}],
                "status": {"text": {"en": "At the Leiden office", "nl": "Op kantoor Leiden"}},
            },
            {"id": "sanne", "name": "Sanne de Vries", "show_photo": False, "photo": "a/s.png"},
        ],
        "departments": [
            {
                "id": "finance",
                "name": {"en": "Finance", "nl": "Financiën"},
                "queue": "Finance",
                "agent": "joost",
                "backup": "sanne",
                "match": {"policy": ["FIN", "finance"], "desk": "Financiën"},
            },
            {"id": "hr", "name": "HR", "agent": "sanne", "backup": "sanne"},
        ],
        "articles": [
            {
                "id": "vpn-reset",
                "title": "VPN opnieuw instellen",
                "language": "nl",
                "body": "articles/vpn-reset.nl.md",
                "keywords": ["VPN", "thuiswerken", 7],
            }
        ],
    }


def test_a_published_profile_is_read_whole() -> None:
    profile = parse_profile(_document())
    assert profile.problems == ()
    assert (profile.version, profile.accent, profile.logo) == (3, "#0057b8", "branding/logo.png")
    assert profile.organisation.get("nl") == "Gemeente Voorbeeld ICT"
    joost = profile.agents["joost"]
    assert (joost.name, joost.photo, joost.email) == (
        "Joost Bakker",
        "agents/joost.png",
        "joost.bakker@example.org",
    )
    assert joost.role is not None and joost.role.get("de") == "Service desk, Finance"
    assert joost.hours is not None and str(joost.hours.zone) == "Europe/Amsterdam"
    assert joost.hours.days[0] == ((time(8, 30), time(12, 0)), (time(13, 0), time(17, 0)))
    assert joost.hours.days[4] == ((time(8, 30), time.max),)
    assert joost.hours.days[6] == ()
    assert joost.absences == (
        Absence(date(2026, 12, 10), date(2026, 12, 10)),
        Absence(date(2026, 12, 24), date(2027, 1, 2)),
    )
    assert joost.status is not None and not joost.status_away
    assert profile.agents["sanne"].photo is None, "the agent's entry switched the photo off"
    finance = profile.department("finance")
    assert finance is not None
    assert (finance.queue, finance.agent, finance.backup) == ("Finance", "joost", "sanne")
    hr = profile.department("hr")
    assert hr is not None and hr.name.get("nl") == "HR" and hr.backup == ""
    assert profile.department("sales") is None
    (article,) = profile.articles
    assert (article.language, article.body) == ("nl", "articles/vpn-reset.nl.md")
    assert article.keywords == ("vpn", "thuiswerken")


def test_the_policy_can_switch_every_photo_off() -> None:
    profile = parse_profile(_document(), photos=False)
    assert all(agent.photo is None for agent in profile.agents.values())


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ([], "not a JSON object"),
        ({"format": 2, "version": 1}, "format 2"),
        ({"format": FORMAT}, "no version"),
        ({"format": FORMAT, "version": True}, "no version"),
        ({"format": FORMAT, "version": 0}, "no version"),
    ],
)
def test_a_document_that_is_no_profile_is_refused_whole(document: object, why: str) -> None:
    with pytest.raises(ProfileError, match=why):
        parse_profile(document)


def _with(change: dict[str, Any], where: str = "") -> dict[str, Any]:
    document = copy.deepcopy(_document())
    target: Any = document
    for key in where.split(".") if where else []:
        target = target[int(key)] if key.isdigit() else target[key]
    target.update(change)
    return document


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (_with({"accent": "blue"}, "organisation"), "organisation.accent"),
        (_with({"logo": "https://evil.example/logo.png"}, "organisation"), "organisation.logo"),
        (_with({"logo": "../../etc/passwd"}, "organisation"), "organisation.logo"),
        (_with({"id": "Joost Bakker"}, "agents.0"), "agents[0]: no id"),
        (_with({"name": " \u0007 "}, "agents.0"), "agents[0] (joost): no name"),
        (_with({"id": "joost"}, "agents.1"), "the id 'joost' is used twice"),
        (_with({"email": "joost<script>@x"}, "agents.0"), "(joost).email"),
        (_with({"phone": "call me"}, "agents.0"), "(joost).phone"),
        (_with({"chat": "javascript:alert(1)"}, "agents.0"), "(joost).chat"),
        (_with({"chat": "https://chat.example.org/a b"}, "agents.0"), "(joost).chat"),
        (_with({"photo": "file:///home/anna/.ssh/id_rsa"}, "agents.0"), "(joost).photo"),
        (_with({"status": {"away": True}}, "agents.0"), "(joost).status: no text"),
        (_with({"absent": "christmas"}, "agents.0"), "(joost).absent: not a list"),
        (_with({"absent": [{"from": "24-12-2026"}]}, "agents.0"), "absent[0]: dates"),
        (_with({"absent": [{"from": "2026-12-24", "to": "2026-12-01"}]}, "agents.0"), "ends"),
        (_with({"agent": "piet"}, "departments.0"), "(finance).agent: no agent 'piet'"),
        (_with({"backup": "piet"}, "departments.0"), "(finance).backup: no agent 'piet'"),
        (_with({"agent": ["joost"]}, "departments.0"), "(finance).agent: no agent ''"),
        (_with({"id": "hr"}, "departments.0"), "the id 'hr' is used twice"),
        (_with({"id": ""}, "departments.0"), "departments[0]: no id"),
        (_with({"id": 5}, "articles.0"), "articles[0]: no id"),
        (_with({"title": ""}, "articles.0"), "needs a title and a body file"),
        (_with({"body": "/etc/passwd"}, "articles.0"), "(vpn-reset).body"),
        (_with({"language": "de"}, "articles.0"), "'de' is not one of en, nl"),
        (_with({"agents": {"joost": {}}}), "agents: not a list"),
        (_with({"articles": ["VPN"]}), "articles[0]: not an object"),
    ],
)
def test_a_bad_part_is_left_out_and_named_while_the_rest_is_used(
    document: dict[str, Any], problem: str
) -> None:
    profile = parse_profile(document)
    assert any(problem in line for line in profile.problems), profile.problems
    assert profile.department("hr") is not None or "'hr'" in problem, "the rest is still there"


def test_a_department_without_a_name_is_left_out() -> None:
    profile = parse_profile(_with({"name": {"de": "Finanzen"}}, "departments.0"))
    assert profile.department("finance") is None
    assert "departments[0] (finance): no name" in profile.problems


@pytest.mark.parametrize(
    ("week", "time_zone"),
    [
        ({"mon": ["9-17"]}, "Europe/Amsterdam"),
        ({"mon": ["17:00-09:00"]}, "Europe/Amsterdam"),
        ({"mon": ["08:00-12:00", "11:00-15:00"]}, "Europe/Amsterdam"),
        ({"mon": ["20:00-24:30"]}, "Europe/Amsterdam"),
        ({"mon": [830]}, "Europe/Amsterdam"),
        ({"mon": ["08:30-17:00"]}, "Mars/Olympus_Mons"),
        ({"mon": ["08:30-17:00"]}, "../../../etc/passwd"),
    ],
)
def test_hours_that_do_not_parse_leave_the_agent_without_hours(
    week: dict[str, Any], time_zone: str
) -> None:
    profile = parse_profile(_with({"hours": {"time_zone": time_zone, "week": week}}, "agents.0"))
    assert profile.agents["joost"].hours is None
    assert any("(joost).hours" in line for line in profile.problems)


def test_hostile_text_is_one_plain_line_within_bounds() -> None:
    profile = parse_profile(
        _with({"name": "Joost\n\tBakker\u202e\x1b[31m" + "x" * 500}, "agents.0")
    )
    name = profile.agents["joost"].name
    assert name.startswith("Joost Bakker[31mxxx") and len(name) == 200
    assert not any(not ch.isprintable() for ch in name)


def test_a_huge_list_is_cut_and_says_so() -> None:
    many = [{"id": f"a{i}", "name": f"Agent {i}"} for i in range(MAX_ITEMS + 5)]
    profile = parse_profile(_with({"agents": many, "departments": []}))
    assert len(profile.agents) == MAX_ITEMS
    assert f"agents: {MAX_ITEMS + 5} entries; the first {MAX_ITEMS} are used" in profile.problems


def test_a_profile_with_little_in_it_still_works() -> None:
    profile = parse_profile({"format": FORMAT, "version": 1})
    assert profile.organisation.get("nl") == "IT service desk"
    assert (profile.departments, profile.articles, dict(profile.agents)) == ((), (), {})


def test_texts_fall_back_to_english_then_to_any() -> None:
    assert Text({"en": "Finance", "nl": "Financiën"}).get("nl") == "Financiën"
    assert Text({"en": "Finance"}).get("nl") == "Finance"
    assert Text({"nl": "Financiën"}).get("en") == "Financiën"


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            {"policy_value": "fin", "desk_value": "HR-afdeling", "chosen": "hr"},
            ("finance", "policy"),
        ),
        ({"policy_value": "sales", "desk_value": "financiën"}, ("finance", "desk")),
        ({"desk_value": "Marketing", "chosen": "hr"}, ("hr", "chosen")),
        ({"chosen": "sales"}, (None, "")),
        ({}, (None, "")),
    ],
)
def test_the_department_is_recognised_policy_first_then_desk_then_choice(
    sources: dict[str, str], expected: tuple[str | None, str]
) -> None:
    department, source = detect_department(parse_profile(_document()), **sources)
    assert (department.id if department else None, source) == expected


def test_the_files_to_keep_are_the_logo_the_photos_and_the_articles_once_each() -> None:
    document = _document()
    document["agents"][1]["show_photo"] = True
    document["agents"][1]["photo"] = "agents/joost.png"  # the same file twice
    profile = parse_profile(document)
    assert profile_files(profile) == [
        "branding/logo.png",
        "agents/joost.png",
        "articles/vpn-reset.nl.md",
    ]
    assert profile_files(parse_profile(document, photos=False)) == [
        "branding/logo.png",
        "articles/vpn-reset.nl.md",
    ]


def test_the_health_rules_are_read_and_a_bad_one_is_named() -> None:
    document = _document()
    document["health"] = {
        "rules": [
            {"id": "disk-low", "fix": "clean-disk"},
            {"id": "uptime-long", "enabled": False},
            {"id": "hot", "metric": "cpu.temperature", "title": "Hot", "above": 90},
        ]
    }
    profile = parse_profile(document)
    assert [(rule.id, rule.fix, rule.enabled) for rule in profile.health_rules] == [
        ("disk-low", "clean-disk", True),
        ("uptime-long", "", False),
    ]
    assert profile.problems == (
        "health.rules[2]: unknown metric 'cpu.temperature'; the rule is skipped",
    )
    assert profile.department("finance") is not None, "the rest is still there"


@pytest.mark.parametrize(
    ("health", "problems"),
    [
        (None, ()),
        ("strict", ()),
        ({}, ()),
        ({"rules": {"disk-low": {}}}, ("health.rules: not a list",)),
    ],
)
def test_a_profile_without_usable_health_rules_has_none(
    health: object, problems: tuple[str, ...]
) -> None:
    document = _document()
    document["health"] = health
    profile = parse_profile(document)
    assert profile.health_rules == () and profile.problems == problems
