"""Signing in to Request Tracker and staying signed in: the credential, RT's session cookie.

A token is exchanged once for RT's web session; a password sign-in keeps the
cookie only. The forgery rules' part of signing in (``Origin``, ``Referer``)
is here too; the package's documentation says why.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING

from client.adapters.http import (
    HttpClient,
    HttpConfig,
    HttpResponse,
    origin,
    origin_text,
    raise_for_status,
)
from client.core.errors import AuthFailed, BadResponse, Forbidden

if TYPE_CHECKING:
    import requests


logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"^(\d+)-(\d+)-[0-9a-f]{32}$", re.IGNORECASE)

#: REST2's refusal of a cookie-authenticated write from an origin it does not accept.
_CSRF = re.compile(r"cross-site request forgery", re.IGNORECASE)

#: The login form's refusal under ``$RestrictLoginReferrer`` ("Use RT's login page to log in").
_LOGIN_PAGE_ONLY = re.compile(r"use rt(?:'|&#39;|&#x27;)s login page to log in", re.IGNORECASE)

_SESSION_COOKIE = "RT_SID_"

#: Methods RT's forgery rules never apply to.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Where RT serves its login form, below its web path (a ``Referer`` RT accepts for a login).
LOGIN_PAGE = "/NoAuth/Login.html"


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
