"""A computer that has been getting slower: the demo's health history, so the Glass ball shows.

A real history takes weeks to say anything. For the demo (and the screenshots)
this writes eight weeks of the responsiveness probe's samples into the tray's
own history file, through the real history adapter: steady with everyday
noise, then about a third slower for the last nine days, at the level the
probe measures on this computer today (so today's own passes agree). The first health
pass then finds "Your computer is getting slower". Nothing is faked at the
tray's side: it reads the file and computes the trend as it always does.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

from client.adapters.health_history import HealthHistory
from client.adapters.health_probe import Situation, probe

#: How much slower the demo computer got.
SLOWER_BY = 0.35
HISTORY_DAYS = 60
SLOW_DAYS = 9


def seed_slower_history(data_dir: Path, now: float | None = None, seed: int = 7) -> int:
    """Write the history into ``data_dir/health.sqlite3`` unless it has one; samples written."""
    path = data_dir / "health.sqlite3"
    if path.exists():
        return 0
    now = time.time() if now is None else now
    rng = random.Random(seed)
    # This computer's probe now, at its quickest, is the "slower" level: the past was that
    # much faster. The quickest, not the middle: the tray's own pass today then measures
    # the same or slower, never clearly faster, which on a Monday (the newest window
    # holds fewer working days) would hide the trend.
    timings = sorted(probe(Situation(now, None, data_dir)).facts["slow.probe_ms"] for _ in range(9))
    usual = timings[0] / (1 + SLOWER_BY)
    offset = time.localtime(now).tm_gmtoff
    today = math.floor((now + offset) / 86400)
    rows = []
    for back in range(HISTORY_DAYS, 0, -1):  # yesterday is the newest: today's come from passes
        day = today - back
        if (day + 3) % 7 >= 5:  # day 0 (1970-01-01) was a Thursday: weekends off
            continue
        level = usual * math.exp(rng.gauss(0.0, 0.05))
        if back <= SLOW_DAYS:
            level *= 1 + SLOWER_BY
        for sample in range(20):
            at = day * 86400 - offset + 8 * 3600 + sample * 1500
            rows.append((at, day, "slow.probe_ms", level * math.exp(rng.gauss(0.0, 0.15))))
    with HealthHistory(path) as history:
        return history.add(rows)
