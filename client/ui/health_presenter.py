"""Between the health service and the employee: quiet nudges, the health view, "tell IT?".

A nudge is a low-urgency desktop notification (never a window that takes
the focus); a click on it opens the health view. "Tell IT" shows exactly
what the proactive report carries before it is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from client.services.health import HealthService
from client.ui.notifications import Notifications
from client.ui.windows import Windows

if TYPE_CHECKING:  # the core's health and fix modules load with the first finding
    from PySide6.QtWidgets import QMessageBox

    from client.core.fixes import Fix, FixRun
    from client.core.health import Finding

logger = logging.getLogger(__name__)


class HealthPresenter(QObject):
    """Shows what the health service says, and hands the employee's answers back to it."""

    def __init__(
        self,
        health: HealthService,
        notifications: Notifications,
        windows: Windows,
        language: str,
        *,
        ask_first: bool,
        fix: Callable[[str], Fix | None],
        choose: Callable[[str, str], None],
        show_record: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._health = health
        self._notifications = notifications
        self._windows = windows
        self._language = language
        self._ask_first = ask_first
        self._fix = fix
        self._choose = choose
        self._show_record = show_record
        self.window: object | None = None  # the HealthWindow, once opened
        self.tell_it_box: QMessageBox | None = None  # "tell IT?", while it asks
        health.nudge.connect(self._on_nudge)
        health.ask.connect(self._on_ask)
        health.filed.connect(self._on_filed)
        health.fixed.connect(self._on_fixed)
        health.changed.connect(self._on_changed)
        notifications.health_requested.connect(self.show)

    def attention(self) -> int:
        """Findings that need a look: found for a while, not dismissed, IT not yet told."""
        return sum(not (t.dismissed or t.told_it) for _, t in self._health.standing())

    # --- notifications -----------------------------------------------------------------------

    def _title(self, finding: Finding) -> str:
        return finding.rule.title.get(self._language)

    def _on_nudge(self, finding: Finding) -> None:
        fix = self._fix(finding.rule.fix) if finding.rule.fix else None
        if fix is not None:
            body = self.tr("IT has a fix you can run yourself: %1.").replace(
                "%1", fix.title.get(self._language)
            )
        else:
            body = finding.rule.advice.get(self._language)
        self._notifications.show_health(self._title(finding), body, finding.id)

    def _on_ask(self, finding: Finding) -> None:
        self._notifications.show_health(
            self.tr("Tell IT about this?"),
            self.tr("%1. It has lasted a while. Open to see what IT would get.").replace(
                "%1", self._title(finding)
            ),
            finding.id,
        )

    def _on_filed(self, finding: Finding) -> None:
        self._notifications.show_health(
            self.tr("IT has been told"),
            self.tr(
                "%1. It has lasted a while, so IT has been told, as your IT department's "
                "policy says. Open to see what was sent."
            ).replace("%1", self._title(finding)),
            finding.id,
        )

    def _on_fixed(self, finding: Finding, run: FixRun) -> None:
        from client.core.fixes import Outcome

        if run.outcome is Outcome.SOLVED:
            title = self.tr("Fixed for you")
        elif run.outcome is Outcome.NOTHING_FOUND:
            return  # it had cleared meanwhile: nothing to say
        else:
            title = self.tr("A fix did not help")
        body = self.tr("%1: IT's fix ran on its own, as IT allows for this one.").replace(
            "%1", self._title(finding)
        )
        self._notifications.show_health(title, body, finding.id)

    # --- the view -------------------------------------------------------------------------------

    def show(self) -> None:
        """Open the health view (made on first use), up to date."""
        from PySide6.QtCore import Qt  # its namespace costs ~1 MB: loaded once the view opens

        from client.ui.health_window import HealthWindow

        if self.window is None:
            window = HealthWindow(self._language)
            window.check_requested.connect(self._health.check_everything)
            window.fix_requested.connect(lambda fix_id: self._choose("fix", fix_id))
            window.report_requested.connect(self._on_report_requested)
            window.tell_it_requested.connect(self._on_tell_it_requested)
            window.snooze_requested.connect(self._health.snooze)
            window.dismiss_requested.connect(self._health.dismiss)
            window.record_requested.connect(self._show_record)
            window.destroyed.connect(self._on_window_destroyed)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            self.window = window
        assert isinstance(self.window, HealthWindow)
        self._refresh()
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def _on_window_destroyed(self) -> None:
        self.window = None

    def _on_changed(self) -> None:
        self._windows.home.show_health(self.attention())
        self._refresh()

    def _refresh(self) -> None:
        window = self.window
        if window is None:
            return  # the view's modules load when it first opens, not with every change
        from client.ui.health_window import FindingView, HealthWindow

        assert isinstance(window, HealthWindow)
        health = self._health
        views = []
        for finding, track in health.standing():
            fix = self._fix(finding.rule.fix) if finding.rule.fix else None
            may_tell = (
                self._ask_first and finding.rule.escalate_after_h is not None and not track.told_it
            )
            views.append(
                FindingView(finding, track, fix.title.get(self._language) if fix else "", may_tell)
            )
        window.show_state(
            views, health.checks(), checked_at=health.checked_at, busy=health.busy,
            sent=health.book,
        )  # fmt: skip

    def _on_report_requested(self, finding_id: str) -> None:
        finding = next((f for f in self._health.findings if f.id == finding_id), None)
        if finding is None:
            return
        text = f"{self._title(finding)}\n\n{finding.rule.advice.get(self._language)}"
        self._windows.report(text)

    def _on_tell_it_requested(self, finding_id: str) -> None:
        finding = next((f for f in self._health.findings if f.id == finding_id), None)
        if finding is None:
            return
        from PySide6.QtCore import Qt

        report = self._health.proactive_report(finding, asked=True)
        # Loaded here: the box's type costs the idle tray about 0.3 MB (docs/performance.md).
        from PySide6.QtWidgets import QMessageBox, QWidget

        box = QMessageBox(self.window if isinstance(self.window, QWidget) else None)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Tell IT about this?"))
        box.setText(self.tr("IT gets this report, and nothing else:"))
        box.setObjectName("healthTellItBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        send = box.addButton(self.tr("Send to IT"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Don't tell IT"), QMessageBox.ButtonRole.RejectRole)
        box.setInformativeText(report.subject + "\n\n" + report.description)
        box.setDetailedText(
            "\n\n".join(
                f"{a.filename}:\n{a.data.decode('utf-8', 'replace')}" for a in report.attachments
            )
        )

        def answered(button: object) -> None:
            if button is send:
                self._health.tell_it(finding_id, report)  # exactly what was shown
            else:
                self._health.decline(finding_id)

        box.buttonClicked.connect(answered)
        self.tell_it_box = box
        box.open()
