"""The book of findings: when a nudge is due, when IT hears of it, and the book kept as JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Sequence
from typing import Any

import pytest

from client.core.health import Finding, Rule
from client.core.nudges import (
    MAX_SNOOZE_S,
    MAX_TRACKS,
    UPDATE_EVERY_S,
    Book,
    Calm,
    Mode,
    StepKind,
    Track,
    asked,
    book_as_json,
    book_from_json,
    declined,
    delivered,
    dismissed,
    due,
    filed,
    forget,
    nudged,
    observe,
    snoozed,
    unfiled,
    updated,
    waiting_for_ticket,
)
from client.core.reading import Text

HOUR = 3600.0
DAY = 24 * HOUR
T0 = 1_800_000_000.0
#: Midday, long after start, no quiet hours.
CALM = Calm(None, 12 * 60, 2 * HOUR, 120.0)
RULE = Rule(
    "disk-low",
    "disk.free_percent",
    Text({"en": "Your disk is almost full"}),
    Text({"en": "Empty the trash."}),
    below=10.0,
    period_days=3.0,
    persist_passes=1,
    escalate_after_h=72.0,
)


def finding(rule: Rule = RULE, value: float = 5.0) -> Finding:
    return Finding(rule.id, rule, value)


def rule(**changes: Any) -> Rule:
    return dataclasses.replace(RULE, **changes)


def run(
    book: Book,
    findings: Sequence[Finding],
    now: float,
    mode: Mode = Mode.NEVER,
    calm: Calm = CALM,
    measured: Collection[str] | None = None,
) -> tuple[dict[str, Track], list[tuple[StepKind, str]]]:
    """One pass: the book after it and what is due, as (kind, track id)."""
    if measured is None:
        measured = {f.id for f in findings} | set(book)
    new = observe(book, findings, measured, now)
    return new, [(step.kind, step.track.id) for step in due(new, findings, now, calm, mode)]


NUDGE = [(StepKind.NUDGE, "disk-low")]


# --- nudges ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persist", [1, 2, 3])
def test_no_nudge_before_the_finding_was_seen_in_enough_passes(persist: int) -> None:
    found = finding(rule(persist_passes=persist))
    book: Book = {}
    for n in range(1, persist + 1):
        book, steps = run(book, [found], T0 + n * 15 * 60)
        assert book["disk-low"].passes == n
        assert steps == (NUDGE if n == persist else [])


def test_a_nudge_comes_once_per_period() -> None:
    book, steps = run({}, [finding()], T0)
    assert steps == NUDGE
    book = nudged(book, "disk-low", T0)
    book, steps = run(book, [finding()], T0 + 3 * DAY - 1)
    assert steps == []
    book, steps = run(book, [finding()], T0 + 3 * DAY)
    assert steps == NUDGE


@pytest.mark.parametrize(
    ("seconds", "until"),
    [(HOUR, T0 + HOUR), (30 * DAY, T0 + MAX_SNOOZE_S), (-HOUR, T0)],
)
def test_a_snooze_lasts_at_most_a_week(seconds: float, until: float) -> None:
    book, _ = run({}, [finding()], T0)
    assert snoozed(book, "disk-low", T0, seconds)["disk-low"].snoozed_until == until


def test_nothing_pops_up_while_snoozed() -> None:
    daily = finding(rule(period_days=0.5))
    book, _ = run({}, [daily], T0)
    book = snoozed(nudged(book, "disk-low", T0), "disk-low", T0, 3 * DAY)
    book, steps = run(book, [daily], T0 + 3 * DAY - 1)
    assert steps == []
    book, steps = run(book, [daily], T0 + 3 * DAY)
    assert steps == [(StepKind.NUDGE, "disk-low")]


def test_dismissed_nudges_no_more_until_it_has_been_gone_a_week_and_comes_back() -> None:
    book, _ = run({}, [finding()], T0)
    book = dismissed(book, "disk-low")
    book, steps = run(book, [finding()], T0 + 30 * DAY, mode=Mode.NEVER)
    assert steps == []
    book, steps = run(book, [], T0 + 31 * DAY)  # measured, not found: it cleared
    book, steps = run(book, [finding()], T0 + 32 * DAY, mode=Mode.NEVER)
    assert steps == [], "back within a week: the same problem, still dismissed"
    book, steps = run(book, [], T0 + 33 * DAY)
    book, steps = run(book, [], T0 + 40 * DAY)  # gone a week
    assert book == {}
    book, steps = run(book, [finding()], T0 + 41 * DAY, mode=Mode.NEVER)
    assert steps == NUDGE


@pytest.mark.parametrize(
    ("calm", "quiet"),
    [
        (CALM, False),
        (Calm((22 * 60, 7 * 60), 23 * 60, 2 * HOUR, 120.0), True),  # quiet hours
        (Calm((22 * 60, 7 * 60), 3 * 60, 2 * HOUR, 120.0), True),  # across midnight
        (Calm((22 * 60, 7 * 60), 7 * 60, 2 * HOUR, 120.0), False),
        (Calm(None, 12 * 60, 119.0, 120.0), True),  # just started or woke
        (Calm(None, 12 * 60, 120.0, 120.0), False),
    ],
)
def test_nothing_pops_up_in_quiet_hours_or_right_after_start(calm: Calm, quiet: bool) -> None:
    assert calm.quiet_now is quiet
    _, steps = run({}, [finding()], T0, calm=calm)
    assert steps == ([] if quiet else NUDGE)
    # A persistent finding is neither filed nor asked about then either.
    old = {"disk-low": Track("disk-low", T0 - 80 * HOUR, T0 - HOUR)}
    _, steps = run(old, [finding()], T0, mode=Mode.AUTO, calm=calm)
    assert steps == ([] if quiet else [(StepKind.FILE, "disk-low")])


def test_a_finding_not_measured_this_pass_neither_counts_nor_clears() -> None:
    found = finding(rule(persist_passes=3))
    book, _ = run({}, [found], T0)
    before, steps = run(book, [], T0 + HOUR, measured=set())
    assert before == book and steps == []
    book, _ = run(before, [found], T0 + 2 * HOUR)
    assert book["disk-low"].passes == 2


def test_a_finding_that_clears_without_a_report_is_forgotten_after_a_week() -> None:
    book, _ = run({}, [finding()], T0)
    book, steps = run(book, [], T0 + HOUR, measured={"disk-low"})
    assert book == {} and steps == [], "never nudged: nothing to remember"
    book, _ = run({}, [finding()], T0)
    book = nudged(book, "disk-low", T0)
    book, steps = run(book, [], T0 + HOUR, measured={"disk-low"})
    assert book["disk-low"].cleared_at == T0 + HOUR and steps == []
    book, steps = run(book, [], T0 + HOUR + 7 * DAY, measured={"disk-low"})
    assert book == {}


def test_a_finding_that_flickers_around_its_limit_nudges_once_per_period() -> None:
    flicker = finding(rule(persist_passes=1, period_days=30.0))
    book, steps = run({}, [flicker], T0)
    assert steps == NUDGE
    book = nudged(book, "disk-low", T0)
    for day in range(1, 29):  # found one day, not the next
        book, steps = run(book, [flicker] if day % 2 else [], T0 + day * DAY,
                          measured={"disk-low"})  # fmt: skip
        assert steps == [], f"day {day}"
    book, steps = run(book, [flicker], T0 + 31 * DAY, measured={"disk-low"})
    assert steps == NUDGE


def test_a_finding_that_clears_after_a_report_waits_for_its_ticket_then_clears_it() -> None:
    book, _ = run({}, [finding()], T0)
    book = filed(book, "disk-low", "r-1", T0)
    book, steps = run(book, [], T0 + HOUR)
    assert book["disk-low"].cleared_at == T0 + HOUR
    assert steps == []  # the desk has no ticket yet: nothing to close
    book = delivered(book, "r-1", "T-17")
    for now in (T0 + 2 * HOUR, T0 + 3 * HOUR):
        book, steps = run(book, [], now)
        assert steps == [(StepKind.CLEAR, "disk-low")]
        assert book["disk-low"].cleared_at == T0 + HOUR  # when it cleared, not when last told
    book = forget(book, "disk-low")
    assert book == {}
    assert run(book, [], T0 + 4 * HOUR) == ({}, [])


def test_the_clear_step_carries_no_finding() -> None:
    book = {"disk-low": Track("disk-low", T0, T0, report_key="r", ticket="T-1", cleared_at=T0)}
    (step,) = due(book, [], T0 + HOUR, CALM, Mode.ASK)
    assert (step.kind, step.finding) == (StepKind.CLEAR, None)


@pytest.mark.parametrize("mode", list(Mode))
def test_a_finding_that_comes_back_before_it_was_cleared_continues_its_ticket(mode: Mode) -> None:
    book, _ = run({}, [finding()], T0)
    book = delivered(filed(book, "disk-low", "r-1", T0), "r-1", "T-17")
    book, _ = run(book, [], T0 + HOUR)  # cleared; the CLEAR step is not done yet
    book, steps = run(book, [finding()], T0 + 2 * HOUR, mode=mode)
    track = book["disk-low"]
    assert (track.cleared_at, track.passes, track.report_key, track.ticket) == (
        None,
        1,
        "r-1",
        "T-17",
    )
    assert steps == []  # no new report, no nudge: IT knows
    book, steps = run(book, [finding()], T0 + DAY, mode=mode)
    assert steps == [(StepKind.UPDATE, "disk-low")]


@pytest.mark.parametrize(
    ("mode", "kind"),
    [(Mode.ASK, StepKind.ASK), (Mode.AUTO, StepKind.FILE), (Mode.NEVER, StepKind.NUDGE)],
)
def test_when_it_persists_it_hears_of_it_as_the_policy_says(mode: Mode, kind: StepKind) -> None:
    book, steps = run({}, [finding()], T0, mode=mode)
    assert steps == NUDGE  # before escalate_after_h: a nudge in every mode
    book = nudged(book, "disk-low", T0)
    book, steps = run(book, [finding()], T0 + 72 * HOUR - 1, mode=mode)
    assert steps == []
    book, steps = run(book, [finding()], T0 + 72 * HOUR, mode=mode)
    assert steps == [(kind, "disk-low")]


def test_a_rule_that_never_escalates_only_nudges() -> None:
    never = finding(rule(escalate_after_h=None))
    book, _ = run({}, [never], T0, mode=Mode.AUTO)
    _, steps = run(book, [never], T0 + 365 * DAY, mode=Mode.AUTO)
    assert steps == NUDGE


def test_the_employee_is_asked_only_once_then_nudged() -> None:
    book, _ = run({}, [finding()], T0, Mode.ASK)
    book = nudged(book, "disk-low", T0)
    book, steps = run(book, [finding()], T0 + 3 * DAY, Mode.ASK)
    assert steps == [(StepKind.ASK, "disk-low")]
    book = nudged(asked(book, "disk-low", T0 + 3 * DAY), "disk-low", T0 + 3 * DAY)
    book, steps = run(book, [finding()], T0 + 3 * DAY + HOUR, Mode.ASK)
    assert steps == []  # asked once; nudged less than a period ago
    book, steps = run(book, [finding()], T0 + 6 * DAY, Mode.ASK)
    assert steps == NUDGE  # not answered: it is not asked again, only nudged


def test_asked_without_an_answer_is_not_asked_again() -> None:
    book, _ = run({}, [finding()], T0, Mode.ASK)
    book = asked(book, "disk-low", T0)
    _, steps = run(book, [finding()], T0 + 4 * DAY, Mode.ASK)
    assert steps == NUDGE


def test_one_who_declined_is_never_asked_again() -> None:
    book, _ = run({}, [finding()], T0, Mode.ASK)
    book = declined(book, "disk-low")
    for day in (4, 10, 30):
        book, steps = run(book, [finding()], T0 + day * DAY, Mode.ASK)
        assert steps == NUDGE
        book = nudged(book, "disk-low", T0 + day * DAY)


def test_the_ticket_gets_new_figures_at_most_once_a_day_once_it_is_known() -> None:
    book, _ = run({}, [finding()], T0)
    book = filed(book, "disk-low", "r-1", T0)
    assert [track.id for track in waiting_for_ticket(book)] == ["disk-low"]
    book, steps = run(book, [finding()], T0 + 2 * DAY)
    assert steps == []  # no ticket yet, and no nudge: IT knows
    book = delivered(book, "r-1", "T-17")
    assert waiting_for_ticket(book) == []
    book, steps = run(book, [finding(value=4.0)], T0 + 2 * DAY + HOUR)
    assert steps == [(StepKind.UPDATE, "disk-low")]
    book = updated(book, "disk-low", T0 + 2 * DAY + HOUR)
    book, steps = run(book, [finding()], T0 + 3 * DAY + HOUR - 1)
    assert steps == []
    book, steps = run(book, [finding()], T0 + 3 * DAY + HOUR)
    assert steps == [(StepKind.UPDATE, "disk-low")]


def test_the_ticket_waits_a_day_after_filing_and_is_updated_even_in_quiet_hours() -> None:
    book, _ = run({}, [finding()], T0)
    book = delivered(filed(book, "disk-low", "r-1", T0), "r-1", "T-17")
    _, steps = run(book, [finding()], T0 + DAY - 1)
    assert steps == []
    quiet = Calm((0, 24 * 60 - 1), 12 * 60, 0.0, 120.0)
    _, steps = run(book, [finding()], T0 + DAY, calm=quiet)
    assert steps == [(StepKind.UPDATE, "disk-low")]  # nothing pops up for it


def test_delivered_matches_report_keys_only() -> None:
    book = {
        "a": Track("a", T0, T0),
        "b": Track("b", T0, T0, report_key="r-b"),
        "c": Track("c", T0, T0, report_key="r-c"),
    }
    assert delivered(book, "", "T-1") == book
    assert delivered(book, "r-x", "T-1") == book
    after = delivered(book, "r-c", "T-9")
    assert {key: track.ticket for key, track in after.items()} == {"a": "", "b": "", "c": "T-9"}


def test_changes_to_a_finding_not_in_the_book_change_nothing() -> None:
    book = {"a": Track("a", T0, T0)}
    for changed in (
        nudged(book, "x", T0),
        snoozed(book, "x", T0, HOUR),
        dismissed(book, "x"),
        asked(book, "x", T0),
        declined(book, "x"),
        filed(book, "x", "r", T0),
        updated(book, "x", T0),
        forget(book, "x"),
    ):
        assert changed == book


def test_a_clock_that_jumped_back_leaves_nothing_in_the_future() -> None:
    future = T0 + 400 * DAY
    book = {
        "disk-low": Track(
            "disk-low",
            first_seen=future,
            last_seen=future,
            nudged_at=future,
            snoozed_until=future,
            asked_at=future,
            filed_at=future,
            updated_at=future,
        )
    }
    after, _ = run(book, [], T0, measured=set())
    track = after["disk-low"]
    assert (track.first_seen, track.last_seen, track.nudged_at) == (T0, T0, T0)
    assert (track.asked_at, track.filed_at, track.updated_at) == (T0, T0, T0)
    assert track.snoozed_until == T0 + MAX_SNOOZE_S


def test_nudges_resume_after_the_clock_jumped_back() -> None:
    future = T0 + 400 * DAY
    book = {"disk-low": Track("disk-low", T0 - HOUR, T0 - HOUR, nudged_at=future)}
    book, steps = run(book, [finding()], T0)
    assert steps == []
    _, steps = run(book, [finding()], T0 + 3 * DAY)
    assert steps == NUDGE


def test_updates_resume_after_the_clock_jumped_back() -> None:
    future = T0 + 400 * DAY
    book = {
        "disk-low": Track(
            "disk-low", T0 - DAY, T0 - HOUR, report_key="r", ticket="T-1", updated_at=future
        )
    }
    book, steps = run(book, [finding()], T0)
    assert steps == []
    _, steps = run(book, [finding()], T0 + UPDATE_EVERY_S)
    assert steps == [(StepKind.UPDATE, "disk-low")]


def test_the_book_keeps_at_most_max_tracks_the_most_recently_seen() -> None:
    book = {f"r{i}": Track(f"r{i}", T0 - i, T0 - i, report_key=f"k{i}") for i in range(MAX_TRACKS)}
    after = observe(book, [finding()], {"disk-low"}, T0)
    assert len(after) == MAX_TRACKS
    assert "disk-low" in after and f"r{MAX_TRACKS - 1}" not in after


# --- kept as JSON ------------------------------------------------------------------------------


FULL = Track(
    "fix:clear-cache",
    first_seen=T0,
    last_seen=T0 + HOUR,
    passes=3,
    value=12.5,
    nudged_at=T0 + 1,
    snoozed_until=T0 + 2,
    dismissed=True,
    asked_at=T0 + 3,
    declined=True,
    report_key="r-1",
    ticket="T-17",
    filed_at=T0 + 4,
    updated_at=T0 + 5,
    cleared_at=T0 + 6,
)


def test_the_book_survives_a_round_trip_through_json() -> None:
    book = {FULL.id: FULL, "disk-low": Track("disk-low", T0, T0)}
    document = json.loads(json.dumps(book_as_json(book)))
    assert document["version"] == 1
    assert book_from_json(document) == book


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        "book",
        {"tracks": []},
        {"version": 2, "tracks": [dataclasses.asdict(FULL)]},
        {"version": "1", "tracks": [dataclasses.asdict(FULL)]},
        {"version": 1, "tracks": {"a": dataclasses.asdict(FULL)}},
        {"version": 1},
    ],
)
def test_a_damaged_document_is_an_empty_book(document: object) -> None:
    assert book_from_json(document) == {}


def _raw(**changes: Any) -> dict[str, Any]:
    raw = dataclasses.asdict(FULL)
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    "raw",
    [
        "fix:clear-cache",
        None,
        _raw(id=""),
        _raw(id="x" * 101),
        _raw(id=7),
        _raw(passes=0),
        _raw(passes=True),
        _raw(passes=2.0),
        _raw(passes="2"),
        _raw(value="12.5"),
        _raw(value=True),
        _raw(value=float("nan")),
        _raw(value=float("inf")),
        _raw(value=None),
        _raw(first_seen=None),
        _raw(last_seen="yesterday"),
        _raw(nudged_at=float("nan")),
        _raw(snoozed_until=True),
        _raw(cleared_at=[1]),
        _raw(report_key=5),
        _raw(ticket="T" * 101),
        _raw(report_key=None),
        _raw(dismissed="yes"),
        _raw(declined=1),
        {key: value for key, value in _raw().items() if key != "id"},
        {key: value for key, value in _raw().items() if key != "last_seen"},
        {key: value for key, value in _raw().items() if key != "passes"},
    ],
)
def test_a_damaged_track_is_left_out_and_only_that_one(raw: object) -> None:
    good = Track("disk-low", T0, T0)
    document = {"version": 1, "tracks": [raw, dataclasses.asdict(good)]}
    assert book_from_json(document) == {"disk-low": good}


def test_a_track_without_its_optional_fields_gets_their_defaults() -> None:
    raw = {"id": "disk-low", "first_seen": T0, "last_seen": T0 + 1, "passes": 2, "value": 4}
    (track,) = book_from_json({"version": 1, "tracks": [raw]}).values()
    assert track == Track("disk-low", T0, T0 + 1, passes=2, value=4.0)
    assert not track.told_it and track.nudged_at is None


def test_a_huge_book_is_read_up_to_max_tracks() -> None:
    tracks = [dataclasses.asdict(Track(f"r{i}", T0, T0)) for i in range(MAX_TRACKS + 50)]
    book = book_from_json({"version": 1, "tracks": tracks})
    assert len(book) == MAX_TRACKS and "r0" in book and f"r{MAX_TRACKS}" not in book


@pytest.mark.parametrize("answer", ["snoozed", "dismissed"])
def test_remind_me_later_and_dont_remind_me_hold_back_the_question_to_tell_it(answer: str) -> None:
    book, _ = run({}, [finding()], T0, Mode.ASK)
    book = snoozed(book, "disk-low", T0, 5 * DAY) if answer == "snoozed" else dismissed(
        book, "disk-low")  # fmt: skip
    book, steps = run(book, [finding()], T0 + 3 * DAY, Mode.ASK)
    assert steps == [], "it has persisted, but the employee said later"
    book, steps = run(book, [finding()], T0 + 6 * DAY, Mode.ASK)
    assert steps == ([(StepKind.ASK, "disk-low")] if answer == "snoozed" else [])
    book, steps = run(book, [finding()], T0 + 6 * DAY, Mode.AUTO)
    assert steps == [(StepKind.FILE, "disk-low")], "under auto, IT hears of it all the same"


def test_a_number_too_large_for_a_float_damages_only_its_track() -> None:
    good = {"id": "a", "first_seen": 1.0, "last_seen": 2.0, "passes": 1, "value": 1.0}
    document = {"version": 1, "tracks": [good, {**good, "id": "b", "first_seen": 10**400}]}
    assert list(book_from_json(document)) == ["a"]


def test_a_report_that_was_never_kept_leaves_its_finding_untold() -> None:
    book, _ = run({}, [finding()], T0)
    book = filed(book, "disk-low", "key-1", T0)
    assert unfiled(book, "other-key") == book, "another report: nothing changes"
    untold = unfiled(book, "key-1")["disk-low"]
    assert (untold.report_key, untold.filed_at, untold.told_it) == ("", None, False)
    known = delivered(book, "key-1", "42")
    assert unfiled(known, "key-1") == known, "the desk has it: it was kept"
