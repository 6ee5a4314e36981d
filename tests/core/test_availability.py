"""An agent's availability from declared hours, absences and a hand-set status, never activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from client.core.availability import LOOK_AHEAD_DAYS, availability_of
from client.core.profile import FORMAT, Agent, parse_profile

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = {day: ["08:30-12:00", "13:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def _agents(**extra: dict[str, Any]) -> dict[str, Agent]:
    agents: list[dict[str, Any]] = [
        {
            "id": "joost",
            "name": "Joost Bakker",
            "hours": {"time_zone": "Europe/Amsterdam", "week": WEEKDAYS},
            **extra.get("joost", {}),
        },
        {
            "id": "sanne",
            "name": "Sanne de Vries",
            "hours": {"time_zone": "Europe/Amsterdam", "week": {"mon": "07:00-19:00"}},
            **extra.get("sanne", {}),
        },
        {"id": "kim", "name": "Kim Jansen", **extra.get("kim", {})},
    ]
    profile = parse_profile({"format": FORMAT, "version": 1, "agents": agents})
    assert profile.problems == ()
    return dict(profile.agents)


def _at(text: str, zone: ZoneInfo = AMSTERDAM) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def test_within_hours_the_agent_is_there_until_the_span_ends() -> None:
    now = _at("2026-12-07T10:15")  # a Monday
    seen = availability_of(_agents()["joost"], now)
    assert seen.available and seen.until == _at("2026-12-07T12:00")
    assert seen.back is None and seen.backup is None


def test_at_lunch_the_agent_is_back_after_it_and_the_backup_helps() -> None:
    agents = _agents()
    seen = availability_of(agents["joost"], _at("2026-12-07T12:30"), agents["sanne"])
    assert not seen.available and not seen.absent
    assert seen.back == _at("2026-12-07T13:00")
    assert seen.backup is agents["sanne"]


def test_on_friday_evening_the_agent_is_back_on_monday_morning() -> None:
    agents = _agents()
    seen = availability_of(agents["joost"], _at("2026-12-11T17:00"), agents["sanne"])
    assert not seen.available and seen.back == _at("2026-12-14T08:30")
    assert seen.backup is None, "Sanne is not working on Friday evening either"


def test_the_agents_own_time_zone_counts_not_the_users() -> None:
    # 09:00 in New York is 15:00 in Amsterdam: Joost is at work.
    seen = availability_of(_agents()["joost"], _at("2026-12-07T09:00", NEW_YORK))
    assert seen.available
    assert seen.until == _at("2026-12-07T17:00")
    assert seen.until is not None and seen.until.astimezone(NEW_YORK).hour == 11


def test_across_a_clock_change_the_return_is_in_local_time() -> None:
    # The night of 28-29 March 2026 the Netherlands moves to summer time.
    seen = availability_of(_agents()["joost"], _at("2026-03-27T18:00"))
    assert seen.back == _at("2026-03-30T08:30")
    assert seen.back is not None and seen.back.utcoffset() == timedelta(hours=2)


def test_during_an_absence_the_agent_is_back_the_first_working_day_after_it() -> None:
    agents = _agents(joost={"absent": [{"from": "2026-12-24", "to": "2027-01-04"}]})
    seen = availability_of(agents["joost"], _at("2026-12-28T10:00"), agents["sanne"])
    assert not seen.available and seen.absent
    assert seen.back == _at("2027-01-05T08:30")
    assert seen.backup is agents["sanne"]


def test_a_hand_set_away_status_wins_over_the_hours() -> None:
    status = {"status": {"text": {"en": "At a course", "nl": "Op cursus"}, "away": True}}
    agents = _agents(joost=status)
    seen = availability_of(agents["joost"], _at("2026-12-07T10:00"), agents["sanne"])
    assert not seen.available and not seen.absent
    assert seen.status is not None and seen.status.get("nl") == "Op cursus"
    assert seen.back == _at("2026-12-08T08:30"), "not later today: the status holds for today"
    assert seen.backup is agents["sanne"]


def test_a_hand_set_status_that_is_not_away_is_shown_while_available() -> None:
    agents = _agents(joost={"status": {"text": "At the Leiden office"}})
    seen = availability_of(agents["joost"], _at("2026-12-07T10:00"))
    assert seen.available and seen.status is not None


def test_without_published_hours_the_agent_counts_as_there() -> None:
    seen = availability_of(_agents()["kim"], _at("2026-12-06T23:00"))
    assert seen.available and seen.until is None


def test_without_hours_an_absence_ends_at_the_start_of_the_next_day() -> None:
    agents = _agents(kim={"absent": [{"from": "2026-12-07", "to": "2026-12-09"}]})
    seen = availability_of(agents["kim"], _at("2026-12-08T11:00"))
    assert not seen.available and seen.back == _at("2026-12-10T00:00")


def test_a_return_beyond_the_look_ahead_is_not_known() -> None:
    long_leave = {"absent": [{"from": "2026-12-01", "to": "2027-12-01"}]}
    agents = _agents(joost=long_leave, kim=long_leave)
    assert availability_of(agents["joost"], _at("2026-12-07T10:00")).back is None
    assert availability_of(agents["kim"], _at("2026-12-07T10:00")).back is None
    assert LOOK_AHEAD_DAYS < 365


def test_the_moment_must_carry_its_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        availability_of(_agents()["joost"], datetime(2026, 12, 7, 10, 0))  # noqa: DTZ001


def test_the_same_moment_in_utc_gives_the_same_answer() -> None:
    local = availability_of(_agents()["joost"], _at("2026-12-07T16:59"))
    utc = availability_of(_agents()["joost"], _at("2026-12-07T16:59").astimezone(UTC))
    assert local == utc and local.available
