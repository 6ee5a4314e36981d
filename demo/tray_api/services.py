"""What the tray API does to django-helpdesk's data, independent of HTTP.

Tickets are created the way django-helpdesk's own ticket forms create them: a
``Ticket`` plus an initial public ``FollowUp`` ("Ticket Opened") authored by the
reporter, with the files attached to that follow-up by
``helpdesk.lib.process_attachments``. Replies are public follow-ups authored by
the reporter. E-mail notifications and django-helpdesk's signals (and so its
webhooks) fire after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from helpdesk.lib import process_attachments, safe_template_context
from helpdesk.models import FollowUp, FollowUpAttachment, Queue, Ticket
from helpdesk.signals import new_ticket_done, update_ticket_done
from helpdesk.update_ticket import process_email_notifications_for_ticket_update
from helpdesk.validators import validate_file_extension

from .errors import InvalidInputError, TrayApiError
from .models import Employee, TrayTicket

logger = logging.getLogger("tray_api")

TITLE_MAX_LENGTH = 200


class ReportKeyConflictError(TrayApiError):
    """409: the report key is already used by another user's ticket."""

    def __init__(self) -> None:
        super().__init__(
            409, "report_key_conflict", "This report key belongs to another user's ticket."
        )


class NoQueueError(TrayApiError):
    """400: no queue given and the user has no department to take it from."""

    def __init__(self) -> None:
        super().__init__(
            400,
            "no_queue",
            "No queue was given and your account has no department with a default queue.",
        )


def own_tickets(user: AbstractBaseUser) -> QuerySet[Ticket]:
    """Tickets the user submitted: ``submitter_email`` equals their e-mail, ignoring case.

    A user without an e-mail address owns no tickets.
    """
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        return Ticket.objects.none()
    # Tickets belong to an e-mail address (django-helpdesk's own rule). Django does
    # not make addresses unique, so an address two accounts share shows neither.
    if get_user_model().objects.filter(email__iexact=email, is_active=True).count() > 1:
        logger.warning("e-mail %s is shared by several accounts: no tickets shown", email)
        return Ticket.objects.none()
    agent_wrote = (
        FollowUp.objects.filter(ticket=OuterRef("pk"), public=True, user__isnull=False)
        .exclude(comment="")
        .exclude(user__email__iexact=OuterRef("submitter_email"))
    )
    return (
        Ticket.objects.filter(submitter_email__iexact=email)
        .select_related("queue", "assigned_to", "tray_ticket")
        .annotate(
            agent_replied=Exists(agent_wrote),
            last_agent_reply=Subquery(agent_wrote.order_by("-date").values("date")[:1]),
        )
    )


def parse_since(raw: str | None) -> dt.datetime | None:
    """The ``changed_since`` cursor as an aware datetime; None when absent."""
    if raw is None or not raw.strip():
        return None
    try:
        since = dt.datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidInputError({"changed_since": ["Must be an ISO 8601 timestamp."]}) from exc
    if since.tzinfo is None:
        raise InvalidInputError({"changed_since": ["Must include a time zone offset."]})
    return since


def own_ticket_or_404(user: AbstractBaseUser, ticket_id: int) -> Ticket:
    """One of the user's own tickets; anything else is "not found"."""
    try:
        return own_tickets(user).get(pk=ticket_id)
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc


def public_attachment_or_404(
    user: AbstractBaseUser, ticket_id: int, attachment_id: int
) -> FollowUpAttachment:
    """An attachment of a public follow-up on one of the user's own tickets."""
    ticket = own_ticket_or_404(user, ticket_id)
    try:
        return FollowUpAttachment.objects.get(
            pk=attachment_id, followup__ticket=ticket, followup__public=True
        )
    except FollowUpAttachment.DoesNotExist as exc:
        raise Http404 from exc


def parse_report_key(raw: str | None) -> uuid.UUID | None:
    """A report key as a UUID; None when absent. Raises InvalidInputError when malformed."""
    if raw is None or not str(raw).strip():
        return None
    try:
        return uuid.UUID(str(raw).strip())
    except ValueError as exc:
        raise InvalidInputError({"report_key": ["Must be a UUID."]}) from exc


def validate_files(files: Sequence[UploadedFile], field: str = "attachments") -> None:
    """Reject files django-helpdesk would refuse, before anything is written."""
    errors: list[str] = []
    for upload in files:
        try:
            validate_file_extension(upload)
        except ValidationError as exc:
            errors.extend(f"{upload.name}: {message}" for message in exc.messages)
    if errors:
        raise InvalidInputError({field: errors})


def resolve_queue(user: AbstractBaseUser, slug: str | None) -> Queue:
    """The queue named by ``slug``, else the user's department queue."""
    if slug:
        queue = Queue.objects.filter(slug=slug).first()
        if queue is None:
            raise InvalidInputError({"queue": [f"Unknown queue '{slug}'."]})
        return queue
    employee = Employee.objects.select_related("department__queue").filter(user=user).first()
    if employee is None:
        raise NoQueueError
    return employee.department.queue


@dataclass
class NewTicket:
    """What the reporter sends to open a ticket."""

    title: str
    description: str
    queue_slug: str | None
    report_key: uuid.UUID | None
    files: Sequence[UploadedFile]


def _existing_for_key(user: AbstractBaseUser, key: uuid.UUID) -> Ticket | None:
    tray = TrayTicket.objects.select_related("ticket").filter(report_key=key).first()
    if tray is None:
        return None
    if tray.created_by_id != user.pk:
        raise ReportKeyConflictError
    return tray.ticket


def create_ticket(user: AbstractBaseUser, new: NewTicket) -> tuple[Ticket, bool]:
    """Open a ticket for ``user``; returns ``(ticket, created)``.

    With a report key that this user already used, nothing is created and the
    existing ticket comes back with ``created=False``. The unique constraint on
    ``TrayTicket.report_key`` decides races: the loser's transaction rolls back
    and it returns the winner's ticket.
    """
    if new.report_key is not None:
        existing = _existing_for_key(user, new.report_key)
        if existing is not None:
            return existing, False

    queue = resolve_queue(user, new.queue_slug)
    validate_files(new.files)
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        raise InvalidInputError({"submitter": ["Your account has no e-mail address."]})

    try:
        with transaction.atomic():
            ticket, followup, files = _create_records(user, email, queue, new)
    except IntegrityError:
        if new.report_key is None:
            raise
        existing = _existing_for_key(user, new.report_key)
        if existing is None:
            raise
        return existing, False

    transaction.on_commit(lambda: _after_create(ticket, followup, files))
    return ticket, True


def _create_records(
    user: AbstractBaseUser, email: str, queue: Queue, new: NewTicket
) -> tuple[Ticket, FollowUp, list[list[object]]]:
    now = timezone.now()
    ticket = Ticket(
        title=new.title,
        submitter_email=email,
        created=now,
        status=Ticket.OPEN_STATUS,
        queue=queue,
        description=new.description,
        priority=3,
    )
    if queue.default_owner is not None:
        ticket.assigned_to = queue.default_owner
    ticket.save()
    # Claim the report key first: a duplicate fails here, before any file is
    # written to storage.
    TrayTicket.objects.create(ticket=ticket, report_key=new.report_key, created_by=user)
    followup = FollowUp(
        ticket=ticket,
        title=_("Ticket Opened"),
        date=now,
        public=True,
        comment=new.description,
        user=user,
    )
    followup.save()
    files = _attach(followup, new.files)
    return ticket, followup, files


def _attach(followup: FollowUp, uploads: Sequence[UploadedFile]) -> list[list[object]]:
    if not uploads:
        return []
    try:
        return process_attachments(followup, list(uploads))
    except ValidationError as exc:
        raise InvalidInputError({"attachments": exc.messages}) from exc


def _after_create(ticket: Ticket, followup: FollowUp, files: list[list[object]]) -> None:
    """Send django-helpdesk's "new ticket" mails and signal, as its forms do."""
    try:
        context = safe_template_context(ticket)
        context["comment"] = followup.comment
        roles = {
            "submitter": ("newticket_submitter", context),
            "new_ticket_cc": ("newticket_cc", context),
            "ticket_cc": ("newticket_cc", context),
        }
        assignee = ticket.assigned_to
        if assignee is not None and assignee.usersettings_helpdesk.email_on_ticket_assign:
            roles["assigned_to"] = ("assigned_owner", context)
        sent_to: set[str] = set()
        ticket.send(roles, sent_to=sent_to, fail_silently=True, files=files)
        FollowUp.objects.filter(pk=followup.pk).update(email_recipients=sorted(sent_to))
        new_ticket_done.send(sender="tray_api", ticket=ticket)
    except Exception:  # noqa: BLE001 - the ticket exists; a mail problem must not hide that
        logger.exception("Notifications for new ticket %s failed", ticket.pk)


def add_reply(
    user: AbstractBaseUser, ticket_id: int, text: str, uploads: Sequence[UploadedFile]
) -> tuple[Ticket, FollowUp]:
    """Add a public follow-up by ``user`` to one of their tickets. No status change."""
    own_ticket_or_404(user, ticket_id)
    validate_files(uploads)
    with transaction.atomic():
        # Re-read inside the write transaction: FollowUp.save() saves the whole
        # ticket to bump ``modified``, so it must not write back stale fields.
        ticket = own_ticket_or_404(user, ticket_id)
        followup = FollowUp(
            ticket=ticket,
            title=_("Comment"),
            date=timezone.now(),
            public=True,
            comment=text,
            user=user,
        )
        followup.save()
        files = _attach(followup, uploads)
    transaction.on_commit(lambda: _after_reply(user, ticket, followup, files))
    return ticket, followup


def _after_reply(
    user: AbstractBaseUser, ticket: Ticket, followup: FollowUp, files: list[list[object]]
) -> None:
    """Mail the assignee and CCs, and fire django-helpdesk's update signal."""
    try:
        context = safe_template_context(ticket)
        context.update(resolution=ticket.resolution, comment=followup.comment)
        sent_to: set[str] = set()
        already = {getattr(user, "email", "") or ""}
        process_email_notifications_for_ticket_update(
            True, ticket, followup, context, already, files, sent_to=sent_to
        )
        FollowUp.objects.filter(pk=followup.pk).update(email_recipients=sorted(sent_to))
        update_ticket_done.send(sender="tray_api", followup=followup)
    except Exception:  # noqa: BLE001 - the reply exists; a mail problem must not hide that
        logger.exception("Notifications for a reply on ticket %s failed", ticket.pk)


#: django-helpdesk's priorities: 1 is "Critical", 3 "Normal", 5 "Very low".
URGENT_PRIORITY = 1


def mark_urgent(user: AbstractBaseUser, ticket_id: int, text: str) -> tuple[Ticket, FollowUp]:
    """The reporter says it is urgent now: a public note, and the highest priority.

    A closed ticket cannot be made urgent (reopen it instead). Returns the ticket
    and the note's follow-up.
    """
    with transaction.atomic():
        ticket = own_ticket_or_404(user, ticket_id)
        if ticket.status in (Ticket.CLOSED_STATUS, Ticket.DUPLICATE_STATUS):
            raise AlreadyClosedError
        previous = ticket.priority
        ticket.priority = min(ticket.priority, URGENT_PRIORITY)
        followup = FollowUp(
            ticket=ticket,
            title=_("Marked urgent by the reporter"),
            date=timezone.now(),
            public=True,
            comment=text,
            user=user,
        )
        followup.save()  # saves the ticket with it (and its new priority)
        if previous != ticket.priority:
            followup.ticketchange_set.create(
                field=_("Priority"), old_value=str(previous), new_value=str(ticket.priority)
            )
    transaction.on_commit(lambda: _after_reply(user, ticket, followup, []))  # the agent hears
    return ticket, followup


class NotReopenableError(TrayApiError):
    """409: only a resolved or closed ticket can be reopened."""

    def __init__(self) -> None:
        super().__init__(409, "not_reopenable", "Only a resolved or closed ticket can be reopened.")


class AlreadyClosedError(TrayApiError):
    """409: the ticket is closed already."""

    def __init__(self) -> None:
        super().__init__(409, "already_closed", "This ticket is closed already.")


def change_status(
    user: AbstractBaseUser, ticket_id: int, text: str, reopen: bool
) -> tuple[Ticket, FollowUp]:
    """The reporter reopens a resolved ticket, or closes it ("fixed", "fixed itself").

    Recorded as a public follow-up by the reporter with the new status, as
    django-helpdesk records status changes; the agent sees it in the history.
    Returns the ticket and that follow-up.
    """
    with transaction.atomic():
        ticket = own_ticket_or_404(user, ticket_id)
        if reopen:
            if ticket.status not in (Ticket.RESOLVED_STATUS, Ticket.CLOSED_STATUS):
                raise NotReopenableError
            new_status, title = Ticket.REOPENED_STATUS, _("Reopened by the reporter")
        else:
            if ticket.status in (Ticket.CLOSED_STATUS, Ticket.DUPLICATE_STATUS):
                raise AlreadyClosedError
            new_status, title = Ticket.CLOSED_STATUS, _("Closed by the reporter")
        followup = FollowUp(
            ticket=ticket,
            title=title,
            date=timezone.now(),
            public=True,
            comment=text,
            user=user,
            new_status=new_status,
        )
        ticket.status = new_status
        ticket.on_hold = False
        ticket.save()
        followup.save()
    transaction.on_commit(lambda: _after_reply(user, ticket, followup, []))
    return ticket, followup
