"""Reading Request Tracker's answers: its records, dates, users, messages and stages.

Everything RT sends is read here as untrusted input (``client/adapters/desks/kit.py``
has the readers all desks share); a shape that is not RT's is a :class:`BadResponse`.
"""

from __future__ import annotations

import html.parser
import logging
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from client.adapters.desks import kit
from client.adapters.http import HttpResponse
from client.core.errors import BadResponse
from client.core.models import Agent, AttachmentInfo, Stage, Ticket, TicketRef, TicketSummary
from client.core.stages import StageTable

logger = logging.getLogger(__name__)

KIND = "request-tracker"

REST = "/REST/2.0"

#: The ticket custom field that carries a report's key, when the queue has one.
REPORT_ID_FIELD = "Report-ID"

#: Otherwise the key is the last line of the ticket's text.
REPORT_ID_LINE = kit.REPORT_ID_LINE

#: RT's "not set" date.
UNSET_DATE = "1970-01-01T00:00:00Z"

#: The user RT shows as the owner of an unowned ticket.
NOBODY = "Nobody"

#: RT's default "High" (``%PriorityAsString``); mark_urgent raises a ticket to it.
URGENT_PRIORITY = 100

_DENIED = re.compile(r"permission denied", re.IGNORECASE)

#: Native state → stage. The native state is RT's status refined by what the parcel
#: tracker cares about: whether someone owns the ticket and whether an agent wrote.
STAGE_TABLE = MappingProxyType(
    {
        "new": Stage.RECEIVED,
        "new+owner": Stage.ASSIGNED,
        "new+replied": Stage.IN_PROGRESS,
        "open+owner": Stage.ASSIGNED,
        "open": Stage.IN_PROGRESS,
        "stalled": Stage.WAITING_ON_YOU,
        "resolved": Stage.RESOLVED,
        "rejected": Stage.CANCELLED,
        "deleted": Stage.CANCELLED,
    }
)


def native_state(status: str, owned: bool, agent_replied: bool) -> str:
    """The key into :data:`STAGE_TABLE` for one ticket.

    ``new`` or ``open`` with an owner and no agent reply yet is *assigned*; an agent's
    reply to a ``new`` ticket means work has started. Any other status (a custom
    lifecycle's) is its own key and shows as in progress.
    """
    if status == "new":
        if agent_replied:
            return "new+replied"
        return "new+owner" if owned else "new"
    if status == "open":
        return "open+owner" if owned and not agent_replied else "open"
    return status


def _text(value: Any, default: str = "") -> str:
    """A text field; RT sends some as numbers ("id": 1 on a record, "1" in a list)."""
    return kit.text(value, default, numbers=True)


_time = kit.timestamp


def _optional_time(value: Any) -> datetime | None:
    """``None`` for RT's "not set" (1970-01-01T00:00:00Z, or nothing)."""
    if value in (None, "", UNSET_DATE):
        return None
    return _time(value)


def _number(value: Any) -> int | None:
    """A number RT may send as text ("1"), or ``None`` for anything else ("High")."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _name(user: Any) -> str:
    """A user reference's name: ``{"type": "user", "id": "anna", "Name": ...}``."""
    if not isinstance(user, Mapping):
        return _text(user)
    return _text(user.get("Name") or user.get("id"))


def _agent(owner: Any) -> Agent | None:
    if not owner or _name(owner) == NOBODY:
        return None
    name = _name(owner)
    return Agent(
        name=_text(owner.get("RealName")) or name,
        email=_text(owner.get("EmailAddress")) or None,
        id=name,
    )


def _photo_path(owner: Any) -> str | None:
    """The path (under REST2) of the owner's photo: the first image in their custom fields."""
    if not isinstance(owner, Mapping):
        return None
    fields = owner.get("CustomFields") or []
    fields = sorted(fields, key=lambda f: f.get("name") != "Photo")  # "Photo" first
    for custom_field in fields:
        for value in custom_field.get("values") or []:
            if isinstance(value, Mapping) and str(value.get("content_type", "")).startswith(
                "image/"
            ):
                return _rest_path(_text(value.get("_url")))
    return None


def _rest_path(url: str) -> str | None:
    """``url``'s part after ``/REST/2.0``.

    RT builds its URLs from its own configured base, which need not be the address
    this client uses (a proxy in front of it); the session cookie goes to ours only.
    """
    _, found, rest = urllib.parse.urlsplit(url).path.partition(REST + "/")
    if not (found and rest):
        return None
    try:
        return kit.desk_path("/" + rest, under="/")
    except BadResponse as error:  # a photo is not worth making the ticket unreadable
        logger.warning("RT: %s", error)
        return None


def _items(data: Any) -> list[Mapping[str, Any]]:
    """A collection's records (``{"count", "page", "items": [...], ...}``)."""
    items = data.get("items") if isinstance(data, Mapping) else None
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise BadResponse("expected a collection of records from the desk")
    return items


_mapped = kit.mapped


def _messages(response: HttpResponse) -> list[str]:
    """RT's answer to an update: a list of sentences, one per change."""
    data = response.json()
    if isinstance(data, list):
        return [str(m) for m in data]
    raise BadResponse(f"expected RT's list of messages, got {type(data).__name__}")


def _denied(messages: Sequence[str]) -> str | None:
    """The first message saying "Permission Denied", if any."""
    return next((m for m in messages if _DENIED.search(m)), None)


def _sql_quote(value: str) -> str:
    """``value`` as a single-quoted TicketSQL string: a backslash before backslashes and quotes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ago(seconds: int) -> str:
    """A TicketSQL date ``seconds`` before RT's now, whatever RT's time zone.

    RT hands a date to Time::ParseDate (or DateTime::Format::Natural, which cannot
    read this form and passes it on): "-N seconds" is read right for every N, where
    "N seconds ago" is not (Time::ParseDate takes "3606" for a year or a time).
    """
    return f"'-{seconds} seconds'"


def _summary(item: Mapping[str, Any], stages: StageTable) -> TicketSummary:
    status = _text(item["Status"])
    agent = _agent(item.get("Owner"))
    told = _optional_time(item.get("Told"))
    state = native_state(status, agent is not None, told is not None)
    return TicketSummary(
        ref=TicketRef(kit.desk_id(item["id"], what="ticket id")),
        title=_text(item.get("Subject")),
        stage=stages.stage(state),
        native_status=state,
        updated=_time(item["LastUpdated"]),
        created=_time(item["Created"]),
        agent=agent,
        due=_optional_time(item.get("Due")),
        agent_replied_at=told,
        # RT's "High" and above: what "This is urgent now" sets.
        urgent=(_number(item.get("Priority")) or 0) >= URGENT_PRIORITY,
    )


class _TextOnly(html.parser.HTMLParser):
    """The readable text of an HTML message (agents write HTML in RT's web editor)."""

    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: D102
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:  # noqa: D102
        if tag in ("script", "style"):
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:  # noqa: D102
        if not self._hidden:
            self.parts.append(data)


def plain_text(content: str, content_type: str) -> str:
    """A message body as plain text (HTML reduced to its text)."""
    if content_type != "text/html":
        return content.strip()
    parser = _TextOnly()
    parser.feed(content)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class _Record:
    """What one ``GET /ticket/N`` said, beyond the summary."""

    summary: TicketSummary
    status: str
    priority: int | None
    #: Names of the requestors and Ccs: people writing as the user's side, not the desk.
    people: frozenset[str]


@dataclass(frozen=True)
class _Known:
    """A ticket's last answer: its ETag, the record, and the ticket built with its history."""

    etag: str
    record: _Record
    ticket: Ticket | None = None


@dataclass(frozen=True)
class _Body:
    """A transaction's message: its text and its files."""

    text: str
    files: tuple[AttachmentInfo, ...] = ()


@dataclass(frozen=True)
class _Me:
    name: str
    real_name: str
    email: str
    #: The user record's Organization: what RT says the employee's department is.
    organization: str = ""


@dataclass(frozen=True)
class _Queue:
    ident: str
    #: The Report-ID custom field's id, when the queue has it.
    report_field: str | None


def _ref_id(value: Any) -> Any:
    """A reference's id (``{"type": "transaction", "id": "12"}``) or the plain id."""
    return value.get("id") if isinstance(value, Mapping) else value


def _custom_values(item: Mapping[str, Any], name: str) -> list[str]:
    for custom_field in item.get("CustomFields") or []:
        if custom_field.get("name") == name:
            return [str(v) for v in custom_field.get("values") or []]
    return []
