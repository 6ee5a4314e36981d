"""URL map of the demo desk.

``/helpdesk/``       django-helpdesk (staff UI, its own DRF API under ``api/``)
``/api/tray/v1/``    the employee API of ``tray_api``
``/admin/``          Django admin
``/media/...``       uploaded attachments, for logged-in staff only
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views import defaults as default_views
from django.views.generic import RedirectView
from django.views.static import serve
from helpdesk.decorators import is_helpdesk_staff
from tray_api.errors import is_tray_api_path, json_error


def staff_media(request: HttpRequest, path: str) -> HttpResponse:
    """Serve an uploaded file to a logged-in helpdesk agent, to nobody else."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not is_helpdesk_staff(request.user):
        raise PermissionDenied
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # Attachments come from end users: never let a browser render them inline
    # as active content on this origin.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Site-wide 404: JSON inside the tray API, Django's page elsewhere."""
    if is_tray_api_path(request.path):
        return json_error(404, "not_found", "No such resource.")
    return default_views.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """Site-wide 500: JSON inside the tray API, Django's page elsewhere."""
    if is_tray_api_path(request.path):
        return json_error(500, "server_error", "The server hit an internal error.")
    return default_views.server_error(request)


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Site-wide 400: JSON inside the tray API, Django's page elsewhere."""
    if is_tray_api_path(request.path):
        return json_error(400, "bad_request", "The request could not be understood.")
    return default_views.bad_request(request, exception)


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Site-wide 403: JSON inside the tray API, Django's page elsewhere."""
    if is_tray_api_path(request.path):
        return json_error(403, "forbidden", "You may not do this.")
    return default_views.permission_denied(request, exception)


urlpatterns = [
    path("", RedirectView.as_view(url="/helpdesk/", permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
    path("api/tray/v1/", include("tray_api.urls")),
    re_path(r"^media/(?P<path>.+)$", staff_media, name="staff_media"),
]
