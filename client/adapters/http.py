"""The one way adapters speak HTTP: time limits, OS trust store, size cap, errors as DeskErrors."""

from __future__ import annotations

import base64
import datetime
import email.utils
import functools
import http.client
import io
import json
import logging
import random
import re
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
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
from client.core.redact import Redactor

logger = logging.getLogger(__name__)

USER_AGENT = f"helpdesk-tray/{__version__}"

#: Upper bound for a desk's ``Retry-After`` we are willing to honour (seconds).
MAX_RETRY_AFTER = 3600.0


#: Methods that may be sent again without changing anything at the desk.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Reasons worth an immediate retry (a flaky moment), as opposed to tls or proxy. Not
#: ``timeout``: a desk silent for a whole read timeout got the request and is stuck;
#: asking again at once only doubles the wait before the caller can say so, and the
#: caller's own schedule (the poller's backoff, the outbox's) asks again later.
RETRYABLE_REASONS = frozenset({"unreachable", "refused", "connection", "server_error", "busy"})
#: The longest a request waits in between its own retries; longer waits go to the caller.
MAX_INLINE_WAIT_S = 5.0
#: Idle sessions (each with its connections) kept for reuse: the io pool's size.
MAX_IDLE_SESSIONS = 4
#: The longest text from a desk or a library that goes into an error message.
MAX_DETAIL_CHARS = 500
#: Statuses that redirect, and may be followed when the target is the desk itself.
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class HttpConfig:
    """Limits every request obeys."""

    #: Longest wait for a connection to be made (for each address a name resolves to).
    connect_timeout: float = 5.0
    #: Longest silence between two reads (also the wait for the first byte).
    read_timeout: float = 30.0
    #: Longest one :meth:`HttpClient.request` takes, whatever happens in it: connecting,
    #: sending, the headers, the body, redirects, retries and the waits between them.
    #: A desk that never answers takes one ``read_timeout`` (timeouts are not retried).
    total_timeout: float = 120.0
    max_response_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    #: Extra attempts for idempotent requests after a flaky failure.
    retries: int = 2
    #: A proxy set by IT policy; ``""`` means the system's proxy settings.
    proxy: str = ""
    #: A connection idle for longer is closed rather than reused. Desks close theirs
    #: after a few seconds (Apache 5 s, gunicorn 2 s); keeping ours longer only leaves
    #: sockets the desk already closed waiting (CLOSE-WAIT) for us to notice.
    keepalive_s: float = 4.0


# --- text fit for an error message --------------------------------------------------------

#: Control and invisible formatting characters (and lone surrogates, which no log encodes).
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
#: Well-known secret shapes only, for text cleaned without a client's own secrets.
_SHAPES = Redactor()
#: How far the end of the text looked at must stay beyond the cut (see :func:`clean_text`).
_EDGE = 1024


def clean_text(text: object, redactor: Redactor = _SHAPES, limit: int = MAX_DETAIL_CHARS) -> str:
    """``text`` fit for an error message: secrets masked, control characters gone, bounded.

    Desks and proxies echo requests (headers included) in error pages, and libraries
    quote what they received: without this, a token would be one ``logger.exception``
    away from the log. Only the first few ``limit`` characters are looked at (a
    10 MB error page would take seconds to mask whole); that window grows until the
    masked text reaches well past the cut, so a secret cut in half at the window's end
    can never reach the message.
    """
    text = str(text)
    window = 8 * limit
    while True:
        masked = redactor.redact(_UNPRINTABLE.sub(" ", text[:window]))
        if len(text) <= window or len(masked) >= limit + _EDGE:
            break
        window *= 8
    masked = " ".join(masked.split())
    return masked if len(masked) <= limit else masked[: limit - 1] + "…"


#: Header names whose values are credentials (Authorization, Cookie, X-Api-Key, ...).
_CREDENTIAL_HEADER = re.compile(r"auth|cookie|token|secret|api-?key|session", re.IGNORECASE)


def _secret_parts(value: str) -> Iterable[str]:
    """A credential header's value, and the parts of it that are secrets on their own."""
    yield value
    _, _, credential = value.partition(" ")  # "Token abc", "Bearer abc", "Basic dXNl..."
    yield credential.strip()
    for pair in value.split(";"):  # a Cookie header: each value
        yield pair.partition("=")[2].strip()


def _url_secrets(url: str) -> Iterable[str]:
    """The credentials written into a (proxy) URL, as sent and as ``Proxy-Authorization``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        user = urllib.parse.unquote(parts.username or "")
        password = urllib.parse.unquote(parts.password)
        yield password
        yield parts.password
        yield base64.b64encode(f"{user}:{password}".encode("latin-1", "replace")).decode()


# --- responses ----------------------------------------------------------------------------


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
    #: The address that answered (after redirects on the desk itself).
    url: str = ""
    #: Makes the desk's text fit for an error message; the client's own knows the
    #: credentials it sent (see :func:`clean_text`).
    clean: Callable[[str], str] = field(default=clean_text, repr=False, compare=False)

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


#: ``Retry-After`` in seconds (RFC 9110 says whole seconds; a fraction does no harm).
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _http_date(value: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, says RFC 5322
        when = when.replace(tzinfo=datetime.UTC)
    return when.timestamp()


def _retry_after(value: str | None, date: str | None = None) -> float | None:
    """The seconds ``Retry-After`` asks for: a number of seconds, or an HTTP date.

    A date is measured against the answer's own ``Date`` (two readings of the desk's
    clock: a wrong clock here does not matter), else against ours. Anything else
    (``nan``, ``inf``, a negative number, garbage) is ignored and our own backoff
    applies. The result is capped at :data:`MAX_RETRY_AFTER`; a date already past is 0.
    """
    value = (value or "").strip()
    if _DELAY_SECONDS.fullmatch(value):
        seconds = float(value)  # inf for hundreds of digits: capped like any huge wait
    else:
        until = _http_date(value) if value else None
        if until is None:
            return None
        now = _http_date(date) if date else None
        seconds = until - (now if now is not None else time.time())
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _error_detail(response: HttpResponse) -> tuple[str, str, dict[str, list[str]]]:
    """The desk's (reason, detail, complaints per field) when it explains an error in JSON.

    All of it cleaned by ``response.clean``: it is the desk's text, and may quote ours.
    """
    try:
        payload = response.json()
    except BadResponse:
        return "", f"HTTP {response.status}", {}
    if not isinstance(payload, dict):
        return "", f"HTTP {response.status}", {}
    clean = response.clean
    raw_fields = payload.get("fields")
    fields = {
        clean(str(name))[:100]: [clean(str(m)) for m in messages[:50]]
        for name, messages in list(raw_fields.items() if isinstance(raw_fields, dict) else [])[:50]
        if isinstance(messages, list)
    }
    # django-helpdesk and DRF say "detail"; Request Tracker's REST2 says "message".
    detail = payload.get("detail", payload.get("message", payload))
    return clean(str(payload.get("error", "")))[:100], clean(str(detail)), fields


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
    retry_after = _retry_after(response.headers.get("Retry-After"), response.headers.get("Date"))
    if status == 429:
        raise Unavailable(detail, reason="busy", retry_after=retry_after)
    if status == 408 or status >= 500:
        raise Unavailable(detail, reason="server_error", retry_after=retry_after)
    raise Rejected(detail, reason=reason or str(status), fields=fields)


class RedirectRefused(Unavailable):
    """The desk's address redirects to another server, and nothing was sent there.

    ``reason`` is ``"redirected"``; ``target`` is the other server (``scheme://host[:port]``)
    for a message such as "the desk address redirects to another server (target); ask
    IT to set the desk address to the final one". Nothing changes until IT does, so it
    is not retried here. On a write, the desk at the configured address may have acted
    before redirecting (a 303 after a POST usually means it did; a 307/308 that it did not).
    """

    def __init__(self, target: str) -> None:
        super().__init__(
            f"the desk address redirects to another server ({target}); "
            "the desk address must be the final one",
            reason="redirected",
        )
        self.target = target


Origin = tuple[str, str, int]


def origin(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL; ``None`` for anything else."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def origin_text(place: Origin | None) -> str:
    """An origin as people write it (no user name or password, no path, default port left out).

    Also what a browser sends as its ``Origin`` header (host in lower case).
    """
    if place is None:
        return "an address that is not http(s)"
    scheme, host, port = place
    host = f"[{host}]" if ":" in host else host
    default = port == (443 if scheme == "https" else 80)
    return f"{scheme}://{host}" if default else f"{scheme}://{host}:{port}"


# --- the deadline, enforced on every socket wait -------------------------------------------


class _Deadline:
    """When the exchange a session carries must be over; its connections read it before each wait.

    :class:`HttpClient` sets it around each exchange. A session carries one exchange
    at a time (sessions are checked out), so one mutable value per session is enough.
    """

    def __init__(self) -> None:
        self.at: float | None = None

    def limit(self, timeout: object) -> float | None:
        """``timeout`` (seconds; anything else: none) cut to the time left.

        Raises:
            TimeoutError: no time is left (mapped like any socket timeout).
        """
        configured = float(timeout) if isinstance(timeout, int | float) else None
        if self.at is None:
            return configured
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's total time limit is reached")
        return left if configured is None else min(configured, left)


#: Sent at a time, so that each send waits at most the time left (see _TimedConnection).
_SEND_BLOCK = 16 * 1024


class _TimedReads(io.RawIOBase):
    """A socket file whose every read waits at most the time left."""

    def __init__(self, raw: io.RawIOBase, sock: Any, limit: Callable[[], float | None]) -> None:
        super().__init__()
        self._raw, self._sock, self._limit = raw, sock, limit

    def readable(self) -> bool:  # noqa: D102
        return True

    def readinto(self, buffer: Any) -> int | None:  # noqa: D102
        self._sock.settimeout(self._limit())
        return self._raw.readinto(buffer)

    def fileno(self) -> int:  # noqa: D102
        return self._raw.fileno()

    def close(self) -> None:  # noqa: D102
        if not self.closed:
            self._raw.close()
        super().close()


class _TimedResponse(http.client.HTTPResponse):
    """``http.client``'s response (status line, headers, body) read through ``_TimedReads``."""

    def __init__(
        self,
        sock: Any,
        debuglevel: int = 0,
        method: str | None = None,
        url: str | None = None,
        *,
        limit: Callable[[], float | None],
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        # detach(), not close(): the socket file keeps the socket open until the response
        # is read, even when http.client's connection closes it first ("Connection: close").
        self.fp = io.BufferedReader(_TimedReads(self.fp.detach(), sock, limit))


class _TimedConnection(urllib3.connection.HTTPConnection):
    """A connection whose every wait on its socket ends by the exchange's deadline.

    ``requests`` and ``urllib3`` only know per-operation timeouts: a desk that drips
    its headers a byte at a time, each within the read timeout, is never cut off. So
    before each operation that can block (connecting; each send of at most 16 KiB;
    each read of the status line, the headers or the body, which http.client all reads
    through ``response.fp``) the socket's timeout is set to ``min(its own timeout,
    time left)``, and no time left is a timeout at once. CPython applies a socket
    timeout to a whole ``recv``, ``sendall``, TLS handshake or TLS read, so nothing
    outlives the deadline. This holds for TLS (the reads go through the SSL socket),
    for a forwarding proxy (the socket is the proxy's) and through a CONNECT tunnel
    (the proxy's answer is read by the same response class, and the handshake then
    runs within the timeout that was left).

    Why not a watchdog that shuts the socket down at the deadline: threads belong to
    the task runner, and a shutdown racing a connection's return to its pool would
    break the next exchange on it. Not covered: resolving the name (``getaddrinfo``
    cannot be interrupted), and a TLS-in-TLS handshake through an HTTPS proxy, whose
    reads each get the time that was left.
    """

    def __init__(self, *args: Any, deadline: _Deadline | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline or _Deadline()
        # http.client makes its response (and the tunnel's) as response_class(sock, method=…).
        self.response_class = functools.partial(_TimedResponse, limit=self._time_left)  # type: ignore[assignment]

    def _time_left(self) -> float | None:
        return self._deadline.limit(self.timeout)

    def _new_conn(self) -> socket.socket:
        configured = self.timeout
        self.timeout = self._time_left()
        try:
            return super()._new_conn()  # the socket keeps this timeout for the TLS handshake
        finally:
            self.timeout = configured

    def send(self, data: Any) -> None:  # noqa: D102
        if isinstance(data, bytes | bytearray | memoryview):
            view = memoryview(data).cast("B")
            for start in range(0, len(view), _SEND_BLOCK):
                self._send_in_time(view[start : start + _SEND_BLOCK])
        else:  # a file or an iterable (never ours): sent as http.client does
            self._send_in_time(data)

    def _send_in_time(self, data: Any) -> None:
        if self.sock is not None:  # else http.client connects first, in _new_conn's time
            self.sock.settimeout(self._time_left())
        super().send(data)


class _TimedHTTPSConnection(_TimedConnection, urllib3.connection.HTTPSConnection):
    """The TLS variant."""


class _TimedPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _TimedConnection


class _TimedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _TimedHTTPSConnection


class _DeskAdapter(requests.adapters.HTTPAdapter):
    """Verifies TLS against the OS trust store, and gives its connections the deadline.

    Corporate networks install their own root certificates in the OS store;
    ``truststore`` makes those work exactly like the user's browser does.
    """

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        #: The deadline of the exchange in progress, read by every connection made here.
        self.deadline = _Deadline()
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)
        self._timed(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:  # noqa: D102
        proxy_kwargs["ssl_context"] = self._context
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, urllib3.ProxyManager):  # SOCKS managers have pools of their own
            self._timed(manager)
        return manager

    def _timed(self, manager: urllib3.PoolManager) -> None:
        # Partials, not classes: urllib3 only calls them, and the deadline reaches each
        # connection through the pool's connection keywords.
        pools: dict[str, Any] = {
            "http": functools.partial(_TimedPool, deadline=self.deadline),
            "https": functools.partial(_TimedHTTPSPool, deadline=self.deadline),
        }
        manager.pool_classes_by_scheme = pools

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:  # noqa: D102
        # WORKAROUND: requests would add certifi's bundle to our context for
        # verify=True (requests 2.32, adapters.cert_verify); the OS store is the
        # only trust we want, and verification is never switched off here.
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


def make_session(config: HttpConfig) -> requests.Session:
    """A ``requests`` session with our User-Agent, OS trust store and time limits.

    The system's proxy settings are honoured (``requests`` reads them); a proxy
    set by IT policy takes their place. A factory of its own must start from this
    one: only its connections keep the total time limit while headers arrive.
    """
    session = requests.Session()
    if config.proxy:
        session.proxies = {"http": config.proxy, "https": config.proxy}
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    session.max_redirects = config.max_redirects
    adapter = _DeskAdapter(truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _connection_error(exc: requests.exceptions.ConnectionError, text: str) -> Unavailable:
    """``unreachable`` when no connection was made, else ``connection`` (it broke).

    ``refused`` when the desk's server answered and turned the connection away:
    the network works, so the employee is not told to check theirs.
    """
    cause = exc.args[0] if exc.args else None
    if isinstance(cause, urllib3.exceptions.MaxRetryError):
        cause = cause.reason
    if isinstance(cause, urllib3.exceptions.NewConnectionError):  # refused, no route, DNS
        if isinstance(cause.__cause__ or cause.__context__, ConnectionRefusedError):
            return Unavailable(text, reason="refused")
        return Unavailable(text, reason="unreachable")
    return Unavailable(text, reason="connection")


@dataclass(frozen=True)
class _Body:
    """What a request sends besides its headers."""

    params: Mapping[str, str] | None = None
    json_body: Any = None
    #: Form fields, or a raw body (a file sent as it is).
    data: Mapping[str, str] | bytes | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None


def _after_redirect(status: int, method: str, body: _Body) -> tuple[str, _Body]:
    """The method and body for following ``status``, as browsers and ``requests`` do."""
    upper = method.upper()
    if (status in (302, 303) and upper != "HEAD") or (status == 301 and upper == "POST"):
        return "GET", _Body()  # the body is not sent again
    return method, replace(body, params=None)  # 307/308: the same request; the query is in the URL


class HttpClient:
    """Requests to one desk's base URL; every failure leaves as a :class:`DeskError`.

    * ``HttpConfig.total_timeout`` bounds a whole :meth:`request`: every connect,
      send and read, redirects, retries and the waits between them.
    * Nothing is ever sent to another origin (scheme, host, port) than the base URL's:
      a redirect there is :class:`RedirectRefused`, an address there :class:`BadResponse`.
      With no base URL, each request's own address is the origin it keeps to.
    * Idempotent requests are retried after a flaky failure, with exponential backoff
      and jitter, and ``Retry-After`` honoured, while the time limit allows; longer
      waits are left to the caller's own schedule.
    * Error messages never carry a credential the client sent: the values of its
      credential headers (Authorization, Cookie, ...), proxy passwords and anything
      passed to :meth:`add_secret` are masked, with well-known secret shapes.
    * Sessions (each with its keep-alive connections) are lent to one request at a
      time and taken back after it, whatever thread it ran on: at most one per request
      in flight, ``max_idle_sessions`` kept idle, each closed once idle for longer
      than ``HttpConfig.keepalive_s`` or when the client is closed.
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
        remember_secret: Callable[[str], None] = lambda secret: None,
        max_idle_sessions: int = MAX_IDLE_SESSIONS,
        idle_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare requests to ``base_url``; no connection is made yet.

        Args:
            base_url: The desk's address; requests name paths below it.
            config: The limits every request obeys.
            headers: Sent with every request (credentials among them are kept secret).
            session_factory: Makes a session (tests wrap :func:`make_session`).
            sleep: Waits between retries (tests record instead of waiting).
            rng: The jitter's source.
            follow_redirects: ``False``: a 3xx comes back as a response (a desk that
                answers an expired session with a redirect to its login page, as
                Request Tracker does, and its login form's, which may name RT's own
                address behind a reverse proxy); nothing is sent to its ``Location``.
                :meth:`refuse_redirect_elsewhere` turns one to another server into
                :class:`RedirectRefused` where that means a wrong desk address.
            remember_secret: Told each secret the client learns (credential headers,
                proxy passwords, :meth:`add_secret`), once: pass the app's log
                redactor's ``add_secret`` so that the log masks them too.
            max_idle_sessions: Idle sessions kept for reuse (the io pool's size).
            idle_clock: The monotonic clock that ages idle sessions (tests set it).
        """
        self.base_url = base_url.rstrip("/")
        self.follow_redirects = follow_redirects
        self._origin = origin(self.base_url) if self.base_url else None
        self._session_factory = session_factory
        self._config = config
        self._headers = dict(headers or {})
        self._sleep = sleep
        self._rng = rng or random.Random()
        # Masks this client's messages; the app learns the same secrets through remember_secret.
        self._redactor = Redactor()
        self._remember_secret = remember_secret
        self._known: set[str] = set()
        self._clean = functools.partial(clean_text, redactor=self._redactor)
        self._max_idle = max_idle_sessions
        self._idle_clock = idle_clock
        # Sessions lent to no request, most recently used last, with when they came back.
        # requests.Session promises no thread safety (psf/requests#2766): one request each.
        self._idle: list[tuple[requests.Session, float]] = []
        self._lock = threading.Lock()
        self._epoch = 0  # bumped by close(): sessions lent before it are closed on return
        self._remember(self._headers)
        for url in (config.proxy, base_url, *urllib.request.getproxies().values()):
            for secret in _url_secrets(url):
                self.add_secret(secret)

    def add_secret(self, secret: str) -> None:
        """Mask ``secret`` in every error message from now on (a session id learned later).

        Credential headers the client sends are added by themselves. Thread-safe.
        """
        if secret and secret not in self._known:  # a race only repeats harmless calls
            self._known.add(secret)
            self._redactor.add_secret(secret)
            self._remember_secret(secret)

    def _remember(self, headers: Mapping[str, str]) -> None:
        for name, value in headers.items():
            if _CREDENTIAL_HEADER.search(name):
                for secret in _secret_parts(str(value)):
                    self.add_secret(secret)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | bytes | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        headers: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> HttpResponse:
        """Send a request and read the whole (size- and time-capped) response.

        ``headers`` are added to this request only (``If-None-Match``); a 304
        comes back as a response, not an error.

        Raises:
            Unavailable: no connection, timeout, TLS failure, 5xx, 429.
            RedirectRefused: the desk redirects to another server (an ``Unavailable``).
            AuthFailed, Forbidden, NotFound, Rejected: the matching 4xx.
            BadResponse: the response is larger than allowed or not understood, or
                ``path`` is an address on another server.
        """
        deadline = time.monotonic() + self._config.total_timeout
        url = self._url(path)
        if headers:
            self._remember(headers)
        sent = {**self._headers, **headers} if headers else self._headers
        body = _Body(params, json_body, data, files)
        attempts = 1 + (self._config.retries if method.upper() in IDEMPOTENT else 0)
        for attempt in range(1, attempts + 1):
            try:
                response = self._exchange(method, url, body, sent, deadline)
                if check:
                    raise_for_status(response)
                return response
            except Unavailable as error:
                wait = self._retry_wait(error, attempt, deadline)
                if attempt == attempts or wait is None:
                    raise
                logger.info(
                    "%s %s failed (%s); retrying in %.1f s", method, path, error.reason, wait
                )
                self._sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _url(self, path: str) -> str:
        if not path.startswith(("http://", "https://")):
            return self.base_url + path
        if self._origin is not None and origin(path) != self._origin:
            where = self._clean(origin_text(origin(path)))
            raise BadResponse(f"refusing to send a request to another server ({where})")
        return path

    def _retry_wait(self, error: Unavailable, attempt: int, deadline: float) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up now."""
        if error.reason not in RETRYABLE_REASONS:
            return None
        backoff = 0.5 * 2.0 ** (attempt - 1)
        wait = max(backoff + self._rng.uniform(0, backoff / 2), error.retry_after or 0.0)
        if wait > MAX_INLINE_WAIT_S or wait >= deadline - time.monotonic():
            return None  # the caller's deadline holds: retry_after tells it when
        return wait

    def _exchange(
        self, method: str, url: str, body: _Body, headers: Mapping[str, str], deadline: float
    ) -> HttpResponse:
        """One attempt, following redirects that stay on the desk."""
        home = self._origin or origin(url)
        session, epoch = self._checkout()
        try:
            for _ in range(self._config.max_redirects + 1):
                response = self._send(session, method, url, body, headers, deadline)
                target = self._redirect_target(response)
                if target is None:
                    return response
                if not self.follow_redirects:
                    return response  # the adapter reads it; nothing is sent to the target
                if origin(target) != home:
                    raise RedirectRefused(self._clean(origin_text(origin(target))))
                method, body = _after_redirect(response.status, method, body)
                url = target
            raise BadResponse(f"redirect loop: more than {self._config.max_redirects} redirects")
        finally:
            self._checkin(session, epoch)

    def refuse_redirect_elsewhere(self, response: HttpResponse) -> None:
        """Raise :class:`RedirectRefused` if ``response`` redirects to another server.

        For adapters that read redirects themselves (``follow_redirects=False``) where a
        redirect elsewhere means a wrong desk address, such as a sign-in sent as a GET.
        """
        target = self._redirect_target(response)
        home = self._origin or origin(response.url)
        if target is not None and origin(target) != home:
            raise RedirectRefused(self._clean(origin_text(origin(target))))

    def _redirect_target(self, response: HttpResponse) -> str | None:
        location = response.headers.get("Location")
        if response.status not in REDIRECTS or not location:
            return None
        try:  # http.client decodes headers as latin-1; desks send UTF-8 (as requests assumes)
            location = location.encode("latin-1").decode("utf-8")
        except UnicodeError:
            pass
        target: str = requests.utils.requote_uri(urllib.parse.urljoin(response.url, location))
        return target

    def _send(
        self,
        session: requests.Session,
        method: str,
        url: str,
        body: _Body,
        headers: Mapping[str, str],
        deadline: float,
    ) -> HttpResponse:
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._out_of_time("")
        config = self._config
        deadlines = [a.deadline for a in session.adapters.values() if isinstance(a, _DeskAdapter)]
        for each in deadlines:
            each.at = deadline
        try:
            with session.request(
                method,
                url,
                params=body.params,
                json=body.json_body,
                data=body.data,
                files=body.files,
                headers=headers,
                timeout=(min(config.connect_timeout, left), min(config.read_timeout, left)),
                stream=True,
                allow_redirects=False,  # followed by _exchange, on the desk only
            ) as raw:
                content = self._read_capped(raw, deadline)
                response = HttpResponse(
                    raw.status_code,
                    raw.headers.copy(),  # requests' own case-insensitive mapping, copied
                    content,
                    tuple(raw.raw.headers.getlist("Set-Cookie")),
                    url=raw.url,
                    clean=self._clean,
                )
        except DeskError:
            raise
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            # "from None": the library's exception quotes what it received, echoes included,
            # and logger.exception would print it; its type and cleaned text are kept here.
            raise self._failure(exc, deadline) from None
        finally:
            for each in deadlines:
                each.at = None
        logger.debug("%s %s -> %s (%d bytes)", method, url, response.status, len(response.body))
        return response

    def _out_of_time(self, text: str) -> Unavailable:
        total = self._config.total_timeout
        detail = f"no complete answer within the {total} s limit"
        return Unavailable(f"{detail} ({text})" if text else detail, reason="timeout")

    def _failure(self, exc: Exception, deadline: float) -> DeskError:
        """The DeskError for a library's exception during an exchange."""
        text = self._clean(f"{type(exc).__name__}: {exc}")
        if time.monotonic() >= deadline - 0.05:  # whatever broke, it broke at the deadline
            return self._out_of_time(text)
        if isinstance(exc, requests.exceptions.SSLError):
            return Unavailable(text, reason="tls")
        if isinstance(exc, requests.exceptions.ProxyError):
            return Unavailable(text, reason="proxy")
        if isinstance(exc, requests.exceptions.Timeout):
            return Unavailable(text, reason="timeout")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return _connection_error(exc, text)
        if isinstance(exc, requests.exceptions.ChunkedEncodingError | OSError):
            return Unavailable(text, reason="connection")
        return BadResponse(text)

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
                    raise self._out_of_time("the body was still arriving")
                chunks.append(chunk)
        except urllib3.exceptions.DecodeError as exc:
            raise BadResponse(self._clean(f"undecodable body: {exc}")) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            # A timeout, a reset, a body cut short. An SSLError too: the handshake succeeded
            # long ago and the desk has answered, so this is a broken connection, not an
            # untrusted certificate (and the request may have been acted on).
            text = self._clean(f"{type(exc).__name__}: {exc}")
            if time.monotonic() >= deadline - 0.05:
                raise self._out_of_time(text) from None
            if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
                raise Unavailable(text, reason="timeout") from None
            raise Unavailable(text, reason="connection") from None
        return b"".join(chunks)

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` and return its JSON body."""
        return self.request("GET", path, params=params).json()

    # --- sessions ---------------------------------------------------------------------------

    def _checkout(self) -> tuple[requests.Session, int]:
        """A session for one request: the most recently used idle one, else a new one."""
        with self._lock:
            stale = self._take_stale(self._config.keepalive_s)
            session = self._idle.pop()[0] if self._idle else None
            epoch = self._epoch
        for old in stale:
            old.close()
        return session or self._session_factory(self._config), epoch

    def _checkin(self, session: requests.Session, epoch: int) -> None:
        """Take a session back after its request (closed if the client was closed meanwhile)."""
        with self._lock:
            if epoch != self._epoch:
                done = [session]
            else:
                self._idle.append((session, self._idle_clock()))
                done = self._take_stale(self._config.keepalive_s)
                while len(self._idle) > self._max_idle:
                    done.append(self._idle.pop(0)[0])
        for old in done:
            old.close()

    def _take_stale(self, older_than: float) -> list[requests.Session]:
        """Remove (for closing) the idle sessions unused for longer than ``older_than``."""
        now = self._idle_clock()
        stale = [s for s, since in self._idle if now - since > older_than]
        self._idle = [(s, since) for s, since in self._idle if now - since <= older_than]
        return stale

    def close_idle(self, older_than: float | None = None) -> None:
        """Close the connections idle for longer than ``older_than`` (default: the keep-alive).

        Done at every request anyway; worth calling when the app goes idle (before
        sleep, say), so that no socket the desk closed waits for the next request.
        """
        with self._lock:
            stale = self._take_stale(self._config.keepalive_s if older_than is None else older_than)
        for session in stale:
            session.close()

    def close(self) -> None:
        """Close every connection: idle ones now, those in use when their request ends.

        The client stays usable; a later request connects again.
        """
        with self._lock:
            sessions = [s for s, _ in self._idle]
            self._idle = []
            self._epoch += 1
        for session in sessions:
            session.close()
