"""URLs of the tray API; mount with ``path("api/tray/v1/", include("tray_api.urls"))``.

Every route accepts an optional trailing slash. Unknown paths under the mount
point answer a JSON 404.
"""

from __future__ import annotations

from django.urls import re_path

from . import views
from .errors import not_found_view

app_name = "tray_api"

urlpatterns = [
    re_path(r"^health/?$", views.HealthView.as_view(), name="health"),
    re_path(r"^auth/token/?$", views.TokenView.as_view(), name="token"),
    re_path(r"^me/?$", views.MeView.as_view(), name="me"),
    re_path(r"^tickets/?$", views.TicketsView.as_view(), name="tickets"),
    re_path(
        r"^tickets/(?P<ticket_id>[0-9]{1,18})/?$",
        views.TicketDetailView.as_view(),
        name="ticket",
    ),
    re_path(
        r"^tickets/(?P<ticket_id>[0-9]{1,18})/attachments/(?P<attachment_id>[0-9]{1,18})/?$",
        views.AttachmentView.as_view(),
        name="attachment",
    ),
    re_path(
        r"^tickets/(?P<ticket_id>[0-9]{1,18})/replies/?$",
        views.RepliesView.as_view(),
        name="replies",
    ),
    re_path(
        r"^tickets/(?P<ticket_id>[0-9]{1,18})/reopen/?$",
        views.StatusChangeView.as_view(reopen=True),
        name="reopen",
    ),
    re_path(
        r"^tickets/(?P<ticket_id>[0-9]{1,18})/confirm/?$",
        views.StatusChangeView.as_view(reopen=False),
        name="confirm",
    ),
    re_path(
        r"^tickets/(?P<ticket_id>[0-9]{1,18})/urgent/?$",
        views.UrgentView.as_view(),
        name="urgent",
    ),
    re_path(r"^.*$", not_found_view, name="not_found"),
]
