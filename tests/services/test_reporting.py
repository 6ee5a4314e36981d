"""Sending a report, as the dialog sees it: saved first, then sent, delayed or refused."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from client.core.errors import ConfigurationError, Rejected, Unavailable
from client.core.outbox import OutboxItem, OutboxState
from client.core.reports import build_report
from client.services.outbox import OutboxService
from client.services.reporting import ReportService
from client.services.tasks import SyncTaskRunner
from tests.fakes import (
    FailingOutbox,
    FakeConnector,
    FakeDesk,
    MemoryOutbox,
    make_account,
    make_outbox,
)


class Heard(list[tuple[str, tuple[object, ...]]]):
    """Every signal of the report service, in order."""

    def __init__(self, service: ReportService) -> None:
        super().__init__()
        for name in (
            "report_saved",
            "report_not_saved",
            "report_sent",
            "report_delayed",
            "report_rejected",
        ):
            getattr(service, name).connect(lambda *args, n=name: self.append((n, args)))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self]


def _service(
    qtbot: QtBot,
    runner: SyncTaskRunner,
    desk: FakeDesk,
    store: MemoryOutbox | None = None,
    **account_options: Any,
) -> tuple[ReportService, OutboxService]:
    account = make_account(runner, FakeConnector(desk), **account_options)
    account.restore()
    outbox = make_outbox(runner, account, store)
    return ReportService(outbox), outbox


def test_a_report_is_saved_then_becomes_a_ticket(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    service, outbox = _service(qtbot, sync_runner, fake_desk)
    report = build_report("Printer jams", "Floor 2")
    heard = Heard(service)
    service.send(report)
    assert heard.names == ["report_saved", "report_sent"]
    sent, item = heard[1][1]
    assert isinstance(item, OutboxItem) and item.ticket is not None
    assert sent is report and fake_desk.tickets[item.ticket].summary.title == "Printer jams"
    assert item.refused == ()
    assert outbox.items == []


def test_an_unreachable_desk_delays_but_keeps_the_report(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    store = MemoryOutbox()
    service, outbox = _service(qtbot, sync_runner, fake_desk, store)
    fake_desk.fail_with = Unavailable("no route", reason="unreachable")
    report = build_report("No network", "cable in")
    with qtbot.waitSignal(service.report_delayed) as signal:
        service.send(report)
    assert isinstance(signal.args[1], Unavailable)
    (item,) = outbox.items
    assert item.state is OutboxState.RETRY and item.key == report.key
    fake_desk.fail_with = None
    outbox.retry_now()
    assert outbox.items == [] and len(fake_desk.tickets) == 1


def test_a_refused_report_is_kept_with_the_reason(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    service, outbox = _service(qtbot, sync_runner, fake_desk)
    fake_desk.fail_with = Rejected("too big", reason="too_large")
    with qtbot.waitSignal(service.report_rejected) as signal:
        service.send(build_report("Huge log", ""))
    assert signal.args[1].reason == "too_large"
    assert [i.state for i in outbox.items] == [OutboxState.REJECTED]


def test_signed_out_the_report_is_saved_and_waits(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    service, outbox = _service(
        qtbot, sync_runner, fake_desk, desk_url="", username="", preset_credential=None
    )
    heard = Heard(service)
    service.send(build_report("Mouse dead", ""))
    assert heard.names == ["report_saved", "report_delayed"]
    assert isinstance(heard[1][1][1], ConfigurationError)
    assert [i.state for i in outbox.items] == [OutboxState.QUEUED]
    assert fake_desk.calls == []


def test_a_full_disk_is_reported_and_nothing_is_sent(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    service, _outbox = _service(qtbot, sync_runner, fake_desk, FailingOutbox())
    with qtbot.waitSignal(service.report_not_saved) as signal:
        service.send(build_report("Disk full", ""))
    assert signal.args[1].code == "disk_full"
    assert fake_desk.calls == []  # never sent what could not be kept
