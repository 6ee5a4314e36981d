"""Plain functions that turn users, tickets and follow-ups into the API's JSON shapes.

Shapes (all datetimes ISO 8601 in UTC with an explicit offset):

Person        {"username", "name", "email", "department": {"slug", "name", "queue"} | null}
TicketSummary {"id", "ref", "title", "queue": {"slug", "title"}, "status", "status_name",
               "on_hold", "assignee": {"name"} | null, "priority", "due_date", "created",
               "modified", "report_key", "agent_replied"}
TicketDetail  TicketSummary + {"description", "events": [Event, ...]}
Event         {"id", "date", "author": {"name", "is_agent"} | null, "title", "text",
               "new_status", "attachments": [Attachment, ...]}
Attachment    {"id", "filename", "size", "mime_type", "url"}
WriteAnswer   {"action": "reply" | "confirm" | "reopen" | "urgent", "ticket": TicketDetail,
               "event": Event}: what a write did (the follow-up it created, the ticket after
               it); 201 for a reply, 200 for the others. Creating a ticket answers
               {"ticket": TicketDetail} with 201, or 200 when its report key was known.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from helpdesk.models import FollowUp, FollowUpAttachment, Ticket

from .models import Employee, TrayTicket

JSON = dict[str, Any]


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with millisecond precision, or None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def display_name(user: AbstractBaseUser) -> str:
    """The user's full name, or the username when no name is set."""
    full = getattr(user, "get_full_name", lambda: "")()
    return (full or "").strip() or user.get_username()


def employee_of(user: AbstractBaseUser) -> Employee | None:
    """The user's employee record, if any."""
    try:
        return Employee.objects.select_related("department__queue").get(user=user)
    except Employee.DoesNotExist:
        return None


def person(user: AbstractBaseUser) -> JSON:
    """Person: who the caller is and which department's queue reports go to."""
    employee = employee_of(user)
    department: JSON | None = None
    if employee is not None:
        dep = employee.department
        department = {"slug": dep.slug, "name": dep.name, "queue": dep.queue.slug}
    return {
        "username": user.get_username(),
        "name": display_name(user),
        "email": getattr(user, "email", "") or "",
        "department": department,
    }


def _status_name(ticket: Ticket) -> str:
    # Stable English names: clients map the integer code, this is for display
    # and logs only.
    with translation.override("en"):
        return str(ticket.get_status_display())


def _report_key(ticket: Ticket) -> str | None:
    try:
        tray: TrayTicket = ticket.tray_ticket
    except TrayTicket.DoesNotExist:
        return None
    return str(tray.report_key) if tray.report_key else None


def ticket_summary(ticket: Ticket) -> JSON:
    """TicketSummary of one ticket."""
    assignee = ticket.assigned_to
    return {
        "id": ticket.id,
        "ref": f"{ticket.queue.slug}-{ticket.id}",
        "title": ticket.title,
        "queue": {"slug": ticket.queue.slug, "title": ticket.queue.title},
        "status": ticket.status,
        "status_name": _status_name(ticket),
        "on_hold": bool(ticket.on_hold),
        "assignee": {"name": display_name(assignee)} if assignee else None,
        "priority": ticket.priority,
        "due_date": iso(ticket.due_date),
        "created": iso(ticket.created),
        "modified": iso(ticket.modified),
        "report_key": _report_key(ticket),
        # Whether an agent wrote a public message: "someone is working on it".
        "agent_replied": bool(getattr(ticket, "agent_replied", False)),
        # When an agent last wrote publicly: a new reply is news for the employee.
        "last_agent_reply": iso(getattr(ticket, "last_agent_reply", None)),
    }


def _same_email(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.strip().casefold() == b.strip().casefold())


def attachment(ticket: Ticket, att: FollowUpAttachment) -> JSON:
    """Attachment of a public follow-up, with the API URL to download it."""
    return {
        "id": att.id,
        "filename": att.filename,
        "size": att.size,
        "mime_type": att.mime_type,
        "url": reverse("tray_api:attachment", args=(ticket.id, att.id)),
    }


def event(ticket: Ticket, followup: FollowUp) -> JSON:
    """Event: one public follow-up of the ticket."""
    user = followup.user
    author: JSON | None = None
    if user is not None:
        author = {
            "name": display_name(user),
            # The person on the other side: anyone but the ticket's submitter.
            "is_agent": not _same_email(getattr(user, "email", ""), ticket.submitter_email),
        }
    return {
        "id": followup.id,
        "date": iso(followup.date),
        "author": author,
        "title": followup.title or "",
        "text": followup.comment or "",
        "new_status": followup.new_status,
        "attachments": [
            attachment(ticket, att)
            for att in sorted(followup.followupattachment_set.all(), key=lambda a: a.id)
        ],
    }


def public_followups(ticket: Ticket) -> QuerySet[FollowUp]:
    """The ticket's public follow-ups, oldest first. Private notes never leave here."""
    return (
        FollowUp.objects.filter(ticket=ticket, public=True)
        .select_related("user")
        .prefetch_related("followupattachment_set")
        .order_by("date", "id")
    )


def ticket_detail(ticket: Ticket) -> JSON:
    """TicketDetail: the summary plus the description and the public history."""
    data = ticket_summary(ticket)
    data["description"] = ticket.description or ""
    data["events"] = [event(ticket, f) for f in public_followups(ticket)]
    return data
