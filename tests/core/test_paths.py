"""Where the client's own files live inside the directories it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.core.paths import Paths

PATHS = Paths(
    config_dir=Path("/cfg"),
    data_dir=Path("/data"),
    cache_dir=Path("/cache"),
    log_dir=Path("/logs"),
    policy_file=Path("/etc/helpdesk-tray/policy.toml"),
)


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ("user_settings_file", Path("/cfg/settings.toml")),
        ("log_file", Path("/logs/helpdesk-tray.log")),
        ("crash_file", Path("/logs/crash.log")),
        ("profile_root_file", Path("/etc/helpdesk-tray/profile-root.json")),
        ("profile_cache_dir", Path("/cache/profile")),
        ("ticket_files_dir", Path("/cache/ticket-files")),
    ],
)
def test_each_file_is_inside_the_directory_it_belongs_to(attribute: str, expected: Path) -> None:
    assert getattr(PATHS, attribute) == expected
