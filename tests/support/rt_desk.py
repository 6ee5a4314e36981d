"""A real Request Tracker 5 (Debian packages, SQLite) on 127.0.0.1, once per test session.

The recipe, timings and traps: docs/reference: request-tracker-5. The data (users,
queues, custom fields, rights) is ``tests/support/rt/initialdata.pl``.

Everything RT reads or writes lives in one data directory: its config (``RT_SITE_CONFIG``
and an empty ``RT_SITE_CONFIG_DIR``, so Debian's ``/etc`` snippets are never loaded), the
SQLite file, the Mason cache and sessions, the server log and the fake sendmail's log.
Nothing under ``/etc`` or ``/var`` is written, so it needs no root once the packages are
installed.

Rights an employee needs, verified against RT 5.0.3 (details in ``initialdata.pl``)::

    EMPLOYEE_RIGHTS["Unprivileged"]  on the queue: CreateTicket SeeQueue SeeCustomField
                                     SetInitialCustomField. SetInitialCustomField (not
                                     ModifyCustomField) lets Report-ID be set on create;
                                     SeeCustomField is needed for that too (the CF is
                                     looked up by name as the caller). Missing either:
                                     201 and the value is silently dropped. SeeQueue only
                                     serves discovery (/queues/all).
    EMPLOYEE_RIGHTS["Requestor"]     on the queue: ShowTicket ReplyToTicket
    OPTIONAL_REQUESTOR_RIGHTS        ModifyTicket (resolve, raise priority); granted here.
                                     Without it PUT /ticket/N {"Status": ...} answers 200
                                     ["Ticket N: Permission Denied"] and changes nothing.
    SeeCustomField on the user CF Photo for Privileged and Unprivileged.
    Not ShowOutgoingEmail: requestors do not see auto-reply EmailRecord transactions.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
import requests
from PIL import Image

from tests.support import servers
from tests.support.requirements import missing
from tests.support.servers import free_port, owner_tag

RT_SHARE: Final = Path("/usr/share/request-tracker5")
RT_SERVER: Final = RT_SHARE / "libexec" / "rt-server"
RT_LIB: Final = RT_SHARE / "lib"
RT_SETUP_DATABASE: Final = Path("/usr/sbin/rt-setup-database")
SUPPORT_DIR: Final = Path(__file__).resolve().parent / "rt"
INITIAL_DATA: Final = SUPPORT_DIR / "initialdata.pl"
MINT_TOKENS: Final = SUPPORT_DIR / "mint-tokens.pl"
FAKE_SENDMAIL: Final = SUPPORT_DIR / "fake-sendmail"

HOST: Final = "127.0.0.1"
REST2: Final = "/REST/2.0"
ROOT_PASSWORD: Final = "rt-root-pass1"
AGENT_PASSWORD: Final = "rt-agent-pass1"
EMPLOYEE_PASSWORD: Final = "rt-employee-pass1"
AGENT: Final = "joost"
QUEUE: Final = "IT Helpdesk"
OTHER_QUEUE: Final = "Management"
#: A non-browser agent: with "Mozilla" in it RT answers a failed login with 302, not 401.
USER_AGENT: Final = "helpdesk-tray-tests (rt_desk fixture)"

#: The minimal rights an employee needs on the tray's queue, per principal (see module doc).
EMPLOYEE_RIGHTS: Final[Mapping[str, tuple[str, ...]]] = {
    "Unprivileged": ("CreateTicket", "SeeQueue", "SeeCustomField", "SetInitialCustomField"),
    "Requestor": ("ShowTicket", "ReplyToTicket"),
}
#: Granted by the fixture too; a desk may leave it out (the tray then cannot resolve).
OPTIONAL_REQUESTOR_RIGHTS: Final = ("ModifyTicket",)

#: The Debian package this fixture, and the tray's RT adapter, were last proven on (RT's
#: 2026 security update: forgery rules for REST2 writes and for the login form).
PROVEN_ON: Final = "5.0.3+dfsg-3~deb12u7"
#: Loopback origins on any port: the fault proxy in front of RT stands for a reverse
#: proxy, and an RT behind one lists it in @ReferrerWhitelist (docs/request-tracker.md).
#: RT drops a trailing "*" (its pattern comes from Perl's split, which drops a trailing
#: empty field), so "any port" is ten entries: any port ending in 0, in 1, ...
LOOPBACK_ORIGINS: Final = tuple(f"127.0.0.1:*{digit}" for digit in range(10))

# Marks every rt-server this module starts, with its owner ("pid:start time"), so a
# later session can end the servers a crashed session left behind, and only those.
OWNER_ENV: Final = "HELPDESK_TRAY_RT_OWNER"

# RT reports failures of single changes inside a 200 answer's message array.
_FAILURE = re.compile(
    r"permission denied|no permission|couldn't|could not|can't|cannot|may not|doesn't|"
    r"does not|invalid|illegal|not allowed|not found|no such|failed|error|must be|required",
    re.IGNORECASE,
)


class RtError(RuntimeError):
    """Request Tracker could not be set up, started, or refused an agent's request."""


def rt_installed() -> bool:
    """Whether the Debian packages the fixture needs are installed."""
    return RT_SERVER.is_file() and RT_SETUP_DATABASE.exists() and RT_LIB.is_dir()


def installed_version() -> str:
    """The installed ``request-tracker5`` package's version (``""`` when unknown)."""
    if shutil.which("dpkg-query") is None:
        return ""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "request-tracker5"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


@dataclass(frozen=True)
class Referrers:
    """RT's forgery settings: ``$RestrictReferrer``, ``$RestrictLoginReferrer``, the list."""

    restrict: bool = True  # RT's default
    restrict_login: bool = False  # RT's default
    whitelist: tuple[str, ...] = ()

    def config_lines(self) -> list[str]:
        listed = ", ".join(_perl(host) for host in self.whitelist)
        return [
            f"Set($RestrictReferrer, {int(self.restrict)});",
            f"Set($RestrictLoginReferrer, {int(self.restrict_login)});",
            f"Set(@ReferrerWhitelist, {listed});" if listed else "Set(@ReferrerWhitelist);",
        ]


def photo_png(rgb: tuple[int, int, int] = (32, 96, 160), size: int = 16) -> bytes:
    """A small square PNG (the agent's photo)."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def _perl(text: str) -> str:
    """``text`` as a single-quoted Perl string."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def end_orphaned_servers() -> list[int]:
    """SIGKILL the rt-servers whose starting process (a crashed session) is gone."""
    return servers.end_orphaned_servers(OWNER_ENV, b"rt-server")


class RequestTracker:
    """One RT instance, identified by its data directory; served on a free port."""

    def __init__(
        self,
        data_dir: Path,
        *,
        datafile: Path = INITIAL_DATA,
        workers: int = 4,
        startup_timeout: float = 60.0,
        stop_timeout: float = 10.0,
        referrers: Referrers | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.datafile = datafile
        self.referrers = referrers or Referrers(whitelist=LOOPBACK_ORIGINS)
        self.workers = workers
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.port: int | None = None
        self.tokens: dict[str, str] = {}
        self._proc: subprocess.Popen[bytes] | None = None

    # ----------------------------------------------------------------- files
    @property
    def site_config(self) -> Path:
        return self.data_dir / "RT_SiteConfig.pm"

    @property
    def site_config_dir(self) -> Path:
        return self.data_dir / "RT_SiteConfig.d"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "db" / "rt5.db"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "rt-server.log"

    @property
    def mail_log(self) -> Path:
        return self.data_dir / "mail.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "rt-server.pid"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self.port is None:
            raise RtError(f"Request Tracker in {self.data_dir} is not running")
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server log."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # ---------------------------------------------------------------- config
    def env(self) -> dict[str, str]:
        """Environment of every RT command: always this instance's config, never /etc's."""
        env = dict(os.environ)
        env["RT_SITE_CONFIG"] = str(self.site_config)
        env["RT_SITE_CONFIG_DIR"] = str(self.site_config_dir)
        env[OWNER_ENV] = owner_tag()
        env.pop("PERL5LIB", None)
        return env

    def _write_config(self) -> None:
        for directory in ("db", "mason_data", "session_data"):
            (self.data_dir / directory).mkdir(parents=True, exist_ok=True)
        self.site_config_dir.mkdir(parents=True, exist_ok=True)
        sendmail = f"{shlex.quote(str(FAKE_SENDMAIL))} {shlex.quote(str(self.mail_log))}"
        lines = [
            "Set($rtname, 'helpdesk.test');",
            "Set($Organization, 'helpdesk.test');",
            "Set($Timezone, 'UTC');",
            "Set($CorrespondAddress, 'helpdesk@helpdesk.test');",
            "Set($CommentAddress, 'helpdesk-comment@helpdesk.test');",
            "Set($DatabaseType, 'SQLite');",
            f"Set($DatabaseName, {_perl(str(self.db_file))});",
            "Set($LogToSTDERR, 'warning');",
            "Set($LogToSyslog, undef);",
            "Set($LogToFile, undef);",
            "Set($MailCommand, 'sendmailpipe');",
            # Through /bin/sh: works even when the script lost its executable bit.
            "Set($SendmailPath, '/bin/sh');",
            f"Set($SendmailArguments, {_perl(sendmail)});",
            # The default (12) costs ~0.25 s of bcrypt per token-authenticated request.
            "Set($BcryptCost, 4);",
            # Debian's cache dirs are www-data:root 2750; these keep RT runnable without root.
            f"$RT::MasonDataDir = {_perl(str(self.data_dir / 'mason_data'))};",
            f"$RT::MasonSessionDir = {_perl(str(self.data_dir / 'session_data'))};",
            *self.referrers.config_lines(),
        ]
        if self.port is not None:
            lines += [
                "Set($WebDomain, '127.0.0.1');",
                f"Set($WebPort, {self.port});",
                "Set($WebPath, '');",
                # Every REST2 _url is built from it.
                f"Set($WebBaseURL, 'http://{HOST}:{self.port}');",
            ]
        self.site_config.write_text("\n".join([*lines, "1;", ""]), encoding="utf-8")

    def _run(self, *args: str, timeout: float = 120.0) -> str:
        result = subprocess.run(
            list(args),
            env=self.env(),
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        # RT logs (and skips) a data item it cannot create, with a zero exit status.
        if result.returncode != 0 or re.search(r"\[(error|critical)\]", result.stderr):
            raise RtError(
                f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    # -------------------------------------------------------------- commands
    def setup(self) -> dict[str, str]:
        """Create the database, load the data and mint tokens; returns name -> token."""
        if self.db_file.exists():
            raise RtError(f"{self.db_file} exists: set up a fresh data directory")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        password_file = self.data_dir / "root-password"
        password_file.write_text(ROOT_PASSWORD + "\n", encoding="utf-8")
        setup_db = [str(RT_SETUP_DATABASE), "--skip-create", "--action"]
        self._run(*setup_db, "init", "--root-password-file", str(password_file))
        self._run(*setup_db, "insert", "--datafile", str(self.datafile))
        users = ("root", AGENT, "anna", "bram")
        output = self._run("perl", "-I", str(RT_LIB), str(MINT_TOKENS), *users)
        self.tokens = dict(line.split("\t", 1) for line in output.splitlines() if "\t" in line)
        return self.tokens

    def ensure(self, referrers: Referrers) -> str:
        """Run with ``referrers`` as RT's forgery settings (restarted only when they change)."""
        if referrers == self.referrers and self._proc is not None:
            return self.url
        return self.restart(referrers)

    def restart(self, referrers: Referrers) -> str:
        """Stop, take ``referrers`` as RT's forgery settings, start again on the same port.

        RT reads its config once, at start; its sessions live in the database and
        outlast the restart.
        """
        port = self.port
        self.stop()
        self.referrers = referrers
        return self.start(port=port)

    def start(self, attempts: int = 3, port: int | None = None) -> str:
        """Start rt-server (on ``port``, else a free one); returns its URL once REST2 answers."""
        if self._proc is not None and self._proc.poll() is None:
            return self.url
        for attempt in range(attempts):
            self.port = port if port is not None and attempt == 0 else free_port()
            self._write_config()
            command = [str(RT_SERVER), "--host", HOST, "--port", str(self.port)]
            # Starlet answers "Connection: close" unless keep-alive is switched on.
            command += ["--max-workers", str(self.workers), "--max-keepalive-reqs", "100"]
            with open(self.log_file, "ab") as log:
                self._proc = subprocess.Popen(
                    command,
                    env=self.env(),
                    cwd=self.data_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.pid_file.write_text(f"{self._proc.pid}\n", encoding="ascii")
            if self._wait_ready(self._proc):
                return self.url
            exited = self._proc.poll()
            self.stop()
            # Another process may have taken the free port between the check and the bind.
            if exited is None or attempt == attempts - 1 or "in use" not in self.log_tail(5):
                reason = (
                    f"exited with code {exited}"
                    if exited is not None
                    else f"did not answer within {self.startup_timeout:.0f} s"
                )
                raise RtError(f"rt-server {reason}; log tail:\n{self.log_tail()}")
        raise AssertionError("unreachable")

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> bool:
        probe = f"{self.url}{REST2}/rt"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            try:
                answer = requests.get(probe, timeout=2, headers={"User-Agent": USER_AGENT})
                if answer.status_code in (200, 401):
                    return True
            except requests.RequestException:
                pass
            # Doubles as the poll interval and returns at once when the server dies.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.1)
                return False
        return False

    def stop(self) -> None:
        """SIGTERM the server's process group, SIGKILL it after a deadline, reap it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        # The group is the Starlet master and its workers (start_new_session=True).
        for sig, timeout in ((signal.SIGTERM, self.stop_timeout), (signal.SIGKILL, 10.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout)
                break
        self.pid_file.unlink(missing_ok=True)
        self.port = None


class RtAgent:
    """What the service-desk agent does, through REST2 with the agent's token.

    Every call checks the HTTP status and RT's message array: RT answers some refused
    changes with 200 and ``["Ticket 1: Permission Denied"]``.
    """

    def __init__(self, url: str, token: str, *, root_token: str | None = None) -> None:
        self.base = url.rstrip("/") + REST2
        self.session = self._session(token)
        self.root = self._session(root_token) if root_token else None

    @staticmethod
    def _session(token: str) -> requests.Session:
        session = requests.Session()
        session.headers.update(
            {
                "Authorization": f"token {token}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            }
        )
        return session

    def close(self) -> None:
        """Close the HTTP sessions."""
        self.session.close()
        if self.root is not None:
            self.root.close()

    # ------------------------------------------------------------------ http
    def _call(
        self,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200,),
        session: requests.Session | None = None,
        **kwargs: Any,
    ) -> Any:
        answer = (session or self.session).request(method, self.base + path, timeout=30, **kwargs)
        try:
            body = answer.json()
        except ValueError:
            body = answer.text
        if answer.status_code not in ok:
            raise RtError(f"{method} {path}: HTTP {answer.status_code} {body!r}")
        messages = body if isinstance(body, list) else []
        failed = [m for m in messages if isinstance(m, str) and _FAILURE.search(m)]
        if failed:
            raise RtError(f"{method} {path}: HTTP {answer.status_code} but {failed!r}")
        return body

    def _update(self, ticket_id: int, changes: dict[str, Any]) -> list[str]:
        messages = list(self._call("PUT", f"/ticket/{ticket_id}", json=changes))
        # A change RT ignored (e.g. a custom field the caller cannot see) answers [].
        if not messages:
            raise RtError(f"PUT /ticket/{ticket_id} {changes!r}: RT changed nothing")
        return messages

    def _post_message(self, ticket_id: int, kind: str, text: str, **extra: Any) -> list[str]:
        payload = {"Content": text, "ContentType": "text/plain", **extra}
        return list(self._call("POST", f"/ticket/{ticket_id}/{kind}", ok=(201,), json=payload))

    def ticket(self, ticket_id: int, **params: str) -> dict[str, Any]:
        """The ticket record as the agent sees it."""
        return dict(self._call("GET", f"/ticket/{ticket_id}", params=params))

    def queue_name(self, ticket_id: int) -> str:
        """The name of the queue the ticket is in."""
        queue = self.ticket(ticket_id)["Queue"]
        return str(self._call("GET", f"/queue/{queue['id']}")["Name"])

    def _pages(self, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            body = self._call("GET", path, params={**params, "per_page": "100", "page": str(page)})
            yield from body["items"]
            if len(body["items"]) < 100:
                return
            page += 1

    # --------------------------------------------------------------- actions
    def assign(self, ticket_id: int, username: str) -> None:
        """Make ``username`` the owner."""
        self._update(ticket_id, {"Owner": username})

    def reply(self, ticket_id: int, text: str, public: bool = True) -> None:
        """Answer the requestor (public) or add an internal comment."""
        self._post_message(ticket_id, "correspond" if public else "comment", text)

    def hold(self, ticket_id: int) -> None:
        """Put the ticket on hold (status ``stalled``)."""
        self._update(ticket_id, {"Status": "stalled"})

    def unhold(self, ticket_id: int) -> None:
        """Take the ticket off hold (status ``open``)."""
        self._update(ticket_id, {"Status": "open"})

    def resolve(self, ticket_id: int, text: str) -> None:
        """Reply and resolve in one call."""
        messages = self._post_message(ticket_id, "correspond", text, Status="resolved")
        if not any("resolved" in message for message in messages):
            raise RtError(f"ticket {ticket_id} not resolved: {messages!r}")

    def move(self, ticket_id: int, queue: str) -> None:
        """Move the ticket to another queue."""
        self._update(ticket_id, {"Queue": queue})

    def delete(self, ticket_id: int) -> None:
        """Delete the ticket (status ``deleted``; RT keeps the row)."""
        self._update(ticket_id, {"Status": "deleted"})

    def set_photo(self, username: str, png: bytes, filename: str = "photo.png") -> None:
        """Upload ``png`` as the user's Photo custom field (as root)."""
        if self.root is None:
            raise RtError("set_photo needs the root token")
        fields = {"CustomFields": {"Photo": {"UploadField": "photo"}}}
        self._call(
            "PUT",
            f"/user/{username}",
            session=self.root,
            files={
                "JSON": (None, json.dumps(fields), "application/json"),
                "photo": (filename, png, "image/png"),
            },
        )

    # ----------------------------------------------------------------- reads
    def status(self, ticket_id: int) -> str:
        """The ticket's status (``new``, ``open``, ``stalled``, ``resolved``, ...)."""
        return str(self.ticket(ticket_id)["Status"])

    def priority(self, ticket_id: int) -> int:
        """The ticket's priority."""
        return int(self.ticket(ticket_id)["Priority"])

    def requestors(self, ticket_id: int) -> list[str]:
        """The requestors' email addresses."""
        # Role members are references only: fields[Requestor]=... does not expand them.
        people = self.ticket(ticket_id)["Requestor"]
        return [str(self._call("GET", f"/user/{ref['id']}")["EmailAddress"]) for ref in people]

    def custom_field(self, ticket_id: int, name: str) -> list[str]:
        """The values of the ticket custom field ``name``."""
        for field in self.ticket(ticket_id)["CustomFields"]:
            if field["name"] == name:
                return [str(value) for value in field["values"]]
        raise RtError(f"ticket {ticket_id} has no custom field {name!r}")

    def history(self, ticket_id: int) -> list[dict[str, Any]]:
        """Transactions, oldest first: Type, Field, OldValue, NewValue, Creator (name).

        Create, Correspond and Comment transactions also carry ``Content``, their
        text/plain body (or None).
        """
        params = {
            "fields": "Type,Field,OldValue,NewValue,Created,Creator",
            "fields[Creator]": "Name",
        }
        entries = []
        for item in self._pages(f"/ticket/{ticket_id}/history", params):
            transaction_id = int(item["id"])
            entry = {key: item.get(key) for key in ("Type", "Field", "OldValue", "NewValue")}
            entry["id"] = transaction_id
            entry["Created"] = item.get("Created")
            entry["Creator"] = (item.get("Creator") or {}).get("Name")
            if entry["Type"] in ("Create", "Correspond", "Comment"):
                entry["Content"] = self._text_body(transaction_id)
            entries.append(entry)
        return entries

    def _text_body(self, transaction_id: int) -> str | None:
        params = {"fields": "Content,ContentType,Filename"}
        for part in self._pages(f"/transaction/{transaction_id}/attachments", params):
            if part.get("ContentType") == "text/plain" and not part.get("Filename"):
                return str(part.get("Content") or "")
        return None

    def attachments(self, ticket_id: int) -> dict[str, bytes]:
        """Files attached to the ticket (filename -> raw bytes); message bodies excluded."""
        files = {}
        params = {"fields": "Filename,ContentType"}
        for part in self._pages(f"/ticket/{ticket_id}/attachments", params):
            if part.get("Filename"):
                record = self._call("GET", f"/attachment/{part['id']}")
                files[str(part["Filename"])] = base64.b64decode(record.get("Content") or "")
        return files

    def tickets_with_subject(self, subject: str) -> list[int]:
        """Ids of the tickets with exactly this subject."""
        escaped = subject.replace("\\", "\\\\").replace("'", "\\'")
        params = {"query": f"Subject = '{escaped}'", "orderby": "id"}
        return [int(item["id"]) for item in self._pages("/tickets", params)]

    def tickets_of(self, email: str) -> list[int]:
        """Ids of the tickets ``email`` is a requestor of (deleted ones excluded)."""
        params = {"query": f"Requestor.EmailAddress = '{email}'", "orderby": "id"}
        return [int(item["id"]) for item in self._pages("/tickets", params)]


@dataclass(frozen=True)
class RtAccess:
    """The running RT and ready-made tokens: employees anna and bram, agent, root."""

    url: str
    anna_token: str
    bram_token: str
    agent_token: str
    root_token: str
    rt: RequestTracker
    queue: str = QUEUE
    other_queue: str = OTHER_QUEUE

    def agent(self) -> RtAgent:
        """An ``RtAgent`` acting as joost (and as root for ``set_photo``)."""
        return RtAgent(self.url, self.agent_token, root_token=self.root_token)


def start_request_tracker(data_dir: Path) -> RtAccess:
    """Set up and start RT in ``data_dir`` and give the agent a photo."""
    end_orphaned_servers()
    rt = RequestTracker(data_dir)
    tokens = rt.setup()
    rt.start()
    access = RtAccess(
        url=rt.url,
        anna_token=tokens["anna"],
        bram_token=tokens["bram"],
        agent_token=tokens[AGENT],
        root_token=tokens["root"],
        rt=rt,
    )
    agent = access.agent()
    try:
        agent.set_photo(AGENT, photo_png(), filename=f"{AGENT}.png")
    except BaseException:
        rt.stop()
        raise
    finally:
        agent.close()
    return access


@pytest.fixture(scope="session")
def rt_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtAccess]:
    """A real RT 5 for the session; RT that is installed but cannot start fails the run."""
    if not rt_installed() or shutil.which("perl") is None:
        missing("Request Tracker 5", "run tools/install-system-deps.sh as root")
    try:
        access = start_request_tracker(tmp_path_factory.mktemp("rt-desk"))
    except RtError as error:
        # Installed but not runnable by this user (e.g. an RT whose files only root or
        # www-data can read): an environment gap, not a bug. As root it is a failure.
        if os.geteuid() == 0:
            raise
        missing("Request Tracker 5 runnable by this user", f"run the tests as root ({error})")
        raise
    try:
        yield access
    finally:
        access.rt.stop()
