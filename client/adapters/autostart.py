"""Starting the tray when the user logs in: the installer's entry for everyone, or their own.

The installers start the tray for every user of the computer with
``helpdesk-tray --autostart`` (Linux: ``/etc/xdg/autostart``; Windows: the
machine's ``Run`` key; macOS: ``/Library/LaunchAgents``). A user who turns
"Start when I log in" off keeps that choice in their own settings
(``startup.autostart``), and ``--autostart`` then ends at once, before any
window or icon (``client/app.py``). Where no installer set it up (a source
install), the user's own log-in entry is written and removed here instead.

On Linux the XDG Autostart specification lets a user's file hide the
system's entry of the same name (``Hidden=true``), so nothing starts at all;
that is done too. Windows and macOS have no per-user way to hide the
machine's entry that an application may use, so there the flag decides.

Files and the registry are touched only when the user changes the choice, never
at start: running the tray from a checkout must not add a log-in entry.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from client import APP_NAME, AUTOSTART_FLAG
from client.adapters.helper_process import helper_command
from client.adapters.policy import atomic_write

logger = logging.getLogger(__name__)

#: The entry's file name (XDG) and value name (Windows ``Run``).
ENTRY_NAME = APP_NAME
#: The LaunchAgent's label (macOS), and its file name with ``.plist``.
LAUNCH_AGENT_LABEL = "org.helpdesk-tray.tray"


class LoginEntry(Protocol):
    """One platform's way of starting the tray at log-in, for the user running it."""

    def starts(self) -> bool:
        """Whether an entry (the installer's or the user's own) starts the tray at log-in."""
        ...

    def set(self, on: bool) -> None:
        """Start the tray at the user's next log-ins (``on``), or not.

        Raises:
            OSError: the entry could not be written or removed.
        """
        ...


def _desktop_entry(command: Sequence[str]) -> str:
    """An XDG desktop entry that starts ``command`` at log-in."""
    exec_line = " ".join(_desktop_quote(part) for part in command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=IT help\n"
        "Name[nl]=IT-hulp\n"
        "Comment=The IT service desk, one click away\n"
        "Comment[nl]=De IT-servicedesk, één klik weg\n"
        f"Exec={exec_line}\n"
        f"Icon={APP_NAME}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def _desktop_quote(part: str) -> str:
    """One argument of an ``Exec`` line, quoted as the Desktop Entry specification says."""
    if part and not any(c in part for c in " \t\n\"'\\><~|&;$*?#()`="):
        return part
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in part)
    return f'"{escaped}"'.replace("%", "%%")


def _hidden(text: str) -> bool:
    return any(line.strip().replace(" ", "") == "Hidden=true" for line in text.splitlines())


class XdgAutostart:
    """Linux and other XDG desktops: ``~/.config/autostart`` over the system's folders."""

    def __init__(
        self, config_home: Path, config_dirs: Sequence[Path], command: Sequence[str]
    ) -> None:
        """``config_home``/``config_dirs`` as ``$XDG_CONFIG_HOME``/``$XDG_CONFIG_DIRS`` say."""
        self._user = config_home / "autostart" / f"{ENTRY_NAME}.desktop"
        self._system = [d / "autostart" / f"{ENTRY_NAME}.desktop" for d in config_dirs]
        self._command = list(command)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], command: Sequence[str]) -> XdgAutostart:
        """The folders the desktop reads, from the environment (the specification's defaults)."""
        home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        return cls(Path(home), [Path(d) for d in dirs.split(os.pathsep) if d], command)

    def _system_entry(self) -> bool:
        return any(path.is_file() for path in self._system)

    def starts(self) -> bool:
        """The user's own file decides when there is one; else whether the system has one."""
        try:
            return not _hidden(self._user.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self._system_entry()
        except (OSError, UnicodeDecodeError):
            return False  # a file the desktop cannot read starts nothing either

    def set(self, on: bool) -> None:
        """Hide or show the system's entry with the user's own file, or write the user's entry."""
        if self._system_entry():
            if on:
                self._user.unlink(missing_ok=True)  # the system's entry applies again
            else:
                self._write("[Desktop Entry]\nType=Application\nName=IT help\nHidden=true\n")
        elif on:
            self._write(_desktop_entry(self._command))
        else:
            self._user.unlink(missing_ok=True)
        logger.info("start at log-in turned %s (%s)", "on" if on else "off", self._user)

    def _write(self, text: str) -> None:
        self._user.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self._user, text.encode("utf-8"))


class RunKeys(Protocol):
    """The two ``Run`` keys of Windows (the machine's and the user's), by value name."""

    def machine_has(self, name: str) -> bool:
        """Whether the machine's ``Run`` key (HKLM) has the value ``name``."""
        ...

    def user_value(self, name: str) -> str | None:
        """The user's ``Run`` value (HKCU) ``name``, if there is one."""
        ...

    def set_user_value(self, name: str, command: str | None) -> None:
        """Write the user's ``Run`` value, or delete it for ``None``."""
        ...


class WindowsRun:
    """Windows: the machine's ``Run`` value the installer wrote, or the user's own."""

    def __init__(self, keys: RunKeys, command: Sequence[str]) -> None:
        self._keys = keys
        self._command = " ".join(f'"{part}"' if " " in part else part for part in command)

    def starts(self) -> bool:
        """Whether the machine's or the user's ``Run`` key starts the tray."""
        return self._keys.machine_has(ENTRY_NAME) or self._keys.user_value(ENTRY_NAME) is not None

    def set(self, on: bool) -> None:
        """The user's own value, where the installer wrote none (else the setting decides)."""
        machine = self._keys.machine_has(ENTRY_NAME)
        self._keys.set_user_value(ENTRY_NAME, self._command if on and not machine else None)


def _winreg() -> Any:
    """Windows' registry module (typed loosely: its stubs exist only for Windows)."""
    import importlib

    return importlib.import_module("winreg")


class WinregRunKeys:
    """:class:`RunKeys` through ``winreg`` (Windows only)."""

    _PATH = r"Software\Microsoft\Windows\CurrentVersion\Run"

    def machine_has(self, name: str) -> bool:
        """Whether HKLM's ``Run`` key has ``name``."""
        winreg = _winreg()

        try:
            # The installer's value is in the 64-bit view, whatever this program is.
            access = winreg.KEY_READ | winreg.KEY_WOW64_64KEY
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, self._PATH, 0, access) as key:
                winreg.QueryValueEx(key, name)
            return True
        except OSError:
            return False

    def user_value(self, name: str) -> str | None:
        """HKCU's ``Run`` value ``name``, if any."""
        winreg = _winreg()

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self._PATH) as key:
                return str(winreg.QueryValueEx(key, name)[0])
        except OSError:
            return None

    def set_user_value(self, name: str, command: str | None) -> None:
        """Write HKCU's ``Run`` value ``name``, or delete it for ``None``."""
        winreg = _winreg()

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, self._PATH) as key:
            if command is None:
                try:
                    winreg.DeleteValue(key, name)
                except FileNotFoundError:
                    pass
            else:
                winreg.SetValueEx(key, name, 0, winreg.REG_SZ, command)


class LaunchAgent:
    """macOS: the installer's agent in ``/Library/LaunchAgents``, or the user's own."""

    def __init__(self, home: Path, command: Sequence[str], system: Path | None = None) -> None:
        name = f"{LAUNCH_AGENT_LABEL}.plist"
        self._user = home / "Library" / "LaunchAgents" / name
        self._system = (system or Path("/Library/LaunchAgents")) / name
        self._command = list(command)

    def starts(self) -> bool:
        """Whether the installer's or the user's agent starts the tray."""
        return self._system.is_file() or self._user.is_file()

    def set(self, on: bool) -> None:
        """The user's own agent, where the installer put none (else the setting decides)."""
        if on and not self._system.is_file():
            import plistlib  # deferred: only when the user turns it on, on a Mac

            agent = {
                "Label": LAUNCH_AGENT_LABEL,
                "ProgramArguments": self._command,
                "RunAtLoad": True,
                "LimitLoadToSessionType": "Aqua",
            }
            self._user.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self._user, plistlib.dumps(agent))
        else:
            self._user.unlink(missing_ok=True)


def login_entry(platform: str, environ: Mapping[str, str]) -> LoginEntry:
    """This platform's log-in entry: this program with :data:`~client.AUTOSTART_FLAG`."""
    command = helper_command(AUTOSTART_FLAG)
    if platform == "win32":
        return WindowsRun(WinregRunKeys(), command)
    if platform == "darwin":
        return LaunchAgent(Path(environ.get("HOME") or Path.home()), command)
    return XdgAutostart.from_environment(environ, command)
