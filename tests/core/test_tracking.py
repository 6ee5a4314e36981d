"""core.tracking.diff: two snapshots in, the changes worth telling out (one per ticket)."""

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from client.core.models import Agent, Stage, TicketRef, TicketSummary
from client.core.tracking import (
    Action,
    ChangeKind,
    Step,
    actions,
    diff,
    expectation,
    expectations,
    timeline,
    usual_duration,
)
from tests.fakes import T0

LATER = T0 + timedelta(minutes=5)


def _ticket(
    number: int = 1,
    stage: Stage = Stage.RECEIVED,
    agent: str | None = None,
    replied: datetime | None = None,
) -> TicketSummary:
    return TicketSummary(
        ref=TicketRef(str(number)),
        title=f"ticket {number}",
        stage=stage,
        native_status=stage.value,
        updated=T0,
        created=T0,
        agent=Agent(agent) if agent else None,
        agent_replied_at=replied,
    )


def _index(*tickets: TicketSummary) -> dict[TicketRef, TicketSummary]:
    return {t.ref: t for t in tickets}


def _one(before: TicketSummary, **after: Any) -> ChangeKind | None:
    changes = diff(_index(before), _index(replace(before, updated=LATER, **after)))
    assert len(changes) <= 1
    return changes[0].kind if changes else None


def test_nothing_changed_gives_nothing() -> None:
    same = _index(_ticket(1), _ticket(2, Stage.ASSIGNED, "Joost", T0))
    assert diff(same, dict(same)) == []


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        # An agent takes the ticket: assigned (the stage moving with it says less).
        (_ticket(), {"stage": Stage.ASSIGNED, "agent": Agent("Joost")}, ChangeKind.ASSIGNED),
        (_ticket(stage=Stage.ASSIGNED, agent="Joost"), {"agent": Agent("Sanne")},
         ChangeKind.ASSIGNED),
        # The agent writes: replied, also when the stage moves on with it.
        (_ticket(stage=Stage.ASSIGNED, agent="Joost"),
         {"stage": Stage.IN_PROGRESS, "agent_replied_at": LATER}, ChangeKind.AGENT_REPLIED),
        (_ticket(stage=Stage.IN_PROGRESS, agent="Joost", replied=T0),
         {"agent_replied_at": LATER}, ChangeKind.AGENT_REPLIED),
        # What the user must act on, or may be glad of, beats a reply.
        (_ticket(stage=Stage.IN_PROGRESS, agent="Joost"),
         {"stage": Stage.WAITING_ON_YOU, "agent_replied_at": LATER}, ChangeKind.WAITING_ON_YOU),
        (_ticket(stage=Stage.IN_PROGRESS, agent="Joost"),
         {"stage": Stage.RESOLVED, "agent_replied_at": LATER}, ChangeKind.RESOLVED),
        # Back in work after it was done.
        (_ticket(stage=Stage.RESOLVED, agent="Joost"), {"stage": Stage.IN_PROGRESS},
         ChangeKind.REOPENED),
        (_ticket(stage=Stage.CLOSED, agent="Joost"), {"stage": Stage.ASSIGNED},
         ChangeKind.REOPENED),
        # Any other move.
        (_ticket(stage=Stage.RESOLVED, agent="Joost"), {"stage": Stage.CLOSED},
         ChangeKind.STAGE_CHANGED),
        (_ticket(stage=Stage.WAITING_ON_YOU, agent="Joost"), {"stage": Stage.IN_PROGRESS},
         ChangeKind.STAGE_CHANGED),
        # Touched, nothing the list shows.
        (_ticket(stage=Stage.ASSIGNED, agent="Joost"), {}, ChangeKind.UPDATED),
        # An agent who leaves is not news, the update is.
        (_ticket(stage=Stage.ASSIGNED, agent="Joost"), {"agent": None}, ChangeKind.UPDATED),
        # An older reply time (a desk's clock, a moved follow-up) is no new reply.
        (_ticket(stage=Stage.IN_PROGRESS, replied=LATER), {"agent_replied_at": T0},
         ChangeKind.UPDATED),
    ],
)  # fmt: skip
def test_each_change_is_told_by_its_most_telling_kind(
    before: TicketSummary, after: dict[str, object], kind: ChangeKind
) -> None:
    assert _one(before, **after) is kind


def test_a_new_ticket_is_new_and_a_vanished_one_no_change() -> None:
    changes = diff(_index(_ticket(1)), _index(_ticket(2)))
    assert [(c.ref.id, c.kind) for c in changes] == [("2", ChangeKind.NEW)]


def test_a_change_remembers_before_after_and_whether_the_agent_wrote() -> None:
    before = _index(_ticket(1, Stage.IN_PROGRESS, "Joost"))
    after = _index(replace(before[TicketRef("1")], stage=Stage.RESOLVED, agent_replied_at=LATER))
    (change,) = diff(before, after)
    assert change.before is not None and change.before.stage is Stage.IN_PROGRESS
    assert change.new_stage is Stage.RESOLVED and change.replied


def test_an_unchanged_time_with_the_same_data_is_no_change() -> None:
    ticket = _ticket(1, Stage.IN_PROGRESS, "Joost", T0)
    assert diff(_index(ticket), _index(replace(ticket))) == []


@pytest.mark.parametrize(
    ("stage", "steps"),
    [
        (Stage.RECEIVED, "C T T T T"),
        (Stage.ASSIGNED, "D C T T T"),
        (Stage.WAITING_ON_YOU, "D D D C T T"),
        (Stage.RESOLVED, "D D D C T"),
        (Stage.CLOSED, "D D D D C"),
        (Stage.CANCELLED, "D C"),
    ],
)
def test_the_timeline_marks_passed_current_and_coming_stages(stage: Stage, steps: str) -> None:
    line = timeline(stage)
    assert " ".join(step.value[0].upper() for _, step in line) == steps
    assert [s for s, step in line if step is Step.CURRENT] == [stage]
    assert (Stage.WAITING_ON_YOU in [s for s, _ in line]) == (stage is Stage.WAITING_ON_YOU)


@pytest.mark.parametrize(
    ("stage", "offered"),
    [
        (Stage.RECEIVED, [Action.REPLY, Action.FIXED_ITSELF, Action.URGENT]),
        (Stage.WAITING_ON_YOU, [Action.REPLY, Action.FIXED_ITSELF, Action.URGENT]),
        (Stage.RESOLVED, [Action.CONFIRM, Action.REOPEN, Action.REPLY]),
        (Stage.CLOSED, [Action.REOPEN]),
        (Stage.CANCELLED, []),
    ],
)
def test_the_actions_fit_the_stage(stage: Stage, offered: list[Action]) -> None:
    assert actions(stage) == offered


def _done(number: int, hours: float) -> TicketSummary:
    return replace(_ticket(number, Stage.RESOLVED), updated=T0 + timedelta(hours=hours))


def test_the_usual_time_is_the_median_of_finished_tickets_and_needs_a_basis() -> None:
    assert usual_duration([_done(1, 2), _done(2, 30)]) is None, "two tickets are no basis"
    assert usual_duration([_done(1, 2), _done(2, 30), _done(3, 4)]) == timedelta(hours=4)
    four = [_done(1, 2), _done(2, 30), _done(3, 4), _done(4, 6), _ticket(5, Stage.IN_PROGRESS)]
    assert usual_duration(four) == timedelta(hours=5), "open tickets do not count"


def test_the_desks_due_date_beats_the_usual_time_and_done_tickets_get_no_promise() -> None:
    history = [_done(1, 2), _done(2, 4), _done(3, 6)]
    due = T0 + timedelta(days=2)
    open_with_due = replace(_ticket(9, Stage.ASSIGNED), due=due)
    assert expectation(open_with_due, history).by(T0) == due
    assert expectation(_ticket(9, Stage.ASSIGNED), history).by(T0) == T0 + timedelta(hours=4)
    assert expectation(_ticket(9, Stage.ASSIGNED), history[:2]).by(T0) is None
    assert expectation(replace(_done(9, 1), due=due), history).by(T0) is None


def test_expectations_for_many_tickets_agree_with_one_by_one() -> None:
    history = [_done(1, 2), _done(2, 4), _done(3, 6)]
    due = T0 + timedelta(days=2)
    tickets = [
        *history,
        replace(_ticket(7, Stage.ASSIGNED), due=due),
        _ticket(8, Stage.IN_PROGRESS),
        replace(_done(9, 1), due=due),
    ]
    of = expectations(tickets)
    for ticket in tickets:
        assert of(ticket) == expectation(ticket, tickets), ticket.ref
