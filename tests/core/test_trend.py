"""The "getting slower" trend: daily values from samples; a sustained slowdown told from noise."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from client.core.trend import COMPUTER_RULE, TrendRule, computer_slowdown, daily, slowdown

RULE = TrendRule()
#: A small repeating wobble (at most 3 %): a steady computer, as the baseline sees it.
WOBBLE = (0.0, 0.01, -0.01, 0.02, -0.02, 0.03, -0.03)


def steady(days: int = 70, level: float = 100.0) -> list[float | None]:
    return [level * (1 + WOBBLE[day % len(WOBBLE)]) for day in range(days)]


def then(history: list[float | None], *factors: float) -> list[float | None]:
    """``history`` followed by days at its level times each factor (``nan``: no value)."""
    return history + [None if math.isnan(f) else 100.0 * f for f in factors]


def with_weekends(history: list[float | None]) -> list[float | None]:
    return [None if day % 7 in (5, 6) else value for day, value in enumerate(history)]


NAN = math.nan

# --- slowdown: nothing to say -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "days", "rule"),
    [
        ("steady", steady(), RULE),
        ("no history", [], RULE),
        ("only days without a value", [None] * 80, RULE),
        ("a spike day of 1.5 today", then(steady(), 1.5), RULE),
        ("a spike day of 3 today", then(steady(), 3.0), RULE),
        ("a spike day of 3, then normal days", then(steady(), 3.0, 1.0, 1.0, 1.0), RULE),
        ("two spike days apart", then(steady(), 3.0, 1.0, 1.0, 2.0, 1.0), RULE),
        ("a spike, a day off, a spike, then normal", then(steady(), 2.5, NAN, 2.0, 1.0, 1.0), RULE),
        ("too little history before 20 % slower", then(steady(10), *[1.2] * 6), RULE),
        ("20 % slower for only four days", then(steady(), 1.2, 1.2, 1.2, 1.2), RULE),
        ("5 % slower: clear on a steady computer, but not felt", then(steady(), *[1.05] * 9), RULE),
        ("faster", then(steady(), *[0.7] * 9), RULE),
        ("a baseline of zeros (no floor)", [0.0] * 60 + [1.0] * 8, RULE),
        ("slower, not `sustain` days", then(steady(), *[1.2] * 5), replace(RULE, sustain=2)),
        ("a slowdown that became the new normal", then(steady(), *[1.2] * 120), RULE),
    ],
)
def test_no_slowdown(case: str, days: list[float | None], rule: TrendRule) -> None:
    assert slowdown("boot", days, rule) is None, case


# --- slowdown: found --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "days", "rule", "relative", "run"),
    [
        # A day counts at most `clip` (1.5) spreads: five slow days reach z 3.25, so six make
        # two evaluations in a row.
        ("20 % slower for six days", then(steady(), *[1.2] * 6), RULE, 0.2, 2),
        ("50 % slower for five days", then(steady(), *[1.5] * 5), RULE, 0.5, 1),
        ("with a spike among the slow days", then(steady(), 1.2, 1.2, 3.0, 1.2, 1.2), RULE, 0.2, 1),
        ("weekends without values", with_weekends(then(steady(), *[1.2] * 8)), RULE, 0.2, 2),
        ("today without a value yet", then(steady(), *[1.2] * 5, NAN), RULE, 0.2, 1),
        ("non-finite and negative days ignored", then(steady(), 1.2, NAN, 1.2, -1, 1.2, 1.2, 1.2),
         RULE, 0.2, 1),
        ("sustained for two evaluations", then(steady(), *[1.2] * 6), replace(RULE, sustain=2),
         0.2, 2),
        # With a larger clip two slow days and one normal one reach z: from the second slow day.
        ("a larger clip", then(steady(), *[1.3] * 6), replace(RULE, clip=3.0), 0.3, 4),
    ],
)  # fmt: skip
def test_slowdown_found(
    case: str, days: list[float | None], rule: TrendRule, relative: float, run: int
) -> None:
    found = slowdown("boot", days, rule)
    assert found is not None, case
    assert found.metric == "boot"
    assert found.baseline == pytest.approx(100.0, rel=0.01)
    assert found.relative == pytest.approx(relative, abs=0.02)
    assert found.recent == pytest.approx(100.0 * (1 + relative), rel=0.02)
    assert found.days == run


def test_non_finite_entries_are_days_without_a_value() -> None:
    history = then(steady(), *[1.2] * 6)
    dirty = [*history[:40], math.inf, -5.0, *history[40:]]
    clean = [*history[:40], None, None, *history[40:]]
    assert slowdown("probe", dirty) == slowdown("probe", clean)


def test_a_floor_gives_measures_that_are_often_zero_a_relative_scale() -> None:
    """Memory pressure: no pressure at all for weeks, then 2 % of the time on every day."""
    history: list[float | None] = [*[0.0] * 60, *[0.02] * 6]
    assert slowdown("memory", history) is None  # a median of 0 has no relative scale
    found = slowdown("memory", history, replace(RULE, floor=0.01))
    assert found is not None
    assert (found.metric, found.baseline, found.days) == ("memory", 0.0, 2)
    assert found.recent == pytest.approx(0.02)
    assert found.relative == pytest.approx(2.0)


def test_the_defaults_are_the_measured_ones() -> None:
    assert RULE == TrendRule(
        baseline_days=56, window_days=10, min_values=15, relative=0.10, z=3.25, clip=1.5,
        min_slow_days=3, min_spread=0.03, sustain=1, floor=0.0,
    )  # fmt: skip


# --- daily ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "samples", "expected"),
    [
        ("nothing", [], []),
        ("one sample", [(5, 2.0)], [2.0]),
        ("two samples: their mean", [(5, 2.0), (5, 4.0)], [3.0]),
        ("three samples: the middle one", [(5, 2.0), (5, 90.0), (5, 3.0)], [3.0]),
        ("a spike sample is left out", [(5, 10.0), (5, 10.0), (5, 11.0), (5, 1000.0)], [10.5]),
        ("ten samples: the middle six", [(1, float(v)) for v in (9, 1, 8, 2, 7, 3, 6, 4, 5, 99)],
         [5.5]),
        ("any order, oldest day first", [(3, 1.0), (1, 2.0), (2, 4.0), (1, 2.0)], [2.0, 4.0, 1.0]),
        ("days without samples are None", [(10, 1.0), (13, 2.0)], [1.0, None, None, 2.0]),
        ("non-finite and negative ignored", [(1, 1.0), (1, math.nan), (1, math.inf), (2, -1.0),
                                             (3, 3.0), (3, -math.inf)], [1.0, None, 3.0]),
        ("a first day with only bad samples is not a day", [(0, math.nan), (1, 2.0)], [2.0]),
        ("only bad samples", [(0, math.nan), (1, -2.0)], []),
        ("zero is a value", [(7, 0.0), (7, 0.0)], [0.0]),
        ("days since the epoch", [(20_000, 1.0), (20_001, 1.0)], [1.0, 1.0]),
    ],
)  # fmt: skip
def test_daily(case: str, samples: list[tuple[int, float]], expected: list[float | None]) -> None:
    assert daily(samples) == expected, case


def test_daily_takes_any_iterable() -> None:
    assert daily((day, 1.0) for day in (2, 0)) == [1.0, None, 1.0]


# --- slowdown: the weekday ----------------------------------------------------------------------


def weekly(days: int, weekend: float, level: float = 100.0) -> list[float | None]:
    """Steady days from a Monday on, weekends at ``weekend`` times the level."""
    return [
        level * (weekend if day % 7 >= 5 else 1.0) * (1 + WOBBLE[day % len(WOBBLE)])
        for day in range(days)
    ]


def slower(history: list[float | None], days: int, factor: float) -> list[float | None]:
    """``history`` with its newest ``days`` days times ``factor``."""
    cut = len(history) - days
    return [v if v is None or day < cut else v * factor for day, v in enumerate(history)]


# A computer that is faster on weekends (used then too): 20 % slower on every day of the last
# five (Wednesday to Sunday) is found only when each day is weighed against its own weekdays.
FASTER_WEEKENDS = slower(weekly(77, weekend=0.7), 5, 1.2)


@pytest.mark.parametrize(
    ("case", "days", "first_weekday", "expected"),
    [
        ("weekends faster, 20 % slower: not found without the weekday", FASTER_WEEKENDS, None,
         None),
        ("weekends faster, 20 % slower: found with it", FASTER_WEEKENDS, 0, 0.2),
        ("the same days, but day 0 is a Saturday", FASTER_WEEKENDS, 5, None),
        ("steady weekdays, weekends without a value", then(with_weekends(steady()), *[1.2] * 5),
         0, 0.2),
        ("weekends faster, a steady week", weekly(77, weekend=0.7), 0, None),
        ("Mondays of 0: that class is not used", [0.0 if d % 7 == 0 else 100.0 for d in range(70)],
         0, None),
        ("Mondays only above 0", [5.0 if d % 7 == 0 else 0.0 for d in range(70)], 0, None),
    ],
)  # fmt: skip
def test_slowdown_by_weekday(
    case: str, days: list[float | None], first_weekday: int | None, expected: float | None
) -> None:
    found = slowdown("probe", days, RULE, first_weekday)
    if expected is None:
        assert found is None, case
    else:
        assert found is not None, case
        assert found.relative == pytest.approx(expected, abs=0.02), case


def test_without_a_weekday_as_before() -> None:
    history = then(steady(), 1.2, 1.1, 1.3, 1.2, 1.2, 1.25)
    assert slowdown("probe", history, RULE, None) == slowdown("probe", history, RULE)


# --- computer_slowdown ------------------------------------------------------------------------


def shifted(days: int, phase: int) -> list[float | None]:
    """A steady measure whose wobble runs ``phase`` days later than another's."""
    return [100.0 * (1 + WOBBLE[(day + phase) % len(WOBBLE)]) for day in range(days)]


def computer(
    *factors: float, days: int = 70, **changed: list[float | None]
) -> dict[str, list[float | None]]:
    """Three steady measures, each then at its level times ``factors``; ``changed`` replaced."""
    measures = {
        name: then(shifted(days, phase), *factors)
        for name, phase in (("probe", 0), ("tray_start", 2), ("boot", 5))
    }
    return {**measures, **changed}


COMPUTER = computer_slowdown.__defaults__[0]  # type: ignore[index]


@pytest.mark.parametrize(
    ("case", "measures", "rule"),
    [
        ("steady", computer(), COMPUTER),
        ("no measures", {}, COMPUTER),
        ("all 20 % slower, one day", computer(1.2), COMPUTER),
        ("a spike day in one measure", computer(probe=then(shifted(70, 0), 3.0)), COMPUTER),
        ("a spike day in one measure, then normal",
         computer(1.0, 1.0, probe=then(shifted(70, 0), 3.0, 1.0, 1.0)), COMPUTER),
        ("three spike days in all measures (an update)", computer(2.0, 2.5, 2.0), COMPUTER),
        ("all 5 % slower: clear, but not felt", computer(*[1.05] * 6), COMPUTER),
        ("all faster", computer(*[0.8] * 6), COMPUTER),
        ("too little history", computer(*[1.2] * 5, days=12), COMPUTER),
        ("only one measure with history",
         computer(*[1.2] * 5, tray_start=then([None] * 70, *[1.2] * 5), boot=[]), COMPUTER),
        ("slower, not `sustain` days", computer(1.2, 1.2), replace(COMPUTER, sustain=2)),
        ("only days without a value", {"probe": [None] * 80, "boot": [None] * 80}, COMPUTER),
    ],
)  # fmt: skip
def test_no_computer_slowdown(
    case: str, measures: dict[str, list[float | None]], rule: TrendRule
) -> None:
    assert computer_slowdown(measures, rule) is None, case


@pytest.mark.parametrize(
    ("case", "measures", "relative", "run", "names"),
    [
        # A day of all three measures counts `clip` (3): two slow days and an ordinary one
        # reach z 3, so three slow days make two evaluations in a row, four three.
        ("all 20 % slower for two days", computer(1.2, 1.2), 0.11, 1, 3),
        ("all 20 % slower for three days", computer(1.2, 1.2, 1.2), 0.2, 2, 3),
        ("all 20 % slower for five days", computer(*[1.2] * 5), 0.2, 4, 3),
        ("with a spike day in one measure among them",
         computer(*[1.2] * 4, probe=then(shifted(70, 0), 1.2, 3.0, 1.2, 1.2)), 0.2, 3, 3),
        ("one measure missing", computer(*[1.2] * 4, boot=[]), 0.2, 3, 2),
        ("one measure with too little history",
         computer(*[1.2] * 4, boot=then([None] * 66, *[1.2] * 8)), 0.2, 3, 2),
        ("one measure without a value lately",
         computer(*[1.2] * 4, boot=then(shifted(70, 5), NAN, NAN, NAN, NAN)), 0.2, 3, 3),
        ("shorter lists end today too",
         computer(*[1.2] * 4, boot=then(shifted(50, 5), *[1.2] * 4)), 0.2, 3, 3),
        ("weekends without values", {name: with_weekends(days)
                                     for name, days in computer(*[1.2] * 8).items()}, 0.2, 5, 3),
        ("one measure 40 % slower, the others 20 %",
         computer(*[1.2] * 4, boot=then(shifted(70, 5), *[1.4] * 4)), 0.2, 3, 3),
        ("a zero day in one measure's history",
         computer(*[1.2] * 4, probe=[*shifted(30, 0), 0.0, *shifted(39, 0), *[120.0] * 4]),
         0.2, 3, 3),
    ],
)  # fmt: skip
def test_computer_slowdown_found(
    case: str, measures: dict[str, list[float | None]], relative: float, run: int, names: int
) -> None:
    found = computer_slowdown(measures)
    assert found is not None, case
    assert found.metric == "computer"
    assert found.baseline == 1.0
    assert found.relative == pytest.approx(relative, abs=0.02), case
    assert found.recent == pytest.approx(1 + found.relative)
    assert found.days == run, case
    assert len(found.measures) == names, case


def test_a_spike_day_of_everything_counts_little() -> None:
    """Three days of an update (all measures 2-3 times) count less than three 20 % slower."""
    assert computer_slowdown(computer(2.0, 3.0, 2.5)) is None
    assert computer_slowdown(computer(2.0, 3.0, 2.5, 1.0)) is None
    assert computer_slowdown(computer(1.2, 1.2, 1.2)) is not None


def test_computer_slowdown_by_weekday() -> None:
    """Every measure faster on weekends: 20 % slower over a weekend is found with the weekday."""
    measures = {
        name: slower(weekly(77, weekend=0.7, level=level), 4, 1.2)
        for name, level in (("probe", 100.0), ("tray_start", 8.0), ("boot", 40.0))
    }
    assert computer_slowdown(measures) is None
    found = computer_slowdown(measures, first_weekday=0)
    assert found is not None
    assert found.relative == pytest.approx(0.2, abs=0.02)
    assert found.measures == ("probe", "tray_start", "boot")


def test_the_computer_rule_is_the_measured_one() -> None:
    assert COMPUTER == COMPUTER_RULE == replace(RULE, z=3.0, clip=3.0, min_slow_days=3)
