"""Turning two snapshots of the user's tickets into the changes worth telling."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from client.core.models import Stage, TicketRef, TicketSummary


class ChangeKind(enum.Enum):
    """What happened to a ticket between two snapshots."""

    NEW = "new"
    STAGE_CHANGED = "stage_changed"
    AGENT_ASSIGNED = "agent_assigned"
    UPDATED = "updated"


@dataclass(frozen=True)
class TicketChange:
    """One change to one ticket; ``before`` is ``None`` for a new ticket."""

    kind: ChangeKind
    ticket: TicketSummary
    before: TicketSummary | None = None

    @property
    def ref(self) -> TicketRef:
        """The changed ticket."""
        return self.ticket.ref

    @property
    def new_stage(self) -> Stage:
        """The ticket's stage after the change."""
        return self.ticket.stage


def diff(
    previous: Mapping[TicketRef, TicketSummary], current: Mapping[TicketRef, TicketSummary]
) -> list[TicketChange]:
    """The changes from ``previous`` to ``current``, one per ticket at most.

    A stage change says more than a new agent, which says more than "something
    was updated", so each ticket yields only the most telling of these.
    """
    changes: list[TicketChange] = []
    for ref, now in current.items():
        before = previous.get(ref)
        if before is None:
            changes.append(TicketChange(ChangeKind.NEW, now))
        elif now.stage != before.stage:
            changes.append(TicketChange(ChangeKind.STAGE_CHANGED, now, before))
        elif now.agent is not None and now.agent != before.agent:
            changes.append(TicketChange(ChangeKind.AGENT_ASSIGNED, now, before))
        elif now.updated > before.updated:
            changes.append(TicketChange(ChangeKind.UPDATED, now, before))
    return changes
