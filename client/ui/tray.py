"""The tray icon and its menu: shows the status, emits what the user asked for."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidgetAction

from client.core.tray_state import ConnectionState, TrayStatus
from client.ui import resources

if TYPE_CHECKING:
    from client.ui.agent_card import AgentCard, AgentCardData


class TrayIcon(QSystemTrayIcon):
    """The icon in the notification area.

    The menu is built once; each time it opens it is brought up to date and
    ``menu_opened`` lets the app refresh the tickets behind it.

    Signals:
        report_requested(), tickets_requested(), sign_in_requested(),
        quit_requested(): the user chose that menu entry.
        menu_opened(): the menu is about to be shown.
        contact_requested(QUrl): the user chose to e-mail, call or chat with their agent.
        department_chosen(str): the employee said which department (its id) they are in.
        articles_requested(): the user wants the help articles.
        record_requested(): the user wants to see what IT ran on this computer.
        health_requested(): the user wants the health of this computer.
        panel_requested(): a left click on the icon, or the menu's entry for the panel.
        panel_wanted(): a double click on the icon: the panel, and not closed if open.
        autostart_chosen(bool): the user turned "Start when I log in" on or off.
    """

    report_requested = Signal()
    tickets_requested = Signal()
    sign_in_requested = Signal()
    quit_requested = Signal()
    menu_opened = Signal()
    contact_requested = Signal(QUrl)
    department_chosen = Signal(str)
    articles_requested = Signal()
    record_requested = Signal()
    health_requested = Signal()
    panel_requested = Signal()
    panel_wanted = Signal()
    autostart_chosen = Signal(bool)

    def __init__(self, status: TrayStatus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = status
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        # Where a left click cannot open the panel at the icon (see _on_menu_about_to_show).
        self.panel_action = self._add_action("panelAction", self.tr("Open IT help"))
        self.panel_action.triggered.connect(self.panel_requested)
        self.report_action = self._add_action("reportAction", self.tr("Report a problem…"))
        self.tickets_action = self._add_action("ticketsAction", self.tr("My tickets"))
        self.articles_action = self._add_action("articlesAction", self.tr("Help articles"))
        self.articles_action.setVisible(False)  # shown when the profile has articles
        self.record_action = self._add_action("recordAction", self.tr("What IT ran here"))
        self.record_action.triggered.connect(self.record_requested)
        self.health_action = self._add_action("healthAction", self.tr("Health of this computer"))
        self.health_action.triggered.connect(self.health_requested)
        self.menu.addSeparator()
        self.autostart_action = self._add_action("autostartAction", self.tr("Start when I log in"))
        self.autostart_action.setCheckable(True)
        self.autostart_action.triggered.connect(self.autostart_chosen)
        self.menu.setToolTipsVisible(True)  # why the entry is greyed, where IT decided
        self.sign_in_action = self._add_action("signInAction", self.tr("Sign in…"))
        self.quit_action = self._add_action("quitAction", self.tr("Quit"))
        self.report_action.triggered.connect(self.report_requested)
        self.tickets_action.triggered.connect(self.tickets_requested)
        self.articles_action.triggered.connect(self.articles_requested)
        self.sign_in_action.triggered.connect(self.sign_in_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.aboutToShow.connect(self._on_menu_about_to_show)
        self.setContextMenu(self.menu)
        self.activated.connect(self._on_activated)
        self.agent_card: AgentCard | None = None  # made when the menu first opens with one
        self._card_action: QWidgetAction | None = None
        self._card_data: AgentCardData | None = None
        self._card_photo: bytes | None = None
        #: Whether the menu was ever opened: until then no card is worked out or built.
        self.menu_seen = False
        #: "Your department" (made when a profile offers a choice): one checkable entry each.
        self.departments_menu: QMenu | None = None
        self._departments: tuple[list[tuple[str, str]], str, bool] = ([], "", False)
        self._articles_available = False
        self._department_group: QActionGroup | None = None
        #: Changes to the menu's entries held back while it is open (see _while_closed).
        self._after_close: list[Callable[[], None]] = []
        self.menu.aboutToHide.connect(self._on_menu_about_to_hide)
        self.apply_status(status)

    def show_departments(
        self, choices: Sequence[tuple[str, str]], current: str, choosable: bool
    ) -> None:
        """Offer the profile's departments (id, name) to choose from; ``current`` is checked.

        Hidden when not ``choosable``: IT or the desk already say which it is.
        """
        departments = (list(choices), current, choosable)
        if departments != self._departments:  # each opening asks again; most change nothing
            self._departments = departments
            self._while_closed(self._place_departments)

    def _place_departments(self) -> None:
        choices, current, choosable = self._departments
        if not choosable:
            if self.departments_menu is not None:
                self.departments_menu.menuAction().setVisible(False)
            return
        if self.departments_menu is None:
            self.departments_menu = QMenu(self.tr("Your department"), self.menu)
            self.departments_menu.setObjectName("departmentsMenu")
            self.menu.insertMenu(self.sign_in_action, self.departments_menu)
            self.departments_menu.triggered.connect(self._on_department_triggered)
        menu = self.departments_menu
        menu.menuAction().setVisible(True)
        for old in menu.actions():
            menu.removeAction(old)
            old.deleteLater()  # it may be the one being triggered right now
        group = self._department_group
        if group is None:
            group = self._department_group = QActionGroup(menu)
        for department_id, name in choices:
            action = menu.addAction(name.replace("&", "&&"))
            action.setData(department_id)
            action.setCheckable(True)
            action.setChecked(department_id == current)
            group.addAction(action)

    def show_autostart(self, on: bool, locked: bool) -> None:
        """Whether the tray starts at log-in (checked), and whether IT decided it (greyed)."""
        self.autostart_action.setChecked(on)
        self.autostart_action.setEnabled(not locked)
        self.autostart_action.setToolTip(self.tr("Set by your IT department.") if locked else "")

    def show_articles(self, available: bool) -> None:
        """Offer the help articles (when the profile has some)."""
        self._articles_available = available
        self._while_closed(self._place_articles)

    def _place_articles(self) -> None:
        self.articles_action.setVisible(self._articles_available)

    def _on_department_triggered(self, action: QAction) -> None:
        self.department_chosen.emit(str(action.data()))

    def show_agent(self, data: AgentCardData | None) -> None:
        """Show the employee's agent at the top of the menu (``None``: no card).

        The card is built the first time the menu opens, not before: an idle
        tray whose menu nobody opened does not hold it (docs/performance.md).
        """
        self._card_data = data
        if data is not None and self.agent_card is not None:
            self.agent_card.show_agent(data)
        self._while_closed(self._place_agent_card)

    def _place_agent_card(self) -> None:
        if self._card_action is not None:
            self._card_action.setVisible(self._card_data is not None)
        elif self.menu_seen:
            self._build_agent_card()

    def _while_closed(self, change: Callable[[], None]) -> None:
        """Change what the menu holds now, or, while it is open, once it closes.

        Entries never move under the pointer: a card arriving a moment after the
        menu opened would push "Report a problem…" down just as it is clicked.
        """
        if self.menu.isVisible():
            if change not in self._after_close:
                self._after_close.append(change)
        else:
            change()

    def _on_menu_about_to_hide(self) -> None:
        changes, self._after_close = self._after_close, []
        for change in changes:
            change()

    def set_agent_photo(self, png: bytes | None) -> None:
        """The agent's prepared photo for the card (``None``: initials)."""
        self._card_photo = png
        if self.agent_card is not None:
            self.agent_card.set_photo(png)

    def _build_agent_card(self) -> None:
        if self._card_data is None or self.agent_card is not None:
            return
        from client.ui.agent_card import AgentCard  # deferred: only with a profile

        self.agent_card = AgentCard()
        self.agent_card.contact_requested.connect(self.contact_requested)
        self._card_action = QWidgetAction(self.menu)
        self._card_action.setObjectName("agentCardAction")
        self._card_action.setDefaultWidget(self.agent_card)
        self.menu.insertAction(self.panel_action, self._card_action)
        self.agent_card.show_agent(self._card_data)
        self.agent_card.set_photo(self._card_photo)

    def _add_action(self, name: str, text: str) -> QAction:
        action = self.menu.addAction(text)
        action.setObjectName(name)
        return action

    def apply_status(self, status: TrayStatus) -> None:
        """Show ``status``: icon, tooltip, and which entries make sense now."""
        self._status = status
        self.setIcon(resources.tray_icon(status.icon))
        self.setToolTip(self.tooltip_text(status))
        self.sign_in_action.setVisible(not status.signed_in and not status.signing_in)
        self.tickets_action.setText(
            self.tr("My tickets (%n open)", "", status.open_tickets)
            if status.open_tickets
            else self.tr("My tickets")
        )

    def tooltip_text(self, status: TrayStatus) -> str:
        """A few short lines for the tooltip: the state, then reports still on this computer."""
        lines = [self.tr("IT help")]
        if status.signing_in:
            lines.append(self.tr("Connecting to the service desk…"))
        elif not status.signed_in:
            lines.append(self.tr("Sign in to report problems and follow your tickets."))
        elif status.connection is ConnectionState.OFFLINE:
            from client.ui import texts  # loaded with the app, after the icon (client/start.py)

            lines.append(texts.status_message(status.error_code, status.error_reason))
        elif status.unseen:
            lines.append(self.tr("%n ticket(s) with news for you", "", status.unseen))
        elif status.open_tickets:
            lines.append(self.tr("%n open ticket(s)", "", status.open_tickets))
        elif not status.waiting_reports:
            lines.append(self.tr("Click to report a problem."))
        if status.waiting_reports:
            lines.append(self.tr("%n report(s) waiting to be sent", "", status.waiting_reports))
        if status.rejected_reports:
            lines.append(
                self.tr("%n report(s) not accepted: see My tickets", "", status.rejected_reports)
            )
        return "\n".join(lines)

    def _on_menu_about_to_show(self) -> None:
        # Trays that do not say where the icon is (StatusNotifierItem hosts, Wayland) may
        # give the left click to the menu as well, and macOS always does: the panel is
        # then one entry away.
        self.panel_action.setVisible(self.geometry().isEmpty() or sys.platform == "darwin")
        self.apply_status(self._status)
        self.menu_seen = True
        self._build_agent_card()
        self.menu_opened.emit()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A left click opens the panel (the product's home); a right click the menu.
        # A click soon after another comes as a double click: it opens the panel too
        # (the app does not close an open panel for it).
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.panel_requested.emit()
        elif reason is QSystemTrayIcon.ActivationReason.DoubleClick:
            self.panel_wanted.emit()
