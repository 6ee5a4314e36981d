"""Fixtures shared by every test folder.

Qt runs offscreen (set before PySide6 is imported anywhere); the keyring is
in memory; nothing reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import os

# A 1920x1080 virtual screen (docs/reference: qt-on-linux §3), so screenshots have real sizes.
os.environ.setdefault(
    "QT_QPA_PLATFORM",
    "offscreen:configfile=" + os.path.join(os.path.dirname(__file__), "support", "screens.json"),
)
# Never let Qt (or anything it loads) autolaunch a session bus that outlives the test.
os.environ.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")

import random
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from client.core.paths import Paths
from client.core.settings import Settings
from client.services.tasks import SyncTaskRunner
from tests.fakes import FakeClock, FakeDesk, MemoryKeyring, MemorySecretStore

pytest_plugins = [
    "tests.support.desk_fixture",
    "tests.support.contract_desks",
    "tests.support.dbus_session",
    "tests.support.rt_desk",
    "tests.support.redmine_desk",
    "tests.support.zammad_standin",
    "tests.support.topdesk_standin",
    "tests.support.fix_user",
    "tests.support.bundle",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a QApplication as ``gui``."""
    for item in items:
        if {"qapp", "qtbot"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The keyring library talks to a fresh in-memory backend, never the real one."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    """Every per-user directory under the test's temporary folder."""
    return Paths(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        log_dir=tmp_path / "log",
        policy_file=tmp_path / "policy" / "policy.toml",
    )


@pytest.fixture
def settings() -> Settings:
    """Built-in defaults."""
    return Settings()


@pytest.fixture
def fake_desk() -> FakeDesk:
    """An in-memory desk implementing the desk port (services and UI tests only)."""
    return FakeDesk()


@pytest.fixture
def secrets() -> MemorySecretStore:
    """An in-memory ``SecretStore``."""
    return MemorySecretStore()


@pytest.fixture
def clock() -> FakeClock:
    """A monotonic clock the test moves by hand."""
    return FakeClock()


@pytest.fixture
def rng() -> random.Random:
    """A seeded random source (jitter)."""
    return random.Random(1234)


@pytest.fixture
def sync_runner(qapp: object) -> SyncTaskRunner:
    """A ``SyncTaskRunner``: background work runs inline."""
    return SyncTaskRunner()
