"""Self-help in the windows: matches while typing, a fix's dialog, and the record window.

Connects the self-help search and the fix service to what the employee sees:
words typed in the panel or the report are searched and the matches shown
there; an article chosen opens in the articles window; a fix chosen opens
its dialog (consent, or why it cannot run here), runs when the employee
agrees, and its result asks "Did this solve it?". No opens the report
dialog with what was tried and the run's record attached; "Ask IT to do
this" opens it with a request and the fix's details. The record window
lists what ran and what was sent, and exports it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from client.core.models import Attachment

if TYPE_CHECKING:
    from client.core.errors import ClientError
    from client.core.fixes import FixRun
    from client.core.record import Entry
    from client.services.fixes import FixService
    from client.services.self_help import SelfHelp
    from client.ui.fix_dialog import FixDialog
    from client.ui.profile_presenter import ProfilePresenter
    from client.ui.record_window import RecordWindow
    from client.ui.windows import Windows

logger = logging.getLogger(__name__)


def run_attachment(run: FixRun) -> Attachment:
    """A fix run's record as a file for a ticket (JSON, as the record keeps it)."""
    from client.core.record import as_json

    _kind, _at, data = as_json(run)
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return Attachment(f"fix-{run.fix_id}-record.json", "application/json", body)


class FixPresenter(QObject):
    """Self-help's part of the windows; see the module doc."""

    def __init__(
        self,
        fixes: FixService,
        self_help: SelfHelp,
        windows: Windows,
        faces: ProfilePresenter,
        language: str,
        notice: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._notice = notice
        self._fixes = fixes
        self._windows = windows
        self._faces = faces
        self._language = language
        self._dialog: FixDialog | None = None
        self._record_window: RecordWindow | None = None
        # What the employee types and chooses reaches this through the app (client/app.py),
        # which builds it on first use.
        self_help.suggestions.connect(windows.show_suggestions)
        fixes.step.connect(self._on_fixes_step)
        fixes.finished.connect(self._on_fixes_finished)
        fixes.record_changed.connect(self._on_record_changed)
        fixes.record_problem.connect(self._on_record_problem)

    @property
    def dialog(self) -> FixDialog | None:
        """The fix dialog open now, if any."""
        return self._dialog

    @property
    def record_window(self) -> RecordWindow | None:
        """The record window open now, if any."""
        return self._record_window

    @Slot(str, str)
    def choose(self, kind: str, item_id: str) -> None:
        """The employee chose a match: show the article, or offer the fix."""
        if kind == "article":
            self._faces.show_articles(item_id)
        elif kind == "fix":
            self.offer(item_id)

    def offer(self, fix_id: str) -> None:
        """Open the fix's dialog: consent, or why it cannot run here."""
        fix = self._fixes.fix(fix_id)
        if fix is None:
            return
        if self._dialog is not None and self._dialog.fix.id != fix_id and self._fixes.running:
            self._dialog.raise_()  # one fix at a time: the running one stays in front
            self._dialog.activateWindow()
            return
        from client.ui.fix_dialog import FixDialog, fix_view

        if self._dialog is None or self._dialog.fix.id != fix_id:
            if self._dialog is not None:
                self._dialog.close()
            dialog = FixDialog(fix_view(fix, self._language))
            dialog.run_requested.connect(lambda values: self._fixes.run(fix_id, values))
            dialog.cancel_requested.connect(self._fixes.cancel)
            dialog.answered.connect(self._on_dialog_answered)
            dialog.ask_it_requested.connect(self._on_dialog_ask_it_requested)
            dialog.report_requested.connect(self._on_dialog_report_requested)
            dialog.finished.connect(self._on_dialog_finished)
            self._dialog = dialog
        refusal = self._fixes.refusal(fix)
        if refusal is not None:
            self._dialog.show_refused(refusal.value)
        elif not self._fixes.running:
            self._dialog.show_consent()
        self._dialog.show()
        self._dialog.raise_()
        self._dialog.activateWindow()

    @Slot(str)
    def _on_fixes_step(self, step: str) -> None:
        if self._dialog is not None:
            self._dialog.show_step(step)

    @Slot(object)
    def _on_fixes_finished(self, run: FixRun) -> None:
        if self._dialog is not None and self._dialog.fix.id == run.fix_id:
            self._dialog.show_result(run)

    def _on_dialog_answered(self, solved: bool) -> None:
        dialog = self._dialog
        run = dialog.last_run if dialog is not None else None
        if solved or dialog is None or run is None:
            return
        from client.ui.fix_dialog import run_summary

        self._windows.report(run_summary(dialog.fix.title, run), [run_attachment(run)])

    def _on_dialog_ask_it_requested(self) -> None:
        from client.ui.fix_dialog import ask_it_text

        dialog = self._dialog
        if dialog is None:
            return
        fix = self._fixes.fix(dialog.fix.id)
        details = []
        if fix is not None:
            details = [
                Attachment(
                    f"fix-{fix.id}-request.json",
                    "application/json",
                    json.dumps(
                        {
                            "fix_id": fix.id,
                            "version": fix.version,
                            "title": dialog.fix.title,
                            "run_as": fix.run_as.value,
                        },  # fmt: skip
                        ensure_ascii=False,
                        indent=1,
                    ).encode("utf-8"),
                )
            ]
        self._windows.report(ask_it_text(dialog.fix.title), details)

    def _on_dialog_report_requested(self) -> None:
        dialog = self._dialog
        if dialog is None:
            return
        run = dialog.last_run
        self._windows.report(dialog.fix.title, [run_attachment(run)] if run else [])

    def _on_dialog_finished(self, _result: int) -> None:
        dialog, self._dialog = self._dialog, None
        if dialog is not None:
            dialog.deleteLater()

    # --- the record ------------------------------------------------------------------------

    @Slot()
    def show_record(self) -> None:
        """Show (or raise) what IT ran on this computer and what was sent."""
        if self._record_window is None:
            from PySide6.QtCore import Qt

            from client.ui.record_window import RecordWindow

            window = RecordWindow()
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.export_requested.connect(self._on_record_export_requested)
            window.destroyed.connect(self._on_record_window_destroyed)
            self._record_window = window
        self._load_record()
        self._record_window.show()
        self._record_window.raise_()
        self._record_window.activateWindow()

    def _load_record(self) -> None:
        window = self._record_window
        if window is None:
            return

        def show(entries: list[Entry]) -> None:
            if self._record_window is not None:
                self._record_window.show_entries(entries, self._titles())

        self._fixes.entries(show, window)

    def _titles(self) -> dict[str, str]:
        return {fix.id: fix.title.get(self._language) for fix in self._fixes.fixes()}

    @Slot()
    def _on_record_changed(self) -> None:
        self._load_record()

    @Slot(object)
    def _on_record_problem(self, error: ClientError) -> None:
        if error.code == "record_recovered":
            text = self.tr(
                "The record of what ran on this computer was damaged. It was moved aside and "
                "what could be read was kept.",
            )
        elif error.code == "export":
            text = self.tr("The record could not be saved there. Choose another folder.")
        else:
            text = self.tr(
                "The record of what ran on this computer could not be read or "
                "written. Nothing else is affected."
            )  # fmt: skip
        logger.warning("record: %s (%s)", error.code, error.detail)
        if self._record_window is not None:
            self._record_window.show_message(text)
        else:
            self._notice(text)

    def _on_record_export_requested(self, path: str) -> None:
        window = self._record_window
        if window is None:
            return

        def saved(count: int) -> None:
            if self._record_window is not None:
                self._record_window.show_message(
                    self.tr("Saved %n entries to {path}.", "", count).replace("{path}", path)
                )

        self._fixes.export(Path(path), saved, window)

    @Slot()
    def _on_record_window_destroyed(self) -> None:
        self._record_window = None
        self._windows.released.emit()
