"""The outbox service: stored first, delivered in order, resumed after a restart."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from client.core.errors import AuthFailed, Rejected, StoreError, Unavailable
from client.core.models import Report, TicketRef
from client.core.outbox import OutboxState, begin_attempt
from client.services.account import Account
from client.services.outbox import OutboxService
from client.services.tasks import SyncTaskRunner, TaskRunner
from tests.fakes import (
    FakeClock,
    FakeConnector,
    FakeDesk,
    ManualRunner,
    MemoryOutbox,
    make_account,
    make_outbox,
)

NOW = 1_800_000_000.0


def _wired(
    runner: TaskRunner,
    desk: FakeDesk,
    store: MemoryOutbox | None = None,
    clock: FakeClock | None = None,
    **options: Any,
) -> tuple[OutboxService, MemoryOutbox, Account]:
    account = make_account(runner, FakeConnector(desk), **options)
    account.restore()
    store = store if store is not None else MemoryOutbox()
    return make_outbox(runner, account, store, clock or FakeClock(NOW)), store, account


def test_reports_waiting_from_the_last_run_are_sent_at_start(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    store = MemoryOutbox()
    store.add(Report("Written offline", ""), NOW - 600)
    outbox, _, _ = _wired(sync_runner, fake_desk, store)
    with qtbot.waitSignal(outbox.report_delivered):
        outbox.start()
    assert [t.summary.title for t in fake_desk.tickets.values()] == ["Written offline"]


def test_a_report_caught_mid_send_by_a_crash_is_looked_up_first(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    store = MemoryOutbox()
    item = store.add(Report("Sent before the crash", ""), NOW - 60)
    fake_desk.create_ticket(store.load_report(item.id))  # it reached the desk...
    store.save(begin_attempt(item))  # ...but the app died before recording it
    fake_desk.calls.clear()
    outbox, _, _ = _wired(sync_runner, fake_desk, store)
    outbox.start()
    assert [name for name, _ in fake_desk.calls] == ["find_by_report_key"]
    assert len(fake_desk.tickets) == 1 and store.item(item.id).state is OutboxState.SENT


def test_oldest_first_and_a_refused_report_does_not_hold_up_the_rest(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    store = MemoryOutbox()
    store.add(Report("Refused", ""), NOW - 30)
    store.add(Report("Second", ""), NOW - 20)
    outbox, _, _ = _wired(sync_runner, fake_desk, store)
    refuse_first = [Rejected("no", reason="invalid")]

    original = fake_desk.create_ticket

    def create(report: Report) -> TicketRef:
        if refuse_first:
            raise refuse_first.pop()
        return original(report)

    fake_desk.create_ticket = create  # type: ignore[method-assign]
    outbox.start()
    assert [i.subject for i in outbox.items] == ["Refused"]
    assert outbox.items[0].state is OutboxState.REJECTED
    assert [t.summary.title for t in fake_desk.tickets.values()] == ["Second"]


def test_an_unreachable_desk_arms_the_timer_for_the_retry(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    clock = FakeClock(NOW)
    outbox, store, _ = _wired(sync_runner, fake_desk, clock=clock)
    fake_desk.fail_with = Unavailable(reason="unreachable")
    outbox.enqueue(Report("Offline", ""))
    (item,) = outbox.items
    assert item.state is OutboxState.RETRY and item.next_attempt_at is not None
    assert outbox.next_wakeup_s == item.next_attempt_at - NOW
    fake_desk.fail_with = None
    clock.advance(item.next_attempt_at - NOW)
    with qtbot.waitSignal(outbox.report_delivered):
        outbox.flush()  # what the timer does when it fires


def test_nothing_is_sent_while_signed_out_and_all_is_sent_at_sign_in(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    outbox, store, account = _wired(
        sync_runner, fake_desk, desk_url="", username="", preset_credential=None
    )
    outbox.enqueue(Report("Waits for sign-in", ""))
    assert fake_desk.calls == [] and len(outbox.items) == 1
    with qtbot.waitSignal(account.signed_in):
        account.sign_in("https://desk.example.org", "anna", "secret-password")
    outbox.flush()
    assert outbox.items == [] and len(fake_desk.tickets) == 1


def test_a_revoked_sign_in_keeps_the_report_for_later(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    outbox, _, _ = _wired(sync_runner, fake_desk)
    fake_desk.fail_with = AuthFailed()
    outbox.enqueue(Report("Token revoked", ""))
    (item,) = outbox.items
    assert item.state is OutboxState.RETRY and item.error_code == "auth_failed"


def test_the_user_can_change_or_delete_a_waiting_report(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    outbox, store, _ = _wired(sync_runner, fake_desk)
    fake_desk.fail_with = Unavailable(reason="unreachable")
    outbox.enqueue(Report("Typo in subjct", "old"))
    outbox.enqueue(Report("Never mind", ""))
    first, second = outbox.items
    outbox.cancel(second.id)
    fake_desk.fail_with = None
    outbox.edit(first.id, "Typo in subject", "new")
    (ticket,) = fake_desk.tickets.values()
    assert ticket.summary.title == "Typo in subject"
    assert outbox.items == []


def test_a_report_that_may_be_at_the_desk_cannot_be_changed(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    outbox, store, _ = _wired(sync_runner, fake_desk)
    fake_desk.fail_with = Unavailable(reason="timeout")  # it may have arrived
    outbox.enqueue(Report("Maybe sent", ""))
    (item,) = outbox.items
    assert item.check_first and not item.editable
    outbox.edit(item.id, "Changed", "")
    assert outbox.items[0].subject == "Maybe sent"


def test_never_two_sends_at_once(qtbot: QtBot, fake_desk: FakeDesk) -> None:
    account = make_account(SyncTaskRunner(), FakeConnector(fake_desk))
    account.restore()
    runner, store = ManualRunner(), MemoryOutbox()
    outbox = make_outbox(runner, account, store, FakeClock(NOW))
    store.add(Report("One", ""), NOW)
    store.add(Report("Two", ""), NOW)
    outbox.flush()
    outbox.flush()  # a second wake-up while the first is busy is remembered, not run
    assert len(runner.jobs) == 1
    while runner.jobs:
        runner.finish_next()
    assert len(fake_desk.tickets) == 2


def test_a_refused_credential_does_not_spin(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    outbox, _, _ = _wired(sync_runner, fake_desk)
    fake_desk.fail_with = AuthFailed()
    outbox.enqueue(Report("Token revoked", ""))
    creates = [name for name, _ in fake_desk.calls if name == "create_ticket"]
    assert creates == ["create_ticket"]  # one attempt, then a wait: no loop
    assert outbox.next_wakeup_s is not None and outbox.next_wakeup_s >= 10


class _Lanes:
    """The outbox with its two runners held: store work and desk work finish when told."""

    def __init__(self, desk: FakeDesk) -> None:
        account = make_account(SyncTaskRunner(), FakeConnector(desk))
        account.restore()
        self.serial, self.io, self.store = ManualRunner(), ManualRunner(), MemoryOutbox()
        self.outbox = make_outbox(self.serial, account, self.store, FakeClock(NOW), io=self.io)
        self.failed: list[tuple[int, str]] = []
        self.done: list[int] = []
        self.outbox.change_failed.connect(lambda i, error: self.failed.append((i, error.code)))
        self.outbox.change_done.connect(self.done.append)

    def settle(self) -> None:
        while self.serial.jobs or self.io.jobs:
            (self.serial if self.serial.jobs else self.io).finish_next()

    def start_sending(self, subject: str) -> int:
        """Queue a report and let the sender claim it; the upload is then "in flight"."""
        item = self.store.add(Report(subject, "text"), NOW)
        self.outbox.flush()
        self.serial.finish_next()  # claimed, marked sending
        assert len(self.io.jobs) == 1 and self.store.item(item.id).state is OutboxState.SENDING
        return item.id


def test_deleting_a_report_on_its_way_is_refused_and_said(
    qtbot: QtBot, fake_desk: FakeDesk
) -> None:
    lanes = _Lanes(fake_desk)
    item_id = lanes.start_sending("Printer on fire")

    lanes.outbox.cancel(item_id)  # the user confirmed "Delete" a moment too late
    lanes.serial.finish_next()
    assert lanes.failed == [(item_id, "being_sent")]

    lanes.settle()
    assert lanes.store.item(item_id).state is OutboxState.SENT
    assert [t.summary.title for t in fake_desk.tickets.values()] == ["Printer on fire"]


def test_a_change_that_comes_too_late_is_refused_and_the_desk_gets_one_version(
    qtbot: QtBot, fake_desk: FakeDesk
) -> None:
    lanes = _Lanes(fake_desk)
    item_id = lanes.start_sending("Typo in subjct")

    lanes.outbox.edit(item_id, "Typo in subject", "fixed")
    lanes.settle()

    assert lanes.failed == [(item_id, "being_sent")]
    assert [t.summary.title for t in fake_desk.tickets.values()] == ["Typo in subjct"]


def test_a_report_being_changed_waits_until_the_user_is_done(
    qtbot: QtBot, fake_desk: FakeDesk
) -> None:
    lanes = _Lanes(fake_desk)
    fake_desk.fail_with = Unavailable(reason="unreachable")
    lanes.outbox.enqueue(Report("Typo in subjct", "old"))
    lanes.settle()
    (item,) = lanes.outbox.items
    fake_desk.fail_with = None

    lanes.outbox.hold(item.id)  # the edit dialog opens
    lanes.outbox.retry_now()  # the network returns meanwhile
    lanes.settle()
    assert fake_desk.tickets == {}, "not sent with the old text while the user types"
    lanes.outbox.edit(item.id, "Typo in subject", "new")
    lanes.settle()
    assert lanes.done == [item.id] and fake_desk.tickets == {}
    lanes.outbox.release(item.id)  # the dialog closes
    lanes.settle()

    assert [t.summary.title for t in fake_desk.tickets.values()] == ["Typo in subject"]


def test_an_outcome_that_cannot_be_stored_is_said_and_retried_later(
    qtbot: QtBot, fake_desk: FakeDesk
) -> None:
    lanes = _Lanes(fake_desk)
    failures = []
    lanes.outbox.attempt_failed.connect(lambda item, error: failures.append(error.code))
    item_id = lanes.start_sending("Disk full after upload")
    lanes.io.finish_next()  # the desk has it
    original_save, lanes.store.save = lanes.store.save, _disk_full  # type: ignore[method-assign]
    lanes.serial.finish_next()  # recording it fails
    lanes.store.save = original_save  # type: ignore[method-assign]

    assert failures == ["disk_full"]
    assert lanes.outbox.next_wakeup_s is not None, "the sender is not stalled"
    assert lanes.store.item(item_id).state is OutboxState.SENDING  # released after its lease


def _disk_full(item: object, expect: object = None) -> None:
    raise StoreError("database or disk is full", code="disk_full")
