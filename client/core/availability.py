"""Whether an agent is there now, until when, or when they are back, and who helps meanwhile.

Only from what IT declared in the profile: working hours in the agent's time
zone, absences, a status the agent set by hand. Never from activity (keyboard,
mouse, desk sessions): that would be monitoring employees (docs/profile.md,
AVG). Qt-free; the UI puts the answer into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from client.core.profile import Agent
from client.core.reading import Text

#: How far ahead a return is looked for; beyond it, "back" is not known.
LOOK_AHEAD_DAYS = 60


@dataclass(frozen=True)
class Availability:
    """An agent's availability at one moment.

    ``available``: at work now (or no hours published, so assumed). ``until``:
    when today's span ends (available only). ``back``: when they next start
    (away only; ``None`` when not known). ``absent``: away for a declared
    absence, not just outside hours. ``status``: the hand-set status, shown as
    written. ``backup``: who helps meanwhile (away only, and only when the
    backup is available now).
    """

    available: bool
    until: datetime | None = None
    back: datetime | None = None
    absent: bool = False
    status: Text | None = None
    backup: Agent | None = None


def availability_of(agent: Agent, now: datetime, backup: Agent | None = None) -> Availability:
    """``agent``'s availability at ``now`` (timezone-aware), with ``backup`` when away."""
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone")
    own = _own(agent, now)
    if own.available:
        return own
    helper = backup if backup is not None and _own(backup, now).available else None
    return Availability(False, None, own.back, own.absent, own.status, helper)


def _own(agent: Agent, now: datetime) -> Availability:
    hours = agent.hours
    local = now.astimezone(hours.zone) if hours is not None else now
    absent = _absent_on(agent, local.date())
    if agent.status_away or absent:
        return Availability(False, back=_next_start(agent, now), absent=absent, status=agent.status)
    if hours is None:
        return Availability(True, status=agent.status)
    for start, end in hours.days[local.weekday()]:
        if start <= local.time() < end:
            until = datetime.combine(local.date(), end, hours.zone)
            return Availability(True, until=until, status=agent.status)
    return Availability(False, back=_next_start(agent, now), status=agent.status)


def _absent_on(agent: Agent, day: date) -> bool:
    return any(absence.first <= day <= absence.last for absence in agent.absences)


def _next_start(agent: Agent, now: datetime) -> datetime | None:
    """The first moment after ``now`` the agent's hours begin on a day they are not absent."""
    hours = agent.hours
    if hours is None:
        # No hours: back the day after the absence, at the start of that day.
        local = now
        for offset in range(1, LOOK_AHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            if not _absent_on(agent, day):
                return datetime.combine(day, datetime.min.time(), local.tzinfo)
        return None
    local = now.astimezone(hours.zone)
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if _absent_on(agent, day):
            continue
        for start, _end in hours.days[day.weekday()]:
            begins = datetime.combine(day, start, hours.zone)
            if begins > local and not (offset == 0 and agent.status_away):
                return begins
    return None
