"""A desk that refuses who we are (403 rights, a CSRF rule): the report waits, then goes once."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from client.core.errors import AuthFailed, Forbidden
from client.core.models import Report
from client.core.outbox import OutboxState
from client.services.account import Account
from client.services.outbox import OutboxService
from client.services.tasks import SyncTaskRunner
from tests.fakes import (
    FakeClock,
    FakeConnector,
    FakeDesk,
    MemoryOutbox,
    make_account,
    make_outbox,
)

NOW = 1_800_000_000.0
RT_CSRF = "Cross-site request forgery protection refused this request"


def _creates(desk: FakeDesk) -> int:
    return sum(1 for name, _ in desk.calls if name == "create_ticket")


def _wired(
    runner: SyncTaskRunner, desk: FakeDesk, store: MemoryOutbox, clock: FakeClock
) -> tuple[OutboxService, Account]:
    account = make_account(runner, FakeConnector(desk))
    account.restore()
    return make_outbox(runner, account, store, clock), account


def test_refused_for_rights_it_waits_and_goes_out_once_they_are_granted(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    clock, store = FakeClock(NOW), MemoryOutbox()
    outbox, _ = _wired(sync_runner, fake_desk, store, clock)
    fake_desk.fail_creates_with = Forbidden("Permission Denied")
    outbox.enqueue(Report("Cannot print", "floor 2"))

    (item,) = outbox.items
    assert item.state is OutboxState.RETRY, "kept waiting, not rejected"
    assert _creates(fake_desk) == 1, "one attempt, then a wait: no loop"
    assert outbox.next_wakeup_s is not None and outbox.next_wakeup_s >= 45

    clock.advance(30)
    outbox.flush()  # an early wake-up (the network came back, say) sends nothing yet
    assert _creates(fake_desk) == 1

    fake_desk.fail_creates_with = None  # IT grants the right to create tickets
    assert item.next_attempt_at is not None
    clock.now = item.next_attempt_at
    with qtbot.waitSignal(outbox.report_delivered):
        outbox.flush()  # what the timer does when it fires
    assert outbox.items == []
    assert [t.summary.title for t in fake_desk.tickets.values()] == ["Cannot print"]
    assert _creates(fake_desk) == 2
    outbox.flush()
    assert _creates(fake_desk) == 2, "exactly once"


def test_a_report_the_desk_refused_as_cross_site_goes_at_once_when_the_app_starts_again(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    clock, store = FakeClock(NOW), MemoryOutbox()
    outbox, _ = _wired(sync_runner, fake_desk, store, clock)
    fake_desk.fail_creates_with = Forbidden(RT_CSRF)
    outbox.enqueue(Report("VPN drops", ""))
    (item,) = outbox.items
    assert item.state is OutboxState.RETRY and item.next_attempt_at is not None
    outbox.deleteLater()

    # An update of the app (or of the desk's settings); the app starts again, early.
    fake_desk.fail_creates_with = None
    clock.advance(5)
    assert clock.now < item.next_attempt_at
    again, _ = _wired(sync_runner, fake_desk, store, clock)
    with qtbot.waitSignal(again.report_delivered):
        again.start()
    assert again.items == [] and len(fake_desk.tickets) == 1


def test_a_new_sign_in_makes_a_refused_report_due_at_once(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    clock, store = FakeClock(NOW), MemoryOutbox()
    outbox, account = _wired(sync_runner, fake_desk, store, clock)
    fake_desk.fail_creates_with = Forbidden("Permission Denied")
    outbox.enqueue(Report("Screen flickers", ""))
    (item,) = outbox.items
    assert item.state is OutboxState.RETRY

    # Rights come with a new sign-in (another account, or a new session): what app.py does.
    fake_desk.fail_creates_with = None
    with qtbot.waitSignal(account.signed_in):
        account.sign_in("https://desk.example.org", "anna", "secret-password")
    outbox.retry_now()
    assert outbox.items == [] and len(fake_desk.tickets) == 1


def test_a_revoked_sign_in_still_waits_for_the_next_sign_in(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    clock, store = FakeClock(NOW), MemoryOutbox()
    outbox, _ = _wired(sync_runner, fake_desk, store, clock)
    fake_desk.fail_creates_with = AuthFailed("token revoked")
    outbox.enqueue(Report("Outlook asks for a password", ""))
    (item,) = outbox.items
    assert item.state is OutboxState.RETRY and item.error_code == "auth_failed"
    assert _creates(fake_desk) == 1
