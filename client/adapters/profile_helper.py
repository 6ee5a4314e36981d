"""The tray's side of the signed profile: updates in a helper process, the kept copy read here.

An update (TUF, signature checks with ``cryptography``) runs in
``helpdesk-tray --profile-helper``, one process per update
(:mod:`client.adapters.profile_worker`); the tray never loads tuf or
cryptography. It reads what the helper kept (``client/adapters/profile_store.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from client import PROFILE_HELPER_FLAG
from client.adapters.helper_process import HelperProblem, OneShotHelper, helper_command
from client.adapters.profile_store import ProfileCopy, ProfileStore
from client.core.errors import ClientError
from client.core.models import UpdateOutcome

#: How long one update may take, everything included (the HTTP limits apply inside).
DEFAULT_TIMEOUT_S = 300.0


def profile_helper_command() -> list[str]:
    """How to start the profile helper."""
    return helper_command(PROFILE_HELPER_FLAG)


class ProfileUnavailable(ClientError):
    """The profile helper could not run an update at all."""

    code = "profile_unavailable"


@dataclass(frozen=True)
class ProfileSettings:
    """Where the profile comes from and how it is fetched (from the IT policy)."""

    url: str
    root_file: Path
    cache_dir: Path
    photos: bool = True
    #: The HTTP limits IT set, as ``HttpConfig``'s fields (plain values: they go to the helper).
    http: Mapping[str, object] = field(default_factory=dict)


class ProfileHelper:
    """Runs updates in the helper and reads the kept profile. Thread-safe; call it on a worker."""

    def __init__(
        self,
        settings: ProfileSettings,
        command: Sequence[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._settings = settings
        self._helper = OneShotHelper(
            command or profile_helper_command(), timeout, "the profile helper"
        )
        self._store = ProfileStore(settings.cache_dir)

    def update(self) -> UpdateOutcome:
        """One verified update; the kept profile changes only when it is accepted."""
        s = self._settings
        request: dict[str, object] = {
            "url": s.url,
            "root_file": str(s.root_file),
            "cache_dir": str(s.cache_dir),
            "photos": s.photos,
            "http": dict(s.http),
        }
        try:
            answer = self._helper.ask(request)
        except HelperProblem as error:
            raise ProfileUnavailable(str(error)) from error
        if answer.get("ok") is not True:
            raise ProfileUnavailable(str(answer.get("error", "the profile helper failed")))
        refusal = answer.get("refusal")
        missing = answer.get("missing")
        missing_paths = tuple(str(m) for m in missing) if isinstance(missing, list) else ()
        if not isinstance(refusal, dict):
            return UpdateOutcome(missing=missing_paths)
        return UpdateOutcome(
            str(refusal.get("code", "invalid")),
            str(refusal.get("detail", ""))[:500],
            str(refusal.get("role", "")),
            missing_paths,
        )

    def kept(self) -> ProfileCopy | None:
        """The last good profile the helper kept, if any."""
        return self._store.load()

    def cancel(self) -> None:
        """Stop an update on its way (the app is quitting)."""
        self._helper.cancel()
