"""Act as a service-desk agent through django-helpdesk's own staff web pages.

Tests use this to play the other side of a ticket: it logs in on the staff login
page and submits the same forms a browser would submit on a ticket page
(``/helpdesk/tickets/<id>/``): the respond form (``update/``), the assignment
picker and the hold/unhold buttons. Field names and values are read from the
rendered page, so what is posted is what django-helpdesk itself offers.

    with AgentConsole("http://127.0.0.1:8765", "joost", "demo-agent") as console:
        console.reply(2, "Could you restart the VPN client?")
        console.assign(1, "joost")
        console.hold(1)
        console.resolve(1, "Replaced the toner.")

Only ``requests`` and the standard library are used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

LOGIN_PATH = "/helpdesk/login/"
TICKET_PATH = "/helpdesk/tickets/{id}/"

OPEN, REOPENED, RESOLVED, CLOSED, DUPLICATE = 1, 2, 3, 4, 5


class AgentConsoleError(RuntimeError):
    """A staff page refused an action, or the action did not take effect."""


@dataclass
class _Select:
    name: str
    options: list[tuple[str, str, bool]] = field(default_factory=list)  # value, text, selected


@dataclass
class Form:
    """A form as a browser sees it: where it posts and what it would send."""

    action: str
    method: str
    form_id: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    radios: dict[str, list[tuple[str, bool, bool]]] = field(default_factory=dict)
    checkboxes: dict[str, tuple[str, bool]] = field(default_factory=dict)
    selects: dict[str, _Select] = field(default_factory=dict)
    file_fields: list[str] = field(default_factory=list)

    def value_of(self, name: str) -> str | None:
        """Current value of a text/hidden field or a select."""
        if name in self.selects:
            return self.selected(name)
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def selected(self, name: str) -> str | None:
        """The option a browser would submit for a select."""
        select = self.selects[name]
        for value, _text, chosen in select.options:
            if chosen:
                return value
        return select.options[0][0] if select.options else None

    def option_value(self, name: str, text: str) -> str | None:
        """Value of the option of ``name`` whose visible text is ``text``."""
        for value, option_text, _chosen in self.selects.get(name, _Select(name)).options:
            if option_text.strip() == text:
                return value
        return None

    def checked_radio(self, name: str) -> str | None:
        """Value of the checked radio button of group ``name``."""
        for value, checked, _disabled in self.radios.get(name, []):
            if checked:
                return value
        return None

    def payload(self, overrides: dict[str, str | None]) -> list[tuple[str, str]]:
        """What submitting the form sends, with ``overrides`` (None: leave out)."""
        data: list[tuple[str, str]] = []
        seen: set[str] = set()

        def emit(name: str, value: str | None) -> None:
            if name in overrides:
                if name not in seen and overrides[name] is not None:
                    data.append((name, str(overrides[name])))
                seen.add(name)
            elif value is not None:
                data.append((name, value))

        for name, value in self.fields:
            emit(name, value)
        for name in self.radios:
            emit(name, self.checked_radio(name))
        for name, (value, checked) in self.checkboxes.items():
            emit(name, value if checked else None)
        for name in self.selects:
            emit(name, self.selected(name))
        for name, extra in overrides.items():
            if name not in seen and extra is not None:
                data.append((name, str(extra)))
        return data


class _PageParser(HTMLParser):
    """Collects the forms of a page and the links to uploaded files."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: _Select | None = None
        self._option: list[Any] | None = None
        self._textarea: list[str] | None = None
        self._textarea_name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(
                action=a.get("action", ""),
                method=a.get("method", "get").lower(),
                form_id=a.get("id", ""),
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "radio":
                form.radios.setdefault(name, []).append(
                    (a.get("value", "on"), "checked" in a, "disabled" in a)
                )
            elif kind == "checkbox":
                form.checkboxes[name] = (a.get("value", "on"), "checked" in a)
            elif kind == "file":
                form.file_fields.append(name)
            elif kind not in {"submit", "button", "image", "reset"}:
                form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = _Select(name)
            form.selects[name] = self._select
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea" and name:
            self._textarea = []
            self._textarea_name = name

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, text, chosen = self._option
            self._select.options.append(
                (value if value is not None else text.strip(), text.strip(), chosen)
            )
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea_name, "".join(self._textarea)))
            self._textarea = None
        elif tag == "form":
            self._form = None


@dataclass
class TicketPage:
    """What the staff ticket page shows."""

    url: str
    html: str
    forms: list[Form]
    links: list[str]

    def _action_path(self, form: Form) -> str:
        return urlsplit(urljoin(self.url, form.action or self.url)).path

    def form(self, *, form_id: str = "", action_path: str = "", has_field: str = "") -> Form:
        """The first form matching all given criteria (``action_path``: exact path)."""
        for form in self.forms:
            if form_id and form.form_id != form_id:
                continue
            if action_path and self._action_path(form) != action_path:
                continue
            if has_field and form.value_of(has_field) is None:
                continue
            return form
        raise AgentConsoleError(f"no form (id={form_id!r}, action={action_path!r}) on {self.url}")

    def has_form(self, action_path: str) -> bool:
        """Whether a form posting to ``action_path`` is on the page."""
        return any(self._action_path(f) == action_path for f in self.forms)

    @property
    def respond_form(self) -> Form:
        """The "Respond" form (comment, new status, public, owner, ...)."""
        return self.form(form_id="ticket-respond-form")

    @property
    def status(self) -> int:
        """Current status: the checked "New Status" radio of the respond form."""
        checked = self.respond_form.checked_radio("new_status")
        if checked is None:
            raise AgentConsoleError(f"no status on {self.url}")
        return int(checked)

    @property
    def on_hold(self) -> bool:
        """Whether the page offers "Unhold" (so the ticket is on hold)."""
        return self.has_form(urlsplit(self.url).path + "unhold/")

    @property
    def owner_id(self) -> int:
        """Selected owner in the respond form; 0 when unassigned."""
        return int(self.respond_form.selected("owner") or 0)

    @property
    def priority(self) -> int:
        """Selected priority in the respond form (1 critical ... 5 very low)."""
        return int(self.respond_form.selected("priority") or 0)

    @property
    def attachment_links(self) -> list[str]:
        """Links to uploaded attachments shown on the page."""
        return [link for link in self.links if "/helpdesk/attachments/" in link]


class AgentConsole:
    """A logged-in agent session on django-helpdesk's staff web UI."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 15.0):
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "helpdesk-tray-agent-console"
        try:
            self._login(username, password)
        except BaseException:
            self.session.close()
            raise

    def disconnect(self) -> None:
        """Close the HTTP session (``close()`` closes tickets)."""
        self.session.close()

    def __enter__(self) -> AgentConsole:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.disconnect()

    # ------------------------------------------------------------ plumbing
    def _url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def _get(self, path: str) -> requests.Response:
        response = self.session.get(self._url(path), timeout=self.timeout, allow_redirects=False)
        if response.status_code != 200:
            raise AgentConsoleError(f"GET {path} -> HTTP {response.status_code}")
        return response

    def _post(
        self,
        url: str,
        data: list[tuple[str, str]],
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        *,
        expect_redirect_to: str,
    ) -> requests.Response:
        response = self.session.post(
            url,
            data=data,
            files=files or None,
            timeout=self.timeout,
            allow_redirects=False,
            headers={"Referer": url},
        )
        location = response.headers.get("Location", "")
        if response.status_code not in (302, 303) or not urlsplit(location).path.startswith(
            expect_redirect_to
        ):
            snippet = response.text[:500] if response.status_code == 200 else ""
            raise AgentConsoleError(
                f"POST {urlsplit(url).path} -> HTTP {response.status_code} "
                f"(Location {location!r}) {snippet}"
            )
        return response

    @staticmethod
    def _csrf(form: Form) -> str:
        token = form.value_of("csrfmiddlewaretoken")
        if not token:
            raise AgentConsoleError("form without a CSRF token")
        return token

    def _login(self, username: str, password: str) -> None:
        page = self._get(LOGIN_PATH)
        parser = _PageParser()
        parser.feed(page.text)
        login_forms = [f for f in parser.forms if f.method == "post"]
        if not login_forms:
            raise AgentConsoleError("no login form on the staff login page")
        form = login_forms[0]
        data = form.payload(
            {"username": username, "password": password, "next": "/helpdesk/tickets/"}
        )
        self._post(self._url(LOGIN_PATH), data, expect_redirect_to="/helpdesk/")
        # A staff account may open the ticket list; anyone else is sent away.
        listing = self.session.get(
            self._url("/helpdesk/tickets/"), timeout=self.timeout, allow_redirects=False
        )
        if listing.status_code != 200:
            raise AgentConsoleError(
                f"{username!r} logged in but cannot open the staff ticket list "
                f"(HTTP {listing.status_code}); is it a staff account?"
            )

    # -------------------------------------------------------------- reading
    def ticket_page(self, ticket_id: int) -> TicketPage:
        """Open the staff page of a ticket."""
        path = TICKET_PATH.format(id=ticket_id)
        response = self._get(path)
        parser = _PageParser()
        parser.feed(response.text)
        return TicketPage(
            url=response.url, html=response.text, forms=parser.forms, links=parser.links
        )

    def download(self, link: str) -> bytes:
        """Download an attachment link shown on a staff page."""
        response = self.session.get(self._url(link), timeout=self.timeout, allow_redirects=False)
        if response.status_code != 200:
            raise AgentConsoleError(f"GET {link} -> HTTP {response.status_code}")
        return response.content

    # -------------------------------------------------------------- actions
    def _respond(
        self,
        ticket_id: int,
        overrides: dict[str, str | None],
        files: list[Path | tuple[str, bytes, str]] | None = None,
    ) -> TicketPage:
        page = self.ticket_page(ticket_id)
        form = page.respond_form
        wanted = overrides.get("new_status")
        if wanted is not None:
            allowed = {
                value for value, _c, disabled in form.radios.get("new_status", []) if not disabled
            }
            if wanted not in allowed:
                raise AgentConsoleError(
                    f"ticket {ticket_id}: status {wanted} is not offered (allowed: {allowed})"
                )
        upload: list[tuple[str, tuple[str, bytes, str]]] = []
        for item in files or []:
            if isinstance(item, Path):
                upload.append(
                    ("attachment", (item.name, item.read_bytes(), "application/octet-stream"))
                )
            else:
                upload.append(("attachment", item))
        action = urljoin(page.url, form.action)
        self._post(
            action,
            form.payload(overrides),
            upload,
            expect_redirect_to=TICKET_PATH.format(id=ticket_id),
        )
        return self.ticket_page(ticket_id)

    def reply(
        self,
        ticket_id: int,
        text: str,
        public: bool = True,
        files: list[Path | tuple[str, bytes, str]] | None = None,
    ) -> None:
        """Post a comment (public: the submitter sees it; else an internal note)."""
        if not text.strip():
            raise ValueError("a reply needs text")
        self._respond(ticket_id, {"comment": text, "public": "1" if public else None}, files)

    def assign(self, ticket_id: int, username: str) -> None:
        """Assign the ticket with the page's "Assigned to" picker."""
        page = self.ticket_page(ticket_id)
        owner_id = page.respond_form.option_value("owner", username)
        if owner_id is None:
            raise AgentConsoleError(f"{username!r} is not offered as owner of ticket {ticket_id}")
        form = page.form(
            action_path=TICKET_PATH.format(id=ticket_id) + "update/", has_field="ticket_id"
        )
        self._post(
            urljoin(page.url, form.action),
            form.payload({"owner": owner_id}),
            expect_redirect_to=TICKET_PATH.format(id=ticket_id),
        )
        after = self.ticket_page(ticket_id)
        if after.owner_id != int(owner_id):
            raise AgentConsoleError(f"ticket {ticket_id} was not assigned to {username!r}")

    def _hold(self, ticket_id: int, hold: bool) -> None:
        page = self.ticket_page(ticket_id)
        form = page.form(
            action_path=TICKET_PATH.format(id=ticket_id) + ("hold/" if hold else "unhold/")
        )
        self._post(
            urljoin(page.url, form.action),
            form.payload({}),
            expect_redirect_to=TICKET_PATH.format(id=ticket_id),
        )
        if self.ticket_page(ticket_id).on_hold != hold:
            raise AgentConsoleError(f"ticket {ticket_id}: hold={hold} did not take effect")

    def hold(self, ticket_id: int) -> None:
        """Put the ticket on hold (Actions > Hold)."""
        self._hold(ticket_id, True)

    def unhold(self, ticket_id: int) -> None:
        """Take the ticket off hold (Actions > Unhold)."""
        self._hold(ticket_id, False)

    def set_status(self, ticket_id: int, status: int, text: str, public: bool = True) -> None:
        """Change the status with a comment through the respond form."""
        after = self._respond(
            ticket_id,
            {"comment": text, "new_status": str(status), "public": "1" if public else None},
        )
        if after.status != status:
            raise AgentConsoleError(f"ticket {ticket_id}: status is {after.status}, not {status}")

    def resolve(self, ticket_id: int, text: str) -> None:
        """Resolve the ticket; ``text`` becomes its resolution."""
        self.set_status(ticket_id, RESOLVED, text)

    def close(self, ticket_id: int, text: str) -> None:
        """Close the ticket with a public comment."""
        self.set_status(ticket_id, CLOSED, text)

    def reopen(self, ticket_id: int, text: str) -> None:
        """Reopen a resolved or closed ticket."""
        self.set_status(ticket_id, REOPENED, text)
