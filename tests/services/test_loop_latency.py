"""The GUI thread never waits for the network or the disk (architecture §12: no stall over 50 ms).

The real app on its real thread pools reports through every network fault to
the real demo desk while an event-loop probe times the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from client.services.latency import STALL_THRESHOLD_MS, EventLoopMonitor
from tests.support.desk_fixture import DeskAccess
from tests.support.fault_proxy import FaultProxy, fault_proxy
from tests.support.latency_scenario import FAULTS, measure, wait_for


@pytest.fixture
def proxy(demo_desk: DeskAccess) -> Iterator[FaultProxy]:
    yield from fault_proxy(demo_desk.url)


def test_the_probe_sees_a_blocked_event_loop(qapp: QApplication) -> None:
    monitor = EventLoopMonitor(interval_ms=5)
    stalls: list[float] = []
    monitor.stalled.connect(stalls.append)
    monitor.start()
    QTimer.singleShot(20, lambda: time.sleep(0.15))  # the stimulus: a blocking call

    wait_for(monitor.stalled, "a stall")

    assert stalls and stalls[0] >= 120
    assert monitor.max_stall_ms >= 120
    monitor.stop()


@pytest.mark.desk
def test_no_network_fault_blocks_the_gui_thread(demo_desk: DeskAccess) -> None:
    result = measure(demo_desk.url, demo_desk.anna_token, rounds=1)

    assert [f.fault for f in result.faults] == [f.value for f in FAULTS]
    assert result.reports_delivered == len(FAULTS)
    slow = {f.fault: round(f.max_stall_ms) for f in result.faults}
    assert result.max_stall_ms < STALL_THRESHOLD_MS, f"GUI thread stalls (ms): {slow}"
    assert result.ticks > 100, "the probe ran all along"
