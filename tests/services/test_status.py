"""The tray status: one value from sign-in, connection and unseen changes."""

from __future__ import annotations

import random

from pytestqt.qtbot import QtBot

from client.core.errors import Unavailable
from client.core.models import Agent, Stage
from client.core.settings import Settings
from client.core.tray_state import ConnectionState, TrayIconKind
from client.services.account import Account
from client.services.notifier import Notifier
from client.services.poller import TicketPoller
from client.services.status import TrayStatusPresenter
from client.services.tasks import SyncTaskRunner
from tests.fakes import FakeClock, FakeConnector, FakeDesk, make_account, make_outbox


def _wired(
    runner: SyncTaskRunner, desk: FakeDesk
) -> tuple[Account, TicketPoller, TrayStatusPresenter, Notifier]:
    account = make_account(runner, FakeConnector(desk))
    poller = TicketPoller(runner, slow_interval_s=300, clock=FakeClock(), rng=random.Random(1))
    notifier = Notifier(Settings())
    poller.tickets_changed.connect(notifier.on_changes)
    presenter = TrayStatusPresenter(account, poller, make_outbox(runner, account), notifier)

    def start_polling(_person: object) -> None:
        assert account.desk is not None, "signed in means a desk to poll"
        poller.start(account.desk)

    account.signed_in.connect(start_polling)
    return account, poller, presenter, notifier


def test_signed_out_asks_for_attention(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    _account, _poller, presenter, _ = _wired(sync_runner, fake_desk)
    assert presenter.status.icon is TrayIconKind.ATTENTION
    assert not presenter.status.signed_in


def test_online_with_open_tickets_is_normal(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("One", Stage.IN_PROGRESS)
    fake_desk.add_ticket("Two", Stage.RESOLVED)
    account, _poller, presenter, _ = _wired(sync_runner, fake_desk)
    account.restore()
    status = presenter.status
    assert status.icon is TrayIconKind.NORMAL
    assert (status.signed_in, status.connection, status.open_tickets) == (
        True,
        ConnectionState.ONLINE,
        1,
    )


def test_desk_away_shows_offline_with_the_reason(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    fake_desk.fail_with = Unavailable("bad cert", reason="tls")
    account, _poller, presenter, _ = _wired(sync_runner, fake_desk)
    with qtbot.waitSignal(presenter.status_changed):
        account.restore()
    assert presenter.status.icon is TrayIconKind.OFFLINE
    assert presenter.status.error_reason == "tls"


def test_news_asks_for_attention_until_seen(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    ref = fake_desk.add_ticket("One")
    account, poller, presenter, notifier = _wired(sync_runner, fake_desk)
    account.restore()
    fake_desk.change(ref, stage=Stage.ASSIGNED, agent=Agent("Joost"))
    poller.poll_now(force=True)
    news = presenter.status
    assert news.icon is TrayIconKind.ATTENTION and news.unseen == 1
    notifier.seen()  # the user opened "My tickets"
    seen = presenter.status
    assert seen.icon is TrayIconKind.NORMAL and seen.unseen == 0
