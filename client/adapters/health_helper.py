"""One health pass in a short-lived helper process: measure, keep the history, find trends.

The tray runs ``helpdesk-tray --health-helper`` about every 15 minutes
(``client/services/health.py``) and sends one JSON request on stdin::

    {"history": "<path of health.sqlite3>", "desk_host": "desk.example.org",
     "network": true, "tray_start_s": 1.8 or null, "utc_offset_s": 3600,
     "facts": {"desk.unreachable_minutes": 0.0} (what the tray knows),
     "rules": [...] (the profile's health.rules as published, optional),
     "now": 1767000000.0 (optional: tests)}

The helper measures (``client/adapters/health_probe.py``), stores the
samples of the trend metrics and the sensors' counters
(``client/adapters/health_history.py``), computes the slowdowns
(``client/core/trend.py``) and how many days until the disk is full, and
answers one JSON object on stdout, then exits::

    {"facts": {...}, "details": {...}, "skipped": ["name: reason", ...],
     "slowdowns": [{"metric", "baseline", "recent", "relative", "days"}, ...],
     "took_ms": {"checks": ..., "network": ...}, "history": "ok" or a short note,
     "found": ["disk-low", ...]}

``found`` is what the rules in force (the built-in ones with IT's changes)
make of the answer, evaluated here as the tray would (``client/core/health.py``):
when it is empty and nothing is on the book, the tray need not load the rules
and the book at all (the idle tray's memory budget, docs/performance.md).

psutil and SQLite are imported here, on a pass, never in the tray: this
module imports neither at its top, so the tray may use
:func:`health_helper_command`. A bad request answers ``{"error": ...}`` and
exits 2; a history that cannot be used leaves the facts answered all the same.
"""

from __future__ import annotations

import logging
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from client import HEALTH_HELPER_FLAG
from client.adapters.helper_process import BadRequest, answer_one, helper_command, request_object

logger = logging.getLogger(__name__)

#: Metrics whose samples are kept in the history.
SAMPLED = (
    "slow.probe_ms",
    "slow.boot_s",
    "slow.tray_start_s",
    "memory.pressure_percent",
    "disk.free_gb",
)
#: Metrics checked for a sustained slowdown (higher is worse).
TRENDED = ("slow.probe_ms", "slow.boot_s", "slow.tray_start_s", "memory.pressure_percent")
#: The measures that together say whether the whole computer got slower.
COMBINED = ("slow.probe_ms", "slow.tray_start_s", "slow.boot_s")
#: Percentage points added to the share of time under memory pressure before comparing:
#: it is 0 on most healthy days, and a rise from 0 to 0.5 % is not felt (TrendRule.floor).
PRESSURE_FLOOR = 5.0
#: Days of free disk space the fill rate is taken from, and the fewest with a value it needs.
FILL_DAYS = 14
FILL_MIN_DAYS = 5


def health_helper_command() -> list[str]:
    """How to start the health helper."""
    return helper_command(HEALTH_HELPER_FLAG)


@dataclass(frozen=True)
class Request:
    """One pass's request, checked."""

    history: Path
    desk_host: str
    network: bool
    tray_start_s: float | None
    now: float
    utc_offset_s: int
    #: What the tray knows and a sensor here cannot (the desk out of reach, minutes).
    facts: dict[str, float] = field(default_factory=dict)
    #: IT's health rules as the profile publishes them (read as the tray reads them).
    rules: object = None

    @property
    def day(self) -> int:
        """The local day number (days since 1970-01-01, local time)."""
        return local_day(self.now, self.utc_offset_s)


def local_day(now: float, utc_offset_s: int) -> int:
    """The local day number of ``now``."""
    return math.floor((now + utc_offset_s) / 86400)


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRequest(f"{name} must be a number")
    return float(value)


def parse_request(text: str) -> Request:
    """The request in ``text``, or :class:`BadRequest` saying what is wrong."""
    raw = request_object(text)
    history = raw.get("history")
    if not isinstance(history, str) or not history.strip():
        raise BadRequest("history must be a path")
    desk_host = raw.get("desk_host", "")
    if not isinstance(desk_host, str):
        raise BadRequest("desk_host must be a string")
    network = raw.get("network", False)
    if not isinstance(network, bool):
        raise BadRequest("network must be true or false")
    tray_start = raw.get("tray_start_s")
    tray_start_s = None if tray_start is None else _number(tray_start, "tray_start_s")
    now = time.time() if raw.get("now") is None else _number(raw["now"], "now")
    offset = raw.get("utc_offset_s")
    if offset is None:
        offset = time.localtime(now).tm_gmtoff
    if isinstance(offset, bool) or not isinstance(offset, int) or abs(offset) > 86400:
        raise BadRequest("utc_offset_s must be a whole number of seconds")
    known = raw.get("facts", {})
    if not isinstance(known, dict):
        raise BadRequest("facts must be an object")
    facts = {str(name): _number(value, f"facts.{name}") for name, value in known.items()}
    return Request(
        Path(history), desk_host, network, tray_start_s, now, offset, facts, raw.get("rules")
    )


def fill_days(free_gb: Sequence[float | None], now_free_gb: float | None = None) -> float | None:
    """Days until the disk is full at the recent rate, from one free-GB value per day.

    The rate is the Theil-Sen slope (the median of the slopes between every
    two days with a value): one day's big download or clean-up does not
    move it. ``None`` with fewer than :data:`FILL_MIN_DAYS` days, or when
    the free space is not falling.
    """
    points = [(day, value) for day, value in enumerate(free_gb) if value is not None]
    if len(points) < FILL_MIN_DAYS:
        return None
    slopes = [
        (later - earlier) / (day_b - day_a)
        for index, (day_a, earlier) in enumerate(points)
        for day_b, later in points[index + 1 :]
    ]
    slope = statistics.median(slopes)
    if slope >= 0:
        return None
    left = points[-1][1] if now_free_gb is None else now_free_gb
    return max(left, 0.0) / -slope


def _padded(days: list[float | None], first_day: int, today: int) -> list[float | None]:
    """``days`` (from ``first_day`` on) continued with gaps up to today: the newest is today."""
    return days + [None] * max(today - (first_day + len(days) - 1), 0)


def _trends(history: Any, request: Request, facts: dict[str, float]) -> list[dict[str, Any]]:
    """The slowdowns found; ``disk.days_until_full`` put in ``facts`` when the disk fills."""
    from client.adapters.health_history import KEEP_DAYS
    from client.core import trend

    today = request.day
    found: list[trend.Slowdown] = []
    measures: dict[str, list[float | None]] = {}
    first = today - KEEP_DAYS
    for metric in TRENDED:
        samples = history.samples(metric, first)
        if not samples:
            continue
        # Every measure's days start on the same day: its weekday is known (day 0 a Thursday).
        gap: list[float | None] = [None] * (min(d for d, _ in samples) - first)
        days = _padded(gap + trend.daily(samples), first, today)
        weekday = (first + 3) % 7
        floor = PRESSURE_FLOOR if metric == "memory.pressure_percent" else 0.0
        alone = trend.slowdown(metric, days, trend.TrendRule(floor=floor), first_weekday=weekday)
        if alone is not None:
            found.append(alone)
        if metric in COMBINED:
            measures[metric] = days
    together = trend.computer_slowdown(measures, first_weekday=(first + 3) % 7)
    if together is not None:
        found.append(together)
    slowdowns = [
        {
            "metric": slow.metric,
            "baseline": round(slow.baseline, 3),
            "recent": round(slow.recent, 3),
            "relative": round(slow.relative, 3),
            "days": slow.days,
            "measures": list(slow.measures),
        }
        for slow in found
    ]
    disk = history.disk_series(today - FILL_DAYS + 1)
    if disk:
        days = _padded(trend.daily(disk), min(d for d, _ in disk), today)
        left = fill_days(days, facts.get("disk.free_gb"))
        if left is not None:
            facts["disk.days_until_full"] = round(left, 1)
    return slowdowns


def run_pass(request: Request) -> dict[str, Any]:
    """One pass: measure, keep, compare; the answer (a history problem is only noted in it)."""
    from client.adapters.health_history import HealthHistory, HistoryProblem
    from client.adapters.health_probe import measure

    history = HealthHistory(request.history)
    note = "ok"
    counters: dict[str, Any] = {}
    try:
        history.open()
        counters = history.counters()
    except HistoryProblem as problem:
        note = f"not used this pass: {problem}"
        logger.warning("health: the history cannot be used (%s)", problem)
        history.close()
    measured = measure(
        counters,
        desk_host=request.desk_host,
        now=request.now,
        network=request.network,
        scratch=request.history.parent,
    )
    facts = {**measured.facts, **request.facts}
    slowdowns: list[dict[str, Any]] = []
    if note == "ok":
        kept = {m: facts[m] for m in SAMPLED if m in facts}
        if request.tray_start_s is not None:
            kept["slow.tray_start_s"] = request.tray_start_s
        try:
            history.save(request.now, request.day, kept, measured.counters)
            slowdowns = _trends(history, request, facts)
            note = history.note
        except HistoryProblem as problem:
            note = f"not used this pass: {problem}"
            logger.warning("health: the history cannot be used (%s)", problem)
        except Exception as error:  # a bug in the trends: the facts still go out
            logger.exception("health: the trends could not be computed")
            note = f"trends not computed: {type(error).__name__}"
        finally:
            history.close()
    answer = {
        "facts": facts,
        "details": measured.details,
        "skipped": measured.skipped,
        "slowdowns": slowdowns,
        "took_ms": {"checks": measured.took_checks_ms, "network": measured.took_network_ms},
        "history": note,
    }
    answer["found"] = found_by_rules(answer, request.rules)
    return answer


def found_by_rules(answer: dict[str, Any], rules: object) -> list[str]:
    """The ids of what the rules in force find in ``answer``, as the tray would find them."""
    from client.core.health import evaluate, parse_rules, read_pass, rules_in_force

    problems: list[str] = []
    in_force = rules_in_force(parse_rules(rules, problems))
    for problem in problems:
        logger.info("health rule left out: %s", problem)
    return sorted(finding.id for finding in evaluate(read_pass(answer), in_force))


def serve(stdin: IO[str], stdout: IO[str]) -> int:
    """Answer one request of the tray (the helper process's whole life); the exit status."""
    return answer_one(stdin, stdout, parse_request, run_pass, "the pass")
