"""Request Tracker 5, through its REST2 API, as the employee: an unprivileged requestor.

What RT does and does not do for an end user, measured on RT 5.0.3, is in the shared
docs (reference: request-tracker-5); the choices that follow from it:

* **Session.** A token costs RT a bcrypt and a database write on every request, so
  it is exchanged once for RT's web session cookie, which is then sent instead. An
  expired session shows as a 302 to ``/`` (REST2 redirects, rather than answering 401,
  as soon as a cookie is sent): the session is renewed once with the token (or a kept
  password) and the request sent again. A password sign-in keeps the cookie only.
* **Changes.** One TicketSQL search, ``LastUpdated > '-N seconds'``: RT reads a
  date in a query in the user's time zone, and only a relative one means the same
  instant whatever that zone is (see :meth:`RtDesk.changed_tickets`).
* **Replies that fail with 200.** RT answers some refused updates with 200 and a list
  of messages such as ``["Ticket 1: Permission Denied"]``; they are read, always.
* **Requestor.** REST2 does not make the creator the requestor; without it the user
  could not read the ticket they just filed.
* **Never** ``If-Modified-Since`` (RT 5.0.3 answers 500) and never ``?token=`` (it ends
  up in logs).
* **Cross-site request forgery rules** (Debian's ``5.0.3+dfsg-3~deb12u7``, CVE-2026-108277
  and CVE-2026-108344). RT refuses a state-changing REST2 request authenticated with its
  session cookie unless the request's ``Origin`` (or ``Referer``) is RT's own address
  (``$WebBaseURL``) or in ``@ReferrerWhitelist``; with ``$RestrictLoginReferrer`` it also
  refuses a password sign-in that does not come from its login page. The tray speaks to
  RT at the address the employee signed in to, so every cookie-authenticated write
  carries that address as its ``Origin``, and the login form its own page as
  ``Referer``: true statements, which RT accepts whenever that address is RT's. When
  RT still refuses (a reverse proxy whose address is not RT's ``$WebBaseURL``), writes
  go with the token instead (RT exempts the ``Authorization`` header), once a token is
  kept; with a password sign-in the write fails as :class:`Forbidden` with reason
  ``"csrf"``: nothing is lost (a report waits in the outbox) and IT is told what to set.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html.parser
import json
import logging
import math
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from http.cookies import CookieError, SimpleCookie
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from client.adapters.desks import kit
from client.adapters.http import (
    HttpClient,
    HttpConfig,
    HttpResponse,
    make_session,
    origin,
    origin_text,
    raise_for_status,
)
from client.adapters.recent import Recent
from client.core.errors import (
    AttachmentRefused,
    AuthFailed,
    BadResponse,
    DeskError,
    Forbidden,
    NotFound,
    QueueRefused,
    Rejected,
)
from client.core.models import (
    Agent,
    Attachment,
    AttachmentInfo,
    Cursor,
    EventKind,
    Person,
    Report,
    Stage,
    Ticket,
    TicketEvent,
    TicketRef,
    TicketSummary,
)
from client.core.stages import StageTable

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)

KIND = "request-tracker"
REST = "/REST/2.0"
DEFAULT_QUEUE = "General"  # the queue every RT has

#: The ticket custom field that carries a report's key, when the queue has one.
REPORT_ID_FIELD = "Report-ID"
#: Otherwise the key is the last line of the ticket's text.
REPORT_ID_LINE = "Report-ID: "
#: How far back a report's key is looked for in the text of the user's tickets.
REPORT_ID_LOOKBACK_DAYS = 30

#: RT's "not set" date.
UNSET_DATE = "1970-01-01T00:00:00Z"
#: The user RT shows as the owner of an unowned ticket.
NOBODY = "Nobody"
#: RT's default "High" (``%PriorityAsString``); mark_urgent raises a ticket to it.
URGENT_PRIORITY = 100
#: Statuses of RT's default lifecycle that are finished; a reply from the requestor
#: opens them again (RT's "On Correspond Open Inactive Tickets" scrip).
INACTIVE_STATUSES = frozenset({"resolved", "rejected", "deleted"})

#: REST2 caps a page at 100.
PER_PAGE = 100
#: A bound on paging, so a desk answering full pages forever cannot keep us busy.
MAX_PAGES = 50
#: Empty pages read past in a row before the newest id is reached (RT empties a page
#: whose records the user may not see; a desk sending nothing forever costs this many).
EMPTY_PAGES_IN_A_ROW = 3
#: Ids per query when asking for several attachments at once (keeps the URL short).
IDS_PER_QUERY = 40
#: Message bodies asked for in one request, by their total size (an answer must stay
#: well under the response size limit).
BODIES_PER_REQUEST_BYTES = 1024 * 1024
#: A message body larger than this is not read into the conversation: it is offered
#: as a file (``message.txt``) instead, which the employee can open at the desk.
MAX_BODY_BYTES = 1024 * 1024

#: Seconds the change window reaches back before the previous poll started: RT keeps
#: 1-second times, compares with a strict ``>``, and rounds a relative date.
CURSOR_MARGIN_S = 5
#: RT turns "-N seconds" into a time with the offset of its time zone *now*; when a
#: summer-time switch lies inside the window that is an hour off, so an hour more.
CURSOR_ZONE_SLACK_S = 3600

#: A ticket's last answer is kept for conditional requests (a window shows one at a time).
KNOWN_TICKETS = 32
#: Message bodies kept by transaction id (transactions never change).
KNOWN_BODIES = 2000

_TOKEN = re.compile(r"^(\d+)-(\d+)-[0-9a-f]{32}$", re.IGNORECASE)
_DENIED = re.compile(r"permission denied", re.IGNORECASE)
#: REST2's refusal of a cookie-authenticated write from an origin it does not accept.
_CSRF = re.compile(r"cross-site request forgery", re.IGNORECASE)
#: The login form's refusal under ``$RestrictLoginReferrer`` ("Use RT's login page to log in").
_LOGIN_PAGE_ONLY = re.compile(r"use rt(?:'|&#39;|&#x27;)s login page to log in", re.IGNORECASE)
_SESSION_COOKIE = "RT_SID_"
#: Methods RT's forgery rules never apply to.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Where RT serves its login form, below its web path (a ``Referer`` RT accepts for a login).
LOGIN_PAGE = "/NoAuth/Login.html"

_SUMMARY_FIELDS = {
    "fields": "Subject,Status,Owner,Created,LastUpdated,Due,Told,Priority",
    "fields[Owner]": "Name,RealName,EmailAddress",
}
_TICKET_FIELDS = {"fields[Owner]": "Name,RealName,EmailAddress,CustomFields"}
_HISTORY_FIELDS = {
    "fields": "Type,Field,OldValue,NewValue,Created,Creator",
    "fields[Creator]": "Name,RealName",
    "orderby": "id",
    "order": "ASC",
}

#: Native state → stage. The native state is RT's status refined by what the parcel
#: tracker cares about: whether someone owns the ticket and whether an agent wrote.
STAGE_TABLE = MappingProxyType(
    {
        "new": Stage.RECEIVED,
        "new+owner": Stage.ASSIGNED,
        "new+replied": Stage.IN_PROGRESS,
        "open+owner": Stage.ASSIGNED,
        "open": Stage.IN_PROGRESS,
        "stalled": Stage.WAITING_ON_YOU,
        "resolved": Stage.RESOLVED,
        "rejected": Stage.CANCELLED,
        "deleted": Stage.CANCELLED,
    }
)


def native_state(status: str, owned: bool, agent_replied: bool) -> str:
    """The key into :data:`STAGE_TABLE` for one ticket.

    ``new`` or ``open`` with an owner and no agent reply yet is *assigned*; an agent's
    reply to a ``new`` ticket means work has started. Any other status (a custom
    lifecycle's) is its own key and shows as in progress.
    """
    if status == "new":
        if agent_replied:
            return "new+replied"
        return "new+owner" if owned else "new"
    if status == "open":
        return "open+owner" if owned and not agent_replied else "open"
    return status


# --- reading RT's answers ------------------------------------------------------------------


def _text(value: Any, default: str = "") -> str:
    """A text field; RT sends some as numbers ("id": 1 on a record, "1" in a list)."""
    return kit.text(value, default, numbers=True)


_time = kit.timestamp


def _optional_time(value: Any) -> datetime | None:
    """``None`` for RT's "not set" (1970-01-01T00:00:00Z, or nothing)."""
    if value in (None, "", UNSET_DATE):
        return None
    return _time(value)


def _number(value: Any) -> int | None:
    """A number RT may send as text ("1"), or ``None`` for anything else ("High")."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _name(user: Any) -> str:
    """A user reference's name: ``{"type": "user", "id": "anna", "Name": ...}``."""
    if not isinstance(user, Mapping):
        return _text(user)
    return _text(user.get("Name") or user.get("id"))


def _agent(owner: Any) -> Agent | None:
    if not owner or _name(owner) == NOBODY:
        return None
    name = _name(owner)
    return Agent(
        name=_text(owner.get("RealName")) or name,
        email=_text(owner.get("EmailAddress")) or None,
        id=name,
    )


def _photo_path(owner: Any) -> str | None:
    """The path (under REST2) of the owner's photo: the first image in their custom fields."""
    if not isinstance(owner, Mapping):
        return None
    fields = owner.get("CustomFields") or []
    fields = sorted(fields, key=lambda f: f.get("name") != "Photo")  # "Photo" first
    for custom_field in fields:
        for value in custom_field.get("values") or []:
            if isinstance(value, Mapping) and str(value.get("content_type", "")).startswith(
                "image/"
            ):
                return _rest_path(_text(value.get("_url")))
    return None


def _rest_path(url: str) -> str | None:
    """``url``'s part after ``/REST/2.0``.

    RT builds its URLs from its own configured base, which need not be the address
    this client uses (a proxy in front of it); the session cookie goes to ours only.
    """
    _, found, rest = urllib.parse.urlsplit(url).path.partition(REST + "/")
    if not (found and rest):
        return None
    try:
        return kit.desk_path("/" + rest, under="/")
    except BadResponse as error:  # a photo is not worth making the ticket unreadable
        logger.warning("RT: %s", error)
        return None


def _items(data: Any) -> list[Mapping[str, Any]]:
    """A collection's records (``{"count", "page", "items": [...], ...}``)."""
    items = data.get("items") if isinstance(data, Mapping) else None
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise BadResponse("expected a collection of records from the desk")
    return items


_mapped = kit.mapped


def _messages(response: HttpResponse) -> list[str]:
    """RT's answer to an update: a list of sentences, one per change."""
    data = response.json()
    if isinstance(data, list):
        return [str(m) for m in data]
    raise BadResponse(f"expected RT's list of messages, got {type(data).__name__}")


def _denied(messages: Sequence[str]) -> str | None:
    """The first message saying "Permission Denied", if any."""
    return next((m for m in messages if _DENIED.search(m)), None)


def _sql_quote(value: str) -> str:
    """``value`` as a single-quoted TicketSQL string: a backslash before backslashes and quotes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ago(seconds: int) -> str:
    """A TicketSQL date ``seconds`` before RT's now, whatever RT's time zone.

    RT hands a date to Time::ParseDate (or DateTime::Format::Natural, which cannot
    read this form and passes it on): "-N seconds" is read right for every N, where
    "N seconds ago" is not (Time::ParseDate takes "3606" for a year or a time).
    """
    return f"'-{seconds} seconds'"


def _fingerprint(item: Mapping[str, Any]) -> str:
    raw = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def _server_time(response: HttpResponse) -> datetime | None:
    try:
        return parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return None


def _summary(item: Mapping[str, Any], stages: StageTable) -> TicketSummary:
    status = _text(item["Status"])
    agent = _agent(item.get("Owner"))
    told = _optional_time(item.get("Told"))
    state = native_state(status, agent is not None, told is not None)
    return TicketSummary(
        ref=TicketRef(kit.desk_id(item["id"], what="ticket id")),
        title=_text(item.get("Subject")),
        stage=stages.stage(state),
        native_status=state,
        updated=_time(item["LastUpdated"]),
        created=_time(item["Created"]),
        agent=agent,
        due=_optional_time(item.get("Due")),
        agent_replied_at=told,
        # RT's "High" and above: what "This is urgent now" sets.
        urgent=(_number(item.get("Priority")) or 0) >= URGENT_PRIORITY,
    )


class _TextOnly(html.parser.HTMLParser):
    """The readable text of an HTML message (agents write HTML in RT's web editor)."""

    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: D102
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:  # noqa: D102
        if tag in ("script", "style"):
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:  # noqa: D102
        if not self._hidden:
            self.parts.append(data)


def plain_text(content: str, content_type: str) -> str:
    """A message body as plain text (HTML reduced to its text)."""
    if content_type != "text/html":
        return content.strip()
    parser = _TextOnly()
    parser.feed(content)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _without_key_line(text: str) -> str:
    """The report's text without the ``Report-ID:`` line the tray added for the desk."""
    lines = text.rstrip().splitlines()
    if lines and lines[-1].startswith(REPORT_ID_LINE):
        return "\n".join(lines[:-1]).rstrip()
    return text.strip()


def _files(attachments: Sequence[Attachment]) -> list[tuple[str, tuple[str, bytes, str]]]:
    """Multipart file parts, as REST2 wants them (named ``Attachments``).

    Raises:
        AttachmentRefused: an empty file; REST2 refuses any attachment without content.
    """
    empty = tuple(a.filename for a in attachments if not a.data)
    if empty:
        raise AttachmentRefused("RT stores no empty files", reason="file_type", filenames=empty)
    return [("Attachments", (a.filename, a.data, a.content_type)) for a in attachments]


def _attachment_refusal(error: Rejected, attachments: Sequence[Attachment]) -> DeskError:
    """The refusal as one of attachments, when that is what RT (or a proxy) refused."""
    if attachments and error.reason in ("too_large", "413"):  # a proxy's body size limit
        return AttachmentRefused(error.detail, reason="too_large")
    return error


@dataclass(frozen=True)
class _Record:
    """What one ``GET /ticket/N`` said, beyond the summary."""

    summary: TicketSummary
    status: str
    priority: int | None
    #: Names of the requestors and Ccs: people writing as the user's side, not the desk.
    people: frozenset[str]


@dataclass(frozen=True)
class _Known:
    """A ticket's last answer: its ETag, the record, and the ticket built with its history."""

    etag: str
    record: _Record
    ticket: Ticket | None = None


@dataclass(frozen=True)
class _Body:
    """A transaction's message: its text and its files."""

    text: str
    files: tuple[AttachmentInfo, ...] = ()


@dataclass(frozen=True)
class _Me:
    name: str
    real_name: str
    email: str
    #: The user record's Organization: what RT says the employee's department is.
    organization: str = ""


@dataclass(frozen=True)
class _Queue:
    ident: str
    #: The Report-ID custom field's id, when the queue has it.
    report_field: str | None


# --- credential and session -----------------------------------------------------------------


@dataclass(frozen=True)
class RtCredential:
    """What is kept in the keyring for one user at one RT, as versioned JSON.

    ``{"v": 1, "token": "1-12-<hex>"}`` for an RT auth token, or
    ``{"v": 1, "user": "anna", "cookie": "RT_SID_x.443", "sid": "<hex>"}`` for a
    password sign-in (plus ``"password"`` only when the user asked to keep it).
    """

    token: str = ""
    user: str = ""
    cookie: str = ""
    sid: str = field(default="", repr=False)
    password: str = field(default="", repr=False)

    def dumps(self) -> str:
        """The credential as kept."""
        values = {"token": self.token, "user": self.user, "cookie": self.cookie}
        values |= {"sid": self.sid, "password": self.password}
        return json.dumps({"v": 1, **{k: v for k, v in values.items() if v}})

    @classmethod
    def loads(cls, text: str) -> RtCredential:
        """A kept credential (or a bare RT auth token, as an administrator may hand out).

        Raises:
            AuthFailed: it is not one this version understands: the user signs in again.
        """
        text = text.strip()
        if _TOKEN.match(text):
            return cls(token=text)
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("v") != 1:
            raise AuthFailed("unreadable credential")
        values = {k: data.get(k, "") for k in ("token", "user", "cookie", "sid", "password")}
        if not all(isinstance(v, str) for v in values.values()):
            raise AuthFailed("unreadable credential")
        credential = cls(**values)
        if not (credential.token or (credential.user and (credential.sid or credential.password))):
            raise AuthFailed("incomplete credential")
        return credential

    @property
    def user_id(self) -> str:
        """The RT user id a token names (``1-<uid>-<hex>``), else ``""``."""
        match = _TOKEN.match(self.token)
        return match.group(2) if match else ""


def _session_cookie(response: HttpResponse) -> str | None:
    """``name=value`` of the ``RT_SID_…`` cookie the response sets, if any.

    Each ``Set-Cookie`` header is read on its own: a load balancer's sticky cookie
    beside RT's must not spoil it.
    """
    for header in response.set_cookies:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(header)
        except CookieError:
            continue
        for name, morsel in cookies.items():
            if name.startswith(_SESSION_COOKIE) and morsel.value:
                return f"{name}={morsel.value}"
    return None


def exchange_token(http: HttpClient, token: str) -> str | None:
    """RT's session cookie (``name=value``) for a token, or ``None`` when RT gives none.

    Any page of RT's web interface logs a token in (RT answers 302 and sets the cookie);
    the front page is the one documented to do so. One bcrypt, once.
    """
    response = http.request("GET", "/", headers={"Authorization": f"token {token}"}, check=False)
    if response.status >= 500:
        raise_for_status(response)
    cookie = _session_cookie(response)
    if cookie is None:
        logger.warning(
            "RT gave no session for the token (HTTP %d); sending the token with each request",
            response.status,
        )
    return cookie


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``: what a browser would send as its ``Origin``."""
    return origin_text(origin(url))


def login_page(url: str) -> str:
    """RT's login page at ``url``, its host written as browsers send it (lower case).

    RT compares a ``Referer``'s host with its own exactly, and Perl's URI keeps a
    host's case: ``https://RT.Example.org`` typed by a user would not match.
    """
    return origin_of(url) + urllib.parse.urlsplit(url).path.rstrip("/") + LOGIN_PAGE


def log_in(http: HttpClient, user: str, password: str) -> str:
    """RT's session cookie (``name=value``) for a user name and password.

    RT's login form answers a good password with a redirect (``next`` asks for one)
    and a bad one with the login page again (200). The form is posted with RT's login
    page as its ``Referer`` (the address the user signed in to): with
    ``$RestrictLoginReferrer`` on, RT refuses a login from anywhere else.

    Raises:
        AuthFailed: RT did not accept the name and password.
        Forbidden: (reason ``"csrf"``) RT refuses logins from this address: it is not
            the address RT knows itself by (``$WebBaseURL``) nor in ``@ReferrerWhitelist``.
    """
    response = http.request(
        "POST",
        LOGIN_PAGE,
        data={"user": user, "pass": password, "next": "helpdesk-tray"},
        headers={"Referer": login_page(http.base_url), "Origin": origin_of(http.base_url)},
        check=False,
    )
    raise_for_status(response)  # 404: no RT here; 5xx: RT or its proxy is unwell
    cookie = _session_cookie(response)
    if cookie is None:
        raise BadResponse(f"no Request Tracker login at this address (HTTP {response.status})")
    if response.status not in (301, 302, 303):
        if _LOGIN_PAGE_ONLY.search(response.body.decode("utf-8", "replace")):
            raise Forbidden(
                f"RT refuses sign-ins sent from {origin_of(http.base_url)}: its "
                "$RestrictLoginReferrer accepts only its own address ($WebBaseURL) "
                "and @ReferrerWhitelist",
                reason="csrf",
            )
        raise AuthFailed("RT did not accept the user name and password")
    return cookie


class RtSession:
    """Who requests are sent as: RT's session cookie, got once and renewed when it expires.

    Thread-safe: the poll and an upload may run at once, and two requests seeing an
    expired session at the same time renew it once.
    """

    def __init__(
        self,
        http: HttpClient,
        credential: RtCredential,
        remember_secret: Callable[[str], None] = lambda secret: None,
    ) -> None:
        self._http = http
        self._credential = credential
        self._remember_secret = remember_secret
        self._lock = threading.Lock()
        self._headers: dict[str, str] | None = None
        self._generation = 0
        #: Whether a request succeeded with the current session (a fresh one that
        #: fails at once is a wrong credential, not an expired session).
        self._proven = False
        #: RT refused a cookie-authenticated write for its origin: writes go with the token.
        self._writes_by_token = False
        for secret in (credential.token, credential.sid, credential.password):
            if secret:
                remember_secret(secret)
        if credential.sid:
            self._headers = {"Cookie": f"{credential.cookie}={credential.sid}"}
            self._proven = True

    def headers(self, write: bool = False) -> tuple[dict[str, str], int]:
        """The headers that authenticate a request now, and their generation.

        The first call exchanges the token for a session (a request of its own). A
        ``write`` goes with the token once RT has refused the session's writes.
        """
        with self._lock:
            if write and self._writes_by_token:
                return {"Authorization": f"token {self._credential.token}"}, self._generation
            current = self._headers if self._headers is not None else self._establish()
            return dict(current), self._generation

    def writes_by_token(self) -> bool:
        """RT refused a write sent with the session: send writes with the token from now on.

        Returns whether there is a token to send (with a password sign-in there is none).
        """
        with self._lock:
            if not self._credential.token:
                return False
            if not self._writes_by_token:
                logger.warning(
                    "RT refuses the session's writes from %s (its forgery rules): writes go "
                    "with the token from now on, one bcrypt each. IT: make this the address "
                    "of RT's $WebBaseURL or add it to @ReferrerWhitelist",
                    origin_of(self._http.base_url),
                )
            self._writes_by_token = True
            return True

    def worked(self, generation: int) -> None:
        """A request sent with ``generation``'s headers was accepted."""
        with self._lock:
            if generation == self._generation:
                self._proven = True

    def renew(self, generation: int) -> None:
        """RT refused ``generation``'s session: get a new one (once, whoever asks first).

        Raises:
            AuthFailed: there is no way to a new session, or a new one was refused too.
        """
        with self._lock:
            if generation != self._generation:
                return  # another request renewed it meanwhile
            if not self._proven:
                raise AuthFailed("RT does not accept the credential")
            logger.info("RT session expired; signing in again")
            self._establish()

    def _establish(self) -> dict[str, str]:
        """A new session (and a new generation); call with the lock held."""
        credential = self._credential
        if credential.token:
            cookie = exchange_token(self._http, credential.token)
            auth = {"Cookie": cookie} if cookie else {"Authorization": f"token {credential.token}"}
        elif credential.password:
            cookie = log_in(self._http, credential.user, credential.password)
            auth = {"Cookie": cookie}
        else:
            raise AuthFailed("the RT session has expired")
        if cookie:
            self._remember_secret(cookie.partition("=")[2])
        self._headers = auth
        self._generation += 1
        self._proven = False
        return auth


# --- the desk -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """The change cursor: when the last search was sent, and what it returned.

    Times are this computer's, used only as differences: the elapsed time is the
    larger of the wall clock's (which counts sleep) and the monotonic clock's (which
    a clock change cannot move back).
    """

    wall: float
    mono: float
    #: Ticket id → fingerprint of what was returned, for tickets still in the window.
    seen: Mapping[str, str]
    #: RT's clock (its ``Date`` header, POSIX seconds) when it answered; ``None``: unknown.
    answered: float | None = None

    def dumps(self) -> str:
        return json.dumps(
            {"v": 1, "wall": self.wall, "mono": self.mono, "seen": self.seen,
             "answered": self.answered}
        )  # fmt: skip

    def settled(self, updated: datetime) -> bool:
        """Whether a ticket last updated at ``updated`` cannot have changed again unseen.

        RT keeps 1-second times: a second change in the second the search ran in (or
        the one before, for the ``Date`` header's own rounding) leaves the fields the
        search returned exactly as they were. Only older tickets are left out.
        """
        return self.answered is not None and updated.timestamp() <= self.answered - 2

    @classmethod
    def loads(cls, text: str) -> _Window | None:
        try:
            data = json.loads(text)
            if data.get("v") != 1:
                return None
            seen = {str(k): str(v) for k, v in dict(data["seen"]).items()}
            answered = data.get("answered")
            return cls(
                float(data["wall"]),
                float(data["mono"]),
                seen,
                None if answered is None else float(answered),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


class RtDesk:
    """One employee's view of a Request Tracker 5 (implements ``DeskPort``).

    ``user`` is the employee's RT user name or numeric id (who ``whoami`` reads);
    ``session`` keeps them signed in (``None``: ``http`` authenticates by itself).
    """

    def __init__(
        self,
        http: HttpClient,
        user: str,
        queue: str = DEFAULT_QUEUE,
        *,
        session: RtSession | None = None,
        wall_clock: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._user = user
        self._queue_name = queue
        self._session = session
        self._wall_clock = wall_clock
        self._clock = clock
        self._stages = StageTable(KIND, STAGE_TABLE)
        self._known: Recent[_Known] = Recent(KNOWN_TICKETS)
        self._bodies: Recent[_Body] = Recent(KNOWN_BODIES)
        #: Last line of a ticket's first message (the Report-ID fallback).
        self._first_lines: Recent[str] = Recent(KNOWN_BODIES)
        #: Agent (RT user name) → path of their photo, "" when they have none.
        self._photo_paths: Recent[str] = Recent(256)
        self._photos: Recent[tuple[str, bytes]] = Recent(64)
        self._me: _Me | None = None
        #: Queue name → its id and Report-ID field, asked once per queue.
        self._queues: dict[str, _Queue] = {}
        self._origin = origin_of(http.base_url)

    # --- HTTP -----------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """A REST2 request as the signed-in user; an expired session is renewed once.

        A write sent with RT's session cookie carries the desk's address as its
        ``Origin`` (RT's forgery rules, see the module doc); when RT refuses it all the
        same, it is sent once more with the token, if one is kept.

        Raises:
            Forbidden: also for RT's ``400 {"message": "Permission Denied"}`` (reason
                ``"rights"``), and a write RT's forgery rules refuse with no token to
                fall back on (reason ``"csrf"``).
            BadResponse: a redirect that is not RT's "log in again".
            (and whatever :meth:`HttpClient.request` raises)
        """
        if not path.startswith("/"):  # never an address RT names: the cookie stays ours
            raise BadResponse(f"not a REST2 path: {path[:80]!r}")
        url = REST + path
        write = method.upper() not in SAFE_METHODS
        renewed = False
        while True:
            auth, generation = self._session.headers(write) if self._session else ({}, 0)
            if write and "Cookie" in auth:
                auth["Origin"] = self._origin
            try:
                response = self._http.request(
                    method,
                    url,
                    params=params,
                    json_body=json_body,
                    data=data,
                    files=files,
                    headers={**auth, **(headers or {})},
                )
            except AuthFailed:
                expired = True
            except Forbidden as error:
                if not _CSRF.search(error.detail):
                    raise Forbidden(error.detail, reason="rights") from error
                # Refused before RT looked at the request: nothing was done, resending is safe.
                if "Cookie" in auth and self._session and self._session.writes_by_token():
                    continue
                raise Forbidden(error.detail, reason="csrf") from error
            except Rejected as error:
                if error.reason == "400" and _DENIED.search(error.detail):
                    raise Forbidden(error.detail, reason="rights") from error
                raise
            else:
                if response.status in (301, 302, 303, 307, 308):
                    if "Cookie" not in auth or response.status not in (302, 303):
                        location = response.headers.get("Location", "?")
                        raise BadResponse(f"RT redirected {path} to {location}")
                    expired = True  # RT's answer to a session it no longer knows
                else:
                    expired = False
            if not expired:
                if self._session:
                    self._session.worked(generation)
                return response
            if self._session is None or renewed:
                raise AuthFailed("RT refused the session")
            self._session.renew(generation)
            renewed = True

    def _json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self._request("GET", path, params=params).json()

    def _pages(
        self, path: str, params: Mapping[str, str], *, until_id: int | None = None
    ) -> Iterator[tuple[list[Mapping[str, Any]], HttpResponse]]:
        """Each page of a collection, in order, until its end.

        The end: RT's ``next_page`` or page count when it gives them; otherwise (it
        gives neither to unprivileged users outside ``/tickets``) a short page, or,
        with ``until_id``, the page holding that id. RT drops records the user may not
        see from a page *after* cutting it, so a short page can come before the end;
        where the newest id is known (a ticket's ETag), it is the safer end: then even
        an empty page (a hundred records the user may not see) is read past, though
        never more than :data:`EMPTY_PAGES_IN_A_ROW` of them.
        """
        last_id = 0
        empty = 0
        for page in range(1, MAX_PAGES + 1):
            query = {**params, "per_page": str(PER_PAGE), "page": str(page)}
            response = self._request("GET", path, params=query)
            data = response.json()
            items = _items(data)
            yield items, response
            if not items:
                empty += 1
                if until_id is None or empty >= EMPTY_PAGES_IN_A_ROW:
                    return
                continue
            empty = 0
            if until_id is not None:
                # Ids ascend (the caller asks for that order): a page that does not go
                # past the last one (no ids, the same page again) would never reach the end.
                ids = [int(kit.desk_id(item.get("id"))) for item in items]
                if min(ids) <= last_id:
                    raise BadResponse(f"RT sent {path} page {page} out of order")
                last_id = max(ids)
                if last_id >= until_id:
                    return
                continue
            if data.get("next_page"):
                continue
            pages = _number(data.get("pages"))
            if (page >= pages) if pages is not None else len(items) < PER_PAGE:
                return
        logger.warning("RT: %s has more than %d pages; the rest is left out", path, MAX_PAGES)

    def _all(self, path: str, params: Mapping[str, str]) -> list[Mapping[str, Any]]:
        return [item for items, _ in self._pages(path, params) for item in items]

    # --- who and where --------------------------------------------------------------------

    def _whoami(self) -> _Me:
        if self._me is None:
            data = self._json(f"/user/{urllib.parse.quote(self._user, safe='')}")
            self._me = _mapped(
                "user",
                lambda: _Me(
                    name=_text(data["Name"]),
                    real_name=_text(data.get("RealName")),
                    email=_text(data.get("EmailAddress")),
                    organization=_text(data.get("Organization")),
                ),
            )
        return self._me

    def whoami(self) -> Person:
        """The signed-in employee (an unprivileged user may read their own record)."""
        me = self._whoami()
        return Person(
            username=me.name,
            name=me.real_name or me.name,
            email=me.email,
            department=me.organization or None,
        )

    def _queue_info(self, name: str | None = None) -> _Queue:
        """The queue (the configured one by default) and its Report-ID field (asked once)."""
        name = name or self._queue_name
        known = self._queues.get(name)
        if known is None:
            try:
                data = self._json(f"/queue/{urllib.parse.quote(name, safe='')}")
            except (Forbidden, NotFound) as error:
                # Not visible to this user (no SeeQueue): the key goes in the text.
                logger.warning("RT queue %r not readable: %s", name, error)
                known = _Queue(name, None)
            else:

                def build() -> _Queue:
                    fields = data.get("TicketCustomFields") or []
                    report = [f for f in fields if f.get("name") == REPORT_ID_FIELD]
                    return _Queue(_text(data["id"]), _text(report[0]["id"]) if report else None)

                known = _mapped("queue", build)
            if len(self._queues) >= 64:  # a handful of departments; never unbounded
                self._queues.clear()
            self._queues[name] = known
        return known

    # --- filing and finding reports -------------------------------------------------------

    def create_ticket(self, report: Report) -> TicketRef:
        """File the report in its queue (else the configured one), the employee as requestor.

        The key goes in the queue's Report-ID field when it has one, and always on the
        last line of the text too: RT silently drops a field value the employee may
        not set (201, no message), and a key that is nowhere would let a retry file
        the report twice. Files travel as multipart parts (no base64 growth).
        """
        me = self._whoami()
        queue = self._queue_info(report.queue)
        text = report.description
        fields: dict[str, Any] = {
            "Queue": queue.ident,
            "Requestor": me.email or me.name,
            "Subject": report.subject,
            "ContentType": "text/plain",
        }
        if queue.report_field:
            fields["CustomFields"] = {queue.report_field: report.key}
        text = f"{text.rstrip()}\n\n{REPORT_ID_LINE}{report.key}".lstrip()
        fields["Content"] = text
        try:
            if report.attachments:
                files = _files(report.attachments)
                response = self._request(
                    "POST", "/ticket", data={"JSON": json.dumps(fields)}, files=files
                )
            else:
                response = self._request("POST", "/ticket", json_body=fields)
        except Rejected as error:
            raise _attachment_refusal(error, report.attachments) from error
        except (Forbidden, NotFound) as error:
            # A department's queue that does not exist or is closed to the employee: RT
            # says "No permission to create tickets in the queue '…'" (403) for both.
            if report.queue and report.queue != self._queue_name:
                raise QueueRefused(str(error), "queue") from error
            raise
        data = response.json()
        if response.status != 201:  # a write is done only when RT says so
            raise BadResponse(f"RT answered {response.status} to a new ticket, not 201")
        return TicketRef(_mapped("ticket", lambda: kit.desk_id(data["id"], what="ticket id")))

    def find_by_report_key(self, key: str) -> TicketRef | None:
        """The user's ticket filed from the report with ``key``, if RT has one.

        With the Report-ID field: one search on it. When that finds nothing (or there
        is no field): the user's tickets of the last :data:`REPORT_ID_LOOKBACK_DAYS`
        days, newest first, each first message's last line compared (one request per
        ticket not seen before; RT searching the text itself would scan every
        attachment it has). Lookups are rare: only a report whose sending may or may
        not have reached RT is looked up.
        """
        queue = self._queue_info()
        mine = "Requestor.id = '__CurrentUser__'"
        if queue.report_field:
            query = f"{mine} AND CF.{{{REPORT_ID_FIELD}}} = {_sql_quote(key)}"
            params = {"query": query, "fields": "CustomFields", "orderby": "id"}
            found = self._all("/tickets", params)
            # Checked here too: RT reads a value like "CF.{x}" as a field name, not text.
            ids: list[str] = _mapped(
                "ticket list",
                lambda: [
                    kit.desk_id(i["id"], what="ticket id")
                    for i in found
                    if key in _custom_values(i, REPORT_ID_FIELD)
                ],
            )
            if ids:
                return TicketRef(ids[0])
        query = f"{mine} AND Created > {_ago(REPORT_ID_LOOKBACK_DAYS * 86400)}"
        params = {"query": query, "orderby": "id", "order": "DESC"}
        candidates = self._all("/tickets", params)
        ids = _mapped(
            "ticket list", lambda: [kit.desk_id(i["id"], what="ticket id") for i in candidates]
        )
        for ticket_id in ids:
            if self._first_line(ticket_id) == REPORT_ID_LINE + key:
                return TicketRef(ticket_id)
        return None

    def _first_line(self, ticket_id: str) -> str:
        """The last line of a ticket's first text part (its report), one request once."""
        line = self._first_lines.get(ticket_id)
        if line is None:
            query = json.dumps([{"field": "ContentType", "value": "text/plain"}])
            params = {"query": query, "fields": "Content", "orderby": "id", "per_page": "1"}
            data = self._json(f"{kit.path('ticket', ticket_id)}/attachments", params)
            items = _items(data)
            text = _text(items[0].get("Content")) if items else ""
            lines = text.strip().splitlines()
            line = lines[-1].strip() if lines else ""
            self._first_lines.put(ticket_id, line)
        return line

    # --- watching ---------------------------------------------------------------------------

    def changed_tickets(self, since: Cursor | None) -> tuple[list[TicketSummary], Cursor]:
        """The user's tickets changed since the cursor (all of them without one): one search.

        The cursor rule. RT compares ``LastUpdated`` at 1-second resolution with a
        strict ``>``, and reads a date written in a query in the *user's* time zone
        (an absolute UTC time would lose changes at any desk west of Greenwich). So
        the search asks for ``LastUpdated > '-N seconds'``, N being the time since
        the previous search was sent, measured on this computer, plus
        :data:`CURSOR_MARGIN_S` and :data:`CURSOR_ZONE_SLACK_S`. Every change made after
        the previous search was sent is in the window; nothing is ever lost. Tickets
        that come back exactly as the previous search returned them (the overlap)
        are left out, so an idle poll still reports nothing, unless they were last
        updated within a second of that search (a second change in the same second
        would look the same): those are reported again.
        """
        started = self._wall_clock(), self._clock()
        previous = _Window.loads(since.value) if since is not None else None
        query = "Requestor.id = '__CurrentUser__'"
        if previous is not None:
            elapsed = max(started[0] - previous.wall, started[1] - previous.mono, 0.0)
            window = math.ceil(elapsed) + CURSOR_MARGIN_S + CURSOR_ZONE_SLACK_S
            query += f" AND LastUpdated > {_ago(window)}"
        # Newest first: should a list ever hit the page bound, the old ones are left out.
        params = {"query": query, "orderby": "id", "order": "DESC", **_SUMMARY_FIELDS}
        summaries: list[TicketSummary] = []
        seen: dict[str, str] = {}
        keep_after: datetime | None = None
        answered: float | None = None
        for items, response in self._pages("/tickets", params):
            if keep_after is None and (now := _server_time(response)) is not None:
                answered = now.timestamp()
                reach = CURSOR_ZONE_SLACK_S + 2 * CURSOR_MARGIN_S + 60
                keep_after = now - timedelta(seconds=reach)
            for item, summary in zip(items, self._summaries(items), strict=True):
                mark = _fingerprint(item)
                if keep_after is None or summary.updated >= keep_after:
                    seen[summary.ref.id] = mark
                if (
                    previous is not None
                    and previous.seen.get(summary.ref.id) == mark
                    and previous.settled(summary.updated)
                ):
                    continue  # returned as it is by the previous search
                summaries.append(summary)
        return summaries, Cursor(_Window(started[0], started[1], seen, answered).dumps())

    def _summaries(self, items: Sequence[Mapping[str, Any]]) -> list[TicketSummary]:
        return _mapped("ticket list", lambda: [_summary(item, self._stages) for item in items])

    def _record(self, ref: TicketRef) -> tuple[_Known, bool]:
        """The ticket's record, asked with ``If-None-Match``; whether it is a new answer.

        Raises:
            NotFound: RT says it is not there, the user may no longer see it (moved to
                a queue they cannot see: RT answers 403), or it is deleted.
        """
        known = self._known.get(ref.id)
        try:
            response = self._request(
                "GET",
                kit.path("ticket", kit.ref_id(ref.id)),
                params=_TICKET_FIELDS,
                headers={"If-None-Match": known.etag} if known else None,
            )
        except Forbidden as error:
            raise NotFound(f"ticket {ref.id} is out of the user's sight: {error.detail}") from error
        if response.status == 304 and known is not None:
            return known, False
        data = response.json()
        record: _Record = _mapped("ticket", lambda: self._parse_record(data))
        if record.status == "deleted":
            # RT still shows it to its requestor (and a reply would bring it back).
            raise NotFound(f"ticket {ref.id} was deleted")
        fetched = _Known(response.headers.get("ETag", ""), record)
        if fetched.etag:
            self._known.put(ref.id, fetched)
        return fetched, True

    def _parse_record(self, data: Mapping[str, Any]) -> _Record:
        owner = data.get("Owner")
        people = [*(data.get("Requestor") or ()), *(data.get("Cc") or ())]
        record = _Record(
            summary=_summary(data, self._stages),
            status=_text(data["Status"]),
            priority=_number(data.get("Priority")),
            people=frozenset(_name(p).lower() for p in people),
        )
        if record.summary.agent is not None and record.summary.agent.id:
            self._photo_paths.put(record.summary.agent.id, _photo_path(owner) or "")
        return record

    def ticket(self, ref: TicketRef) -> Ticket:
        """One ticket with its public history.

        The ticket is asked with ``If-None-Match`` (its ETag is the newest transaction
        the user can see): unchanged, RT answers 304 and the ticket from last time is
        returned, one request. Changed: its history, then the text and files of the
        messages not read before (two requests for any number of them; transactions
        never change, so each is read once).
        """
        known, fresh = self._record(ref)
        if not fresh and known.ticket is not None:
            return known.ticket
        record = known.record
        newest = _number(known.etag.strip('"')) if known.etag else None
        path = kit.path("ticket", kit.ref_id(ref.id), "history")
        pages = self._pages(path, _HISTORY_FIELDS, until_id=newest)
        history = [item for items, _ in pages for item in items]
        messages: list[str] = _mapped(
            "history",
            lambda: [
                kit.desk_id(t["id"], what="transaction id")
                for t in history
                if t.get("Type") in ("Create", "Correspond")
            ],
        )
        self._read_bodies(ref.id, messages)
        ticket: Ticket = _mapped("history", lambda: self._build(record, history))
        if known.etag:
            self._known.put(ref.id, _Known(known.etag, record, ticket))
        return ticket

    def _build(self, record: _Record, history: Sequence[Mapping[str, Any]]) -> Ticket:
        description = ""
        events: list[TicketEvent] = []
        status, owned, replied = "new", False, False
        owner_changes = [t for t in history if t.get("Type") == "Set" and t.get("Field") == "Owner"]
        # Set Owner names users by id, and the record names Nobody by name only: the
        # first change of owner is (normally) away from Nobody.
        nobody = _text(owner_changes[0].get("OldValue")) if owner_changes else ""
        for item in history:
            kind, at = _text(item.get("Type")), _time(item["Created"])
            creator = item.get("Creator")
            author = _text(creator.get("RealName")) or _name(creator) if creator else None
            by_agent = bool(creator) and _name(creator).lower() not in record.people
            if kind in ("Create", "Correspond"):
                body = self._bodies.get(_text(item["id"])) or _Body("")
                if kind == "Create":
                    description = _without_key_line(body.text)
                    text, event_kind = "", EventKind.CREATED
                else:
                    text, event_kind = body.text, EventKind.MESSAGE
                    replied = replied or by_agent
                events.append(
                    TicketEvent(
                        id=_text(item["id"]),
                        at=at,
                        kind=event_kind,
                        text=text,
                        author=author,
                        by_agent=by_agent,
                        attachments=body.files,
                    )
                )
                continue
            before = self._stages.stage(native_state(status, owned, replied))
            if kind == "Status" or (kind == "Set" and item.get("Field") == "Status"):
                status = _text(item.get("NewValue"))
            elif kind == "Set" and item.get("Field") == "Owner":
                owned = _text(item.get("NewValue")) not in ("", "0", nobody)
            else:
                continue  # EmailRecord, CustomField, AddWatcher, ...: not for the tracker
            after = self._stages.stage(native_state(status, owned, replied))
            if kind == "Status" or after != before:
                events.append(
                    TicketEvent(
                        id=_text(item["id"]),
                        at=at,
                        kind=EventKind.STATUS_CHANGE,
                        author=author,
                        by_agent=by_agent,
                        new_stage=after,
                    )
                )
        return Ticket(summary=record.summary, description=description, events=tuple(events))

    def _read_bodies(self, ticket_id: str, transactions: Sequence[str]) -> None:
        """Read the text and files of the transactions whose bodies are not known yet.

        First the MIME parts of all of them (names, types, sizes: no content), then the
        content of the one body part each (text/plain, else text/html), all at once.
        """
        missing = [t for t in transactions if self._bodies.get(t) is None]
        if not missing:
            return
        path = kit.path("ticket", kit.ref_id(ticket_id), "attachments")
        parts: list[Mapping[str, Any]] = []
        for chunk in _chunks(missing):
            query = json.dumps([{"field": "TransactionId", "value": t} for t in chunk])
            fields = "TransactionId,Filename,ContentType,ContentLength"
            parts += self._all(path, {"query": query, "fields": fields, "orderby": "id"})
        base = f"{self._http.base_url}{REST}/attachment/"
        sorted_parts: tuple[dict[str, _Part], dict[str, list[AttachmentInfo]]] = _mapped(
            "attachments", lambda: _sort_parts(parts, base)
        )
        chosen, files = sorted_parts
        for transaction, large in list(chosen.items()):
            if large.size > MAX_BODY_BYTES:  # a pasted log: a file, not a wall of text
                del chosen[transaction]
                name = "message.html" if large.content_type == "text/html" else "message.txt"
                info = AttachmentInfo(name, large.size, large.content_type, base + large.id)
                files.setdefault(transaction, []).insert(0, info)
        found: list[Mapping[str, Any]] = []
        for batch in _batches(list(chosen.values())):
            query = json.dumps([{"field": "id", "value": a} for a in batch])
            found += self._all(path, {"query": query, "fields": "Content"})
        contents: dict[str, str] = _mapped(
            "attachments",
            lambda: {kit.desk_id(i["id"]): _text(i.get("Content")) for i in found},
        )
        for transaction in missing:
            part = chosen.get(transaction)
            text = plain_text(contents.get(part.id, ""), part.content_type) if part else ""
            self._bodies.put(transaction, _Body(text, tuple(files.get(transaction, ()))))

    # --- the user's actions -----------------------------------------------------------------

    def _correspond(
        self,
        ref: TicketRef,
        text: str,
        attachments: Sequence[Attachment] = (),
        status: str | None = None,
    ) -> list[str]:
        """Post a public reply (and, in the same call, a status); RT's messages."""
        body: dict[str, Any] = {"Content": text, "ContentType": "text/plain"}
        if status:
            body["Status"] = status
        path = kit.path("ticket", kit.ref_id(ref.id), "correspond")
        try:
            if attachments:
                response = self._request(
                    "POST", path, data={"JSON": json.dumps(body)}, files=_files(attachments)
                )
            else:
                response = self._request("POST", path, json_body=body)
        except Rejected as error:
            raise _attachment_refusal(error, attachments) from error
        messages = _messages(response)
        if messages and _DENIED.search(messages[0]):  # the reply itself was refused
            raise Forbidden(messages[0], reason="rights")
        if response.status != 201 or not messages:  # a write is done only when RT says so
            raise BadResponse(f"RT answered {response.status} {messages[:1]} to a reply, not 201")
        return messages

    def _update(self, ref: TicketRef, changes: Mapping[str, Any]) -> list[str]:
        path = kit.path("ticket", kit.ref_id(ref.id))
        return _messages(self._request("PUT", path, json_body=dict(changes)))

    def reply(self, ref: TicketRef, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Add the employee's public reply (RT reopens a resolved ticket for it)."""
        self._correspond(ref, text, attachments)

    def confirm_resolved(self, ref: TicketRef, text: str = "") -> None:
        """The employee says the problem is solved.

        RT has no "closed after resolved": a resolved ticket is finished. So:

        * Resolved (or rejected) and no ``text``: nothing to send.
        * Otherwise one reply carries the note and ``"Status": "resolved"``. The note
          starts with a line saying the employee confirms it is solved, so the agent
          knows even when the status change is refused.
        * When the employee may change the status (RT's ModifyTicket), the ticket ends
          resolved. On a resolved ticket RT's "open inactive tickets" scrip reopens it
          for the reply, and the same call resolves it again: the note is kept, the
          ticket stays resolved.
        * Without ModifyTicket RT refuses the status (its answer says "Permission
          Denied") but keeps the note: the agent reads it and resolves the ticket. On a
          resolved ticket the note has then reopened it; the text is never dropped.
        """
        known, _ = self._record(ref)
        if known.record.status in INACTIVE_STATUSES and not text.strip():
            return
        note = "The requester confirms the problem is solved."
        messages = self._correspond(ref, f"{note}\n\n{text.strip()}".strip(), status="resolved")
        denied = _denied(messages[1:])
        if denied:
            logger.info("RT kept the note but refused to resolve ticket %s: %s", ref.id, denied)

    def mark_urgent(self, ref: TicketRef, text: str) -> None:
        """The employee's note, then the priority raised to RT's "High" where allowed.

        The note is what matters: a priority RT refuses ("Permission Denied" without
        ModifyTicket), or that cannot be set for any other reason, is logged and left.
        A priority already higher is not lowered.
        """
        self._correspond(ref, text)
        try:
            known = self._known.get(ref.id) or self._record(ref)[0]
            if (known.record.priority or 0) >= URGENT_PRIORITY:
                return
            messages = self._update(ref, {"Priority": URGENT_PRIORITY})
        except DeskError as error:
            logger.warning("RT: the priority of ticket %s was not raised: %s", ref.id, error)
            return
        refused = _denied(messages)
        if refused:
            logger.info("RT: the priority of ticket %s was not raised: %s", ref.id, refused)

    def reopen(self, ref: TicketRef, text: str) -> None:
        """The problem is back: the employee's reply, and the ticket open again.

        RT's default scrip reopens a resolved ticket when its requestor replies. When it
        did not (a desk without that scrip), the status is set to ``open`` directly.

        Raises:
            NotFound: the ticket was deleted (a reply would bring it back) or moved
                out of the employee's sight; nothing is sent.
            Forbidden: the ticket is still finished and the employee may not reopen it
                (the reply is in the ticket all the same).
        """
        self._record(ref)
        self._correspond(ref, text)
        known, _ = self._record(ref)
        if known.record.status not in INACTIVE_STATUSES:
            return
        messages = self._update(ref, {"Status": "open"})
        refused = _denied(messages) or (None if messages else "RT changed nothing")
        if refused:
            raise Forbidden(f"ticket {ref.id} stays {known.record.status}: {refused}", "rights")

    def download(self, file: AttachmentInfo, max_bytes: int) -> bytes:
        """One of a ticket's files: REST2's attachment record, whose content is base64.

        Only an address of the form the ticket's history gave (``…/attachment/<id>``)
        is asked for.
        """
        prefix = f"{self._http.base_url}{REST}/attachment/"
        if not file.url.startswith(prefix):
            raise BadResponse(f"not one of the desk's files: {file.filename[:80]!r}")
        number = kit.desk_id(file.url[len(prefix) :], what="attachment id")
        data = kit.record(self._json(f"/attachment/{number}"), "attachment")
        encoded = "".join(_text(data.get("Content")).split())  # RT breaks it into lines
        # Base64 is a third larger than the file: refuse before decoding a huge one.
        if len(encoded) // 4 * 3 > max_bytes + 2:
            raise BadResponse(f"the file {file.filename[:80]!r} is larger than {max_bytes} bytes")
        try:
            body = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise BadResponse(f"the file {file.filename[:80]!r} is not base64: {error}") from error
        return kit.file_body(body, file.filename, max_bytes)

    def agent_photo(self, agent: Agent) -> bytes | None:
        """The agent's photo from their user custom field Photo, asked with ``If-None-Match``.

        The path is known from the owner of a ticket read before; otherwise one of the
        employee's tickets that agent owns is looked up for it (once).
        """
        name = agent.id or agent.name
        path = self._photo_paths.get(name)
        if path is None:
            query = f"Requestor.id = '__CurrentUser__' AND Owner = {_sql_quote(name)}"
            params = {"query": query, "fields": "Owner", "fields[Owner]": "CustomFields"}
            data = self._json("/tickets", {**params, "per_page": "1"})
            items = _items(data)
            found = _mapped("ticket", lambda: _photo_path(items[0].get("Owner")) if items else None)
            path = found or ""
            self._photo_paths.put(name, path)
        if not path:
            return None
        cached = self._photos.get(path)
        # The session asks for JSON; RT answers that with 406 for a file.
        headers = {"Accept": "image/*", **({"If-None-Match": cached[0]} if cached else {})}
        response = self._request("GET", path, headers=headers)
        if response.status == 304 and cached is not None:
            return cached[1]
        body = kit.photo_body(response)  # an image, and not a huge one
        etag = kit.entity_tag(response.headers.get("ETag"))
        if etag:
            self._photos.put(path, (etag, body))
        return body


@dataclass(frozen=True)
class _Part:
    """A message's body part: its attachment id and type."""

    id: str
    content_type: str
    size: int = 0


def _batches(parts: Sequence[_Part]) -> Iterator[list[str]]:
    """Part ids in groups whose bodies add up to :data:`BODIES_PER_REQUEST_BYTES` at most."""
    batch: list[str] = []
    total = 0
    for part in parts:
        if batch and (total + part.size > BODIES_PER_REQUEST_BYTES or len(batch) == IDS_PER_QUERY):
            yield batch
            batch, total = [], 0
        batch.append(part.id)
        total += part.size
    if batch:
        yield batch


def _sort_parts(
    parts: Sequence[Mapping[str, Any]], url_base: str
) -> tuple[dict[str, _Part], dict[str, list[AttachmentInfo]]]:
    """Per transaction: the part holding the message (text/plain, else HTML) and the files."""
    bodies: dict[str, _Part] = {}
    files: dict[str, list[AttachmentInfo]] = {}
    for part in parts:
        transaction = kit.desk_id(_ref_id(part["TransactionId"]), what="transaction id")
        content_type = _text(part.get("ContentType")).lower()
        if _text(part.get("Filename")):
            info = AttachmentInfo(
                filename=_text(part.get("Filename")),
                size=_number(part.get("ContentLength")) or 0,
                content_type=content_type or "application/octet-stream",
                url=url_base + kit.desk_id(part["id"], what="attachment id"),
            )
            files.setdefault(transaction, []).append(info)
        elif content_type in ("text/plain", "text/html"):
            best = bodies.get(transaction)
            # The first text part; a plain one rather than its HTML alternative.
            if best is None or (best.content_type, content_type) == ("text/html", "text/plain"):
                size = _number(part.get("ContentLength")) or 0
                bodies[transaction] = _Part(kit.desk_id(part["id"]), content_type, size)
    return bodies, files


def _ref_id(value: Any) -> Any:
    """A reference's id (``{"type": "transaction", "id": "12"}``) or the plain id."""
    return value.get("id") if isinstance(value, Mapping) else value


def _custom_values(item: Mapping[str, Any], name: str) -> list[str]:
    for custom_field in item.get("CustomFields") or []:
        if custom_field.get("name") == name:
            return [str(v) for v in custom_field.get("values") or []]
    return []


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), IDS_PER_QUERY):
        yield values[start : start + IDS_PER_QUERY]


def _cookieless(
    factory: Callable[[HttpConfig], requests.Session],
) -> Callable[[HttpConfig], requests.Session]:
    """``factory``'s sessions with their cookie jar shut: the RT session is ours to send.

    A ``requests`` session would keep RT's cookies per thread and send them on its own,
    a stale one included (and any cookie makes REST2 answer 302 instead of 401).
    """

    def make(config: HttpConfig) -> requests.Session:
        session = factory(config)
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        return session

    return make


class RtConnector:
    """Signs employees in to Request Tracker 5 and opens their view of it.

    ``remember_secret`` is told every secret the adapter holds or learns (the token, a
    kept password, each RT session id), so that the log masks it wherever it appears.
    """

    kind = KIND

    def __init__(
        self,
        config: HttpConfig,
        session_factory: Callable[[HttpConfig], requests.Session] = make_session,
        queue: str = DEFAULT_QUEUE,
        remember_secret: Callable[[str], None] = lambda secret: None,
    ) -> None:
        self._config = config
        self._session_factory = _cookieless(session_factory)
        self._queue = queue
        self._remember_secret = remember_secret

    @property
    def queue(self) -> str:
        """The queue new tickets go to."""
        return self._queue

    def _client(self, url: str) -> HttpClient:
        # RT answers an expired session with a redirect: it must come back to us.
        return HttpClient(
            url,
            self._config,
            session_factory=self._session_factory,
            follow_redirects=False,
            remember_secret=self._remember_secret,
        )

    def sign_in(
        self, url: str, username: str, password: str, *, keep_password: bool = False
    ) -> str:
        """The credential to keep for the employee's own sign-in.

        ``password`` may be an RT auth token an administrator handed out (it is checked
        and kept); otherwise it is the user's RT password, exchanged at RT's login form
        for a session cookie, which is what is kept (the password too only with
        ``keep_password``, so an expired session can be renewed without asking).

        With a token, ``username`` may be empty; when given, it must be the token's
        user (their RT name or email address).

        Raises:
            AuthFailed: RT did not accept them (or the token is someone else's).
        """
        username = username.strip()
        http = self._client(url)
        try:
            if _TOKEN.match(password.strip()):
                credential = RtCredential(token=password.strip())
                self._remember_secret(credential.token)
                user = credential.user_id
                auth = {"Authorization": f"token {credential.token}"}
            else:
                self._remember_secret(password)
                cookie = log_in(http, username, password)
                name, _, sid = cookie.partition("=")
                self._remember_secret(sid)
                kept = password if keep_password else ""
                credential = RtCredential(user=username, cookie=name, sid=sid, password=kept)
                user = username
                auth = {"Cookie": cookie}
            response = http.request(
                "GET", f"{REST}/user/{urllib.parse.quote(user, safe='')}", headers=auth
            )
            if response.status != 200:
                raise AuthFailed(f"RT answered {response.status} to the sign-in check")
            data = response.json()
        finally:
            http.close()
        name = _mapped("user", lambda: _text(data["Name"]))
        email = _mapped("user", lambda: _text(data.get("EmailAddress")))
        if username and username.lower() not in (name.lower(), email.lower()):
            raise AuthFailed("the token belongs to another user")
        if not credential.token:
            credential = RtCredential(
                user=name,
                cookie=credential.cookie,
                sid=credential.sid,
                password=credential.password,
            )
        return credential.dumps()

    def open(self, url: str, credential: str) -> RtDesk:
        """The employee's view of RT; the first request exchanges a token for a session."""
        if not credential:
            raise AuthFailed("no credential")
        kept = RtCredential.loads(credential)
        http = self._client(url)
        session = RtSession(http, kept, self._remember_secret)
        return RtDesk(http, kept.user or kept.user_id, self._queue, session=session)
