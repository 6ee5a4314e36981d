"""What IT ran on this computer, and what it sent: the record's entries, as data. Qt-free.

The record (``client/adapters/record_store.py``) keeps every fix run (which
fix, its version and scripts' hashes, who started it, when, both detection
results, the outcome) and every report sent with the list of what it
carried. The employee can read it in the tray and export it. Entries are
stored as JSON objects written by :func:`as_json` and read back by
:func:`from_json`, which takes what an older or newer version wrote
without failing: an entry it cannot read is kept, shown as unreadable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from client.core.fixes import FixRun, Outcome, Step

#: The kinds of entry.
FIX_RUN, REPORT_SENT = "fix_run", "report_sent"


@dataclass(frozen=True)
class SentReport:
    """A report the desk received, and what it carried."""

    sent_at: float
    #: The ticket as the desk shows it ("#123", "RT 42"); "" if the desk gave none.
    ticket: str
    subject: str
    #: Each item sent: its name and size in bytes (the description counts as one).
    items: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Unreadable:
    """An entry this version cannot read (written by a newer one, or damaged); kept as it is."""

    at: float
    kind: str


Entry = FixRun | SentReport | Unreadable


def as_json(entry: FixRun | SentReport) -> tuple[str, float, dict[str, Any]]:
    """``(kind, when, object)`` for storing ``entry``."""
    if isinstance(entry, SentReport):
        return (
            REPORT_SENT,
            entry.sent_at,
            {
                "sent_at": entry.sent_at,
                "ticket": entry.ticket,
                "subject": entry.subject,
                "items": [[name, size] for name, size in entry.items],
            },
        )
    return (
        FIX_RUN,
        entry.started_at,
        {
            "fix_id": entry.fix_id,
            "version": entry.version,
            "platform": entry.platform,
            "detect_sha256": entry.detect_sha256,
            "fix_sha256": entry.fix_sha256,
            "started_by": entry.started_by,
            "started_at": entry.started_at,
            "outcome": entry.outcome.value,
            "duration_s": entry.duration_s,
            "reason": entry.reason,
            "steps": [
                {
                    "name": step.name,
                    "exit_code": step.exit_code,
                    "output": step.output,
                    "cut": step.cut,
                    "duration_s": step.duration_s,
                }
                for step in entry.steps
            ],
        },
    )


def from_json(kind: str, at: float, data: object) -> Entry:
    """The entry stored as ``data``; :class:`Unreadable` when it does not hold up."""
    if not isinstance(data, Mapping):
        return Unreadable(at, kind)
    try:
        if kind == REPORT_SENT:
            return SentReport(
                sent_at=float(data["sent_at"]),
                ticket=str(data["ticket"]),
                subject=str(data["subject"]),
                items=tuple((str(name), int(size)) for name, size in data["items"]),
            )
        if kind == FIX_RUN:
            return FixRun(
                fix_id=str(data["fix_id"]),
                version=int(data["version"]),
                platform=str(data["platform"]),
                detect_sha256=str(data["detect_sha256"]),
                fix_sha256=str(data["fix_sha256"]),
                started_by=str(data["started_by"]),
                started_at=float(data["started_at"]),
                outcome=Outcome(data["outcome"]),
                steps=tuple(_step(raw) for raw in data["steps"]),
                duration_s=float(data["duration_s"]),
                reason=str(data["reason"]),
            )
    except (KeyError, TypeError, ValueError):
        pass
    return Unreadable(at, kind)


def _step(raw: Mapping[str, Any]) -> Step:
    code = raw["exit_code"]
    return Step(
        name=str(raw["name"]),
        exit_code=None if code is None else int(code),
        output=str(raw["output"]),
        cut=int(raw["cut"]),
        duration_s=float(raw["duration_s"]),
    )


def sent_report(
    sent_at: float, ticket: str, subject: str, description: str, files: list[tuple[str, int]]
) -> SentReport:
    """The record of a report: its words count as one item, then each file it carried."""
    words = ("description", len(description.encode("utf-8")))
    return SentReport(sent_at, ticket, subject, (words, *files))
