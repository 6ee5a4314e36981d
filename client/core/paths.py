"""Where the client keeps its files: computed once at start-up, passed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    """The client's directories and the IT policy file it reads."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    policy_file: Path

    @property
    def profile_root_file(self) -> Path:
        """The profile's trusted root, installed by IT beside the policy."""
        return self.policy_file.parent / "profile-root.json"

    @property
    def ticket_files_dir(self) -> Path:
        """Where files of tickets the employee opened are kept (removed at sign-out)."""
        return self.cache_dir / "ticket-files"

    @property
    def profile_cache_dir(self) -> Path:
        """Where the last verified profile is kept."""
        return self.cache_dir / "profile"

    @property
    def user_settings_file(self) -> Path:
        """The user's own settings (TOML)."""
        return self.config_dir / "settings.toml"

    @property
    def log_file(self) -> Path:
        """The rotating application log."""
        return self.log_dir / "helpdesk-tray.log"

    @property
    def crash_file(self) -> Path:
        """Where a hard crash (segfault, abort) leaves its traceback for the next start."""
        return self.log_dir / "crash.log"
