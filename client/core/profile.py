"""The organisation's profile: branding, departments, their agents, articles and fixes.

IT publishes it signed (docs/profile.md); this module reads the verified
document. Content is checked part by part: a part that does not hold up (a
missing field, an agent no department can name, hours that do not parse) is
left out with a problem naming it, and the rest is used. Nothing here fetches
anything: photos, the logo and article bodies are *target paths*, fetched
and verified by the profile adapter. Qt-free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from client.core.reading import (
    FORMAT as FORMAT,
)
from client.core.reading import (
    MAX_ITEMS,
    TEXT_LANGUAGES,
    Text,
    mapping_of,
    plain_text,
    read_id,
    read_items,
    read_keywords,
    read_target,
    read_text,
)

#: Days of the week as the profile writes them, Monday first (``date.weekday()``).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

if TYPE_CHECKING:
    from client.core.fixes import Fix
    from client.core.health import Rule

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,30}$")


class ProfileError(ValueError):
    """The document is not a profile this build can read at all (not a skipped part)."""


@dataclass(frozen=True)
class WorkingHours:
    """When an agent works: spans per weekday, in the agent's own time zone."""

    zone: ZoneInfo
    #: Index 0 is Monday; each day's spans are (start, end), sorted, never overlapping.
    days: tuple[tuple[tuple[time, time], ...], ...]


@dataclass(frozen=True)
class Absence:
    """Whole days away, both ends included, in the agent's time zone."""

    first: date
    last: date


@dataclass(frozen=True)
class Agent:
    """A service-desk agent as IT published them."""

    id: str
    name: str
    role: Text | None = None
    #: Target path of the photo; ``None``: initials (no photo, or photos switched off).
    photo: str | None = None
    email: str = ""
    phone: str = ""
    chat: str = ""
    hours: WorkingHours | None = None
    absences: tuple[Absence, ...] = ()
    #: A status the agent set by hand (``None``: none), shown as written.
    status: Text | None = None
    #: Whether the hand-set status says the agent is away (hours alone decide otherwise).
    status_away: bool = False


@dataclass(frozen=True)
class Department:
    """A department, the queue its reports go to, and who helps it."""

    id: str
    name: Text
    queue: str = ""
    agent: str = ""
    backup: str = ""
    #: Values of the IT policy's ``profile.department`` that mean this department.
    policy_values: tuple[str, ...] = ()
    #: What the desk says the user's department is (its record of them), meaning this one.
    desk_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """A knowledge article: its body (Markdown) is a target fetched on first reading."""

    id: str
    title: str
    language: str
    body: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """What the organisation published; ``problems`` names every part left out."""

    version: int
    organisation: Text
    accent: str = ""
    logo: str | None = None
    departments: tuple[Department, ...] = ()
    agents: Mapping[str, Agent] = field(default_factory=dict)
    articles: tuple[Article, ...] = ()
    #: Self-fixes (client/core/fixes.py).
    fixes: tuple[Fix, ...] = ()
    #: IT's health rules: changes to the built-in ones and new ones (client/core/health.py).
    health_rules: tuple[Rule, ...] = ()
    problems: tuple[str, ...] = ()

    def department(self, department_id: str) -> Department | None:
        """The department with this id, if the profile has it."""
        return next((d for d in self.departments if d.id == department_id), None)


def parse_profile(document: object, *, photos: bool = True) -> Profile:
    """Read a verified profile document; bad parts are left out and named in ``problems``.

    ``photos=False`` (the IT policy) drops every photo: initials instead.
    Raises :class:`ProfileError` only when the document as a whole cannot
    be read (not an object, a format this build does not know, no version).
    """
    if not isinstance(document, dict):
        raise ProfileError("the profile is not a JSON object")
    if document.get("format") != FORMAT:
        raise ProfileError(f"profile format {document.get('format')!r}; this app reads {FORMAT}")
    version = document.get("version")
    if type(version) is not int or version < 1:
        raise ProfileError("the profile has no version number")
    problems: list[str] = []
    organisation = mapping_of(document.get("organisation"))
    name = read_text(organisation.get("name")) or Text({"en": "IT service desk"})
    accent = organisation.get("accent", "")
    if accent and not (isinstance(accent, str) and _COLOUR.match(accent)):
        problems.append("organisation.accent: not a colour like #0057b8")
        accent = ""
    logo = read_target(organisation.get("logo"), "organisation.logo", problems)
    agents: dict[str, Agent] = {}
    for index, raw in read_items(document.get("agents"), "agents", problems):
        agent = _agent(raw, f"agents[{index}]", problems, photos)
        if agent is not None and agent.id in agents:
            problems.append(f"agents[{index}]: the id {agent.id!r} is used twice")
        elif agent is not None:
            agents[agent.id] = agent
    departments: list[Department] = []
    for index, raw in read_items(document.get("departments"), "departments", problems):
        department = _department(raw, f"departments[{index}]", problems, agents)
        if department is not None and any(d.id == department.id for d in departments):
            problems.append(f"departments[{index}]: the id {department.id!r} is used twice")
        elif department is not None:
            departments.append(department)
    articles = []
    for index, raw in read_items(document.get("articles"), "articles", problems):
        article = _article(raw, f"articles[{index}]", problems)
        if article is not None:
            articles.append(article)
    # The fixes' module reads its part with this module's helpers: imported here, not at the top.
    from client.core.fixes import parse_fixes

    fixes = parse_fixes(document.get("fixes"), problems)
    from client.core.health import parse_rules

    health_rules = parse_rules(mapping_of(document.get("health")).get("rules"), problems)
    return Profile(
        version=version,
        organisation=name,
        accent=accent,
        logo=logo,
        departments=tuple(departments),
        agents=agents,
        articles=tuple(articles),
        fixes=fixes,
        health_rules=health_rules,
        problems=tuple(problems),
    )


# --- the parts ---------------------------------------------------------------------------------


def _agent(raw: Mapping[str, Any], where: str, problems: list[str], photos: bool) -> Agent | None:
    agent_id = read_id(raw, where, problems)
    name = plain_text(raw.get("name"))
    if agent_id is None:
        return None
    if not name:
        problems.append(f"{where} ({agent_id}): no name")
        return None
    where = f"{where} ({agent_id})"
    photo = read_target(raw.get("photo"), f"{where}.photo", problems)
    email = _contact(raw.get("email"), _EMAIL, f"{where}.email", problems)
    phone = _contact(raw.get("phone"), _PHONE, f"{where}.phone", problems)
    chat = raw.get("chat", "")
    if chat and not (isinstance(chat, str) and chat.startswith("https://") and len(chat) <= 500
                     and not any(ch.isspace() for ch in chat)):  # fmt: skip
        problems.append(f"{where}.chat: only an https:// link")
        chat = ""
    status = raw.get("status")
    status_text = read_text(status.get("text")) if isinstance(status, dict) else None
    if status is not None and status_text is None:
        problems.append(f"{where}.status: no text")
    return Agent(
        id=agent_id,
        name=name,
        role=read_text(raw.get("role")),
        photo=photo if photos and raw.get("show_photo", True) is not False else None,
        email=email,
        phone=phone,
        chat=chat,
        hours=_hours(raw.get("hours"), f"{where}.hours", problems),
        absences=_absences(raw.get("absent"), f"{where}.absent", problems),
        status=status_text,
        status_away=bool(status_text and isinstance(status, dict) and status.get("away") is True),
    )


def _contact(value: object, shape: re.Pattern[str], where: str, problems: list[str]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str) and shape.match(value):
        return value
    problems.append(f"{where}: not usable")
    return ""


def _hours(value: object, where: str, problems: list[str]) -> WorkingHours | None:
    if value is None:
        return None
    raw = mapping_of(value)
    try:
        zone = ZoneInfo(str(raw.get("time_zone", "")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{where}.time_zone: not a time zone like Europe/Amsterdam")
        return None
    week = mapping_of(raw.get("week"))
    days: list[tuple[tuple[time, time], ...]] = []
    for day in WEEKDAYS:
        spans = week.get(day, [])
        parsed = _spans(spans if isinstance(spans, list) else [spans])
        if parsed is None:
            problems.append(f"{where}.{day}: spans must read like 08:30-12:00 and not overlap")
            return None
        days.append(parsed)
    return WorkingHours(zone, tuple(days))


def _spans(values: Sequence[object]) -> tuple[tuple[time, time], ...] | None:
    spans = []
    for value in values:
        match = _SPAN.match(value) if isinstance(value, str) else None
        if match is None:
            return None
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        start = time(h1, m1)
        if h2 == 24 and m2:
            return None  # past midnight
        end = time.max if h2 == 24 else time(h2, m2)
        if end <= start:
            return None
        spans.append((start, end))
    spans.sort()
    if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)):
        return None
    return tuple(spans)


def _absences(value: object, where: str, problems: list[str]) -> tuple[Absence, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{where}: not a list")
        return ()
    absences = []
    for index, raw in enumerate(value[:MAX_ITEMS]):
        entry = mapping_of(raw)
        try:
            first = date.fromisoformat(str(entry.get("from")))
            last = date.fromisoformat(str(entry.get("to", entry.get("from"))))
        except ValueError:
            problems.append(f"{where}[{index}]: dates must read like 2026-12-24")
            continue
        if last < first:
            problems.append(f"{where}[{index}]: ends before it begins")
            continue
        absences.append(Absence(first, last))
    return tuple(sorted(absences, key=lambda a: a.first))


def _department(
    raw: Mapping[str, Any], where: str, problems: list[str], agents: Mapping[str, Agent]
) -> Department | None:
    department_id = read_id(raw, where, problems)
    if department_id is None:
        return None
    where = f"{where} ({department_id})"
    name = read_text(raw.get("name"))
    if name is None:
        problems.append(f"{where}: no name")
        return None
    people = {}
    for role in ("agent", "backup"):
        person = raw.get(role, "")
        if person and not (isinstance(person, str) and person in agents):
            problems.append(f"{where}.{role}: no agent {plain_text(person, 64)!r} in the profile")
            person = ""
        people[role] = person
    match = mapping_of(raw.get("match"))
    return Department(
        id=department_id,
        name=name,
        queue=plain_text(raw.get("queue"), 100),
        agent=people["agent"],
        backup=people["backup"] if people["backup"] != people["agent"] else "",
        policy_values=_values(match.get("policy")),
        desk_values=_values(match.get("desk")),
    )


def _values(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(text for item in items[:50] if (text := plain_text(item, 100)))


def _article(raw: Mapping[str, Any], where: str, problems: list[str]) -> Article | None:
    article_id = read_id(raw, where, problems)
    if article_id is None:
        return None
    where = f"{where} ({article_id})"
    title = plain_text(raw.get("title"))
    body = read_target(raw.get("body"), f"{where}.body", problems)
    language = raw.get("language", "en")
    if not title or body is None:
        problems.append(f"{where}: needs a title and a body file")
        return None
    if language not in TEXT_LANGUAGES:
        problems.append(f"{where}.language: {plain_text(language, 16)!r} is not one of en, nl")
        return None
    return Article(
        id=article_id,
        title=title,
        language=str(language),
        body=body,
        keywords=read_keywords(raw.get("keywords")),
    )


def detect_department(
    profile: Profile, *, policy_value: str = "", desk_value: str = "", chosen: str = ""
) -> tuple[Department | None, str]:
    """The user's department and how it was recognised: ``"policy"``, ``"desk"``, ``"chosen"``.

    In that order: what IT set for this computer or user, a field of the
    desk's record of the user (django-helpdesk: their department; Request Tracker: their
    Organization), the employee's own choice
    (remembered by id). ``(None, "")`` when none of them names one.
    """
    folded = policy_value.strip().casefold()
    for department in profile.departments:
        if folded and folded in (v.casefold() for v in department.policy_values):
            return department, "policy"
    folded = desk_value.strip().casefold()
    for department in profile.departments:
        if folded and folded in (v.casefold() for v in department.desk_values):
            return department, "desk"
    chosen_department = profile.department(chosen) if chosen else None
    if chosen_department is not None:
        return chosen_department, "chosen"
    return None, ""


def profile_files(profile: Profile, platform: str | None = None) -> list[str]:
    """The files of the profile the tray keeps: the logo, photos, article bodies, fix scripts.

    Only ``platform``'s scripts are named (a computer fetches its own); ``None``
    names every platform's (IT checking a publication).
    """
    from client.core.fixes import fix_files

    names = [profile.logo] if profile.logo else []
    names += [agent.photo for agent in profile.agents.values() if agent.photo]
    names += [article.body for article in profile.articles]
    names += fix_files(profile.fixes, platform)
    return list(dict.fromkeys(names))
