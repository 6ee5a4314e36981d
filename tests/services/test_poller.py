"""The ticket poller: one poll at a time, re-armed after each result, backing off."""

from __future__ import annotations

import random

import pytest

from client.core.errors import AuthFailed, BadResponse, Unavailable
from client.core.models import Stage
from client.core.tracking import ChangeKind
from client.services.poller import ConnectionState, TicketPoller
from client.services.tasks import SyncTaskRunner, TaskRunner
from tests.fakes import FakeClock, FakeDesk, ManualRunner


def _poller(
    runner: TaskRunner, clock: FakeClock, rng: random.Random, **kwargs: float
) -> TicketPoller:
    options = {"slow_interval_s": 300.0, "fast_interval_s": 20.0, "jitter": 0.1}
    options.update(kwargs)
    return TicketPoller(runner, clock=clock, rng=rng, **options)


def test_the_first_poll_loads_everything_without_calling_it_news(
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Printer jams")
    poller = _poller(sync_runner, clock, rng)
    with qtbot.waitSignals([poller.snapshot_updated, poller.connection_state_changed]):
        with qtbot.assertNotEmitted(poller.tickets_changed):
            poller.start(fake_desk)
    assert [t.title for t in poller.tickets] == ["Printer jams"]
    assert poller.loaded and poller.state is ConnectionState.ONLINE
    assert 270 <= poller.next_delay_s <= 330  # slow interval ± 10 % jitter


def test_later_polls_ask_only_for_changes_and_report_them(
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
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
    qtbot, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
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
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, rng, min_gap_s=5.0)
    poller.start(fake_desk)
    clock.advance(2)
    assert not poller.poll_now()  # the menu opened twice in a row
    assert poller.poll_now(force=True)
    clock.advance(6)
    assert poller.poll_now()


def test_backoff_doubles_to_a_cap_and_offline_is_announced_once(
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(
        sync_runner, clock, random.Random(1), jitter=0.0, backoff_start_s=15.0, backoff_max_s=100.0
    )
    fake_desk.fail_with = Unavailable("down")
    states: list[ConnectionState] = []
    poller.connection_state_changed.connect(states.append)
    delays = []
    poller.start(fake_desk)
    delays.append(poller.next_delay_s)
    for _ in range(4):
        poller.poll_now(force=True)
        delays.append(poller.next_delay_s)
    assert delays == [15.0, 30.0, 60.0, 100.0, 100.0]
    assert states == [ConnectionState.OFFLINE]
    fake_desk.fail_with = None
    poller.poll_now(force=True)
    assert states == [ConnectionState.OFFLINE, ConnectionState.ONLINE]
    assert poller.next_delay_s == 300.0 and poller.last_error is None


def test_jitter_stays_within_bounds(
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(7), jitter=0.1)
    poller.start(fake_desk)
    seen = set()
    for _ in range(50):
        poller.poll_now(force=True)
        seen.add(poller.next_delay_s)
    assert all(270 <= delay <= 330 for delay in seen)
    assert len(seen) > 40  # really spread, not a constant


def test_retry_after_is_honoured(
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0)
    fake_desk.fail_with = Unavailable("busy", reason="busy", retry_after=240)
    poller.start(fake_desk)
    assert poller.next_delay_s == 240


@pytest.mark.parametrize("error", [BadResponse("html"), RuntimeError("bug")])
def test_bad_answers_count_as_failures_not_crashes(
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk, error: Exception
) -> None:
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0)
    fake_desk.fail_with = error
    poller.start(fake_desk)
    assert poller.state is ConnectionState.OFFLINE
    assert poller.next_delay_s == 15.0


def test_fast_while_watched(
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(1), jitter=0.0)
    poller.start(fake_desk)
    assert poller.next_delay_s == 300
    clock.advance(2)  # the menu just polled; then "My tickets" opens
    poller.set_fast(True)
    assert poller.next_delay_s == 18  # the fast interval, counted from the last poll
    clock.advance(18)
    poller.poll_now(force=True)
    assert poller.next_delay_s == 20
    poller.set_fast(False)
    assert poller.next_delay_s == 300


def test_a_rejected_credential_stops_polling(
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, rng)
    fake_desk.fail_with = AuthFailed("revoked")
    with qtbot.waitSignal(poller.credential_rejected):
        poller.start(fake_desk)
    fake_desk.fail_with = None
    assert not poller.poll_now(force=True)


def test_a_result_arriving_after_stop_is_ignored(
    qtbot, clock: FakeClock, rng: random.Random, fake_desk: FakeDesk
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
    qtbot, sync_runner: SyncTaskRunner, clock: FakeClock, fake_desk: FakeDesk
) -> None:
    poller = _poller(sync_runner, clock, random.Random(1), slow_interval_s=1.0, jitter=0.0)
    poller.start(fake_desk)
    ref = fake_desk.add_ticket("Arrives later")
    with qtbot.waitSignal(poller.tickets_changed, timeout=5000) as signal:
        pass
    assert signal.args[0][0].ref == ref
