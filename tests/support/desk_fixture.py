"""The real demo desk (django-helpdesk + our tray API) on 127.0.0.1, once per test session."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from demo.deskctl import DemoDesk
from tests.support.requirements import missing

EMPLOYEE_PASSWORD = "demo-employee"
AGENT_PASSWORD = "demo-agent"


@dataclass(frozen=True)
class DeskAccess:
    """The running desk and ready-made tokens for the two demo employees."""

    desk: DemoDesk
    url: str
    anna_token: str
    bram_token: str


@pytest.fixture(scope="session")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskAccess]:
    """Start the demo desk for the session; a desk that cannot start fails the run."""
    if importlib.util.find_spec("helpdesk") is None:
        missing("django-helpdesk", "install the project with its 'demo' extra")
    desk = DemoDesk(data_dir=tmp_path_factory.mktemp("demo-desk"), port=0)
    desk.setup()
    desk.start()
    try:
        yield DeskAccess(
            desk=desk,
            url=desk.base_url,
            anna_token=desk.token_for("anna", EMPLOYEE_PASSWORD),
            bram_token=desk.token_for("bram", EMPLOYEE_PASSWORD),
        )
    finally:
        desk.stop()
