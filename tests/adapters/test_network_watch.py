"""NetworkManager's word on the network, heard over a private D-Bus bus."""

from __future__ import annotations

import select
from collections.abc import Iterator

import pytest

from client.adapters.network_watch import NetworkManagerWatch, NoNetworkManager
from tests.support.fake_network_manager import (
    CONNECTED_GLOBAL,
    CONNECTED_SITE,
    CONNECTING,
    DISCONNECTED,
    FakeNetworkManager,
)


@pytest.fixture
def network_manager(dbus_session: str) -> Iterator[FakeNetworkManager]:
    manager = FakeNetworkManager(dbus_session, DISCONNECTED)
    yield manager
    manager.stop()


def _next_changes(watch: NetworkManagerWatch) -> list[bool]:
    """Wait (on the socket, up to 5 s) until the watch hears something."""
    while True:
        readable, _, _ = select.select([watch.fileno()], [], [], 5.0)
        assert readable, "nothing heard from the bus within 5 s"
        changes = watch.read()
        if changes:
            return changes


def test_reads_the_state_at_open_and_hears_each_change_once(
    dbus_session: str, network_manager: FakeNetworkManager
) -> None:
    watch = NetworkManagerWatch.open(dbus_session)
    try:
        assert watch.online is False
        network_manager.set_state(CONNECTING)  # still down: nothing to report
        network_manager.set_state(CONNECTED_SITE)  # the office network: the desk may be there
        assert _next_changes(watch) == [True]
        network_manager.set_state(CONNECTED_GLOBAL)  # up, and still up: no news
        network_manager.set_state(DISCONNECTED)
        assert _next_changes(watch) == [False]
        assert watch.online is False
    finally:
        watch.close()


def test_no_network_manager_on_the_bus_is_a_clear_failure(dbus_session: str) -> None:
    with pytest.raises(NoNetworkManager, match="ServiceUnknown|NameHasNoOwner"):
        NetworkManagerWatch.open(dbus_session, timeout=2.0)


def test_a_bus_closing_is_reported(dbus_session: str) -> None:
    manager = FakeNetworkManager(dbus_session, CONNECTED_GLOBAL)
    watch = NetworkManagerWatch.open(dbus_session)
    try:
        assert watch.online is True
        watch._connection.sock.shutdown(2)  # the bus hangs up on us
        with pytest.raises(ConnectionError):
            watch.read()
    finally:
        watch.close()
        manager.stop()
