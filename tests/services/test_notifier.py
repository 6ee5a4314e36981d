"""The notification policy: what is news, what is the user's own doing, when to keep quiet."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from client.core.models import Agent, Stage, TicketRef, TicketSummary
from client.core.settings import (
    Settings,
    SettingsLayer,
    in_quiet_hours,
    merge,
    quiet_hours_span,
)
from client.core.tracking import ChangeKind, TicketChange
from client.services.notifier import Notifier, meaningful_move, worth_telling
from tests.fakes import T0, FakeClock

NOON = datetime(2026, 11, 2, 12, 0)
SANNE = Agent("Sanne")


def _ticket(
    number: int = 12,
    stage: Stage = Stage.IN_PROGRESS,
    *,
    agent: Agent | None = SANNE,
    replied_at: datetime | None = None,
    updated: datetime = T0,
) -> TicketSummary:
    return TicketSummary(
        ref=TicketRef(str(number), f"INC-{number}"),
        title=f"Problem {number}",
        stage=stage,
        native_status="x",
        updated=updated,
        created=T0 - timedelta(days=1),
        agent=agent,
        agent_replied_at=replied_at,
    )


def _change(
    kind: ChangeKind,
    number: int = 12,
    *,
    before: Stage = Stage.IN_PROGRESS,
    after: Stage = Stage.IN_PROGRESS,
    replied_at: datetime | None = None,
    updated: datetime = T0 + timedelta(minutes=1),
) -> TicketChange:
    return TicketChange(
        kind,
        _ticket(number, after, replied_at=replied_at, updated=updated),
        _ticket(number, before),
        replied=replied_at is not None,
    )


def waiting(number: int = 12, *, updated: datetime = T0 + timedelta(minutes=1)) -> TicketChange:
    return _change(ChangeKind.WAITING_ON_YOU, number, after=Stage.WAITING_ON_YOU, updated=updated)


def replied(number: int = 12, *, at: datetime = T0 + timedelta(minutes=1)) -> TicketChange:
    return _change(ChangeKind.AGENT_REPLIED, number, replied_at=at, updated=at)


class Recorder:
    def __init__(self, notifier: Notifier) -> None:
        self.toasts: list[TicketChange] = []
        self.summaries: list[list[TicketChange]] = []
        self.attention: list[bool] = []
        notifier.notify.connect(self.toasts.append)
        notifier.notify_summary.connect(self.summaries.append)
        notifier.attention_changed.connect(self.attention.append)


@pytest.fixture
def wall() -> list[datetime]:
    """The local wall-clock time the notifier sees (a one-item list the test changes)."""
    return [NOON]


def _notifier(clock: FakeClock, wall: list[datetime], **settings: object) -> Notifier:
    return Notifier(
        dataclasses.replace(Settings(), **settings),  # type: ignore[arg-type]
        clock=clock,
        now=lambda: wall[0],
    )


@pytest.fixture
def notifier(qtbot: QtBot, clock: FakeClock, wall: list[datetime]) -> Notifier:
    return _notifier(clock, wall)


# -- what is news --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "told"),
    [
        (waiting(), True),
        (_change(ChangeKind.RESOLVED, after=Stage.RESOLVED), True),
        (_change(ChangeKind.REOPENED, before=Stage.RESOLVED), True),
        (replied(), True),
        (_change(ChangeKind.ASSIGNED, before=Stage.RECEIVED, after=Stage.ASSIGNED), True),
        (_change(ChangeKind.UPDATED), False),
        (TicketChange(ChangeKind.NEW, _ticket()), False),
        (_change(ChangeKind.STAGE_CHANGED, before=Stage.RECEIVED), True),
        (_change(ChangeKind.STAGE_CHANGED, before=Stage.WAITING_ON_YOU), False),
        (_change(ChangeKind.STAGE_CHANGED, before=Stage.RESOLVED, after=Stage.CLOSED), False),
        (_change(ChangeKind.STAGE_CHANGED, after=Stage.CLOSED), True),
        (_change(ChangeKind.STAGE_CHANGED, after=Stage.CANCELLED), True),
        (_change(ChangeKind.STAGE_CHANGED, before=Stage.ASSIGNED, after=Stage.RECEIVED), False),
    ],
    ids=lambda v: getattr(getattr(v, "kind", None), "name", str(v)),
)
def test_what_is_worth_a_toast(change: TicketChange, told: bool) -> None:
    assert worth_telling(change) is told


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        (Stage.RECEIVED, Stage.IN_PROGRESS, True),
        (Stage.ASSIGNED, Stage.IN_PROGRESS, True),
        (Stage.WAITING_ON_YOU, Stage.IN_PROGRESS, False),
        (Stage.IN_PROGRESS, Stage.CLOSED, True),
        (Stage.RESOLVED, Stage.CLOSED, False),
        (Stage.CANCELLED, Stage.CLOSED, False),
        (Stage.IN_PROGRESS, Stage.CANCELLED, True),
        (Stage.RECEIVED, Stage.ASSIGNED, False),
        (Stage.IN_PROGRESS, Stage.RECEIVED, False),
    ],
)
def test_which_stage_moves_are_meaningful(before: Stage, after: Stage, told: bool) -> None:
    assert meaningful_move(before, after) is told


def test_each_change_worth_it_gives_exactly_one_toast(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    changes = [waiting(12), _change(ChangeKind.UPDATED, 13), replied(14)]
    notifier.on_changes(changes)
    assert seen.toasts == [changes[0], changes[2]]
    assert seen.summaries == []


def test_updates_and_new_tickets_give_no_toast_and_no_attention(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    notifier.on_changes([_change(ChangeKind.UPDATED), TicketChange(ChangeKind.NEW, _ticket(13))])
    assert (seen.toasts, seen.attention, notifier.attention) == ([], [], False)


def test_one_toast_per_ticket_in_one_poll(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    notifier.on_changes([waiting(12), replied(12)])
    assert seen.toasts == [waiting(12)]


def test_more_than_three_tickets_at_once_give_one_summary(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    four = [waiting(n) for n in (1, 2, 3, 4)]
    notifier.on_changes(four)
    assert (seen.toasts, seen.summaries) == ([], [four])
    three = [replied(n) for n in (5, 6, 7)]
    notifier.on_changes(three)
    assert (seen.toasts, len(seen.summaries)) == (three, 1)


# -- once only -----------------------------------------------------------------------------


def test_the_same_change_is_told_once(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    notifier.on_changes([replied(12), waiting(13)])
    notifier.on_changes([replied(12), waiting(13)])  # a re-poll, or the poller restarted
    assert seen.toasts == [replied(12), waiting(13)]


def test_a_later_reply_or_a_second_request_is_news_again(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    first_request, first_reply = waiting(13), replied(12)
    later_reply = replied(12, at=T0 + timedelta(hours=2))
    second_request = waiting(13, updated=T0 + timedelta(hours=3))
    notifier.on_changes([first_reply, first_request])
    notifier.on_changes([later_reply, second_request])
    assert seen.toasts == [first_reply, first_request, later_reply, second_request]


# -- the user's own doing ------------------------------------------------------------------


@pytest.mark.parametrize(
    "caused",
    [
        _change(ChangeKind.REOPENED, before=Stage.RESOLVED),
        _change(ChangeKind.RESOLVED, after=Stage.RESOLVED),
        _change(ChangeKind.STAGE_CHANGED, before=Stage.RESOLVED, after=Stage.CLOSED),
        _change(ChangeKind.STAGE_CHANGED, after=Stage.CLOSED),
        _change(ChangeKind.UPDATED),
    ],
    ids=lambda c: c.kind.name,
)
def test_no_toast_for_what_the_users_own_action_caused(
    notifier: Notifier, caused: TicketChange
) -> None:
    seen = Recorder(notifier)
    notifier.own_action(caused.ref)
    notifier.on_changes([caused])
    assert (seen.toasts, notifier.attention) == ([], False)


def test_an_agent_reply_newer_than_the_users_action_is_still_told(
    notifier: Notifier, clock: FakeClock
) -> None:
    seen = Recorder(notifier)
    last_seen = T0 + timedelta(minutes=1)
    notifier.own_action(TicketRef("12", "INC-12"), agent_replied_at=last_seen)
    clock.advance(30)
    old = replied(12, at=last_seen)  # the reply the user answered: not news
    notifier.on_changes([old])
    newer = replied(12, at=last_seen + timedelta(minutes=2))
    notifier.on_changes([newer])
    resolved_with_a_message = TicketChange(
        ChangeKind.RESOLVED,
        _ticket(12, Stage.RESOLVED, replied_at=last_seen + timedelta(minutes=3)),
        newer.ticket,
        replied=True,
    )
    notifier.on_changes([resolved_with_a_message])
    assert seen.toasts == [newer, resolved_with_a_message]


def test_a_reply_already_told_is_not_news_after_the_users_action(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    first = replied(12)
    notifier.on_changes([first])
    notifier.own_action(first.ref)  # the caller does not know when the agent last wrote
    resolved = TicketChange(
        ChangeKind.RESOLVED,
        _ticket(12, Stage.RESOLVED, replied_at=first.ticket.agent_replied_at),
        first.ticket,
        replied=True,
    )
    notifier.on_changes([resolved])
    assert seen.toasts == [first]


def test_the_grace_window_ends_and_other_tickets_are_not_affected(
    notifier: Notifier, clock: FakeClock
) -> None:
    seen = Recorder(notifier)
    reopened = _change(ChangeKind.REOPENED, 12, before=Stage.RESOLVED)
    other = _change(ChangeKind.REOPENED, 13, before=Stage.RESOLVED)
    notifier.own_action(reopened.ref)
    notifier.on_changes([other])
    clock.advance(301)
    notifier.on_changes([reopened])
    assert seen.toasts == [other, reopened]


def test_the_desk_asking_right_after_the_users_reply_is_told(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    notifier.own_action(TicketRef("12", "INC-12"))
    notifier.on_changes([waiting(12)])
    assert seen.toasts == [waiting(12)]


def test_acting_on_a_ticket_clears_its_attention(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    notifier.on_changes([waiting(12), replied(13)])
    notifier.own_action(TicketRef("12", "INC-12"))
    assert notifier.unseen == {TicketRef("13", "INC-13")}
    notifier.own_action(TicketRef("13", "INC-13"))
    assert seen.attention == [True, False]


# -- attention -----------------------------------------------------------------------------


def test_attention_goes_on_with_news_and_off_when_seen(notifier: Notifier) -> None:
    seen = Recorder(notifier)
    notifier.on_changes([waiting(12)])
    notifier.on_changes([replied(13)])
    assert notifier.unseen == {TicketRef("12", "INC-12"), TicketRef("13", "INC-13")}
    notifier.seen()
    notifier.seen()
    assert seen.attention == [True, False]
    assert not notifier.attention


# -- keeping quiet -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quiet_hours", "hour", "minute", "shown"),
    [
        ("22:00-07:00", 23, 30, False),
        ("22:00-07:00", 3, 0, False),
        ("22:00-07:00", 22, 0, False),
        ("22:00-07:00", 7, 0, True),
        ("22:00-07:00", 12, 0, True),
        ("12:00-13:30", 12, 59, False),
        ("12:00-13:30", 13, 30, True),
        ("", 3, 0, True),
    ],
)
def test_quiet_hours_show_nothing_but_attention_goes_on(
    qtbot: QtBot,
    clock: FakeClock,
    wall: list[datetime],
    quiet_hours: str,
    hour: int,
    minute: int,
    shown: bool,
) -> None:
    notifier = _notifier(clock, wall, quiet_hours=quiet_hours)
    seen = Recorder(notifier)
    wall[0] = NOON.replace(hour=hour, minute=minute)
    notifier.on_changes([waiting(12)])
    assert (bool(seen.toasts), seen.attention) == (shown, [True])


def test_switched_off_shows_nothing_until_switched_on_again(
    qtbot: QtBot, clock: FakeClock, wall: list[datetime]
) -> None:
    notifier = _notifier(clock, wall, notifications_enabled=False)
    seen = Recorder(notifier)
    notifier.on_changes([waiting(12)])
    assert (seen.toasts, notifier.attention) == ([], True)
    notifier.apply_settings(Settings(notifications_enabled=True, quiet_hours="11:00-13:00"))
    notifier.on_changes([replied(13)])
    notifier.apply_settings(Settings())
    notifier.on_changes([replied(14)])
    assert seen.toasts == [replied(14)]


@pytest.mark.parametrize("event", ["started", "resumed"])
def test_nothing_in_the_first_minute_after_start_or_resume(
    notifier: Notifier, clock: FakeClock, event: str
) -> None:
    seen = Recorder(notifier)
    getattr(notifier, event)()
    clock.advance(59)
    notifier.on_changes([waiting(12)])
    assert (seen.toasts, notifier.attention) == ([], True)
    clock.advance(1)
    notifier.on_changes([replied(13)])
    assert seen.toasts == [replied(13)]


def test_it_sets_how_long_after_start_nothing_pops_up(notifier: Notifier, clock: FakeClock) -> None:
    seen = Recorder(notifier)
    notifier.apply_settings(Settings(quiet_after_start_s=0))
    notifier.started()
    notifier.on_changes([replied(12)])
    notifier.apply_settings(Settings(quiet_after_start_s=600))
    notifier.resumed()
    clock.advance(599)
    notifier.on_changes([waiting(13)])
    assert seen.toasts == [replied(12)]


# -- the settings behind it ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("22:00-07:00", (1320, 420)),
        (" 9:05 - 17:30 ", (545, 1050)),
        ("00:00-23:59", (0, 1439)),
        ("", None),
        ("22:00-22:00", None),
        ("24:00-07:00", None),
        ("12:60-13:00", None),
        ("22-07", None),
        ("22:00", None),
        ("٢٢:٠٠-07:00", None),
    ],
)
def test_quiet_hours_are_read_as_minutes_after_midnight(
    text: str, span: tuple[int, int] | None
) -> None:
    assert quiet_hours_span(text) == span


@pytest.mark.parametrize(
    ("span", "minute", "inside"),
    [
        (None, 0, False),
        ((60, 120), 59, False),
        ((60, 120), 60, True),
        ((60, 120), 120, False),
        ((1320, 420), 1439, True),
        ((1320, 420), 0, True),
        ((1320, 420), 420, False),
    ],
)
def test_quiet_hours_may_cross_midnight(
    span: tuple[int, int] | None, minute: int, inside: bool
) -> None:
    assert in_quiet_hours(span, minute) is inside


def test_it_can_lock_the_notification_settings() -> None:
    result = merge(
        [
            SettingsLayer(
                "IT policy",
                {"notifications.enabled": False, "notifications.quiet_hours": "18:00-08:00"},
                locks=True,
            ),
            SettingsLayer("user", {"notifications.enabled": True}),
        ]
    )
    assert (result.settings.notifications_enabled, result.settings.quiet_hours) == (
        False,
        "18:00-08:00",
    )
    assert result.locked == {"notifications.enabled", "notifications.quiet_hours"}
    assert len(result.problems) == 1


@pytest.mark.parametrize("value", ["after dinner", "25:00-07:00", 2200, True])
def test_invalid_quiet_hours_are_ignored(value: object) -> None:
    result = merge([SettingsLayer("user", {"notifications.quiet_hours": value})])
    assert result.settings.quiet_hours == ""
    assert len(result.problems) == 1
