"""What a profile update costs the web server and the employee's computer.

The demo profile (``demo/profile_site.py``: three departments, three agents,
two drawn photos, two articles) is published and served on 127.0.0.1 by a
static server that counts every request and every byte it sends. The real
profile helper process (``helpdesk-tray --profile-helper``, as the tray runs
it) updates a fresh cache once (the first start), then ``rounds`` times with
nothing changed (what every 6-hourly update costs), then once after a new
publication. Timed: the helper process from start to exit (Python, tuf,
cryptography and the checks included).

Budget (issue 12): the requests and bytes of an update where nothing changed,
counted in the idle fleet cost. The fleet budget (issue 11: ≤ 4 requests per
client-hour) is the desk's; the profile's requests go to a static web server
and are counted beside it (docs/performance.md, "The signed profile").
"""

from __future__ import annotations

import functools
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from client.adapters.profile_helper import ProfileHelper, ProfileSettings
from demo.profile_site import demo_document, publish_demo_profile

#: Polling's requests to the desk per client-hour (bench/idle_polls.py, steady state).
POLLING_PER_HOUR = 4.0
#: The idle fleet budget: requests to the desk per client-hour.
DESK_BUDGET_PER_HOUR = 4.0
REFRESH_HOURS = 6


class _Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0
        self.paths: list[str] = []

    def take(self) -> tuple[int, int, list[str]]:
        with self.lock:
            counts = (self.requests, self.bytes, list(self.paths))
            self.requests, self.bytes, self.paths = 0, 0, []
        return counts


class _Counting(SimpleHTTPRequestHandler):
    counter: _Counter

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """No access log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        with self.counter.lock:
            self.counter.requests += 1
            self.counter.paths.append(f"{self.path} {code}")

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "content-length":
            with self.counter.lock:
                self.counter.bytes += int(value)
        super().send_header(keyword, value)


@dataclass
class Update:
    """One update as the server saw it."""

    what: str
    requests: int
    body_bytes: int
    seconds: float
    paths: list[str] = field(default_factory=list)


@dataclass
class Result:
    """The first update, the unchanged ones, one after a new publication."""

    first: Update
    unchanged: list[Update]
    changed: Update

    @property
    def unchanged_requests(self) -> int:
        """Requests of an update where nothing changed (the same every time)."""
        return max(u.requests for u in self.unchanged)

    def fleet_per_hour(self) -> float:
        """All requests per client-hour: polling's steady 4.0 (the desk) plus the profile's."""
        return POLLING_PER_HOUR + self.unchanged_requests / REFRESH_HOURS

    def table(self) -> list[str]:
        """Markdown rows for docs/performance.md."""
        seconds = statistics.median(u.seconds for u in self.unchanged)
        rows = [
            "| measure | value | budget |",
            "|---|---|---|",
            f"| first update (empty cache): requests, body bytes | {self.first.requests}, "
            f"{self.first.body_bytes:,} B | |",
            f"| **update with nothing changed: requests, body bytes** (worst of "
            f"{len(self.unchanged)}) | **{self.unchanged_requests}**, "
            f"{max(u.body_bytes for u in self.unchanged):,} B | at least 2 (issue) |",
            f"| what it asks: | {'; '.join(self.unchanged[0].paths)} | |",
            f"| update after a new publication: requests, body bytes | {self.changed.requests}, "
            f"{self.changed.body_bytes:,} B | |",
            f"| helper process, start to exit, nothing changed (median) | {seconds:.2f} s | |",
            f"| to the profile's web server, per client-hour at one update every "
            f"{REFRESH_HOURS} h | {self.unchanged_requests / REFRESH_HOURS:.2f} | counted beside |",
            f"| to the desk, per client-hour (polling) | {POLLING_PER_HOUR:.1f} | "
            f"≤ {DESK_BUDGET_PER_HOUR:.0f} |",
            f"| all requests, per client-hour | {self.fleet_per_hour():.2f} | |",
        ]
        return rows

    def as_dict(self) -> dict[str, object]:
        """For the JSON record."""
        return {
            "first": vars(self.first),
            "unchanged": [vars(u) for u in self.unchanged],
            "changed": vars(self.changed),
            "fleet_per_hour": self.fleet_per_hour(),
        }


def run(rounds: int = 5) -> Result:
    """Measure against a freshly published demo profile."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-tray-profile-bench-") as tmp:
        root = Path(tmp)
        site = root / "site"
        now = datetime.now(UTC)
        demo = publish_demo_profile(site, now)
        (root / "profile-root.json").write_bytes(demo.root)
        counter = _Counter()
        handler = functools.partial(
            type("Handler", (_Counting,), {"counter": counter}), directory=str(site)
        )
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        helper = ProfileHelper(ProfileSettings(url, root / "profile-root.json", root / "cache"))
        try:

            def update(what: str) -> Update:
                started = time.perf_counter()
                outcome = helper.update()
                seconds = time.perf_counter() - started
                if outcome.refusal:
                    raise RuntimeError(f"the update was refused: {outcome}")
                requests, body, paths = counter.take()
                return Update(what, requests, body, seconds, paths)

            first = update("first")
            unchanged = [update("unchanged") for _ in range(rounds)]
            document, files = demo_document(now)
            files["articles/printer.en.md"] = (
                b"# The printer says it is offline\n\nCheck the cable.\n"
            )
            demo.publish(document, files)  # one article changed: a new targets version
            changed = update("changed")
        finally:
            server.shutdown()
            server.server_close()
        return Result(first, unchanged, changed)
