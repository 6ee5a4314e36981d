"""App configuration of tray_api."""

from __future__ import annotations

from django.apps import AppConfig


class TrayApiConfig(AppConfig):
    """The helpdesk-tray employee API."""

    name = "tray_api"
    verbose_name = "Helpdesk tray"
    default_auto_field = "django.db.models.BigAutoField"
