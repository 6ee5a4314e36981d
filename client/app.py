"""The composition root: paths, settings, logging, crash hook, objects, wiring, event loop.

The only module that constructs adapters.

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
import os
import re
import socket
import sys
import tempfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLocale,
    QObject,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from client import APP_NAME, __version__
from client.adapters.desks.registry import DeskRegistry
from client.adapters.logs import setup_logging
from client.adapters.memory import keep_large_buffers_apart, release_free_memory
from client.adapters.paths import default_paths
from client.adapters.policy import UserSettingsFile, load_settings
from client.adapters.secrets import HelperSecretStore, keyring_helper_command
from client.adapters.store import SqliteOutbox
from client.core.crash import CrashInfo
from client.core.errors import ClientError
from client.core.models import Agent, Attachment, AttachmentInfo, Ticket, TicketRef
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
from client.services.account import Account
from client.services.crash import CrashHandler
from client.services.evidence import EvidenceService
from client.services.network import NetworkMonitor
from client.services.notifier import Notifier
from client.services.outbox import OutboxService
from client.services.poller import ConnectionState, TicketPoller
from client.services.qtlog import route_qt_messages
from client.services.reporting import ReportService
from client.services.single_instance import SingleInstance
from client.services.status import TrayStatus, TrayStatusPresenter
from client.services.tasks import TaskRunner
from client.services.ticket_actions import TicketActions
from client.ui import resources, texts
from client.ui.home import Home
from client.ui.notifications import Notifications
from client.ui.tray import TrayIcon

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from client.core.availability import Availability
    from client.core.placement import Rect
    from client.core.profile import Agent as ProfileAgent
    from client.core.profile import Article, Department
    from client.services.profile import ProfileService
    from client.services.ticket_files import TicketFiles
    from client.ui.article_view import ArticleBrowser
    from client.ui.crash_dialog import CrashDialog
    from client.ui.report_dialog import EditReportDialog, ReportDialog
    from client.ui.sign_in_dialog import SignInDialog
    from client.ui.tickets_window import TicketsWindow
    from client.ui.tracker import TicketTracker

logger = logging.getLogger(__name__)

#: A credential handed over by a launcher (the demo, support sessions); never stored.
TOKEN_ENV = "HELPDESK_TRAY_TOKEN"
PROBE_ENV = "HELPDESK_TRAY_PROBE"
#: Set to log every time the GUI thread was blocked long enough for a user to notice.
WATCH_LOOP_ENV = "HELPDESK_TRAY_WATCH_LOOP"
TRAY_RETRIES = 5
TRAY_RETRY_MS = 1000
#: How long after a window closes its memory is handed back (its objects are gone by then).
SETTLE_MS = 3000
#: How long the report dialog stays away before the screen is taken again.
SCREEN_CLEAR_MS = 300
#: How long after the panel closed the screen is taken for a report started in it.
PANEL_CLEAR_MS = 150

NO_DISPLAY_MESSAGE: str = QT_TRANSLATE_NOOP(  # type: ignore[assignment]
    "app",
    "helpdesk-tray needs a graphical desktop, and none could be reached here "
    "(DISPLAY and WAYLAND_DISPLAY are unset, or the display they name is gone).\n\n"
    "On a computer without a screen, the demo shows the tray on a virtual screen "
    "and saves pictures of it: run `make screenshots` in the source folder.\n\n"
    "The command-line tools work without a display: helpdesk-tray --help\n",
)


def _local_x_display_reachable(display: str) -> bool:
    """Whether a local X display (``:N``) answers; remote ones are not checked."""
    match = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if match is None:
        return True  # host:N or a launchd path (macOS XQuartz): Qt finds out itself
    path = f"/tmp/.X11-unix/X{match.group(1)}"
    for address in (path, "\0" + path):  # the file, or Linux's abstract socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            try:
                probe.connect(address)
            except OSError:
                continue
            return True
    return False


def display_problem(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why the GUI cannot start here, or ``None`` when it can.

    Checked before Qt starts, because Qt aborts the process (with a misleading
    message about missing libraries) when the display is set but gone.
    """
    if not platform.startswith("linux"):
        return None
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return None
    if environ.get("WAYLAND_DISPLAY"):
        return None
    display = environ.get("DISPLAY")
    if display and _local_x_display_reachable(display):
        return None
    return NO_DISPLAY_MESSAGE


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


class TrayApp(QObject):
    """Owns the long-lived objects and connects them; opens windows on demand.

    Signals:
        report_items_ready(QWidget): the report dialog's diagnostics and
            screenshot are ready (for the tests' and the benchmark's probe).
    """

    report_items_ready = Signal(object)

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
        open_bus: Callable[[], NotificationBus] | None = None,
        open_network: Callable[[], NetworkWatch] | None = None,
        desks: DeskRegistry | None = None,
        release_memory: Callable[[], object] = lambda: None,
        settle_ms: int = SETTLE_MS,
        before_large_work: Callable[[], object] = lambda: None,
        profile: ProfileService | None = None,
        files_folder: Path | None = None,
    ) -> None:
        super().__init__()
        self._desks = desks or DeskRegistry()
        # A while after a window closes (its objects deleted), freed memory goes back
        # to the system: an idle tray should not keep what one report needed.
        self._release_memory = release_memory
        self._before_large_work = before_large_work
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(settle_ms)
        self._settle.timeout.connect(self._on_settle_timeout)
        self._qapp = qapp
        self._settings_result = settings_result
        settings = settings_result.settings
        self._settings = settings
        self._io = io
        self._tray_retries = tray_retries
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
        self._serial = serial
        self._outbox_store = outbox_store
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
        self.tray = TrayIcon(self.presenter.status, self)
        self.notifications = Notifications(
            self.tray, io, open_bus=open_bus, app_name=APP_NAME, parent=self
        )
        self.home = Home(
            tickets=lambda: (self.poller.tickets, self.poller.loaded),
            unseen=lambda: self.notifier.unseen,
            reports=lambda: self.outbox.items,
            status=lambda: self.presenter.status,
            parent=self,
        )
        self._tickets_window: TicketsWindow | None = None
        self._articles_window: ArticleBrowser | None = None
        self._report_dialog: ReportDialog | None = None
        self._sign_in_dialog: SignInDialog | None = None
        self._edit_dialogs: set[EditReportDialog] = set()
        self._tray_attempts = 0
        self._crash_dialogs: set[CrashDialog] = set()

        self.account.signed_in.connect(self._on_account_signed_in)
        self.account.signed_out.connect(self._on_account_signed_out)
        self.account.credential_not_saved.connect(self._on_account_credential_not_saved)
        self.poller.credential_rejected.connect(self.account.credential_rejected)
        self.poller.snapshot_updated.connect(self._on_poller_snapshot_updated)
        self.poller.connection_state_changed.connect(self._on_poller_connection_state_changed)
        self.outbox.items_changed.connect(self._on_outbox_items_changed)
        self.outbox.report_delivered.connect(self._on_outbox_report_delivered)
        self.reports.delivered_later.connect(self._on_reports_delivered_later)
        self.actions.done.connect(self._on_actions_done)
        self.poller.tickets_changed.connect(self.notifier.on_changes)
        self.poller.resumed.connect(self.notifier.resumed)
        self.network.online_changed.connect(self.poller.network_changed)
        self.notifier.notify.connect(self.notifications.show)
        self.notifier.notify_summary.connect(self.notifications.show_summary)
        self.notifications.open_requested.connect(self.open_ticket)
        self.notifications.tickets_requested.connect(self.open_tickets_window)
        self.poller.ticket_loaded.connect(self._on_poller_ticket_loaded)
        self.poller.ticket_failed.connect(self._on_poller_ticket_failed)
        self.actions.failed.connect(self._on_actions_failed)
        self.outbox.store_recovered.connect(self._on_outbox_store_recovered)
        self.outbox.attempt_failed.connect(self._on_outbox_attempt_failed)
        self.outbox.change_failed.connect(self._on_outbox_change_failed)
        self.presenter.status_changed.connect(self._on_presenter_status_changed)
        self.tray.report_requested.connect(self.open_report_dialog)
        self.tray.tickets_requested.connect(self.open_tickets_window)
        self.tray.sign_in_requested.connect(self.open_sign_in_dialog)
        self.tray.quit_requested.connect(self._qapp.quit)
        self.tray.menu_opened.connect(self.poller.poll_now)
        self.tray.menu_opened.connect(self.evidence.prepare)  # a report may follow
        self.tray.panel_requested.connect(self._on_tray_panel_requested)
        self.tray.panel_wanted.connect(self._on_tray_panel_wanted)
        self.home.opened.connect(self.poller.poll_now)
        self.home.opened.connect(self.evidence.prepare)
        self.home.report_requested.connect(self._on_home_report_requested)
        self.home.ticket_requested.connect(self.open_ticket)
        self.home.tickets_requested.connect(self.open_tickets_window)
        self.home.sign_in_requested.connect(self.open_sign_in_dialog)
        self.home.contact_requested.connect(QDesktopServices.openUrl)
        self.poller.snapshot_updated.connect(self.home.refresh)
        self.outbox.items_changed.connect(self.home.refresh)
        self.presenter.status_changed.connect(self.home.refresh)
        self.home.closed.connect(self._settle.start)  # what the panel held, given back
        # A balloon (no notification server) must not land on the open menu or panel.
        self.tray.menu.aboutToShow.connect(lambda: self.notifications.hold(True, "menu"))
        self.tray.menu.aboutToHide.connect(lambda: self.notifications.hold(False, "menu"))
        self.home.opening.connect(lambda: self.notifications.hold(True, "panel"))
        self.home.closed.connect(lambda: self.notifications.hold(False, "panel"))
        self.profile = profile
        self._shown_agent = ""
        self._save_settings = save_settings
        self._my_department = settings.profile_my_department
        self._face_request = 0  # the handler's face last asked for (see _show_handler_face)
        #: Words typed in the panel before the first sign-in: the report opens with them after.
        self._report_after_sign_in = ""
        if profile is not None:
            profile.setParent(self)
            profile.changed.connect(self._forget_shown_agent)  # its photo may be new
            profile.changed.connect(self._show_agent)
            profile.changed.connect(self._settle.start)  # what reading it took, given back
            # Read when first needed, kept from then: for the menu at once, so the card is in
            # it when it opens (nothing moves once it is open).
            self.tray.menu_opened.connect(self._on_tray_menu_opened_want_profile)
            self.home.opening.connect(self._on_tray_menu_opened_want_profile)
            profile.changed.connect(self._update_destination)
            profile.changed.connect(self._show_handler_face)  # the profile's photo, once read
            profile.changed.connect(self._show_articles)  # a new profile: its articles
            self.tray.department_chosen.connect(self._on_tray_department_chosen)
            self.tray.articles_requested.connect(self.open_articles_window)
            self.account.person_known.connect(self._show_agent)
            self.account.person_known.connect(self._update_destination)
            self.tray.menu_opened.connect(self._show_agent)  # "available until" moves on
            self.home.opening.connect(self._show_agent)
            self.tray.contact_requested.connect(QDesktopServices.openUrl)
        crash.crashed.connect(self._on_crash_crashed)
        self._qapp.aboutToQuit.connect(self._on_about_to_quit)

    def start(self) -> None:
        """Show the icon, then sign in from the keyring and pick up unsent reports."""
        self._show_tray()
        self.notifier.started()  # quiet for the first minute: nothing is news yet
        # What start-up built lives as long as the app: keep it out of the cyclic
        # collector's full passes, which otherwise hold the GUI thread for tens of ms
        # (docs/performance.md, "The GUI thread under network faults"). O(1): no pass.
        gc.freeze()
        QTimer.singleShot(0, self.account.restore)
        QTimer.singleShot(0, self.outbox.start)
        if self.profile is not None:
            QTimer.singleShot(0, self.profile.start)

    @Slot()
    def _forget_shown_agent(self) -> None:
        self._shown_agent = ""

    def _department(self) -> tuple[Department | None, str]:
        """The employee's department in the profile, and how it was recognised.

        The IT policy's value, the desk's record of the user, the employee's own
        choice, in that order; with a single department, that one (``"only"``).
        """
        from client.core.profile import detect_department  # only with a profile

        view = self.profile.view if self.profile is not None else None
        if view is None:
            return None, ""
        person = self.account.person
        department, source = detect_department(
            view.profile,
            policy_value=self._settings.profile_department,
            desk_value=(person.department or "") if person is not None else "",
            chosen=self._my_department,
        )
        if (
            source != "policy"
            and person is None
            and any(d.desk_values for d in view.profile.departments)
        ):
            self.account.learn_person()  # once; person_known shows the card again
        if department is None and len(view.profile.departments) == 1:
            return view.profile.departments[0], "only"
        return department, source

    @Slot()
    def _show_agent(self) -> None:
        """The employee's agent (of their department) on the tray menu, as of now.

        Worked out only once the menu or the panel has been opened (it runs again
        each time either opens): an idle tray nobody looked at holds none of it.
        """
        if not self.tray.menu_seen and not self.home.seen:
            return
        view = self.profile.view if self.profile is not None else None
        department, source = self._department()
        self.tray.show_articles(bool(view and view.profile.articles))
        if view is not None:
            choices = [(d.id, d.name.get(self._language())) for d in view.profile.departments]
            # Chosen by the employee only where IT and the desk say nothing (and the desk
            # is not about to say).
            choosable = len(choices) > 1 and source in ("", "chosen")
            choosable = choosable and not self.account.asking_person
            self.tray.show_departments(choices, department.id if department else "", choosable)
        agent = view.profile.agents.get(department.agent) if view and department else None
        if view is None or department is None or agent is None:
            self.tray.show_agent(None)
            self.home.show_agent(None)
            return
        from client.ui.agent_card import AgentCardData, heading_text, notice_text

        seen, now = self._availability(agent, department.backup)
        notice = notice_text(view.stale, view.verified_at, view.refusal, view.refusal_role)
        data = AgentCardData(agent, seen, now, self._language(), heading_text(), notice)
        self.tray.show_agent(data)
        self.home.show_agent(data)
        if agent.id != self._shown_agent and self.profile is not None:
            self._shown_agent = agent.id
            if agent.photo:  # photos off (the policy, the agent): initials
                shown = agent.id

                def photo(png: bytes | None) -> None:
                    if self._shown_agent == shown:  # not the previous department's agent
                        self.tray.set_agent_photo(png)
                        self.home.set_agent_photo(png)

                self.profile.avatar(agent.id, photo)
            else:
                self.tray.set_agent_photo(None)
                self.home.set_agent_photo(None)

    @Slot(object)
    def _on_tracker_handler_shown(self, _agent: Agent) -> None:
        self._show_handler_face()

    @Slot()
    def _show_handler_face(self) -> None:
        """The face of the agent handling the ticket in the tracker.

        The profile's photo when the handler is one of its agents (matched by
        e-mail, else by name), else the desk's photo of them, else initials.
        With photos switched off by the policy, initials only.
        """
        window = self._tickets_window
        agent = window.tracker.handler if window is not None else None
        if window is None or agent is None or not self._settings.profile_photos:
            return
        from client.ui.faces import face_image
        from client.ui.tracker import FACE_SIDE

        tracker = window.tracker
        side = 2 * FACE_SIDE  # sharp on a high-density screen
        # Only the latest request's photo is shown: a slow desk photo must not land on
        # the profile's, nor one agent's on another's. Reads are owned by the tracker:
        # one that ends after the window is gone is dropped with it.
        self._face_request += 1
        request = self._face_request

        def show(image: QImage | None) -> None:
            if request == self._face_request and tracker.handler == agent:
                tracker.set_handler_photo(image)

        known = self._profile_agent(agent)
        if known is not None:
            tracker.set_handler_availability(self._availability_words(known))
            if known.photo and self.profile is not None:
                self.profile.avatar(known.id, lambda png: show(face_image(png, side)), tracker)
            else:
                show(None)  # IT switched this agent's photo off: initials, never the desk's
            return
        desk = self.account.desk
        if desk is None:
            return
        self._io.submit(
            lambda: face_image(desk.agent_photo(agent), side),
            owner=tracker,
            on_success=show,
            on_error=lambda error: logger.info("no photo of the handler: %s", error),
        )

    def _availability(self, agent: ProfileAgent, backup: str) -> tuple[Availability, datetime]:
        """Whether a profile's agent is at work now (``backup``: who stands in), and now.

        Now in the user's own zone: "back at 8:30" is local.
        """
        from client.core.availability import availability_of

        view = self.profile.view if self.profile is not None else None
        agents = view.profile.agents if view is not None else {}
        now = datetime.now().astimezone()
        return availability_of(agent, now, agents.get(backup)), now

    def _availability_words(self, agent: ProfileAgent) -> str:
        """Whether a profile's agent is at work now (and who helps meanwhile), in words."""
        from client.ui.agent_card import availability_text

        view = self.profile.view if self.profile is not None else None
        if view is None:
            return ""
        departments = view.profile.departments
        stands_in = next((d.backup for d in departments if d.agent == agent.id), "")
        return availability_text(*self._availability(agent, stands_in))

    def _profile_agent(self, agent: Agent) -> ProfileAgent | None:
        """The profile's entry for a desk's agent, if IT published one (asks for the profile)."""
        if self.profile is None:
            return None
        self.profile.want(at_once=True)  # one small local file: decide the source knowing it
        view = self.profile.view
        if view is None:
            return None
        email = (agent.email or "").casefold()
        name = agent.name.casefold()
        agents = view.profile.agents.values()
        return next((a for a in agents if email and a.email.casefold() == email), None) or next(
            (a for a in agents if a.name.casefold() == name), None
        )

    def _language(self) -> str:
        """The user's language for the profile's texts: English unless Dutch (C locale too)."""
        language = self._settings.language or QLocale().name()[:2]
        return language if language in ("en", "nl") else "en"

    @Slot()
    def _on_tray_menu_opened_want_profile(self) -> None:
        if self.profile is not None:
            self.profile.want(at_once=True)

    @Slot(str)
    def _on_tray_department_chosen(self, department_id: str) -> None:
        """The employee said which department they are in: remembered, and shown at once."""
        self._my_department = department_id
        values = {"profile.my_department": department_id}
        # On the serial runner: the settings file is read, changed and written whole, and a
        # sign-in saving the desk address at the same moment must not undo this (or that).
        self._serial.submit(
            lambda: self._save_settings(values),
            owner=self,
            on_success=lambda _none: None,
            on_error=lambda error: logger.warning("department choice not saved: %s", error),
        )
        self._show_agent()
        self._update_destination()

    @Slot()
    def _update_destination(self) -> None:
        """Tell the report dialog where its report goes: the department's queue, or IT's."""
        dialog = self._report_dialog
        if dialog is None or dialog.sending:
            return  # a report being saved keeps the queue it was given
        from client.ui.report_dialog import destination_text

        department, _ = self._department()
        view = self.profile.view if self.profile is not None else None
        if department is None or view is None:
            dialog.set_destination(self._settings.desk_queue, "")
            return
        agent = view.profile.agents.get(department.agent)
        away, backup = False, ""
        if agent is not None:
            seen, _now = self._availability(agent, department.backup)
            away, backup = not seen.available, seen.backup.name if seen.backup else ""
        where = destination_text(
            department.name.get(self._language()), agent.name if agent else "", backup, away
        )
        dialog.set_destination(department.queue or self._settings.desk_queue, where)

    @Slot(str)
    def _on_home_report_requested(self, text: str) -> None:
        # The panel has just closed; the screenshot must show what was under it, not it.
        QTimer.singleShot(PANEL_CLEAR_MS, self, lambda: self.open_report_dialog(text))

    @Slot()
    def _on_tray_panel_requested(self) -> None:
        """A left click on the icon: the panel at the icon, or closed when it is open."""
        self.home.toggle(*self._icon_and_pointer(), place=self._can_place_windows())

    @Slot()
    def _on_tray_panel_wanted(self) -> None:
        if not self.home.showing:
            self.home.open(*self._icon_and_pointer(), place=self._can_place_windows())

    def _icon_and_pointer(self) -> tuple[Rect, tuple[int, int]]:
        from PySide6.QtGui import QCursor

        from client.core.placement import Rect

        where = self.tray.geometry()  # empty where the tray does not say (see placement)
        pointer = QCursor.pos()
        return Rect(where.x(), where.y(), where.width(), where.height()), (pointer.x(), pointer.y())

    def _can_place_windows(self) -> bool:
        # Wayland lets the compositor alone decide where a window goes.
        return not self._qapp.platformName().startswith("wayland")

    @Slot()
    def show_home(self) -> None:
        """``helpdesk-tray show`` (a keyboard shortcut), a second launch: the panel.

        It opens in the corner where the tray is; without a tray, "My tickets".
        """
        if self.tray.isVisible():
            self.home.open(place=self._can_place_windows())
        else:
            self.open_tickets_window()

    def _show_tray(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
            return
        self._tray_attempts += 1
        if self._tray_attempts <= self._tray_retries:
            # The panel may still be starting (log-in): try again shortly.
            QTimer.singleShot(TRAY_RETRY_MS, self._show_tray)
            return
        logger.warning("no system tray on this desktop; showing the tickets window instead")
        self._qapp.setQuitOnLastWindowClosed(True)
        self.open_tickets_window()

    def open_tickets_window(self) -> None:
        """Show (or raise) "My tickets"."""
        if self._tickets_window is None:
            from client.ui.tickets_window import TicketsWindow  # deferred, see module doc

            window = TicketsWindow()
            window.report_requested.connect(self.open_report_dialog)
            window.refresh_requested.connect(self._on_tickets_window_refresh_requested)
            window.sign_in_requested.connect(self.open_sign_in_dialog)
            window.visibility_changed.connect(self._on_tickets_window_visibility_changed)
            window.edit_report_requested.connect(self.open_edit_dialog)
            window.cancel_report_requested.connect(self._on_tickets_window_cancel_report_requested)
            window.retry_reports_requested.connect(self.outbox.retry_now)
            window.action_requested.connect(self._on_tickets_window_action_requested)
            window.file_requested.connect(self._on_tickets_window_file_requested)
            window.ticket_opened.connect(self._on_tickets_window_ticket_opened)
            window.tracker.handler_shown.connect(self._on_tracker_handler_shown)
            window.show_reports(self.outbox.items)
            window.show_tickets(self.poller.tickets, self.poller.loaded)
            window.show_status(self.presenter.status)
            self._tickets_window = window
        _bring_forward(self._tickets_window)
        self.notifier.seen()

    def open_articles_window(self) -> None:
        """Show (or raise) the help articles IT published with the profile."""
        view = self.profile.view if self.profile is not None else None
        if view is None or self.profile is None:
            return
        if self._articles_window is None:
            from client.ui.article_view import ArticleBrowser  # deferred, see module doc

            window = ArticleBrowser(self._read_article, language=self._language())
            # Deferred with the window: touching the Qt namespace builds all of its enums
            # (1.6 MB that an idle tray would keep; docs/performance.md).
            from PySide6.QtCore import Qt

            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.link_requested.connect(self._on_articles_window_link_requested)
            window.destroyed.connect(self._on_articles_window_destroyed)
            self._articles_window = window
        self._show_articles()
        _bring_forward(self._articles_window)

    @Slot()
    def _show_articles(self) -> None:
        """The articles window shows the profile as it is now (a new one may have come in)."""
        window = self._articles_window
        view = self.profile.view if self.profile is not None else None
        if window is None or view is None:
            return
        window.set_articles(view.profile.articles)  # the article open stays open
        from client.ui.agent_card import notice_text  # the card's words, for the articles too

        window.set_notice(notice_text(view.stale, view.verified_at, view.refusal,
                                      view.refusal_role))  # fmt: skip

    def _read_article(self, article: Article, then: Callable[[bytes | None], None]) -> None:
        # Owned by the window: a body read after it closed is dropped with it.
        if self.profile is not None:
            self.profile.article_body(article.body, then, self._articles_window or self)

    @Slot(QUrl)
    def _on_articles_window_link_requested(self, url: QUrl) -> None:
        from client.ui.article_view import is_safe_link

        if is_safe_link(url):  # the widget checked; the one place that opens the browser
            QDesktopServices.openUrl(url)

    @Slot()
    def _on_articles_window_destroyed(self) -> None:
        self._articles_window = None
        self._settle.start()  # what the window held, given back

    @Slot()
    @Slot(str)
    def open_report_dialog(self, text: str = "") -> None:
        """Show the report dialog; on a first start, sign in first.

        ``text``: what the employee typed in the panel's box, to begin with.
        Once a desk is known, reporting always works: while signing in, or
        after the sign-in expired, the report waits in the outbox.
        """
        if not self.account.desk_url:
            self._report_after_sign_in = text or self._report_after_sign_in
            self.open_sign_in_dialog()
            return
        self._before_large_work()  # a screenshot's buffers, given back when freed
        old = self._report_dialog
        if text and old is not None and not old.accepts_text and not old.sending:
            # Its report was saved (the thank-you page shows): the new words, a new report.
            old.close()
            old.deleteLater()
            self._report_dialog = None
        if self._report_dialog is None:
            # Deferred, see module doc.
            from client.ui.report_dialog import ReportDialog
            from client.ui.report_items import ReportItems
            from client.ui.screenshot import grab_screens

            # The moment of the problem: the screen before our dialog covers it.
            grab = grab_screens(self._settings.allow_screenshots)
            items = ReportItems(self.evidence, max_bytes=self._settings.max_attachment_bytes)
            dialog = ReportDialog(
                self.reports,
                max_attachment_bytes=self._settings.max_attachment_bytes,
                items=items,
            )
            items.setParent(dialog)
            items.start(grab)
            dialog.items_ready.connect(lambda: self.report_items_ready.emit(dialog))
            dialog.tickets_requested.connect(self.open_tickets_window)
            dialog.report_sent.connect(self._on_report_dialog_report_sent)
            dialog.finished.connect(self._on_report_dialog_finished)
            dialog.new_screenshot_requested.connect(self._on_report_dialog_new_screenshot)
            self._report_dialog = dialog
            dialog.set_destination(self._settings.desk_queue, "")
            if self.profile is not None:
                self.profile.want(at_once=True)  # its queue is fixed when the report is saved
                self._update_destination()
        elif self._report_dialog.has_draft and not self._report_dialog.isVisible():
            self._report_dialog.show_draft()
        if text:
            self._report_dialog.start_with(text)
        _bring_forward(self._report_dialog)

    def open_sign_in_dialog(self, reason: str = "") -> None:
        """Ask the user to sign in (the desk address comes from IT policy when set)."""
        if self._sign_in_dialog is None:
            from client.ui.sign_in_dialog import SignInDialog  # deferred, see module doc

            dialog = SignInDialog(
                self.account,
                url=self.account.desk_url,
                url_locked="desk.url" in self._settings_result.locked,
                username=self.account.username,
                reason=reason,
                offer_keep=self._desks.entry(self._settings.desk_kind).sessions_end,
            )
            dialog.finished.connect(self._on_sign_in_dialog_finished)
            self._sign_in_dialog = dialog
        _bring_forward(self._sign_in_dialog)

    def open_edit_dialog(self, item: OutboxItem) -> None:
        """Let the user change a report that has not reached the desk.

        The report is held back while the dialog is open, so it is not sent
        with the old text half-way through the change.
        """
        from client.ui.report_dialog import EditReportDialog  # deferred, see module doc

        for open_dialog in self._edit_dialogs:
            if open_dialog.item_id == item.id:
                _bring_forward(open_dialog)
                return
        self.outbox.hold(item.id)
        dialog = EditReportDialog(
            self.outbox, item, max_attachment_bytes=self._settings.max_attachment_bytes
        )
        self._edit_dialogs.add(dialog)  # parentless: keep a reference while it is open
        dialog.finished.connect(lambda _result: self._on_edit_dialog_finished(dialog))
        _bring_forward(dialog)

    def _on_edit_dialog_finished(self, dialog: EditReportDialog) -> None:
        self._edit_dialogs.discard(dialog)
        self.outbox.release(dialog.item_id)

    def _on_account_signed_in(self, _person: object) -> None:
        waiting, self._report_after_sign_in = self._report_after_sign_in, ""
        if waiting:  # typed in the panel before the first sign-in: the report, now
            QTimer.singleShot(0, lambda: self.open_report_dialog(waiting))
        if self.account.desk is not None:
            self.poller.start(self.account.desk)
            self.outbox.retry_now()  # reports that waited for a sign-in go now

    def _on_poller_connection_state_changed(self, state: ConnectionState) -> None:
        if state is ConnectionState.ONLINE:
            self.outbox.retry_now()  # the desk is back: send what waited, without waiting
        elif state is ConnectionState.OFFLINE:
            # Only now is it worth hearing when the network returns; an idle tray
            # with a reachable desk does not pay for the listener (docs/performance.md).
            self.network.start()

    def _on_outbox_items_changed(self, items: list[OutboxItem]) -> None:
        if self._tickets_window is not None:
            self._tickets_window.show_reports(items)

    def _on_outbox_attempt_failed(self, _item: OutboxItem, error: ClientError) -> None:
        if error.code == "auth_failed":
            self.account.credential_rejected()  # as when a poll is refused

    def _on_outbox_change_failed(self, item_id: int, error: ClientError) -> None:
        if any(dialog.item_id == item_id for dialog in self._edit_dialogs):
            return  # the edit dialog says it itself, next to the text
        if self._tickets_window is not None:
            self._tickets_window.show_report_problem(texts.error_message(error))

    def _on_outbox_report_delivered(self, _item: OutboxItem) -> None:
        self.poller.poll_now(force=True)

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

    def open_ticket(self, ref: TicketRef) -> None:
        """Show one ticket in the tracker (a click on its notification)."""
        logger.info("showing ticket %s", ref.id)
        self.open_tickets_window()
        assert self._tickets_window is not None
        self._tickets_window.open_ticket(ref)

    def _on_tickets_window_ticket_opened(self, ref: TicketRef | None) -> None:
        self.poller.watch(ref)  # kept up to date while it is shown
        if ref is not None:
            self.poller.refresh_ticket(ref)

    def _on_poller_ticket_loaded(self, ticket: Ticket) -> None:
        if self._tickets_window is not None:
            self._tickets_window.show_ticket_detail(ticket)
            logger.info("ticket %s loaded (%s)", ticket.summary.ref.id, ticket.summary.stage.value)

    def _on_poller_ticket_failed(self, ref: TicketRef, error: ClientError) -> None:
        tracker = self._shown_tracker(ref)
        window = self._tickets_window
        if tracker is not None and window is not None and window.tracking:
            tracker.show_unavailable(texts.error_message(error))

    def _on_tickets_window_action_requested(
        self, ref: TicketRef, action: Action, text: str, paths: list[str]
    ) -> None:
        if self.actions.run(ref, action, text, paths):
            summary = next((t for t in self.poller.tickets if t.ref == ref), None)
            self.notifier.own_action(ref, summary.agent_replied_at if summary else None)

    def _on_actions_done(self, ref: TicketRef, action: Action) -> None:
        if (tracker := self._shown_tracker(ref)) is not None:
            tracker.action_done(action)
        # The new stage at once; the poll fetches the shown ticket too, since it changed.
        self.poller.poll_now(force=True)

    def _shown_tracker(self, ref: TicketRef) -> TicketTracker | None:
        """The tracker, when it shows ``ref``."""
        window = self._tickets_window
        return window.tracker if window is not None and window.tracker.ref == ref else None

    def _on_tickets_window_file_requested(self, ref: TicketRef, file: AttachmentInfo) -> None:
        if self._files is None:  # deferred: most days nobody opens a file
            from client.services.ticket_files import TicketFiles

            # Never a shared, predictable folder: the user's cache, or a private one (0700).
            folder = self._files_folder or Path(tempfile.mkdtemp(prefix=f"{APP_NAME}-files-"))
            self._files = TicketFiles(
                self._io, lambda: self.account.desk, _save_ticket_file, folder,
                max_bytes=self._settings.max_response_bytes, parent=self,
            )  # fmt: skip
            self._files.ready.connect(self._on_files_ready)
            self._files.failed.connect(self._on_files_failed)
        self._files.fetch(ref, file)

    def _on_files_ready(self, ref: TicketRef, path: str, opens_directly: bool) -> None:
        """A file of a ticket is here: open it, or, for a kind that could run, its folder."""
        kept = Path(path)
        if opens_directly:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))
            text = texts.fill(self.tr("%1 is open in its own program."), kept.name)
        else:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(kept.parent)))
            text = texts.fill(
                self.tr(
                    "%1 is not a document or a picture, so it was not opened. It is in the "
                    "folder that opened: open it from there only if you expected it."
                ),
                kept.name,
            )
        if (tracker := self._shown_tracker(ref)) is not None:
            tracker.show_message(text)

    def _on_files_failed(self, ref: TicketRef, _file: object, error: ClientError) -> None:
        if (tracker := self._shown_tracker(ref)) is not None:
            tracker.show_message(texts.error_message(error), role="error")

    def _on_actions_failed(self, ref: TicketRef, _action: Action, error: ClientError) -> None:
        if (tracker := self._shown_tracker(ref)) is not None:
            tracker.action_failed(texts.error_message(error))

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

    def _on_tickets_window_cancel_report_requested(self, item: OutboxItem) -> None:
        self.outbox.cancel(item.id)

    def _on_account_signed_out(self, reason: str) -> None:
        self.poller.stop()
        if reason != "user":
            self.open_sign_in_dialog(reason)

    def _on_account_credential_not_saved(self, error: ClientError) -> None:
        if self._sign_in_dialog is None:  # the dialog says so itself, where it was asked
            self.notifications.show_notice(self.tr("IT help"), texts.error_message(error))

    def _on_poller_snapshot_updated(self) -> None:
        if self._tickets_window is not None:
            self._tickets_window.show_tickets(self.poller.tickets, self.poller.loaded)

    def _on_presenter_status_changed(self, status: TrayStatus) -> None:
        self.tray.apply_status(status)
        if self._tickets_window is not None:
            self._tickets_window.show_status(status)

    def _on_tickets_window_refresh_requested(self) -> None:
        self.poller.poll_now(force=True)

    def _on_tickets_window_visibility_changed(self, visible: bool) -> None:
        self.poller.set_fast(visible)
        if visible:
            self.notifier.seen()
            return
        window = self._tickets_window
        if window is not None and not window.tracker.has_draft:
            # Built again when next asked for: an idle tray keeps no window it is not showing.
            window.deleteLater()
            self._tickets_window = None
        self._settle.start()

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

    def _on_report_dialog_report_sent(self, _ref: object) -> None:
        self.poller.poll_now(force=True)

    def _on_report_dialog_new_screenshot(self) -> None:
        """Out of the way while the screen is taken again, then back."""
        if self._report_dialog is not None:
            self._report_dialog.hide()
            # Long enough for the desktop to have drawn what was under the dialog.
            QTimer.singleShot(SCREEN_CLEAR_MS, self._retake_screenshot)

    def _retake_screenshot(self) -> None:
        dialog = self._report_dialog
        if dialog is None:
            return
        from client.ui.screenshot import grab_screens

        self._before_large_work()
        dialog.retake_screenshot(grab_screens(self._settings.allow_screenshots))
        _bring_forward(dialog)

    def _on_report_dialog_finished(self, _result: int) -> None:
        # Closed with unsaved text (Esc, the window's X): keep it for next time.
        if self._report_dialog is not None and not self._report_dialog.has_draft:
            self._report_dialog.deleteLater()
            self._report_dialog = None
            logger.info("report dialog closed; the next report starts afresh")
        self._settle.start()

    def _on_sign_in_dialog_finished(self, result: int) -> None:
        if result != 1:  # closed without signing in: no report opens later by surprise
            self._report_after_sign_in = ""
        if self._sign_in_dialog is not None:
            self._sign_in_dialog.deleteLater()
            self._sign_in_dialog = None

    def show_previous_crash(self, details: str) -> None:
        """Tell the user, once, that the last run ended in a hard crash."""
        self._on_crash_crashed(CrashInfo("previous-run", details.splitlines()[0], details), True)

    def _on_crash_crashed(self, info: CrashInfo, previous_run: bool = False) -> None:
        from client.ui.crash_dialog import CrashDialog  # deferred, see module doc

        dialog = CrashDialog(info, previous_run=previous_run)
        # Keep a reference: a parentless dialog would otherwise be collected at once.
        self._crash_dialogs.add(dialog)
        dialog.finished.connect(lambda _result: self._crash_dialogs.discard(dialog))
        dialog.show()

    def _on_about_to_quit(self) -> None:
        self._settle.stop()
        self.poller.stop()
        self.notifications.close()
        self.home.close()
        self.network.close()
        self.tray.hide()
        self._secrets.cancel()  # a keyring waiting for an unlock must not hold up quitting
        self.evidence.shutdown()  # nor the evidence helper, whatever it is doing
        if self.profile is not None:
            self.profile.stop()
        if not self._io.wait_for_done(3000):
            logger.warning("quit while a request was still running")
        if not self._serial.wait_for_done(3000):
            logger.warning("quit while the outbox was still writing")
        self._outbox_store.close()


def _bring_forward(window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()


def run(
    argv: Sequence[str], environ: Mapping[str, str] = os.environ, show_panel: bool = False
) -> int:
    """Start the tray client; returns the process exit code.

    ``show_panel``: open the panel once the tray is up (``helpdesk-tray show``); a
    running instance is asked to open it instead (any second launch is).
    """
    paths = default_paths(environ)
    redactor = Redactor()
    to_stderr = sys.stderr.isatty() or bool(environ.get(PROBE_ENV))
    setup_logging(paths.log_file, "INFO", redactor, to_stderr=to_stderr)
    settings_result = load_settings(paths, environ)
    logging.getLogger().setLevel(settings_result.settings.log_level)
    logger.info("helpdesk-tray %s starting (Python %s)", __version__, sys.version.split()[0])
    problem = display_problem(environ)
    if problem:
        # No GUI possible: Qt's core alone, to say so in the user's language.
        core = QCoreApplication([*argv[:1]])
        resources.install_translators(core, settings_result.settings.language)
        sys.stderr.write(QCoreApplication.translate("app", problem))
        return 2
    crash = CrashHandler(redactor)
    crash.install()
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_NAME)
    # The first argument names the app's windows to the window manager (X11's WM_CLASS):
    # run as "python -m client" it would be "__main__.py" in task bars and rules.
    qapp = QApplication([APP_NAME, *list(argv)[1:]])
    qapp.setQuitOnLastWindowClosed(False)
    route_qt_messages()
    previous_crash = crash.enable_faulthandler(paths.crash_file)
    resources.register_search_paths()
    resources.install_translators(qapp, settings_result.settings.language)
    qapp.setWindowIcon(resources.app_icon())
    probe = None
    if environ.get(PROBE_ENV):
        # A test hook: not loaded in normal use.
        from client.ui.probe import ScreenProbe

        probe = ScreenProbe(qapp)
        qapp.installEventFilter(probe)
    instance = SingleInstance(f"{APP_NAME}-{_session_key(environ)}", qapp)
    if not instance.acquire():
        logger.info("already running; asked the running instance to show itself")
        return 0
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
    )
    instance.activation_requested.connect(app.show_home)
    if environ.get(WATCH_LOOP_ENV):
        # Off by default: a 10 ms timer would wake an idle tray 100 times a second.
        # Imported only here: it loads Qt's ``Qt`` namespace (~3 MB, docs/performance.md).
        from client.services.latency import EventLoopMonitor

        EventLoopMonitor(parent=qapp).start()
    if probe is not None:
        app.presenter.status_changed.connect(probe.on_status_changed)
        app.report_items_ready.connect(lambda dialog: probe.describe("report_ready", dialog))
    qapp.aboutToQuit.connect(instance.release)
    crash.flush_early()
    app.start()
    if show_panel:
        QTimer.singleShot(0, app.show_home)
    if previous_crash:
        QTimer.singleShot(0, lambda: app.show_previous_crash(previous_crash))
    return qapp.exec()


def _session_key(environ: Mapping[str, str]) -> str:
    """One instance per user and per home (tests and the demo use their own homes)."""
    user = environ.get("USER") or environ.get("USERNAME") or "user"
    home = environ.get("HELPDESK_TRAY_HOME", "")
    return f"{user}-{zlib.crc32(home.encode()):08x}" if home else user
