"""Settings files: the IT policy, the user's file, the environment."""

from __future__ import annotations

import errno
import os
import tomllib
from pathlib import Path

import pytest

from client.adapters.paths import HOME_ENV, POLICY_ENV, default_paths
from client.adapters.policy import UserSettingsFile, env_name, load_settings, read_toml
from client.core.paths import Paths


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_no_files_means_defaults(paths: Paths) -> None:
    result = load_settings(paths, {})
    assert result.settings.desk_url == ""
    assert result.locked == frozenset()


def test_policy_locks_what_it_sets_and_the_user_file_fills_the_rest(paths: Paths) -> None:
    _write(
        paths.policy_file, '[desk]\nurl = "https://desk.example.org"\nkind = "django-helpdesk"\n'
    )
    _write(
        paths.user_settings_file,
        '[desk]\nurl = "https://elsewhere.example.org"\nusername = "anna"\n[ui]\nlanguage = "nl"\n',
    )
    result = load_settings(paths, {env_name("desk.url"): "https://env.example.org"})
    assert result.settings.desk_url == "https://desk.example.org"
    assert result.settings.desk_username == "anna"
    assert result.settings.language == "nl"
    assert result.locked == {"desk.url", "desk.kind"}


def test_environment_and_command_line_override_the_user_file(paths: Paths) -> None:
    _write(paths.user_settings_file, "[network]\npoll_interval_s = 600\n")
    environ = {env_name("network.poll_interval_s"): "120", env_name("ui.language"): "nl"}
    result = load_settings(paths, environ, {"ui.language": "en"})
    assert result.settings.poll_interval_s == 120
    assert result.settings.language == "en"


def test_a_malformed_file_is_reported_and_ignored(paths: Paths) -> None:
    _write(paths.policy_file, "[desk\nurl = ")
    result = load_settings(paths, {})
    assert result.settings.desk_url == ""
    assert any("cannot be read" in p for p in result.problems)


def test_an_unreadable_policy_does_not_stop_the_client(paths: Paths) -> None:
    paths.policy_file.mkdir(parents=True)  # a directory where a file should be
    values, problems = read_toml(paths.policy_file)
    assert values == {} and len(problems) == 1


def test_a_bad_environment_value_is_ignored(paths: Paths) -> None:
    result = load_settings(paths, {env_name("network.poll_interval_s"): "often"})
    assert result.settings.poll_interval_s == 300
    assert any("poll_interval_s" in p for p in result.problems)


def test_the_user_file_keeps_other_keys_and_records_its_version(paths: Paths) -> None:
    _write(paths.user_settings_file, '[ui]\nlanguage = "nl"\n')
    UserSettingsFile(paths.user_settings_file).update({"desk.url": "https://d.example.org"})
    tree = tomllib.loads(paths.user_settings_file.read_text())
    assert tree["ui"] == {"language": "nl"}
    assert tree["desk"] == {"url": "https://d.example.org"}
    assert tree["meta"] == {"settings_version": 1}
    assert load_settings(paths, {}).problems == ()
    assert [p.name for p in paths.config_dir.iterdir()] == ["settings.toml"]  # no temp left


def test_the_user_file_refuses_unknown_keys(paths: Paths) -> None:
    with pytest.raises(ValueError, match="unknown"):
        UserSettingsFile(paths.user_settings_file).update({"desk.password": "no"})
    assert not paths.user_settings_file.exists()


def test_a_failed_write_leaves_the_old_file(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(paths.user_settings_file, '[ui]\nlanguage = "nl"\n')

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        UserSettingsFile(paths.user_settings_file).update({"ui.language": "en"})
    assert 'language = "nl"' in paths.user_settings_file.read_text()
    assert [p.name for p in paths.config_dir.iterdir()] == ["settings.toml"]


def test_paths_follow_the_home_override_and_the_policy_override(tmp_path: Path) -> None:
    paths = default_paths({HOME_ENV: str(tmp_path), POLICY_ENV: str(tmp_path / "p.toml")})
    assert paths.config_dir == tmp_path / "config"
    assert paths.log_file.parent == tmp_path / "log"
    assert paths.policy_file == tmp_path / "p.toml"
    assert default_paths({}).policy_file == Path("/etc/helpdesk-tray/policy.toml")


def test_a_user_cannot_swap_the_installed_policy_for_their_own(tmp_path: Path) -> None:
    installed = tmp_path / "etc-policy.toml"
    installed.write_text('[desk]\nurl = "https://desk.example.org"\n')
    mine = tmp_path / "mine.toml"
    paths = default_paths({POLICY_ENV: str(mine)}, system_policy=installed)
    assert paths.policy_file == installed
    assert (
        default_paths({POLICY_ENV: str(mine)}, system_policy=tmp_path / "none").policy_file == mine
    )
