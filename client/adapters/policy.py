"""Reading the settings layers (IT policy, user file, environment) and saving the user file."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from client.core.paths import Paths
from client.core.settings import (
    KEYS,
    SETTINGS_VERSION,
    MergeResult,
    Settings,
    SettingsLayer,
    flatten,
    merge,
    unflatten,
)

if TYPE_CHECKING:
    from client.adapters.managed_policy import ManagedPolicy, ManagedSource

logger = logging.getLogger(__name__)

ENV_PREFIX = "HELPDESK_TRAY_"
_META_VERSION = "meta.settings_version"


def env_name(key: str) -> str:
    """``desk.url`` → ``HELPDESK_TRAY_DESK_URL``."""
    return ENV_PREFIX + key.upper().replace(".", "_")


def read_toml(path: Path) -> tuple[dict[str, object], list[str]]:
    """The flat values of a TOML settings file and any problem reading it.

    A missing file is simply empty; an unreadable or malformed one is reported
    and treated as empty, so a broken file never stops the client.
    """
    try:
        with path.open("rb") as file:
            tree = tomllib.load(file)
    except FileNotFoundError:
        return {}, []
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: ignored, it cannot be read: {exc}"]
    values = flatten(tree)
    values.pop(_META_VERSION, None)
    return values, []


def _parse_env(key: str, text: str) -> object:
    default = getattr(Settings(), KEYS[key].field)
    if isinstance(default, bool):
        return text.lower() in ("1", "true", "yes")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def env_values(environ: Mapping[str, str]) -> dict[str, object]:
    """Settings given as ``HELPDESK_TRAY_<SECTION>_<NAME>`` environment variables."""
    return {
        key: _parse_env(key, environ[env_name(key)]) for key in KEYS if env_name(key) in environ
    }


def _system_managed_policy() -> ManagedPolicy | None:
    """Group Policy or managed preferences; Linux has none (its module is not even loaded)."""
    if sys.platform == "win32" or sys.platform == "darwin":
        from client.adapters.managed_policy import system_managed_policy

        return system_managed_policy()
    return None


def load_settings(
    paths: Paths,
    environ: Mapping[str, str],
    overrides: Mapping[str, object] | None = None,
    *,
    managed: ManagedSource | None = None,
) -> MergeResult:
    """Merge defaults < IT policy (locks) < user file < environment < command line.

    IT's policy is two locking layers: first ``managed`` (Group Policy on
    Windows, managed preferences on macOS), then the policy file. Where both
    set a key, the first wins and the log says so, naming both.
    """
    policy, problems = read_toml(paths.policy_file)
    user, user_problems = read_toml(paths.user_settings_file)
    system = (managed or _system_managed_policy)()
    system_layers: list[SettingsLayer] = []
    if system is not None:
        problems += system.problems
        layer = system.layer()
        system_layers.append(layer)
        for key in sorted(merge([layer]).locked & policy.keys()):  # only what it sets validly
            logger.warning(
                "settings: %r is set by %s and by the policy file %s; %s wins",
                key,
                system.source,
                paths.policy_file,
                system.name,
            )
            del policy[key]
    problems += user_problems
    result = merge(
        [
            *system_layers,
            SettingsLayer("IT policy", policy, locks=True),
            SettingsLayer("user settings", user),
            SettingsLayer("environment", env_values(environ)),
            SettingsLayer("command line", dict(overrides or {})),
        ]
    )
    all_problems = tuple(problems) + result.problems
    for problem in all_problems:
        logger.warning("settings: %s", problem)
    return MergeResult(result.settings, result.locked, all_problems)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a crash leaves either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class UserSettingsFile:
    """The user's own settings file: only keys the user (or sign-in) changed are stored.

    Thread-safe: each update reads, changes and writes the file whole, one at a
    time (a sign-in and a department chosen at the same moment both stay).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def update(self, values: Mapping[str, object]) -> None:
        """Set ``values`` (flat keys) and keep everything else in the file.

        Raises:
            OSError: the file cannot be written (disk full, no permission).
        """
        unknown = set(values) - set(KEYS)
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        import tomli_w  # deferred: only sign-in writes settings (start-up budget)

        with self._lock:
            current, _ = read_toml(self.path)
            current.update(values)
            current[_META_VERSION] = SETTINGS_VERSION
            atomic_write(self.path, tomli_w.dumps(unflatten(current)).encode())


def settings_summary(settings: Settings) -> dict[str, object]:
    """Every setting by field name, for ``helpdesk-tray --debug`` style output and logs."""
    return {f.name: getattr(settings, f.name) for f in fields(settings)}
