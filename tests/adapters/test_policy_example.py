"""The example policy IT copies is valid and locks what it sets."""

from __future__ import annotations

from pathlib import Path

from client.adapters.policy import load_settings
from client.core.paths import Paths

EXAMPLE = Path(__file__).resolve().parents[2] / "installer" / "policy.toml"


def test_the_shipped_example_policy_loads_cleanly(paths: Paths) -> None:
    result = load_settings(
        Paths(paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir, EXAMPLE), {}
    )
    assert result.problems == ()
    assert result.settings.desk_url == "https://servicedesk.example.org"
    assert result.locked == {"desk.kind", "desk.url"}
