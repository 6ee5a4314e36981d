r"""IT policy from the system's own channels: Group Policy on Windows, managed preferences on macOS.

Both are read-only for the employee and become a *locking* layer, like the
policy file, read before it: where both set a key, this one wins
(``policy.load_settings`` logs it).

**Windows.** Group Policy (the ADMX template in ``installer/windows/policy``)
writes under ``HKEY_LOCAL_MACHINE\Software\Policies\helpdesk-tray``: one
subkey per section of the policy file, one value per key, named as in the
file (``desk.url`` is the value ``url`` in the subkey ``desk``; names are
matched without regard to case, as Windows does). Booleans and whole
numbers are ``REG_DWORD`` (``REG_QWORD`` too for numbers), text and choices
``REG_SZ``. Seconds that the file takes as fractions (the timeouts) are
whole seconds here. Only the machine's policy is read, not the user's
(``HKEY_CURRENT_USER\Software\Policies``): IT's settings hold for every
user of the computer.

**macOS.** A configuration profile whose payload type is :data:`BUNDLE_ID`
lands in ``/Library/Managed Preferences/<BUNDLE_ID>.plist``; its keys are
the sections as dictionaries (``desk = {url = …}``), typed as plists type
them (``<true/>``, ``<integer>``, ``<real>``, ``<string>``). The profile's
own ``Payload…`` keys are skipped.

A value of the wrong kind is ignored with a problem naming the key and the
source (``MergeResult.problems``, as for a bad policy file); ``merge`` then
refuses values out of range the same way. Either way the key keeps what the
policy file or the defaults give it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from client import APP_NAME
from client.core.settings import KEYS, Settings, SettingsLayer, flatten

#: The app's bundle identifier: the managed preferences' domain and a profile's PayloadType.
BUNDLE_ID = "org.helpdesk-tray.tray"
#: Where macOS puts the computer's managed preferences for this app.
MANAGED_PREFERENCES_FILE = Path("/Library/Managed Preferences") / f"{BUNDLE_ID}.plist"
#: The Group Policy key, under HKEY_LOCAL_MACHINE.
REGISTRY_KEY = rf"Software\Policies\{APP_NAME}"

# The registry's value types (winerror.h; the same numbers as winreg.REG_*).
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_MULTI_SZ = 7
REG_QWORD = 11
_REG_NAMES = {
    REG_SZ: "REG_SZ",
    REG_EXPAND_SZ: "REG_EXPAND_SZ",
    REG_BINARY: "REG_BINARY",
    REG_DWORD: "REG_DWORD",
    REG_MULTI_SZ: "REG_MULTI_SZ",
    REG_QWORD: "REG_QWORD",
}


def registry_location(key: str) -> tuple[str, str]:
    r"""Where Group Policy keeps ``key``: the key under HKLM and the value name.

    ``"desk.url"`` → ``("Software\Policies\helpdesk-tray\desk", "url")``.
    """
    section, _, name = key.partition(".")
    return rf"{REGISTRY_KEY}\{section}", name


@dataclass(frozen=True)
class RegistryValue:
    """One registry value as Windows hands it over: its data and its type (``REG_*``)."""

    data: object
    kind: int


class RegistryReader(Protocol):
    """The little of the registry the policy needs (HKEY_LOCAL_MACHINE only).

    Both raise ``FileNotFoundError`` when ``path`` does not exist and
    ``OSError`` when it cannot be read.
    """

    def subkeys(self, path: str) -> list[str]:
        """The names of the keys directly under ``path``."""
        ...

    def values(self, path: str) -> dict[str, RegistryValue]:
        """The values directly in ``path``, by name."""
        ...


class WinregApi(Protocol):
    """What :class:`WinregReader` uses of Python's ``winreg`` module (a fake in tests)."""

    HKEY_LOCAL_MACHINE: int
    KEY_READ: int
    KEY_WOW64_64KEY: int

    def OpenKey(  # noqa: N802 - winreg's own name
        self, key: int, sub_key: str, reserved: int = 0, access: int = ..., /
    ) -> AbstractContextManager[Any]:
        """Open ``sub_key`` of ``key``."""
        ...

    def QueryInfoKey(self, key: Any, /) -> tuple[int, int, int]:  # noqa: N802
        """How many subkeys and values the key has, and when it changed."""
        ...

    def EnumKey(self, key: Any, index: int, /) -> str:  # noqa: N802
        """The name of the subkey at ``index``."""
        ...

    def EnumValue(self, key: Any, index: int, /) -> tuple[str, Any, int]:  # noqa: N802
        """The name, data and type of the value at ``index``."""
        ...


class WinregReader:
    """:class:`RegistryReader` over ``winreg``, in the 64-bit view of HKEY_LOCAL_MACHINE."""

    def __init__(self, winreg: WinregApi) -> None:
        self._winreg = winreg

    def _open(self, path: str) -> AbstractContextManager[Any]:
        api = self._winreg
        return api.OpenKey(api.HKEY_LOCAL_MACHINE, path, 0, api.KEY_READ | api.KEY_WOW64_64KEY)

    def subkeys(self, path: str) -> list[str]:
        """The names of the keys directly under ``path``."""
        with self._open(path) as key:
            count = self._winreg.QueryInfoKey(key)[0]
            return [self._winreg.EnumKey(key, index) for index in range(count)]

    def values(self, path: str) -> dict[str, RegistryValue]:
        """The values directly in ``path``, by name."""
        found: dict[str, RegistryValue] = {}
        with self._open(path) as key:
            for index in range(self._winreg.QueryInfoKey(key)[1]):
                name, data, kind = self._winreg.EnumValue(key, index)
                found[name] = RegistryValue(data, kind)
        return found


@dataclass(frozen=True)
class ManagedPolicy:
    """What Group Policy or managed preferences set: flat values, and what was ignored."""

    #: "Group Policy" or "managed preferences".
    name: str
    #: The registry key or the file it was read from.
    where: str
    values: Mapping[str, object] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        r"""The name and the place, for messages: ``Group Policy (HKLM\…)``."""
        return f"{self.name} ({self.where})"

    def layer(self) -> SettingsLayer:
        """The locking settings layer these values make."""
        return SettingsLayer(self.source, self.values, locks=True)


def _kind_of(key: str) -> type:
    return type(getattr(Settings(), KEYS[key].field))


def _from_registry(key: str, value: RegistryValue) -> object:
    """The setting ``value`` gives ``key``; ``ValueError`` (why) for a value of the wrong kind."""
    kind = _kind_of(key)
    type_name = _REG_NAMES.get(value.kind, f"type {value.kind}")
    if kind is bool:
        if value.kind != REG_DWORD:
            raise ValueError(f"a {type_name} value where REG_DWORD 0 (off) or 1 (on) is needed")
        if value.data not in (0, 1):
            raise ValueError(f"REG_DWORD {value.data!r} is neither 0 (off) nor 1 (on)")
        return value.data == 1
    if kind in (int, float):
        if value.kind not in (REG_DWORD, REG_QWORD) or not isinstance(value.data, int):
            raise ValueError(f"a {type_name} value where a number (REG_DWORD) is needed")
        return value.data
    if value.kind != REG_SZ or not isinstance(value.data, str):
        raise ValueError(f"a {type_name} value where text (REG_SZ) is needed")
    return value.data


def read_group_policy(reader: RegistryReader) -> ManagedPolicy:
    """The settings Group Policy sets, through ``reader``."""
    where = rf"HKLM\{REGISTRY_KEY}"
    source = f"Group Policy ({where})"
    problems: list[str] = []
    values: dict[str, object] = {}
    try:
        sections = reader.subkeys(REGISTRY_KEY)
        loose = reader.values(REGISTRY_KEY)
    except FileNotFoundError:
        return ManagedPolicy("Group Policy", where)
    except OSError as exc:
        problem = f"{source}: ignored, it cannot be read: {exc}"
        return ManagedPolicy("Group Policy", where, {}, (problem,))
    for name in sorted(loose):
        problems.append(f"{source}: value {name!r} ignored: settings live in a section's subkey")
    for section in sorted(sections):
        path = rf"{REGISTRY_KEY}\{section}"
        try:
            found = reader.values(path)
        except OSError as exc:
            problems.append(f"Group Policy (HKLM\\{path}): ignored, it cannot be read: {exc}")
            continue
        for name, value in sorted(found.items()):
            key = f"{section.lower()}.{name.lower()}"
            if key not in KEYS:
                values[key] = value.data  # merge names it as unknown
                continue
            try:
                values[key] = _from_registry(key, value)
            except ValueError as why:
                problems.append(f"{source}: {key!r} ignored: {why} (HKLM\\{path}, value {name!r})")
    return ManagedPolicy("Group Policy", where, values, tuple(problems))


def _plist_type(value: object) -> str:
    names: list[tuple[type, str]] = [
        (bool, "<true/> or <false/>"),
        (int, "<integer>"),
        (float, "<real>"),
        (str, "<string>"),
        (bytes, "<data>"),
        (list, "<array>"),
        (dict, "<dict>"),
    ]
    return next((name for kind, name in names if isinstance(value, kind)), "<date>")


def _from_plist(key: str, value: object) -> object:
    """The setting ``value`` gives ``key``; ``ValueError`` (why) for a value of the wrong kind."""
    kind = _kind_of(key)
    if kind is bool:
        ok = isinstance(value, bool)
        needed = "<true/> or <false/>"
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        needed = "a whole number (<integer>)"
    elif kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        needed = "a number (<integer> or <real>)"
    else:
        ok = isinstance(value, str)
        needed = "text (<string>)"
    if not ok:
        raise ValueError(f"a {_plist_type(value)} where {needed} is needed")
    return value


def preferences_policy(payload: Mapping[str, object], where: str) -> ManagedPolicy:
    """The settings in a managed preferences dictionary (or a profile's payload)."""
    source = f"managed preferences ({where})"
    problems: list[str] = []
    values: dict[str, object] = {}
    settings = {name: value for name, value in payload.items() if not name.startswith("Payload")}
    for key, value in flatten(settings).items():
        if key not in KEYS:
            values[key] = value  # merge names it as unknown
            continue
        try:
            values[key] = _from_plist(key, value)
        except ValueError as why:
            problems.append(f"{source}: {key!r} ignored: {why}")
    return ManagedPolicy("managed preferences", where, values, tuple(problems))


def read_managed_preferences(path: Path = MANAGED_PREFERENCES_FILE) -> ManagedPolicy:
    """The settings in macOS's managed preferences file for this app (none if it is missing)."""
    import plistlib  # deferred: only macOS reads one; keeps expat out of other trays' start

    try:
        with path.open("rb") as file:
            payload = plistlib.load(file)
    except FileNotFoundError:
        return ManagedPolicy("managed preferences", str(path))
    # A damaged file must never stop the client, and plistlib fails in many ways
    # (ExpatError, InvalidFileException, ValueError, OverflowError, ...).
    except Exception as exc:
        problem = f"managed preferences ({path}): ignored, it cannot be read: {exc!r}"
        return ManagedPolicy("managed preferences", str(path), {}, (problem,))
    if not isinstance(payload, dict):
        problem = f"managed preferences ({path}): ignored, it holds no dictionary"
        return ManagedPolicy("managed preferences", str(path), {}, (problem,))
    return preferences_policy(payload, str(path))


def system_managed_policy() -> ManagedPolicy | None:
    """This computer's Group Policy or managed preferences (``None`` on Linux: the file only)."""
    policy: ManagedPolicy | None = None
    if sys.platform == "win32":
        import winreg  # Windows only

        policy = read_group_policy(WinregReader(winreg))
    elif sys.platform == "darwin":
        policy = read_managed_preferences()
    return policy


#: What ``load_settings`` asks for the system's policy (tests pass their own).
ManagedSource = Callable[[], ManagedPolicy | None]
