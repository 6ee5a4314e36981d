"""The composition root: the objects around the tray icon, and their wiring.

The only module that constructs adapters. ``client.start`` shows the icon and
has :func:`assemble` build the rest once it is drawn (the icon first).

Deferred imports, on purpose: a tray app idles all day, and most days no
window is ever opened. So the windows and dialogs are imported when first
opened, and the HTTP stack (requests, truststore) on a worker thread after
the icon is on screen. The keyring lives in a helper process altogether
(client.adapters.secrets). That keeps start-up and idle
memory close to a bare Qt tray app's (docs/performance.md).
"""

from __future__ import annotations

import gc
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QObject,
    QThreadPool,
    QTimer,
    Slot,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from client import APP_NAME, __version__
from client.adapters.desks.registry import DeskRegistry
from client.adapters.memory import keep_large_buffers_apart, release_free_memory
from client.adapters.policy import UserSettingsFile
from client.adapters.secrets import HelperSecretStore, keyring_helper_command
from client.adapters.store import SqliteOutbox
from client.core.crash import CrashInfo
from client.core.errors import ClientError
from client.core.models import Attachment, AttachmentInfo, Stage, TicketRef
from client.core.outbox import OutboxItem, StoreRecovery
from client.core.paths import Paths
from client.core.ports import (
    DeskConnector,
    DiagnosticsSource,
    ImageEncoder,
    NetworkWatch,
    NotificationBus,
    OutboxStore,
    SecretStore,
)
from client.core.redact import Redactor
from client.core.settings import MergeResult, Settings
from client.core.tracking import Action
from client.core.tray_state import ConnectionState
from client.services.account import Account
from client.services.crash import CrashHandler
from client.services.evidence import EvidenceService
from client.services.network import NetworkMonitor
from client.services.notifier import Notifier
from client.services.outbox import OutboxService
from client.services.poller import TicketPoller
from client.services.reporting import ReportService
from client.services.status import TrayStatusPresenter
from client.services.tasks import TaskRunner
from client.services.ticket_actions import TicketActions
from client.start import STARTED_AT, TOKEN_ENV, WATCH_LOOP_ENV
from client.ui import texts
from client.ui.notifications import Notifications
from client.ui.profile_presenter import ProfilePresenter
from client.ui.tray import TrayIcon
from client.ui.windows import Windows

if TYPE_CHECKING:
    from client.adapters.autostart import LoginEntry
    from client.core.nudges import Track
    from client.services.fixes import FixContext, FixService, Record, Runner
    from client.services.health import BookStore, FixChecks, HealthService, Probe
    from client.services.profile import ProfileService
    from client.services.self_help import Searcher, SelfHelp
    from client.services.ticket_files import TicketFiles
    from client.ui.fix_presenter import FixPresenter
    from client.ui.health_presenter import HealthPresenter

logger = logging.getLogger(__name__)

#: How often the tray host is looked for again before the tickets window shows instead:
#: at log-in the panel often comes up after the apps it starts (about 95 s in all).
TRAY_RETRIES = 10
#: The first health pass this many milliseconds after start (tests, the demo, benchmarks).
HEALTH_FIRST_ENV = "HELPDESK_TRAY_HEALTH_FIRST_MS"
#: The first wait for the tray host, doubling each time up to the longest (no busy polling).
TRAY_RETRY_MS = 500
TRAY_RETRY_MAX_MS = 16_000
#: How long after start what start-up built is frozen out of the collector's passes.
FREEZE_AFTER_MS = 1000
#: How long after a window closes its memory is handed back (its objects are gone by then).
SETTLE_MS = 3000
#: How long the report dialog stays away before the screen is taken again.
SCREEN_CLEAR_MS = 300
#: How long after the panel closed the screen is taken for a report started in it.
PANEL_CLEAR_MS = 150


def connector_for(
    kind: str,
    settings_result: MergeResult,
    desks: DeskRegistry | None = None,
    remember_secret: Callable[[str], None] | None = None,
) -> DeskConnector:
    """The adapter for a desk kind, from ``desks`` (by default every desk of this build).

    ``remember_secret`` (the log redactor's) is told every secret the adapter learns.

    Runs on a worker thread. Deferred imports: the HTTP stack (requests,
    truststore, ssl) costs ~70 ms and ~11 MB, so it loads after the tray icon
    is on screen; and only the configured desk's adapter is imported
    (docs/performance.md).
    """
    from client.adapters.http import HttpConfig

    settings = settings_result.settings
    config = HttpConfig(**http_limits(settings))  # type: ignore[arg-type]
    return (desks or DeskRegistry()).connector(kind, config, settings, remember_secret)


def http_limits(settings: Settings) -> dict[str, object]:
    """The HTTP limits and proxy IT set, as ``HttpConfig``'s fields.

    Plain values, so that helper processes get the same rules as the tray.
    """
    return {
        "connect_timeout": settings.connect_timeout_s,
        "read_timeout": settings.read_timeout_s,
        "total_timeout": settings.total_timeout_s,
        "max_response_bytes": settings.max_response_bytes,
        "retries": settings.retries,
        "proxy": settings.proxy,
    }


def evidence_service(
    io: TaskRunner,
    settings_result: MergeResult,
    desk_url: Callable[[], str],
    log_file: Path,
    redactor: Redactor,
) -> EvidenceService:
    """Diagnostics, screenshots and the user's files, read and encoded on ``io``.

    The snapshot's local part (psutil) and the screenshot's encoding (Pillow)
    run in the evidence helper process, started when a report may follow and
    ended once the report's work is done: neither library ever loads into the
    tray (docs/performance.md, "after first use"). The desk check runs here.
    """
    from client.adapters.evidence_helper import EvidenceHelper, evidence_helper_command

    settings = settings_result.settings
    options = {
        "app_version": __version__,
        "log_file": str(log_file),
        "include_host_name": settings.include_host_name,
        "include_user_name": settings.include_user_name,
    }
    helper = EvidenceHelper(evidence_helper_command(options))

    def diagnostics() -> DiagnosticsSource:  # on a worker, at the first report
        from client.adapters.desk_probe import DeskProbe
        from client.adapters.evidence_helper import HelperDiagnostics

        probe = DeskProbe(desk_url, settings.proxy)
        return HelperDiagnostics(helper, probe, redactor, desk_url, settings.proxy)

    def encoder() -> ImageEncoder:
        from client.adapters.evidence_helper import HelperEncoder

        return HelperEncoder(helper)

    return EvidenceService(io, diagnostics, encoder, _read_user_file, helper=helper)


def profile_service(
    io: TaskRunner, settings_result: MergeResult, paths: Paths
) -> ProfileService | None:
    """The signed profile IT publishes, when the policy names one (``None``: none).

    Updates run in the profile helper process; tuf and cryptography never load here.
    """
    settings = settings_result.settings
    if not settings.profile_url:
        return None
    from client.adapters.profile_helper import ProfileHelper, ProfileSettings
    from client.services.profile import ProfileService

    helper = ProfileHelper(
        ProfileSettings(
            url=settings.profile_url,
            root_file=paths.profile_root_file,
            cache_dir=paths.profile_cache_dir,
            photos=settings.profile_photos,
            http=http_limits(settings),
        )
    )
    return ProfileService(
        io,
        helper,
        photos=settings.profile_photos,
        refresh_s=settings.profile_refresh_hours * 3600.0,
        max_age_s=settings.profile_max_age_days * 86400.0,
    )


def _open_session_notifications() -> NotificationBus:
    """The desktop's notification server on the session bus (on a worker, at the first toast)."""
    from client.adapters.notification_bus import DBusNotificationBus  # deferred: start-up

    return DBusNotificationBus.open("SESSION")


def _open_network_watch() -> NetworkWatch:
    """NetworkManager on the system bus (on a worker, after the tray is up)."""
    from client.adapters.network_watch import NetworkManagerWatch  # deferred: start-up

    return NetworkManagerWatch.open("SYSTEM")


def _save_ticket_file(folder: Path, name: str, data: bytes) -> Path:
    from client.adapters.files import save_ticket_file  # deferred: start-up budget

    return save_ticket_file(folder, name, data)


def _read_user_file(path: str, max_bytes: int) -> Attachment:
    from client.adapters.files import read_user_file  # deferred: start-up budget

    return read_user_file(path, max_bytes)


#: How long after a panel or a report opens the search helper is started (ms).
WARM_MS = 400


@dataclass(frozen=True)
class _SelfHelpParts:
    fixes: FixService
    search: SelfHelp
    presenter: FixPresenter


class TrayApp(QObject):
    """Owns the long-lived objects and connects them.

    What the windows show and where an intent lands is :class:`Windows`'s; the
    profile's people and articles are :class:`ProfilePresenter`'s.
    """

    def __init__(
        self,
        qapp: QApplication,
        settings_result: MergeResult,
        *,
        io: TaskRunner,
        serial: TaskRunner,
        outbox_store: OutboxStore,
        connector_for: Callable[[str], DeskConnector],
        secrets: SecretStore,
        save_settings: Callable[[Mapping[str, object]], None],
        redactor: Redactor,
        crash: CrashHandler,
        evidence: EvidenceService,
        preset_credential: str | None = None,
        tray_retries: int = TRAY_RETRIES,
        login_entry: Callable[[], LoginEntry] | None = None,
        open_bus: Callable[[], NotificationBus] | None = None,
        open_network: Callable[[], NetworkWatch] | None = None,
        desks: DeskRegistry | None = None,
        release_memory: Callable[[], object] = lambda: None,
        settle_ms: int = SETTLE_MS,
        before_large_work: Callable[[], object] = lambda: None,
        profile: ProfileService | None = None,
        files_folder: Path | None = None,
        record_path: Path | None = None,
        fix_context: Callable[[], FixContext] | None = None,
        fix_runner: Callable[[], Runner] | None = None,
        health_probe: Callable[[], Probe] | None = None,
        health_book: BookStore | None = None,
        health_history: Path | None = None,
        health_first_ms: int | None = None,
        fix_checks: Callable[[], FixChecks] | None = None,
        profile_folder: Path | None = None,
        tray: TrayIcon | None = None,
    ) -> None:
        super().__init__()
        desks = desks or DeskRegistry()
        # A while after a window closes (its objects deleted), freed memory goes back
        # to the system: an idle tray should not keep what one report needed.
        self._release_memory = release_memory
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(settle_ms)
        self._settle.timeout.connect(self._on_settle_timeout)
        self._qapp = qapp
        settings = settings_result.settings
        self._settings = settings
        self._io = io
        self._serial = serial
        self._outbox_store = outbox_store
        self._save_settings = save_settings
        self._tray_retries = tray_retries
        self._tray_attempts = 0
        self._login_entry = login_entry
        self._autostart_locked = "startup.autostart" in settings_result.locked
        self._settings_errors = settings_result.errors
        self._autostart_checked = False
        self._secrets = secrets
        self.account = Account(
            io,
            connector_for,
            secrets,
            save_settings,
            redactor.add_secret,
            desk_kind=settings.desk_kind,
            desk_url=settings.desk_url,
            username=settings.desk_username,
            preset_credential=preset_credential,
            parent=self,
        )
        self.poller = TicketPoller(
            io,
            slow_interval_s=settings.poll_interval_s,
            rare_interval_s=settings.rare_poll_interval_s,  # nothing open: nothing coming soon
            parent=self,
        )
        self.outbox = OutboxService(
            serial, io, outbox_store, lambda: self.account.desk, parent=self
        )
        self.notifier = Notifier(settings, parent=self)
        self.network = NetworkMonitor(io, open_network, parent=self)
        self.presenter = TrayStatusPresenter(
            self.account, self.poller, self.outbox, self.notifier, self
        )
        self.reports = ReportService(self.outbox, self)
        self.actions = TicketActions(
            io, lambda: self.account.desk, _read_user_file,
            max_bytes=settings.max_attachment_bytes, parent=self,
        )  # fmt: skip
        self.evidence = evidence
        evidence.setParent(self)
        # A ticket's files, fetched when the employee opens one (made then: see _ticket_files).
        self._files: TicketFiles | None = None
        self._files_folder = files_folder  # None: a private one, made when first needed
        # The icon may be on screen already (client/start.py): it shows the status from here.
        self.tray = tray if tray is not None else TrayIcon(self.presenter.status)
        self.tray.setParent(self)
        self.tray.apply_status(self.presenter.status)
        self.tray.show_autostart(settings.autostart, self._autostart_locked)
        self.notifications = Notifications(
            self.tray, io, open_bus=open_bus, app_name=APP_NAME, parent=self
        )
        self.windows = Windows(
            self.tray,
            self.account,
            self.reports,
            self.outbox,
            evidence,
            settings,
            tickets=lambda: (self.poller.tickets, self.poller.loaded),
            unseen=lambda: self.notifier.unseen,
            status=lambda: self.presenter.status,
            url_locked="desk.url" in settings_result.locked,
            offer_keep=desks.entry(settings.desk_kind).sessions_end,
            secret=desks.entry(settings.desk_kind).secret,
            before_large_work=before_large_work,
            parent=self,
        )
        self.profile = profile
        self.faces = ProfilePresenter(profile, self.account, self.tray, self.windows, io,
                                      settings, parent=self)  # fmt: skip
        # Self-help (the search while typing, IT's fixes, the record of what ran) is built
        # the first time it is needed: an idle tray nobody typed in holds none of it.
        self._fix_context = fix_context or (lambda: _fix_context(settings))
        self._fix_runner = fix_runner or _fix_runner
        self._record_path = record_path
        self._fix_checks = fix_checks
        self._profile_folder = profile_folder  # the kept profile: the fix check helper reads it
        self._self_help: _SelfHelpParts | None = None
        self._fixes: FixService | None = None
        windows, faces, tray = self.windows, self.faces, self.tray

        self.account.signed_in.connect(self._on_account_signed_in)
        self.account.signed_out.connect(self._on_account_signed_out)
        self.account.credential_not_saved.connect(self._on_account_credential_not_saved)
        self.poller.credential_rejected.connect(self.account.credential_rejected)
        self.poller.snapshot_updated.connect(windows.show_ticket_list)
        self.poller.connection_state_changed.connect(self._on_poller_connection_state_changed)
        self.poller.tickets_changed.connect(self.notifier.on_changes)
        self.poller.resumed.connect(self.notifier.resumed)
        self.poller.ticket_loaded.connect(windows.show_ticket_detail)
        self.poller.ticket_failed.connect(self._on_poller_ticket_failed)
        self.network.online_changed.connect(self.poller.network_changed)
        self.notifier.notify.connect(self.notifications.show)
        self.notifier.notify_summary.connect(self.notifications.show_summary)
        self.notifications.open_requested.connect(windows.show_ticket)
        self.notifications.tickets_requested.connect(windows.show_tickets)
        self.outbox.items_changed.connect(windows.show_reports)
        self.outbox.report_delivered.connect(self._poll_now)  # its ticket, in the list now
        if record_path is not None:
            self.outbox.report_delivered.connect(self._on_outbox_report_delivered)
        tray.record_requested.connect(lambda: self.self_fix.show_record())
        windows.help_wanted.connect(lambda text: self.self_help.query(text))
        windows.suggestion_chosen.connect(lambda kind, item: self.self_fix.choose(kind, item))
        # A box to type in opened: the search helper gets ready before the first keystroke,
        # once the window is drawn and settled (nobody types within WARM_MS of a click).
        self._warm = QTimer(self)
        self._warm.setSingleShot(True)
        self._warm.setInterval(WARM_MS)
        self._warm.timeout.connect(lambda: self.self_help.warm())
        windows.panel_opened.connect(self._warm.start)
        windows.report_opened.connect(self._warm.start)
        self.outbox.store_recovered.connect(self._on_outbox_store_recovered)
        self.outbox.attempt_failed.connect(self._on_outbox_attempt_failed)
        self.outbox.change_failed.connect(self._on_outbox_change_failed)
        self.reports.delivered_later.connect(self._on_reports_delivered_later)
        self.actions.done.connect(self._on_actions_done)
        self.actions.failed.connect(self._on_actions_failed)
        self.presenter.status_changed.connect(windows.show_status)

        tray.report_requested.connect(windows.report)
        tray.tickets_requested.connect(windows.show_tickets)
        tray.sign_in_requested.connect(windows.sign_in)
        tray.quit_requested.connect(self._qapp.quit)
        tray.autostart_chosen.connect(self._on_tray_autostart_chosen)
        tray.menu_opened.connect(self._check_autostart)
        tray.panel_requested.connect(windows.toggle_panel)
        tray.panel_wanted.connect(windows.open_panel)
        # Looked at: the tickets are worth asking for; a report may follow.
        for looked_at in (tray.menu_opened, windows.panel_opened):
            looked_at.connect(self.poller.poll_now)
            looked_at.connect(self.evidence.prepare)
        # A balloon (no notification server) must not land on the open menu or panel.
        tray.menu.aboutToShow.connect(lambda: self.notifications.hold(True, "menu"))
        tray.menu.aboutToHide.connect(lambda: self.notifications.hold(False, "menu"))
        windows.panel_opening.connect(lambda: self.notifications.hold(True, "panel"))
        windows.panel_closed.connect(lambda: self.notifications.hold(False, "panel"))

        windows.released.connect(self._settle.start)  # what the window held, given back
        windows.tickets_shown.connect(self._on_windows_tickets_shown)
        windows.ticket_watched.connect(self._on_windows_ticket_watched)
        windows.refresh_requested.connect(self._poll_now)
        windows.report_saved.connect(self._poll_now)
        windows.action_requested.connect(self._on_windows_action_requested)
        windows.file_requested.connect(self._on_windows_file_requested)
        windows.handler_shown.connect(faces.show_handler_face)  # a desk's photo, else initials
        if profile is not None:
            profile.setParent(self)
            # Read when first needed, for the menu at once, so that the card is in it when
            # it opens (nothing moves once it is open); "available until" moves on.
            for opening in (tray.menu_opened, windows.panel_opening):
                opening.connect(faces.want_profile)
                opening.connect(faces.show_agent)
            tray.articles_requested.connect(faces.show_articles)
            tray.contact_requested.connect(QDesktopServices.openUrl)
            tray.department_chosen.connect(self._on_tray_department_chosen)
            tray.department_chosen.connect(faces.choose_department)
            windows.report_opened.connect(faces.update_destination)
            # Opened from a notification before the menu or the panel: in the profile's colour.
            windows.tickets_shown.connect(faces.want_profile)
            self.account.person_known.connect(faces.show_agent)
            self.account.person_known.connect(faces.update_destination)
            profile.changed.connect(faces.profile_changed)
            profile.changed.connect(self._settle.start)  # what reading it took, given back
        crash.crashed.connect(windows.show_crash)
        self._qapp.aboutToQuit.connect(self._on_about_to_quit)
        # The health of this computer: on when the policy allows and a pass can be run.
        self._desk_lost_at: float | None = None
        self._started_in_s: float | None = None  # how long the tray took to be ready
        self.health: HealthService | None = None
        self.health_view: HealthPresenter | None = None
        tray.health_action.setVisible(False)
        if settings.health_enabled and health_probe is not None and health_book is not None:
            self._build_health(health_probe, health_book, health_history, health_first_ms)

    def _build_health(
        self,
        probe: Callable[[], Probe],
        book: BookStore,
        history: Path | None,
        first_ms: int | None,
    ) -> None:
        from client.core.settings import quiet_hours_span
        from client.services.health import (
            FIRST_PASS_MS,
            HealthOptions,
            HealthService,
            fixes_of,
            rules_of,
        )
        from client.ui.health_presenter import HealthPresenter

        settings = self._settings
        options = HealthOptions(
            mode=settings.health_tell_it,
            interval_s=settings.health_interval_min * 60.0,
            first_pass_ms=FIRST_PASS_MS if first_ms is None else first_ms,
            quiet_hours=quiet_hours_span(settings.quiet_hours),
            quiet_after_s=float(settings.quiet_after_start_s),
            history=str(history or ""),
            language=self.faces.language(),
            version=__version__,
        )
        profile, folder = self.profile, self._profile_folder
        checks = self._fix_checks if profile is not None and folder is not None else None
        self.health = health = HealthService(
            self._io, probe, book, lambda: rules_of(profile), self.outbox.enqueue,
            lambda: self.account.desk, options=options,
            fixes=lambda: self.fixes if profile is not None else None,
            profile_fixes=lambda: fixes_of(profile), fix_checks=checks,
            fix_request=lambda: {
                "profile": str(folder), "record": str(self._record_path or ""),
                "enabled": settings.fixes_enabled, "verified": bool(profile and profile.trusted),
            },
            desk_host=self._desk_host, desk_out_of_reach_s=self._desk_out_of_reach_s,
            tray_start_s=self._take_start_time,
            prepare=profile.read_checks if profile is not None else lambda: None,
            published_rules=(
                profile.published_health_rules if profile is not None else lambda: None
            ),
            store_runner=self._serial,
            ticket_stage=self._ticket_stage,
            parent=self,
        )  # fmt: skip
        self.health_view = HealthPresenter(
            health, self.notifications, self.windows, self.faces.language(),
            ask_first=settings.health_tell_it == "ask",
            fix=lambda fix_id: self.fixes.fix(fix_id) if profile is not None else None,
            choose=lambda kind, item: self.self_fix.choose(kind, item),
            show_record=lambda: self.self_fix.show_record(), parent=self,
        )  # fmt: skip
        self.tray.health_action.setVisible(True)
        self.windows.home.show_health(0)  # the panel links to the health view
        self.tray.health_requested.connect(self.health_view.show)
        self.windows.health_requested.connect(self.health_view.show)
        health.fixes_checked.connect(self._record_grew)
        self.outbox.report_delivered.connect(health.report_delivered)
        self.outbox.report_not_stored.connect(health.report_not_stored)
        self.poller.resumed.connect(health.resumed)

    def _record_grew(self) -> None:
        """The fix check helper added to the record: an open record view shows it."""
        if self._fixes is not None:
            self._fixes.record_changed.emit()

    def _ticket_stage(self, ticket: str) -> Stage | None:
        """Where one of the employee's tickets is, as the last poll saw it (``None``: unknown)."""
        return next((t.stage for t in self.poller.tickets if t.ref.id == ticket), None)

    def _desk_host(self) -> str:
        from urllib.parse import urlsplit

        try:
            return urlsplit(self.account.desk_url).hostname or ""
        except ValueError:
            return ""

    def _desk_out_of_reach_s(self) -> float | None:
        lost = self._desk_lost_at
        return None if lost is None else time.time() - lost

    def _take_start_time(self) -> float | None:
        started, self._started_in_s = self._started_in_s, None  # one sample per start
        return started

    def start(self) -> None:
        """Show the icon, then sign in from the keyring and pick up unsent reports."""
        self._show_tray()
        self.notifier.started()  # quiet for the first minute: nothing is news yet
        if self._settings_errors:
            QTimer.singleShot(0, self._tell_settings_errors)
        # The collector was off while the modules loaded and the app was built
        # (client/entry.py). On from here, after the icon's first frame (client/start.py):
        # its first pass walks all of start-up (~8 ms). Once signing in is under way, what
        # loading left in cycles is freed and the rest frozen (_freeze_start_up).
        gc.enable()
        QTimer.singleShot(FREEZE_AFTER_MS, self._freeze_start_up)
        QTimer.singleShot(0, self.account.restore)
        QTimer.singleShot(0, self.outbox.start)
        if self.profile is not None:
            QTimer.singleShot(0, self.profile.start)
        if self.health is not None:
            self.health.start()

    def show_previous_crash(self, details: str) -> None:
        """Tell the user, once, that the last run ended in a hard crash."""
        self.windows.show_crash(CrashInfo("previous-run", details.splitlines()[0], details), True)

    def _show_tray(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
            self._started_in_s = time.monotonic() - STARTED_AT  # a sample of "getting slower"
            return
        self._tray_attempts += 1
        if self._tray_attempts <= self._tray_retries:
            # The panel may still be starting (log-in): try again shortly.
            QTimer.singleShot(tray_retry_ms(self._tray_attempts), self._show_tray)
            return
        logger.warning("no system tray on this desktop; showing the tickets window instead")
        self._qapp.setQuitOnLastWindowClosed(True)
        self.windows.show_tickets()

    @Slot(str)
    def _on_tray_department_chosen(self, department_id: str) -> None:
        """The employee said which department they are in: remembered for next time."""
        values = {"profile.my_department": department_id}
        # On the serial runner: the settings file is read, changed and written whole, and a
        # sign-in saving the desk address at the same moment must not undo this (or that).
        self._serial.submit(
            lambda: self._save_settings(values),
            owner=self,
            on_success=lambda _none: None,
            on_error=lambda error: logger.warning("department choice not saved: %s", error),
        )

    def _freeze_start_up(self) -> None:
        """What start-up built lives as long as the app: out of the collector's full passes.

        They would otherwise hold the GUI thread for tens of ms (docs/performance.md, "The
        GUI thread under network faults"). One collection first (~8 ms), so that what
        loading left in cycles is freed rather than kept for good.
        """
        gc.collect()
        gc.freeze()

    def _tell_settings_errors(self) -> None:
        """Once at start: which IT settings were wrong (the log has each, for IT)."""
        errors = self._settings_errors
        listed = "\n".join(errors[:3]) + (f"\n(+{len(errors) - 3})" if len(errors) > 3 else "")
        text = self.tr(
            "Some settings on this computer could not be used, so the app uses safe "
            "defaults for them. Please tell your IT department:\n%1"
        ).replace("%1", listed)
        self.notifications.show_notice(self.tr("IT help"), text)

    def _check_autostart(self) -> None:
        """When the menu first opens: does an entry really start the tray at log-in?"""
        if self._autostart_checked or self._login_entry is None:
            return
        self._autostart_checked = True
        entry = self._login_entry
        self._serial.submit(
            lambda: entry().starts(),
            owner=self,
            on_success=lambda starts: self.tray.show_autostart(
                self._settings.autostart and bool(starts), self._autostart_locked
            ),
            on_error=lambda error: logger.warning("log-in entry not read: %s", error),
        )

    @Slot(bool)
    def _on_tray_autostart_chosen(self, on: bool) -> None:
        """The user's choice: kept in their settings, and their log-in entry made to match."""
        if self._autostart_locked:
            return
        self._settings = replace(self._settings, autostart=on)
        entry = self._login_entry

        def apply() -> None:
            # The entry first: it is what may be refused (a read-only folder, the
            # registry); the choice is kept only once it is applied.
            if entry is not None:
                entry().set(on)
            self._save_settings({"startup.autostart": on})

        self._serial.submit(
            apply,
            owner=self,
            on_success=lambda _none: None,
            on_error=lambda error: self._autostart_not_saved(on, error),
        )

    def _autostart_not_saved(self, on: bool, error: BaseException) -> None:
        logger.warning("start at log-in not turned %s: %s", "on" if on else "off", error)
        self._settings = replace(self._settings, autostart=not on)
        self.tray.show_autostart(not on, self._autostart_locked)

    def _poll_now(self) -> None:
        self.poller.poll_now(force=True)

    def _on_account_signed_in(self, _person: object) -> None:
        if self.account.desk is not None:
            self.poller.start(self.account.desk)
            self.outbox.retry_now()  # reports that waited for a sign-in go now

    def _on_account_signed_out(self, reason: str) -> None:
        self.poller.stop()
        if reason != "user":
            self.windows.sign_in(reason)

    def _on_account_credential_not_saved(self, error: ClientError) -> None:
        if not self.windows.signing_in:  # the dialog says so itself, where it was asked
            self.notifications.show_notice(self.tr("IT help"), texts.error_message(error))

    def _on_poller_connection_state_changed(self, state: ConnectionState) -> None:
        if state is ConnectionState.OFFLINE and self._desk_lost_at is None:
            self._desk_lost_at = time.time()
        elif state is not ConnectionState.OFFLINE:
            self._desk_lost_at = None
        if state is ConnectionState.ONLINE:
            self.outbox.retry_now()  # the desk is back: send what waited, without waiting
        elif state is ConnectionState.OFFLINE:
            # Only now is it worth hearing when the network returns; an idle tray
            # with a reachable desk does not pay for the listener (docs/performance.md).
            self.network.start()

    def _on_poller_ticket_failed(self, ref: TicketRef, error: ClientError) -> None:
        self.windows.ticket_unavailable(ref, texts.error_message(error))

    def _on_outbox_attempt_failed(self, _item: OutboxItem, error: ClientError) -> None:
        if error.code == "auth_failed":
            self.account.credential_rejected()  # as when a poll is refused

    def _on_outbox_change_failed(self, item_id: int, error: ClientError) -> None:
        self.windows.report_problem(item_id, texts.error_message(error))

    def _on_reports_delivered_later(self, item: OutboxItem) -> None:
        """A saved report went out by itself: say so once (the dialog said it would)."""
        text = texts.fill(
            self.tr("Your report “%1” has reached the service desk as ticket %2."),
            item.subject,
            item.ticket,
        )
        if item.refused:
            text += "\n" + texts.refused_files(item.refused)
        self.notifications.show_notice(self.tr("IT help"), text)

    def _fix_service(self) -> FixService:
        """IT's fixes alone (a health check needs no more of self-help); made once."""
        if self._fixes is None:
            from client.services import fixes as fix_service

            io, serial, path = self._io, self._serial, self._record_path
            self._fixes = fix_service.FixService(
                io, serial, self.profile, self._fix_context, self._fix_runner,
                lambda: _record(path), parent=self,
            )  # fmt: skip
        return self._fixes

    def _parts(self) -> _SelfHelpParts:
        if self._self_help is None:
            from client.services import self_help
            from client.ui import fix_presenter

            fixes = self._fix_service()
            language = self.faces.language()
            search = self_help.SelfHelp(self._io, self.profile, language, _searcher, parent=self)
            presenter = fix_presenter.FixPresenter(
                fixes, search, self.windows, self.faces, language,
                lambda text: self.notifications.show_notice(self.tr("IT help"), text),
                parent=self,
            )  # fmt: skip
            self._self_help = _SelfHelpParts(fixes, search, presenter)
        return self._self_help

    @property
    def fixes(self) -> FixService:
        """IT's fixes: may one run, running it, the record (built on first use)."""
        return self._fix_service()

    @property
    def self_help(self) -> SelfHelp:
        """The search while the employee types (built on first use)."""
        return self._parts().search

    @property
    def self_fix(self) -> FixPresenter:
        """Self-help's windows: the fix dialog and the record (built on first use)."""
        return self._parts().presenter

    def _on_outbox_report_delivered(self, item: OutboxItem) -> None:
        """The record keeps every report sent, with what it carried."""
        from client.core.record import sent_report

        refused = {name for name, _reason in item.refused}
        files = [(a.filename, a.size) for a in item.attachments if a.filename not in refused]
        self.fixes.keep(
            sent_report(time.time(), str(item.ticket or ""), item.subject, item.description, files)
        )

    def _on_outbox_store_recovered(self, recovery: StoreRecovery) -> None:
        logger.error(
            "outbox damaged: moved to %s, %d report(s) saved",
            recovery.damaged_copy,
            recovery.salvaged,
        )
        self.notifications.show_notice(
            self.tr("IT help"),
            self.tr(
                "The list of reports waiting to be sent was damaged and has been set aside for "
                "your IT department (%1). %n report(s) could be saved from it.",
                "",
                recovery.salvaged,
            ).replace("%1", recovery.damaged_copy),
        )

    def _on_windows_tickets_shown(self, shown: bool) -> None:
        self.poller.set_fast(shown)
        if shown:
            self.notifier.seen()

    def _on_windows_ticket_watched(self, ref: TicketRef | None) -> None:
        self.poller.watch(ref)  # kept up to date while it is shown
        if ref is not None:
            self.poller.refresh_ticket(ref)

    def _on_windows_action_requested(
        self, ref: TicketRef, action: Action, text: str, paths: list[str]
    ) -> None:
        if self.actions.run(ref, action, text, paths):
            summary = next((t for t in self.poller.tickets if t.ref == ref), None)
            self.notifier.own_action(ref, summary.agent_replied_at if summary else None)

    def _on_actions_done(self, ref: TicketRef, action: Action) -> None:
        self.windows.action_done(ref, action)
        # The new stage at once; the poll fetches the shown ticket too, since it changed.
        self.poller.poll_now(force=True)

    def _on_actions_failed(self, ref: TicketRef, _action: Action, error: ClientError) -> None:
        self.windows.action_failed(ref, texts.error_message(error))

    def _on_windows_file_requested(self, ref: TicketRef, file: AttachmentInfo) -> None:
        if self._files is None:  # deferred: most days nobody opens a file
            from client.services.ticket_files import TicketFiles

            # Never a shared, predictable folder: the user's cache, or a private one (0700).
            folder = self._files_folder or Path(tempfile.mkdtemp(prefix=f"{APP_NAME}-files-"))
            self._files = TicketFiles(
                self._io, lambda: self.account.desk, _save_ticket_file, folder,
                max_bytes=self._settings.max_response_bytes, parent=self,
            )  # fmt: skip
            self._files.ready.connect(self.windows.open_file)
            self._files.failed.connect(self._on_files_failed)
        self._files.fetch(ref, file)

    def _on_files_failed(self, ref: TicketRef, _file: object, error: ClientError) -> None:
        self.windows.tell(ref, texts.error_message(error), role="error")

    def _on_settle_timeout(self) -> None:
        # What a closed window left in reference cycles (slots that are lambdas) is freed
        # now, on this thread, not at some later collection; then what is alive is frozen
        # as at start, so that later collections do not walk it again.
        gc.collect()
        gc.freeze()
        from PySide6.QtGui import QPixmapCache  # the style's and the windows' cached drawings

        QPixmapCache.clear()
        # On a worker: trimming a large heap can take longer than a frame.
        self._io.submit(
            self._release_memory,
            owner=self,
            on_success=lambda _released: None,
            on_error=lambda error: logger.warning("memory not given back: %s", error),
        )

    def _on_about_to_quit(self) -> None:
        self._settle.stop()
        self._warm.stop()
        self.poller.stop()
        self.notifications.close()
        self.windows.close()
        self.network.close()
        self.tray.hide()
        self._secrets.cancel()  # a keyring waiting for an unlock must not hold up quitting
        self.evidence.shutdown()  # nor the evidence helper, whatever it is doing
        if self.health is not None:
            self.health.stop()  # nor a health pass
        if self._fixes is not None:
            self._fixes.close()  # a running fix or check ends, with everything it started
        if self._self_help is not None:
            self._self_help.search.close()  # and the search helper
        if self.profile is not None:
            self.profile.stop()
        if not self._io.wait_for_done(3000):
            logger.warning("quit while a request was still running")
        if not self._serial.wait_for_done(3000):
            logger.warning("quit while the outbox was still writing")
        self._outbox_store.close()


def assemble(
    qapp: QApplication,
    tray: TrayIcon,
    settings_result: MergeResult,
    paths: Paths,
    environ: Mapping[str, str],
    redactor: Redactor,
    crash: CrashHandler,
) -> TrayApp:
    """The app's objects around the icon ``client.start`` already shows, wired."""
    io_pool = QThreadPool(qapp)
    io_pool.setMaxThreadCount(4)
    serial_pool = QThreadPool(qapp)
    serial_pool.setMaxThreadCount(1)  # outbox writes never overlap
    io = TaskRunner(io_pool, qapp)
    desks = DeskRegistry()
    app = TrayApp(
        qapp,
        settings_result,
        io=io,
        serial=TaskRunner(serial_pool, qapp),
        outbox_store=SqliteOutbox(
            paths.data_dir / "outbox.sqlite3", max_bytes=settings_result.settings.max_outbox_bytes
        ),
        connector_for=lambda kind: connector_for(kind, settings_result, desks, redactor.add_secret),
        secrets=HelperSecretStore(keyring_helper_command()),
        save_settings=UserSettingsFile(paths.user_settings_file).update,
        redactor=redactor,
        crash=crash,
        evidence=evidence_service(
            # The account's desk, asked at each report (``app`` exists by then).
            io,
            settings_result,
            lambda: app.account.desk_url,
            paths.log_file,
            redactor,
        ),
        preset_credential=environ.get(TOKEN_ENV) or None,
        open_bus=_open_session_notifications if sys.platform == "linux" else None,
        open_network=_open_network_watch if sys.platform == "linux" else None,
        desks=desks,
        release_memory=release_free_memory,
        before_large_work=keep_large_buffers_apart,
        profile=profile_service(io, settings_result, paths),
        files_folder=paths.ticket_files_dir,
        record_path=paths.data_dir / "record.sqlite3",  # next to the outbox
        health_probe=_health_probe,
        health_book=_health_book(paths.data_dir / "health-book.json"),
        health_history=paths.data_dir / "health.sqlite3",
        health_first_ms=_first_health_pass_ms(environ),
        fix_checks=_fix_checks,
        profile_folder=paths.profile_cache_dir,
        login_entry=lambda: _login_entry(environ),
        tray=tray,
    )
    if environ.get(WATCH_LOOP_ENV):
        # Off by default: a 10 ms timer would wake an idle tray 100 times a second.
        # Imported only here: it loads Qt's ``Qt`` namespace (~3 MB, docs/performance.md).
        from client.services.latency import EventLoopMonitor

        EventLoopMonitor(parent=qapp).start()
    return app


def _fix_context(settings: Settings) -> FixContext:
    """Whether fixes may run here: the policy, this system, the tray's rights (when first asked)."""
    from client.adapters.fix_runner import can_contain, running_elevated
    from client.core.fixes import platform_of
    from client.services.fixes import FixContext

    return FixContext(settings.fixes_enabled, platform_of(sys.platform), running_elevated(),
                      can_contain())  # fmt: skip


def _fix_runner() -> Runner:
    """The runner of fixes: this program again, as the contained helper (on first use)."""
    from client.adapters.fix_runner import FixRunner, fix_helper_command

    return FixRunner(fix_helper_command())


def tray_retry_ms(attempt: int) -> int:
    """How long to wait before looking for the tray host the ``attempt``-th time (from 1)."""
    return int(min(TRAY_RETRY_MS * 2 ** (attempt - 1), TRAY_RETRY_MAX_MS))


def _login_entry(environ: Mapping[str, str]) -> LoginEntry:
    """This platform's log-in entry for the user (read when the menu first opens)."""
    from client.adapters.autostart import login_entry

    return login_entry(sys.platform, environ)


def _fix_checks() -> FixChecks:
    """The fixes' detection as health checks, in their helper process (on the first check)."""
    from client.adapters.fix_checks import FixChecksHelper

    return FixChecksHelper()


def _searcher() -> Searcher:
    """The self-help search, in its helper process (started when the employee first types)."""
    from client.adapters.search_helper import HelperSearch

    return HelperSearch()


def _record(path: Path | None) -> Record:
    """The record of fixes run and reports sent (opened on first use)."""
    from client.adapters.record_store import SqliteRecord
    from client.core.errors import StoreError

    if path is None:
        raise StoreError("no record on this computer", code="record_off")
    return SqliteRecord(path)


def _health_probe() -> Probe:
    """A health pass, in the health helper process (psutil never loads in the tray)."""
    from client.adapters.health_book import HelperProbe

    return HelperProbe()


class _HealthBook:
    """The book of health findings in its file, the adapter imported at the first pass."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Track]:
        from client.adapters.health_book import BookFile

        return BookFile(self.path).load()

    def save(self, book: dict[str, Track]) -> None:
        from client.adapters.health_book import BookFile

        BookFile(self.path).save(book)


def _health_book(path: Path) -> BookStore:
    """The book of health findings (nothing of it loads before the first pass)."""
    return _HealthBook(path)


def _first_health_pass_ms(environ: Mapping[str, str]) -> int | None:
    """When the first health pass runs: a test or the demo may say (milliseconds)."""
    value = environ.get(HEALTH_FIRST_ENV, "")
    return int(value) if value.isdigit() else None
