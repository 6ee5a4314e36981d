"""Conditional ticket fetches (ETag, ``If-None-Match``, 304) against the real demo desk."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from client.adapters.desks.django_helpdesk import API_PREFIX, DjangoHelpdeskConnector
from client.adapters.http import HttpClient, HttpConfig, make_session
from client.core.errors import NotFound
from client.core.models import Report
from demo.agent_console import AgentConsole
from tests.support.desk_fixture import AGENT_PASSWORD, DeskAccess

pytestmark = pytest.mark.desk

CONFIG = HttpConfig(connect_timeout=2.0, read_timeout=15.0)


@dataclass(frozen=True)
class Exchange:
    """One request as it went out, and the status it got."""

    method: str
    path: str
    if_none_match: str | None
    status: int


def _recording(log: list[Exchange]) -> Callable[[HttpConfig], requests.Session]:
    """The adapter's real session, with a ``requests`` response hook noting every exchange."""

    def record(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        sent = response.request
        path = urllib.parse.urlsplit(sent.url or "").path
        tag = sent.headers.get("If-None-Match")
        log.append(Exchange(sent.method or "", path, tag, response.status_code))

    def factory(config: HttpConfig) -> requests.Session:
        session = make_session(config)
        session.hooks["response"].append(record)
        return session

    return factory


def test_a_ticket_asked_for_again_unchanged_is_a_304_with_the_same_ticket(
    demo_desk: DeskAccess,
) -> None:
    log: list[Exchange] = []
    desk = DjangoHelpdeskConnector(CONFIG, session_factory=_recording(log)).open(
        demo_desk.url, demo_desk.anna_token
    )
    ref = desk.create_ticket(Report(subject="Docking station flickers", description="twice a day"))
    log.clear()
    first = desk.ticket(ref)
    second = desk.ticket(ref)
    path = f"{API_PREFIX}/tickets/{ref.id}"
    assert [(e.method, e.path, e.status) for e in log] == [("GET", path, 200), ("GET", path, 304)]
    assert log[0].if_none_match is None and log[1].if_none_match
    assert second == first
    with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
        agent.reply(int(ref.id), "Which docking station model is it?")
    third = desk.ticket(ref)
    assert log[-1].status == 200 and log[-1].if_none_match == log[1].if_none_match
    assert "Which docking station model is it?" in [e.text for e in third.events]
    fourth = desk.ticket(ref)
    assert log[-1].status == 304 and fourth == third  # the new answer's tag is the one kept


def test_an_etag_tells_nothing_about_another_employees_ticket(demo_desk: DeskAccess) -> None:
    anna = DjangoHelpdeskConnector(CONFIG).open(demo_desk.url, demo_desk.anna_token)
    ref = anna.create_ticket(Report(subject="Salary slip shows last month", description="x"))
    path = f"{API_PREFIX}/tickets/{ref.id}"
    as_anna = HttpClient(demo_desk.url, CONFIG, {"Authorization": f"Token {demo_desk.anna_token}"})
    etag = as_anna.request("GET", path).headers.get("etag")
    assert etag and etag.startswith('"') and not etag.startswith("W/")
    weak = as_anna.request("GET", path, headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status == 304 and weak.body == b""  # weak comparison, as for any If-None-Match
    as_bram = HttpClient(demo_desk.url, CONFIG, {"Authorization": f"Token {demo_desk.bram_token}"})
    with pytest.raises(NotFound):
        as_bram.request("GET", path, headers={"If-None-Match": etag})
