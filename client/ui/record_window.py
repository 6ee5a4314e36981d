"""What IT ran on this computer, and what the tray sent: the record, and its export.

A list, newest first: when, what (a fix by its title, or a report by its
subject and ticket), and how it went. The selected entry's details below:
for a fix, its version and scripts' hashes, who started it, each step's exit
code and output; for a report, every item it carried and its size. "Export…"
saves the whole record as a JSON file the employee can keep or send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QDateTime, QLocale, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.fixes import FixRun
from client.core.record import Entry, SentReport
from client.ui import resources, texts
from client.ui.fix_dialog import outcome_words, step_lines
from client.ui.widgets import text_label


def _when(moment: float) -> str:
    return QLocale().toString(
        QDateTime.fromSecsSinceEpoch(int(moment)), QLocale.FormatType.ShortFormat
    )


class RecordWindow(QWidget):
    """The record; see the module doc.

    Signals:
        export_requested(str): save the record to this path.
    """

    export_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        resources.dress(self, "recordWindow", self.tr("What IT ran on this computer"))
        self.resize(620, 460)
        layout = QVBoxLayout(self)
        intro = text_label("recordIntro")
        intro.setText(
            self.tr(
                "Every fix run on this computer and every report the tray sent, with what it "
                "carried. It stays on this computer unless you export it."
            )  # fmt: skip
        )
        layout.addWidget(intro)
        self.message = text_label("recordMessage")
        self.message.setProperty("role", "warning")
        self.message.hide()
        layout.addWidget(self.message)
        self.list = QListWidget()
        self.list.setObjectName("recordList")
        self.list.setAccessibleName(self.tr("Fixes run and reports sent, newest first"))
        self.list.currentRowChanged.connect(self._on_row_changed)
        layout.addWidget(self.list, 3)
        self.details = QPlainTextEdit()
        self.details.setObjectName("recordDetails")
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Details of the selected entry"))
        layout.addWidget(self.details, 2)
        buttons = QHBoxLayout()
        self.empty = text_label("recordEmpty")
        self.empty.setText(self.tr("Nothing yet: no fix has run and no report was sent."))
        self.empty.hide()
        buttons.addWidget(self.empty, 1)
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("recordExport")
        self.export_button.setAccessibleDescription(
            self.tr("Saves the whole record as a file you can keep or send to IT.")
        )
        self.export_button.clicked.connect(self._on_export_clicked)
        buttons.addWidget(self.export_button)
        layout.addLayout(buttons)
        self._entries: list[Entry] = []
        self._titles: Mapping[str, str] = {}

    def show_entries(self, entries: Sequence[Entry], titles: Mapping[str, str]) -> None:
        """Show the record (newest first); ``titles`` names fixes by id."""
        self._entries, self._titles = list(entries), titles
        self.list.clear()
        for entry in self._entries:
            QListWidgetItem(self._line(entry), self.list)
        self.empty.setVisible(not self._entries)
        self.export_button.setEnabled(bool(self._entries))
        if self._entries:
            self.list.setCurrentRow(0)
        else:
            self.details.clear()

    def show_message(self, text: str) -> None:
        """A problem with the record, or where it was exported ("" hides it)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _line(self, entry: Entry) -> str:
        if isinstance(entry, FixRun):
            title = self._titles.get(entry.fix_id, entry.fix_id)
            result, _ = outcome_words(entry)
            return (
                self.tr("{when} · Fix: {title} · {result}")
                .replace("{when}", _when(entry.started_at))
                .replace("{title}", title)
                .replace("{result}", result)
            )
        if isinstance(entry, SentReport):
            ticket = entry.ticket or self.tr("no ticket number")
            return (
                self.tr("{when} · Report sent: {subject} ({ticket})")
                .replace("{when}", _when(entry.sent_at))
                .replace("{subject}", entry.subject)
                .replace("{ticket}", ticket)
            )
        return self.tr("{when} · An entry this version cannot read").replace(
            "{when}", _when(entry.at)
        )

    def _details(self, entry: Entry) -> str:
        if isinstance(entry, FixRun):
            who = self.tr("you") if entry.started_by == "you" else entry.started_by
            lines = [
                self.tr("Fix: {title} ({id}), version {version}")
                .replace("{title}", self._titles.get(entry.fix_id, entry.fix_id))
                .replace("{id}", entry.fix_id)
                .replace("{version}", str(entry.version)),
                self.tr("Started by {who} on {when}, took {seconds} s")
                .replace("{who}", who)
                .replace("{when}", _when(entry.started_at))
                .replace("{seconds}", f"{entry.duration_s:.1f}"),
                self.tr("Detection script SHA-256: {hash}").replace("{hash}", entry.detect_sha256),
                self.tr("Fix script SHA-256: {hash}").replace("{hash}", entry.fix_sha256),
                " ".join(part for part in outcome_words(entry) if part),
            ]
            steps = step_lines(entry)
            return "\n".join([*lines, "", steps] if steps else lines)
        if isinstance(entry, SentReport):
            lines = [
                self.tr("Report: {subject}").replace("{subject}", entry.subject),
                self.tr("Sent on {when}, ticket {ticket}")
                .replace("{when}", _when(entry.sent_at))
                .replace("{ticket}", entry.ticket or "-"),
                self.tr("It carried:"),
            ]
            lines += [f"  {name} ({texts.data_size(size)})" for name, size in entry.items]
            return "\n".join(lines)
        return self.tr("Written by another version of the tray ({kind}).").replace(
            "{kind}", entry.kind
        )

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._entries):
            self.details.setPlainText(self._details(self._entries[row]))

    def _on_export_clicked(self) -> None:
        picker = QFileDialog(self, self.tr("Export the record"))
        picker.setObjectName("recordExportPicker")
        picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        picker.setDefaultSuffix("json")
        picker.selectFile("helpdesk-tray-record.json")
        picker.setNameFilter(self.tr("JSON files (*.json)"))
        picker.fileSelected.connect(self.export_requested)
        picker.finished.connect(picker.deleteLater)
        picker.open()
