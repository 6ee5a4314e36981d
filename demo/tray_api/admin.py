"""Django admin for departments, employees and tray ticket records."""

from __future__ import annotations

from django.contrib import admin

from .models import Department, Employee, TrayTicket


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    """Departments and the queue and agent that serve them."""

    list_display = ("name", "slug", "queue", "agent")
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012
    raw_id_fields = ("agent",)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    """Which department each user belongs to."""

    list_display = ("user", "department")
    list_filter = ("department",)
    raw_id_fields = ("user",)
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")


@admin.register(TrayTicket)
class TrayTicketAdmin(admin.ModelAdmin):
    """Tickets reported through the tray, with their report keys."""

    list_display = ("ticket", "report_key", "created_by", "created")
    raw_id_fields = ("ticket", "created_by")
    readonly_fields = ("created",)
    search_fields = ("report_key", "ticket__title", "created_by__username")
