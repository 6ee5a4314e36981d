"""Finding the employee's tickets that changed: one TicketSQL search, and its cursor."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from client.adapters.desks import kit
from client.adapters.desks.rt.shapes import _ago
from client.adapters.http import HttpResponse
from client.core.models import Cursor, TicketSummary

#: Seconds the change window reaches back before the previous poll started: RT keeps
#: 1-second times, compares with a strict ``>``, and rounds a relative date.
CURSOR_MARGIN_S = 5

#: RT turns "-N seconds" into a time with the offset of its time zone *now*; when a
#: summer-time switch lies inside the window that is an hour off, so an hour more.
CURSOR_ZONE_SLACK_S = 3600

_SUMMARY_FIELDS = {
    "fields": "Subject,Status,Owner,Created,LastUpdated,Due,Told,Priority",
    "fields[Owner]": "Name,RealName,EmailAddress",
}


@dataclass(frozen=True)
class _Window:
    """The change cursor: when the last search was sent, and what it returned.

    Times are this computer's, used only as differences: the elapsed time is the
    larger of the wall clock's (which counts sleep) and the monotonic clock's (which
    a clock change cannot move back).
    """

    wall: float
    mono: float
    #: Ticket id → fingerprint of what was returned, for tickets still in the window.
    seen: Mapping[str, str]
    #: RT's clock (its ``Date`` header, POSIX seconds) when it answered; ``None``: unknown.
    answered: float | None = None

    def dumps(self) -> str:
        return json.dumps(
            {"v": 1, "wall": self.wall, "mono": self.mono, "seen": self.seen,
             "answered": self.answered}
        )  # fmt: skip

    def settled(self, updated: datetime) -> bool:
        """Whether a ticket last updated at ``updated`` cannot have changed again unseen.

        RT keeps 1-second times: a second change in the second the search ran in (or
        the one before, for the ``Date`` header's own rounding) leaves the fields the
        search returned exactly as they were. Only older tickets are left out.
        """
        return self.answered is not None and updated.timestamp() <= self.answered - 2

    @classmethod
    def loads(cls, text: str) -> _Window | None:
        try:
            data = json.loads(text)
            if data.get("v") != 1:
                return None
            seen = {str(k): str(v) for k, v in dict(data["seen"]).items()}
            answered = data.get("answered")
            return cls(
                float(data["wall"]),
                float(data["mono"]),
                seen,
                None if answered is None else float(answered),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def search(
    pages: Callable[..., Iterator[tuple[list[Mapping[str, Any]], HttpResponse]]],
    summarize: Callable[[Sequence[Mapping[str, Any]]], list[TicketSummary]],
    since: Cursor | None,
    started: tuple[float, float],
) -> tuple[list[TicketSummary], Cursor]:
    """The user's tickets changed since the cursor (all of them without one): one search.

    The cursor rule. RT compares ``LastUpdated`` at 1-second resolution with a
    strict ``>``, and reads a date written in a query in the *user's* time zone
    (an absolute UTC time would lose changes at any desk west of Greenwich). So
    the search asks for ``LastUpdated > '-N seconds'``, N being the time since
    the previous search was sent, measured on this computer, plus
    :data:`CURSOR_MARGIN_S` and :data:`CURSOR_ZONE_SLACK_S`. Every change made after
    the previous search was sent is in the window; nothing is ever lost. Tickets
    that come back exactly as the previous search returned them (the overlap)
    are left out, so an idle poll still reports nothing, unless they were last
    updated within a second of that search (a second change in the same second
    would look the same): those are reported again.

    ``pages`` reads a collection page by page (``RtDesk._pages``), ``summarize``
    reads a page's records, and ``started`` is when this search is sent (the wall
    clock and the monotonic clock).
    """
    previous = _Window.loads(since.value) if since is not None else None
    query = "Requestor.id = '__CurrentUser__'"
    if previous is not None:
        elapsed = max(started[0] - previous.wall, started[1] - previous.mono, 0.0)
        window = math.ceil(elapsed) + CURSOR_MARGIN_S + CURSOR_ZONE_SLACK_S
        query += f" AND LastUpdated > {_ago(window)}"
    # Newest first: should a list ever hit the page bound, the old ones are left out.
    params = {"query": query, "orderby": "id", "order": "DESC", **_SUMMARY_FIELDS}
    summaries: list[TicketSummary] = []
    seen: dict[str, str] = {}
    keep_after: datetime | None = None
    answered: float | None = None
    for items, response in pages("/tickets", params):
        if keep_after is None and (now := kit.server_time(response)) is not None:
            answered = now.timestamp()
            reach = CURSOR_ZONE_SLACK_S + 2 * CURSOR_MARGIN_S + 60
            keep_after = now - timedelta(seconds=reach)
        for item, summary in zip(items, summarize(items), strict=True):
            mark = kit.fingerprint(item)
            if keep_after is None or summary.updated >= keep_after:
                seen[summary.ref.id] = mark
            if (
                previous is not None
                and previous.seen.get(summary.ref.id) == mark
                and previous.settled(summary.updated)
            ):
                continue  # returned as it is by the previous search
            summaries.append(summary)
    return summaries, Cursor(_Window(started[0], started[1], seen, answered).dumps())
