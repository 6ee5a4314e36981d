"""Request Tracker's forgery rules (Debian's 2026 security update) against a real RT.

Every write the tray makes, after each way of signing in, with RT's ``$RestrictReferrer``
and ``$RestrictLoginReferrer`` on and off; and a desk reached through a reverse proxy
whose address is not RT's own, before and after IT lists it in ``@ReferrerWhitelist``.
The RT here has its own data directory and an empty whitelist (the session's shared RT
accepts any loopback origin, for the fault proxy).
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from client.adapters.desks.rt import RtConnector, RtDesk
from client.adapters.http import HttpConfig, make_session
from client.core.errors import Forbidden
from client.core.models import Attachment, Report
from client.core.outbox import OutboxSender, OutboxState
from client.core.redact import Redactor
from tests.support.fault_proxy import FaultProxy
from tests.support.requirements import missing
from tests.support.rt_desk import (
    AGENT,
    EMPLOYEE_PASSWORD,
    PROVEN_ON,
    QUEUE,
    Referrers,
    RequestTracker,
    RtAgent,
    RtError,
    end_orphaned_servers,
    installed_version,
    rt_installed,
)

pytestmark = pytest.mark.rt

SCREENSHOT = bytes(range(256)) * 40
#: RT's settings as Debian ships them, and each switched.
CONFIGURATIONS = {
    "referrer-on": Referrers(restrict=True, restrict_login=False),  # RT's defaults
    "referrer-off": Referrers(restrict=False, restrict_login=False),
    "both-on": Referrers(restrict=True, restrict_login=True),
    "login-referrer-only": Referrers(restrict=False, restrict_login=True),
}


@dataclass
class Sent:
    """One request as it left the tray."""

    method: str
    path: str
    token: bool
    cookie: str
    origin: str
    status: int


def _recording(log: list[Sent]) -> Callable[[HttpConfig], requests.Session]:
    def record(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        sent = response.request
        log.append(
            Sent(
                method=sent.method or "",
                path=urllib.parse.urlsplit(sent.url or "").path,
                token="Authorization" in sent.headers,
                cookie=str(sent.headers.get("Cookie", "")),
                origin=str(sent.headers.get("Origin", "")),
                status=response.status_code,
            )
        )

    def factory(config: HttpConfig) -> requests.Session:
        session = make_session(config)
        session.hooks["response"].append(record)
        return session

    return factory


@dataclass
class StrictRt:
    """A running RT with its own forgery settings, its agent and employee tokens."""

    rt: RequestTracker
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return self.rt.url

    def agent(self) -> RtAgent:
        return RtAgent(self.url, self.tokens[AGENT], root_token=self.tokens["root"])

    def employee_credential(self, mode: str, url: str | None = None) -> str:
        connector = RtConnector(HttpConfig(), queue=QUEUE)
        secret = self.tokens["anna"] if mode == "token" else EMPLOYEE_PASSWORD
        return connector.sign_in(url or self.url, "anna", secret)


@pytest.fixture(scope="module")
def strict_rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StrictRt]:
    if not rt_installed():
        missing("Request Tracker 5", "run tools/install-system-deps.sh as root")
    end_orphaned_servers()
    rt = RequestTracker(tmp_path_factory.mktemp("rt-referrers"), referrers=Referrers())
    try:
        tokens = rt.setup()
        rt.start()
    except RtError:
        rt.stop()
        raise
    try:
        yield StrictRt(rt, tokens)
    finally:
        rt.stop()


@pytest.fixture(params=list(CONFIGURATIONS), ids=str)
def configured(request: pytest.FixtureRequest, strict_rt: StrictRt) -> StrictRt:
    """The RT with one of the configurations (restarted only when it changes)."""
    strict_rt.rt.ensure(CONFIGURATIONS[request.param])
    return strict_rt


@pytest.fixture
def agent(strict_rt: StrictRt) -> Iterator[RtAgent]:
    joost = strict_rt.agent()
    yield joost
    joost.close()


def _desk(strict: StrictRt, credential: str, log: list[Sent], url: str | None = None) -> RtDesk:
    connector = RtConnector(HttpConfig(), _recording(log), queue=QUEUE)
    return connector.open(url or strict.url, credential)


def _conversation(agent: RtAgent, ticket_id: int) -> str:
    return "\n".join(
        str(entry.get("Content") or "")
        for entry in agent.history(ticket_id)
        if entry["Type"] == "Correspond"
    )


def test_the_fixture_names_the_package_it_was_proven_on() -> None:
    version = installed_version()
    if not version:
        missing("dpkg-query", "the RT package version cannot be read")
    assert PROVEN_ON, "the fixture names the package it was proven on"
    # Not an assertion on equality: a newer security update must run these tests too.
    print(f"request-tracker5 {version} (proven on {PROVEN_ON})")


@pytest.mark.parametrize("mode", ["token", "password"])
def test_every_write_works_after_each_sign_in(
    configured: StrictRt, agent: RtAgent, mode: str
) -> None:
    log: list[Sent] = []
    desk = _desk(configured, configured.employee_credential(mode), log)
    screen = Attachment("screen.png", "image/png", SCREENSHOT)
    report = Report(f"Printer jams ({mode})", "Paper stuck.", attachments=(screen,))

    ref = desk.create_ticket(report)
    number = int(ref.id)
    assert agent.attachments(number) == {"screen.png": SCREENSHOT}
    assert agent.requestors(number) == ["anna@example.test"]

    desk.reply(ref, "It happens on tray 2 only.", (Attachment("tray.txt", "text/plain", b"2"),))
    assert "tray 2 only" in _conversation(agent, number)
    assert agent.attachments(number)["tray.txt"] == b"2"

    agent.resolve(number, "New rollers fitted.")
    desk.confirm_resolved(ref, "Works now, thanks.")
    assert agent.status(number) == "resolved"
    assert "Works now, thanks." in _conversation(agent, number)

    desk.reopen(ref, "It jams again.")
    assert agent.status(number) == "open"

    desk.mark_urgent(ref, "I need to print the contracts today.")
    assert agent.priority(number) == 100
    assert "contracts today" in _conversation(agent, number)

    writes = [s for s in log if s.method not in ("GET", "HEAD")]
    assert len(writes) >= 6 and all(s.status < 400 for s in writes)
    # RT's own address: the session does it all, the token is never sent for a write.
    assert all(s.cookie and not s.token and s.origin == configured.url for s in writes)
    assert not _forgery_refusals(log)


@pytest.fixture
def reverse_proxy(strict_rt: StrictRt) -> Iterator[FaultProxy]:
    """The desk at an address that is not RT's own (RT's $WebBaseURL is its port)."""
    strict_rt.rt.ensure(Referrers())
    with FaultProxy(strict_rt.url) as proxy:
        yield proxy


def _whitelist(strict: StrictRt, proxy: FaultProxy, **settings: bool) -> None:
    host_port = urllib.parse.urlsplit(proxy.url).netloc
    strict.rt.restart(Referrers(whitelist=(host_port,), **settings))


def _forgery_refusals(log: list[Sent]) -> list[Sent]:
    return [s for s in log if s.status == 403]


def test_behind_a_proxy_writes_fall_back_to_the_token_once_and_for_all(
    strict_rt: StrictRt,
    reverse_proxy: FaultProxy,
    agent: RtAgent,
    caplog: pytest.LogCaptureFixture,
) -> None:
    log: list[Sent] = []
    credential = strict_rt.employee_credential("token", reverse_proxy.url)
    desk = _desk(strict_rt, credential, log, reverse_proxy.url)
    with caplog.at_level(logging.WARNING, logger="client.adapters.desks.rt"):
        ref = desk.create_ticket(Report("Proxy: VPN drops", "Every hour."))
        desk.reply(ref, "Also at home.")
        desk.reply(ref, "And on the train.")
    assert "Also at home." in _conversation(agent, int(ref.id))
    assert len(agent.tickets_with_subject("Proxy: VPN drops")) == 1
    refused = _forgery_refusals(log)
    assert [(s.method, bool(s.cookie)) for s in refused] == [("POST", True)], "refused once only"
    writes = [s for s in log if s.method == "POST" and s.status < 400]
    assert len(writes) == 3 and all(s.token and not s.cookie for s in writes)
    reads = [s for s in log if s.method == "GET" and s.path.startswith("/REST/")]
    assert reads and all(s.cookie and not s.token for s in reads), "reads keep the session"
    (warning,) = [r for r in caplog.records if "ReferrerWhitelist" in r.getMessage()]
    assert urllib.parse.urlsplit(reverse_proxy.url).netloc in warning.getMessage()


def test_behind_a_proxy_a_password_session_waits_until_it_is_whitelisted(
    strict_rt: StrictRt, reverse_proxy: FaultProxy, agent: RtAgent, tmp_path: Path
) -> None:
    from client.adapters.store import SqliteOutbox

    log: list[Sent] = []
    credential = strict_rt.employee_credential("password", reverse_proxy.url)
    desk = _desk(strict_rt, credential, log, reverse_proxy.url)
    subject = "Proxy: the beamer shows nothing"
    with pytest.raises(Forbidden) as refused:
        desk.create_ticket(Report(subject, "Meeting room 2."))
    assert refused.value.reason == "csrf"
    assert agent.tickets_with_subject(subject) == []

    # The outbox keeps the report waiting: not a verdict on the report.
    store = SqliteOutbox(tmp_path / "outbox.sqlite")
    store.open()
    clock = [1000.0]
    sender = OutboxSender(store, lambda: clock[0])
    store.add(Report(subject, "Meeting room 2."), clock[0])
    attempt = sender.send_next(desk)
    assert attempt is not None and attempt.item.state is OutboxState.RETRY

    # IT lists the proxy's address; the same signed-in desk now delivers it, once.
    _whitelist(strict_rt, reverse_proxy)
    clock[0] += 24 * 3600
    attempt = sender.send_next(desk)
    assert attempt is not None and attempt.delivered and attempt.item.ticket is not None
    assert agent.tickets_with_subject(subject) == [int(attempt.item.ticket.id)]
    desk.reply(attempt.item.ticket, "Still dark.")
    assert "Still dark." in _conversation(agent, int(attempt.item.ticket.id))


def test_behind_a_proxy_a_password_sign_in_needs_the_login_page_whitelisted(
    strict_rt: StrictRt, reverse_proxy: FaultProxy
) -> None:
    strict_rt.rt.ensure(Referrers(restrict=True, restrict_login=True))
    with pytest.raises(Forbidden) as refused:
        strict_rt.employee_credential("password", reverse_proxy.url)
    assert refused.value.reason == "csrf"
    assert "ReferrerWhitelist" in str(refused.value)
    _whitelist(strict_rt, reverse_proxy, restrict=True, restrict_login=True)
    credential = strict_rt.employee_credential("password", reverse_proxy.url)
    log: list[Sent] = []
    assert _desk(strict_rt, credential, log, reverse_proxy.url).whoami().username == "anna"


def test_the_session_id_and_token_are_masked_in_the_log(strict_rt: StrictRt) -> None:
    strict_rt.rt.ensure(Referrers())
    redactor = Redactor()
    connector = RtConnector(HttpConfig(), queue=QUEUE, remember_secret=redactor.add_secret)
    credential = connector.sign_in(strict_rt.url, "anna", strict_rt.tokens["anna"])
    log: list[Sent] = []
    recording = RtConnector(
        HttpConfig(), _recording(log), queue=QUEUE, remember_secret=redactor.add_secret
    )
    desk = recording.open(strict_rt.url, credential)
    desk.whoami()
    (cookie,) = {s.cookie for s in log if s.path.startswith("/REST/")}
    sid = cookie.partition("=")[2]
    assert len(sid) >= 16
    # Wherever they appear (a desk echoing headers into an error page), they are masked.
    token = strict_rt.tokens["anna"]
    assert redactor.redact(f"echo {token} and {sid}") == "echo [redacted] and [redacted]"
