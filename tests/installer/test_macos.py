"""macOS: the LaunchAgent and the example configuration profile, read as macOS reads them.

Both are parsed with plistlib; the profile's settings payload goes through the
app's own managed-preferences reader, as macOS hands it over in
``/Library/Managed Preferences/<bundle id>.plist``.
"""

from __future__ import annotations

import plistlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from client import AUTOSTART_FLAG
from client.adapters.autostart import LAUNCH_AGENT_LABEL
from client.adapters.managed_policy import (
    BUNDLE_ID,
    MANAGED_PREFERENCES_FILE,
    preferences_policy,
    read_managed_preferences,
)
from client.adapters.policy import load_settings
from client.core.paths import Paths
from client.core.settings import Settings

FOLDER = Path(__file__).resolve().parents[2] / "installer" / "macos"
AGENT = FOLDER / f"{BUNDLE_ID}.plist"
PROFILE = FOLDER / "helpdesk-tray.mobileconfig"


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        loaded = plistlib.load(file, fmt=plistlib.FMT_XML)
    assert isinstance(loaded, dict)
    return loaded


def _settings_payload() -> dict[str, Any]:
    [payload] = [p for p in _load(PROFILE)["PayloadContent"] if p["PayloadType"] == BUNDLE_ID]
    assert isinstance(payload, dict)
    return payload


def test_the_launch_agent_starts_the_tray_at_each_desktop_log_in() -> None:
    agent = _load(AGENT)
    # One name everywhere: the agent the app looks for (autostart.py), the managed domain.
    assert agent["Label"] == LAUNCH_AGENT_LABEL == BUNDLE_ID
    program, *arguments = agent["ProgramArguments"]
    assert program.startswith("/Applications/") and program.endswith(
        "/Contents/MacOS/helpdesk-tray"
    )
    assert arguments == [AUTOSTART_FLAG]
    assert agent["RunAtLoad"] is True
    assert agent["LimitLoadToSessionType"] == "Aqua"  # the desktop, not SSH or background
    assert agent.get("KeepAlive", False) is False  # a tray the user quit stays quit
    assert "UserName" not in agent  # a LaunchAgent runs as the user who logs in
    assert AGENT.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_the_profile_is_a_complete_configuration_profile() -> None:
    profile = _load(PROFILE)
    assert profile["PayloadType"] == "Configuration"
    assert profile["PayloadVersion"] == 1
    assert profile["PayloadScope"] == "System"  # managed preferences for the computer
    identifiers = [profile["PayloadIdentifier"]]
    uuids = [profile["PayloadUUID"]]
    for payload in profile["PayloadContent"]:
        for key in ("PayloadType", "PayloadIdentifier", "PayloadUUID", "PayloadDisplayName"):
            assert isinstance(payload[key], str) and payload[key], key
        assert payload["PayloadVersion"] == 1
        identifiers.append(payload["PayloadIdentifier"])
        uuids.append(payload["PayloadUUID"])
    assert all(str(uuid.UUID(u)).upper() == u for u in uuids)  # GUIDs as macOS writes them
    assert len(set(uuids)) == len(uuids) and len(set(identifiers)) == len(identifiers)
    assert all(i.startswith(profile["PayloadIdentifier"]) for i in identifiers)
    assert MANAGED_PREFERENCES_FILE.name == f"{_settings_payload()['PayloadType']}.plist"


def test_the_profiles_settings_land_as_locked_settings(paths: Paths) -> None:
    payload = _settings_payload()
    policy = preferences_policy(payload, str(MANAGED_PREFERENCES_FILE))
    assert policy.problems == ()
    result = load_settings(paths, {}, managed=lambda: policy)
    assert result.problems == ()
    settings = result.settings
    assert settings.desk_kind == "django-helpdesk"
    assert settings.desk_url == "https://servicedesk.example.org"
    assert settings.poll_interval_s == 600
    assert settings.allow_screenshots is False
    assert settings.quiet_hours == "22:00-07:00"
    assert settings.autostart is True
    assert result.locked == {
        "desk.kind", "desk.url", "network.poll_interval_s", "reports.screenshots",
        "notifications.quiet_hours", "startup.autostart",
    }  # fmt: skip
    assert settings.language == Settings().language  # what it leaves out stays the user's


@pytest.mark.parametrize("fmt", [plistlib.FMT_XML, plistlib.FMT_BINARY])
def test_as_macos_writes_it_to_managed_preferences_the_reader_reads_the_same(
    tmp_path: Path, fmt: plistlib.PlistFormat
) -> None:
    payload = _settings_payload()
    managed = tmp_path / f"{BUNDLE_ID}.plist"
    managed.write_bytes(plistlib.dumps(payload, fmt=fmt))
    read = read_managed_preferences(managed)
    assert read.problems == ()
    assert read.values == preferences_policy(payload, "profile").values
    assert "PayloadUUID" not in read.values and len(read.values) == 6
