"""How often "getting slower" is wrong, and how fast it is right, on synthetic noisy computers.

Every synthetic computer is simulated sample by sample for 176 days and its
samples are turned into daily values by ``client.core.trend.daily``, as the
tray does. Two kinds of measure (the Glass ball issue; docs/health.md):

- **sampled**: taken by the health pass about every 15 minutes while the
  computer is on (share of time under memory pressure, the responsiveness
  probe, the tray's own start): 8-30 samples on a normal day, 2-7 on one day
  in ten (a short session);
- **boot**: once a day at most; on one day in five the computer woke from
  sleep and there is no boot to time.

The noise model, drawn per computer (log-normal factors; "spread" is the
standard deviation of the logarithm, about the relative spread):

- a level of its own (any unit: the method is relative);
- per-sample spread 10-30 %, and 3 % of samples 2-5 times as slow (a scan
  running during that one probe);
- day-level spread 5-10 % (a busy day, a warm or cold cache), shared by all
  samples of the day;
- a weekly rhythm: Mondays 0-10 % slower, the other weekdays within about
  2 % of each other;
- spike days: 4 % of days start one (1-3 calendar days: 75 % one day, 20 % two, 5 % three),
  every sample 1.5-3 times as slow (updates, a disk check); the first day
  back after four or more days off is one with a chance of one half;
- weekends (the computer on for 10 % of weekend days), 5 % of weekdays off,
  and on half the computers a holiday of 5-15 days;
- a slow drift of up to 3 % a month either way (not a slowdown anyone feels).

Measured, for each kind on the same computers:

- **false nudges**: the days evaluated (each day the computer is on) in 90
  days of normal use after 8 weeks of history, counting a nudge whenever
  :func:`slowdown` finds one and did not at the evaluation before. Target
  (the issue): at most 1 per computer per 90 days.
- **detection**: the same history slowed by a sustained 20 % from a random
  day of those 90 on (every sample of every later day); the days until the
  first finding, the day it starts counting as day 1, followed for 30 days.
  Target: within 7 days.

``python -m bench --only trend``, or ``python -m bench.trend_rates`` for the
JSON alone; the seed makes a run repeatable (each computer has its own
random stream, so the two worker processes do not change the numbers).
"""

from __future__ import annotations

import json
import math
import random
import statistics
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from typing import Any

from client.core.trend import COMPUTER_RULE, TrendRule, computer_slowdown, daily, slowdown

WARMUP_DAYS = 56
NORMAL_DAYS = 90
FOLLOW_DAYS = 30
SLOWER = 0.20
WORKERS = 2
DAYS = WARMUP_DAYS + NORMAL_DAYS + FOLLOW_DAYS


@dataclass(frozen=True)
class Kind:
    """How often a measure is taken."""

    name: str
    #: Samples on a normal day the computer is on (both ends included).
    samples: tuple[int, int]
    #: Share of days on with a short session, and its samples.
    short_share: float
    short_samples: tuple[int, int]
    #: Chance that a day the computer is on has a sample at all.
    present: float


SAMPLED = Kind("sampled", (8, 30), 0.10, (2, 7), 1.0)
BOOT = Kind("boot", (1, 1), 0.0, (1, 1), 0.8)
KINDS = (SAMPLED, BOOT)


@dataclass(frozen=True)
class Noise:
    """The noise model (the module's docstring); spreads are of the logarithm."""

    sample_spread: tuple[float, float] = (0.10, 0.30)
    spike_sample_share: float = 0.03
    spike_sample: tuple[float, float] = (2.0, 5.0)
    day_spread: tuple[float, float] = (0.05, 0.10)
    monday: tuple[float, float] = (1.0, 1.10)
    weekday_spread: float = 0.02
    spike_day_share: float = 0.04
    spike_day: tuple[float, float] = (1.5, 3.0)
    #: Chances that a spike lasts 1, 2 or 3 days.
    spike_length: tuple[float, float, float] = (0.75, 0.20, 0.05)
    spike_after_off: float = 0.5
    weekend_on: float = 0.10
    weekday_off: float = 0.05
    holiday: float = 0.5
    holiday_days: tuple[int, int] = (5, 15)
    #: The most the level drifts in 30 days, either way.
    drift_per_month: float = 0.03


def calendar(rng: random.Random, noise: Noise, days: int, first_weekday: int) -> list[bool]:
    """Which days the computer is on: weekdays, some weekends, days off, a holiday."""
    on = []
    for day in range(days):
        weekend = (first_weekday + day) % 7 >= 5
        on.append(rng.random() < noise.weekend_on if weekend else rng.random() >= noise.weekday_off)
    if rng.random() < noise.holiday:
        start = rng.randrange(days)
        for day in range(start, min(start + rng.randint(*noise.holiday_days), days)):
            on[day] = False
    return on


@dataclass(frozen=True)
class Machine:
    """What all measures of one computer share: its days, its spike days, its drift."""

    #: The weekday of day 0 (0 = Monday).
    first_weekday: int
    on: list[bool]
    #: Each day's spike factor (1.0: no spike).
    spiked: list[float]
    #: The level's change per day, a fraction.
    drift: float


def machine(rng: random.Random, noise: Noise, days: int) -> Machine:
    """One computer's calendar, spike days and drift."""
    first_weekday = rng.randrange(7)
    on = calendar(rng, noise, days, first_weekday)
    drift = rng.uniform(-noise.drift_per_month, noise.drift_per_month) / 30
    spiked = [1.0] * days
    off_run = 0
    for day in range(days):
        if not on[day]:
            off_run += 1
            continue
        if off_run >= 4 and rng.random() < noise.spike_after_off:
            spiked[day] = rng.uniform(*noise.spike_day)
        off_run = 0
        if rng.random() < noise.spike_day_share:
            length = rng.choices((1, 2, 3), noise.spike_length)[0]
            factor = rng.uniform(*noise.spike_day)
            for later in range(day, min(day + length, days)):
                spiked[later] = max(spiked[later], factor)
    return Machine(first_weekday, on, spiked, drift)


def measured(rng: random.Random, kind: Kind, noise: Noise, box: Machine) -> list[tuple[int, float]]:
    """One measure of ``box`` (its own level, spreads and weekly rhythm), as ``(day, value)``."""
    level = rng.uniform(0.5, 50.0)
    sample_spread = rng.uniform(*noise.sample_spread)
    day_spread = rng.uniform(*noise.day_spread)
    weekday = [rng.uniform(*noise.monday)]
    weekday += [math.exp(rng.gauss(0.0, noise.weekday_spread)) for _ in range(6)]
    taken: list[tuple[int, float]] = []
    for day, on in enumerate(box.on):
        if not on or rng.random() >= kind.present:
            continue
        low, high = kind.short_samples if rng.random() < kind.short_share else kind.samples
        day_level = (
            level
            * (1.0 + box.drift * day)
            * weekday[(box.first_weekday + day) % 7]
            * math.exp(rng.gauss(0.0, day_spread))
            * box.spiked[day]
        )
        for _ in range(rng.randint(low, high)):
            value = day_level * math.exp(rng.gauss(0.0, sample_spread))
            if rng.random() < noise.spike_sample_share:
                value *= rng.uniform(*noise.spike_sample)
            taken.append((day, value))
    return taken


def samples(rng: random.Random, kind: Kind, noise: Noise, days: int) -> list[tuple[int, float]]:
    """One computer's samples of one measure, as ``(day, value)``."""
    return measured(rng, kind, noise, machine(rng, noise, days))


def daily_values(taken: list[tuple[int, float]], days: int) -> list[float | None]:
    """``taken``'s daily values, day 0 first, ``None`` where there are none."""
    values: list[float | None] = [None] * days
    if taken:
        first = min(day for day, _ in taken)
        for offset, value in enumerate(daily(taken)):
            values[first + offset] = value
    return values


def history(rng: random.Random, kind: Kind, noise: Noise, days: int) -> list[float | None]:
    """One computer's daily values of one measure, day 0 first, ``None`` where it has none."""
    return daily_values(samples(rng, kind, noise, days), days)


def slowed(values: Sequence[float | None], onset: int) -> list[float | None]:
    """``values`` slower by :data:`SLOWER` from ``onset`` on."""
    return [v if v is None or day < onset else v * (1 + SLOWER) for day, v in enumerate(values)]


def found(
    values: Sequence[float | None], day: int, rule: TrendRule, first_weekday: int | None = None
) -> bool:
    """Whether the evaluation on ``day`` (the computer on) finds a slowdown."""
    return slowdown("measure", values[: day + 1], rule, first_weekday) is not None


def nudges(
    values: Sequence[float | None], rule: TrendRule, first_weekday: int | None = None
) -> int:
    """Nudges (a finding after an evaluation without one) in the 90 days of normal use."""
    count, before = 0, False
    for day in range(WARMUP_DAYS, WARMUP_DAYS + NORMAL_DAYS):
        if values[day] is None:
            continue
        now = found(values, day, rule, first_weekday)
        count += now and not before
        before = now
    return count


def days_to_find(
    values: Sequence[float | None],
    onset: int,
    rule: TrendRule,
    first_weekday: int | None = None,
) -> int | None:
    """The days from ``onset`` (day 1) to the first finding; ``None``: not within 30 days."""
    later = slowed(values, onset)
    for day in range(onset, onset + FOLLOW_DAYS):
        if later[day] is not None and found(later, day, rule, first_weekday):
            return day - onset + 1
    return None


def spread(values: Sequence[float | None]) -> float:
    """The day-to-day spread of the daily values of the first 8 weeks (MAD, relative)."""
    kept = [v for v in values[:WARMUP_DAYS] if v is not None]
    middle = statistics.median(kept)
    return 1.4826 * statistics.median(abs(v / middle - 1) for v in kept)


def computer(
    job: tuple[int, int, Kind, Noise, TrendRule, bool],
) -> tuple[int, int | None, float]:
    """One computer: its false nudges, its days to find the slowdown, its daily spread."""
    seed, number, kind, noise, rule, weekdays = job
    rng = random.Random(f"{seed}:{kind.name}:{number}")
    box = machine(rng, noise, DAYS)
    values = daily_values(measured(rng, kind, noise, box), DAYS)
    onset = WARMUP_DAYS + rng.randrange(NORMAL_DAYS)
    first = box.first_weekday if weekdays else None
    return nudges(values, rule, first), days_to_find(values, onset, rule, first), spread(values)


TRAY_START = Kind("tray_start", (1, 2), 0.0, (1, 1), 1.0)
#: The measures of the computer kind: what the tray trends and a slower computer slows.
PARTS = (("slow.probe_ms", SAMPLED), ("slow.tray_start_s", TRAY_START), ("slow.boot_s", BOOT))


@dataclass(frozen=True)
class Rules:
    """What the tray runs on one computer: each measure alone, and all of them together."""

    measure: TrendRule = TrendRule()
    computer: TrendRule = COMPUTER_RULE
    #: Whether the weekday of each day is passed (``first_weekday``).
    weekdays: bool = True


class Tray:
    """Every detector the tray runs on one computer's history, evaluated day by day."""

    def __init__(self, series: dict[str, list[float | None]], rules: Rules, first_weekday: int):
        self.series = series
        self.rules = rules
        self.first_weekday = first_weekday if rules.weekdays else None

    def measure(self, name: str, day: int) -> bool:
        """Whether ``name`` alone is slower on ``day`` (it has a value that day)."""
        values = self.series[name][: day + 1]
        return slowdown(name, values, self.rules.measure, self.first_weekday) is not None

    def computer(self, day: int) -> bool:
        """Whether the whole computer is slower on ``day``."""
        measures = {name: values[: day + 1] for name, values in self.series.items()}
        found = computer_slowdown(measures, self.rules.computer, self.first_weekday)
        return found is not None

    def on(self, day: int) -> bool:
        return any(values[day] is not None for values in self.series.values())

    def nudges(self) -> dict[str, int]:
        """Nudges in the 90 days of normal use: by each detector, and by any ("all")."""
        state = dict.fromkeys([*self.series, "computer", "all"], False)
        count = dict.fromkeys(state, 0)
        for day in range(WARMUP_DAYS, WARMUP_DAYS + NORMAL_DAYS):
            if not self.on(day):
                continue
            now = {"computer": self.computer(day)}
            for name, values in self.series.items():
                # A measure without a value today says what it said on its last day.
                now[name] = self.measure(name, day) if values[day] is not None else state[name]
            now["all"] = any(now.values())
            for name, found in now.items():
                count[name] += found and not state[name]
            state = now
        return count

    def days_to_find(self, onset: int) -> tuple[int | None, int | None, int | None]:
        """Days from ``onset`` (day 1) to the first finding: by the computer's, by any.

        The third: by any, counted in days the computer was on (a slowdown through
        days nobody used it is noticed by nobody, the employee included).
        """
        by_computer = by_any = in_use = None
        used = 0
        for day in range(onset, onset + FOLLOW_DAYS):
            if not self.on(day):
                continue
            used += 1
            computer = self.computer(day)
            if by_any is None and (
                computer
                or any(
                    values[day] is not None and self.measure(name, day)
                    for name, values in self.series.items()
                )
            ):
                by_any, in_use = day - onset + 1, used
            if computer:
                by_computer = day - onset + 1
                break
        return by_computer, by_any, in_use


def whole(job: tuple[int, int, Noise, Rules]) -> dict[str, Any]:
    """One synthetic computer of the computer kind: its nudges and its days to find."""
    seed, number, noise, rules = job
    rng = random.Random(f"{seed}:computer:{number}")
    box = machine(rng, noise, DAYS)
    series = {name: daily_values(measured(rng, kind, noise, box), DAYS) for name, kind in PARTS}
    onset = WARMUP_DAYS + rng.randrange(NORMAL_DAYS)
    result: dict[str, Any] = {
        "nudges": Tray(series, rules, box.first_weekday).nudges(),
        "spread": {name: spread(values) for name, values in series.items()},
    }
    everything = {name: slowed(values, onset) for name, values in series.items()}
    result["all"] = Tray(everything, rules, box.first_weekday).days_to_find(onset)
    for name in series:
        alone = {**series, name: everything[name]}
        result[name] = Tray(alone, rules, box.first_weekday).days_to_find(onset)
    return result


def found_rates(delays: list[int | None]) -> dict[str, Any]:
    """How many were found, and how fast."""
    count = len(delays)
    kept = sorted(d for d in delays if d is not None)
    return {
        "found_within_7_days": round(sum(1 for d in kept if d <= 7) / count, 3),
        "found_within_14_days": round(sum(1 for d in kept if d <= 14) / count, 3),
        "found_within_30_days": round(len(kept) / count, 3),
        "days_to_find_median": statistics.median(kept) if kept else None,
        "days_to_find_p90": kept[math.ceil(0.9 * len(kept)) - 1] if kept else None,
    }


def computer_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The rates of the computer kind."""
    names = [name for name, _ in PARTS]
    record: dict[str, Any] = {"computers": len(results)}
    record["daily_spread_median"] = {
        name: round(statistics.median(r["spread"][name] for r in results), 3) for name in names
    }
    record["false_nudges_per_90_days"] = {
        name: round(statistics.mean(r["nudges"][name] for r in results), 3)
        for name in [*names, "computer", "all"]
    }
    record["share_with_false_nudge"] = round(
        sum(1 for r in results if r["nudges"]["all"]) / len(results), 3
    )
    record["all_slower"] = {
        "computer": found_rates([r["all"][0] for r in results]),
        "any": found_rates([r["all"][1] for r in results]),
        "any_in_days_of_use": found_rates([r["all"][2] for r in results]),
    }
    record["one_slower"] = {name: found_rates([r[name][1] for r in results]) for name in names}
    return record


def computer_rates(
    pool: ProcessPoolExecutor, computers: int, seed: int, noise: Noise, rules: Rules
) -> dict[str, Any]:
    """The rates of the computer kind under one noise model and set of rules."""
    jobs = [(seed, number, noise, rules) for number in range(computers)]
    return computer_summary(list(pool.map(whole, jobs, chunksize=20)))


def summary(results: list[tuple[int, int | None, float]]) -> dict[str, Any]:
    """The rates of one kind of measure."""
    count = len(results)
    false = [r[0] for r in results]
    delays = sorted(r[1] for r in results if r[1] is not None)
    return {
        "computers": count,
        "daily_spread_median": round(statistics.median(r[2] for r in results), 3),
        "false_nudges_per_90_days": round(statistics.mean(false), 3),
        "share_with_false_nudge": round(sum(1 for f in false if f) / count, 3),
        "found_within_30_days": round(len(delays) / count, 3),
        "days_to_find_median": statistics.median(delays) if delays else None,
        "days_to_find_p90": delays[math.ceil(0.9 * len(delays)) - 1] if delays else None,
        "found_within_7_days": round(sum(1 for d in delays if d <= 7) / count, 3),
        "found_within_14_days": round(sum(1 for d in delays if d <= 14) / count, 3),
    }


#: Other thresholds measured on the sampled kind: what fewer false nudges cost in speed.
TRADEOFF_Z = (2.75, 3.0, 3.5)
#: Quieter days than the model: day-level spread 3-5 %, per-sample 10-20 %.
QUIETER = Noise(sample_spread=(0.10, 0.20), day_spread=(0.03, 0.05))


def rates(
    pool: ProcessPoolExecutor,
    computers: int,
    seed: int,
    kind: Kind,
    noise: Noise,
    rule: TrendRule,
    weekdays: bool = True,
) -> dict[str, Any]:
    """The rates of one kind of measure under one noise model and rule."""
    jobs = [(seed, number, kind, noise, rule, weekdays) for number in range(computers)]
    return summary(list(pool.map(computer, jobs, chunksize=50)))


def run(
    computers: int = 1500,
    seed: int = 14,
    rules: Rules | None = None,
    noise: Noise | None = None,
    whole_computers: int = 800,
) -> dict[str, Any]:
    """Simulate computers for each kind of measure; the rates, JSON-able.

    ``sampled`` and ``boot`` (``computers`` each) are one measure alone with
    ``rules.measure``; ``computer`` (``whole_computers``) is the probe, the
    tray's start and boot of one computer with every detector the tray runs
    (:class:`Rules`). Besides, ``tradeoff``: the sampled kind with other ``z``
    thresholds; ``quieter``: the sampled kind on quieter days (:data:`QUIETER`);
    ``no_weekdays``: both sampled and computer kinds without the weekday.
    """
    rules = rules or Rules()
    noise = noise or Noise()
    rule = rules.measure
    record: dict[str, Any] = {"seed": seed, "slowdown": SLOWER, "rule": asdict(rule)}
    record["computer_rule"] = asdict(rules.computer)
    record["weekdays"] = rules.weekdays
    record["noise"] = asdict(noise)
    with ProcessPoolExecutor(WORKERS) as pool:
        for kind in KINDS:
            record[kind.name] = rates(pool, computers, seed, kind, noise, rule, rules.weekdays)
        record["computer"] = computer_rates(pool, whole_computers, seed, noise, rules)
        record["tradeoff"] = [
            {"z": z, **rates(pool, computers, seed, SAMPLED, noise, replace(rule, z=z))}
            for z in TRADEOFF_Z
        ]
        record["quieter"] = {
            "noise": asdict(QUIETER),
            **rates(pool, computers, seed, SAMPLED, QUIETER, rule, rules.weekdays),
        }
        plain = replace(rules, weekdays=False)
        record["no_weekdays"] = {
            "sampled": rates(pool, computers, seed, SAMPLED, noise, rule, False),
            "computer": computer_rates(pool, whole_computers, seed, noise, plain),
        }
    return record


ROWS = (
    ("computers simulated", "computers", ""),
    ("day-to-day spread of daily values, median", "daily_spread_median", ""),
    ("false nudges per 90 days, mean", "false_nudges_per_90_days", "≤ 1"),
    ("computers with any false nudge in 90 days", "share_with_false_nudge", ""),
    ("20 % slowdown found within 30 days", "found_within_30_days", ""),
    ("days to find, median", "days_to_find_median", ""),
    ("days to find, p90", "days_to_find_p90", ""),
    ("found within 7 days", "found_within_7_days", "≥ 0.9"),
    ("found within 14 days", "found_within_14_days", ""),
)
FOUND = ROWS[4:]


def table(record: dict[str, Any]) -> list[str]:
    """Markdown tables of :func:`run`'s record."""
    lines = [
        '"Getting slower" on synthetic noisy computers (bench/trend_rates.py, '
        f"seed {record['seed']}, weekdays {'on' if record['weekdays'] else 'off'})",
        "",
        "One measure alone, slowdown() (z " + str(record["rule"]["z"]) + ")",
        "| measure | sampled | boot | target |",
        "|---|---|---|---|",
    ]
    for label, key, target in ROWS:
        lines.append(f"| {label} | {record['sampled'][key]} | {record['boot'][key]} | {target} |")
    lines += computer_table(record["computer"], record["computer_rule"]["z"])
    lines += [
        "",
        "Sampled measures alone, other thresholds, quieter days, no weekdays",
        "| rule, noise | false nudges per 90 days | found within 7 days | days to find, p90 |",
        "|---|---|---|---|",
    ]
    others = [(f"z {row['z']}, the model's noise", row) for row in record["tradeoff"]]
    others.append((f"z {record['rule']['z']}, quieter days", record["quieter"]))
    others.append((f"z {record['rule']['z']}, no weekdays", record["no_weekdays"]["sampled"]))
    for label, row in others:
        lines.append(
            f"| {label} | {row['false_nudges_per_90_days']} | {row['found_within_7_days']} "
            f"| {row['days_to_find_p90']} |"
        )
    plain = record["no_weekdays"]["computer"]
    lines += [
        "",
        "Computer kind without weekdays: false nudges per 90 days (all detectors) "
        f"{plain['false_nudges_per_90_days']['all']}, 20 % found within 7 days "
        f"{plain['all_slower']['any']['found_within_7_days']}",
    ]
    return lines


def computer_table(result: dict[str, Any], z: float) -> list[str]:
    """Markdown tables of the computer kind."""
    names = [name for name, _ in PARTS]
    nudged = result["false_nudges_per_90_days"]
    lines = [
        "",
        f"One computer ({result['computers']} simulated): probe, tray start, boot; "
        f"computer_slowdown() (z {z}) and slowdown() of each measure",
        "| | " + " | ".join(names) + " | computer | all detectors (target ≤ 1) |",
        "|---|" + "---|" * (len(names) + 2),
        "| day-to-day spread, median | "
        + " | ".join(str(result["daily_spread_median"][n]) for n in names)
        + " | | |",
        "| false nudges per 90 days | "
        + " | ".join(str(nudged[n]) for n in [*names, "computer", "all"])
        + " |",
        "",
        f"Computers with any false nudge in 90 days: {result['share_with_false_nudge']}",
        "",
        "| 20 % slower | " + " | ".join(label for label, _, _ in FOUND) + " |",
        "|---|" + "---|" * len(FOUND),
    ]
    cases = [
        ("all measures, computer_slowdown()", result["all_slower"]["computer"]),
        ("all measures, any detector", result["all_slower"]["any"]),
        ("… counted in days of use", result["all_slower"]["any_in_days_of_use"]),
        *[(f"{n} alone, any detector", result["one_slower"][n]) for n in names],
    ]
    for label, row in cases:
        lines.append(f"| {label} | " + " | ".join(str(row[key]) for _, key, _ in FOUND) + " |")
    return lines


if __name__ == "__main__":
    sys.stdout.write(json.dumps(run(), indent=2) + "\n")
