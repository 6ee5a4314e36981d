from datetime import UTC, datetime

import pytest

from client.core.models import Stage, Ticket, TicketRef, TicketSummary
from client.core.ports import credential_account


def test_open_stages() -> None:
    assert [s for s in Stage if s.is_open] == [
        Stage.RECEIVED,
        Stage.ASSIGNED,
        Stage.IN_PROGRESS,
        Stage.WAITING_ON_YOU,
    ]


def test_a_ticket_is_named_the_way_people_say_it() -> None:
    assert str(TicketRef("12", "HR-12")) == "HR-12"
    assert str(TicketRef("12")) == "#12"


def test_a_ticket_is_found_by_the_reference_of_its_summary() -> None:
    when = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    summary = TicketSummary(TicketRef("7", "IT-7"), "VPN drops", Stage.ASSIGNED, "open", when, when)
    assert Ticket(summary).ref == TicketRef("7", "IT-7")


@pytest.mark.parametrize(
    ("desk_url", "username", "account"),
    [
        ("https://desk.example.org", "anna", "anna@https://desk.example.org"),
        ("https://desk.example.org/", "anna", "anna@https://desk.example.org"),
        ("https://desk.example.org/helpdesk//", "bo", "bo@https://desk.example.org/helpdesk"),
    ],
)
def test_one_credential_per_user_and_desk_whatever_the_trailing_slash(
    desk_url: str, username: str, account: str
) -> None:
    assert credential_account(desk_url, username) == account
