"""A ticket's public history as the tracker shows it: its messages, files and stages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from client.adapters.desks import kit
from client.adapters.desks.rt.shapes import (
    _Body,
    _mapped,
    _name,
    _number,
    _Record,
    _ref_id,
    _text,
    _time,
    native_state,
    plain_text,
)
from client.adapters.recent import Recent
from client.core.models import AttachmentInfo, EventKind, Ticket, TicketEvent
from client.core.stages import StageTable

#: Ids per query when asking for several attachments at once (keeps the URL short).
IDS_PER_QUERY = 40

#: Message bodies asked for in one request, by their total size (an answer must stay
#: well under the response size limit).
BODIES_PER_REQUEST_BYTES = 1024 * 1024

#: A message body larger than this is not read into the conversation: it is offered
#: as a file (``message.txt``) instead, which the employee can open at the desk.
MAX_BODY_BYTES = 1024 * 1024

_HISTORY_FIELDS = {
    "fields": "Type,Field,OldValue,NewValue,Created,Creator",
    "fields[Creator]": "Name,RealName",
    "orderby": "id",
    "order": "ASC",
}


@dataclass(frozen=True)
class _Part:
    """A message's body part: its attachment id and type."""

    id: str
    content_type: str
    size: int = 0


def _batches(parts: Sequence[_Part]) -> Iterator[list[str]]:
    """Part ids in groups whose bodies add up to :data:`BODIES_PER_REQUEST_BYTES` at most."""
    batch: list[str] = []
    total = 0
    for part in parts:
        if batch and (total + part.size > BODIES_PER_REQUEST_BYTES or len(batch) == IDS_PER_QUERY):
            yield batch
            batch, total = [], 0
        batch.append(part.id)
        total += part.size
    if batch:
        yield batch


def _sort_parts(
    parts: Sequence[Mapping[str, Any]], url_base: str
) -> tuple[dict[str, _Part], dict[str, list[AttachmentInfo]]]:
    """Per transaction: the part holding the message (text/plain, else HTML) and the files."""
    bodies: dict[str, _Part] = {}
    files: dict[str, list[AttachmentInfo]] = {}
    for part in parts:
        transaction = kit.desk_id(_ref_id(part["TransactionId"]), what="transaction id")
        content_type = _text(part.get("ContentType")).lower()
        if _text(part.get("Filename")):
            info = AttachmentInfo(
                filename=_text(part.get("Filename")),
                size=_number(part.get("ContentLength")) or 0,
                content_type=content_type or "application/octet-stream",
                url=url_base + kit.desk_id(part["id"], what="attachment id"),
            )
            files.setdefault(transaction, []).append(info)
        elif content_type in ("text/plain", "text/html"):
            best = bodies.get(transaction)
            # The first text part; a plain one rather than its HTML alternative.
            if best is None or (best.content_type, content_type) == ("text/html", "text/plain"):
                size = _number(part.get("ContentLength")) or 0
                bodies[transaction] = _Part(kit.desk_id(part["id"]), content_type, size)
    return bodies, files


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), IDS_PER_QUERY):
        yield values[start : start + IDS_PER_QUERY]


def build_ticket(
    record: _Record, history: Sequence[Mapping[str, Any]], bodies: Recent[_Body], stages: StageTable
) -> Ticket:
    """The ticket as the tracker shows it: its messages, and each change of stage."""
    description = ""
    events: list[TicketEvent] = []
    status, owned, replied = "new", False, False
    owner_changes = [t for t in history if t.get("Type") == "Set" and t.get("Field") == "Owner"]
    # Set Owner names users by id, and the record names Nobody by name only: the
    # first change of owner is (normally) away from Nobody.
    nobody = _text(owner_changes[0].get("OldValue")) if owner_changes else ""
    for item in history:
        kind, at = _text(item.get("Type")), _time(item["Created"])
        creator = item.get("Creator")
        author = _text(creator.get("RealName")) or _name(creator) if creator else None
        by_agent = bool(creator) and _name(creator).lower() not in record.people
        if kind in ("Create", "Correspond"):
            body = bodies.get(_text(item["id"])) or _Body("")
            if kind == "Create":
                description = kit.without_key_line(body.text)
                text, event_kind = "", EventKind.CREATED
            else:
                text, event_kind = body.text, EventKind.MESSAGE
                replied = replied or by_agent
            events.append(
                TicketEvent(
                    id=_text(item["id"]),
                    at=at,
                    kind=event_kind,
                    text=text,
                    author=author,
                    by_agent=by_agent,
                    attachments=body.files,
                )
            )
            continue
        before = stages.stage(native_state(status, owned, replied))
        if kind == "Status" or (kind == "Set" and item.get("Field") == "Status"):
            status = _text(item.get("NewValue"))
        elif kind == "Set" and item.get("Field") == "Owner":
            owned = _text(item.get("NewValue")) not in ("", "0", nobody)
        else:
            continue  # EmailRecord, CustomField, AddWatcher, ...: not for the tracker
        after = stages.stage(native_state(status, owned, replied))
        if kind == "Status" or after != before:
            events.append(
                TicketEvent(
                    id=_text(item["id"]),
                    at=at,
                    kind=EventKind.STATUS_CHANGE,
                    author=author,
                    by_agent=by_agent,
                    new_stage=after,
                )
            )
    return Ticket(summary=record.summary, description=description, events=tuple(events))


def read_bodies(
    read_all: Callable[[str, Mapping[str, str]], list[Mapping[str, Any]]],
    bodies: Recent[_Body],
    ticket_id: str,
    transactions: Sequence[str],
    base: str,
) -> None:
    """Read the text and files of the transactions whose bodies are not known yet.

    First the MIME parts of all of them (names, types, sizes: no content), then the
    content of the one body part each (text/plain, else text/html), all at once.
    """
    missing = [t for t in transactions if bodies.get(t) is None]
    if not missing:
        return
    path = kit.path("ticket", kit.ref_id(ticket_id), "attachments")
    parts: list[Mapping[str, Any]] = []
    for chunk in _chunks(missing):
        query = json.dumps([{"field": "TransactionId", "value": t} for t in chunk])
        fields = "TransactionId,Filename,ContentType,ContentLength"
        parts += read_all(path, {"query": query, "fields": fields, "orderby": "id"})
    sorted_parts: tuple[dict[str, _Part], dict[str, list[AttachmentInfo]]] = _mapped(
        "attachments", lambda: _sort_parts(parts, base)
    )
    chosen, files = sorted_parts
    for transaction, large in list(chosen.items()):
        if large.size > MAX_BODY_BYTES:  # a pasted log: a file, not a wall of text
            del chosen[transaction]
            name = "message.html" if large.content_type == "text/html" else "message.txt"
            info = AttachmentInfo(name, large.size, large.content_type, base + large.id)
            files.setdefault(transaction, []).insert(0, info)
    found: list[Mapping[str, Any]] = []
    for batch in _batches(list(chosen.values())):
        query = json.dumps([{"field": "id", "value": a} for a in batch])
        found += read_all(path, {"query": query, "fields": "Content"})
    contents: dict[str, str] = _mapped(
        "attachments",
        lambda: {kit.desk_id(i["id"]): _text(i.get("Content")) for i in found},
    )
    for transaction in missing:
        part = chosen.get(transaction)
        text = plain_text(contents.get(part.id, ""), part.content_type) if part else ""
        bodies.put(transaction, _Body(text, tuple(files.get(transaction, ()))))
