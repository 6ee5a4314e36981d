"""Every fault class between the client and a real desk: nothing lost, nothing twice.

The outbox (real SQLite file) sends through the real django-helpdesk adapter
to the real demo desk, behind a proxy that spoils requests on demand. For
each fault: the app keeps running, the user gets a plain sentence, and once
the fault clears the report arrives exactly once.
"""

from __future__ import annotations

import ssl
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector, DjangoHelpdeskDesk
from client.adapters.http import HttpConfig
from client.adapters.store import SqliteOutbox
from client.core.errors import ClientError
from client.core.models import Attachment, Report
from client.core.outbox import OutboxItem, OutboxState
from client.core.ports import DeskPort
from client.services.outbox import OutboxService
from client.services.tasks import SyncTaskRunner
from client.ui import texts
from tests.support.certs import make_pki
from tests.support.desk_fixture import DeskAccess
from tests.support.fault_proxy import Fault, FaultProxy, fault_proxy

pytestmark = pytest.mark.desk

CONFIG = HttpConfig(
    connect_timeout=2.0,
    read_timeout=1.0,
    total_timeout=1.5,
    max_response_bytes=1024 * 1024,
    retries=0,
)
GENERIC = "Something went wrong. Please try again."
TICKETS = "/api/tray/v1/tickets"


@pytest.fixture
def proxy(demo_desk: DeskAccess) -> Iterator[FaultProxy]:
    yield from fault_proxy(demo_desk.url)


class Harness:
    """An outbox on a real SQLite file, sending to the desk through the proxy."""

    def __init__(self, tmp_path: Path, desk: DeskPort) -> None:
        self.store = SqliteOutbox(tmp_path / "outbox.sqlite3")
        runner = SyncTaskRunner()
        self.outbox = OutboxService(runner, runner, self.store, lambda: desk)
        self.failures: list[tuple[OutboxItem, ClientError]] = []
        self.outbox.attempt_failed.connect(lambda item, error: self.failures.append((item, error)))

    def close(self) -> None:
        self.store.close()


def _direct(access: DeskAccess) -> DjangoHelpdeskDesk:
    return DjangoHelpdeskConnector(HttpConfig()).open(access.url, access.anna_token)


def _copies_at_desk(access: DeskAccess, subject: str) -> int:
    return sum(1 for t in _direct(access).changed_tickets(None)[0] if t.title == subject)


def _report(fault: str) -> Report:
    return Report(f"{fault}: scanner offline {uuid.uuid4().hex[:6]}", "tried twice")


@pytest.mark.parametrize("fault", [f for f in Fault if f is not Fault.TLS_UNKNOWN_CA], ids=str)
def test_each_fault_loses_nothing_and_duplicates_nothing(
    demo_desk: DeskAccess, proxy: FaultProxy, tmp_path: Path, qapp: object, fault: Fault
) -> None:
    harness = Harness(
        tmp_path, DjangoHelpdeskConnector(CONFIG).open(proxy.url, demo_desk.anna_token)
    )
    proxy.inject(fault, method="POST", path_prefix=TICKETS)
    report = _report(fault.value)
    started = time.monotonic()
    harness.outbox.enqueue(report)
    assert time.monotonic() - started < 10  # every fault is bounded by a time limit

    ((item, error),) = harness.failures
    assert item.state is OutboxState.RETRY, "kept for another try, never dropped"
    message = texts.error_message(error)
    assert message != GENERIC and "Traceback" not in message and "HTTP" not in message
    if fault.forwards:
        assert item.check_first, "the desk may have the ticket: look before creating again"
        assert _copies_at_desk(demo_desk, report.subject) == 1

    proxy.clear()
    harness.outbox.retry_now()
    assert harness.outbox.items == []
    assert _copies_at_desk(demo_desk, report.subject) == 1
    assert harness.store.sent(report.key) is not None
    # The demo desk would recognise a repeated report key by itself; a desk
    # without that guard (Request Tracker) relies on the client never
    # sending a report again that may have arrived.
    creations = [p for m, p in proxy.forwarded if m == "POST" and p.rstrip("/") == TICKETS]
    assert len(creations) == 1, "created once, then looked up, never sent twice"
    harness.close()


def test_a_certificate_from_an_unknown_authority(
    demo_desk: DeskAccess,
    proxy: FaultProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qapp: object,
) -> None:
    pki = make_pki(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    harness = Harness(
        tmp_path,
        DjangoHelpdeskConnector(CONFIG).open(proxy.serve_tls(context), demo_desk.anna_token),
    )
    report = _report("tls")
    harness.outbox.enqueue(report)
    ((item, error),) = harness.failures
    assert item.state is OutboxState.RETRY and not item.check_first  # it never left
    assert "certificate is not trusted on this computer" in texts.error_message(error)

    # IT installs the organisation's root certificate in the system store.
    bundle = tmp_path / "system-store.pem"
    bundle.write_bytes(pki.ca_cert.read_bytes())
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    harness.outbox.retry_now()
    assert harness.outbox.items == []
    assert _copies_at_desk(demo_desk, report.subject) == 1
    harness.close()


def test_attachments_deleted_from_disk_after_queueing_still_arrive(
    demo_desk: DeskAccess, proxy: FaultProxy, tmp_path: Path, qapp: object
) -> None:
    photo = tmp_path / "error.png"
    photo.write_bytes(b"\x89PNG" + bytes(range(256)) * 100)
    harness = Harness(
        tmp_path, DjangoHelpdeskConnector(CONFIG).open(proxy.url, demo_desk.anna_token)
    )
    proxy.inject(Fault.BAD_GATEWAY_502, method="POST", path_prefix=TICKETS)
    report = Report(
        f"attachment kept {uuid.uuid4().hex[:6]}",
        "",
        attachments=(Attachment(photo.name, "image/png", photo.read_bytes()),),
    )
    expected = photo.read_bytes()
    harness.outbox.enqueue(report)
    photo.unlink()  # the user tidied up their desktop meanwhile
    proxy.clear()
    harness.outbox.retry_now()
    desk = _direct(demo_desk)
    (summary,) = [t for t in desk.changed_tickets(None)[0] if t.title == report.subject]
    (event,) = desk.ticket(summary.ref).events
    (stored,) = event.attachments
    assert stored.size == len(expected)
    harness.close()
