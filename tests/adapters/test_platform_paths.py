"""Where the client's files are on Windows and macOS, with the platform faked.

``client.adapters.paths`` asks platformdirs; platformdirs picks its class for
the running system when imported. Here the Windows and macOS classes stand in,
``sys.platform`` says which system, and Windows' known folders come from
platformdirs' own override variables, so no Windows API is called.
"""

from __future__ import annotations

import sys
from pathlib import Path, PureWindowsPath

import platformdirs
import platformdirs.macos
import platformdirs.windows
import pytest

from client.adapters.paths import POLICY_ENV, default_paths, system_policy_file

PROGRAM_DATA = r"C:\ProgramData"
LOCAL_APP_DATA = r"C:\Users\anna\AppData\Local"


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    monkeypatch.setenv("WIN_PD_OVERRIDE_COMMON_APPDATA", PROGRAM_DATA)
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", LOCAL_APP_DATA)
    monkeypatch.setenv("WIN_PD_OVERRIDE_APPDATA", r"C:\Users\anna\AppData\Roaming")


@pytest.fixture
def macos(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.macos.MacOS)
    home = tmp_path / "Users" / "anna"
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    return home


def _windows(path: Path) -> PureWindowsPath:
    """A path platformdirs joined with this system's separator, read as Windows reads it."""
    return PureWindowsPath(str(path))


def test_on_windows_it_policy_is_in_program_data(windows: None) -> None:
    assert _windows(system_policy_file()) == PureWindowsPath(
        r"C:\ProgramData\helpdesk-tray\policy.toml"
    )
    paths = default_paths({})
    assert _windows(paths.policy_file) == PureWindowsPath(
        r"C:\ProgramData\helpdesk-tray\policy.toml"
    )
    assert _windows(paths.profile_root_file) == PureWindowsPath(
        r"C:\ProgramData\helpdesk-tray\profile-root.json"
    )


def test_on_windows_the_users_files_are_in_local_app_data(windows: None) -> None:
    paths = default_paths({})
    local = PureWindowsPath(LOCAL_APP_DATA) / "helpdesk-tray"
    assert _windows(paths.config_dir) == local
    assert _windows(paths.data_dir) == local  # platformdirs: config and data are one folder
    assert _windows(paths.cache_dir) == local / "Cache"
    assert _windows(paths.log_dir) == local / "Logs"
    assert _windows(paths.user_settings_file) == local / "settings.toml"


def test_on_windows_a_user_cannot_swap_the_installed_policy(
    windows: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    installed = tmp_path / "ProgramData" / "policy.toml"
    installed.parent.mkdir()
    installed.write_text('[desk]\nurl = "https://desk.example.org"\n')
    mine = tmp_path / "mine.toml"
    assert default_paths({POLICY_ENV: str(mine)}, system_policy=installed).policy_file == installed
    assert "ignored: IT installed a policy" in caplog.text


def test_on_macos_it_policy_is_in_library_application_support(macos: Path) -> None:
    expected = Path("/Library/Application Support/helpdesk-tray/policy.toml")
    assert system_policy_file() == expected
    assert default_paths({}).profile_root_file == expected.parent / "profile-root.json"


def test_on_macos_the_users_files_are_in_their_library(macos: Path) -> None:
    paths = default_paths({})
    library = macos / "Library"
    assert paths.config_dir == library / "Application Support" / "helpdesk-tray"
    assert paths.data_dir == library / "Application Support" / "helpdesk-tray"
    assert paths.cache_dir == library / "Caches" / "helpdesk-tray"
    assert paths.log_dir == library / "Logs" / "helpdesk-tray"


def test_on_linux_it_policy_is_in_etc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert system_policy_file() == Path("/etc/helpdesk-tray/policy.toml")
