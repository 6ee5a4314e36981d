"""The agent card: a face, a name, when they are there, and how to reach them, in two languages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QLocale, QUrl

from client.core.availability import availability_of
from client.core.profile import FORMAT, Agent, parse_profile
from client.ui.agent_card import AgentCard, AgentCardData, heading_text, notice_text

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOURS = {
    "time_zone": "Europe/Amsterdam",
    "week": {d: "08:30-17:00" for d in ("mon", "tue", "wed", "thu", "fri")},
}


def _agents(**joost: Any) -> dict[str, Agent]:
    document = {
        "format": FORMAT,
        "version": 1,
        "agents": [
            {
                "id": "joost",
                "name": "Joost Bakker",
                "role": {"en": "Service desk, Finance", "nl": "Servicedesk, Financiën"},
                "email": "joost.bakker@example.org",
                "phone": "+31 20 123 4567",
                "hours": HOURS,
                **joost,
            },
            {
                "id": "sanne",
                "name": "Sanne de Vries",
                "hours": {**HOURS, "week": {"mon": "07:00-20:00"}},
            },
        ],
    }
    return dict(parse_profile(document).agents)


@pytest.fixture
def british() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale("en_GB"))
    yield
    QLocale.setDefault(before)


def _card(qtbot: QtBot, agents: dict[str, Agent], when: str, **extra: Any) -> AgentCard:
    now = datetime.fromisoformat(when).replace(tzinfo=AMSTERDAM)
    seen = availability_of(agents["joost"], now, agents["sanne"])
    card = AgentCard()
    qtbot.addWidget(card)
    card.show_agent(AgentCardData(agents["joost"], seen, now, **extra), zone=AMSTERDAM)
    return card


def test_in_hours_the_card_says_until_when_and_offers_the_ways_to_reach_them(
    qtbot: QtBot, british: None
) -> None:
    card = _card(qtbot, _agents(), "2026-12-07T10:15", heading=heading_text())
    assert card.heading.text() == "Your IT contact"
    assert (card.name.text(), card.role.text()) == ("Joost Bakker", "Service desk, Finance")
    assert card.availability.text() == "Available until 17:00"
    assert not card.email_button.isHidden() and not card.call_button.isHidden()
    assert card.chat_button.isHidden(), "no chat link published"
    assert card.stale.isHidden()
    with qtbot.waitSignal(card.contact_requested) as asked:
        card.email_button.click()
    assert asked.args == [QUrl("mailto:joost.bakker@example.org")]
    with qtbot.waitSignal(card.contact_requested) as asked:
        card.call_button.click()
    assert asked.args == [QUrl("tel:+31201234567")]


def test_out_of_hours_it_says_when_they_are_back_and_who_helps_meanwhile(
    qtbot: QtBot, british: None
) -> None:
    card = _card(qtbot, _agents(), "2026-12-07T18:00")
    assert card.availability.text() == "Back tomorrow at 08:30; Sanne de Vries helps you meanwhile"


def test_the_same_in_dutch(qtbot: QtBot, dutch: None) -> None:
    card = _card(qtbot, _agents(), "2026-12-07T18:00", language="nl", heading=heading_text())
    assert card.heading.text() == "Jouw IT-contactpersoon"
    assert card.role.text() == "Servicedesk, Financiën"
    assert (
        card.availability.text()
        == "Weer bereikbaar morgen om 08:30; Sanne de Vries helpt je zolang"
    )
    assert card.call_button.text() == "Bellen"


@pytest.mark.parametrize(
    ("when", "absent", "expected"),
    [
        ("2026-12-07T12:00", None, "Available until 17:00"),
        ("2026-12-07T07:00", None, "Back today at 08:30"),
        ("2026-12-11T18:00", None, "Back on Monday at 08:30"),
        (
            "2026-12-21T10:00",
            {"from": "2026-12-21", "to": "2027-01-04"},
            "Back on Tuesday, 5 January 2027",
        ),
        ("2026-12-21T10:00", {"from": "2026-12-21", "to": "2027-12-31"}, "Away"),
    ],
)
def test_when_they_are_back_is_said_plainly(
    qtbot: QtBot, british: None, when: str, absent: dict[str, str] | None, expected: str
) -> None:
    agents = _agents(absent=[absent] if absent else [])
    now = datetime.fromisoformat(when).replace(tzinfo=AMSTERDAM)
    card = AgentCard()
    qtbot.addWidget(card)
    card.show_agent(
        AgentCardData(agents["joost"], availability_of(agents["joost"], now), now), AMSTERDAM
    )
    assert card.availability.text() == expected


def test_a_day_that_ends_at_midnight_says_so(qtbot: QtBot, british: None) -> None:
    late = {"time_zone": "Europe/Amsterdam", "week": {"mon": "12:00-24:00"}}
    card = _card(qtbot, _agents(hours=late), "2026-12-07T22:15")
    assert card.availability.text() == "Available until midnight"


def test_a_hand_set_status_and_an_old_profile_are_both_said(qtbot: QtBot, british: None) -> None:
    agents = _agents(status={"text": {"en": "On a course", "nl": "Op cursus"}, "away": True})
    verified = datetime(2026, 11, 28, 9, 0, tzinfo=AMSTERDAM).timestamp()
    notice = notice_text(True, verified, "expired", "timestamp")
    card = _card(qtbot, agents, "2026-12-07T10:15", notice=notice)
    assert card.status.text() == "On a course" and not card.status.isHidden()
    assert not card.stale.isHidden()
    assert card.stale.text() == (
        "This may be out of date: last confirmed 28/11/2026.\n"
        "IT's information has expired (timestamp). IT must sign it again."
    )


def test_the_card_says_why_it_may_not_be_current_and_what_it_needs_from_it(
    qtbot: QtBot, british: None
) -> None:
    assert notice_text(False, 0.0) == "", "current: nothing to say"
    assert notice_text(False, 0.0, "unreachable") == "", "offline is not news until it is old"
    assert notice_text(False, 0.0, "bad_signature", "targets") == (
        "IT's information failed its signature check (targets). IT must check its keys."
    )
    assert "older version" in notice_text(False, 0.0, "rollback", "snapshot")
    card = _card(qtbot, _agents(), "2026-12-07T10:15")
    assert card.stale.isHidden()


def test_without_a_photo_the_card_shows_initials_and_with_one_the_photo(qtbot: QtBot) -> None:
    card = _card(qtbot, _agents(), "2026-12-07T10:15")
    without = card.photo.pixmap().toImage()
    out = io.BytesIO()
    Image.new("RGB", (160, 160), (10, 200, 10)).save(out, "PNG")
    card.set_photo(out.getvalue())
    with_photo = card.photo.pixmap().toImage()
    centre = with_photo.width() // 2
    assert with_photo.pixelColor(centre, centre).green() > 150, "the photo is shown"
    assert without.pixelColor(centre, centre) != with_photo.pixelColor(centre, centre)
    card.set_photo(b"not a png")
    assert card.photo.pixmap().toImage() == without, "a broken photo falls back to initials"


def test_hostile_text_is_shown_as_text(qtbot: QtBot) -> None:
    card = _card(qtbot, _agents(name="<b>Joost</b> <img src=x>"), "2026-12-07T10:15")
    assert card.name.text() == "<b>Joost</b> <img src=x>"
    assert card.name.textFormat().name == "PlainText"
