"""The outbox sender as a process of its own, that can be killed at a chosen point.

``python -m tools.outbox_child OUTBOX URL TOKEN JOURNAL --kill-at STEP --kill-after N``
does what the tray does at start-up (recover, make waiting reports due) and
then sends until nothing is left, except that it SIGKILLs itself the N-th time
it reaches STEP:

- ``marked_sending``: the report is marked sending, nothing sent yet;
- ``mid_upload``: half of the request body is on the wire;
- ``created``: the desk has stored the ticket, the outbox has not recorded it;
- ``none``: never (the run that drains the outbox, or one killed from outside).

It prints ``ready`` once the outbox is open, so a harness can kill it at a
random moment of real work rather than during start-up. Every answer to a
ticket creation is appended to JOURNAL as ``<status> <report key>``: a 200
means the desk recognised a report it already had, which a correct sender
never makes it do (it asks first). Exit code 0: the outbox is empty.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
from client.adapters.http import HttpConfig, make_session
from client.adapters.lean_requests import requests
from client.adapters.store import SqliteOutbox
from client.core.outbox import OutboxSender

STEPS = ("marked_sending", "mid_upload", "created", "none")
EXIT_LEFT_OVER = 3
#: Failed attempts after which the child gives up (the harness then reports why).
MAX_FAILURES = 20


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _Countdown:
    """Dies the ``after``-th time ``step`` is reached."""

    def __init__(self, step: str, after: int) -> None:
        self.step = step
        self.left = after

    def reached(self, step: str) -> None:
        if step == self.step:
            self.left -= 1
            if self.left <= 0:
                _die()


class _TwoHalves:
    """A request body sent in two writes, with a call in between (sized: no chunking)."""

    def __init__(self, body: bytes, halfway: Callable[[], None]) -> None:
        self._body = body
        self._halfway = halfway

    def __len__(self) -> int:
        return len(self._body)

    def __iter__(self) -> Iterator[bytes]:
        middle = len(self._body) // 2
        yield self._body[:middle]
        self._halfway()
        yield self._body[middle:]


def _report_key(request: requests.PreparedRequest) -> str:
    body = request.body if isinstance(request.body, bytes) else b""
    marker = b'name="report_key"\r\n\r\n'
    start = body.find(marker)
    if start < 0:
        return parse_qs(urlsplit(request.url or "").query).get("report_key", ["-"])[0]
    start += len(marker)
    return body[start : body.index(b"\r\n", start)].decode()


def _watched_session(countdown: _Countdown, journal: Path) -> Callable[[HttpConfig], Any]:
    """Sessions whose ticket uploads can die half-way and whose answers are journalled."""

    def factory(config: HttpConfig) -> requests.Session:
        session = make_session(config)
        # One adapter serves both schemes: wrap each once.
        for adapter in {id(a): a for a in session.adapters.values()}.values():
            send = adapter.send

            def send_watched(
                request: requests.PreparedRequest, send: Any = send, **kwargs: Any
            ) -> Any:
                creating = (
                    request.method == "POST"
                    and request.url is not None
                    and (request.url.rstrip("/").endswith("/tickets"))
                )
                key = _report_key(request) if creating else ""
                if creating and isinstance(request.body, bytes):
                    request.body = _TwoHalves(  # type: ignore[assignment]
                        request.body, lambda: countdown.reached("mid_upload")
                    )
                response = send(request, **kwargs)
                if creating:
                    with journal.open("a", encoding="ascii") as lines:
                        lines.write(f"{response.status_code} {key}\n")
                return response

            adapter.send = send_watched  # type: ignore[method-assign, assignment]
        return session

    return factory


def main(argv: list[str]) -> int:
    """Send until the outbox is empty, or die where told."""
    parser = argparse.ArgumentParser()
    parser.add_argument("outbox", type=Path)
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("journal", type=Path)
    parser.add_argument("--kill-at", choices=STEPS, default="none")
    parser.add_argument("--kill-after", type=int, default=1)
    args = parser.parse_args(argv)
    countdown = _Countdown(args.kill_at, args.kill_after)
    config = HttpConfig(connect_timeout=5, read_timeout=30, retries=0)
    connector = DjangoHelpdeskConnector(config, _watched_session(countdown, args.journal))
    desk = connector.open(args.url, args.token)
    store = SqliteOutbox(args.outbox)
    store.recover(time.time())  # what the tray does at start
    store.due_now(time.time())  # and when the desk answers again
    print("ready", flush=True)
    sender = OutboxSender(store, time.time, step=countdown.reached)
    failures = 0
    while failures < MAX_FAILURES and (attempt := sender.send_next(desk)) is not None:
        if attempt.error is not None:
            failures += 1
            print(f"attempt failed: {attempt.error!r}", file=sys.stderr, flush=True)
            store.due_now(time.time())  # this harness does not wait for backoff
    left = len([item for item in store.items() if item.state.waiting])
    store.close()
    return 0 if left == 0 else EXIT_LEFT_OVER


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
