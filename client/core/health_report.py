"""What a proactive report about a finding carries, and its updates. Qt-free.

The payload is fixed in advance and small (the Glass ball issue; the
privacy statement names it): the finding, its figures (a trend's slowdowns),
the last pass's numbers, the offending program's name when the finding is
about one, and the machine's facts (system and version, the tray's
version). No screenshot, no process list, no log lines, no file names
beyond the one volume a disk finding is about. docs/health.md shows an example.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from client.core.health import METRICS, Finding, Pass
from client.core.models import Attachment

#: The JSON file a proactive report carries.
FILE_NAME = "health-finding.json"
SCHEMA = "helpdesk-tray/health-finding"
#: The line that names the finding in the ticket (one ticket per finding).
MARK = "Health-Finding"

_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "subject": "[Health] {title}",
        "intro_auto": "The IT help app on this computer found this on its own and reported it, "
        "as the IT policy says. The employee was told.",
        "intro_ask": "The IT help app on this computer found this on its own. The employee "
        "agreed to tell IT.",
        "since": "Found since: {when}",
        "measured": "Measured: {label}: {value}",
        "limit_above": "(limit: above {limit})",
        "limit_below": "(limit: below {limit})",
        "slower": "{label}: {percent} % slower than this computer's own past",
        "about": "About: {detail}",
        "machine": "Computer: {system}",
        "update": "Still found on {when}: {value}.",
        "cleared": "The problem cleared on {when}; the IT help app no longer finds it.",
        "close": "You can close this ticket.",
    },
    "nl": {
        "subject": "[Gezondheid] {title}",
        "intro_auto": "De IT-hulp-app op deze computer vond dit zelf en meldde het, zoals het "
        "IT-beleid zegt. De medewerker is op de hoogte gebracht.",
        "intro_ask": "De IT-hulp-app op deze computer vond dit zelf. De medewerker gaf "
        "toestemming om IT in te lichten.",
        "since": "Gevonden sinds: {when}",
        "measured": "Gemeten: {label}: {value}",
        "limit_above": "(grens: boven {limit})",
        "limit_below": "(grens: onder {limit})",
        "slower": "{label}: {percent} % trager dan deze computer zelf gewend is",
        "about": "Betreft: {detail}",
        "machine": "Computer: {system}",
        "update": "Nog steeds gevonden op {when}: {value}.",
        "cleared": "Het probleem is verdwenen op {when}; de IT-hulp-app vindt het niet meer.",
        "close": "U kunt deze melding sluiten.",
    },
}


def _words(language: str) -> Mapping[str, str]:
    return _WORDS.get(language, _WORDS["en"])


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


#: Units that read differently in Dutch.
_UNITS_NL = {"days": "dagen"}


def amount(metric: str, value: float, language: str = "en") -> str:
    """A fact for people: "8.5 %", "3 days" ("3 dagen"); a yes/no fact as is."""
    unit = METRICS[metric].unit if metric in METRICS else ""
    unit = _UNITS_NL.get(unit, unit) if language == "nl" else unit
    number = f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"
    return f"{number} {unit}".strip()


def report_text(
    finding: Finding, since: float, found: Pass, system: str, language: str, *, asked: bool
) -> tuple[str, str]:
    """The proactive ticket's subject and description."""
    words, rule = _words(language), finding.rule
    lines = [words["intro_ask" if asked else "intro_auto"], "", rule.title.get(language)]
    if rule.advice.get(language):
        lines.append(rule.advice.get(language))
    lines += ["", words["since"].format(when=_when(since))]
    if rule.metric in METRICS and not finding.figures:
        label = METRICS[rule.metric].label.get(language)
        measured = words["measured"].format(
            label=label, value=amount(rule.metric, finding.value, language)
        )
        key = "limit_above" if rule.above is not None else "limit_below"
        limit = amount(rule.metric, rule.limit, language)
        lines.append(f"{measured} {words[key].format(limit=limit)}")
    for metric, relative in sorted(finding.figures.items()):
        label = METRICS[metric].label.get(language) if metric in METRICS else metric
        lines.append(words["slower"].format(label=label, percent=round(relative * 100)))
    if finding.detail:
        lines.append(words["about"].format(detail=finding.detail))
    lines += [words["machine"].format(system=system), "", f"{MARK}: {finding.id}"]
    subject = words["subject"].format(title=rule.title.get(language))
    return subject, "\n".join(lines)


def payload(finding: Finding, since: float, found: Pass, system: str, version: str) -> Attachment:
    """The finding as JSON for IT: what the ticket says, as numbers."""
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "version": 1,
        "finding": finding.id,
        "metric": finding.rule.metric,
        "value": finding.value,
        "limit": None if finding.figures or not _has_limit(finding) else finding.rule.limit,
        "detail": finding.detail,
        "slowdowns": dict(finding.figures),
        "since": _when(since),
        "facts": dict(sorted(found.facts.items())),
        "machine": {"system": system, "app": version},
    }
    data = json.dumps(document, indent=2, sort_keys=False).encode()
    return Attachment(FILE_NAME, "application/json", data)


def _has_limit(finding: Finding) -> bool:
    return finding.rule.above is not None or finding.rule.below is not None


def update_text(finding: Finding, now: float, language: str) -> str:
    """A day later and still there: the new figure, for the same ticket."""
    metric = finding.rule.metric
    if finding.figures:
        value = ", ".join(f"{round(r * 100)} %" for _m, r in sorted(finding.figures.items()))
    else:
        value = amount(metric, finding.value, language)
    return _words(language)["update"].format(when=_when(now), value=value)


def cleared_text(now: float, language: str, *, closing: bool) -> str:
    """It cleared: closing the ticket (the employee may), or asking the agent to."""
    words = _words(language)
    text = words["cleared"].format(when=_when(now))
    return text if closing else f"{text} {words['close']}"
