"""HTTP views of the tray API (DRF, token authentication only, JSON only)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import parse_etags
from helpdesk.models import FollowUp
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import serializers, services
from .errors import InvalidInputError, TooLargeError, TrayApiError, tray_exception_handler
from .serializers import JSON

DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
CURSOR_MARGIN = dt.timedelta(seconds=30)
#: Failed sign-ins allowed per user name and address before a pause (brute force).
SIGN_IN_FAILURES = 10
SIGN_IN_PAUSE_S = 300
# Room for the multipart framing around the files.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
DRAIN_CHUNK_BYTES = 64 * 1024


def helpdesk_version() -> str:
    """Version of the installed django-helpdesk distribution."""
    try:
        return importlib.metadata.version("django-helpdesk")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def max_upload_bytes() -> int:
    """Largest total size of the files in one request."""
    return int(getattr(settings, "TRAY_API_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_request_bytes() -> int:
    """Largest request body the API reads: the files, the form fields and multipart framing."""
    return (
        max_upload_bytes()
        + int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        + (MULTIPART_OVERHEAD_BYTES)
    )


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Always answer JSON, whatever the client's Accept header says."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = renderers[0]
        return renderer, renderer.media_type


class TrayAPIView(APIView):
    """Base of all tray API views: token auth, JSON in and out, JSON errors."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    content_negotiation_class = JSONOnlyNegotiation
    throttle_classes: list[Any] = []

    def get_exception_handler(self) -> Any:
        return tray_exception_handler


def _text_field(data: Any, name: str) -> str | None:
    if not hasattr(data, "get"):
        raise TrayApiError(400, "bad_request", "The request body must be an object or a form.")
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError({name: ["Must be a string."]})
    return value


def _uploads(request: Request) -> list[UploadedFile]:
    files = request.FILES.getlist("attachments") if hasattr(request.FILES, "getlist") else []
    total = sum(f.size or 0 for f in files)
    if total > max_upload_bytes():
        raise TooLargeError(max_upload_bytes())
    return files


def _reject_oversized_body(request: Request) -> None:
    """Refuse a body that cannot fit the limit before parsing it.

    The rest of the body is read and thrown away, so the client sees the 413
    instead of a connection reset while it is still sending.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length <= max_request_bytes():
        return
    django_request: HttpRequest = request._request
    remaining = length
    while remaining > 0:
        chunk = django_request.read(min(DRAIN_CHUNK_BYTES, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
    raise TooLargeError(max_upload_bytes())


class HealthView(TrayAPIView):
    """``GET health``: the desk answers; no authentication."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"ok": True, "version": helpdesk_version()})


class TokenView(TrayAPIView):
    """``POST auth/token``: exchange username and password for the user's API token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        username = _text_field(request.data, "username")
        password = _text_field(request.data, "password")
        missing = {
            name: ["This field is required."]
            for name, value in (("username", username), ("password", password))
            if not value
        }
        if missing:
            raise InvalidInputError(missing)
        failures_key = f"tray-api-sign-in:{request.META.get('REMOTE_ADDR')}:{username}"
        failures = cache.get(failures_key, 0)
        if failures >= SIGN_IN_FAILURES:
            raise TrayApiError(
                429,
                "too_many_attempts",
                "Too many wrong passwords; try again in a few minutes.",
                retry_after=SIGN_IN_PAUSE_S,
            )
        user = authenticate(request._request, username=username, password=password)
        if user is None or not user.is_active:
            cache.set(failures_key, failures + 1, SIGN_IN_PAUSE_S)
            raise TrayApiError(
                401, "invalid_credentials", "The username or password is not correct."
            )
        cache.delete(failures_key)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "person": serializers.person(user)})


class MeView(TrayAPIView):
    """``GET me``: the caller as a Person."""

    def get(self, request: Request) -> Response:
        return Response(serializers.person(request.user))


class TicketsView(TrayAPIView):
    """``GET tickets`` lists the caller's tickets; ``POST tickets`` reports a new one."""

    def get(self, request: Request) -> Response:
        # The cursor is taken before the query and a little in the past: a change
        # saved while this request runs (its "modified" set before it commits) is
        # sent again next time rather than never. Clients merge repeats.
        cursor = timezone.now() - CURSOR_MARGIN
        tickets = services.own_tickets(request.user)
        if "report_key" in request.query_params:
            key = services.parse_report_key(request.query_params.get("report_key"))
            if key is None:
                raise InvalidInputError({"report_key": ["Must be a UUID."]})
            tickets = tickets.filter(tray_ticket__report_key=key)
        since = services.parse_since(request.query_params.get("changed_since"))
        if since is not None:
            tickets = tickets.filter(modified__gt=since)
        tickets = tickets.order_by("-modified", "-id")
        return Response(
            {
                "tickets": [serializers.ticket_summary(t) for t in tickets],
                "server_time": serializers.iso(cursor),
            }
        )

    def post(self, request: Request) -> Response:
        _reject_oversized_body(request)
        data = request.data
        report_key = services.parse_report_key(_text_field(data, "report_key"))
        errors: dict[str, list[str]] = {}
        title = (_text_field(data, "title") or "").strip()
        if not title:
            errors["title"] = ["This field is required."]
        elif len(title) > services.TITLE_MAX_LENGTH:
            errors["title"] = [
                f"Ensure this field has at most {services.TITLE_MAX_LENGTH} characters."
            ]
        description = _text_field(data, "description") or ""
        queue_slug = (_text_field(data, "queue") or "").strip() or None
        if errors:
            raise InvalidInputError(errors)
        files = _uploads(request)
        ticket, created = services.create_ticket(
            request.user,
            services.NewTicket(
                title=title,
                description=description,
                queue_slug=queue_slug,
                report_key=report_key,
                files=files,
            ),
        )
        ticket = services.own_ticket_or_404(request.user, ticket.pk)
        return Response(
            {"ticket": serializers.ticket_detail(ticket)}, status=201 if created else 200
        )


def _etag(body: bytes) -> str:
    """A strong ETag for a serialized answer: the same bytes, the same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (the weak comparison RFC 9110 §13.1.2 asks for)."""
    if not if_none_match:
        return False
    tags = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
    return "*" in tags or etag.removeprefix("W/") in tags


class TicketDetailView(TrayAPIView):
    """``GET tickets/<id>``: one of the caller's tickets with its public history.

    The answer carries a strong ETag, a hash of its JSON. A request whose
    ``If-None-Match`` names it is answered 304 without a body: a client
    checking a ticket that did not change costs a query, not a transfer.
    """

    def get(self, request: Request, ticket_id: str) -> Response:
        ticket = services.own_ticket_or_404(request.user, int(ticket_id))
        data = serializers.ticket_detail(ticket)
        etag = _etag(JSONRenderer().render(data))
        if _none_match(request.headers.get("If-None-Match"), etag):
            return Response(status=304, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})


class AttachmentView(TrayAPIView):
    """``GET tickets/<id>/attachments/<att_id>``: the file, as uploaded."""

    def get(self, request: Request, ticket_id: str, attachment_id: str) -> HttpResponse:
        att = services.public_attachment_or_404(request.user, int(ticket_id), int(attachment_id))
        try:
            handle = att.file.open("rb")
        except FileNotFoundError as exc:
            raise TrayApiError(
                404, "not_found", "The file of this attachment is missing on the server."
            ) from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=att.filename or "attachment",
            content_type=att.mime_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


def write_answer(request: Request, action: str, ticket_id: int, followup: FollowUp) -> JSON:
    """What a write did: ``{"action", "ticket", "event"}``, the ticket as it is now.

    The client counts a write as done only when the answer names the action, this
    ticket and the follow-up it created (with the text it was sent), so a page or
    a redirect on the way is never taken for a delivered reply.
    """
    ticket = services.own_ticket_or_404(request.user, ticket_id)
    stored = serializers.public_followups(ticket).get(pk=followup.pk)
    return {
        "action": action,
        "ticket": serializers.ticket_detail(ticket),
        "event": serializers.event(ticket, stored),
    }


class RepliesView(TrayAPIView):
    """``POST tickets/<id>/replies``: a public reply by the caller (201 with what was done)."""

    def post(self, request: Request, ticket_id: str) -> Response:
        services.own_ticket_or_404(request.user, int(ticket_id))
        _reject_oversized_body(request)
        text = _text_field(request.data, "text") or ""
        if not text.strip():
            raise InvalidInputError({"text": ["This field is required."]})
        files = _uploads(request)
        _ticket, followup = services.add_reply(request.user, int(ticket_id), text, files)
        return Response(write_answer(request, "reply", int(ticket_id), followup), status=201)


class StatusChangeView(TrayAPIView):
    """``POST tickets/<id>/reopen`` and ``POST tickets/<id>/confirm`` (200 with what was done)."""

    reopen = False

    def post(self, request: Request, ticket_id: str) -> Response:
        text = _text_field(request.data, "text") or ""
        if self.reopen and not text.strip():
            raise InvalidInputError({"text": ["Please say what is still wrong."]})
        _ticket, followup = services.change_status(
            request.user, int(ticket_id), text, reopen=self.reopen
        )
        action = "reopen" if self.reopen else "confirm"
        return Response(write_answer(request, action, int(ticket_id), followup))


class UrgentView(TrayAPIView):
    """``POST tickets/<id>/urgent``: the reporter says it is urgent now, with a note (200)."""

    def post(self, request: Request, ticket_id: str) -> Response:
        text = _text_field(request.data, "text") or ""
        if not text.strip():
            raise InvalidInputError({"text": ["Please say why it is urgent now."]})
        _ticket, followup = services.mark_urgent(request.user, int(ticket_id), text)
        return Response(write_answer(request, "urgent", int(ticket_id), followup))
