"""Group Policy (Windows) and managed preferences (macOS), with the platform faked.

The registry is a fake :class:`RegistryReader` (and, for the ``winreg`` glue, a
fake ``winreg`` module); macOS's managed preferences are real plist files in
``tmp_path``.
"""

from __future__ import annotations

import datetime
import logging
import plistlib
import subprocess
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from client.adapters.managed_policy import (
    BUNDLE_ID,
    MANAGED_PREFERENCES_FILE,
    REG_BINARY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_MULTI_SZ,
    REG_QWORD,
    REG_SZ,
    REGISTRY_KEY,
    ManagedPolicy,
    RegistryValue,
    WinregReader,
    read_group_policy,
    read_managed_preferences,
    registry_location,
    system_managed_policy,
)
from client.adapters.policy import load_settings
from client.core.paths import Paths
from client.core.settings import KEYS, Settings
from tests.support.fake_registry import FakeRegistry

GP = rf"Group Policy (HKLM\{REGISTRY_KEY})"


def dword(value: int) -> RegistryValue:
    return RegistryValue(value, REG_DWORD)


def sz(value: str) -> RegistryValue:
    return RegistryValue(value, REG_SZ)


def group_policy(**sections: Mapping[str, RegistryValue]) -> FakeRegistry:
    """``group_policy(desk={"url": sz(...)})``: values in section subkeys of the policy key."""
    return FakeRegistry({rf"{REGISTRY_KEY}\{name}": values for name, values in sections.items()})


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _load(
    paths: Paths, policy: ManagedPolicy | None
) -> tuple[Settings, frozenset[str], tuple[str, ...]]:
    result = load_settings(paths, {}, managed=lambda: policy)
    return result.settings, result.locked, result.problems


# --- Windows: Group Policy ------------------------------------------------------------------


def test_every_kind_of_group_policy_value_lands_as_a_locked_setting(paths: Paths) -> None:
    registry = group_policy(
        desk={"kind": sz("redmine"), "url": sz("https://desk.example.org")},
        network={"poll_interval_s": dword(600), "connect_timeout_s": dword(10)},
        reports={"screenshots": dword(0), "max_outbox_bytes": RegistryValue(8 << 30, REG_QWORD)},
        health={"enabled": dword(1), "tell_it": sz("never")},
    )
    _write(
        paths.user_settings_file,
        "[network]\npoll_interval_s = 120\n[reports]\nscreenshots = true\n",
    )
    settings, locked, problems = _load(paths, read_group_policy(registry))
    assert problems == (
        "user settings: 'network.poll_interval_s' is set by IT policy; ignored",
        "user settings: 'reports.screenshots' is set by IT policy; ignored",
    )
    assert (settings.desk_kind, settings.desk_url) == ("redmine", "https://desk.example.org")
    assert settings.poll_interval_s == 600  # the user's 120 is refused: locked
    assert settings.connect_timeout_s == 10.0 and isinstance(settings.connect_timeout_s, float)
    assert settings.allow_screenshots is False  # "Disabled" in Group Policy writes 0
    assert settings.max_outbox_bytes == 8 << 30
    assert settings.health_enabled is True and settings.health_tell_it == "never"
    assert locked == {
        "desk.kind", "desk.url", "network.poll_interval_s", "network.connect_timeout_s",
        "reports.screenshots", "reports.max_outbox_bytes", "health.enabled", "health.tell_it",
    }  # fmt: skip


def test_names_are_matched_without_regard_to_case_as_windows_does(paths: Paths) -> None:
    registry = FakeRegistry({rf"{REGISTRY_KEY}\Desk": {"URL": sz("https://desk.example.org")}})
    settings, locked, problems = _load(paths, read_group_policy(registry))
    assert settings.desk_url == "https://desk.example.org"
    assert locked == {"desk.url"} and problems == ()


def test_no_policy_key_means_no_group_policy(paths: Paths) -> None:
    policy = read_group_policy(FakeRegistry({r"Software\Policies\Other": {"x": dword(1)}}))
    assert policy.values == {} and policy.problems == ()
    settings, locked, problems = _load(paths, policy)
    assert settings == Settings() and locked == frozenset() and problems == ()


def test_group_policy_wins_over_the_policy_file_and_the_log_names_both(
    paths: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    _write(
        paths.policy_file,
        '[desk]\nurl = "https://file.example.org"\nqueue = "Servicedesk"\n'
        "[network]\npoll_interval_s = 900\n",
    )
    registry = group_policy(desk={"url": sz("https://gpo.example.org")})
    with caplog.at_level(logging.INFO, logger="client.adapters.policy"):
        settings, locked, problems = _load(paths, read_group_policy(registry))
    assert settings.desk_url == "https://gpo.example.org"
    assert settings.desk_queue == "Servicedesk" and settings.poll_interval_s == 900  # file only
    assert locked == {"desk.url", "desk.queue", "network.poll_interval_s"}
    assert problems == ()  # two IT sources agreeing on who wins is no problem for the user
    lines = [r.getMessage() for r in caplog.records if "'desk.url'" in r.getMessage()]
    assert len(lines) == 1
    assert GP in lines[0] and str(paths.policy_file) in lines[0] and "Group Policy wins" in lines[0]
    assert not any("desk.queue" in r.getMessage() for r in caplog.records)


def test_a_bad_group_policy_value_leaves_the_key_to_the_policy_file(
    paths: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    _write(paths.policy_file, "[network]\npoll_interval_s = 900\n")
    registry = group_policy(network={"poll_interval_s": sz("often")})
    with caplog.at_level(logging.INFO, logger="client.adapters.policy"):
        settings, locked, problems = _load(paths, read_group_policy(registry))
    assert settings.poll_interval_s == 900 and locked == {"network.poll_interval_s"}
    assert len(problems) == 1 and "network.poll_interval_s" in problems[0]
    assert not any("wins" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("section", "name", "value", "why"),
    [
        # A number where text is needed, text where a number is, and so on: the wrong kind.
        ("network", "poll_interval_s", sz("600"), "a REG_SZ value where a number (REG_DWORD)"),
        ("network", "connect_timeout_s", sz("2.5"), "a REG_SZ value where a number"),
        ("reports", "screenshots", sz("1"), "a REG_SZ value where REG_DWORD 0 (off) or 1 (on)"),
        ("reports", "screenshots", dword(2), "REG_DWORD 2 is neither 0 (off) nor 1 (on)"),
        (
            "reports",
            "screenshots",
            RegistryValue(1, REG_QWORD),
            "a REG_QWORD value where REG_DWORD",
        ),
        ("desk", "url", dword(1), "a REG_DWORD value where text (REG_SZ) is needed"),
        (
            "desk",
            "kind",
            RegistryValue(["redmine"], REG_MULTI_SZ),
            "a REG_MULTI_SZ value where text",
        ),
        ("desk", "url", RegistryValue("%X%", REG_EXPAND_SZ), "a REG_EXPAND_SZ value where text"),
        (
            "network",
            "retries",
            RegistryValue(b"\x01", REG_BINARY),
            "a REG_BINARY value where a number",
        ),
        ("network", "retries", RegistryValue(None, 0), "a type 0 value where a number"),
    ],
)
def test_a_value_of_the_wrong_kind_is_ignored_naming_the_key_and_the_source(
    paths: Paths, section: str, name: str, value: RegistryValue, why: str
) -> None:
    registry = group_policy(**{section: {name: value}})
    settings, locked, problems = _load(paths, read_group_policy(registry))
    key = f"{section}.{name}"
    assert settings == Settings() and locked == frozenset()  # the safe default applies
    assert len(problems) == 1
    assert problems[0].startswith(f"{GP}: {key!r} ignored: {why}")
    assert rf"HKLM\{REGISTRY_KEY}\{section}" in problems[0]


@pytest.mark.parametrize(
    ("section", "name", "value"),
    [
        ("network", "poll_interval_s", dword(5)),  # below 60 s
        ("network", "retries", dword(6)),
        ("network", "connect_timeout_s", dword(0)),
        ("health", "interval_min", RegistryValue(1 << 40, REG_QWORD)),
        ("desk", "kind", sz("jira")),  # not a desk this build knows
        ("desk", "url", sz("http://desk.example.org")),  # plain http to another computer
        ("notifications", "quiet_hours", sz("late")),
        ("ui", "language", sz("de")),
    ],
)
def test_a_value_out_of_range_is_ignored_naming_the_key_and_the_source(
    paths: Paths, section: str, name: str, value: RegistryValue
) -> None:
    settings, locked, problems = _load(
        paths, read_group_policy(group_policy(**{section: {name: value}}))
    )
    assert settings == Settings() and locked == frozenset()
    shown = value.data  # merge compares seconds as fractions
    if isinstance(shown, int) and isinstance(
        getattr(Settings(), KEYS[f"{section}.{name}"].field), float
    ):
        shown = float(shown)
    assert problems == (f"{GP}: invalid value {shown!r} for '{section}.{name}' ignored",)


def test_unknown_and_misplaced_values_are_named(paths: Paths) -> None:
    registry = FakeRegistry(
        {
            REGISTRY_KEY: {"desk.url": sz("https://desk.example.org")},  # not in a subkey
            rf"{REGISTRY_KEY}\desk": {"password": sz("secret")},
            rf"{REGISTRY_KEY}\printing": {"enabled": dword(1)},
        }
    )
    settings, locked, problems = _load(paths, read_group_policy(registry))
    assert settings == Settings() and locked == frozenset()
    assert set(problems) == {
        f"{GP}: value 'desk.url' ignored: settings live in a section's subkey",
        f"{GP}: unknown setting 'desk.password' ignored",
        f"{GP}: unknown setting 'printing.enabled' ignored",
    }


def test_a_key_that_cannot_be_read_is_named_and_the_rest_still_counts(paths: Paths) -> None:
    registry = FakeRegistry(
        {
            rf"{REGISTRY_KEY}\desk": {"url": sz("https://desk.example.org")},
            rf"{REGISTRY_KEY}\network": {"retries": dword(1)},
        },
        denied=frozenset({rf"{REGISTRY_KEY}\network"}),
    )
    settings, locked, problems = _load(paths, read_group_policy(registry))
    assert settings.desk_url == "https://desk.example.org" and settings.retries == 2
    assert locked == {"desk.url"}
    assert len(problems) == 1
    assert problems[0].startswith(rf"Group Policy (HKLM\{REGISTRY_KEY}\network): ignored")
    assert "Access is denied" in problems[0]

    unreadable = FakeRegistry({REGISTRY_KEY: {}}, denied=frozenset({REGISTRY_KEY}))
    policy = read_group_policy(unreadable)
    assert policy.values == {}
    assert policy.problems == (f"{GP}: ignored, it cannot be read: [Errno 5] Access is denied",)


def test_problems_are_logged_like_a_bad_policy_file(
    paths: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    registry = group_policy(network={"retries": sz("3")})
    with caplog.at_level(logging.WARNING, logger="client.adapters.policy"):
        _, _, problems = _load(paths, read_group_policy(registry))
    assert [r.getMessage() for r in caplog.records] == [f"settings: {problems[0]}"]


def test_every_key_has_a_registry_place_that_the_reader_reads(paths: Paths) -> None:
    """What the ADMX template writes (tools/make_admx.py uses registry_location) is read back."""
    for key in KEYS:
        path, name = registry_location(key)
        assert path.startswith(REGISTRY_KEY + "\\") and "." not in name
        default = getattr(Settings(), KEYS[key].field)
        value = dword(int(default)) if isinstance(default, int | float) else sz(default)
        policy = read_group_policy(FakeRegistry({path: {name: value}}))
        assert policy.problems == () and policy.values == {key: policy.values[key]}
        result = load_settings(paths, {}, managed=lambda policy=policy: policy)  # type: ignore[misc]
        assert result.locked == {key} and result.problems == (), key


# --- Windows: the winreg glue and the platform choice ----------------------------------------


class FakeWinreg(types.ModuleType):
    """The parts of ``winreg`` the reader uses, over a dict of key paths (HKLM only)."""

    HKEY_LOCAL_MACHINE = 0x80000002
    KEY_READ = 0x20019
    KEY_WOW64_64KEY = 0x0100

    def __init__(self, keys: Mapping[str, list[tuple[str, object, int]]]) -> None:
        super().__init__("winreg")
        self.keys = {path.lower(): values for path, values in keys.items()}
        self.opened: list[tuple[int, str, int]] = []

    @contextmanager
    def OpenKey(  # noqa: N802
        self, key: int, sub_key: str, reserved: int = 0, access: int = 0x20019, /
    ) -> Iterator[str]:
        self.opened.append((key, sub_key, access))
        wanted = sub_key.lower()
        if not any(k == wanted or k.startswith(wanted + "\\") for k in self.keys):
            raise FileNotFoundError(2, "The system cannot find the file specified")
        yield wanted

    def _children(self, key: str) -> list[str]:
        return sorted(
            {k[len(key) + 1 :].split("\\")[0] for k in self.keys if k.startswith(key + "\\")}
        )

    def QueryInfoKey(self, key: str, /) -> tuple[int, int, int]:  # noqa: N802
        return len(self._children(key)), len(self.keys.get(key, [])), 0

    def EnumKey(self, key: str, index: int, /) -> str:  # noqa: N802
        return self._children(key)[index]

    def EnumValue(self, key: str, index: int, /) -> tuple[str, object, int]:  # noqa: N802
        return self.keys[key][index]


def _fake_winreg() -> FakeWinreg:
    return FakeWinreg(
        {
            rf"{REGISTRY_KEY}\desk": [
                ("url", "https://desk.example.org", 1),
                ("kind", "zammad", 1),
            ],
            rf"{REGISTRY_KEY}\fixes": [("enabled", 0, 4)],
        }
    )


def test_the_winreg_reader_reads_the_64_bit_view_of_hklm() -> None:
    winreg = _fake_winreg()
    reader = WinregReader(winreg)
    assert reader.subkeys(REGISTRY_KEY) == ["desk", "fixes"]
    assert reader.values(rf"{REGISTRY_KEY}\desk") == {
        "url": sz("https://desk.example.org"),
        "kind": sz("zammad"),
    }
    assert reader.values(REGISTRY_KEY) == {}
    assert all(
        hive == FakeWinreg.HKEY_LOCAL_MACHINE
        and access == FakeWinreg.KEY_READ | FakeWinreg.KEY_WOW64_64KEY
        for hive, _, access in winreg.opened
    )
    with pytest.raises(FileNotFoundError):
        reader.values(r"Software\Policies\nothing")


def test_on_windows_the_system_policy_is_group_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "winreg", _fake_winreg())
    policy = system_managed_policy()
    assert policy is not None and policy.name == "Group Policy"
    assert policy.values == {
        "desk.url": "https://desk.example.org",
        "desk.kind": "zammad",
        "fixes.enabled": False,
    }


def test_on_macos_the_system_policy_is_the_managed_preferences_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    policy = system_managed_policy()
    assert policy is not None and policy.name == "managed preferences"
    assert policy.where == str(MANAGED_PREFERENCES_FILE)
    assert MANAGED_PREFERENCES_FILE == Path(f"/Library/Managed Preferences/{BUNDLE_ID}.plist")


def test_on_linux_there_is_only_the_policy_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert system_managed_policy() is None


def test_the_app_reads_group_policy_on_windows_without_being_told(
    monkeypatch: pytest.MonkeyPatch, paths: Paths
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "winreg", _fake_winreg())
    result = load_settings(paths, {})  # the app passes no source: the platform's own
    assert result.settings.desk_kind == "zammad" and "desk.kind" in result.locked


# --- macOS: managed preferences -------------------------------------------------------------


def _plist(
    path: Path, payload: dict[str, object] | list[str], fmt: plistlib.PlistFormat = plistlib.FMT_XML
) -> Path:
    path.write_bytes(plistlib.dumps(payload, fmt=fmt))
    return path


@pytest.mark.parametrize("fmt", [plistlib.FMT_XML, plistlib.FMT_BINARY])
def test_managed_preferences_land_as_locked_settings(
    paths: Paths, tmp_path: Path, fmt: plistlib.PlistFormat
) -> None:
    plist = _plist(
        tmp_path / f"{BUNDLE_ID}.plist",
        {
            "PayloadUUID": "2C9F1D52-3F43-4C4F-9C1B-1E1B8F0E3A11",  # a profile's own keys
            "desk": {"url": "https://desk.example.org", "kind": "topdesk"},
            "network": {"connect_timeout_s": 2.5, "retries": 0},
            "notifications": {"enabled": False},
        },
        fmt,
    )
    _write(paths.user_settings_file, "[notifications]\nenabled = true\n")
    settings, locked, problems = _load(paths, read_managed_preferences(plist))
    assert problems == ("user settings: 'notifications.enabled' is set by IT policy; ignored",)
    assert settings.desk_url == "https://desk.example.org" and settings.desk_kind == "topdesk"
    assert settings.connect_timeout_s == 2.5 and settings.retries == 0
    assert settings.notifications_enabled is False
    assert locked == {"desk.url", "desk.kind", "network.connect_timeout_s", "network.retries",
                      "notifications.enabled"}  # fmt: skip


def test_managed_preferences_win_over_the_policy_file_and_the_log_says_so(
    paths: Paths, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write(paths.policy_file, "[fixes]\nenabled = true\n")
    plist = _plist(tmp_path / "managed.plist", {"fixes": {"enabled": False}})
    with caplog.at_level(logging.INFO, logger="client.adapters.policy"):
        settings, locked, _ = _load(paths, read_managed_preferences(plist))
    assert settings.fixes_enabled is False and locked == {"fixes.enabled"}
    [line] = [r.getMessage() for r in caplog.records if "wins" in r.getMessage()]
    assert f"managed preferences ({plist})" in line and str(paths.policy_file) in line


def test_a_missing_managed_preferences_file_is_no_policy(tmp_path: Path) -> None:
    policy = read_managed_preferences(tmp_path / "none.plist")
    assert policy.values == {} and policy.problems == ()


@pytest.mark.parametrize(
    "content",
    [
        b"<?xml version='1.0'?><plist version='1.0'><dict><key>desk</key>",  # cut short
        b"bplist00\x00\x01garbage",  # a damaged binary plist
        b"\x00\xff not a plist at all",
        b"",
    ],
)
def test_a_damaged_managed_preferences_file_is_named_and_ignored(
    paths: Paths, tmp_path: Path, content: bytes
) -> None:
    plist = tmp_path / f"{BUNDLE_ID}.plist"
    plist.write_bytes(content)
    _write(paths.policy_file, '[ui]\nlanguage = "nl"\n')
    settings, locked, problems = _load(paths, read_managed_preferences(plist))
    assert settings.language == "nl" and locked == {"ui.language"}  # the file still counts
    assert len(problems) == 1
    assert problems[0].startswith(f"managed preferences ({plist}): ignored, it cannot be read")


def test_a_managed_preferences_file_without_a_dictionary_is_named(tmp_path: Path) -> None:
    plist = _plist(tmp_path / "list.plist", ["desk.url"])
    assert read_managed_preferences(plist).problems == (
        f"managed preferences ({plist}): ignored, it holds no dictionary",
    )


@pytest.mark.parametrize(
    ("section", "name", "value", "why"),
    [
        ("network", "poll_interval_s", "600", "a <string> where a whole number (<integer>)"),
        ("network", "poll_interval_s", 600.0, "a <real> where a whole number (<integer>)"),
        ("network", "poll_interval_s", True, "a <true/> or <false/> where a whole number"),
        ("network", "read_timeout_s", "30", "a <string> where a number (<integer> or <real>)"),
        ("network", "read_timeout_s", False, "a <true/> or <false/> where a number"),
        ("reports", "screenshots", 1, "a <integer> where <true/> or <false/> is needed"),
        ("reports", "screenshots", "false", "a <string> where <true/> or <false/>"),
        ("desk", "url", b"https://x", "a <data> where text (<string>) is needed"),
        ("desk", "kind", ["redmine"], "a <array> where text (<string>)"),
        ("ui", "language", datetime.datetime(2026, 1, 1), "a <date> where text (<string>)"),
    ],
)
def test_a_preference_of_the_wrong_kind_is_ignored_naming_the_key_and_the_file(
    paths: Paths, tmp_path: Path, section: str, name: str, value: object, why: str
) -> None:
    plist = _plist(tmp_path / "managed.plist", {section: {name: value}})
    settings, locked, problems = _load(paths, read_managed_preferences(plist))
    assert settings == Settings() and locked == frozenset()
    assert len(problems) == 1
    assert problems[0].startswith(
        f"managed preferences ({plist}): '{section}.{name}' ignored: {why}"
    )


def test_a_preference_out_of_range_or_unknown_is_named(paths: Paths, tmp_path: Path) -> None:
    plist = _plist(
        tmp_path / "managed.plist",
        {"health": {"interval_min": 1, "tell_it": "always"}, "desk": {"password": "x"}},
    )
    settings, locked, problems = _load(paths, read_managed_preferences(plist))
    assert settings == Settings() and locked == frozenset()
    source = f"managed preferences ({plist})"
    assert set(problems) == {
        f"{source}: invalid value 1 for 'health.interval_min' ignored",
        f"{source}: invalid value 'always' for 'health.tell_it' ignored",
        f"{source}: unknown setting 'desk.password' ignored",
    }


def test_a_tray_off_macos_never_loads_the_plist_reader() -> None:
    """plistlib brings expat (~0.8 MB, 5 ms): only macOS's trays read a plist."""
    code = (
        "import sys\nimport client.app\nfrom client.adapters.policy import load_settings\n"
        "print(sorted({'plistlib', 'pyexpat', 'winreg'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_user_key_written_by_hand_locks_like_in_the_policy_file(paths: Paths) -> None:
    """The template offers no policy for the employee's own keys, but the rules stay one."""
    registry = group_policy(desk={"username": sz("kiosk")})
    _write(paths.user_settings_file, '[desk]\nusername = "anna"\n')
    settings, locked, problems = _load(paths, read_group_policy(registry))
    assert settings.desk_username == "kiosk" and locked == {"desk.username"}
    assert problems == ("user settings: 'desk.username' is set by IT policy; ignored",)
