"""Signing employees in to Request Tracker 5 and opening their view of it."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING

from client.adapters.desks.rt.desk import DEFAULT_QUEUE, RtDesk
from client.adapters.desks.rt.session import _TOKEN, RtCredential, RtSession, _cookieless, log_in
from client.adapters.desks.rt.shapes import KIND, REST, _mapped, _text
from client.adapters.http import HttpClient, HttpConfig, make_session
from client.core.errors import AuthFailed

if TYPE_CHECKING:
    import requests


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
