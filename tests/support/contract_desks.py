"""The real desks every contract test runs against, each with two employees and an agent.

Every test that takes ``contract_desk`` runs once per desk kind in ``KINDS``:
the real servers on 127.0.0.1 (django-helpdesk, the demo desk; Request Tracker 5;
Redmine 5), and stand-ins for the desks no server of which can run here (Zammad,
TOPdesk), each a small stateful server written from the desk's published API
documentation. The tests speak only the desk port (as the employees) and
:class:`DeskAgent` (what the service-desk agent does in the desk's own
interface), so a new desk adapter later only adds a branch here.

A stand-in can honestly answer only what its documentation says: what happens to
a ticket in the desk's own workflow (stages, reopening, photos) is the desk's,
so a test marked ``desk_workflow`` runs against the real desks only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import unquote

import pytest

from client.adapters.desks.django_helpdesk import API_PREFIX, DjangoHelpdeskConnector
from client.adapters.desks.redmine import SETTLE_WITHOUT_CLOCK_S, RedmineConnector
from client.adapters.desks.rt import RtConnector
from client.adapters.http import HttpConfig
from client.core.models import Stage
from client.core.ports import DeskPort
from demo.agent_console import REOPENED, AgentConsole

#: Desks running for real on 127.0.0.1.
REAL_KINDS = ["django-helpdesk", "request-tracker", "redmine"]
#: Desks answered by a stand-in written from their published API documentation.
STANDIN_KINDS = ["zammad", "topdesk"]
KINDS = REAL_KINDS + STANDIN_KINDS


class DeskAgent(Protocol):
    """What the service-desk agent does, in the desk's own interface (web pages or API)."""

    #: The agent's name as employees see it.
    name: str

    def assign(self, ticket_id: str) -> None:
        """Take the ticket."""
        ...

    def reply(self, ticket_id: str, text: str, public: bool = True) -> None:
        """Answer the employee (``public``) or write an internal note."""
        ...

    def hold(self, ticket_id: str) -> None:
        """Wait for the employee."""
        ...

    def resolve(self, ticket_id: str, text: str) -> None:
        """Solve it, saying how."""
        ...

    def is_open(self, ticket_id: str) -> bool:
        """Whether the ticket is open again (after the employee said it is still broken)."""
        ...

    def conversation(self, ticket_id: str) -> str:
        """Everything written on the ticket, as the agent sees it."""
        ...

    def files(self, ticket_id: str) -> dict[str, bytes]:
        """The files on the ticket, by name, as the agent downloads them."""
        ...

    def close(self) -> None:
        """Sign out."""
        ...


@dataclass(frozen=True)
class ContractDesk:
    """A running desk, and how its employees and its agent reach it."""

    kind: str
    url: str
    #: Where a ticket creation is sent (to count creations passing a proxy).
    create_path: str
    #: The employee's (Anna's) view of the desk at a base URL (the desk's, or a proxy's).
    open: Callable[[str, HttpConfig], DeskPort]
    #: Another employee's (Bram's) view, straight to the desk.
    open_other: Callable[[], DeskPort]
    #: The agent, signed in to the desk's own interface.
    agent: Callable[[], DeskAgent]
    #: The agent's photo as the desk holds it (``None``: this desk keeps no photos).
    agent_photo: bytes | None
    #: Anna's name as the desk shows her messages.
    employee_name: str
    #: How far back a change cursor may return a ticket that did not change (desks
    #: look back a moment, so nothing committed during a poll is lost).
    lookback: timedelta

    def direct(self) -> DeskPort:
        """The employee's view, straight to the desk with the app's default limits."""
        return self.open(self.url, HttpConfig())

    def copies(self, subject: str) -> int:
        """How many of the employee's tickets carry this subject."""
        return sum(1 for t in self.direct().changed_tickets(None)[0] if t.title == subject)


class _HelpdeskAgent:
    """The agent in django-helpdesk's own staff pages."""

    name = "Joost Bakker"

    def __init__(self, url: str, password: str) -> None:
        self._console = AgentConsole(url, "joost", password)

    def assign(self, ticket_id: str) -> None:
        self._console.assign(int(ticket_id), "joost")

    def reply(self, ticket_id: str, text: str, public: bool = True) -> None:
        self._console.reply(int(ticket_id), text, public=public)

    def hold(self, ticket_id: str) -> None:
        self._console.hold(int(ticket_id))

    def resolve(self, ticket_id: str, text: str) -> None:
        self._console.resolve(int(ticket_id), text)

    def is_open(self, ticket_id: str) -> bool:
        return self._console.ticket_page(int(ticket_id)).status == REOPENED

    def conversation(self, ticket_id: str) -> str:
        return self._console.ticket_page(int(ticket_id)).html

    def files(self, ticket_id: str) -> dict[str, bytes]:
        links = self._console.ticket_page(int(ticket_id)).attachment_links
        return {unquote(PurePosixPath(link).name): self._console.download(link) for link in links}

    def close(self) -> None:
        self._console.disconnect()


class _RtAgent:
    """The agent in Request Tracker, through its REST2 API."""

    name = "Joost de Vries"

    def __init__(self, access: object) -> None:
        from tests.support.rt_desk import RtAccess

        assert isinstance(access, RtAccess)
        self._agent = access.agent()

    def assign(self, ticket_id: str) -> None:
        self._agent.assign(int(ticket_id), "joost")

    def reply(self, ticket_id: str, text: str, public: bool = True) -> None:
        self._agent.reply(int(ticket_id), text, public=public)

    def hold(self, ticket_id: str) -> None:
        self._agent.hold(int(ticket_id))

    def resolve(self, ticket_id: str, text: str) -> None:
        self._agent.resolve(int(ticket_id), text)

    def is_open(self, ticket_id: str) -> bool:
        return self._agent.status(int(ticket_id)) == "open"

    def conversation(self, ticket_id: str) -> str:
        return "\n".join(
            f"{entry.get('Creator', '')}: {entry.get('Content') or ''}"
            for entry in self._agent.history(int(ticket_id))
        )

    def files(self, ticket_id: str) -> dict[str, bytes]:
        return self._agent.attachments(int(ticket_id))

    def close(self) -> None:
        self._agent.close()


class _RedmineAgent:
    """The agent in Redmine, through its REST API with their own key."""

    name = "Joost Bakker"

    def __init__(self, access: object) -> None:
        from tests.support.redmine_desk import AGENT, RedmineAccess

        assert isinstance(access, RedmineAccess)
        self._statuses = access.ids.statuses
        self._client = access.as_user(AGENT)
        self._key = access.key(AGENT)
        self._me = int(self._client.get("/users/current").json()["user"]["id"])

    def _change(self, ticket_id: str, **fields: object) -> None:
        answer = self._client.put(f"/issues/{ticket_id}", {"issue": fields})
        assert answer.status_code == 204, (answer.status_code, answer.text[:300])

    def _issue(self, ticket_id: str, include: str) -> dict[str, object]:
        answer = self._client.get(f"/issues/{ticket_id}", include=include)
        answer.raise_for_status()
        return dict(answer.json()["issue"])

    def assign(self, ticket_id: str) -> None:
        self._change(ticket_id, assigned_to_id=self._me)

    def reply(self, ticket_id: str, text: str, public: bool = True) -> None:
        self._change(ticket_id, notes=text, private_notes=not public)

    def hold(self, ticket_id: str) -> None:
        self._change(ticket_id, status_id=self._statuses["Feedback"])

    def resolve(self, ticket_id: str, text: str) -> None:
        self._change(ticket_id, notes=text, status_id=self._statuses["Resolved"])

    def is_open(self, ticket_id: str) -> bool:
        status = self._issue(ticket_id, "")["status"]
        assert isinstance(status, dict)
        return status["name"] not in ("Resolved", "Closed", "Rejected")

    def conversation(self, ticket_id: str) -> str:
        issue = self._issue(ticket_id, "journals")
        journals = issue.get("journals")
        assert isinstance(journals, list)
        notes = [f"{j['user']['name']}: {j.get('notes') or ''}" for j in journals]
        return "\n".join([str(issue.get("description") or ""), *notes])

    def files(self, ticket_id: str) -> dict[str, bytes]:
        attachments = self._issue(ticket_id, "attachments").get("attachments")
        assert isinstance(attachments, list)
        return {
            a["filename"]: self._client.session.get(a["content_url"], timeout=30).content
            for a in attachments
        }

    def close(self) -> None:
        self._client.close()


#: What each desk calls the stage a reopened ticket is in.
REOPENED_STAGE = Stage.IN_PROGRESS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each contract test per desk kind; a ``desk_workflow`` test per real desk only."""
    if "contract_desk" in metafunc.fixturenames:
        workflow = metafunc.definition.get_closest_marker("desk_workflow") is not None
        kinds = REAL_KINDS if workflow else KINDS
        metafunc.parametrize("contract_desk", kinds, indirect=True)


@pytest.fixture
def contract_desk(request: pytest.FixtureRequest) -> ContractDesk:
    """Each desk in turn (a real desk that cannot start fails the run in CI)."""
    if request.param == "django-helpdesk":
        from tests.support.desk_fixture import AGENT_PASSWORD

        access = request.getfixturevalue("demo_desk")

        def helpdesk(token: str) -> Callable[[str, HttpConfig], DeskPort]:
            return lambda url, config: DjangoHelpdeskConnector(config).open(url, token)

        return ContractDesk(
            kind=request.param,
            url=access.url,
            create_path=API_PREFIX + "/tickets",
            open=helpdesk(access.anna_token),
            open_other=lambda: helpdesk(access.bram_token)(access.url, HttpConfig()),
            agent=lambda: _HelpdeskAgent(access.url, AGENT_PASSWORD),
            agent_photo=None,
            employee_name="Anna Jansen",
            lookback=timedelta(seconds=30),  # demo/tray_api/views.py CURSOR_MARGIN
        )
    if request.param == "request-tracker":
        from tests.support.rt_desk import photo_png

        rt = request.getfixturevalue("rt_desk")
        request.applymarker(pytest.mark.rt)

        def tracker(token: str) -> Callable[[str, HttpConfig], DeskPort]:
            def open_desk(url: str, config: HttpConfig) -> DeskPort:
                return RtConnector(config, queue=rt.queue).open(url, token)  # an admin's token

            return open_desk

        return ContractDesk(
            kind=request.param,
            url=rt.url,
            create_path="/REST/2.0/ticket",
            open=tracker(rt.anna_token),
            open_other=lambda: tracker(rt.bram_token)(rt.url, HttpConfig()),
            agent=lambda: _RtAgent(rt),
            agent_photo=photo_png(),
            employee_name="Anna Jansen",
            # The adapter's window reaches back, but leaves out what the previous
            # search returned unchanged: an unchanged ticket never comes back.
            lookback=timedelta(0),
        )
    if request.param == "redmine":
        from tests.support.redmine_desk import PROJECT

        redmine = request.getfixturevalue("redmine_desk")
        request.applymarker(pytest.mark.redmine)

        def issues(key: str) -> Callable[[str, HttpConfig], DeskPort]:
            return lambda url, config: RedmineConnector(config, queue=PROJECT).open(url, key)

        return ContractDesk(
            kind=request.param,
            url=redmine.url,
            create_path="/issues.json",
            open=issues(redmine.key("anna")),
            open_other=lambda: issues(redmine.key("bram"))(redmine.url, HttpConfig()),
            agent=lambda: _RedmineAgent(redmine),
            agent_photo=None,
            employee_name="Anna Jansen",
            # Puma alone sends no Date: an issue returned unchanged is left out once it
            # is SETTLE_WITHOUT_CLOCK_S old by this computer's clock.
            lookback=timedelta(seconds=SETTLE_WITHOUT_CLOCK_S),
        )
    if request.param == "zammad":
        from tests.support.zammad_standin import contract_desk as zammad

        return zammad(request)
    if request.param == "topdesk":
        from tests.support.topdesk_standin import contract_desk as topdesk

        return topdesk(request)
    raise AssertionError(f"no contract desk for {request.param}")
