"""Is this computer getting slower? A sustained trend against its own past. Qt-free.

What makes a computer feel slow is measured now and then (the Glass ball
issue; docs/health.md): some measures many times a day (time under memory
pressure, a small fixed responsiveness probe), some once or twice a day (the
tray's own start, boot duration). :func:`daily` turns one measure's samples
into one value per day; :func:`slowdown` says, from those days alone, whether
one measure is now lastingly worse than it used to be on this computer, and
:func:`computer_slowdown` whether several measures together are: a computer
that got slower is slower in all of them at once.

One measure (:func:`slowdown`; the numbers are :class:`TrendRule`'s defaults):

- **Baseline:** the ``baseline_days`` (56) days before the newest
  ``window_days`` (10). Its median is "normal"; its day-to-day spread is the
  median absolute deviation (MAD) of its days from normal, as a fraction of
  normal, scaled to a standard deviation and never below ``min_spread``
  (3 %). Fewer than ``min_values`` (15) days with a value: no verdict. Given
  the weekday of the first day, each day is compared with the normal of its
  weekday class (Monday, Tuesday to Friday, the weekend: the class's
  baseline median over all days', for a class with at least
  :data:`MIN_CLASS_VALUES` baseline days).
- **Shift:** each day of the window is counted in spreads above normal, but
  at most ``clip`` (1.5) either way, so a spike day (an update, a disk
  check) counts no more than a plainly slow day. For every possible start
  of a slowdown, the newest ``k`` days (``k`` at least ``min_slow_days``,
  3) together are a robust z-score: their sum over the square root of ``k``.
  It must reach ``z`` (3.25); fewer than five days never can.
- **Felt:** the median of those ``k`` days must be at least ``relative``
  (10 %) above normal, so a statistically clear but small change on a very
  steady computer is not a nudge.
- **Sustained:** that holds on ``sustain`` (1) evaluations in a row.

The whole computer (:func:`computer_slowdown`, :data:`COMPUTER_RULE`): each
measure with enough history gets its baseline as above, its spread taken of
the logarithm (slow days are skewed upwards); each day, the scores of the
measures that have a value (at most :data:`MEASURE_CLIP`, 3, each),
weighed by each measure's steadiness (1 / spread), make one z-score of the
day, counted at most ``clip`` (3) either way, and at most
:data:`SPIKE_SCORE` (1) on a spike day (the measures' median 40 % or more
above normal). For every possible start, the days' sum over the square root
of their number must reach ``z`` (3.0) on at least ``min_slow_days`` (3)
days, and the median of the measures' relative shifts must reach
``relative`` (10 %).

Higher values are worse for every measure. The baseline ends where the window
starts, so a slowdown does not hide in its own baseline while it is being
found; after some weeks it becomes the new normal and the finding ends.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: The median absolute deviation of normal data, times this, estimates its standard deviation.
MAD_TO_SIGMA = 1.4826
#: Weekday classes (0 = Monday): Monday, Tuesday to Friday, the weekend.
WEEKDAY_CLASSES = (0, 1, 1, 1, 1, 2, 2)
#: Baseline days a weekday class needs before its own level is used.
MIN_CLASS_VALUES = 4
#: Measures with enough history :func:`computer_slowdown` needs.
MIN_MEASURES = 2
#: In :func:`computer_slowdown`, one measure's day counts at most this many spreads.
MEASURE_CLIP = 3.0
#: A day whose measures are (their median) this much over normal is a spike day (an update,
#: a disk check), not a slowdown that begins: in :func:`computer_slowdown` it counts at most
#: :data:`SPIKE_SCORE`. A lasting slowdown that large is found by each measure alone.
SPIKE_RATIO = 1.4
SPIKE_SCORE = 1.0
#: A ratio of 0 (a zero value) taken as this for its logarithm.
TINY = 1e-6


@dataclass(frozen=True)
class TrendRule:
    """How a slowdown is told from noise (defaults measured by bench/trend_rates.py)."""

    #: Days (calendar days, before the window) the baseline is taken from.
    baseline_days: int = 56
    #: The newest this many days (today included) are weighed against the baseline.
    window_days: int = 10
    #: Days with a value the baseline needs before any verdict.
    min_values: int = 15
    #: The smallest slowdown reported: the recent median over the baseline's, minus 1.
    relative: float = 0.10
    #: How far above normal the newest days must be together, in robust standard errors.
    z: float = 3.25
    #: One day counts as at most this many spreads above (or below) normal.
    clip: float = 1.5
    #: The fewest newest days (with a value) that can show a slowdown.
    min_slow_days: int = 3
    #: The day-to-day spread assumed at least (a fraction of the baseline).
    min_spread: float = 0.03
    #: Evaluations (days with a value) in a row that must say "slower".
    sustain: int = 1
    #: Added to every value before comparing, for measures that are often 0 (a share of time
    #: under memory pressure): changes well below it do not count as relative changes.
    floor: float = 0.0


#: The rule of :func:`computer_slowdown` (measured by bench/trend_rates.py).
COMPUTER_RULE = TrendRule(z=3.0, clip=3.0, min_slow_days=3)


@dataclass(frozen=True)
class Slowdown:
    """A sustained slowdown of one measure, or of the whole computer (``computer``)."""

    metric: str
    #: The baseline's median (``computer``: 1.0, an index).
    baseline: float
    #: The median of the recent days that show the slowdown (``computer``: 1 + relative).
    recent: float
    #: ``(recent + floor) / (baseline + floor) - 1``: 0.2 is 20 % slower.
    relative: float
    #: Evaluations (days with a value) in a row that said "slower", today's included.
    days: int
    #: ``computer``: the measures weighed (those with enough history), in the given order.
    measures: tuple[str, ...] = ()


def daily(samples: Iterable[tuple[int, float]]) -> list[float | None]:
    """One value per day from ``(day_number, value)`` samples in any order.

    The list runs from the first to the last day with a sample, oldest first,
    with ``None`` for days without one. A day's value is the mean of its
    middle samples (the highest and lowest fifth left out, at least one of
    each from three samples on), so a single spike sample does not move it.
    Non-finite and negative values are ignored.
    """
    by_day: defaultdict[int, list[float]] = defaultdict(list)
    for day, value in samples:
        if math.isfinite(value) and value >= 0:
            by_day[day].append(float(value))
    if not by_day:
        return []
    first, last = min(by_day), max(by_day)
    return [_middle(by_day[day]) if day in by_day else None for day in range(first, last + 1)]


def _middle(values: list[float]) -> float:
    """The trimmed mean of one day's samples."""
    values.sort()
    cut = max(1, len(values) // 5) if len(values) >= 3 else 0
    kept = values[cut : len(values) - cut]
    return math.fsum(kept) / len(kept)


def _clean(days: Sequence[float | None], length: int) -> list[float | None]:
    """``days`` padded at the front to ``length``; non-finite and negative: no value."""
    values = [v if v is not None and math.isfinite(v) and v >= 0 else None for v in days]
    return [None] * (length - len(values)) + values


@dataclass(frozen=True)
class _Scale:
    """A measure's normal as its baseline shows it."""

    normal: float
    #: The day-to-day spread, a fraction of normal.
    spread: float
    #: Each weekday's level relative to ``normal`` (all 1.0 without weekdays).
    weekday: tuple[float, ...]
    #: The weekday of the day with index 0.
    first_weekday: int
    floor: float
    #: Whether the spread is of the logarithm (:func:`computer_slowdown`).
    log: bool = False

    def ratio(self, value: float, day: int) -> float:
        """``value`` on ``day`` (an index) over its weekday's normal, both with the floor."""
        return (value + self.floor) / (self.normal * self.weekday[(self.first_weekday + day) % 7])

    def score(self, ratio: float, clip: float) -> float:
        """A ratio in spreads above normal, at most ``clip`` either way."""
        shift = _log(ratio) if self.log else ratio - 1.0
        return min(max(shift / self.spread, -clip), clip)


def _scale(
    values: Sequence[float | None],
    start: int,
    rule: TrendRule,
    first_weekday: int | None,
    log: bool = False,
) -> _Scale | None:
    """The baseline before ``start`` (an index); ``None`` when it is too short to tell."""
    begin = max(start - rule.baseline_days, 0)
    first = first_weekday or 0
    baseline = [
        ((first + d) % 7, v + rule.floor)
        for d, v in enumerate(values[begin:start], begin)
        if v is not None
    ]
    if len(baseline) < rule.min_values:
        return None
    weekday = (1.0,) * 7 if first_weekday is None else _weekday_levels(baseline)
    adjusted = [v / weekday[w] for w, v in baseline]
    normal = statistics.median(adjusted)
    if normal <= 0:
        return None
    if log:
        deviation = statistics.median(abs(_log(v / normal)) for v in adjusted)
    else:
        deviation = statistics.median(abs(v / normal - 1.0) for v in adjusted)
    spread = max(MAD_TO_SIGMA * deviation, rule.min_spread)
    return _Scale(normal, spread, weekday, first, rule.floor, log)


def _log(ratio: float) -> float:
    """The logarithm of a ratio, a zero one taken as tiny."""
    return math.log(max(ratio, TINY))


def _weekday_levels(baseline: list[tuple[int, float]]) -> tuple[float, ...]:
    """Each weekday's level: the median of its class's baseline days over all days' median."""
    middle = statistics.median(v for _, v in baseline)
    by_class: defaultdict[int, list[float]] = defaultdict(list)
    for weekday, value in baseline:
        by_class[WEEKDAY_CLASSES[weekday]].append(value)
    level = [1.0, 1.0, 1.0]
    for klass, kept in by_class.items():
        own = statistics.median(kept)
        if len(kept) >= MIN_CLASS_VALUES and own > 0 and middle > 0:
            level[klass] = own / middle
    return tuple(level[klass] for klass in WEEKDAY_CLASSES)


@dataclass(frozen=True)
class _Shift:
    """One day's evaluation that said "slower"."""

    baseline: float
    recent: float
    relative: float


def slowdown(
    metric: str,
    days: Sequence[float | None],
    rule: TrendRule = TrendRule(),
    first_weekday: int | None = None,
) -> Slowdown | None:
    """Whether ``metric`` is lastingly slower now, from its history alone.

    ``days`` holds one value per day, oldest first, the newest being today;
    ``None`` (or a non-finite or negative value) for a day without one.
    ``first_weekday`` is the weekday of ``days[0]`` (0 = Monday): each day is
    then compared with the normal of its weekday class (Monday, Tuesday to
    Friday, the weekend); ``None``: one normal for all days. The newest day
    with a value is evaluated, then the days with a value before it, back to
    one that does not say "slower"; ``None`` when fewer than ``rule.sustain``
    in a row did, or the history is too short to tell.
    """
    values = _clean(days, len(days))
    newest: _Shift | None = None
    run = 0
    for today in reversed(range(len(values))):
        if values[today] is None:
            continue
        found = _evaluate(values, today, rule, first_weekday)
        if found is None:
            break
        if newest is None:
            newest = found
        run += 1
    if newest is None or run < rule.sustain:
        return None
    return Slowdown(metric, newest.baseline, newest.recent, newest.relative, run)


def _evaluate(
    values: Sequence[float | None], today: int, rule: TrendRule, first_weekday: int | None
) -> _Shift | None:
    """The window ending on ``today`` against the baseline before it, if it says "slower"."""
    start = max(today + 1 - rule.window_days, 0)
    scale = _scale(values, start, rule, first_weekday)
    if scale is None:
        return None
    recent = [(d, v) for d, v in enumerate(values[start : today + 1], start) if v is not None]
    ratios: list[float] = []
    best: _Shift | None = None
    best_score = rule.z
    total = 0.0
    for count, (day, value) in enumerate(reversed(recent), start=1):
        ratios.append(scale.ratio(value, day))
        total += scale.score(ratios[-1], rule.clip)
        score = total / math.sqrt(count)
        if count < rule.min_slow_days or score < best_score:
            continue
        level = statistics.median(ratios)
        if level - 1.0 >= rule.relative:
            raw = statistics.median(v for _, v in recent[-count:])
            best, best_score = _Shift(scale.normal - rule.floor, raw, level - 1.0), score

    return best


def computer_slowdown(
    measures: Mapping[str, Sequence[float | None]],
    rule: TrendRule = COMPUTER_RULE,
    first_weekday: int | None = None,
) -> Slowdown | None:
    """Whether the whole computer is lastingly slower now: several measures together.

    ``measures`` maps each measure (higher is worse) to its days as for
    :func:`slowdown`, all ending today; shorter ones are taken as missing
    their oldest days, and ``first_weekday`` is the weekday of the oldest
    day of the longest. Measures without enough history are left out; with
    fewer than :data:`MIN_MEASURES` left, ``None``. Each measure's days are
    scored against its own baseline as in :func:`slowdown`; for every
    possible start of a slowdown, all scores of all measures since then,
    each weighed by the steadiness of its measure (1 / spread), together
    are a robust z-score that must reach ``rule.z``, on at least
    ``rule.min_slow_days`` days with a value; and the median of the
    measures' relative shifts since then must reach ``rule.relative``.
    Result: ``metric`` "computer", ``baseline`` 1.0, ``recent`` 1 + that
    median, ``measures`` the measures weighed.
    """
    length = max((len(days) for days in measures.values()), default=0)
    series = {name: _clean(days, length) for name, days in measures.items()}
    newest: _Shift | None = None
    used: tuple[str, ...] = ()
    run = 0
    for today in reversed(range(length)):
        if all(values[today] is None for values in series.values()):
            continue
        found, names = _evaluate_all(series, today, rule, first_weekday)
        if found is None:
            break
        if newest is None:
            newest, used = found, names
        run += 1
    if newest is None or run < rule.sustain:
        return None
    return Slowdown("computer", 1.0, 1.0 + newest.relative, newest.relative, run, used)


def _evaluate_all(
    series: Mapping[str, Sequence[float | None]],
    today: int,
    rule: TrendRule,
    first_weekday: int | None,
) -> tuple[_Shift | None, tuple[str, ...]]:
    """The window ending on ``today`` of all measures, if together they say "slower"."""
    start = max(today + 1 - rule.window_days, 0)
    scales = {}
    for name, values in series.items():
        scale = _scale(values, start, rule, first_weekday, log=True)
        if scale is not None:
            scales[name] = scale
    if len(scales) < MIN_MEASURES:
        return None, ()
    weights = {name: 1.0 / scale.spread for name, scale in scales.items()}
    ratios: dict[str, list[float]] = {name: [] for name in scales}
    best: _Shift | None = None
    best_score = rule.z
    total = 0.0
    count = 0
    for day in reversed(range(start, today + 1)):
        today_ratios: list[float] = []
        weighed = squares = 0.0
        for name, scale in scales.items():
            value = series[name][day]
            if value is None:
                continue
            today_ratios.append(scale.ratio(value, day))
            ratios[name].append(today_ratios[-1])
            weighed += weights[name] * scale.score(today_ratios[-1], MEASURE_CLIP)
            squares += weights[name] ** 2
        if not today_ratios:
            continue
        spike = statistics.median(today_ratios) >= SPIKE_RATIO
        cap = min(rule.clip, SPIKE_SCORE) if spike else rule.clip
        total += min(max(weighed / math.sqrt(squares), -rule.clip), cap)
        count += 1
        score = total / math.sqrt(count)
        if count < rule.min_slow_days or score < best_score:
            continue
        level = statistics.median(statistics.median(r) for r in ratios.values() if r)
        if level - 1.0 >= rule.relative:
            best, best_score = _Shift(1.0, level, level - 1.0), score
    return best, tuple(scales)
