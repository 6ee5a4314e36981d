"""An idle client's cost to the desk, and a realistic fleet's: requests per hour, bytes, delays.

Budgets (architecture §5 and §12): an idle client whose tickets do not change
costs at most one small request per slow interval (≤ 12 an hour) while its user
has an open ticket, and a realistic fleet, where 80 % of the desktops have no
open ticket, costs ≤ 4 requests per client-hour. Worst-case delays: an agent's
change on an open ticket is heard of within the slow interval (5 min), a ticket
an agent opened for someone with nothing open within the rare one (30 min).

- Two simulated desktops, each the real ``TicketPoller`` (its schedule: the
  slow and rare intervals of the settings' defaults, its jitter and backoff)
  driving the real django-helpdesk adapter and HTTP layer against a real demo
  desk on 127.0.0.1: Anna, who has open tickets, and Bram, whose tickets are
  all closed (the bench closes them first, as an agent). Between them and the
  desk sits a TCP relay that counts every byte each way, headers included; a
  ``requests`` response hook counts the HTTP requests.
- Time is simulated: each poller's two clocks are moved on by what its timer
  was armed for, and the timer is fired at once (also when it only wakes to
  compare the clocks on the way to a rare poll), so a day of idle polling
  takes seconds; every poll is a real request answered by the desk.
- The delays: right after a poll, an agent answers one of Anna's open tickets
  (django-helpdesk's own staff pages), or a new ticket is filed for Bram; the
  simulated time until the poll that brings it is the delay. The worst case is
  the longest wait between two polls; the trials sample it.
- Also measured: a watched ticket fetched again unchanged (304) against its
  first fetch (200), and, as the baseline of the same run, how many idle
  polls per second the demo desk answers to several clients at once.
"""

from __future__ import annotations

import contextlib
import functools
import random
import socket
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

from client.adapters.desks.django_helpdesk import DjangoHelpdeskDesk
from client.adapters.http import HttpClient, HttpConfig, make_session
from client.core.models import Cursor, Report, TicketSummary
from client.core.settings import Settings
from client.services.poller import FINISHED, TicketPoller
from client.services.tasks import SyncTaskRunner
from demo.agent_console import AgentConsole
from demo.deskctl import DemoDesk, temporary_desk

#: Requests an idle client with an open ticket may cost per hour (architecture §12).
BUDGET_PER_HOUR = 12.0
#: Requests per client-hour of a realistic fleet (architecture §12).
FLEET_BUDGET_PER_HOUR = 4.0
#: The share of a realistic fleet's desktops whose user has an open ticket.
OPEN_SHARE = 0.2
FLEET = 10_000
#: What a single Request Tracker worker serves here (architecture §5), for scale.
RT_WORKER_GETS_PER_S = 30.0
#: The demo desk's cursor lies this far in the past (``demo/tray_api/views.py``).
CURSOR_MARGIN_S = 30.0
#: The demo desk's agent who plays the other side (``demo/README.md``).
AGENT = ("joost", "demo-agent")
EMPLOYEE_PASSWORD = "demo-employee"

T = TypeVar("T")


class CountingRelay:
    """A TCP relay on 127.0.0.1 counting the bytes each way: what the client puts on the wire."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self.sent = 0  # client -> desk
        self.received = 0  # desk -> client
        self.connections = 0
        self._open: set[tuple[socket.socket, socket.socket]] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def counts(self) -> tuple[int, int, int]:
        """Bytes sent, bytes received, connections opened, so far."""
        with self._lock:
            return self.sent, self.received, self.connections

    def drop_connections(self) -> None:
        """Close every open connection, as a server does with idle ones after its keep-alive."""
        with self._lock:
            pairs = list(self._open)
        if not pairs:
            return
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        time.sleep(0.05)  # let the client's side see the end before its next request

    def close(self) -> None:
        """Stop accepting (open connections end with their peers)."""
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            desk = socket.create_connection(self._upstream)
            with self._lock:
                self.connections += 1
                self._open.add((client, desk))
            open_pipes = [2]
            for source, target, outgoing in ((client, desk, True), (desk, client, False)):
                threading.Thread(
                    target=self._pipe,
                    args=(source, target, outgoing, open_pipes, (client, desk)),
                    daemon=True,
                ).start()

    def _pipe(
        self,
        source: socket.socket,
        target: socket.socket,
        outgoing: bool,
        open_pipes: list[int],
        pair: tuple[socket.socket, socket.socket],
    ) -> None:
        try:
            while data := source.recv(65536):
                with self._lock:  # counted before it is passed on: the reader never gets ahead
                    if outgoing:
                        self.sent += len(data)
                    else:
                        self.received += len(data)
                target.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)
        with self._lock:
            open_pipes[0] -= 1
            last = open_pipes[0] == 0
        if last:
            with self._lock:
                self._open.discard(pair)
            for sock in pair:
                sock.close()


class _NotingDesk(DjangoHelpdeskDesk):
    """The real adapter, noting how many tickets each poll listed (an idle one lists none)."""

    def __init__(self, http: HttpClient) -> None:
        super().__init__(http)
        self.listed: list[int] = []

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """As the adapter, noting the number of tickets in the answer."""
        changed, cursor = super().changed_tickets(since)
        self.listed.append(len(changed))
        return changed, cursor


class _SimClock:
    """Monotonic and wall time of the simulation (awake all along: both move together)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_800_000_000.0 + self.now


def _counting_sessions(statuses: list[int]) -> Callable[[HttpConfig], requests.Session]:
    """The adapter's own sessions, with a response hook counting the requests made."""

    def note(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        statuses.append(response.status_code)

    def factory(config: HttpConfig) -> requests.Session:
        session = make_session(config)
        session.hooks["response"].append(note)
        return session

    return factory


class _Desktop(QObject):
    """One employee's tray, simulated: the real poller, adapter and HTTP layer, its own clock."""

    def __init__(self, url: str, token: str, seed: int | None) -> None:
        super().__init__()
        settings = Settings()
        self.statuses: list[int] = []
        self.http = HttpClient(
            url,
            HttpConfig(),
            {"Authorization": f"Token {token}"},
            session_factory=_counting_sessions(self.statuses),
        )
        self.desk = _NotingDesk(self.http)
        self.clock = _SimClock()
        self.poller = TicketPoller(
            SyncTaskRunner(),
            slow_interval_s=settings.poll_interval_s,
            rare_interval_s=settings.rare_poll_interval_s,
            clock=self.clock,
            wall_clock=self.clock.wall,
            rng=random.Random(seed),
        )
        timer = self.poller.findChild(QTimer)
        assert timer is not None
        self.timer = timer
        self.news = 0
        self.poller.tickets_changed.connect(self._on_poller_tickets_changed)

    @Slot(list)
    def _on_poller_tickets_changed(self, changes: list[object]) -> None:
        self.news += 1

    @property
    def polls(self) -> int:
        """Polls made so far."""
        return len(self.desk.listed)

    def wake(self) -> bool:
        """What the single-shot timer does when its time comes; whether it polled."""
        before = self.polls
        self.clock.now += self.timer.interval() / 1000.0
        self.timer.timeout.emit()
        return self.polls > before

    def wake_until_poll(self) -> None:
        """Let the timer run until it polls (a rare wait wakes a few times first)."""
        while not self.wake():
            pass

    def settle_into(self, interval_s: float) -> None:
        """Poll until the cadence is back to ``interval_s`` (after news: fast for a while)."""
        self.wake_until_poll()
        while (self.poller.next_delay_s or 0.0) < interval_s:
            self.wake_until_poll()

    def close(self) -> None:
        """Stop polling and close the connections."""
        self.poller.stop()
        self.http.close()


@dataclass
class Poll:
    """One idle poll as the desk saw it."""

    at_s: float  # simulated seconds since the measurement began
    requests: int
    sent: int
    received: int
    listed: int


@dataclass
class ClientRun:
    """One simulated desktop's idle hours."""

    name: str
    interval_s: float
    hours: int
    polls: list[Poll] = field(default_factory=list)
    #: Timer wake-ups, with a request or (on the way to a rare poll) without.
    wakeups: int = 0

    @property
    def per_hour(self) -> list[int]:
        """Requests in each simulated hour."""
        counts = [0] * self.hours
        for poll in self.polls:
            counts[int(poll.at_s // 3600)] += poll.requests
        return counts

    @property
    def mean_per_hour(self) -> float:
        """Requests per hour, on average."""
        return statistics.mean(self.per_hour)

    @property
    def requests_per_poll(self) -> float:
        """HTTP requests one idle poll makes."""
        return sum(p.requests for p in self.polls) / len(self.polls)

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        return {
            "name": self.name,
            "interval_s": self.interval_s,
            "hours": self.hours,
            "polls": len(self.polls),
            "requests_per_poll": self.requests_per_poll,
            "per_hour": self.per_hour,
            "mean_per_hour": self.mean_per_hour,
            "wakeups": self.wakeups,
            "listed": sum(p.listed for p in self.polls),
        }


@dataclass
class Result:
    """Two desktops' idle hours, the fleet, the delays, the watched fetch, the desk's baseline."""

    hours: int
    slow_interval_s: float
    rare_interval_s: float
    jitter: float
    open_client: ClientRun
    quiet_client: ClientRun
    slow_delays: list[float] = field(default_factory=list)
    rare_delays: list[float] = field(default_factory=list)
    connections: int = 0
    ticket_200_bytes: int = 0
    ticket_304_bytes: int = 0
    desk_polls_per_s: float = 0.0
    desk_clients: int = 0

    @property
    def polls(self) -> list[Poll]:
        """Every idle poll measured, both desktops."""
        return self.open_client.polls + self.quiet_client.polls

    @property
    def bytes_per_poll(self) -> float:
        """Mean bytes on the wire per idle poll, both ways."""
        return statistics.mean(p.sent + p.received for p in self.polls)

    @property
    def fleet_per_hour(self) -> float:
        """Requests per client-hour of the 80/20 fleet, on average."""
        return (
            OPEN_SHARE * self.open_client.mean_per_hour
            + (1 - OPEN_SHARE) * self.quiet_client.mean_per_hour
        )

    @property
    def fleet_worst_hour(self) -> float:
        """The same with each desktop in its busiest hour."""
        return OPEN_SHARE * max(self.open_client.per_hour) + (1 - OPEN_SHARE) * max(
            self.quiet_client.per_hour
        )

    def fleet(self) -> tuple[float, float]:
        """Requests and bytes per second at the desk from :data:`FLEET` idle desktops."""
        requests_per_s = FLEET * self.fleet_per_hour / 3600.0
        requests_per_poll = sum(p.requests for p in self.polls) / len(self.polls)
        return requests_per_s, requests_per_s * self.bytes_per_poll / requests_per_poll

    def table(self) -> list[str]:
        """Markdown rows."""
        open_, quiet = self.open_client, self.quiet_client
        sizes = [p.sent + p.received for p in self.polls]
        sent = statistics.mean(p.sent for p in self.polls)
        received = statistics.mean(p.received for p in self.polls)
        fleet_rps, fleet_bps = self.fleet()
        before = BUDGET_PER_HOUR  # every desktop at the slow interval, as before issue 11
        fleet_ratio = self.fleet_per_hour / FLEET_BUDGET_PER_HOUR
        return [
            "| measure | value | budget | ratio |",
            "|---|---|---|---|",
            f"| intervals (settings' defaults): slow (a ticket open), rare (nothing open) "
            f"| {self.slow_interval_s:.0f} s, {self.rare_interval_s:.0f} s, exact, start to "
            f"start (a new phase, up to {self.jitter:.0%} sooner, only after the network "
            f"comes back or a resume) | | |",
            f"| HTTP requests per idle poll (counted, {len(self.polls)} polls) "
            f"| **{sum(p.requests for p in self.polls) / len(self.polls):.2f}** | 1 | |",
            f"| a ticket open: requests per hour, {open_.hours} simulated hours: mean "
            f"(fewest–most) | **{open_.mean_per_hour:.2f}** ({min(open_.per_hour)}–"
            f"{max(open_.per_hour)}) | ≤ {BUDGET_PER_HOUR:.0f} "
            f"| {open_.mean_per_hour / BUDGET_PER_HOUR:.2f}× |",
            f"| nothing open: requests per hour, {quiet.hours} simulated hours: mean "
            f"(fewest–most) | **{quiet.mean_per_hour:.2f}** ({min(quiet.per_hour)}–"
            f"{max(quiet.per_hour)}) | ≤ 2 | {quiet.mean_per_hour / 2:.2f}× |",
            f"| nothing open: timer wake-ups per hour (clock checks, no request) "
            f"| {quiet.wakeups / quiet.hours:.1f} ({len(quiet.polls)} of "
            f"{quiet.wakeups} with a request) | | |",
            f"| **fleet, {OPEN_SHARE:.0%} with a ticket open: requests per client-hour** "
            f"| **{self.fleet_per_hour:.2f}** (busiest hours: {self.fleet_worst_hour:.2f}) "
            f"| ≤ {FLEET_BUDGET_PER_HOUR:.0f} | **{fleet_ratio:.2f}×** "
            f"({self.fleet_per_hour / before:.2f}× the {before:.0f} before) |",
            f"| delay: an agent's change on an open ticket, worst of {len(self.slow_delays)} "
            f"| **{max(self.slow_delays):.0f} s** | ≤ {self.slow_interval_s:.0f} s "
            f"| {max(self.slow_delays) / self.slow_interval_s:.2f}× |",
            f"| delay: a new ticket for someone with nothing open, worst of "
            f"{len(self.rare_delays)} | **{max(self.rare_delays):.0f} s** "
            f"| ≤ {self.rare_interval_s:.0f} s "
            f"| {max(self.rare_delays) / self.rare_interval_s:.2f}× |",
            f"| bytes per idle poll on the wire, headers included: request + answer "
            f"| **{self.bytes_per_poll:.0f} B** ({sent:.0f} + {received:.0f}; "
            f"{min(sizes)}–{max(sizes)}) | small | |",
            f"| tickets listed by those polls | {sum(p.listed for p in self.polls)} | 0 | |",
            f"| TCP connections opened for them (handshakes not in the bytes) "
            f"| {self.connections} | | |",
            f"| watched ticket fetched again unchanged: 304 vs first fetch 200 "
            f"| {self.ticket_304_bytes} B vs {self.ticket_200_bytes} B | | |",
            f"| {FLEET:,} desktops of that fleet: requests per second at the desk "
            f"| **{fleet_rps:.1f}/s** | | {fleet_rps / RT_WORKER_GETS_PER_S:.2f}× one RT worker's "
            f"~{RT_WORKER_GETS_PER_S:.0f} GETs/s |",
            f"| {FLEET:,} desktops of that fleet: bytes per second at the desk "
            f"| {fleet_bps / 1000:.0f} kB/s ({fleet_bps * 86400 / 1e9:.1f} GB a day) | | |",
            f"| demo desk answering idle polls, {self.desk_clients} clients at once "
            f"| {self.desk_polls_per_s:.0f}/s | | "
            f"fleet = {fleet_rps / self.desk_polls_per_s:.2f}× |",
        ]

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        fleet_rps, fleet_bps = self.fleet()
        return {
            "hours": self.hours,
            "slow_interval_s": self.slow_interval_s,
            "rare_interval_s": self.rare_interval_s,
            "jitter": self.jitter,
            "open_client": self.open_client.as_dict(),
            "quiet_client": self.quiet_client.as_dict(),
            "open_share": OPEN_SHARE,
            "fleet_per_hour": self.fleet_per_hour,
            "fleet_worst_hour": self.fleet_worst_hour,
            "slow_delays_s": self.slow_delays,
            "rare_delays_s": self.rare_delays,
            "bytes_per_poll": self.bytes_per_poll,
            "connections": self.connections,
            "ticket_200_bytes": self.ticket_200_bytes,
            "ticket_304_bytes": self.ticket_304_bytes,
            "fleet_requests_per_s": fleet_rps,
            "fleet_bytes_per_s": fleet_bps,
            "desk_polls_per_s": self.desk_polls_per_s,
            "desk_clients": self.desk_clients,
        }


def _settle(desktops: list[_Desktop]) -> None:
    """Poll (in real time) until a poll lists nothing: the seed is older than the cursor margin."""
    deadline = time.monotonic() + 3 * CURSOR_MARGIN_S
    waiting = list(desktops)
    while waiting:
        if time.monotonic() > deadline:
            raise RuntimeError("the demo desk keeps listing tickets: the client is not idle")
        time.sleep(5.0)
        for desktop in waiting:
            desktop.wake_until_poll()
        waiting = [d for d in waiting if d.desk.listed[-1] != 0]


def _idle(desktop: _Desktop, relay: CountingRelay, name: str, hours: int) -> ClientRun:
    """``hours`` of simulated idle time; every poll as the desk saw it."""
    run = ClientRun(name, desktop.poller.next_delay_s or 0.0, hours)
    began = desktop.clock.now
    while desktop.clock.now + desktop.timer.interval() / 1000.0 < began + hours * 3600:
        # Minutes apart, a poll finds its connection closed by the server
        # (keep-alive timeouts are seconds to a minute): each opens its own.
        relay.drop_connections()
        before, (sent, received, _) = len(desktop.statuses), relay.counts()
        polled = desktop.wake()
        run.wakeups += 1
        if polled:
            after_sent, after_received, _ = relay.counts()
            run.polls.append(
                Poll(
                    at_s=desktop.clock.now - began,
                    requests=len(desktop.statuses) - before,
                    sent=after_sent - sent,
                    received=after_received - received,
                    listed=desktop.desk.listed[-1],
                )
            )
    return run


def _delay(desktop: _Desktop, change: Callable[[], T]) -> tuple[float, T]:
    """Simulated seconds from a change at the desk, made right after a poll, to its news.

    Also what ``change`` returned.
    """
    news = desktop.news
    began = desktop.clock.now  # the last wake polled
    made = change()
    while desktop.news == news:
        desktop.wake()
        if desktop.clock.now - began > 4 * 3600:
            raise RuntimeError("the change never reached the client")
    return desktop.clock.now - began, made


def _close_all(demo: DemoDesk, token: str, agent: AgentConsole) -> None:
    """As an agent: close every ticket of the user whose token this is."""
    from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector

    desk = DjangoHelpdeskConnector(HttpConfig()).open(demo.base_url, token)
    for ticket in desk.changed_tickets(None)[0]:
        if ticket.stage not in FINISHED:
            agent.close(int(ticket.ref.id), "Closed for the benchmark: nothing open.")


def _desk_throughput(url: str, token: str, clients: int, seconds: float) -> float:
    """Idle polls per second the desk answers to ``clients`` polling back to back."""
    http = HttpClient(url, HttpConfig(), {"Authorization": f"Token {token}"})
    desk = DjangoHelpdeskDesk(http)
    _, cursor = desk.changed_tickets(None)
    answered = [0] * clients
    start = time.monotonic()

    def client(index: int) -> None:
        while time.monotonic() - start < seconds:
            changed, _ = desk.changed_tickets(cursor)
            assert not changed, "not idle"
            answered[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    http.close()
    return sum(answered) / elapsed


def run(hours: int, seed: int | None = None, clients: int = 4, trials: int = 6) -> Result:
    """Measure against a fresh demo desk."""
    _app = QCoreApplication.instance() or QCoreApplication([])  # for the pollers' timers
    settings = Settings()
    rng = random.Random(seed)
    with temporary_desk() as demo, AgentConsole(demo.base_url, *AGENT) as agent:
        anna_token = demo.token_for("anna", EMPLOYEE_PASSWORD)
        bram_token = demo.token_for("bram", EMPLOYEE_PASSWORD)
        _close_all(demo, bram_token, agent)  # Bram: nothing open
        relay = CountingRelay(("127.0.0.1", demo.port or 0))
        url = f"http://127.0.0.1:{relay.port}"
        anna = _Desktop(url, anna_token, rng.randrange(2**32))
        bram = _Desktop(url, bram_token, rng.randrange(2**32))
        try:
            for desktop in (anna, bram):
                desktop.poller.start(desktop.desk)  # the first poll lists every ticket
            _settle([anna, bram])
            # The baseline now, while nothing has changed at the desk for a while.
            desk_polls_per_s = _desk_throughput(demo.base_url, anna_token, clients, 10.0)
            _, _, connections_before = relay.counts()
            open_run = _idle(anna, relay, "a ticket open", hours)
            quiet_run = _idle(bram, relay, "nothing open", hours)
            result = Result(
                hours,
                float(settings.poll_interval_s),
                float(settings.rare_poll_interval_s),
                0.1,
                open_run,
                quiet_run,
            )
            result.connections = relay.counts()[2] - connections_before
            open_ticket = next(t for t in anna.poller.tickets if t.stage not in FINISHED)
            bram_http = HttpClient(
                demo.base_url, HttpConfig(), {"Authorization": f"Token {bram_token}"}
            )
            bram_desk = DjangoHelpdeskDesk(bram_http)
            for number in range(trials):
                anna.settle_into(result.slow_interval_s)
                answer = functools.partial(
                    agent.reply, int(open_ticket.ref.id), f"Benchmark answer {number}."
                )
                result.slow_delays.append(_delay(anna, answer)[0])
                bram.settle_into(result.rare_interval_s)
                report = Report(subject=f"Opened for Bram ({number})", description="By an agent.")
                seconds, ref = _delay(bram, functools.partial(bram_desk.create_ticket, report))
                result.rare_delays.append(seconds)
                agent.close(int(ref.id), "Done: nothing open again.")
            ref = anna.poller.tickets[0].ref
            for attribute in ("ticket_200_bytes", "ticket_304_bytes"):
                sent, received, _ = relay.counts()
                anna.desk.ticket(ref)
                after_sent, after_received, _ = relay.counts()
                setattr(result, attribute, after_sent - sent + after_received - received)
            assert anna.statuses[-2:] == [200, 304], anna.statuses[-2:]
            bram_http.close()
        finally:
            anna.close()
            bram.close()
            relay.close()
        result.desk_clients = clients
        result.desk_polls_per_s = desk_polls_per_s
    return result
