"""The real desks the outbox contract runs against, each as one employee.

Every test that takes ``contract_desk`` runs once per desk kind that has a
real server on 127.0.0.1 here. Today that is django-helpdesk (the demo
desk); Request Tracker joins with its adapter (issue 5) by adding its
entry to ``KINDS`` and a branch to ``contract_desk``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from client.adapters.desks.django_helpdesk import API_PREFIX, DjangoHelpdeskConnector
from client.adapters.http import HttpConfig
from client.core.ports import DeskPort

KINDS = ["django-helpdesk"]


@dataclass(frozen=True)
class ContractDesk:
    """A running desk, and how an employee's client reaches it."""

    kind: str
    url: str
    #: Where a ticket creation is sent (to count creations passing a proxy).
    create_path: str
    #: The employee's view of the desk at a base URL (the desk's, or a proxy's).
    open: Callable[[str, HttpConfig], DeskPort]

    def direct(self) -> DeskPort:
        """The employee's view, straight to the desk with the app's default limits."""
        return self.open(self.url, HttpConfig())

    def copies(self, subject: str) -> int:
        """How many of the employee's tickets carry this subject."""
        return sum(1 for t in self.direct().changed_tickets(None)[0] if t.title == subject)


@pytest.fixture(params=KINDS)
def contract_desk(request: pytest.FixtureRequest) -> ContractDesk:
    """Each real desk in turn (a desk that cannot start fails the run in CI)."""
    if request.param == "django-helpdesk":
        access = request.getfixturevalue("demo_desk")
        return ContractDesk(
            kind=request.param,
            url=access.url,
            create_path=API_PREFIX + "/tickets",
            open=lambda url, config: DjangoHelpdeskConnector(config).open(url, access.anna_token),
        )
    raise AssertionError(f"no contract desk for {request.param}")
