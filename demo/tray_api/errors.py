"""Error responses of the tray API: always JSON ``{"error": code, "detail": text}``."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions as drf_exceptions

logger = logging.getLogger("tray_api")

DEFAULT_PATH_PREFIX = "/api/tray/"


class TrayApiError(Exception):
    """An error that maps one-to-one onto an HTTP error response."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra


class InvalidInputError(TrayApiError):
    """400 with per-field messages: ``{"error": "invalid", "fields": {...}}``."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(400, "invalid", "Some fields are invalid.", fields=fields)


class TooLargeError(TrayApiError):
    """413: the uploaded files together exceed the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            "too_large",
            f"The upload is larger than the limit of {limit} bytes.",
            limit=limit,
        )


def is_tray_api_path(path: str) -> bool:
    """Whether ``path`` lies under the tray API's mount point."""
    prefix = getattr(settings, "TRAY_API_PATH_PREFIX", DEFAULT_PATH_PREFIX)
    return path.startswith(prefix)


def json_error(status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    """Build the JSON error response used everywhere in the tray API."""
    body: dict[str, Any] = {"error": code, "detail": detail}
    body.update(extra)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _auth_error() -> HttpResponse:
    response = json_error(
        401,
        "not_authenticated",
        "A valid token is required: send the header 'Authorization: Token <key>'.",
    )
    response["WWW-Authenticate"] = "Token"
    return response


def exception_to_response(exc: Exception) -> HttpResponse:
    """Turn any exception raised inside a tray API view into a JSON response."""
    if isinstance(exc, TrayApiError):
        response = json_error(exc.status, exc.code, exc.detail, **exc.extra)
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response
    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        return _auth_error()
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        response = json_error(405, "method_not_allowed", str(exc.detail))
        return response
    if isinstance(exc, Http404 | drf_exceptions.NotFound):
        return json_error(404, "not_found", "No such resource.")
    if isinstance(exc, PermissionDenied | drf_exceptions.PermissionDenied):
        return json_error(403, "forbidden", "You may not do this.")
    if isinstance(exc, RequestDataTooBig):
        limit = int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", 0) or 0)
        return json_error(
            413, "too_large", "The form fields of this request are too large.", limit=limit
        )
    if isinstance(exc, TooManyFilesSent | TooManyFieldsSent):
        return json_error(400, "bad_request", "The request has too many files or fields.")
    if isinstance(exc, drf_exceptions.UnsupportedMediaType):
        return json_error(415, "unsupported_media_type", str(exc.detail))
    if isinstance(exc, drf_exceptions.ParseError | SuspiciousOperation):
        return json_error(400, "bad_request", "The request body could not be parsed.")
    if isinstance(exc, drf_exceptions.NotAcceptable):
        return json_error(406, "not_acceptable", str(exc.detail))
    if isinstance(exc, drf_exceptions.APIException):
        return json_error(exc.status_code, str(exc.default_code), str(exc.detail))
    logger.error("Unhandled error in the tray API", exc_info=exc)
    return json_error(500, "server_error", "The server hit an internal error.")


def tray_exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse:
    """DRF exception handler of the tray API views (set per view, not globally)."""
    response = exception_to_response(exc)
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        view = context.get("view")
        if view is not None:
            response["Allow"] = ", ".join(view.allowed_methods)
    return response


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Catch-all for unknown paths inside the tray API."""
    return json_error(404, "not_found", "No such resource.")
