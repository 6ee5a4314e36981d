"""What happens with a finding: a quiet nudge, the fix, and when IT hears of it. Qt-free.

Each finding has a :class:`Track` in the **book**, which the tray keeps across
restarts (``client/adapters/health_book.py``). From the book, this pass's
findings and the moment (:class:`Calm`), :func:`due` says what is due:

- **nudge** once per the rule's period, never in quiet hours, never right
  after start or wake, never while snoozed or after "dismiss" (until the
  finding has been gone a week and comes back), and only once it was seen
  in enough passes in a row (a moment's blip is not a finding); a finding
  that clears and comes back within a week is the same one;
- when it **persists** (the rule's ``escalate_after_h``), IT hears of it as
  the policy says: ``ask`` (the employee approves a proactive report),
  ``auto`` (it is filed and the employee told), or ``never``;
- a finding has **at most one ticket**: while it holds, that ticket gets the
  new figures at most once a day; when it clears, the ticket is closed or
  told so (:data:`StepKind.CLEAR`).

Times are seconds since the epoch. A clock that jumps back leaves no nudge,
snooze or update in the future for ever: they are clamped to now.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from client.core.health import Finding
from client.core.settings import in_quiet_hours

#: A proactive ticket gets the finding's new figures at most this often (seconds).
UPDATE_EVERY_S = 24 * 3600
#: The longest a snooze may last (seconds).
MAX_SNOOZE_S = 7 * 24 * 3600
#: A finding gone for less than this and back is the same one (a battery at 59.8 % one day and
#: 60.1 % the next): its last nudge and "don't remind me" still count (seconds).
FORGET_AFTER_S = 7 * 24 * 3600
#: The most findings the book keeps (a damaged or hostile file cannot make it grow).
MAX_TRACKS = 200


class Mode(enum.Enum):
    """How IT hears of a persistent finding (the policy's ``health.tell_it``)."""

    ASK = "ask"
    AUTO = "auto"
    NEVER = "never"


@dataclass(frozen=True)
class Track:
    """One finding's life on this computer."""

    id: str
    first_seen: float
    last_seen: float
    #: Passes in a row that found it.
    passes: int = 1
    value: float = 0.0
    nudged_at: float | None = None
    snoozed_until: float | None = None
    #: "Don't show this again": until it clears.
    dismissed: bool = False
    #: ``ask``: when the employee was asked to tell IT, and whether they said no.
    asked_at: float | None = None
    declined: bool = False
    #: The proactive report (its key, once saved) and its ticket (once the desk has it).
    report_key: str = ""
    ticket: str = ""
    filed_at: float | None = None
    updated_at: float | None = None
    #: When it stopped being found, while IT still has to be told.
    cleared_at: float | None = None

    @property
    def told_it(self) -> bool:
        """Whether a proactive report was saved for it (sent or waiting)."""
        return bool(self.report_key)


@dataclass(frozen=True)
class Calm:
    """Whether anything may pop up now."""

    #: Quiet hours as minutes after midnight (``core.settings.quiet_hours_span``), or ``None``.
    quiet: tuple[int, int] | None
    minute_of_day: int
    #: Seconds since the tray started or the computer woke.
    since_start_s: float
    quiet_after_s: float

    @property
    def quiet_now(self) -> bool:
        """Quiet hours, or too soon after start or wake."""
        return self.since_start_s < self.quiet_after_s or in_quiet_hours(
            self.quiet, self.minute_of_day
        )


class StepKind(enum.Enum):
    """What :func:`due` asks the tray to do."""

    NUDGE = "nudge"  # a quiet notification, the fix or a report offered
    ASK = "ask"  # ask the employee to approve telling IT
    FILE = "file"  # file the proactive report and tell the employee
    UPDATE = "update"  # give the ticket the finding's new figures
    CLEAR = "clear"  # it cleared: close the ticket, or tell the agent


@dataclass(frozen=True)
class Step:
    """One thing due now."""

    kind: StepKind
    track: Track
    #: The finding as this pass saw it; ``None`` for :data:`StepKind.CLEAR`.
    finding: Finding | None = None


Book = Mapping[str, Track]


def observe(
    book: Book, findings: Sequence[Finding], measured: Collection[str], now: float
) -> dict[str, Track]:
    """The book after a pass: ``findings`` seen now; of the rest, those ``measured`` cleared.

    A finding whose fact was not measured this time (a sensor failed, a
    detection that did not run) is neither seen nor cleared: it stays as it
    was. A cleared finding is forgotten unless IT must still be told.
    """
    new: dict[str, Track] = {}
    for track_id, track in book.items():
        new[track_id] = _clamped(track, now)
    for finding in findings:
        known = new.get(finding.id)
        if known is None:
            new[finding.id] = Track(finding.id, now, now, value=finding.value)
        else:
            track = known
            back = track.cleared_at is not None  # back before IT was told it cleared
            new[finding.id] = replace(
                track, last_seen=now, passes=1 if back else track.passes + 1,
                value=finding.value, cleared_at=None,
            )  # fmt: skip
    seen = {finding.id for finding in findings}
    for track_id, track in list(new.items()):
        if track_id in seen or track_id not in measured:
            continue
        if track.cleared_at is not None:
            if not track.told_it and now - track.cleared_at >= FORGET_AFTER_S:
                del new[track_id]  # gone a week: a new one, if it comes back
        elif track.told_it or track.nudged_at is not None or track.dismissed:
            new[track_id] = replace(track, cleared_at=now)  # remembered a while
        else:
            del new[track_id]
    return _bounded(new)


def _clamped(track: Track, now: float) -> Track:
    """No time of the track lies in the future (the clock jumped back), a snooze included."""

    def at_most(value: float | None, limit: float) -> float | None:
        return None if value is None else min(value, limit)

    return replace(
        track,
        first_seen=min(track.first_seen, now),
        last_seen=min(track.last_seen, now),
        nudged_at=at_most(track.nudged_at, now),
        snoozed_until=at_most(track.snoozed_until, now + MAX_SNOOZE_S),
        asked_at=at_most(track.asked_at, now),
        filed_at=at_most(track.filed_at, now),
        updated_at=at_most(track.updated_at, now),
    )


def _bounded(book: dict[str, Track]) -> dict[str, Track]:
    if len(book) <= MAX_TRACKS:
        return book
    newest = sorted(book.values(), key=lambda t: t.last_seen, reverse=True)[:MAX_TRACKS]
    return {track.id: track for track in newest}


def due(book: Book, findings: Sequence[Finding], now: float, calm: Calm, mode: Mode) -> list[Step]:
    """What is due now for this pass's ``findings`` (and cleared ones IT must hear of)."""
    steps: list[Step] = []
    for finding in findings:
        track = book.get(finding.id)
        if track is None or track.passes < finding.rule.persist_passes:
            continue
        if track.told_it:
            last = track.updated_at or track.filed_at or now
            if track.ticket and now - last >= UPDATE_EVERY_S:
                steps.append(Step(StepKind.UPDATE, track, finding))
            continue  # IT knows: no more nudges
        if calm.quiet_now:
            continue
        after = finding.rule.escalate_after_h
        persists = after is not None and now - track.first_seen >= after * 3600
        if persists and mode is Mode.AUTO:
            steps.append(Step(StepKind.FILE, track, finding))
        elif persists and mode is Mode.ASK and track.asked_at is None and not track.declined:
            if _resting(track, now):
                continue  # the employee said "later" or "not again": the question waits too
            steps.append(Step(StepKind.ASK, track, finding))
        elif _may_nudge(track, finding, now):
            steps.append(Step(StepKind.NUDGE, track, finding))
    for track in book.values():
        if track.cleared_at is not None and track.ticket:
            steps.append(Step(StepKind.CLEAR, track))
    return steps


def _resting(track: Track, now: float) -> bool:
    """Snoozed, or dismissed: nothing about it pops up."""
    return track.dismissed or (track.snoozed_until is not None and now < track.snoozed_until)


def _may_nudge(track: Track, finding: Finding, now: float) -> bool:
    if _resting(track, now):
        return False
    period = finding.rule.period_days * 24 * 3600
    return track.nudged_at is None or now - track.nudged_at >= period


# --- what the employee and the desk did --------------------------------------------------------


def _changed(book: Book, track_id: str, **changes: Any) -> dict[str, Track]:
    new = dict(book)
    track = new.get(track_id)
    if track is not None:
        new[track_id] = replace(track, **changes)
    return new


def nudged(book: Book, track_id: str, now: float) -> dict[str, Track]:
    """The finding's nudge was shown (or its harmless fix ran) now."""
    return _changed(book, track_id, nudged_at=now)


def snoozed(book: Book, track_id: str, now: float, seconds: float) -> dict[str, Track]:
    """Remind me later: nothing pops up for it for ``seconds`` (at most a week)."""
    until = now + min(max(seconds, 0.0), MAX_SNOOZE_S)
    return _changed(book, track_id, snoozed_until=until)


def dismissed(book: Book, track_id: str) -> dict[str, Track]:
    """Don't remind me: no more nudges until it clears (IT may still hear of it)."""
    return _changed(book, track_id, dismissed=True)


def asked(book: Book, track_id: str, now: float) -> dict[str, Track]:
    """The employee was asked whether IT may hear of it."""
    return _changed(book, track_id, asked_at=now)


def declined(book: Book, track_id: str) -> dict[str, Track]:
    """The employee said no: not asked again until it clears."""
    return _changed(book, track_id, declined=True)


def filed(book: Book, track_id: str, report_key: str, now: float) -> dict[str, Track]:
    """Its proactive report was saved in the outbox (the desk has it once delivered)."""
    return _changed(book, track_id, report_key=report_key, filed_at=now)


def unfiled(book: Book, report_key: str) -> dict[str, Track]:
    """The report with ``report_key`` was never kept: its finding has told nobody."""
    for track in book.values():
        if track.report_key and track.report_key == report_key and not track.ticket:
            return _changed(book, track.id, report_key="", filed_at=None, cleared_at=None)
    return dict(book)


def delivered(book: Book, report_key: str, ticket: str) -> dict[str, Track]:
    """The desk made ``ticket`` of the report with ``report_key`` (unknown keys change nothing)."""
    for track in book.values():
        if track.report_key and track.report_key == report_key:
            return _changed(book, track.id, ticket=ticket)
    return dict(book)


def updated(book: Book, track_id: str, now: float) -> dict[str, Track]:
    """Its ticket got the new figures now."""
    return _changed(book, track_id, updated_at=now)


def forget(book: Book, track_id: str) -> dict[str, Track]:
    """IT was told that it cleared: the finding's life ends."""
    return {key: track for key, track in book.items() if key != track_id}


def waiting_for_ticket(book: Book) -> list[Track]:
    """Findings whose report was saved but whose ticket is not known yet."""
    return [track for track in book.values() if track.report_key and not track.ticket]


# --- kept as JSON ------------------------------------------------------------------------------

_TIMES = ("first_seen", "last_seen", "nudged_at", "snoozed_until", "asked_at", "filed_at",
          "updated_at", "cleared_at")  # fmt: skip


def book_as_json(book: Book) -> dict[str, Any]:
    """The book for a file."""
    return {"version": 1, "tracks": [asdict(track) for track in book.values()]}


def book_from_json(document: object) -> dict[str, Track]:
    """A book read back; a malformed track is left out, a malformed document is an empty book."""
    if not isinstance(document, dict) or document.get("version") != 1:
        return {}
    raw_tracks = document.get("tracks")
    book: dict[str, Track] = {}
    for raw in raw_tracks[:MAX_TRACKS] if isinstance(raw_tracks, list) else ():
        track = _track(raw)
        if track is not None:
            book[track.id] = track
    return book


def _track(raw: object) -> Track | None:
    if not isinstance(raw, dict):
        return None
    values: dict[str, Any] = {}
    for name in _TIMES:
        value = raw.get(name)
        if value is not None and not _finite(value):
            return None
        values[name] = None if value is None else float(value)
    if values["first_seen"] is None or values["last_seen"] is None:
        return None
    track_id, passes, value = raw.get("id"), raw.get("passes"), raw.get("value")
    texts = [raw.get("report_key", ""), raw.get("ticket", "")]
    if not (isinstance(track_id, str) and 0 < len(track_id) <= 100):
        return None
    if type(passes) is not int or passes < 1 or not isinstance(value, int | float):
        return None
    if not _finite(value):
        return None
    if not all(isinstance(text, str) and len(text) <= 100 for text in texts):
        return None
    flags = [raw.get("dismissed", False), raw.get("declined", False)]
    if not all(isinstance(flag, bool) for flag in flags):
        return None
    return Track(
        track_id, passes=passes, value=float(value), dismissed=flags[0], declined=flags[1],
        report_key=texts[0], ticket=texts[1], **values,
    )  # fmt: skip


def _finite(value: object) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:  # a 400-digit integer is no time and no count
        return math.isfinite(float(value))
    except OverflowError:
        return False
