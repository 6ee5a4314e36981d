"""A real Redmine 5 (Debian packages, SQLite, Puma) on 127.0.0.1, once per test session.

The recipe and Redmine's traps: docs/reference: redmine-5. Nothing under ``/etc`` or
``/var`` is written: Debian's Redmine (``/usr/share/redmine``, 15 MB) is copied into the
session's data directory, its symlinks out of it replaced by an instance of our own
(``instances/default``: a ``database.yml`` for a SQLite file beside it, a secret, logs,
cache and files), its ``Gemfile`` pointed at the copy, and Puma named in a
``Gemfile.local`` (WEBrick adds about 40 ms to every answer with a body). The
database is migrated and Redmine's default data loaded in separate processes (in one,
the data load fails on stale column information and still exits 0), then
``tests/support/redmine/setup.rb`` adds the project, the roles, the people and their
API keys. The server runs in a session of its own, started and stopped by its PID.

The people: employees ``anna`` and ``bram`` (role Employee: they see their own issues,
add issues and notes, edit their own issues, confirm and reopen), agent ``joost``
(role Agent: everything, private notes). ``login_required`` is off, as Redmine ships.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
import requests

from tests.support.requirements import missing
from tests.support.servers import end_orphaned_servers as end_orphaned
from tests.support.servers import free_port, owner_tag

REDMINE_SHARE: Final = Path("/usr/share/redmine")
SETUP_SCRIPT: Final = Path(__file__).resolve().parent / "redmine" / "setup.rb"
HOST: Final = "127.0.0.1"
PASSWORD: Final = "redmine-pass-1"
PROJECT: Final = "it-helpdesk"
AGENT: Final = "joost"
#: Marks every server this module starts with its owner ("pid:start time"), so a later
#: session can end the servers a crashed session left behind, and only those.
OWNER_ENV: Final = "HELPDESK_TRAY_REDMINE_OWNER"


class RedmineError(RuntimeError):
    """The fixture could not set up, start or stop Redmine."""


def redmine_installed() -> bool:
    """Whether Debian's Redmine, its SQLite adapter and Puma are installed."""
    return (REDMINE_SHARE / "Gemfile").exists() and shutil.which("bundle") is not None


@dataclass(frozen=True)
class RedmineIds:
    """What setup.rb made: API keys by login, and the ids a test or an adapter needs."""

    keys: Mapping[str, str]
    project_id: int
    tracker_id: int
    key_field_id: int
    statuses: Mapping[str, int]
    priorities: Mapping[str, int]


class Redmine:
    """One Redmine instance in ``data_dir``, served on a free port."""

    def __init__(
        self, data_dir: Path, *, startup_timeout: float = 90.0, stop_timeout: float = 15.0
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def app(self) -> Path:
        """The copy of Redmine's application."""
        return self.data_dir / "app"

    @property
    def database(self) -> Path:
        return self.data_dir / "redmine.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "server.pid"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self.port is None:
            raise RedmineError(f"Redmine in {self.data_dir} is not running")
        return f"http://{HOST}:{self.port}"

    # --- set up -------------------------------------------------------------------------

    def setup(self) -> RedmineIds:
        """Copy, configure, migrate and fill a new Redmine; what setup.rb made."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copytree(REDMINE_SHARE, self.app, symlinks=True)
        for link in ("instances", "config/database.yml", "Gemfile.lock"):
            (self.app / link).unlink(missing_ok=True)
        instance = self.app / "instances" / "default"
        for folder in ("config", "log", "tmp/cache", "files", "public/plugin_assets"):
            (instance / folder).mkdir(parents=True, exist_ok=True)
        (instance / "config" / "database.yml").write_text(
            f"production:\n  adapter: sqlite3\n  database: {self.database}\n  timeout: 5000\n"
        )
        (instance / "config" / "secret_key.txt").write_text(secrets.token_hex(32))
        gemfile = self.app / "Gemfile"
        debian_glob = "Dir['/usr/share/redmine/{config,instances/*/config}/database.yml']"
        text = gemfile.read_text()
        if debian_glob not in text:
            raise RedmineError("Debian's Redmine Gemfile changed: no database glob to point")
        own_glob = "Dir[File.join(__dir__, '{config,instances/*/config}/database.yml')]"
        gemfile.write_text(text.replace(debian_glob, own_glob))
        (self.app / "Gemfile.local").write_text('gem "puma"\n')
        self._run(["bundle", "install", "--local"], "bundle install")
        self._run(["bundle", "exec", "rake", "db:migrate"], "the migration")
        loaded = self._run(
            ["bundle", "exec", "rake", "redmine:load_default_data"], "the default data"
        )
        if "Default configuration data loaded." not in loaded:
            raise RedmineError(f"Redmine's default data did not load:\n{loaded[-2000:]}")
        made = self._run(["bundle", "exec", "rails", "runner", str(SETUP_SCRIPT)], "setup.rb")
        try:
            data = json.loads(made.strip().splitlines()[-1])
            return RedmineIds(
                keys=dict(data["keys"]), project_id=int(data["project_id"]),
                tracker_id=int(data["tracker_id"]), key_field_id=int(data["key_field_id"]),
                statuses=dict(data["statuses"]), priorities=dict(data["priorities"]),
            )  # fmt: skip
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise RedmineError(f"setup.rb said no ids: {made[-2000:]}") from error

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RAILS_ENV": "production",
            "REDMINE_LANG": "en",
            "REDMINE_INSTANCE": "default",
            "REDMINE_TEST_PASSWORD": PASSWORD,
            "BUNDLE_GEMFILE": str(self.app / "Gemfile"),
            OWNER_ENV: owner_tag(),
        }

    def _run(self, command: list[str], what: str) -> str:
        done = subprocess.run(
            command, cwd=self.app, env=self._env(), capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RedmineError(f"{what} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    # --- run ----------------------------------------------------------------------------

    def start(self) -> None:
        """Serve on a free port; return once Redmine answers its API (401 without a key)."""
        if self._proc is not None:
            raise RedmineError("already running")
        self.port = free_port()
        self.pid_file.unlink(missing_ok=True)
        log = self.log_file.open("ab")
        command = [
            "bundle", "exec", "rails", "server", "-u", "puma", "-b", HOST,
            "-p", str(self.port), "-P", str(self.pid_file),
        ]  # fmt: skip
        self._proc = subprocess.Popen(
            command, cwd=self.app, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                raise RedmineError(f"Redmine exited at start:\n{self._log_tail()}")
            with contextlib.suppress(requests.RequestException):
                answer = requests.get(f"{self.url}/users/current.json", timeout=2)
                if answer.status_code == 401:
                    return
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(0.2)
        self.stop()
        raise RedmineError(f"Redmine did not answer within {self.startup_timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM the server's session (Puma ends its workers), SIGKILL if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.port = None

    @property
    def pid(self) -> int | None:
        """The server's process id (its session's too), while it runs."""
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        """Whether the server this object started is still running."""
        return self._proc is not None and self._proc.poll() is None

    def _log_tail(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-3000:]
        except OSError:
            return "(no log)"


def end_orphaned_servers() -> list[int]:
    """SIGKILL the Redmine servers whose starting session (a crashed pytest) is gone."""
    return end_orphaned(OWNER_ENV)


@dataclass(frozen=True)
class RedmineAccess:
    """The running Redmine, its people's API keys and the ids setup.rb made."""

    url: str
    ids: RedmineIds
    redmine: Redmine = field(repr=False)

    def key(self, login: str) -> str:
        """The API key of ``login`` (anna, bram, joost)."""
        return self.ids.keys[login]

    def as_user(self, login: str) -> RedmineClient:
        """Plain REST calls as ``login``: what the tests check Redmine itself with."""
        return RedmineClient(self.url, self.key(login))


class RedmineClient:
    """Redmine's REST API as one user, with their API key (the tests' own, not the tray's)."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["X-Redmine-API-Key"] = key

    def get(self, path: str, **params: Any) -> requests.Response:
        """``GET path`` (``.json`` added) with ``params``."""
        return self.session.get(f"{self.url}{path}.json", params=params, timeout=30)

    def put(self, path: str, body: Mapping[str, Any]) -> requests.Response:
        """``PUT path`` (``.json`` added) with a JSON ``body``."""
        return self.session.put(f"{self.url}{path}.json", json=body, timeout=30)

    def create(self, subject: str, **fields: Any) -> int:
        """A new issue in the test project; its id."""
        body = {"issue": {"project_id": PROJECT, "subject": subject, **fields}}
        answer = self.session.post(f"{self.url}/issues.json", json=body, timeout=30)
        if answer.status_code != 201:
            raise RedmineError(f"creating {subject!r}: {answer.status_code} {answer.text[:300]}")
        return int(answer.json()["issue"]["id"])

    def journals(self, issue: int) -> list[dict[str, Any]]:
        """The issue's journals as this user sees them."""
        answer = self.get(f"/issues/{issue}", include="journals")
        answer.raise_for_status()
        return list(answer.json()["issue"].get("journals", []))

    def close(self) -> None:
        """Let the connections go."""
        self.session.close()


@pytest.fixture(scope="session")
def redmine_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedmineAccess]:
    """A real Redmine 5 for the session; one installed that cannot start fails the run."""
    if not redmine_installed():
        missing("Redmine 5", "run tools/install-system-deps.sh as root")
    end_orphaned_servers()
    redmine = Redmine(tmp_path_factory.mktemp("redmine-desk"))
    ids = redmine.setup()
    redmine.start()
    try:
        yield RedmineAccess(redmine.url, ids, redmine)
    finally:
        redmine.stop()
