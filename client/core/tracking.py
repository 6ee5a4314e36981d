"""Turning two snapshots of the user's tickets into the changes worth telling."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from client.core.models import STAGE_FLOW, Stage, TicketRef, TicketSummary


class ChangeKind(enum.Enum):
    """What happened to a ticket between two snapshots, most telling first."""

    WAITING_ON_YOU = "waiting_on_you"  # the desk needs something from the user
    RESOLVED = "resolved"
    REOPENED = "reopened"  # back in work after it was resolved or closed
    AGENT_REPLIED = "agent_replied"
    ASSIGNED = "assigned"  # someone took it, or it went to someone else
    STAGE_CHANGED = "stage_changed"  # any other move (received -> in progress, closed, ...)
    UPDATED = "updated"  # changed at the desk in a way the list does not show
    NEW = "new"  # a ticket the previous snapshot did not have


@dataclass(frozen=True)
class TicketChange:
    """One change to one ticket; ``before`` is ``None`` for a new ticket.

    ``replied`` says whether an agent also wrote something new (a ticket
    resolved with a message is RESOLVED, and ``replied``).
    """

    kind: ChangeKind
    ticket: TicketSummary
    before: TicketSummary | None = None
    replied: bool = False

    @property
    def ref(self) -> TicketRef:
        """The changed ticket."""
        return self.ticket.ref

    @property
    def new_stage(self) -> Stage:
        """The ticket's stage after the change."""
        return self.ticket.stage


def _kind(before: TicketSummary, now: TicketSummary, replied: bool) -> ChangeKind | None:
    if now.stage != before.stage:
        if now.stage is Stage.WAITING_ON_YOU:
            return ChangeKind.WAITING_ON_YOU
        if now.stage is Stage.RESOLVED:
            return ChangeKind.RESOLVED
        if not before.stage.is_open and now.stage.is_open:
            return ChangeKind.REOPENED
    if replied:
        return ChangeKind.AGENT_REPLIED
    if now.agent is not None and now.agent != before.agent:
        return ChangeKind.ASSIGNED
    if now.stage != before.stage:
        return ChangeKind.STAGE_CHANGED
    if now.updated > before.updated:
        return ChangeKind.UPDATED
    return None


def diff(
    previous: Mapping[TicketRef, TicketSummary], current: Mapping[TicketRef, TicketSummary]
) -> list[TicketChange]:
    """The changes from ``previous`` to ``current``, one per ticket at most.

    Each ticket yields only its most telling change (see :class:`ChangeKind`);
    tickets only in ``previous`` are not changes (a poll may see only part).
    """
    changes: list[TicketChange] = []
    for ref, now in current.items():
        before = previous.get(ref)
        if before is None:
            changes.append(TicketChange(ChangeKind.NEW, now))
            continue
        replied = now.agent_replied_at is not None and (
            before.agent_replied_at is None or now.agent_replied_at > before.agent_replied_at
        )
        kind = _kind(before, now, replied)
        if kind is not None:
            changes.append(TicketChange(kind, now, before, replied))
    return changes


# --- the tracker: where a ticket is on its way, and what comes next -------------------------


class Step(enum.Enum):
    """A stage on a ticket's timeline: passed, where it is now, or still to come."""

    DONE = "done"
    CURRENT = "current"
    TODO = "todo"


def timeline(stage: Stage) -> list[tuple[Stage, Step]]:
    """The stages a ticket goes through, each marked as passed, current or to come.

    "Waiting for you" is a detour from "in progress" and is shown only while
    the ticket is there; a cancelled ticket ends where it was cancelled.
    """
    if stage is Stage.CANCELLED:
        return [(Stage.RECEIVED, Step.DONE), (Stage.CANCELLED, Step.CURRENT)]
    path = list(STAGE_FLOW)  # "waiting for you" shows only while it is the case
    if stage is Stage.WAITING_ON_YOU:
        path.insert(path.index(Stage.IN_PROGRESS) + 1, Stage.WAITING_ON_YOU)
    here = path.index(stage)
    return [
        (s, Step.DONE if n < here else Step.CURRENT if n == here else Step.TODO)
        for n, s in enumerate(path)
    ]


class Action(enum.Enum):
    """What the user can do with a ticket from the tray."""

    REPLY = "reply"
    CONFIRM = "confirm"  # "It's fixed"
    REOPEN = "reopen"  # "Still broken"
    FIXED_ITSELF = "fixed_itself"  # close it with a note
    URGENT = "urgent"  # "This is urgent now"


def actions(stage: Stage) -> list[Action]:
    """The actions that fit the stage, in the order the tracker offers them."""
    if stage is Stage.RESOLVED:
        return [Action.CONFIRM, Action.REOPEN, Action.REPLY]
    if stage is Stage.CLOSED:
        return [Action.REOPEN]
    if stage.is_open:
        return [Action.REPLY, Action.FIXED_ITSELF, Action.URGENT]
    return []


#: How many finished tickets make a basis for "usually within ...".
MIN_BASIS = 3


def usual_duration(tickets: Iterable[TicketSummary]) -> timedelta | None:
    """The median time from report to resolution of the user's finished tickets.

    ``None`` when fewer than :data:`MIN_BASIS` are known: no basis, so no
    promise. The last change of a resolved or closed ticket stands in for
    the moment it was resolved.
    """
    seconds = [
        (t.updated - t.created).total_seconds()
        for t in tickets
        if t.stage in (Stage.RESOLVED, Stage.CLOSED) and t.updated >= t.created
    ]
    if len(seconds) < MIN_BASIS:
        return None
    # The middle value by hand: the statistics module costs ~0.9 MB and several ms to
    # import, paid by the panel's first opening (docs/performance.md).
    seconds.sort()
    middle = len(seconds) // 2
    if len(seconds) % 2:
        return timedelta(seconds=seconds[middle])
    return timedelta(seconds=(seconds[middle - 1] + seconds[middle]) / 2)


@dataclass(frozen=True)
class Expectation:
    """When the user may expect their ticket to be dealt with.

    ``due``: the desk's own due date; else ``usually``: the median time of
    their past tickets (counted from this ticket's report). Both ``None``:
    there is no basis for a promise, and none is made.
    """

    due: datetime | None = None
    usually: timedelta | None = None

    def by(self, created: datetime) -> datetime | None:
        """The moment it is expected by, if there is one."""
        if self.due is not None:
            return self.due
        return created + self.usually if self.usually is not None else None


def expectation(ticket: TicketSummary, history: Iterable[TicketSummary]) -> Expectation:
    """What to tell the user about when (nothing for a ticket that is done)."""
    if not ticket.stage.is_open:
        return Expectation()
    if ticket.due is not None:
        return Expectation(due=ticket.due)
    return Expectation(usually=usual_duration(t for t in history if t.ref != ticket.ref))


def expectations(tickets: Iterable[TicketSummary]) -> Callable[[TicketSummary], Expectation]:
    """:func:`expectation` for many of the user's tickets at once: the history read once.

    (An open ticket is no part of its own history: only finished ones count.)
    """
    usual = usual_duration(tickets)

    def of(ticket: TicketSummary) -> Expectation:
        if not ticket.stage.is_open:
            return Expectation()
        if ticket.due is not None:
            return Expectation(due=ticket.due)
        return Expectation(usually=usual)

    return of
