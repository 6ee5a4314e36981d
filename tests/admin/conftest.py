"""The admin commands run in this process, over real keys, a real repository and real TUF."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from client import admin
from client.profile_keys import PASSPHRASE_ENV
from demo.profile_site import drawn_face

PASSPHRASE = "correct horse battery staple"


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@dataclass
class Admin:
    """``helpdesk-tray admin`` with a passphrase in the environment, output captured."""

    tmp: Path
    environ: dict[str, str] = field(default_factory=lambda: {PASSPHRASE_ENV: PASSPHRASE})

    def __call__(
        self,
        *argv: str | Path,
        environ: Mapping[str, str] | None = None,
        prompt: Callable[[str], str] | None = None,
    ) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        code = admin.main(
            [str(a) for a in argv],
            self.environ if environ is None else environ,
            out,
            err,
            prompt or _no_prompt,
        )
        return Outcome(code, out.getvalue(), err.getvalue())

    def ok(self, *argv: str | Path, environ: Mapping[str, str] | None = None) -> Outcome:
        outcome = self(*argv, environ=environ)
        assert outcome.code == 0, outcome
        return outcome

    @property
    def keys(self) -> Path:
        return self.tmp / "keys"

    @property
    def repo(self) -> Path:
        return self.tmp / "repository"

    @property
    def root_file(self) -> Path:
        return self.tmp / "profile-root.json"

    def create(self, *options: str, now: datetime | None = None) -> None:
        """Keys (3 root keys, 2 to sign), a repository, and its root exported."""
        self.ok("init-keys", self.keys, *options)
        self.ok("init", self.repo, "--keys", self.keys, *_now(now))
        self.ok("export-root", self.repo, self.root_file)

    def publish(self, source: Path, *extra: str | Path, now: datetime | None = None) -> Outcome:
        return self.ok(
            "publish", self.repo, "--keys", self.keys, "--source", source, *extra, *_now(now)
        )

    def verify(self, root: Path | None = None) -> Outcome:
        return self("verify", self.repo, "--root", root or self.root_file)


def _now(now: datetime | None) -> list[str]:
    return [] if now is None else ["--now", now.isoformat()]


def _no_prompt(question: str) -> str:
    raise AssertionError(f"asked for a passphrase: {question}")


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


@pytest.fixture
def run(tmp_path: Path) -> Admin:
    return Admin(tmp_path)


JOOST = """\
name = "Joost Bakker"
role = { en = "Service desk, Finance", nl = "Servicedesk, Financiën" }
email = "joost.bakker@example.org"
phone = "+31 20 123 4567"

[hours]
time_zone = "Europe/Amsterdam"
week = { mon = ["08:30-12:00", "13:00-17:00"], tue = "08:30-17:00" }

[[absent]]
from = 2026-12-24
to = 2027-01-04
"""

ARTICLE = """\
+++
title = "VPN opnieuw instellen"
language = "nl"
keywords = ["vpn", "thuiswerken"]
+++

# VPN opnieuw instellen

Start de VPN-app opnieuw.
"""


def write_profile(folder: Path) -> Path:
    """A small, correct profile folder: two departments, two agents (one photo), an article."""
    (folder / "agents").mkdir(parents=True)
    (folder / "articles").mkdir()
    (folder / "organisation.toml").write_text(
        'name = { en = "Example Council IT", nl = "Gemeente Voorbeeld ICT" }\naccent = "#0057b8"\n',
        encoding="utf-8",
    )
    (folder / "departments.toml").write_text(
        '[finance]\nname = { en = "Finance", nl = "Financiën" }\nqueue = "Finance"\n'
        'agent = "joost"\nbackup = "sanne"\nmatch = { policy = ["FIN"], desk = ["Finance"] }\n\n'
        '[hr]\nname = "HR"\nqueue = "HR"\nagent = "sanne"\n',
        encoding="utf-8",
    )
    (folder / "agents" / "joost.toml").write_text(JOOST, encoding="utf-8")
    (folder / "agents" / "joost.png").write_bytes(face())
    (folder / "agents" / "sanne.toml").write_text('name = "Sanne de Vries"\n', encoding="utf-8")
    (folder / "articles" / "vpn-reset.nl.md").write_text(ARTICLE, encoding="utf-8")
    return folder


def face() -> bytes:
    return drawn_face((241, 200, 170), (90, 60, 40), (40, 90, 160))


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_profile(tmp_path / "profile")


@pytest.fixture
def created(run: Admin) -> Iterator[Admin]:
    run.create()
    yield run
