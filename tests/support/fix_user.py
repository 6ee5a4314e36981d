"""An unprivileged account to run fixes as, the way the tray runs them on an employee's computer.

These machines run everything as root, and the runner refuses to run a fix
with administrator rights. So, as root, the fixture creates a plain account
(``hdt-fixes``, no password, no login shell, no sudo) and starts the fix
helper as that account with ``setpriv``, from a copy of the helper file that
account can read, with the system's Python. As any other user, it runs the
helper as that user. Each test gets the account's home emptied first.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from client.adapters import fix_helper
from tests.support.requirements import missing

ACCOUNT = "hdt-fixes"
SYSTEM_PYTHON = "/usr/bin/python3"


@dataclass(frozen=True)
class FixUser:
    """Who fixes run as in the tests, and how the helper is started for them."""

    name: str
    uid: int
    home: Path
    command: list[str]

    def processes(self) -> list[int]:
        """Processes of this account still running (none should be, after a run).

        Zombies are not running: one whose parent was killed waits for the
        system's first process to collect it, which takes its time here.
        """
        if self.uid == os.getuid():
            return []  # the tests' own account: its processes are the tests'
        found = subprocess.run(
            ["ps", "-u", str(self.uid), "-o", "pid=,stat="],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        rows = (line.split() for line in found.stdout.splitlines())
        return [int(row[0]) for row in rows if len(row) == 2 and not row[1].startswith("Z")]


def _account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(ACCOUNT)
    except KeyError:
        pass
    home = Path(tempfile.gettempdir()) / f"{ACCOUNT}-home"
    made = subprocess.run(
        ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
         "--user-group", ACCOUNT],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if made.returncode != 0:
        missing("an unprivileged account for fixes", f"useradd failed: {made.stderr.strip()}")
    return pwd.getpwnam(ACCOUNT)


@pytest.fixture(scope="session")
def fix_account() -> Iterator[FixUser]:
    """The account fixes run as, and the command that starts the helper as it."""
    folder = Path(tempfile.mkdtemp(prefix="hdt-fix-helper-"))
    folder.chmod(0o755)
    helper = folder / "fix_helper.py"
    shutil.copyfile(fix_helper.__file__, helper)
    helper.chmod(0o644)
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.getuid())
        yield FixUser(me.pw_name, me.pw_uid, Path(me.pw_dir), [sys.executable, "-I", str(helper)])
    else:
        if not (shutil.which("setpriv") and Path(SYSTEM_PYTHON).exists()):
            missing("setpriv and /usr/bin/python3", "apt-get install util-linux python3")
        account = _account()
        command = [
            "setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups",
            SYSTEM_PYTHON, "-I", str(helper),
        ]  # fmt: skip
        yield FixUser(account.pw_name, account.pw_uid, Path(account.pw_dir), command)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fix_user(fix_account: FixUser) -> FixUser:
    """The account, its home emptied (what a test's fix changes starts from nothing)."""
    if fix_account.uid != os.getuid():
        for entry in fix_account.home.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        for pid in fix_account.processes():
            os.kill(pid, 9)
    return fix_account
