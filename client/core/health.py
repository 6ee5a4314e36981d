"""Health of this computer: what is checked, IT's rules, and what a pass found. Qt-free.

A health pass (``client/adapters/health_helper.py``, a short-lived process)
measures **facts**: numbers named by :data:`METRICS` ("disk.free_percent",
"uptime.days", ...), a sensor that failed or is missing simply leaves its
fact out. **Rules** compare one fact with a limit; the built-in ones
(:data:`BUILTIN_RULES`) have sensible defaults and IT's profile may change,
add or switch off rules (``health.rules``, docs/profile.md). A rule that
names a metric this build does not know is left out and named, never the
others. "Getting slower" comes from the history's trends
(``client/core/trend.py``), and a profile fix's detection script that says
"the problem is here" is a finding too.

What happens with a finding (nudge, fix, tell IT) is ``client/core/nudges.py``'s;
docs/health.md describes all of it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from client.core.reading import (
    Text,
    mapping_of,
    plain_text,
    read_id,
    read_items,
    read_text,
)

#: How often a built-in pass runs (seconds) while the tray runs.
PASS_INTERVAL_S = 15 * 60
#: A finding that still holds this long after it was first seen "persists" (hours).
DEFAULT_ESCALATE_AFTER_H = 24.0
#: A finding nudges again after this long, if nothing was done (days).
DEFAULT_PERIOD_DAYS = 7.0
#: A finding counts once it was seen in this many passes in a row (not a moment's blip).
DEFAULT_PERSIST_PASSES = 2
#: The id of the finding a sustained trend makes.
SLOWER = "getting-slower"
#: The prefix of a finding a fix's detection script makes ("fix:<fix id>").
FIX_PREFIX = "fix:"
#: The most rules a profile may hold (more are ignored and named).
MAX_RULES = 50


@dataclass(frozen=True)
class Metric:
    """A fact a pass can measure: its name for people and its unit."""

    label: Text
    unit: str = ""


def _t(en: str, nl: str) -> Text:
    return Text({"en": en, "nl": nl})


#: Every fact a pass may measure. A rule can only name one of these.
METRICS: Mapping[str, Metric] = {
    "disk.free_percent": Metric(_t("Free disk space", "Vrije schijfruimte"), "%"),
    "disk.free_gb": Metric(_t("Free disk space", "Vrije schijfruimte"), "GB"),
    "disk.days_until_full": Metric(
        _t("Days until the disk is full", "Dagen tot de schijf vol is"), "days"
    ),  # fmt: skip
    "memory.available_percent": Metric(_t("Free memory", "Vrij geheugen"), "%"),
    "memory.pressure_percent": Metric(
        _t("Time waiting for memory", "Tijd wachtend op geheugen"), "%"
    ),
    "swap.used_percent": Metric(_t("Swap in use", "Wisselgeheugen in gebruik"), "%"),
    "uptime.days": Metric(
        _t("Days since the last restart", "Dagen sinds de laatste herstart"), "days"
    ),  # fmt: skip
    "cpu.top_percent": Metric(_t("Busiest program", "Drukste programma"), "% CPU"),
    "cpu.busy_percent": Metric(_t("Processor in use", "Processor in gebruik"), "%"),
    "dns.failing": Metric(_t("Name lookup (DNS)", "Namen opzoeken (DNS)")),
    "desk.unreachable_minutes": Metric(
        _t("Service desk out of reach", "Servicedesk onbereikbaar"), "min"
    ),
    "battery.health_percent": Metric(_t("Battery health", "Conditie van de accu"), "%"),
    "crashes.week": Metric(
        _t("Programs that crashed this week", "Vastgelopen programma's deze week")
    ),
    "slow.probe_ms": Metric(_t("Response time", "Reactietijd"), "ms"),
    "slow.boot_s": Metric(_t("Start-up time", "Opstarttijd"), "s"),
    "slow.tray_start_s": Metric(_t("IT help's start time", "Starttijd van IT-hulp"), "s"),
    # Not a fact: the trend of the measures above together (client/core/trend.py).
    "computer": Metric(_t("The computer as a whole", "De computer als geheel")),
}


@dataclass(frozen=True)
class Rule:
    """One check: a fact against a limit (``above`` or ``below``), and what to do about it."""

    id: str
    metric: str
    title: Text
    advice: Text
    above: float | None = None
    below: float | None = None
    #: The profile fix that helps (its id), "" for none: then a prefilled report is offered.
    fix: str = ""
    period_days: float = DEFAULT_PERIOD_DAYS
    persist_passes: int = DEFAULT_PERSIST_PASSES
    #: After this long IT hears of it, as the policy says; ``None``: IT never does.
    escalate_after_h: float | None = DEFAULT_ESCALATE_AFTER_H
    enabled: bool = True

    def breached(self, value: float) -> bool:
        """Whether ``value`` is past this rule's limit."""
        if self.above is not None and value > self.above:
            return True
        return self.below is not None and value < self.below

    @property
    def limit(self) -> float:
        """The limit, for people ("below 10 %")."""
        return self.above if self.above is not None else self.below or 0.0


#: The built-in checks. IT may change them (a rule with the same id) or switch them off.
BUILTIN_RULES: tuple[Rule, ...] = (
    Rule(
        "disk-low", "disk.free_percent",
        _t("Your disk is almost full", "Uw schijf is bijna vol"),
        _t("Empty the trash and remove large files you no longer need.",
           "Leeg de prullenbak en verwijder grote bestanden die u niet meer nodig hebt."),
        below=10.0, period_days=3.0, escalate_after_h=72.0,
    ),
    Rule(
        "disk-filling", "disk.days_until_full",
        _t("Your disk will be full soon", "Uw schijf is binnenkort vol"),
        _t("Something keeps filling your disk. IT can find out what.",
           "Iets blijft uw schijf vullen. IT kan uitzoeken wat."),
        below=14.0, period_days=7.0, escalate_after_h=48.0,
    ),
    Rule(
        "memory-pressure", "memory.pressure_percent",
        _t("Your computer is short of memory", "Uw computer komt geheugen tekort"),
        _t("Close programs and browser tabs you are not using.",
           "Sluit programma's en browsertabbladen die u niet gebruikt."),
        above=10.0, persist_passes=3, escalate_after_h=72.0,
    ),
    Rule(
        "uptime-long", "uptime.days",
        _t("Your computer has not restarted for a long time",
           "Uw computer is lang niet herstart"),
        _t("Restart it at the end of the day: updates finish and memory is freed.",
           "Herstart aan het eind van de dag: updates worden afgerond en geheugen komt vrij."),
        above=14.0, persist_passes=1, period_days=3.0, escalate_after_h=None,
    ),
    Rule(
        "cpu-hog", "cpu.top_percent",
        _t("A program keeps your processor busy", "Een programma houdt uw processor bezig"),
        _t("If you do not need it now, close it, or restart it.",
           "Hebt u het nu niet nodig, sluit het dan of start het opnieuw."),
        above=80.0, persist_passes=2, period_days=1.0, escalate_after_h=24.0,
    ),
    Rule(
        "dns-failing", "dns.failing",
        _t("Names on the network cannot be looked up", "Namen op het netwerk worden niet gevonden"),
        _t("Websites and the service desk may not open. Reconnecting to the network often helps.",
           "Websites en de servicedesk openen misschien niet. Opnieuw verbinden helpt vaak."),
        above=0.5, persist_passes=3, period_days=1.0, escalate_after_h=4.0,
    ),
    Rule(
        "desk-unreachable", "desk.unreachable_minutes",
        _t("The service desk cannot be reached", "De servicedesk is niet bereikbaar"),
        _t("Reports wait safely on this computer and are sent when it can be reached.",
           "Meldingen wachten veilig op deze computer en gaan weg zodra die bereikbaar is."),
        above=60.0, persist_passes=2, period_days=1.0, escalate_after_h=None,
    ),
    Rule(
        "battery-worn", "battery.health_percent",
        _t("Your battery is worn", "Uw accu is versleten"),
        _t("It holds much less charge than when new. IT can replace it.",
           "Hij houdt veel minder lading vast dan nieuw. IT kan hem vervangen."),
        below=60.0, persist_passes=1, period_days=30.0, escalate_after_h=24.0 * 7,
    ),
    Rule(
        "crashes", "crashes.week",
        _t("Programs keep crashing", "Programma's lopen steeds vast"),
        _t("IT can look into what makes them crash.", "IT kan uitzoeken waardoor ze vastlopen."),
        above=5.0, persist_passes=1, period_days=7.0, escalate_after_h=24.0,
    ),
)  # fmt: skip

#: What "getting slower" does (a trend, not a limit: these are its nudge and escalation).
SLOWER_RULE = Rule(
    SLOWER, "slow.probe_ms",
    _t("Your computer is getting slower", "Uw computer wordt trager"),
    _t("IT can find out why, before it gets in your way.",
       "IT kan uitzoeken waarom, voordat u er last van krijgt."),
    persist_passes=1, period_days=7.0, escalate_after_h=48.0,
)  # fmt: skip


# --- IT's rules from the profile ---------------------------------------------------------------


def parse_rules(value: object, problems: list[str]) -> tuple[Rule, ...]:
    """The profile's ``health.rules``: each checked on its own, a bad one left out and named."""
    rules: list[Rule] = []
    items = read_items(value, "health.rules", problems)
    if len(items) > MAX_RULES:
        problems.append(f"health.rules: {len(items)} rules; the first {MAX_RULES} are used")
    for index, raw in items[:MAX_RULES]:
        where = f"health.rules[{index}]"
        rule = _rule(raw, where, problems)
        if rule is None:
            continue
        if any(r.id == rule.id for r in rules):
            problems.append(f"{where}: the id {rule.id!r} is used twice")
            continue
        rules.append(rule)
    return tuple(rules)


def _rule(raw: Mapping[str, Any], where: str, problems: list[str]) -> Rule | None:
    rule_id = read_id(raw, where, problems)
    if rule_id is None:
        return None
    builtin = next((r for r in BUILTIN_RULES if r.id == rule_id), None)
    if raw.get("enabled") is False:
        return Rule(rule_id, "", _t("", ""), _t("", ""), enabled=False)
    metric = raw.get("metric", builtin.metric if builtin else None)
    if metric not in METRICS:
        problems.append(f"{where}: unknown metric {metric!r}; the rule is skipped")
        return None
    if builtin is not None and "above" not in raw and "below" not in raw:
        above, below = builtin.above, builtin.below  # IT changed something else
    else:
        above, below = _limit(raw.get("above")), _limit(raw.get("below"))
        if (above is None) == (below is None):
            problems.append(f"{where}: needs one limit, a number 'above' or 'below'")
            return None
    title = read_text(raw.get("title")) or (builtin.title if builtin else None)
    if title is None:
        problems.append(f"{where}: no title")
        return None
    advice = read_text(raw.get("advice")) or (builtin.advice if builtin else _t("", ""))
    base = builtin or Rule(rule_id, str(metric), title, advice)
    escalate = raw.get("escalate_after_hours", base.escalate_after_h)
    if escalate is not None and _limit(escalate) is None:
        escalate = base.escalate_after_h  # not a number ("never", "3 days"): the rule's own
    return Rule(
        rule_id,
        str(metric),
        title,
        advice,
        above=above,
        below=below,
        fix=plain_text(raw.get("fix"), 64) or base.fix,
        period_days=_number(raw.get("period_days"), 0.5, 90.0, base.period_days),
        persist_passes=int(_number(raw.get("persist_passes"), 1, 96, base.persist_passes)),
        escalate_after_h=None if escalate is None else _number(escalate, 1.0, 24.0 * 60, 24.0),
    )


def _limit(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:  # a 400-digit integer is not a number anyone measured
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _number(value: object, low: float, high: float, default: float) -> float:
    number = _limit(value)
    return default if number is None else min(max(number, low), high)


def rules_in_force(profile_rules: Sequence[Rule]) -> tuple[Rule, ...]:
    """The built-in rules with IT's changes: the same id replaces, ``enabled: false`` removes."""
    by_id = {rule.id: rule for rule in BUILTIN_RULES}
    for rule in profile_rules:
        by_id[rule.id] = rule
    return tuple(rule for rule in by_id.values() if rule.enabled)


# --- what a pass found -------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Something a pass found: a rule's limit passed, a slowdown, or a fix's detection."""

    id: str
    rule: Rule
    value: float
    #: What it is about, when a fact says (a mount point, a program's name).
    detail: str = ""
    #: Trend figures ("slow.probe_ms" → its relative slowdown), for IT.
    figures: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Pass:
    """One health pass as the helper answered it (``client/adapters/health_helper.py``)."""

    facts: Mapping[str, float]
    details: Mapping[str, str] = field(default_factory=dict)
    #: Sensors that failed or were missing, "name: reason".
    skipped: tuple[str, ...] = ()
    #: Sustained slowdowns: metric → relative slowdown (0.2 is 20 % slower).
    slowdowns: Mapping[str, float] = field(default_factory=dict)
    #: What went wrong with the history, "" when nothing did.
    history: str = ""


def read_pass(answer: Mapping[str, Any]) -> Pass:
    """The helper's answer as a :class:`Pass`; anything malformed in it is left out."""
    facts = {
        str(name): float(value)
        for name, value in mapping_of(answer.get("facts")).items()
        if name in METRICS and _limit(value) is not None
    }
    details = {
        str(name): plain_text(value, 120)
        for name, value in mapping_of(answer.get("details")).items()
        if name in METRICS and isinstance(value, str)
    }
    skipped = answer.get("skipped")
    lines = tuple(plain_text(s, 200) for s in skipped if isinstance(s, str))[:50] if isinstance(
        skipped, list) else ()  # fmt: skip
    slowdowns: dict[str, float] = {}
    raw_slowdowns = answer.get("slowdowns")
    for raw in raw_slowdowns if isinstance(raw_slowdowns, list) else ():
        item = mapping_of(raw)
        metric, relative = item.get("metric"), _limit(item.get("relative"))
        if metric in METRICS and relative is not None and relative > 0:
            slowdowns[str(metric)] = relative
    history = answer.get("history")
    if history == "ok":
        note = ""
    else:  # the history was not used: its trends say nothing, not "no slowdown"
        note = plain_text(history, 300) if isinstance(history, str) else ""
        note = note or "no history in the answer"
    return Pass(facts, details, lines, slowdowns, note)


def evaluate(found: Pass, rules: Sequence[Rule], detected: Sequence[str] = ()) -> list[Finding]:
    """What ``found`` shows against ``rules``; ``detected``: fixes whose detection said "here"."""
    findings: list[Finding] = []
    for rule in rules:
        value = found.facts.get(rule.metric)
        if value is not None and rule.breached(value):
            findings.append(Finding(rule.id, rule, value, found.details.get(rule.metric, "")))
    if found.slowdowns:
        worst = max(found.slowdowns.values())
        findings.append(Finding(SLOWER, SLOWER_RULE, worst, figures=dict(found.slowdowns)))
    for fix_id in detected:
        findings.append(Finding(FIX_PREFIX + fix_id, fix_rule(fix_id), 1.0))
    return findings


def retired(ids: Iterable[str], rules: Sequence[Rule], fix_ids: Collection[str]) -> set[str]:
    """Which of ``ids`` (findings on the book) nothing checks any more.

    IT removed or switched off their rule, or removed their fix from the profile.
    "Getting slower" is always checked.
    """
    in_force = {rule.id for rule in rules} | {SLOWER}
    return {
        finding_id
        for finding_id in ids
        if (
            finding_id.removeprefix(FIX_PREFIX) not in fix_ids
            if finding_id.startswith(FIX_PREFIX)
            else finding_id not in in_force
        )
    }


def fix_rule(fix_id: str, title: Text | None = None) -> Rule:
    """The rule a fix's detection stands for: it offers that fix, IT hears after a day."""
    return Rule(
        FIX_PREFIX + fix_id,
        "",
        title or _t("A known problem was found", "Er is een bekend probleem gevonden"),
        _t("IT has a fix for it that you can run yourself.",
           "IT heeft er een oplossing voor die u zelf kunt uitvoeren."),
        fix=fix_id, persist_passes=1, period_days=3.0,
    )  # fmt: skip


@dataclass(frozen=True)
class Check:
    """One line of "what is checked": a rule, what the last pass measured, whether it is fine."""

    rule: Rule
    value: float | None
    found: bool


def checked(rules: Sequence[Rule], found: Pass | None) -> list[Check]:
    """Each rule with the last pass's value; ``None``: not measured here (no battery, ...)."""
    lines = []
    for rule in rules:
        value = found.facts.get(rule.metric) if found else None
        lines.append(Check(rule, value, value is not None and rule.breached(value)))
    return lines
