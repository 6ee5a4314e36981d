"""Starting at log-in: the installer's entry for everyone, and each user's own choice.

Linux's XDG entries are real files in a temporary home; Windows' ``Run`` keys are
a fake registry; the macOS agent is a real plist read back with ``plistlib``.
"""

from __future__ import annotations

import configparser
import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from client import AUTOSTART_FLAG
from client.adapters.autostart import (
    LAUNCH_AGENT_LABEL,
    LaunchAgent,
    WindowsRun,
    XdgAutostart,
    login_entry,
)

COMMAND = ["/usr/lib/helpdesk tray/helpdesk-tray", AUTOSTART_FLAG]


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def _xdg(tmp_path: Path, system: bool) -> tuple[XdgAutostart, Path]:
    etc = tmp_path / "etc-xdg"
    if system:
        (etc / "autostart").mkdir(parents=True)
        (etc / "autostart" / "helpdesk-tray.desktop").write_text(
            "[Desktop Entry]\nType=Application\nExec=helpdesk-tray --autostart\n"
        )
    home = tmp_path / "config"
    return XdgAutostart(home, [tmp_path / "elsewhere", etc], COMMAND), home / "autostart"


def test_without_an_installer_the_user_turns_their_own_entry_on_and_off(tmp_path: Path) -> None:
    entry, folder = _xdg(tmp_path, system=False)
    assert not entry.starts()
    entry.set(True)
    written = _entry(folder / "helpdesk-tray.desktop")
    assert written["Exec"] == '"/usr/lib/helpdesk tray/helpdesk-tray" --autostart'
    assert written["Type"] == "Application" and "Hidden" not in written
    assert entry.starts()
    entry.set(False)
    assert not (folder / "helpdesk-tray.desktop").exists() and not entry.starts()


def test_a_user_hides_the_installers_entry_and_shows_it_again(tmp_path: Path) -> None:
    entry, folder = _xdg(tmp_path, system=True)
    assert entry.starts(), "the installer's entry starts it for everyone"
    entry.set(False)
    assert _entry(folder / "helpdesk-tray.desktop")["Hidden"] == "true"
    assert not entry.starts()
    entry.set(True)
    assert not (folder / "helpdesk-tray.desktop").exists(), "the installer's entry applies again"
    assert entry.starts()


def test_the_folders_come_from_the_xdg_environment(tmp_path: Path) -> None:
    environ = {
        "XDG_CONFIG_HOME": str(tmp_path / "home"),
        "XDG_CONFIG_DIRS": f"{tmp_path / 'a'}:{tmp_path / 'b'}",
    }
    (tmp_path / "b" / "autostart").mkdir(parents=True)
    (tmp_path / "b" / "autostart" / "helpdesk-tray.desktop").write_text("[Desktop Entry]\n")
    entry = XdgAutostart.from_environment(environ, COMMAND)
    assert entry.starts()
    entry.set(False)
    assert (tmp_path / "home" / "autostart" / "helpdesk-tray.desktop").is_file()


def test_the_desktop_reads_the_entry_the_way_it_was_written(tmp_path: Path) -> None:
    # desktop-file-validate is the desktop's own checker, where installed.
    entry = XdgAutostart(tmp_path, [], ["/opt/it help/helpdesk-tray", AUTOSTART_FLAG])
    entry.set(True)
    path = tmp_path / "autostart" / "helpdesk-tray.desktop"
    checked = subprocess.run(
        ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


class _Registry:
    def __init__(self, machine: bool) -> None:
        self.machine = machine
        self.user: dict[str, str] = {}

    def machine_has(self, name: str) -> bool:
        return self.machine and name == "helpdesk-tray"

    def user_value(self, name: str) -> str | None:
        return self.user.get(name)

    def set_user_value(self, name: str, command: str | None) -> None:
        if command is None:
            self.user.pop(name, None)
        else:
            self.user[name] = command


def test_on_windows_the_users_run_value_is_written_only_without_the_installers() -> None:
    keys = _Registry(machine=False)
    run = WindowsRun(keys, ["C:\\Program Files\\helpdesk-tray\\helpdesk-tray.exe", AUTOSTART_FLAG])
    run.set(True)
    assert keys.user == {
        "helpdesk-tray": '"C:\\Program Files\\helpdesk-tray\\helpdesk-tray.exe" --autostart'
    }
    assert run.starts()
    run.set(False)
    assert keys.user == {} and not run.starts()
    installed = _Registry(machine=True)
    run = WindowsRun(installed, ["helpdesk-tray.exe", AUTOSTART_FLAG])
    run.set(True)
    assert installed.user == {} and run.starts(), "the machine's value starts it already"


def test_on_a_mac_the_users_agent_runs_the_tray_at_log_in(tmp_path: Path) -> None:
    system = tmp_path / "Library-LaunchAgents"
    agent = LaunchAgent(tmp_path / "home", COMMAND, system=system)
    agent.set(True)
    path = tmp_path / "home" / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
    written = plistlib.loads(path.read_bytes())
    assert written["ProgramArguments"] == COMMAND and written["RunAtLoad"] is True
    assert written["Label"] == LAUNCH_AGENT_LABEL and agent.starts()
    agent.set(False)
    assert not path.exists() and not agent.starts()
    system.mkdir()
    (system / f"{LAUNCH_AGENT_LABEL}.plist").write_bytes(plistlib.dumps({"Label": "x"}))
    agent.set(True)
    assert not path.exists() and agent.starts(), "the installer's agent starts it already"


@pytest.mark.parametrize(
    ("platform", "kind"),
    [("linux", XdgAutostart), ("win32", WindowsRun), ("darwin", LaunchAgent)],
)
def test_each_platform_gets_its_own_entry_for_this_program(platform: str, kind: type) -> None:
    entry = login_entry(platform, {"HOME": "/home/anna", "XDG_CONFIG_HOME": "/home/anna/.c"})
    assert isinstance(entry, kind)


def _run_at_login(tmp_path: Path, choice: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / choice
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.toml").write_text(f"[startup]\nautostart = {choice}\n")
    environ = {"HELPDESK_TRAY_HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-P", "-m", "client", AUTOSTART_FLAG],
        env=environ, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_started_at_log_in_by_a_user_who_said_no_it_ends_before_any_window(
    tmp_path: Path,
) -> None:
    # No display at all: a tray that went on would stop at "no display" (exit 2).
    said_no = _run_at_login(tmp_path, "false")
    assert said_no.returncode == 0, said_no.stderr
    log = (tmp_path / "false" / "log").rglob("*.log")
    assert any("turned that off" in p.read_text() for p in log)
    said_yes = _run_at_login(tmp_path, "true")
    assert said_yes.returncode == 2, "it went on to start the tray"
