"""The per-user and system-wide places the client reads and writes."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from client import APP_NAME
from client.core.paths import Paths

logger = logging.getLogger(__name__)

#: Points every per-user directory at one folder (tests, benchmarks, the demo).
HOME_ENV = "HELPDESK_TRAY_HOME"
#: Reads the IT policy from another file (tests; IT trying out a policy on a test
#: machine). Ignored where IT installed a policy: a user must not escape it.
POLICY_ENV = "HELPDESK_TRAY_POLICY"


def system_policy_file() -> Path:
    """Where IT installs the policy file on this operating system."""
    if sys.platform == "win32":
        return Path(platformdirs.site_config_dir(APP_NAME, appauthor=False)) / "policy.toml"
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / APP_NAME / "policy.toml"
    return Path("/etc") / APP_NAME / "policy.toml"


def default_paths(environ: Mapping[str, str], system_policy: Path | None = None) -> Paths:
    """The platform's directories, or everything under ``$HELPDESK_TRAY_HOME``."""
    policy = system_policy or system_policy_file()
    override = environ.get(POLICY_ENV)
    if override and policy.exists():
        logger.warning("%s ignored: IT installed a policy at %s", POLICY_ENV, policy)
    elif override:
        policy = Path(override)
    home = environ.get(HOME_ENV)
    if home:
        root = Path(home)
        return Paths(
            config_dir=root / "config",
            data_dir=root / "data",
            cache_dir=root / "cache",
            log_dir=root / "log",
            policy_file=policy,
        )
    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        policy_file=policy,
    )
