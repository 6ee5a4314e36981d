"""The ticket poller: one poll at a time, re-armed after each result, backing off."""

from __future__ import annotations

import random

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QTimer

from client.core.errors import AuthFailed, BadResponse, ClientError, NotFound, Unavailable
from client.core.models import Stage, Ticket, TicketRef
from client.core.tracking import ChangeKind
from client.core.tray_state import ConnectionState
from client.services.poller import TicketPoller
from client.services.tasks import SyncTaskRunner, TaskRunner
from tests.fakes import FakeClock, FakeDesk, ManualRunner


class WallClock:
    """The wall clock beside a :class:`FakeClock`: it moves with it, and on its own in sleep.

    A suspended computer's monotonic clock stands still (Linux
    ``CLOCK_MONOTONIC``, which Qt's timers use); its wall clock does not.
    """

    def __init__(self, monotonic: FakeClock, start: float = 1_800_000_000.0) -> None:
        self._monotonic = monotonic
        self._offset = start - monotonic()

    def __call__(self) -> float:
        return self._monotonic() + self._offset

    def sleep(self, seconds: float) -> None:
        """The computer was suspended this long (or the clock was set by this much)."""
        self._offset += seconds


@pytest.fixture
def wall(clock: FakeClock) -> WallClock:
    """A wall clock that follows ``clock`` until the test puts the computer to sleep."""
    return WallClock(clock)


def _poller(
    runner: TaskRunner,
    clock: FakeClock,
    rng: random.Random,
    wall: WallClock | None = None,
    *,
    slow_interval_s: float = 300.0,
    rare_interval_s: float = 1800.0,
    jitter: float = 0.1,
    recent_change_s: float = 600.0,
    min_gap_s: float = 5.0,
    backoff_start_s: float = 15.0,
    backoff_max_s: float = 600.0,
    resume_jump_s: float = 60.0,
) -> TicketPoller:
    return TicketPoller(
        runner,
        slow_interval_s=slow_interval_s,
        rare_interval_s=rare_interval_s,
        fast_interval_s=20.0,
        recent_change_s=recent_change_s,
        min_gap_s=min_gap_s,
        backoff_start_s=backoff_start_s,
        backoff_max_s=backoff_max_s,
        jitter=jitter,
        resume_jump_s=resume_jump_s,
        clock=clock,
        wall_clock=wall or WallClock(clock),
        rng=rng,
    )


def _next(poller: TicketPoller) -> float:
    """Seconds until the poller's next poll, as it last planned them."""
    assert poller.next_delay_s is not None
    return poller.next_delay_s


def _waits(poller: TicketPoller, clock: FakeClock, polls: int, apart_s: float = 10) -> list[float]:
    """The wait planned after each of ``polls`` polls ``apart_s`` seconds apart."""
    waits = []
    for _ in range(polls):
        clock.advance(apart_s)
        poller.poll_now(force=True)
        waits.append(_next(poller))
    return waits


def _timer(poller: TicketPoller) -> QTimer:
    """The poller's single-shot timer (a child QObject), to make it fire without waiting."""
    timer = poller.findChild(QTimer)
    assert timer is not None
    return timer


def _polls(desk: FakeDesk) -> int:
    return sum(1 for name, _ in desk.calls if name == "changed_tickets")


def _fetches(desk: FakeDesk) -> int:
    return sum(1 for name, _ in desk.calls if name == "ticket")


def test_the_first_poll_loads_everything_without_calling_it_news(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    fake_desk.add_ticket("Printer jams")
    poller = _poller(sync_runner, clock, rng)
    with qtbot.waitSignals([poller.snapshot_updated, poller.connection_state_changed]):
        with qtbot.assertNotEmitted(poller.tickets_changed):
            poller.start(fake_desk)
    assert [t.title for t in poller.tickets] == ["Printer jams"]
    assert poller.loaded and poller.state is ConnectionState.ONLINE
    assert 300 <= _next(poller) <= 330  # slow interval, spread up to 10 % later


def test_later_polls_ask_only_for_changes_and_report_them(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    ref = fake_desk.add_ticket("VPN drops")
    poller = _poller(sync_runner, clock, rng)
    poller.start(fake_desk)
    fake_desk.change(ref, stage=Stage.IN_PROGRESS)
    with qtbot.waitSignal(poller.tickets_changed) as signal:
        assert poller.poll_now(force=True)
    (change,) = signal.args[0]
    assert change.kind is ChangeKind.STAGE_CHANGED and change.new_stage is Stage.IN_PROGRESS
    cursors = [arg for name, arg in fake_desk.calls if name == "changed_tickets"]
    assert cursors[0] is None and cursors[1] is not None
    with qtbot.assertNotEmitted(poller.tickets_changed):
        poller.poll_now(force=True)


def test_never_two_polls_in_flight(
    qtbot: QtBot, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
) -> None:
    runner = ManualRunner()
    poller = _poller(runner, clock, rng)
    poller.start(fake_desk)
    assert len(runner.jobs) == 1
    clock.advance(60)
    assert not poller.poll_now(force=True)
    assert len(runner.jobs) == 1
    runner.finish_next()
    assert poller.poll_now(force=True)
    assert len(runner.jobs) == 1


def test_a_poll_right_after_another_is_skipped_unless_forced(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, rng, min_gap_s=5.0)
    poller.start(fake_desk)
    clock.advance(2)
    assert not poller.poll_now()  # the menu opened twice in a row
    assert poller.poll_now(force=True)
    clock.advance(6)
    assert poller.poll_now()


def test_backoff_doubles_to_a_cap_and_offline_is_announced_once(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Docking station")  # open: slow polls once the desk is back
    poller = _poller(
        sync_runner, clock, random.Random(1), jitter=0.0, backoff_start_s=15.0, backoff_max_s=100.0
    )
    fake_desk.fail_with = Unavailable("down")
    states: list[ConnectionState] = []
    poller.connection_state_changed.connect(states.append)
    delays = []
    poller.start(fake_desk)
    delays.append(_next(poller))
    for _ in range(4):
        poller.poll_now(force=True)
        delays.append(_next(poller))
    assert delays == [15.0, 30.0, 60.0, 100.0, 100.0]
    assert states == [ConnectionState.OFFLINE]
    fake_desk.fail_with = None
    poller.poll_now(force=True)
    assert states == [ConnectionState.OFFLINE, ConnectionState.ONLINE]
    assert _next(poller) == 300.0 and poller.last_error is None


def test_fast_polls_are_spread_both_ways_and_slow_polls_kept_exactly(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Headset crackles")  # open: the slow interval
    poller = _poller(sync_runner, clock, random.Random(7), jitter=0.1)
    poller.start(fake_desk)
    slow = _waits(poller, clock, 200)
    poller.set_fast(True)
    fast = _waits(poller, clock, 1000)
    # An idle client polls exactly at the slow interval: never sooner (the
    # desk's budget), never later (how long news may wait).
    assert set(slow) == {300.0}
    assert all(18.0 <= d <= 22.0 for d in fast)
    # Really spread over the whole band, not a constant nor a narrow one.
    assert min(fast) < 18.2 and max(fast) > 21.8 and len(set(fast)) > 900


def test_the_interval_runs_from_the_start_of_a_poll_not_its_answer(
    qtbot: QtBot, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Headset crackles")
    runner = ManualRunner()
    poller = _poller(runner, clock, random.Random(1), jitter=0.1)
    poller.start(fake_desk)
    clock.advance(12)  # a slow desk: the answer comes 12 s after the question
    runner.finish_next()
    assert _next(poller) == 288.0


def test_after_the_network_comes_back_the_next_wait_gets_a_new_phase_once(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Headset crackles")
    waits = []
    for seed in range(300):
        poller = _poller(sync_runner, clock, random.Random(seed), jitter=0.1)
        poller.start(fake_desk)
        clock.advance(100)
        assert poller.on_network_up()
        waits.append(_next(poller))
        clock.advance(_next(poller))
        _timer(poller).timeout.emit()
        assert _next(poller) == 300.0  # then exact again
        poller.stop()
    # Shorter, never longer (news waits at most one interval), spread over
    # the band, so an office whose network came back at once polls apart.
    assert all(270.0 <= w <= 300.0 for w in waits)
    assert min(waits) < 272.0 and max(waits) > 298.0 and len(set(waits)) > 290


def test_after_a_resume_the_next_wait_gets_a_new_phase(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    wall: WallClock,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, random.Random(4), wall, jitter=0.1)
    poller.start(fake_desk)
    wall.sleep(8 * 3600)
    clock.advance(60)
    assert poller.poll_now()
    assert 1620.0 <= _next(poller) < 1800.0


def test_a_resume_noticed_by_the_timer_gets_a_new_phase_too(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    wall: WallClock,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, random.Random(4), wall, jitter=0.1)
    poller.start(fake_desk)  # nothing open: a rare wait, the timer looks at the clocks
    wall.sleep(8 * 3600)
    clock.advance(300)
    with qtbot.waitSignal(poller.resumed):
        _timer(poller).timeout.emit()
    assert 1620.0 <= _next(poller) < 1800.0


def test_a_resume_seen_while_a_poll_is_on_its_way_still_gives_a_new_phase(
    qtbot: QtBot, clock: FakeClock, wall: WallClock, fake_desk: FakeDesk
) -> None:
    runner = ManualRunner()
    poller = _poller(runner, clock, random.Random(4), wall, jitter=0.1)
    poller.start(fake_desk)
    wall.sleep(8 * 3600)
    clock.advance(60)
    assert not poller.on_network_up(), "one poll at a time"
    runner.finish_next()  # the poll that was on its way since the start, 60 s ago
    assert 1620.0 <= _next(poller) + 60 < 1800.0


def test_backoff_is_jittered_but_never_above_its_cap(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(
        sync_runner, clock, random.Random(3), jitter=0.1, backoff_start_s=15.0, backoff_max_s=100.0
    )
    fake_desk.fail_with = Unavailable("down")
    bases = [15.0, 30.0, 60.0, 100.0, 100.0, 100.0]
    at_cap = []
    for _ in range(200):
        poller.start(fake_desk)  # from scratch: the failures count from one again
        delays = [_next(poller)]
        for _ in bases[1:]:
            poller.poll_now(force=True)
            delays.append(_next(poller))
        for delay, base in zip(delays, bases, strict=True):
            assert 0.9 * base <= delay <= min(1.1 * base, 100.0)
        at_cap += delays[3:]
    assert min(at_cap) < 91.0  # spread below the cap as well: a fleet does not retry in step


def test_retry_after_is_honoured(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0)
    fake_desk.fail_with = Unavailable("busy", reason="busy", retry_after=240)
    poller.start(fake_desk)
    assert _next(poller) == 240


def test_jitter_never_brings_a_retry_after_forward(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(5), jitter=0.1, backoff_max_s=100.0)
    fake_desk.fail_with = Unavailable("busy", reason="busy", retry_after=240)
    delays = []
    for _ in range(500):
        poller.start(fake_desk)
        delays.append(_next(poller))
    assert all(240 <= d <= 264 for d in delays)  # after what the desk asked, above the cap
    assert max(delays) > 260  # and spread after it
    fake_desk.fail_with = Unavailable("busy", reason="busy", retry_after=5)
    poller.start(fake_desk)
    assert 13.5 <= _next(poller) <= 16.5  # a shorter Retry-After leaves our backoff


@pytest.mark.parametrize("error", [BadResponse("html"), RuntimeError("bug")])
def test_bad_answers_count_as_failures_not_crashes(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    fake_desk: FakeDesk,
    error: Exception,
) -> None:
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0)
    fake_desk.fail_with = error
    poller.start(fake_desk)
    assert poller.state is ConnectionState.OFFLINE
    assert _next(poller) == 15.0


def test_fast_while_watched(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Second screen flickers")
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0)
    poller.start(fake_desk)
    assert _next(poller) == 300
    clock.advance(2)  # the menu just polled; then "My tickets" opens
    poller.set_fast(True)
    assert _next(poller) == 18  # the fast interval, counted from the last poll
    clock.advance(18)
    poller.poll_now(force=True)
    assert _next(poller) == 20
    poller.set_fast(False)
    assert _next(poller) == 300


def test_a_rejected_credential_stops_polling(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, rng)
    fake_desk.fail_with = AuthFailed("revoked")
    with qtbot.waitSignal(poller.credential_rejected):
        poller.start(fake_desk)
    fake_desk.fail_with = None
    assert not poller.poll_now(force=True)


def test_a_result_arriving_after_stop_is_ignored(
    qtbot: QtBot, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Old desk's ticket")
    runner = ManualRunner()
    poller = _poller(runner, clock, rng)
    poller.start(fake_desk)
    poller.stop()
    with qtbot.assertNotEmitted(poller.snapshot_updated):
        runner.finish_next()
    assert poller.tickets == [] and not poller.loaded


def test_the_timer_fires_the_next_poll(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(
        sync_runner, clock, random.Random(1), slow_interval_s=1.0, rare_interval_s=1.0, jitter=0.0
    )
    poller.start(fake_desk)
    ref = fake_desk.add_ticket("Arrives later")
    with qtbot.waitSignal(poller.tickets_changed, timeout=5000) as signal:
        pass
    assert signal.args[0][0].ref == ref


def test_a_change_makes_polling_fast_for_a_while_then_slow_again(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    ref = fake_desk.add_ticket("Laptop fan loud")
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0, recent_change_s=600.0)
    poller.start(fake_desk)
    assert _next(poller) == 300  # loading the list is not a change
    clock.advance(300)
    fake_desk.change(ref, stage=Stage.IN_PROGRESS)
    with qtbot.waitSignal(poller.tickets_changed):
        poller.poll_now(force=True)
    assert _next(poller) == 20  # an agent is at it: answers may follow soon
    delays = _waits(poller, clock, 29, apart_s=20)  # 580 s of quiet polls after the change
    assert set(delays) == {20}
    clock.advance(20)  # 600 s after the change
    poller.poll_now(force=True)
    assert _next(poller) == 300


def test_a_timer_firing_while_a_poll_is_in_flight_does_nothing(
    qtbot: QtBot, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Keyboard missing keys")  # open: polled every slow interval
    runner = ManualRunner()
    poller = _poller(runner, clock, rng)
    poller.start(fake_desk)
    clock.advance(400)
    _timer(poller).timeout.emit()
    assert len(runner.jobs) == 1
    runner.finish_next()
    clock.advance(400)
    _timer(poller).timeout.emit()
    assert len(runner.jobs) == 1  # the next one starts only once the first answered


def test_waking_from_sleep_polls_at_once_and_says_so(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    wall: WallClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, rng, wall, min_gap_s=5.0)
    poller.start(fake_desk)
    clock.advance(2)  # the lid closes two seconds after a poll...
    wall.sleep(8 * 3600)  # ...and opens the next morning; the armed timer knows nothing of it
    with qtbot.waitSignal(poller.resumed):
        assert poller.poll_now()  # the menu opens: not skipped, although "2 s" after the last
    assert _polls(fake_desk) == 2
    clock.advance(1)
    with qtbot.assertNotEmitted(poller.resumed):
        assert not poller.poll_now()  # once only


def test_the_timer_notices_a_resume(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    wall: WallClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, rng, wall)
    poller.start(fake_desk)
    clock.advance(_next(poller))
    with qtbot.assertNotEmitted(poller.resumed):
        _timer(poller).timeout.emit()  # an ordinary tick
    clock.advance(_next(poller))
    wall.sleep(3600)
    with qtbot.waitSignal(poller.resumed):
        _timer(poller).timeout.emit()
    assert _polls(fake_desk) == 3


@pytest.mark.parametrize("jump", [-3600.0, 30.0])
def test_a_clock_set_back_or_a_small_step_is_not_a_resume(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    wall: WallClock,
    rng: random.Random,
    fake_desk: FakeDesk,
    jump: float,
) -> None:
    poller = _poller(sync_runner, clock, rng, wall, resume_jump_s=60.0)
    poller.start(fake_desk)
    clock.advance(2)
    wall.sleep(jump)
    with qtbot.assertNotEmitted(poller.resumed):
        assert not poller.poll_now()


def test_the_network_coming_back_polls_at_once_even_while_backing_off(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, rng, min_gap_s=5.0)
    fake_desk.fail_with = Unavailable("no route", reason="unreachable")
    poller.start(fake_desk)
    assert poller.state is ConnectionState.OFFLINE
    clock.advance(1)
    fake_desk.fail_with = None
    poller.network_changed(False)
    assert _polls(fake_desk) == 1
    with qtbot.waitSignal(poller.connection_state_changed) as signal:
        poller.network_changed(True)  # one second later, and the backoff said 15 s
    assert signal.args == [ConnectionState.ONLINE]
    clock.advance(1)
    assert not poller.on_network_up()  # online and just polled: a flapping link is no reason


def test_the_watched_ticket_is_fetched_on_the_next_poll_and_when_it_changes(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    watched = fake_desk.add_ticket("Outlook asks for the password")
    other = fake_desk.add_ticket("Mouse double-clicks")
    poller = _poller(sync_runner, clock, rng)
    poller.start(fake_desk)
    assert _fetches(fake_desk) == 0
    poller.watch(watched)
    with qtbot.waitSignal(poller.ticket_loaded) as loaded:
        poller.poll_now(force=True)  # the first poll after watch()
    assert loaded.args[0] == fake_desk.tickets[watched]
    with qtbot.assertNotEmitted(poller.ticket_loaded):
        poller.poll_now(force=True)  # nothing changed: no fetch
        fake_desk.change(other, stage=Stage.IN_PROGRESS)
        poller.poll_now(force=True)  # another ticket changed: no fetch either
    assert _fetches(fake_desk) == 1
    fake_desk.change(watched, stage=Stage.WAITING_ON_YOU)
    with qtbot.waitSignal(poller.ticket_loaded) as loaded:
        poller.poll_now(force=True)
    assert loaded.args[0].summary.stage is Stage.WAITING_ON_YOU
    poller.watch(None)
    fake_desk.change(watched, stage=Stage.RESOLVED)
    with qtbot.assertNotEmitted(poller.ticket_loaded):
        poller.poll_now(force=True)
    assert _fetches(fake_desk) == 2


def test_a_ticket_that_cannot_be_loaded_does_not_fail_the_poll(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Calendar invites vanish")
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0)
    poller.start(fake_desk)
    gone = TicketRef("999", "FIN-999")
    poller.watch(gone)
    with qtbot.waitSignal(poller.ticket_failed) as failed:
        poller.poll_now(force=True)
    ref, error = failed.args
    assert ref == gone and isinstance(error, NotFound)
    assert poller.state is ConnectionState.ONLINE and poller.last_error is None
    assert _next(poller) == 300


class _TicketsAway(FakeDesk):
    """The list answers, then the desk is gone before the ticket is fetched."""

    def ticket(self, ref: TicketRef) -> Ticket:
        self._call("ticket", ref)
        raise Unavailable("connection reset", reason="connection")


def test_the_desk_going_away_during_the_ticket_fetch_fails_the_poll(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock
) -> None:
    desk = _TicketsAway()
    ref = desk.add_ticket("Wi-Fi slow")
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0)
    poller.watch(ref)
    with qtbot.assertNotEmitted(poller.ticket_failed):
        poller.start(desk)
    assert poller.state is ConnectionState.OFFLINE and _next(poller) == 15
    assert not poller.loaded  # nothing of the failed poll was taken
    calls = [name for name, _ in desk.calls]
    assert calls == ["changed_tickets", "ticket"]
    clock.advance(15)
    poller.poll_now(force=True)
    assert [arg for name, arg in desk.calls if name == "changed_tickets"] == [None, None]
    assert _fetches(desk) == 2  # still wanted: asked again with the next poll


def test_refresh_ticket_fetches_now_one_at_a_time(
    qtbot: QtBot, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
) -> None:
    ref = fake_desk.add_ticket("Teams camera black")
    runner = ManualRunner()
    poller = _poller(runner, clock, rng)
    assert not poller.refresh_ticket(ref)  # no desk yet
    poller.start(fake_desk)
    runner.finish_next()
    poller.watch(ref)
    assert poller.refresh_ticket(ref)
    assert not poller.refresh_ticket(ref)  # already on its way
    with qtbot.waitSignal(poller.ticket_loaded) as loaded:
        runner.finish_next()
    assert loaded.args[0] == fake_desk.tickets[ref]
    poller.poll_now(force=True)
    runner.finish_next()
    assert _fetches(fake_desk) == 1  # the window's fetch stood for the first poll's
    assert poller.refresh_ticket(ref)
    poller.stop()
    with qtbot.assertNotEmitted(poller.ticket_loaded):
        runner.finish_next()  # a late answer for a desk no longer watched


def test_refresh_ticket_reports_a_failure_as_the_tickets_own(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, rng)
    poller.start(fake_desk)
    fake_desk.fail_with = BadResponse("html")
    ref = TicketRef("101", "FIN-101")
    with qtbot.waitSignal(poller.ticket_failed) as failed:
        assert poller.refresh_ticket(ref)
    assert failed.args[0] == ref and isinstance(failed.args[1], ClientError)
    assert poller.state is ConnectionState.ONLINE
    assert poller.refresh_ticket(ref)  # not stuck "in flight"


# --- the cadence by what the user has open (architecture §5, §12: ≤ 4 requests an hour) -----

OPEN_STAGES = [stage for stage in Stage if stage not in (Stage.CLOSED, Stage.CANCELLED)]


@pytest.mark.parametrize(
    "stages", [[], [Stage.CLOSED], [Stage.CANCELLED, Stage.CLOSED]], ids=["none", "closed", "done"]
)
def test_with_nothing_open_the_next_poll_is_half_an_hour_away(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
    stages: list[Stage],
) -> None:
    for stage in stages:
        fake_desk.add_ticket(f"Old problem ({stage.value})", stage=stage)
    poller = _poller(sync_runner, clock, rng)
    poller.start(fake_desk)
    assert 1800 <= _next(poller) <= 1980  # rare, spread up to 10 % later
    clock.advance(600)
    poller.poll_now()  # the menu opened: asked at once, and the rare wait starts again
    assert _polls(fake_desk) == 2
    assert 1800 <= _next(poller) <= 1980


@pytest.mark.parametrize("stage", OPEN_STAGES, ids=[stage.value for stage in OPEN_STAGES])
def test_any_ticket_before_closed_keeps_the_five_minute_cadence(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
    stage: Stage,
) -> None:
    fake_desk.add_ticket("Finished long ago", stage=Stage.CLOSED)
    ref = fake_desk.add_ticket("Still going", stage=stage)  # resolved: waits for the user's word
    poller = _poller(sync_runner, clock, rng, recent_change_s=600.0)
    poller.start(fake_desk)
    assert 300 <= _next(poller) <= 330
    fake_desk.change(ref, stage=Stage.CLOSED)
    clock.advance(_next(poller))
    with qtbot.waitSignal(poller.tickets_changed):
        _timer(poller).timeout.emit()
    assert 18 <= _next(poller) <= 22  # a change just seen: fast for a while, as before
    clock.advance(600)
    poller.poll_now()
    assert 1800 <= _next(poller) <= 1980  # then nothing is open any more


def test_a_ticket_an_agent_opens_for_someone_with_nothing_open_is_heard_of_at_the_rare_poll(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0, recent_change_s=600.0)
    poller.start(fake_desk)
    assert _next(poller) == 1800
    ref = fake_desk.add_ticket("Your new laptop is ready", agent="Joost")
    for _ in range(5):  # the timer looks at the clocks every slow interval, asking nothing
        clock.advance(300)
        _timer(poller).timeout.emit()
    assert _polls(fake_desk) == 1
    clock.advance(300)  # half an hour after the last poll
    with qtbot.waitSignal(poller.tickets_changed) as signal:
        _timer(poller).timeout.emit()
    assert [change.ref for change in signal.args[0]] == [ref] and _polls(fake_desk) == 2
    assert _next(poller) == 20  # news: fast for a while
    clock.advance(600)
    poller.poll_now()
    assert _next(poller) == 300  # then slow: the user has an open ticket now


def test_waiting_for_a_rare_poll_a_resume_is_noticed_within_the_slow_interval(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    wall: WallClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, rng, wall)
    poller.start(fake_desk)
    assert _next(poller) >= 1800
    assert _timer(poller).interval() == 300_000  # wakes to compare the clocks
    clock.advance(300)
    with qtbot.assertNotEmitted(poller.resumed):
        _timer(poller).timeout.emit()
    assert _polls(fake_desk) == 1 and _timer(poller).isActive()
    wall.sleep(8 * 3600)  # the lid closes for the night: the monotonic clock stands still
    clock.advance(300)
    with qtbot.waitSignal(poller.resumed):
        _timer(poller).timeout.emit()
    assert _polls(fake_desk) == 2


def test_with_nothing_open_the_network_coming_back_still_polls_at_once(
    qtbot: QtBot,
    sync_runner: SyncTaskRunner,
    clock: FakeClock,
    rng: random.Random,
    fake_desk: FakeDesk,
) -> None:
    poller = _poller(sync_runner, clock, rng)
    poller.start(fake_desk)
    clock.advance(120)
    poller.network_changed(True)
    assert _polls(fake_desk) == 2


def test_the_rare_interval_is_never_shorter_than_the_slow_one(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0, rare_interval_s=120.0)
    poller.start(fake_desk)
    assert _next(poller) == 300


def test_rare_polls_keep_exactly_half_an_hour(
    qtbot: QtBot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(11), jitter=0.1)
    poller.start(fake_desk)
    delays = _waits(poller, clock, 100)
    # Never sooner than half an hour (at most 2 requests in any hour), never
    # later (a ticket opened for this user is heard of within it).
    assert set(delays) == {1800.0}
