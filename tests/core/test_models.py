from client.core.models import Stage, TicketRef


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
