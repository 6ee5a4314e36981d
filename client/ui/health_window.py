"""The health of this computer: what is checked, what was found, what was done, what IT knows.

Opened from the panel ("Health of this computer"), the tray menu, or a
health notification. At the top, each finding as a card: what it is, what
helps, and the buttons that fit (run IT's fix or report it, tell IT when the
policy asks first, remind me later, don't remind me), and what became of it
("IT knows: ticket #12", "Waiting to be sent to IT"). Below, every check with
the last value measured, and when the last check ran. The window only shows
state and emits intents; ``client/ui/health_presenter.py`` connects it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.core.health import METRICS, Check, Finding
from client.core.health_report import amount
from client.core.nudges import Track
from client.core.reading import plain_text
from client.ui import resources, texts
from client.ui.widgets import discard, text_label

#: The longest fix title on a button (characters): buttons do not wrap.
FIX_TITLE_CHARS = 40
#: How long "Remind me later" waits (seconds): a working day.
SNOOZE_S = 24 * 3600
#: A card's text may break inside a run this long without a space: a long detail or
#: title (a path, a program's name) would otherwise widen the card past the window,
#: and its buttons with it.
_RUN = 20
_LONG_RUN = re.compile(rf"\S{{{_RUN}}}(?=\S)")


def _card_text(text: str) -> str:
    """A pass's or a profile's text for a card: one plain line that wraps within the card."""
    return _LONG_RUN.sub(lambda run: run.group(0) + "\u200b", plain_text(text, 2000))


@dataclass(frozen=True)
class FindingView:
    """One finding as the window shows it."""

    finding: Finding
    track: Track | None
    #: The fix the employee can run for it ("" for none: a report is offered).
    fix_title: str = ""
    #: Whether the policy lets the employee tell IT from here (``ask``) and it has not been.
    may_tell_it: bool = False


def _when(moment: float) -> str:
    """A time as the tracker says it ("Today, 12:13", "Friday, 09:00", "21 Nov")."""
    return texts.moment(datetime.fromtimestamp(moment, UTC), datetime.now(UTC))


class HealthWindow(QWidget):
    """See the module doc.

    Signals:
        check_requested(): run a check now.
        fix_requested(str): run IT's fix with this id (its consent dialog first).
        report_requested(str): report this finding (the report dialog, prefilled).
        tell_it_requested(str): send the proactive report about this finding.
        snooze_requested(str, float): remind me of it later (seconds).
        dismiss_requested(str): don't remind me of it.
        record_requested(): show what IT ran here and what was sent.
    """

    check_requested = Signal()
    fix_requested = Signal(str)
    report_requested = Signal(str)
    tell_it_requested = Signal(str)
    snooze_requested = Signal(str, float)
    dismiss_requested = Signal(str)
    record_requested = Signal()

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._language = language
        resources.dress(self, "healthWindow", self.tr("Health of this computer"))
        self.resize(560, 620)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = text_label("healthSummary")
        self.summary.setProperty("role", "heading")
        top.addWidget(self.summary, 1)
        self.check_button = QPushButton(self.tr("Check now"))
        self.check_button.setObjectName("healthCheckNow")
        self.check_button.clicked.connect(self.check_requested)
        top.addWidget(self.check_button)
        layout.addLayout(top)
        self.when = text_label("healthWhen")
        layout.addWidget(self.when)
        self._cards = QVBoxLayout()
        self._cards.addStretch(1)
        cards = QWidget()
        cards.setObjectName("healthFindings")
        cards.setLayout(self._cards)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Cards fit the window's width and their texts wrap: never a sideways scroll.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(cards)
        scroll.setAccessibleName(self.tr("What was found"))
        layout.addWidget(scroll, 3)
        checked = QLabel(self.tr("What is checked"))
        checked.setProperty("role", "subheading")
        layout.addWidget(checked)
        self.checks = QTreeWidget()
        self.checks.setObjectName("healthChecks")
        self.checks.setRootIsDecorated(False)
        self.checks.setHeaderLabels([self.tr("Check"), self.tr("Last measured"), self.tr("State")])
        self.checks.setAccessibleName(self.tr("What is checked, and the last values"))
        layout.addWidget(self.checks, 2)
        bottom = QHBoxLayout()
        privacy = text_label("healthPrivacy")
        privacy.setText(
            self.tr(
                "Checks run on this computer. IT hears only of a problem that lasts, as your "
                "IT department's policy says, and never sees your files, screen or programs."
            )
        )
        bottom.addWidget(privacy, 1)
        self.record_button = QPushButton(self.tr("What was sent…"))
        self.record_button.setObjectName("healthRecord")
        self.record_button.clicked.connect(self.record_requested)
        bottom.addWidget(self.record_button)
        layout.addLayout(bottom)
        self._card_widgets: list[QWidget] = []

    def show_state(
        self,
        findings: Sequence[FindingView],
        checks: Sequence[Check],
        *,
        checked_at: float | None,
        busy: bool,
        sent: Mapping[str, Track],
    ) -> None:
        """Show the last pass: findings as cards, every check with its value."""
        self.check_button.setEnabled(not busy)
        if busy:
            self.when.setText(self.tr("Checking…"))
        elif checked_at is None:
            self.when.setText(self.tr("Not checked yet."))
        else:
            self.when.setText(self.tr("Last checked %1.").replace("%1", _when(checked_at)))
        shown = list(findings)
        waiting = [
            view for view in shown
            if view.track is None or not (view.track.dismissed or view.track.told_it)
        ]  # fmt: skip
        if waiting:
            self.summary.setText(self.tr("%n thing(s) need attention", "", len(waiting)))
        elif shown:
            self.summary.setText(self.tr("Nothing needs you now"))
        else:
            self.summary.setText(self.tr("All is well"))
        for widget in self._card_widgets:
            discard(self._cards, widget)
        self._card_widgets = [self._card(view) for view in shown]
        cleared = [t for t in sent.values() if t.cleared_at is not None and t.ticket]
        for track in cleared:
            self._card_widgets.append(self._cleared_card(track))
        for widget in self._card_widgets:
            self._cards.insertWidget(self._cards.count() - 1, widget)  # above the stretch
        self.checks.clear()
        for check in checks:
            self.checks.addTopLevelItem(self._check_item(check))
        for column in range(3):
            self.checks.resizeColumnToContents(column)

    def _card(self, view: FindingView) -> QWidget:
        finding, track = view.finding, view.track
        card = QFrame()
        card.setObjectName("healthFinding")
        card.setProperty("role", "card")
        card.setAccessibleName(plain_text(finding.rule.title.get(self._language)))
        layout = QVBoxLayout(card)
        title = text_label("healthFindingTitle")
        title.setProperty("role", "subheading")
        title.setText(_card_text(finding.rule.title.get(self._language)))
        layout.addWidget(title)
        advice = text_label("healthFindingAdvice")
        advice.setText(_card_text(self._advice(finding)))
        layout.addWidget(advice)
        status = text_label("healthFindingStatus")
        status.setText(_card_text(self._status(track)))
        status.setVisible(bool(status.text()))
        layout.addWidget(status)
        buttons = QHBoxLayout()
        if view.fix_title:
            named = plain_text(view.fix_title, 200)
            named = named if len(named) <= FIX_TITLE_CHARS else named[: FIX_TITLE_CHARS - 1] + "…"
            fix = QPushButton(self.tr("Fix it: %1").replace("%1", named))
            fix.setToolTip(plain_text(view.fix_title, 200))
            fix.setObjectName("healthFix")
            fix.clicked.connect(lambda: self.fix_requested.emit(finding.rule.fix))
            buttons.addWidget(fix)
        elif track is None or not track.told_it:
            report = QPushButton(self.tr("Report it…"))
            report.setObjectName("healthReport")
            report.clicked.connect(lambda: self.report_requested.emit(finding.id))
            buttons.addWidget(report)
        if view.may_tell_it:
            tell = QPushButton(self.tr("Tell IT"))
            tell.setObjectName("healthTellIt")
            tell.setToolTip(self.tr("Sends IT this finding and its figures, nothing else"))
            tell.clicked.connect(lambda: self.tell_it_requested.emit(finding.id))
            buttons.addWidget(tell)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        later_row = QHBoxLayout()  # the quieter answers, on a line of their own
        later_row.addStretch(1)
        if track is None or not track.told_it:
            later = QPushButton(self.tr("Remind me tomorrow"))
            later.setObjectName("healthSnooze")
            later.setFlat(True)
            later.clicked.connect(lambda: self.snooze_requested.emit(finding.id, float(SNOOZE_S)))
            later_row.addWidget(later)
            if track is None or not track.dismissed:
                dismiss = QPushButton(self.tr("Don't remind me"))
                dismiss.setObjectName("healthDismiss")
                dismiss.setFlat(True)
                dismiss.clicked.connect(lambda: self.dismiss_requested.emit(finding.id))
                later_row.addWidget(dismiss)
        buttons = later_row
        layout.addLayout(buttons)
        return card

    def _cleared_card(self, track: Track) -> QWidget:
        card = QFrame()
        card.setObjectName("healthCleared")
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        text = text_label("healthClearedText")
        text.setText(
            _card_text(
                self.tr("A problem IT was told of has cleared. Ticket %1 is being closed.").replace(
                    "%1", track.ticket
                )
            )
        )
        layout.addWidget(text)
        return card

    def _advice(self, finding: Finding) -> str:
        advice = finding.rule.advice.get(self._language)
        metric = finding.rule.metric
        if finding.figures:
            worst = round(max(finding.figures.values()) * 100)
            figure = self.tr("About %1 % slower than it used to be.").replace("%1", str(worst))
        elif metric in METRICS:
            label = METRICS[metric].label.get(self._language)
            figure = f"{label}: {amount(metric, finding.value, self._language)}"
            if finding.detail:
                figure += f" ({finding.detail})"
        else:
            figure = ""
        return " ".join(part for part in (figure, advice) if part)

    def _status(self, track: Track | None) -> str:
        if track is None:
            return ""
        if track.ticket:
            return self.tr("IT knows: ticket %1.").replace("%1", track.ticket)
        if track.report_key:
            return self.tr("IT is being told: the report waits to be sent.")
        if track.declined:
            return self.tr("You chose not to tell IT.")
        if track.snoozed_until is not None and track.snoozed_until > time.time():
            return self.tr("You will be reminded after %1.").replace(
                "%1", _when(track.snoozed_until)
            )
        if track.dismissed:
            return self.tr("You will not be reminded of this.")
        return self.tr("Found since %1.").replace("%1", _when(track.first_seen))

    def _check_item(self, check: Check) -> QTreeWidgetItem:
        metric = check.rule.metric
        label = check.rule.title.get(self._language)
        if metric in METRICS:
            label = METRICS[metric].label.get(self._language)
        if check.value is None:
            value, state = "—", self.tr("Not measured here")
        elif metric == "dns.failing":
            value = self.tr("Fails") if check.value else self.tr("Works")
            state = self.tr("Needs attention") if check.found else self.tr("Fine")
        else:
            value = amount(metric, check.value, self._language)
            state = self.tr("Needs attention") if check.found else self.tr("Fine")
        item = QTreeWidgetItem([label, value, state])
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item
