"""The sender SIGKILLed at every dangerous moment, on the real demo desk: none lost, none twice.

A child process runs the outbox sender (tools/outbox_child.py) on a real
SQLite outbox; tools/crash_harness.py kills it and starts it again, then asks
the desk's own database what it holds. The long run (200+ kills) is
``make bench``; this is the short one.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.support.desk_fixture import DeskAccess
from tools.crash_harness import KILL_POINTS, CrashHarness


def harness(desk: DeskAccess, folder: Path, seed: int = 0, batch: int = 1) -> CrashHarness:
    return CrashHarness(desk.desk, desk.anna_token, folder, seed=seed, batch=batch)


@pytest.mark.parametrize("point", ["marked_sending", "mid_upload", "created"])
def test_a_sender_killed_at_a_dangerous_moment_delivers_the_report_once_on_restart(
    demo_desk: DeskAccess, tmp_path: Path, point: str
) -> None:
    crashes = harness(demo_desk, tmp_path)
    crashes.enqueue(1)

    assert crashes.run_sender(point, after=1), f"the sender was not killed at {point}"
    result = crashes.drain()

    assert result.reports == 1
    assert result.wrong_counts == {}, "the report is not at the desk exactly once"
    assert result.damaged == [], "the ticket's attachment did not arrive whole"
    assert result.undelivered == 0, "the outbox does not know the report arrived"
    assert result.replays == 0, "the restarted sender sent the report again without asking"


def test_twenty_kills_at_chosen_and_random_moments_leave_every_report_at_the_desk_once(
    demo_desk: DeskAccess, tmp_path: Path
) -> None:
    seed = random.randrange(2**32)
    crashes = harness(demo_desk, tmp_path, seed=seed, batch=4)

    result = crashes.run(kills=20)

    context = f"seed {seed}: {result}"
    assert result.total_kills >= 20, context
    assert all(result.kills[point] >= 5 for point in KILL_POINTS), context
    assert result.reports >= 4, context
    assert result.wrong_counts == {}, context
    assert result.damaged == [], context
    assert result.undelivered == 0, context
    assert result.replays == 0, context
