"""Request Tracker 5 from one employee's tray: what a report, an idle poll and a changed poll cost.

Against a real RT 5 on 127.0.0.1 (the test suite's fixture, SQLite, 4 workers),
through the real RT adapter and HTTP layer, signed in with an RT auth token:

- create: a report with a 300 KB screenshot and the diagnostics file;
- idle poll: "what changed since the cursor?" when nothing did;
- changed poll: the agent has answered one ticket; the poll that finds it,
  plus the fetch of that ticket (what the tray does while its tracker is open).

Each as the median latency of ``rounds`` and the HTTP requests it made (a
``requests`` response hook counts them). Also the cost of RT's token check:
a request authenticated with a token hashed at RT's default bcrypt cost (12)
against the same request with the session cookie the adapter trades the
token for once.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import requests

from client.adapters.desks.rt import RtConnector
from client.adapters.http import HttpConfig, make_session
from client.core.models import Attachment, Cursor, Report, TicketRef
from client.core.ports import DeskPort
from tests.support.rt_desk import MINT_TOKENS, RT_LIB, RtAccess, start_request_tracker

T = TypeVar("T")

SCREENSHOT_BYTES = 300 * 1024
#: RT's default bcrypt cost (the fixture hashes at 4, to keep the tests fast).
DEFAULT_BCRYPT_COST = 12


@dataclass
class Measure:
    """Latencies (s) and request counts of one operation, repeated."""

    seconds: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)

    def add(self, seconds: float, requests_made: int) -> None:
        self.seconds.append(seconds)
        self.requests.append(requests_made)

    def row(self, what: str) -> str:
        low, high = min(self.seconds) * 1000, max(self.seconds) * 1000
        counts = sorted(set(self.requests))
        count = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
        median = statistics.median(self.seconds) * 1000
        return f"| {what} | **{median:.0f} ms** ({low:.0f}–{high:.0f}) | {count} |"


@dataclass
class DeskResult:
    """What every desk's run measures: a report, an idle poll, a changed poll."""

    rounds: int
    create: Measure = field(default_factory=Measure)
    idle_poll: Measure = field(default_factory=Measure)
    changed_poll: Measure = field(default_factory=Measure)

    def rows(self, desk: str) -> list[str]:
        """The Markdown table of the three, headed by ``desk``'s name."""
        return [
            f"{desk}, median of {self.rounds} (fastest–slowest):",
            "",
            "| operation | latency | HTTP requests |",
            "|---|---|---|",
            self.create.row("create with a 300 KB screenshot + diagnostics"),
            self.idle_poll.row("idle poll (nothing changed)"),
            self.changed_poll.row("changed poll + fetch of the changed ticket"),
        ]

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        return asdict(self)


@dataclass
class Result(DeskResult):
    """Every measure of one run against RT: also what its token costs."""

    sign_in_requests: int = 0
    token_requests_in_polls: int = 0
    token_cost12: Measure = field(default_factory=Measure)
    session_request: Measure = field(default_factory=Measure)

    def table(self) -> list[str]:
        """Markdown rows."""
        ratio = statistics.median(self.token_cost12.seconds) / statistics.median(
            self.session_request.seconds
        )
        return [
            *self.rows("Request Tracker 5"),
            self.token_cost12.row("one GET with a token hashed at bcrypt cost 12"),
            self.session_request.row("the same GET with the adapter's session cookie"),
            "",
            f"token at cost 12 / session cookie: **{ratio:.1f}×**; requests that carried "
            f"the token: {self.sign_in_requests} at sign-in, "
            f"{self.token_requests_in_polls} in all the polls after it",
        ]


class _Counter:
    """Counts the requests every session made by the factory sends, and which carried a token."""

    def __init__(self) -> None:
        self.requests = 0
        self.with_token = 0

    def factory(self, base: Callable[[HttpConfig], requests.Session]) -> Callable[..., Any]:
        def make(config: HttpConfig) -> requests.Session:
            session = base(config)
            session.hooks["response"].append(self._count)
            return session

        return make

    def _count(self, response: requests.Response, *_args: object, **_kwargs: object) -> None:
        self.requests += 1
        if response.request.headers.get("Authorization", "").startswith("token "):
            self.with_token += 1


def _timed(counter: _Counter, measure: Measure, action: Callable[[], T]) -> T:
    before = counter.requests
    start = time.perf_counter()
    result = action()
    measure.add(time.perf_counter() - start, counter.requests - before)
    return result


def reports(rounds: int) -> list[Report]:
    """The reports a benchmark files: a 300 KB screenshot and the diagnostics each."""
    rng = random.Random(7)
    shot = rng.randbytes(SCREENSHOT_BYTES)  # as incompressible as a WebP
    diagnostics = json.dumps({"schema": 1, "filler": "x" * 6000}).encode()
    return [
        Report(
            subject=f"Bench report {index}",
            description="The budget sheet shows #VALUE! in every total.",
            attachments=(
                Attachment("screenshot.webp", "image/webp", shot),
                Attachment("diagnostics.json", "application/json", diagnostics),
            ),
        )
        for index in range(rounds)
    ]


def poll_rounds(
    desk: DeskPort,
    counter: _Counter,
    result: Any,
    ref: TicketRef,
    answer: Callable[[int], object],
) -> None:
    """Idle polls, then polls after the agent's ``answer`` to ``ref`` (with its fetch)."""
    _, cursor = desk.changed_tickets(None)
    for _ in range(result.rounds):
        changed, cursor = _timed(counter, result.idle_poll, partial(desk.changed_tickets, cursor))
        assert not changed, "not idle: a poll listed tickets"
    desk.ticket(ref)  # the tracker shows it: known, with its ETag
    for index in range(result.rounds):
        answer(index)

        def changed_poll(c: Cursor | None = cursor) -> Cursor:
            listed, after = desk.changed_tickets(c)
            assert [t.ref.id for t in listed] == [ref.id], listed
            desk.ticket(ref)
            return after

        cursor = _timed(counter, result.changed_poll, changed_poll)


def _costly_token(access: RtAccess, user: str) -> str:
    """A token for ``user`` hashed at RT's default bcrypt cost (the fixture's are at 4)."""
    rt = access.rt
    config_dir = rt.data_dir / "site.d-cost12"
    shutil.copytree(rt.site_config_dir, config_dir, dirs_exist_ok=True)
    (config_dir / "zz-cost.pm").write_text(
        f"Set($BcryptCost, {DEFAULT_BCRYPT_COST});\n1;\n", encoding="utf-8"
    )
    env = {**rt.env(), "RT_SITE_CONFIG_DIR": str(config_dir)}
    output = subprocess.run(
        ["perl", "-I", str(RT_LIB), str(MINT_TOKENS), user],
        env=env, cwd=rt.data_dir, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    return output.split("\t", 1)[1].strip()


def run(rounds: int = 9) -> Result:
    """Measure against a fresh RT."""
    result = Result(rounds)
    with tempfile.TemporaryDirectory(prefix="bench-rt-") as tmp:
        access = start_request_tracker(Path(tmp))
        agent = access.agent()
        try:
            counter = _Counter()
            connector = RtConnector(
                HttpConfig(), session_factory=counter.factory(make_session), queue=access.queue
            )
            credential = connector.sign_in(access.url, "", access.anna_token)
            desk = connector.open(access.url, credential)
            desk.whoami()
            result.sign_in_requests = counter.with_token

            refs = [
                _timed(counter, result.create, partial(desk.create_ticket, report))
                for report in reports(rounds)
            ]

            # RT keeps 1-second times: a ticket changed within a second of a search is
            # told again by the next one (it might have changed unseen). Idle means
            # nothing changed lately, so let RT's clock move on past the reports.
            time.sleep(3.0)
            token_before = counter.with_token
            ref = refs[0]
            poll_rounds(
                desk, counter, result, ref,
                lambda index: agent.reply(int(ref.id), f"Update {index}: still looking"),
            )  # fmt: skip
            result.token_requests_in_polls = counter.with_token - token_before

            costly = _costly_token(access, "anna")
            url = f"{access.url}/REST/2.0/ticket/{ref.id}"
            session = make_session(HttpConfig())
            for _ in range(rounds):
                start = time.perf_counter()
                response = session.get(url, headers={"Authorization": f"token {costly}"})
                response.raise_for_status()
                result.token_cost12.add(time.perf_counter() - start, 1)
            # The adapter's way: the token once, for RT's session cookie, then the cookie.
            with_cookie = make_session(HttpConfig())
            answer = with_cookie.get(
                f"{access.url}/", headers={"Authorization": f"token {costly}"},
                allow_redirects=False,
            )  # fmt: skip
            assert any(name.startswith("RT_SID_") for name in with_cookie.cookies.keys()), answer
            for _ in range(rounds):
                start = time.perf_counter()
                with_cookie.get(url).raise_for_status()
                result.session_request.add(time.perf_counter() - start, 1)
        finally:
            agent.close()
            access.rt.stop()
    return result
