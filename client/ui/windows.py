"""The app's windows: which are open, opening and raising them, routing to them, letting them go.

One place decides a window's life and where an intent lands ("show this
ticket", "start a report with these words"). A window is built when first
asked for and deleted once it closes: an idle tray keeps no window it does not
show (docs/performance.md), so each window's module is imported on first use.

The app connects the services to this controller's slots and its signals to
the services; the windows themselves only show state and emit intents.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from client.core.models import Attachment, Ticket, TicketRef, TicketSummary
from client.core.outbox import OutboxItem
from client.core.settings import SignInSecret
from client.core.tray_state import TrayStatus
from client.ui import texts
from client.ui.home import Home

if TYPE_CHECKING:
    from client.core.crash import CrashInfo
    from client.core.placement import Rect
    from client.core.profile import Article
    from client.core.settings import Settings
    from client.core.tracking import Action
    from client.services.account import Account
    from client.services.evidence import EvidenceService
    from client.services.outbox import OutboxService
    from client.services.reporting import ReportService
    from client.services.self_help import Suggestion
    from client.ui.agent_card import AgentCardData
    from client.ui.article_view import ArticleBrowser
    from client.ui.crash_dialog import CrashDialog
    from client.ui.report_dialog import EditReportDialog, ReportDialog
    from client.ui.sign_in_dialog import SignInDialog
    from client.ui.tickets_window import TicketsWindow
    from client.ui.tracker import TicketTracker
    from client.ui.tray import TrayIcon

logger = logging.getLogger(__name__)

#: How long the report dialog stays away before the screen is taken again.
SCREEN_CLEAR_MS = 300
#: How long after the panel closed the screen is taken for a report started in it.
PANEL_CLEAR_MS = 150

#: Reads an article's body for the articles window: (article, then, owner of the read).
ArticleReader = Callable[["Article", Callable[[bytes | None], None], QObject], None]


class Windows(QObject):
    """Opens, raises, routes to and lets go of the panel, the windows and the dialogs.

    Signals:
        panel_opening(), panel_opened(), panel_closed(): the panel's life (see Home).
        released(): a window closed and was deleted: its memory may be given back.
        tickets_shown(bool): "My tickets" came up (or was raised), or went away.
        ticket_watched(object): the tracker now shows this TicketRef (None: the list).
        refresh_requested(): the employee asked for the tickets as they are now.
        action_requested(TicketRef, Action, str, list): reply, confirm, reopen, with files.
        file_requested(TicketRef, AttachmentInfo): a ticket's file, to open.
        report_opened(): a new report dialog: where its report goes is wanted now.
        handler_shown(object): the tracker shows a new handler (an Agent): their face is wanted.
        report_saved(): a report was saved to be sent.
        report_items_ready(QWidget): the report dialog's diagnostics and screenshot are
            ready (for the tests' and the benchmark's probe).
        help_wanted(str): words typed in the panel or the report: find what may help.
        suggestion_chosen(str, str): an article or a fix (kind, id) was chosen from the matches.
        health_requested(): the employee wants the health of this computer (from the panel).
    """

    panel_opening = Signal()
    panel_opened = Signal()
    panel_closed = Signal()
    released = Signal()
    tickets_shown = Signal(bool)
    ticket_watched = Signal(object)
    refresh_requested = Signal()
    action_requested = Signal(object, object, str, list)
    file_requested = Signal(object, object)
    report_opened = Signal()
    handler_shown = Signal(object)
    report_saved = Signal()
    report_items_ready = Signal(object)
    help_wanted = Signal(str)
    suggestion_chosen = Signal(str, str)
    health_requested = Signal()

    def __init__(
        self,
        tray: TrayIcon,
        account: Account,
        reports: ReportService,
        outbox: OutboxService,
        evidence: EvidenceService,
        settings: Settings,
        *,
        tickets: Callable[[], tuple[list[TicketSummary], bool]],
        unseen: Callable[[], frozenset[TicketRef]],
        status: Callable[[], TrayStatus],
        url_locked: bool = False,
        offer_keep: bool = True,
        secret: SignInSecret = SignInSecret.PASSWORD,
        before_large_work: Callable[[], object] = lambda: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tray = tray
        self._account = account
        self._reports = reports
        self._outbox = outbox
        self._evidence = evidence
        self._settings = settings
        self._tickets = tickets
        self._status = status
        self._url_locked = url_locked
        self._offer_keep = offer_keep
        self._secret = secret
        self._before_large_work = before_large_work
        self.home = Home(
            tickets=tickets, unseen=unseen, reports=lambda: outbox.items, status=status, parent=self
        )
        self._tickets_window: TicketsWindow | None = None
        self._articles_window: ArticleBrowser | None = None
        self._report_dialog: ReportDialog | None = None
        self._sign_in_dialog: SignInDialog | None = None
        self._edit_dialogs: set[EditReportDialog] = set()
        self._crash_dialogs: set[CrashDialog] = set()
        #: Words typed in the panel before the first sign-in: the report opens with them after.
        self._report_after_sign_in: tuple[str, tuple[Attachment, ...]] = ("", ())
        self._accent = ""  # the organisation's colour (``#rrggbb``), from the profile
        self._accents_said: set[tuple[str, str]] = set()  # each adjustment logged once

        home = self.home
        home.opening.connect(self._on_home_opening)
        home.opening.connect(self.panel_opening)
        home.opened.connect(self.panel_opened)
        home.closed.connect(self.panel_closed)
        home.closed.connect(self.released)  # what the panel held, given back
        home.report_requested.connect(self._on_home_report_requested)
        home.ticket_requested.connect(self.show_ticket)
        home.tickets_requested.connect(self.show_tickets)
        home.sign_in_requested.connect(self.sign_in)
        home.contact_requested.connect(QDesktopServices.openUrl)  # mail, phone
        home.help_wanted.connect(self.help_wanted)
        home.suggestion_chosen.connect(self.suggestion_chosen)
        home.health_requested.connect(self.health_requested)
        account.signed_in.connect(self._on_account_signed_in)

    # -- What is open ---------------------------------------------------------------------

    @property
    def tickets_window(self) -> TicketsWindow | None:
        """The window "My tickets", while it exists."""
        return self._tickets_window

    @property
    def tracker(self) -> TicketTracker | None:
        """The tracker of "My tickets", while the window exists."""
        return self._tickets_window.tracker if self._tickets_window is not None else None

    @property
    def report_dialog(self) -> ReportDialog | None:
        """The report dialog, while it exists (open, or keeping a draft)."""
        return self._report_dialog

    @property
    def articles_window(self) -> ArticleBrowser | None:
        """The help articles, while the window is open."""
        return self._articles_window

    @property
    def signing_in(self) -> bool:
        """Whether the sign-in dialog is open (it tells the user itself what went wrong)."""
        return self._sign_in_dialog is not None

    # -- The panel ------------------------------------------------------------------------

    @Slot()
    def toggle_panel(self) -> None:
        """A left click on the icon: the panel at the icon, or closed when it is open."""
        self.home.toggle(*self._icon_and_pointer(), place=_can_place_windows())

    @Slot()
    def open_panel(self) -> None:
        """A double click on the icon: the panel, unless it is open already."""
        if not self.home.showing:
            self.home.open(*self._icon_and_pointer(), place=_can_place_windows())

    @Slot()
    def show_home(self) -> None:
        """``helpdesk-tray show`` (a keyboard shortcut), a second launch: the panel.

        It opens in the corner where the tray is; without a tray, "My tickets".
        """
        if self._tray.isVisible():
            self.home.open(place=_can_place_windows())
        else:
            self.show_tickets()

    def show_agent(self, data: AgentCardData | None) -> None:
        """The employee's agent on the menu and the panel (``None``: none)."""
        self._tray.show_agent(data)
        self.home.show_agent(data)

    def set_agent_photo(self, png: bytes | None) -> None:
        """The agent's prepared photo on the menu and the panel (``None``: initials)."""
        self._tray.set_agent_photo(png)
        self.home.set_agent_photo(png)

    def set_accent(self, accent: str) -> None:
        """The organisation's colour on the panel and in "My tickets" (empty: the desktop's)."""
        if accent == self._accent:
            return
        self._accent = accent
        for window in (self.home.panel, self._tickets_window):
            if window is not None:
                self._wear_accent(window)

    @Slot()
    def _on_home_opening(self) -> None:
        if self.home.panel is not None and self._accent:
            self._wear_accent(self.home.panel)

    def _wear_accent(self, window: QWidget) -> None:
        """The accent as ``window``'s highlight, made to stand out; none in high contrast."""
        from client.ui import colours, resources  # deferred with the windows

        contrast = colours.high_contrast()  # then the user's own colours win
        worn = None
        if self._accent and not contrast:
            # The desktop's palette: the window's own is the style sheet's by now.
            worn = colours.accent_colours(self._accent, QGuiApplication.palette())
            if worn is None:
                self._say_accent("the desktop's own highlight")
            elif worn[0].name() != self._accent.lower():
                self._say_accent(worn[0].name())
        sheet = colours.themed(
            resources.style_sheet(), window.palette(), contrast=contrast, accent=worn
        )
        window.setStyleSheet(sheet)

    def _say_accent(self, used: str) -> None:
        if (self._accent, used) not in self._accents_said:
            self._accents_said.add((self._accent, used))
            logger.warning(
                "the profile's accent %s does not stand out on this desktop (WCAG AA); "
                "using %s instead", self._accent, used,
            )  # fmt: skip

    def _icon_and_pointer(self) -> tuple[Rect, tuple[int, int]]:
        from PySide6.QtGui import QCursor

        from client.core.placement import Rect

        where = self._tray.geometry()  # empty where the tray does not say (see placement)
        pointer = QCursor.pos()
        return Rect(where.x(), where.y(), where.width(), where.height()), (pointer.x(), pointer.y())

    @Slot(str)
    def _on_home_report_requested(self, text: str) -> None:
        # The panel has just closed; the screenshot must show what was under it, not it.
        QTimer.singleShot(PANEL_CLEAR_MS, self, lambda: self.report(text))

    # -- "My tickets" and the tracker -----------------------------------------------------

    @Slot()
    def show_tickets(self) -> None:
        """Show (or raise) "My tickets"."""
        if self._tickets_window is None:
            from client.ui.tickets_window import TicketsWindow  # deferred, see module doc

            window = TicketsWindow()
            window.report_requested.connect(self.report)
            window.refresh_requested.connect(self.refresh_requested)
            window.sign_in_requested.connect(self.sign_in)
            window.visibility_changed.connect(self._on_tickets_window_visibility_changed)
            window.edit_report_requested.connect(self.edit_report)
            window.cancel_report_requested.connect(self._on_tickets_window_cancel_report_requested)
            window.retry_reports_requested.connect(self._outbox.retry_now)
            window.action_requested.connect(self.action_requested)
            window.file_requested.connect(self.file_requested)
            window.ticket_opened.connect(self.ticket_watched)
            window.tracker.handler_shown.connect(self.handler_shown)
            window.show_reports(self._outbox.items)
            window.show_tickets(*self._tickets())
            window.show_status(self._status())
            if self._accent:
                self._wear_accent(window)
            self._tickets_window = window
        raised = self._tickets_window.isVisible()
        _bring_forward(self._tickets_window)
        if raised:  # shown already (a first showing says so itself): its news is seen now
            self.tickets_shown.emit(True)

    @Slot(object)
    def show_ticket(self, ref: TicketRef) -> None:
        """Show one ticket in the tracker (a card, a notification)."""
        logger.info("showing ticket %s", ref.id)
        self.show_tickets()
        assert self._tickets_window is not None
        self._tickets_window.open_ticket(ref)

    def show_ticket_list(self) -> None:
        """The tickets changed: "My tickets" and the panel show them as they are now."""
        if self._tickets_window is not None:
            self._tickets_window.show_tickets(*self._tickets())
        self.home.refresh()

    def show_reports(self, items: list[OutboxItem]) -> None:
        """The reports waiting to be sent changed."""
        if self._tickets_window is not None:
            self._tickets_window.show_reports(items)
        self.home.refresh()

    def show_status(self, status: TrayStatus) -> None:
        """The tray's status changed (signed out, offline, …)."""
        self._tray.apply_status(status)
        if self._tickets_window is not None:
            self._tickets_window.show_status(status)
        self.home.refresh()

    def show_ticket_detail(self, ticket: Ticket) -> None:
        """A ticket's conversation arrived: the tracker shows it, if it shows that ticket."""
        if self._tickets_window is not None:
            self._tickets_window.show_ticket_detail(ticket)
            logger.info("ticket %s loaded (%s)", ticket.summary.ref.id, ticket.summary.stage.value)

    def ticket_unavailable(self, ref: TicketRef, text: str) -> None:
        """The desk could not give the ticket shown in the tracker: say why there."""
        window = self._tickets_window
        tracker = self._tracker_of(ref)
        if tracker is not None and window is not None and window.tracking:
            tracker.show_unavailable(text)

    def action_done(self, ref: TicketRef, action: Action) -> None:
        """A reply, confirmation or reopening reached the desk."""
        if (tracker := self._tracker_of(ref)) is not None:
            tracker.action_done(action)

    def action_failed(self, ref: TicketRef, text: str) -> None:
        """A reply, confirmation or reopening did not reach the desk: ``text`` says why."""
        if (tracker := self._tracker_of(ref)) is not None:
            tracker.action_failed(text)

    def tell(self, ref: TicketRef, text: str, role: str = "") -> None:
        """A line for the tracker of ``ref`` (``role``: "error" for a problem)."""
        if (tracker := self._tracker_of(ref)) is not None:
            tracker.show_message(text, role)

    def open_file(self, ref: TicketRef, path: str, opens_directly: bool) -> None:
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
        self.tell(ref, text)

    def _tracker_of(self, ref: TicketRef) -> TicketTracker | None:
        """The tracker, when it shows ``ref``."""
        tracker = self.tracker
        return tracker if tracker is not None and tracker.ref == ref else None

    @Slot(bool)
    def _on_tickets_window_visibility_changed(self, visible: bool) -> None:
        self.tickets_shown.emit(visible)
        if visible:
            return
        window = self._tickets_window
        if window is not None and not window.tracker.has_draft:
            # Built again when next asked for: an idle tray keeps no window it is not showing.
            window.deleteLater()
            self._tickets_window = None
        self.released.emit()

    @Slot(object)
    def _on_tickets_window_cancel_report_requested(self, item: OutboxItem) -> None:
        self._outbox.cancel(item.id)

    # -- Reports --------------------------------------------------------------------------

    @Slot()
    @Slot(str)
    def report(self, text: str = "", attachments: Sequence[Attachment] = ()) -> None:
        """Show the report dialog; on a first start, sign in first.

        ``text``: what the employee typed in the panel's box, to begin with;
        ``attachments``: files the tray sends along (a fix's record). Once a
        desk is known, reporting always works: while signing in, or after the
        sign-in expired, the report waits in the outbox.
        """
        if not self._account.desk_url:
            if text or attachments:
                self._report_after_sign_in = (text, tuple(attachments))
            self.sign_in()
            return
        self._before_large_work()  # a screenshot's buffers, given back when freed
        old = self._report_dialog
        if text and old is not None and not old.accepts_text and not old.sending:
            # Its report was saved (the thank-you page shows): the new words, a new report.
            old.close()
            old.deleteLater()
            self._report_dialog = None
        if self._report_dialog is None:
            self._report_dialog = self._new_report_dialog()
            self.report_opened.emit()  # where it goes is fixed when the report is saved
        elif self._report_dialog.has_draft and not self._report_dialog.isVisible():
            self._report_dialog.show_draft()
        if text:
            self._report_dialog.start_with(text)
        for attachment in attachments:
            self._report_dialog.attach(attachment)
        _bring_forward(self._report_dialog)

    def _new_report_dialog(self) -> ReportDialog:
        # Deferred, see module doc.
        from client.ui.report_dialog import ReportDialog
        from client.ui.report_items import ReportItems
        from client.ui.screenshot import grab_screens

        # The moment of the problem: the screen before our dialog covers it.
        grab = grab_screens(self._settings.allow_screenshots)
        max_bytes = self._settings.max_attachment_bytes
        items = ReportItems(self._evidence, max_bytes=max_bytes)
        dialog = ReportDialog(self._reports, max_attachment_bytes=max_bytes, items=items)
        items.setParent(dialog)
        items.start(grab)
        dialog.items_ready.connect(lambda: self.report_items_ready.emit(dialog))
        dialog.tickets_requested.connect(self.show_tickets)
        dialog.report_sent.connect(self.report_saved)
        dialog.finished.connect(self._on_report_dialog_finished)
        dialog.new_screenshot_requested.connect(self._on_report_dialog_new_screenshot)
        dialog.help_wanted.connect(self.help_wanted)
        dialog.suggestion_chosen.connect(self.suggestion_chosen)
        dialog.set_destination(self._settings.desk_queue, "")
        return dialog

    @Slot(str, list)
    def show_suggestions(self, text: str, suggestions: list[Suggestion]) -> None:
        """Articles and fixes that may help with ``text``: in the panel and the report."""
        self.home.show_suggestions(text, suggestions)
        if self._report_dialog is not None:
            self._report_dialog.show_suggestions(text, suggestions)

    def set_destination(self, queue: str, words: str) -> None:
        """Where the open report goes (a queue), and that in words for the employee."""
        dialog = self._report_dialog
        if dialog is not None and not dialog.sending:  # one being saved keeps its queue
            dialog.set_destination(queue, words)

    @property
    def takes_destination(self) -> bool:
        """Whether a report dialog is open whose destination can still change."""
        return self._report_dialog is not None and not self._report_dialog.sending

    @Slot()
    def _on_report_dialog_new_screenshot(self) -> None:
        """Out of the way while the screen is taken again, then back."""
        if self._report_dialog is not None:
            self._report_dialog.hide()
            # Long enough for the desktop to have drawn what was under the dialog.
            QTimer.singleShot(SCREEN_CLEAR_MS, self, self._retake_screenshot)

    def _retake_screenshot(self) -> None:
        dialog = self._report_dialog
        if dialog is None:
            return
        from client.ui.screenshot import grab_screens

        self._before_large_work()
        dialog.retake_screenshot(grab_screens(self._settings.allow_screenshots))
        _bring_forward(dialog)

    @Slot(int)
    def _on_report_dialog_finished(self, _result: int) -> None:
        # Closed with unsaved text (Esc, the window's X): keep it for next time.
        if self._report_dialog is not None and not self._report_dialog.has_draft:
            self._report_dialog.deleteLater()
            self._report_dialog = None
            logger.info("report dialog closed; the next report starts afresh")
        self.released.emit()

    @Slot(object)
    def edit_report(self, item: OutboxItem) -> None:
        """Let the user change a report that has not reached the desk.

        The report is held back while the dialog is open, so it is not sent
        with the old text half-way through the change.
        """
        from client.ui.report_dialog import EditReportDialog  # deferred, see module doc

        for open_dialog in self._edit_dialogs:
            if open_dialog.item_id == item.id:
                _bring_forward(open_dialog)
                return
        self._outbox.hold(item.id)
        dialog = EditReportDialog(
            self._outbox, item, max_attachment_bytes=self._settings.max_attachment_bytes
        )
        self._edit_dialogs.add(dialog)  # parentless: keep a reference while it is open
        dialog.finished.connect(lambda _result: self._on_edit_dialog_finished(dialog))
        _bring_forward(dialog)

    def _on_edit_dialog_finished(self, dialog: EditReportDialog) -> None:
        self._edit_dialogs.discard(dialog)
        self._outbox.release(dialog.item_id)

    def report_problem(self, item_id: int, text: str) -> None:
        """A change to a waiting report failed: said where the employee made it."""
        if any(dialog.item_id == item_id for dialog in self._edit_dialogs):
            return  # the edit dialog says it itself, next to the text
        if self._tickets_window is not None:
            self._tickets_window.show_report_problem(text)

    # -- Signing in -----------------------------------------------------------------------

    @Slot()
    @Slot(str)
    def sign_in(self, reason: str = "") -> None:
        """Ask the user to sign in (the desk address comes from IT policy when set)."""
        if self._sign_in_dialog is None:
            from client.ui.sign_in_dialog import SignInDialog  # deferred, see module doc

            dialog = SignInDialog(
                self._account,
                url=self._account.desk_url,
                url_locked=self._url_locked,
                username=self._account.username,
                reason=reason,
                offer_keep=self._offer_keep,
                secret=self._secret,
            )
            dialog.finished.connect(self._on_sign_in_dialog_finished)
            self._sign_in_dialog = dialog
        _bring_forward(self._sign_in_dialog)

    @Slot(int)
    def _on_sign_in_dialog_finished(self, result: int) -> None:
        if result != 1:  # closed without signing in: no report opens later by surprise
            self._report_after_sign_in = ("", ())
        if self._sign_in_dialog is not None:
            self._sign_in_dialog.deleteLater()
            self._sign_in_dialog = None

    @Slot(object)
    def _on_account_signed_in(self, _person: object) -> None:
        (text, files), self._report_after_sign_in = self._report_after_sign_in, ("", ())
        if text or files:  # begun before the first sign-in: the report, now
            QTimer.singleShot(0, self, lambda: self.report(text, files))

    # -- Help articles --------------------------------------------------------------------

    def show_articles(
        self, articles: Sequence[Article], notice: str, language: str, read: ArticleReader
    ) -> None:
        """Show (or raise) the help articles IT published, with the profile's notice."""
        if self._articles_window is None:
            from client.ui.article_view import ArticleBrowser  # deferred, see module doc

            # Each read is owned by the window: a body read after it closed is dropped.
            window = ArticleBrowser(lambda a, then: read(a, then, window), language=language)
            # Deferred with the window: touching the Qt namespace builds all of its enums
            # (1.6 MB that an idle tray would keep; docs/performance.md).
            from PySide6.QtCore import Qt

            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.link_requested.connect(self._on_articles_window_link_requested)
            window.destroyed.connect(self._on_articles_window_destroyed)
            self._articles_window = window
        self.update_articles(articles, notice)
        _bring_forward(self._articles_window)

    def update_articles(self, articles: Sequence[Article], notice: str) -> None:
        """A new profile came in: the open articles window shows it (the article open stays)."""
        if self._articles_window is not None:
            self._articles_window.set_articles(articles)
            self._articles_window.set_notice(notice)

    @Slot(QUrl)
    def _on_articles_window_link_requested(self, url: QUrl) -> None:
        from client.ui.article_view import is_safe_link

        if is_safe_link(url):  # the widget checked; the one place that opens the browser
            QDesktopServices.openUrl(url)

    @Slot()
    def _on_articles_window_destroyed(self) -> None:
        self._articles_window = None
        self.released.emit()

    # -- Crashes, quitting ----------------------------------------------------------------

    def show_crash(self, info: CrashInfo, previous_run: bool = False) -> None:
        """Tell the user something went wrong (``previous_run``: the last run ended so)."""
        from client.ui.crash_dialog import CrashDialog  # deferred, see module doc

        dialog = CrashDialog(info, previous_run=previous_run)
        # Keep a reference: a parentless dialog would otherwise be collected at once.
        self._crash_dialogs.add(dialog)
        dialog.finished.connect(lambda _result: self._crash_dialogs.discard(dialog))
        dialog.show()

    def close(self) -> None:
        """At quit: the panel closes (and is deleted)."""
        self.home.close()


def _can_place_windows() -> bool:
    # Wayland lets the compositor alone decide where a window goes.
    return not QGuiApplication.platformName().startswith("wayland")


def _bring_forward(window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()
