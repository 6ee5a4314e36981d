"""An idle client's cost to the desk: requests and bytes per idle poll and hour, and for a fleet.

Budget (architecture §5 and §12): an idle client whose tickets do not change
costs at most one small request per slow interval, ≤ 12 requests per hour.

- The real ``TicketPoller`` (its schedule: the slow interval of the settings'
  defaults, its jitter and backoff) drives the real django-helpdesk adapter and
  HTTP layer against a real demo desk on 127.0.0.1, through a TCP relay that
  counts every byte each way: requests and answers as they cross the wire,
  headers included. A ``requests`` response hook counts the HTTP requests.
- Time is simulated: the poller's two clocks are moved on by each delay it
  arms and its timer is fired at once, so a day of idle polling takes
  seconds; every poll is a real request answered by the desk.
- Also measured: a watched ticket fetched again unchanged (304) against its
  first fetch (200), and, as the baseline of the same run, how many idle
  polls per second the demo desk answers to several clients at once.
"""

from __future__ import annotations

import contextlib
import random
import socket
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from PySide6.QtCore import QCoreApplication, QTimer

from client.adapters.desks.django_helpdesk import DjangoHelpdeskDesk
from client.adapters.http import HttpClient, HttpConfig, make_session
from client.core.models import Cursor, TicketSummary
from client.core.settings import Settings
from client.services.poller import TicketPoller
from client.services.tasks import SyncTaskRunner
from demo.deskctl import temporary_desk

#: Requests an idle client may cost per hour (architecture §12).
BUDGET_PER_HOUR = 12.0
FLEET = 10_000
#: What a single Request Tracker worker serves here (architecture §5), for scale.
RT_WORKER_GETS_PER_S = 30.0
#: The demo desk's cursor lies this far in the past (``demo/tray_api/views.py``).
CURSOR_MARGIN_S = 30.0


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


@dataclass
class Poll:
    """One idle poll as the desk saw it."""

    at_s: float  # simulated seconds since the measurement began
    requests: int
    sent: int
    received: int
    listed: int


@dataclass
class Result:
    """Polls over simulated hours, the watched-ticket fetch, and the desk's baseline."""

    hours: int
    slow_interval_s: float
    jitter: float
    polls: list[Poll] = field(default_factory=list)
    connections: int = 0
    ticket_200_bytes: int = 0
    ticket_304_bytes: int = 0
    desk_polls_per_s: float = 0.0
    desk_clients: int = 0

    @property
    def per_hour(self) -> list[int]:
        """Requests in each simulated hour."""
        counts = [0] * self.hours
        for poll in self.polls:
            counts[int(poll.at_s // 3600)] += poll.requests
        return counts

    @property
    def requests_per_poll(self) -> float:
        """HTTP requests one idle poll makes."""
        return sum(p.requests for p in self.polls) / len(self.polls)

    @property
    def planned_per_hour(self) -> float:
        """Requests per hour from the slow interval (mean of the jitter) and requests per poll."""
        return 3600.0 / self.slow_interval_s * self.requests_per_poll

    @property
    def bytes_per_poll(self) -> float:
        """Mean bytes on the wire per idle poll, both ways."""
        return statistics.mean(p.sent + p.received for p in self.polls)

    def fleet(self) -> tuple[float, float]:
        """Requests and bytes per second at the desk from :data:`FLEET` idle desktops."""
        per_hour = statistics.mean(self.per_hour)
        requests_per_s = FLEET * per_hour / 3600.0
        return requests_per_s, requests_per_s * self.bytes_per_poll / self.requests_per_poll

    def table(self) -> list[str]:
        """Markdown rows."""
        hours = self.per_hour
        sent = statistics.mean(p.sent for p in self.polls)
        received = statistics.mean(p.received for p in self.polls)
        sizes = [p.sent + p.received for p in self.polls]
        fleet_rps, fleet_bps = self.fleet()
        mean_hour = statistics.mean(hours)
        return [
            "| measure | value | budget | ratio |",
            "|---|---|---|---|",
            f"| slow interval (settings default), jitter | {self.slow_interval_s:.0f} s "
            f"± {self.jitter:.0%} | | |",
            f"| HTTP requests per idle poll (counted, {len(self.polls)} polls) "
            f"| **{self.requests_per_poll:.2f}** | 1 | |",
            f"| requests per idle hour: 3600 s / interval × requests per poll "
            f"| **{self.planned_per_hour:.1f}** | ≤ {BUDGET_PER_HOUR:.0f} "
            f"| **{self.planned_per_hour / BUDGET_PER_HOUR:.2f}×** |",
            f"| requests per idle hour, {self.hours} simulated hours: mean (fewest–most) "
            f"| {mean_hour:.2f} ({min(hours)}–{max(hours)}) | ≤ {BUDGET_PER_HOUR:.0f} "
            f"| {mean_hour / BUDGET_PER_HOUR:.2f}× |",
            f"| bytes per idle poll on the wire, headers included: request + answer "
            f"| **{self.bytes_per_poll:.0f} B** ({sent:.0f} + {received:.0f}; "
            f"{min(sizes)}–{max(sizes)}) | small | |",
            f"| tickets listed by those polls | {sum(p.listed for p in self.polls)} | 0 | |",
            f"| TCP connections opened for them (handshakes not in the bytes) "
            f"| {self.connections} | | |",
            f"| watched ticket fetched again unchanged: 304 vs first fetch 200 "
            f"| {self.ticket_304_bytes} B vs {self.ticket_200_bytes} B | | |",
            f"| {FLEET:,} idle desktops: requests per second at the desk "
            f"| **{fleet_rps:.1f}/s** | | {fleet_rps / RT_WORKER_GETS_PER_S:.2f}× one RT worker's "
            f"~{RT_WORKER_GETS_PER_S:.0f} GETs/s |",
            f"| {FLEET:,} idle desktops: bytes per second at the desk "
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
            "jitter": self.jitter,
            "polls": len(self.polls),
            "requests_per_poll": self.requests_per_poll,
            "planned_per_hour": self.planned_per_hour,
            "per_hour": self.per_hour,
            "bytes_per_poll": self.bytes_per_poll,
            "sent_per_poll": statistics.mean(p.sent for p in self.polls),
            "received_per_poll": statistics.mean(p.received for p in self.polls),
            "listed": sum(p.listed for p in self.polls),
            "connections": self.connections,
            "ticket_200_bytes": self.ticket_200_bytes,
            "ticket_304_bytes": self.ticket_304_bytes,
            "fleet_requests_per_s": fleet_rps,
            "fleet_bytes_per_s": fleet_bps,
            "desk_polls_per_s": self.desk_polls_per_s,
            "desk_clients": self.desk_clients,
        }


def _settle(poller: TicketPoller, desk: _NotingDesk, fire: Callable[[], None]) -> None:
    """Poll (in real time) until a poll lists nothing: the seed is older than the cursor margin."""
    deadline = time.monotonic() + 3 * CURSOR_MARGIN_S
    while time.monotonic() < deadline:
        time.sleep(5.0)
        fire()
        if desk.listed[-1] == 0:
            return
    raise RuntimeError("the demo desk keeps listing tickets: the client is not idle")


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


def run(hours: int, seed: int | None = None, clients: int = 4) -> Result:
    """Measure against a fresh demo desk."""
    _app = QCoreApplication.instance() or QCoreApplication([])  # for the poller's timer
    slow = float(Settings().poll_interval_s)
    with temporary_desk() as demo:
        token = demo.token_for("anna", "demo-employee")
        relay = CountingRelay(("127.0.0.1", demo.port or 0))
        statuses: list[int] = []
        http = HttpClient(
            f"http://127.0.0.1:{relay.port}",
            HttpConfig(),
            {"Authorization": f"Token {token}"},
            session_factory=_counting_sessions(statuses),
        )
        desk = _NotingDesk(http)
        clock = _SimClock()
        poller = TicketPoller(
            SyncTaskRunner(),
            slow_interval_s=slow,
            clock=clock,
            wall_clock=clock.wall,
            rng=random.Random(seed),
        )
        timer = poller.findChild(QTimer)
        result = Result(hours, slow, 0.1)

        def fire() -> None:
            clock.now += poller.next_delay_s or 0.0
            timer.timeout.emit()  # what the single-shot timer does when its time comes

        try:
            poller.start(desk)  # the first poll lists every ticket: that is not idle
            _settle(poller, desk, fire)
            began = clock.now
            _, _, connections_before = relay.counts()
            while clock.now + (poller.next_delay_s or 0.0) < began + hours * 3600:
                # Minutes apart, a poll finds its connection closed by the server
                # (keep-alive timeouts are seconds to a minute): each opens its own.
                relay.drop_connections()
                before, (sent, received, _) = len(statuses), relay.counts()
                fire()
                after_sent, after_received, _ = relay.counts()
                result.polls.append(
                    Poll(
                        at_s=clock.now - began,
                        requests=len(statuses) - before,
                        sent=after_sent - sent,
                        received=after_received - received,
                        listed=desk.listed[-1],
                    )
                )
            result.connections = relay.counts()[2] - connections_before
            ref = poller.tickets[0].ref
            for attribute in ("ticket_200_bytes", "ticket_304_bytes"):
                sent, received, _ = relay.counts()
                desk.ticket(ref)
                after_sent, after_received, _ = relay.counts()
                setattr(result, attribute, after_sent - sent + after_received - received)
            assert statuses[-2:] == [200, 304], statuses[-2:]
        finally:
            poller.stop()
            http.close()
            relay.close()
        result.desk_clients = clients
        result.desk_polls_per_s = _desk_throughput(demo.base_url, token, clients, 10.0)
    return result
