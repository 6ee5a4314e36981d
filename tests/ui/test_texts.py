"""Words for codes and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from PySide6.QtWidgets import QApplication

from client.core.errors import (
    UNAVAILABLE_REASONS,
    AuthFailed,
    BadResponse,
    ClientError,
    Forbidden,
    Rejected,
    Unavailable,
    ValidationError,
)
from client.ui import texts

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "starts"),
    [
        (NOW - timedelta(minutes=5), "Today, "),
        (NOW - timedelta(days=1), "Yesterday, "),
    ],
)
def test_recent_times_are_said_in_words(qapp: QApplication, when: datetime, starts: str) -> None:
    assert texts.moment(when, NOW).startswith(starts)


def test_older_times_are_a_weekday_or_a_date(qapp: QApplication) -> None:
    weekday = texts.moment(NOW - timedelta(days=3), NOW)
    assert "," in weekday and not weekday.startswith(("Today", "Yesterday"))
    assert "2026" not in texts.moment(NOW - timedelta(days=30), NOW)
    assert "2025" in texts.moment(NOW - timedelta(days=400), NOW)


def test_times_ahead_keep_their_hour(qapp: QApplication) -> None:
    """An "expected by" time: tomorrow, a weekday, or a date, always with the hour."""
    assert texts.moment(NOW + timedelta(days=1), NOW).startswith("Tomorrow, ")
    friday = texts.moment(NOW + timedelta(days=4), NOW)  # Monday 23 Nov + 4
    assert friday.startswith("Friday, ") and ":" in friday
    later = texts.moment(NOW + timedelta(days=20), NOW)
    assert later.startswith("13 Dec, ") and ":" in later


@pytest.mark.parametrize(
    "error",
    [
        Unavailable("x", reason="unreachable"),
        Unavailable("x", reason="connection"),
        Unavailable("x", reason="tls"),
        Unavailable("x", reason="timeout"),
        Unavailable("x", reason="server_error"),
        Unavailable("x", reason="busy"),
        Unavailable("x", reason="proxy"),
        Rejected("x", reason="too_large"),
        Rejected("x", reason="no_queue"),
        Rejected("x", reason="something_new"),
        AuthFailed(),
        BadResponse(),
        ValidationError("subject_missing", "subject"),
        ClientError("anything"),
    ],
)
def test_every_error_has_plain_words_without_internals(
    qapp: QApplication, error: ClientError
) -> None:
    message = texts.error_message(error)
    assert message and message.endswith(".")
    assert "x" != message and "Traceback" not in message and "HTTP" not in message


def test_distinct_reasons_get_distinct_words(qapp: QApplication) -> None:
    reasons = UNAVAILABLE_REASONS
    assert len({texts.error_message(Unavailable("x", reason=r)) for r in reasons}) == len(reasons)
    assert "certificate" in texts.error_message(Unavailable("x", reason="tls"))
    assert texts.error_message(AuthFailed(), signing_in=True) != texts.error_message(AuthFailed())


def test_a_desk_refusing_the_apps_requests_is_for_it_not_the_employees_rights(
    qapp: QApplication,
) -> None:
    rights = texts.error_message(Forbidden("x", reason="rights"))
    forgery = texts.error_message(Forbidden("x", reason="csrf"))
    assert rights == texts.error_message(Forbidden("x")) != forgery
    assert "IT" in forgery and "lost" in forgery
    # Signing in at an address the desk refuses: the same words, not "wrong password".
    assert texts.error_message(Forbidden("x", reason="csrf"), signing_in=True) == forgery


@pytest.mark.parametrize(
    ("span", "said"),
    [
        (timedelta(seconds=20), "1 minute"),
        (timedelta(minutes=45), "45 minutes"),
        (timedelta(minutes=60), "1 hour"),
        (timedelta(hours=1, minutes=50), "2 hours"),
        (timedelta(hours=5), "5 hours"),
        (timedelta(hours=30), "30 hours"),
        (timedelta(days=1, hours=23, minutes=59), "2 days"),
        (timedelta(days=3), "3 days"),
    ],
)
def test_a_duration_is_said_the_way_people_say_it(span: timedelta, said: str) -> None:
    assert texts.duration(span) == said


def test_fill_replaces_each_place_once_so_values_stay_as_they_are() -> None:
    assert texts.fill("%1 · %2", "50%2 off", "x") == "50%2 off · x"
    assert texts.fill("%1 and %3", "a") == "a and %3"


def test_why_the_desk_was_not_reached_is_said_in_the_users_language(dutch: None) -> None:
    from client.core.diagnostics import Fact

    unreachable = [Fact("desk_unreachable", {"problem": "refused"})]
    assert (
        texts.diagnostics_summary(unreachable)
        == "servicedesk NIET bereikbaar (verbinding geweigerd)"
    )
    oddity = [Fact("desk_unreachable", {"problem": "unreachable: No route to host"})]
    assert texts.diagnostics_summary(oddity).endswith("(unreachable: No route to host)")


def test_in_dutch_today_and_the_weekdays_are_written_alike(dutch: None) -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # a Friday
    today = texts.moment(now - timedelta(hours=1), now)
    monday = texts.moment(now - timedelta(days=4), now)
    assert today.startswith("vandaag, ") and monday.startswith("maandag, "), (today, monday)
