"""Models of tray_api: departments, employees and the tray's ticket records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from helpdesk.models import Queue, Ticket


class Department(models.Model):
    """A department of the organisation and the helpdesk queue its reports go to."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    queue = models.ForeignKey(
        Queue,
        on_delete=models.PROTECT,
        related_name="tray_departments",
        help_text="Queue that receives the tickets this department reports.",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tray_departments_served",
        help_text="Staff member who usually handles this department's tickets.",
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    """Links a user account to its department."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tray_employee",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="employees",
    )

    class Meta:
        ordering = ("user__username",)

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.department})"


class TrayTicket(models.Model):
    """A ticket reported through the tray, with the client's idempotency key.

    The unique ``report_key`` is what makes a repeated report (a retry after a
    lost response, a double click) return the first ticket instead of creating
    a second one.
    """

    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.CASCADE,
        related_name="tray_ticket",
    )
    report_key = models.UUIDField(unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tray_tickets",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created",)

    def __str__(self) -> str:
        return f"{self.ticket_id} ({self.report_key or 'no report key'})"
