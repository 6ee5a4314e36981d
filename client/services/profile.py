"""The organisation's profile in the running tray: the kept copy at once, updates on a schedule.

At start the kept profile (the last one verified) is read and shown, then an
update runs (in the profile helper process, on the io runner), and again
every ``refresh_s``. An update that is refused or cannot run changes nothing
shown; it is remembered so the UI can say why. Past ``max_age_s`` since its
last verification the profile is still shown, marked as possibly out of
date (:attr:`ProfileView.stale`); nothing executable may use it then (the
Self-fix issue).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from client.core.errors import ClientError, as_client_error
from client.core.ports import KeptProfile, ProfileSource
from client.core.profile import Profile, ProfileError, UpdateOutcome, parse_profile
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProfileView:
    """The profile as the tray shows it now."""

    profile: Profile
    verified_at: float
    #: Older than the policy's maximum age: shown, marked as possibly out of date.
    stale: bool
    #: Why the last update was not taken ("" when it was, or none ran yet).
    refusal: str = ""
    refusal_role: str = ""


class ProfileService(QObject):
    """Keeps the profile up to date and says when it changed.

    Signals:
        changed(): :attr:`view` changed (a profile read, an update taken or refused).
    """

    changed = Signal()

    def __init__(
        self,
        io: TaskRunner,
        source: ProfileSource,
        *,
        photos: bool = True,
        refresh_s: float = 6 * 3600.0,
        max_age_s: float = 7 * 86400.0,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._io = io
        self._source = source
        self._photos = photos
        self._max_age_s = max_age_s
        self._clock = clock
        self._kept: KeptProfile | None = None
        self._profile: Profile | None = None
        self._last: UpdateOutcome = UpdateOutcome()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._refresh_ms = round(refresh_s * 1000)
        self._timer.timeout.connect(self.update_now)
        self._updating = False
        self._starting = False

    @property
    def view(self) -> ProfileView | None:
        """The profile shown now, or ``None`` (none was ever verified)."""
        if self._profile is None or self._kept is None:
            return None
        verified_at = self._kept.verified_at
        return ProfileView(
            self._profile,
            verified_at,
            self._clock() - verified_at > self._max_age_s,
            self._last.refusal,
            self._last.role,
        )

    @property
    def last_update(self) -> UpdateOutcome:
        """What the last update did (its refusal, even with no profile to show)."""
        return self._last

    @property
    def refresh_pending(self) -> bool:
        """Whether the next update is scheduled."""
        return self._timer.isActive()

    def start(self) -> None:
        """Show the kept profile, then update: at once, or when it is due.

        A profile verified less than the refresh interval ago is not updated
        again at start: a restart costs the web server nothing.
        """
        self._starting = True
        self._read()

    def _update_when_due(self) -> None:
        self._starting = False
        age_ms = 0.0 if self._kept is None else (self._clock() - self._kept.verified_at) * 1000
        if self._kept is not None and 0 <= age_ms < self._refresh_ms:
            self._timer.start(round(self._refresh_ms - age_ms))
        else:
            self.update_now()

    def stop(self) -> None:
        """No more updates; one on its way is stopped (the app is quitting)."""
        self._timer.stop()
        self._source.cancel()

    def update_now(self) -> bool:
        """Update now unless an update is on its way; whether one was started."""
        if self._updating:
            return False
        self._updating = True
        self._timer.stop()
        self._io.submit(
            self._source.update, owner=self, on_success=self._updated, on_error=self._failed
        )
        return True

    def avatar(self, agent_id: str, then: Callable[[bytes | None], None]) -> None:
        """Read the agent's prepared photo on a worker; ``then`` gets it (``None``: initials)."""
        kept = self._kept
        if kept is None:
            then(None)
            return
        self._io.submit(
            lambda: kept.avatar(agent_id),
            owner=self,
            on_success=then,
            on_error=lambda error: then(None),
        )

    def _read(self) -> None:
        self._io.submit(self._load, owner=self, on_success=self._loaded, on_error=self._unread)

    def _load(self) -> tuple[KeptProfile, Profile] | None:  # worker thread
        kept = self._source.kept()
        if kept is None:
            return None
        try:
            profile = parse_profile(kept.document, photos=self._photos)
        except ProfileError as error:
            logger.warning("the kept profile is not usable: %s", error)
            return None
        for problem in profile.problems:
            logger.warning("profile version %d: %s left out", profile.version, problem)
        return kept, profile

    def _loaded(self, loaded: tuple[KeptProfile, Profile] | None) -> None:
        if loaded is not None:
            self._kept, self._profile = loaded
            logger.info("profile version %d shown", self._profile.version)
            self.changed.emit()
        if self._starting:
            self._update_when_due()

    def _updated(self, outcome: UpdateOutcome) -> None:
        self._updating = False
        self._starting = False
        self._timer.start(self._refresh_ms)
        self._last = outcome
        if outcome.refusal:
            logger.warning(
                "profile update refused (%s %s): %s", outcome.refusal, outcome.role, outcome.detail
            )
            self.changed.emit()
            return
        for path in outcome.missing:
            logger.warning("profile file %s left out", path)
        self._read()

    def _unread(self, error: Exception) -> None:
        logger.warning("the kept profile could not be read: %s", as_client_error(error).detail)
        if self._starting:
            self._update_when_due()

    def _failed(self, error: Exception) -> None:
        self._updating = False
        self._starting = False
        self._timer.start(self._refresh_ms)
        problem: ClientError = as_client_error(error)
        logger.warning("the profile could not be updated: %s", problem.detail)
