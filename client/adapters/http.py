"""The one way adapters speak HTTP: timeouts, OS trust store, size cap, errors as DeskErrors."""

from __future__ import annotations

import json
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

import truststore

from client import __version__
from client.adapters.lean_requests import requests, urllib3
from client.core.errors import (
    AuthFailed,
    BadResponse,
    DeskError,
    Forbidden,
    NotFound,
    Rejected,
    Unavailable,
)

logger = logging.getLogger(__name__)

USER_AGENT = f"helpdesk-tray/{__version__}"

#: Upper bound for a desk's ``Retry-After`` we are willing to honour (seconds).
MAX_RETRY_AFTER = 3600.0


#: Methods that may be sent again without changing anything at the desk.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Reasons worth an immediate retry (a flaky moment), as opposed to tls or proxy.
RETRYABLE_REASONS = frozenset({"unreachable", "connection", "timeout", "server_error", "busy"})
#: The longest a request waits in between its own retries; longer waits go to the caller.
MAX_INLINE_WAIT_S = 5.0


@dataclass(frozen=True)
class HttpConfig:
    """Limits every request obeys."""

    connect_timeout: float = 5.0
    #: Longest silence between two reads (also the wait for the first byte).
    read_timeout: float = 30.0
    #: Longest a whole response may take, however steadily it drips.
    total_timeout: float = 120.0
    max_response_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    #: Extra attempts for idempotent requests after a flaky failure.
    retries: int = 2
    #: A proxy set by IT policy; ``""`` means the system's proxy settings.
    proxy: str = ""


class _TrustStoreAdapter(requests.adapters.HTTPAdapter):
    """Verifies TLS against the operating system's trust store, not a bundled CA list.

    Corporate networks install their own root certificates in the OS store;
    ``truststore`` makes those work exactly like the user's browser does.
    """

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:  # noqa: D102
        proxy_kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:  # noqa: D102
        # WORKAROUND: requests would add certifi's bundle to our context for
        # verify=True (requests 2.32, adapters.cert_verify); the OS store is the
        # only trust we want, and verification is never switched off here.
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


def make_session(config: HttpConfig) -> requests.Session:
    """A ``requests`` session with our User-Agent, OS trust store and redirect bound.

    The system's proxy settings are honoured (``requests`` reads them); a proxy
    set by IT policy takes their place.
    """
    session = requests.Session()
    if config.proxy:
        session.proxies = {"http": config.proxy, "https": config.proxy}
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    session.max_redirects = config.max_redirects
    adapter = _TrustStoreAdapter(truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


@dataclass(frozen=True)
class HttpResponse:
    """A fully read, size-checked response."""

    status: int
    #: Case-insensitive, as HTTP names are (proxies send "content-type", servers "Content-Type").
    headers: Mapping[str, str]
    body: bytes
    #: Each ``Set-Cookie`` header on its own (``headers`` joins them with ", ", which
    #: no cookie parser can split again: cookie attributes hold commas too).
    set_cookies: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case."""
        message = Message()
        message["content-type"] = self.headers.get("Content-Type", "")
        return message.get_content_type()

    def json(self) -> Any:
        """The body as JSON; anything else is a :class:`BadResponse`."""
        if not (self.content_type == "application/json" or self.content_type.endswith("+json")):
            raise BadResponse(f"expected JSON, got {self.content_type} (HTTP {self.status})")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: [[[[…
            raise BadResponse(f"malformed JSON (HTTP {self.status}): {type(exc).__name__}") from exc


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: rare for desks; our own backoff applies
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _error_detail(response: HttpResponse) -> tuple[str, str, dict[str, list[str]]]:
    """The desk's (reason, detail, complaints per field) when it explains an error in JSON."""
    try:
        payload = response.json()
    except BadResponse:
        return "", f"HTTP {response.status}", {}
    if not isinstance(payload, dict):
        return "", f"HTTP {response.status}", {}
    raw_fields = payload.get("fields")
    fields = {
        str(name): [str(m)[:500] for m in messages][:50]
        for name, messages in (raw_fields.items() if isinstance(raw_fields, dict) else [])
        if isinstance(messages, list)
    }
    # django-helpdesk and DRF say "detail"; Request Tracker's REST2 says "message".
    detail = payload.get("detail", payload.get("message", payload))
    return str(payload.get("error", "")), str(detail)[:500], fields


def raise_for_status(response: HttpResponse) -> None:
    """Map an unsuccessful status to the matching :class:`DeskError`."""
    status = response.status
    if status < 400:
        return
    reason, detail, fields = _error_detail(response)
    if status == 401:
        raise AuthFailed(detail)
    if status == 403:
        raise Forbidden(detail)
    if status == 407:
        raise Unavailable(detail, reason="proxy")  # the proxy wants credentials we do not have
    if status in (404, 410):
        raise NotFound(detail)
    if status == 429:
        raise Unavailable(
            detail, reason="busy", retry_after=_retry_after(response.headers.get("Retry-After"))
        )
    if status == 408 or status >= 500:
        raise Unavailable(
            detail,
            reason="server_error",
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    raise Rejected(detail, reason=reason or str(status), fields=fields)


def _connection_error(exc: requests.exceptions.ConnectionError) -> Unavailable:
    """``unreachable`` when no connection was made, else ``connection`` (it broke)."""
    cause = exc.args[0] if exc.args else None
    if isinstance(cause, urllib3.exceptions.MaxRetryError):
        cause = cause.reason
    if isinstance(cause, urllib3.exceptions.NewConnectionError):  # refused, no route, DNS
        return Unavailable(str(exc), reason="unreachable")
    return Unavailable(str(exc), reason="connection")


class HttpClient:
    """Requests to one desk's base URL; every failure leaves as a :class:`DeskError`.

    Idempotent requests are retried a few times after a flaky failure, with
    exponential backoff and jitter, and ``Retry-After`` honoured; anything
    that would need a longer wait is left to the caller's own schedule.
    """

    def __init__(
        self,
        base_url: str,
        config: HttpConfig,
        headers: Mapping[str, str] | None = None,
        *,
        session_factory: Callable[[HttpConfig], requests.Session] = make_session,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        follow_redirects: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        #: ``False``: a 3xx comes back as a response (a desk that answers an expired
        #: session with a redirect to its login page, as Request Tracker does).
        self.follow_redirects = follow_redirects
        self._session_factory = session_factory
        # One session per thread: requests.Session promises no thread safety
        # (psf/requests#2766), and the poll and an upload may run at once.
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._config = config
        self._headers = dict(headers or {})
        self._sleep = sleep
        self._rng = rng or random.Random()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        headers: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> HttpResponse:
        """Send a request and read the whole (size- and time-capped) response.

        ``headers`` are added to this request only (``If-None-Match``); a 304
        comes back as a response, not an error.

        Raises:
            Unavailable: no connection, timeout, TLS failure, 5xx, 429.
            AuthFailed, Forbidden, NotFound, Rejected: the matching 4xx.
            BadResponse: the response is larger than allowed or not understood.
        """
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        attempts = 1 + (self._config.retries if method.upper() in IDEMPOTENT else 0)
        for attempt in range(1, attempts + 1):
            try:
                response = self._send(method, url, params, json_body, data, files, headers)
                if check:
                    raise_for_status(response)
                return response
            except Unavailable as error:
                wait = self._retry_wait(error, attempt)
                if attempt == attempts or wait is None:
                    raise
                logger.info(
                    "%s %s failed (%s); retrying in %.1f s", method, path, error.reason, wait
                )
                self._sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._session_factory(self._config)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _retry_wait(self, error: Unavailable, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up now."""
        if error.reason not in RETRYABLE_REASONS:
            return None
        backoff = 0.5 * 2 ** (attempt - 1)
        wait = max(backoff + self._rng.uniform(0, backoff / 2), error.retry_after or 0.0)
        return wait if wait <= MAX_INLINE_WAIT_S else None

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        json_body: Any,
        data: Mapping[str, str] | None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        deadline = time.monotonic() + self._config.total_timeout
        try:
            with self._session().request(
                method,
                url,
                params=params,
                json=json_body,
                data=data,
                files=files,
                headers={**self._headers, **headers} if headers else self._headers,
                timeout=(self._config.connect_timeout, self._config.read_timeout),
                stream=True,
                allow_redirects=self.follow_redirects,
            ) as raw:
                body = self._read_capped(raw, deadline)
                # requests' own case-insensitive mapping, copied.
                response = HttpResponse(
                    raw.status_code,
                    raw.headers.copy(),
                    body,
                    tuple(raw.raw.headers.getlist("Set-Cookie")),
                )
        except DeskError:
            raise
        except requests.exceptions.SSLError as exc:
            raise Unavailable(str(exc), reason="tls") from exc
        except requests.exceptions.ProxyError as exc:
            raise Unavailable(str(exc), reason="proxy") from exc
        except requests.exceptions.Timeout as exc:
            raise Unavailable(str(exc), reason="timeout") from exc
        except requests.exceptions.TooManyRedirects as exc:
            raise BadResponse(f"redirect loop: {exc}") from exc
        except requests.exceptions.ConnectionError as exc:
            raise _connection_error(exc) from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise Unavailable(str(exc), reason="connection") from exc
        except requests.exceptions.RequestException as exc:
            raise BadResponse(f"{type(exc).__name__}: {exc}") from exc
        logger.debug("%s %s -> %s (%d bytes)", method, url, response.status, len(response.body))
        return response

    def _read_capped(self, raw: requests.Response, deadline: float) -> bytes:
        """The body, refused when larger than the cap or slower than the total time limit.

        Reads whatever has arrived (``read1``), so a desk that drips one byte
        at a time cannot hide behind the per-read timeout.
        """
        limit = self._config.max_response_bytes
        declared = raw.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise BadResponse(f"response of {declared} bytes exceeds the {limit}-byte limit")
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := raw.raw.read1(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise BadResponse(f"response exceeds the {limit}-byte limit")
                if time.monotonic() > deadline:
                    total = self._config.total_timeout
                    raise Unavailable(f"response still arriving after {total} s", reason="timeout")
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise Unavailable(str(exc), reason="timeout") from exc
        except urllib3.exceptions.SSLError as exc:
            # The handshake succeeded long ago and the desk has answered: this is
            # a broken connection, not an untrusted certificate (and the request
            # may have been acted on: the caller must not assume it was not).
            raise Unavailable(str(exc), reason="connection") from exc
        except urllib3.exceptions.DecodeError as exc:
            raise BadResponse(f"undecodable body: {exc}") from exc
        except (urllib3.exceptions.ProtocolError, OSError) as exc:  # reset, cut short
            raise Unavailable(str(exc), reason="connection") from exc
        return b"".join(chunks)

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` and return its JSON body."""
        return self.request("GET", path, params=params).json()

    def close(self) -> None:
        """Release pooled connections (of every thread)."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
