from dataclasses import replace
from datetime import timedelta

from client.core.models import Agent, Stage, TicketRef, TicketSummary
from client.core.tracking import ChangeKind, diff
from tests.fakes import T0


def _ticket(number: int, stage: Stage = Stage.RECEIVED, agent: str | None = None) -> TicketSummary:
    return TicketSummary(
        ref=TicketRef(str(number)),
        title=f"ticket {number}",
        stage=stage,
        native_status=stage.value,
        updated=T0,
        created=T0,
        agent=Agent(agent) if agent else None,
    )


def _index(*tickets: TicketSummary) -> dict[TicketRef, TicketSummary]:
    return {t.ref: t for t in tickets}


def test_nothing_changed_gives_nothing() -> None:
    same = _index(_ticket(1), _ticket(2, Stage.ASSIGNED, "Joost"))
    assert diff(same, dict(same)) == []


def test_each_ticket_yields_its_most_telling_change() -> None:
    before = _index(_ticket(1), _ticket(2), _ticket(3, Stage.ASSIGNED, "Joost"))
    later = T0 + timedelta(minutes=5)
    after = _index(
        replace(before[TicketRef("1")], stage=Stage.ASSIGNED, agent=Agent("Joost"), updated=later),
        replace(before[TicketRef("2")], agent=Agent("Sanne"), updated=later),
        replace(before[TicketRef("3")], updated=later),
        _ticket(4),
    )
    kinds = {c.ref.id: c.kind for c in diff(before, after)}
    assert kinds == {
        "1": ChangeKind.STAGE_CHANGED,
        "2": ChangeKind.AGENT_ASSIGNED,
        "3": ChangeKind.UPDATED,
        "4": ChangeKind.NEW,
    }


def test_a_change_remembers_before_and_after() -> None:
    before = _index(_ticket(1))
    after = _index(replace(before[TicketRef("1")], stage=Stage.RESOLVED))
    (change,) = diff(before, after)
    assert change.before is not None and change.before.stage is Stage.RECEIVED
    assert change.new_stage is Stage.RESOLVED
