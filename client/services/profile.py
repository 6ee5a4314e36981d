"""The organisation's profile in the running tray: updated on a schedule, read when needed.

At start only the kept profile's verification time is read, to know when the
next update is due; an update runs then (in the profile helper process, on
the io runner), and again every ``refresh_s``. The profile itself is read and
checked the first time something needs it (:meth:`ProfileService.want`: the
menu opened, a report begun): an idle tray nobody looked at holds none of it
(docs/performance.md, "The signed profile"). An update that is refused or
cannot run changes nothing shown; it is remembered so the UI can say why.
Past ``max_age_s`` since its last verification the profile is still shown,
marked as possibly out of date (:attr:`ProfileView.stale`); nothing
executable may use it then (the Self-fix issue).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from client.core.errors import ClientError, as_client_error
from client.core.models import UpdateOutcome
from client.core.ports import KeptProfile, ProfileSource
from client.services.tasks import TaskRunner

if TYPE_CHECKING:
    from client.core.fixes import Fix
    from client.core.health import Rule
    from client.core.profile import Profile
    from client.core.reading import Text

logger = logging.getLogger(__name__)

#: Refusals of a profile update after which the kept profile still counts as verified:
#: the server did not answer (it is not an attack, and the profile is within its age).
HARMLESS_REFUSALS = ("", "unreachable")


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
        self._verified_at: float | None = None
        self._profile: Profile | None = None
        #: Only the fixes and health rules, read for the health checks (the rest is not).
        self._checks: _Checks | None = None
        #: Something asked for the profile: read it now and after every accepted update.
        self._wanted = False
        self._last: UpdateOutcome = UpdateOutcome()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._refresh_ms = round(refresh_s * 1000)
        self._timer.timeout.connect(self.update_now)
        self._updating = False
        self._started = False
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
    def trusted(self) -> bool:
        """Whether the kept profile still counts as verified, so that its fixes may run.

        Not past the policy's maximum age, and the last update not refused for
        anything but an unreachable server.
        """
        verified_at = self._verified_at
        return (
            verified_at is not None
            and self._clock() - verified_at <= self._max_age_s
            and self._last.refusal in HARMLESS_REFUSALS
        )

    def fixes(self) -> tuple[Fix, ...]:
        """The kept profile's fixes, from whichever read there was (none before one)."""
        if self._profile is not None:
            return self._profile.fixes
        checks = self._checks
        if checks is None:
            return ()
        if checks.fixes is None:
            checks.fixes = _fixes_of(checks.kept.document)
        return checks.fixes

    def fix_titles(self) -> dict[str, Text | None]:
        """The kept profile's fixes by id, with their titles: what the health checks ask about.

        Read without the fixes' reader (the idle tray's memory budget): the fix
        check helper reads each fix whole and says which it could not check.
        """
        kept = self._kept_copy()
        return _fix_titles(kept.document) if kept is not None else {}

    def health_rules(self) -> tuple[Rule, ...]:
        """IT's changes to the health rules, from whichever read there was."""
        if self._profile is not None:
            return self._profile.health_rules
        checks = self._checks
        if checks is None:
            return ()
        if checks.rules is None:
            from client.core.health import parse_rules

            checks.rules = parse_rules(_published_rules(checks.kept.document), [])
        return checks.rules

    def published_health_rules(self) -> object:
        """IT's health rules as the kept profile publishes them (the health helper reads them)."""
        kept = self._kept_copy()
        return _published_rules(kept.document) if kept is not None else None

    def _kept_copy(self) -> KeptProfile | None:
        """The kept profile as last read: whole, or for the health checks."""
        return self._kept or (self._checks.kept if self._checks is not None else None)

    def read_checks(self) -> None:
        """Read the kept profile for the health checks, here and now, if not read yet.

        For the health checks, which need nothing else of it: the agents, their hours
        (with ``zoneinfo``) and the articles are not read, so a pass leaves the idle tray
        within its memory budget (docs/performance.md). One small local file, on the
        calling (GUI) thread, like :meth:`want` with ``at_once``; read again after an
        update is taken. A read of the whole profile serves as well.
        """
        if self._profile is not None or self._checks is not None or not self._started:
            return
        try:
            kept = self._source.kept()
        except Exception as error:  # noqa: BLE001 - the checks go on without IT's part
            logger.warning("the kept profile could not be read: %s", as_client_error(error).detail)
            return
        if kept is None:
            return
        self._verified_at = kept.verified_at
        self._checks = _Checks(kept)

    @property
    def last_update(self) -> UpdateOutcome:
        """What the last update did (its refusal, even with no profile to show)."""
        return self._last

    @property
    def refresh_pending(self) -> bool:
        """Whether the next update is scheduled."""
        return self._timer.isActive()

    @property
    def wanted(self) -> bool:
        """Whether the profile has been asked for (it is then kept read)."""
        return self._wanted

    def start(self) -> None:
        """Note when the kept profile was verified, then update: at once, or when it is due.

        A profile verified less than the refresh interval ago is not updated
        again at start: a restart costs the web server nothing.
        """
        self._started = self._starting = True
        self._read()

    def want(self, at_once: bool = False) -> None:
        """The profile is needed (the menu opened, a report begun): read it if not read yet.

        :attr:`changed` follows once it is read; from then on it is kept read.
        ``at_once`` reads it here and now, on the calling (GUI) thread: for the
        tray menu, whose entries must not move once it is open. That read is
        one small local file (about 3 KB, 1 ms; docs/performance.md), once.
        """
        if self._wanted:
            return
        self._wanted = True
        if at_once and self._started:
            try:
                loaded = self._load(True)
            except Exception as error:  # noqa: BLE001 - a worker's read would report it alike
                self._unread(error)
            else:
                if loaded is not None:
                    self._loaded(loaded)
        elif self._started and not self._starting:  # else the first read will parse it
            self._read()

    def _update_when_due(self) -> None:
        self._starting = False
        verified_at = self._verified_at
        age_ms = 0.0 if verified_at is None else (self._clock() - verified_at) * 1000
        if verified_at is not None and 0 <= age_ms < self._refresh_ms:
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

    def avatar(
        self, agent_id: str, then: Callable[[bytes | None], None], owner: QObject | None = None
    ) -> None:
        """Read the agent's prepared photo on a worker; ``then`` gets it (``None``: initials).

        ``owner``: the widget it is for (a read that ends after it is gone is dropped).
        """
        kept = self._kept
        if kept is None:
            then(None)
            return
        self._io.submit(
            lambda: kept.avatar(agent_id),
            owner=owner or self,
            on_success=then,
            on_error=lambda error: then(None),
        )

    def article_body(self, path: str, then: Callable[[bytes | None], None], owner: QObject) -> None:
        """Read a kept file (an article's body) on a worker; ``then`` gets it (``None``: gone).

        ``owner``: the window asking; a read that ends after it closed is dropped.
        """
        kept = self._kept
        if kept is None:
            then(None)
            return
        self._io.submit(
            lambda: kept.read(path), owner=owner, on_success=then, on_error=lambda _e: then(None)
        )

    def file_reader(self) -> Callable[[str], bytes | None]:
        """A reader of the kept profile's files for a worker (``None``: not kept, or changed)."""
        kept = self._kept_copy()
        if kept is None:
            return lambda path: None
        return kept.read

    def _read(self) -> None:
        parse = self._wanted
        if parse:
            # The reader (with zoneinfo) is imported here, on the GUI thread, never first on
            # a worker: a first import of zoneinfo on a worker thread corrupted the heap under
            # PySide6 (tests/services/test_profile_service.py, the threaded tests).
            import client.core.profile  # noqa: F401
        self._io.submit(
            lambda: self._load(parse), owner=self, on_success=self._loaded, on_error=self._unread
        )

    def _load(self, parse: bool) -> tuple[KeptProfile, Profile | None] | None:  # worker thread
        kept = self._source.kept()
        if kept is None:
            return None
        if not parse:
            version = kept.document.get("version")
            logger.info("profile version %s kept, verified %.0f s ago", version,
                        self._clock() - kept.verified_at)  # fmt: skip
            return kept, None
        # Deferred: the reader (and zoneinfo) load once something needs the profile,
        # imported first on the GUI thread (_read, want); here it is only looked up.
        from client.core.profile import ProfileError, parse_profile

        try:
            profile = parse_profile(kept.document, photos=self._photos)
        except ProfileError as error:
            logger.warning("the kept profile is not usable: %s", error)
            return None
        for problem in profile.problems:
            logger.warning("profile version %d: %s left out", profile.version, problem)
        return kept, profile

    def _loaded(self, loaded: tuple[KeptProfile, Profile | None] | None) -> None:
        if loaded is not None:
            kept, profile = loaded
            self._verified_at = kept.verified_at
            if profile is not None:
                self._kept, self._profile = kept, profile
                self._checks = None  # the whole profile serves
                logger.info("profile version %d shown", profile.version)
                self.changed.emit()
            elif self._wanted and self._profile is None:  # asked for while this read was on its way
                self._read()
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
        self._checks = None  # read again when next needed: the update may change them
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


@dataclass
class _Checks:
    """The kept profile as the health checks read it; its fixes and IT's rules once asked."""

    kept: KeptProfile
    fixes: tuple[Fix, ...] | None = None  # read when a fix is wanted (a finding's, a run)
    rules: tuple[Rule, ...] | None = None  # read with the first finding (docs/health.md)


def _fixes_of(document: dict[str, object]) -> tuple[Fix, ...]:
    """The fixes of a kept profile, read as :func:`parse_profile` reads them."""
    from client.core.fixes import parse_fixes
    from client.core.reading import readable

    if not readable(document):
        return ()  # the whole read says why, when the profile is shown
    return parse_fixes(document.get("fixes"), [])  # problems: named by the whole read


def _fix_titles(document: dict[str, object]) -> dict[str, Text | None]:
    """Each published fix's id and title, without reading the fixes whole (the health checks)."""
    from client.core.reading import MAX_ITEMS, mapping_of, read_text, readable

    fixes = document.get("fixes") if readable(document) else None
    titles: dict[str, Text | None] = {}
    for raw in fixes[:MAX_ITEMS] if isinstance(fixes, list) else ():
        fix_id = mapping_of(raw).get("id")
        if isinstance(fix_id, str) and fix_id and fix_id not in titles:
            titles[fix_id] = read_text(mapping_of(raw).get("title"))
    return titles


def _published_rules(document: dict[str, object]) -> object:
    from client.core.reading import readable

    health = document.get("health")
    return health.get("rules") if isinstance(health, dict) and readable(document) else None
