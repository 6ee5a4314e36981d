"""``manage.py seed_demo``: accounts, departments, queues and sample tickets for the demo.

Idempotent: everything is looked up first and only created when missing, so a
second run changes nothing. Sample tickets are recognised by a fixed report key
(a UUID derived from the sample's name) in ``TrayTicket``.

Agent actions on the samples go through django-helpdesk's own
``update_ticket()``, the function its staff views call, so the follow-ups,
ticket changes and titles look exactly like ones made in the staff UI.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from helpdesk.models import FollowUp, Queue, Ticket, TicketChange, UserSettings
from helpdesk.update_ticket import update_ticket
from tray_api.models import Department, Employee, TrayTicket
from tray_api.services import NewTicket, create_ticket

SEED_NAMESPACE = uuid.UUID("6f1d8c52-3b7e-4a0c-9d7e-2b6f4f1a9c10")

ADMIN = ("admin", "demo-admin", "Demo", "Admin", "admin@example.org")
AGENT_PASSWORD = "demo-agent"
EMPLOYEE_PASSWORD = "demo-employee"

# department slug, department name, queue title, queue e-mail, agent account
DEPARTMENTS = [
    ("hr", "HR", "HR", "hr-desk@example.org", ("sanne", "Sanne", "de Vries", "sanne@example.org")),
    (
        "finance",
        "Finance",
        "Finance",
        "finance-desk@example.org",
        ("joost", "Joost", "Bakker", "joost@example.org"),
    ),
    (
        "sales",
        "Sales",
        "Sales",
        "sales-desk@example.org",
        ("priya", "Priya", "Ramdin", "priya@example.org"),
    ),
]

# username, first name, last name, e-mail, department slug
EMPLOYEES = [
    ("anna", "Anna", "Jansen", "anna@example.org", "finance"),
    ("bram", "Bram", "Visser", "bram@example.org", "sales"),
]


@dataclass
class Step:
    """One thing that happens to a sample ticket, ``hours`` after it was opened."""

    hours: float
    action: str  # assign | reply | note | hold | resolve | close
    agent: str
    text: str = ""


@dataclass
class Sample:
    """A sample ticket and its history."""

    name: str
    reporter: str
    queue: str
    title: str
    description: str
    days_ago: float
    steps: list[Step] = field(default_factory=list)
    attachment: tuple[str, bytes, str] | None = None

    @property
    def report_key(self) -> uuid.UUID:
        return uuid.uuid5(SEED_NAMESPACE, self.name)


VPN_LOG = (
    b"2026-11-20 09:02:11 connected to vpn.example.org (gateway ams-2)\n"
    b"2026-11-20 10:02:13 keepalive timeout, tunnel down\n"
    b"2026-11-20 10:02:20 reconnecting...\n"
    b"2026-11-20 10:02:25 connected to vpn.example.org (gateway ams-2)\n"
    b"2026-11-20 11:02:27 keepalive timeout, tunnel down\n"
)

SAMPLES = [
    # ---- anna (Finance, agent joost) ----
    Sample(
        name="anna-open-unassigned",
        reporter="anna",
        queue="finance",
        title="Excel crashes when opening the budget sheet",
        description=(
            "Since this morning Excel closes without a message as soon as I open "
            "Budget-2027.xlsx from the Finance share. Other workbooks open fine. "
            "I need the sheet for the quarterly review on Friday."
        ),
        days_ago=0.1,
    ),
    Sample(
        name="anna-open-assigned-reply",
        reporter="anna",
        queue="finance",
        title="VPN drops every hour",
        description=(
            "When I work from home the VPN disconnects about once an hour and I lose "
            "my connection to the finance system. I attached the log of the VPN client."
        ),
        days_ago=2,
        attachment=("vpn-client.log", VPN_LOG, "text/plain"),
        steps=[
            Step(1, "assign", "joost"),
            Step(
                1.5,
                "note",
                "joost",
                "Gateway ams-2 logs show her session hitting the 60-minute idle "
                "timeout. Her VPN client is still 4.2; the fix is in 4.6.",
            ),
            Step(
                2,
                "reply",
                "joost",
                "Hi Anna, thanks for the log. It looks like your VPN client is out of "
                "date. Could you tell me which version is shown under Help > About? "
                "I can then push the update to your laptop.",
            ),
        ],
    ),
    Sample(
        name="anna-on-hold-question",
        reporter="anna",
        queue="finance",
        title="Request: second monitor",
        description=(
            "I would like a second monitor at my desk so I can keep the ledger and "
            "the bank statements side by side."
        ),
        days_ago=4,
        steps=[
            Step(3, "assign", "joost"),
            Step(
                3.5,
                "reply",
                "joost",
                "Hi Anna, we have 24-inch and 27-inch monitors in stock. Which size "
                "would you like, and what is your desk number? I'll put the request "
                "on hold until I hear from you.",
            ),
            Step(3.6, "hold", "joost"),
        ],
    ),
    Sample(
        name="anna-resolved",
        reporter="anna",
        queue="finance",
        title="Cannot log in to the expense portal",
        description=(
            "The expense portal says my account is locked. I need to submit my travel "
            "expenses before the end of the month."
        ),
        days_ago=6,
        steps=[
            Step(1, "assign", "joost"),
            Step(
                2,
                "resolve",
                "joost",
                "Your account was locked after too many failed log-in attempts. I have "
                "unlocked it; you can log in with your usual password again.",
            ),
        ],
    ),
    Sample(
        name="anna-closed",
        reporter="anna",
        queue="finance",
        title="Printer on 2nd floor jams",
        description=(
            "The printer next to the kitchen on the 2nd floor jams on every second "
            "page when printing double-sided."
        ),
        days_ago=12,
        steps=[
            Step(2, "assign", "joost"),
            Step(
                26,
                "resolve",
                "joost",
                "The technician replaced the duplex roller. Double-sided printing works again.",
            ),
            Step(74, "close", "joost", "No new problems reported, closing this ticket."),
        ],
    ),
    Sample(
        # A third finished ticket: with three, the tray can say how long hers usually take.
        name="anna-closed-keyboard",
        reporter="anna",
        queue="finance",
        title="Keyboard is missing the euro sign",
        description="Alt Gr + 5 types nothing since the keyboard was replaced.",
        days_ago=20,
        steps=[
            Step(1, "assign", "joost"),
            Step(
                5,
                "resolve",
                "joost",
                "The new keyboard had the US layout set. I switched it to US-International.",
            ),
            Step(50, "close", "joost", "No new problems reported, closing this ticket."),
        ],
    ),
    # ---- bram (Sales, agent priya) ----
    Sample(
        name="bram-open-unassigned",
        reporter="bram",
        queue="sales",
        title="Outlook keeps asking for my password",
        description=(
            "Every few minutes Outlook pops up a password prompt. Entering my "
            "password works for a while and then it asks again."
        ),
        days_ago=0.2,
    ),
    Sample(
        name="bram-open-assigned-reply",
        reporter="bram",
        queue="sales",
        title="CRM export to CSV is empty",
        description=(
            "When I export my pipeline from the CRM to CSV the file only contains the "
            "header row. Last week the same export worked."
        ),
        days_ago=1,
        steps=[
            Step(2, "assign", "priya"),
            Step(
                2.5,
                "reply",
                "priya",
                "Hi Bram, I can reproduce this. The CRM vendor has a known issue with "
                "exports after last week's update; I've asked them for the fix and "
                "will let you know as soon as it is in.",
            ),
        ],
    ),
    Sample(
        name="bram-on-hold-question",
        reporter="bram",
        queue="sales",
        title="Laptop battery drains within two hours",
        description=(
            "My laptop battery is empty after less than two hours, even when I only "
            "use e-mail. It used to last a full day."
        ),
        days_ago=3,
        steps=[
            Step(1, "assign", "priya"),
            Step(
                1.5,
                "reply",
                "priya",
                "Hi Bram, this sounds like a worn battery. Can you bring the laptop to "
                "the service desk on Thursday morning so we can test it?",
            ),
            Step(1.6, "hold", "priya"),
        ],
    ),
    Sample(
        name="bram-resolved-hr",
        reporter="bram",
        queue="hr",
        title="Holiday balance shows zero days",
        description=(
            "The HR portal shows 0 days of holiday left for this year, but I have only "
            "taken one week off so far."
        ),
        days_ago=5,
        steps=[
            Step(4, "assign", "sanne"),
            Step(
                5,
                "resolve",
                "sanne",
                "The yearly holiday allowance had not been loaded for your contract "
                "type. I have corrected it: the portal now shows 18 days.",
            ),
        ],
    ),
    Sample(
        name="bram-closed",
        reporter="bram",
        queue="sales",
        title="Phone headset not recognised by Teams",
        description=(
            "My new USB headset works in other programs but Teams does not list it "
            "as an audio device."
        ),
        days_ago=9,
        steps=[
            Step(1, "assign", "priya"),
            Step(
                3,
                "resolve",
                "priya",
                "Teams needed a restart after the headset driver was installed. "
                "It is now selected as your default device.",
            ),
            Step(50, "close", "priya", "Confirmed working by phone, closing."),
        ],
    ),
]


class Command(BaseCommand):
    """Create the demo accounts, departments, queues and sample tickets."""

    help = "Seed the demo desk (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            self._seed()
        for line in self.summary:
            self.stdout.write(line)

    def _seed(self) -> None:
        self.summary: list[str] = []
        self.created = 0
        self._user(*ADMIN, staff=True, superuser=True)
        departments: dict[str, Department] = {}
        for slug, name, queue_title, queue_email, agent_data in DEPARTMENTS:
            username, first, last, email = agent_data
            agent = self._user(username, AGENT_PASSWORD, first, last, email, staff=True)
            queue = Queue.objects.filter(slug=slug).first()
            if queue is None:
                queue = Queue(
                    title=queue_title,
                    slug=slug,
                    email_address=queue_email,
                    allow_public_submission=False,
                    allow_email_submission=False,
                )
                queue.save()
                self.created += 1
            department = Department.objects.filter(slug=slug).first()
            if department is None:
                department = Department.objects.create(
                    slug=slug, name=name, queue=queue, agent=agent
                )
                self.created += 1
            departments[slug] = department
        for username, first, last, email, dep_slug in EMPLOYEES:
            user = self._user(username, EMPLOYEE_PASSWORD, first, last, email, staff=False)
            if not Employee.objects.filter(user=user).exists():
                Employee.objects.create(user=user, department=departments[dep_slug])
                self.created += 1
        now = timezone.now()
        for sample in SAMPLES:
            self._sample(sample, now)
        self.summary.insert(0, f"seed_demo: {self.created} object(s) created")

    def _user(
        self,
        username: str,
        password: str,
        first: str,
        last: str,
        email: str,
        *,
        staff: bool,
        superuser: bool = False,
    ) -> AbstractUser:
        model = get_user_model()
        user = model.objects.filter(username=username).first()
        if user is None:
            user = model(
                username=username,
                first_name=first,
                last_name=last,
                email=email,
                is_staff=staff,
                is_superuser=superuser,
                is_active=True,
            )
            user.set_password(password)
            user.save()
            self.created += 1
        # Normally made by django-helpdesk's post_save hook; the staff UI needs it.
        UserSettings.objects.get_or_create(user=user)
        return user

    def _sample(self, sample: Sample, now: dt.datetime) -> None:
        existing = TrayTicket.objects.filter(report_key=sample.report_key).first()
        if existing is not None:
            self._describe(existing.ticket)
            return
        model = get_user_model()
        reporter = model.objects.get(username=sample.reporter)
        files = []
        if sample.attachment is not None:
            filename, content, mime = sample.attachment
            files.append(SimpleUploadedFile(filename, content, content_type=mime))
        ticket, _created = create_ticket(
            reporter,
            NewTicket(
                title=sample.title,
                description=sample.description,
                queue_slug=sample.queue,
                report_key=sample.report_key,
                files=files,
            ),
        )
        self.created += 1
        opened = now - dt.timedelta(days=sample.days_ago)
        dates = [opened]
        for step in sample.steps:
            ticket = Ticket.objects.get(pk=ticket.pk)
            self._apply(ticket, step, model.objects.get(username=step.agent))
            dates.append(opened + dt.timedelta(hours=step.hours))
        # Spread the history over the sample's lifetime instead of "just now".
        followups = list(FollowUp.objects.filter(ticket=ticket).order_by("id"))
        for followup, when in zip(followups, dates, strict=True):
            FollowUp.objects.filter(pk=followup.pk).update(date=when)
        Ticket.objects.filter(pk=ticket.pk).update(created=opened, modified=dates[-1])
        TrayTicket.objects.filter(ticket=ticket).update(created=opened)
        self._describe(Ticket.objects.get(pk=ticket.pk))

    def _apply(self, ticket: Ticket, step: Step, agent: AbstractUser) -> None:
        if step.action == "assign":
            # What the "Assigned to" picker of the staff UI posts: not public.
            update_ticket(agent, ticket, owner=agent.id, public=False)
        elif step.action == "reply":
            update_ticket(agent, ticket, comment=step.text, public=True)
        elif step.action == "note":
            update_ticket(agent, ticket, comment=step.text, public=False)
        elif step.action == "resolve":
            update_ticket(
                agent, ticket, comment=step.text, public=True, new_status=Ticket.RESOLVED_STATUS
            )
        elif step.action == "close":
            update_ticket(
                agent, ticket, comment=step.text, public=True, new_status=Ticket.CLOSED_STATUS
            )
        elif step.action == "hold":
            # What helpdesk.views.staff.hold_ticket does.
            ticket.on_hold = True
            ticket.save()
            followup = FollowUp.objects.create(
                ticket=ticket,
                title=_("Ticket placed on hold"),
                date=timezone.now(),
                public=True,
                user=agent,
            )
            TicketChange.objects.create(
                followup=followup, field=_("On Hold"), old_value="False", new_value="True"
            )
        else:
            raise ValueError(f"unknown seed action {step.action!r}")

    def _describe(self, ticket: Ticket) -> None:
        state = ticket.get_status_display()
        if ticket.on_hold:
            state += " (on hold)"
        owner = ticket.assigned_to.get_username() if ticket.assigned_to else "-"
        ref = f"{ticket.queue.slug}-{ticket.id}"
        self.summary.append(
            f"  #{ticket.id:<3} {ref:<11} {ticket.submitter_email:<18}"
            f" {state:<18} owner={owner:<6} {ticket.title}"
        )
