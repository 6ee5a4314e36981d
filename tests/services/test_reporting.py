"""Sending a report through the signed-in account."""

from __future__ import annotations

from client.core.errors import ConfigurationError, Unavailable
from client.core.reports import build_report
from client.services.account import Account
from client.services.reporting import ReportService
from client.services.tasks import SyncTaskRunner
from tests.fakes import FakeConnector, FakeDesk, make_account


def _signed_in(qtbot, runner: SyncTaskRunner, desk: FakeDesk) -> Account:  # type: ignore[no-untyped-def]
    account = make_account(runner, FakeConnector(desk))
    with qtbot.waitSignal(account.signed_in):
        account.restore()
    return account


def test_a_report_becomes_a_ticket(qtbot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk) -> None:
    service = ReportService(sync_runner, _signed_in(qtbot, sync_runner, fake_desk))
    report = build_report("Printer jams", "Floor 2")
    with qtbot.waitSignal(service.report_sent) as signal:
        service.send(report)
    sent, ref = signal.args
    assert sent is report
    assert fake_desk.tickets[ref].summary.title == "Printer jams"


def test_a_failure_hands_the_report_back(
    qtbot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    service = ReportService(sync_runner, _signed_in(qtbot, sync_runner, fake_desk))
    fake_desk.fail_with = Unavailable("no network")
    report = build_report("Printer jams", "Floor 2")
    with qtbot.waitSignal(service.report_failed) as signal:
        service.send(report)
    assert signal.args[0] is report and isinstance(signal.args[1], Unavailable)
    assert fake_desk.tickets == {}


def test_not_signed_in_is_a_clear_failure(qtbot, sync_runner: SyncTaskRunner) -> None:
    account = make_account(
        sync_runner, FakeConnector(FakeDesk()), desk_url="", username="", preset_credential=None
    )
    service = ReportService(sync_runner, account)
    with qtbot.waitSignal(service.report_failed) as signal:
        service.send(build_report("x", ""))
    assert isinstance(signal.args[1], ConfigurationError)
