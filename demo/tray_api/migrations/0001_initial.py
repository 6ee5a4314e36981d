"""Initial schema of tray_api: Department, Employee, TrayTicket."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Create the department, employee and tray ticket tables."""

    initial = True

    dependencies = [
        ("helpdesk", "0043_fix_on_delete_behaviour"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Department",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(unique=True)),
                ("name", models.CharField(max_length=100)),
                (
                    "agent",
                    models.ForeignKey(
                        blank=True,
                        help_text="Staff member who usually handles this department's tickets.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tray_departments_served",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "queue",
                    models.ForeignKey(
                        help_text="Queue that receives the tickets this department reports.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tray_departments",
                        to="helpdesk.queue",
                    ),
                ),
            ],
            options={"ordering": ("name",)},
        ),
        migrations.CreateModel(
            name="Employee",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="employees",
                        to="tray_api.department",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tray_employee",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ("user__username",)},
        ),
        migrations.CreateModel(
            name="TrayTicket",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("report_key", models.UUIDField(blank=True, null=True, unique=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tray_tickets",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tray_ticket",
                        to="helpdesk.ticket",
                    ),
                ),
            ],
            options={"ordering": ("-created",)},
        ),
    ]
