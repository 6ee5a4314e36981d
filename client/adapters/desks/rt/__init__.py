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
  instant whatever that zone is (see ``changes.search``).
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

The package's parts: ``session`` (the credential, signing in, RT's session
cookie), ``shapes`` (reading RT's answers), ``changes`` (the change search and
its cursor), ``history`` (a ticket's messages, files and stages), ``desk`` (the
port's operations, ``RtDesk``) and ``connector`` (signing in and opening a
desk, ``RtConnector``, what the desk registry names).
"""

from __future__ import annotations

from client.adapters.desks.rt.connector import RtConnector
from client.adapters.desks.rt.desk import RtDesk
from client.adapters.desks.rt.session import RtCredential, RtSession, log_in
from client.adapters.desks.rt.shapes import KIND, STAGE_TABLE, native_state, plain_text

__all__ = [
    "KIND",
    "STAGE_TABLE",
    "RtConnector",
    "RtCredential",
    "RtDesk",
    "RtSession",
    "log_in",
    "native_state",
    "plain_text",
]
