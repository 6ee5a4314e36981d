"""Running one of IT's fixes: consent, progress, the result, and "Did this solve it?".

Three pages. **Consent**: what the fix does, what it changes, how long it may
take and whether it can be undone, a value to pick for each parameter, and
"Run the fix". **Running**: the three steps (check, fix, check again) and
Cancel. **Result**: what happened in plain words, "Did this solve it?", and
the details (each step's exit code and output) for the curious and for IT.
A fix that may not run here shows why instead of consent; one that needs an
administrator offers "Ask IT to do this".

The dialog shows state and emits intents; the controller (client/ui/windows.py)
and the fix service do the work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client.core.fixes import DETECT, DETECT_AGAIN, FIX, FixRun, Outcome
from client.ui import resources
from client.ui.widgets import text_label


@dataclass(frozen=True)
class FixParameter:
    """A value the employee picks: one of ``choices``, or a whole number in a range."""

    name: str
    label: str
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 0
    default: str = ""


@dataclass(frozen=True)
class FixView:
    """What the dialog shows of a fix, in the employee's language."""

    id: str
    title: str
    description: str
    changes: str
    timeout_s: int
    reversible: bool
    parameters: tuple[FixParameter, ...] = field(default_factory=tuple)


_OUTCOMES = {
    Outcome.SOLVED: (
        QT_TRANSLATE_NOOP("FixDialog", "Solved: the problem is gone."),
        QT_TRANSLATE_NOOP("FixDialog", "The check found the problem, the fix ran, and a "
                          "second check no longer finds it."),
    ),
    Outcome.NOTHING_FOUND: (
        QT_TRANSLATE_NOOP("FixDialog", "Nothing to fix here."),
        QT_TRANSLATE_NOOP("FixDialog", "The check did not find this problem on your computer, "
                          "so nothing was changed."),
    ),
    Outcome.STILL_THERE: (
        QT_TRANSLATE_NOOP("FixDialog", "The problem is still there."),
        QT_TRANSLATE_NOOP("FixDialog", "The fix ran, but a second check still finds the problem."),
    ),
    Outcome.FAILED: (
        QT_TRANSLATE_NOOP("FixDialog", "The fix did not work."),
        QT_TRANSLATE_NOOP("FixDialog", "A step stopped with an error. Nothing else was tried."),
    ),
    Outcome.TIMED_OUT: (
        QT_TRANSLATE_NOOP("FixDialog", "Stopped: it took too long."),
        QT_TRANSLATE_NOOP("FixDialog", "It ran past its time limit, so it was stopped, with "
                          "everything it had started."),
    ),
    Outcome.CANCELLED: (
        QT_TRANSLATE_NOOP("FixDialog", "Cancelled."),
        QT_TRANSLATE_NOOP("FixDialog", "The fix was stopped, with everything it had started."),
    ),
    Outcome.NOT_ALLOWED: (
        QT_TRANSLATE_NOOP("FixDialog", "This fix was not run."),
        "",
    ),
    Outcome.FOUND: (
        QT_TRANSLATE_NOOP("FixDialog", "Checked: the problem is here."),
        QT_TRANSLATE_NOOP("FixDialog", "A health check ran IT's check alone and found the "
                          "problem. Nothing was changed."),
    ),
}  # fmt: skip

#: Why a fix may not run (NotAllowed values, and the runner's refusals), in words.
_REFUSALS = {
    "policy_off": QT_TRANSLATE_NOOP(
        "FixDialog", "Your IT department has switched off fixes on this computer."
    ),
    "unverified": QT_TRANSLATE_NOOP(
        "FixDialog",
        "IT's fixes could not be verified just now, so none may run. Try again later, or "
        "report the problem.",
    ),
    "platform": QT_TRANSLATE_NOOP("FixDialog", "This fix is not made for this computer's system."),
    "needs_admin": QT_TRANSLATE_NOOP(
        "FixDialog",
        "This needs an administrator's rights, and the tray never asks for those. IT can do "
        "it for you.",
    ),
    "elevated": QT_TRANSLATE_NOOP(
        "FixDialog",
        "The tray is running with administrator rights. To keep your computer safe it runs no "
        "fixes then: start it as yourself.",
    ),
    "unsupported": QT_TRANSLATE_NOOP(
        "FixDialog", "Fixes cannot run safely on this system yet. Report the problem instead."
    ),
    "tampered": QT_TRANSLATE_NOOP(
        "FixDialog",
        "This fix on your computer is not exactly what IT published, so it was not run. "
        "Report the problem: the record shows IT what happened.",
    ),
    "bad_value": QT_TRANSLATE_NOOP("FixDialog", "That value is not one this fix allows."),
    "not_installed": QT_TRANSLATE_NOOP(
        "FixDialog", "The program this fix runs with is not installed on this computer."
    ),
}
_COULD_NOT_START = QT_TRANSLATE_NOOP("FixDialog", "The fix could not be started.")

_STEP_NAMES = {
    DETECT: QT_TRANSLATE_NOOP("FixDialog", "Check for the problem"),
    FIX: QT_TRANSLATE_NOOP("FixDialog", "Fix it"),
    DETECT_AGAIN: QT_TRANSLATE_NOOP("FixDialog", "Check again"),
}


def _tr(text: object) -> str:
    return QCoreApplication.translate("FixDialog", str(text))


def refusal_words(reason: str) -> str:
    """Why a fix was not run, in the employee's words."""
    return _tr(_REFUSALS.get(reason, _COULD_NOT_START))


def outcome_words(run: FixRun) -> tuple[str, str]:
    """The result's headline and its explanation."""
    headline, explanation = _OUTCOMES[run.outcome]
    if run.outcome is Outcome.NOT_ALLOWED:
        return _tr(headline), refusal_words(run.reason)
    return _tr(headline), _tr(explanation) if explanation else ""


def step_lines(run: FixRun) -> str:
    """Each step's exit code, time and output, as the details and a ticket show them."""
    lines = []
    for step in run.steps:
        code = QCoreApplication.translate("FixDialog", "stopped") if step.exit_code is None else (
            str(step.exit_code)
        )  # fmt: skip
        lines.append(
            QCoreApplication.translate("FixDialog", "{step}: exit code {code}, {seconds} s")
            .replace("{step}", _tr(_STEP_NAMES.get(step.name, step.name)))
            .replace("{code}", code)
            .replace("{seconds}", f"{step.duration_s:.1f}")
        )
        if step.output.strip():
            lines += ["    " + line for line in step.output.rstrip("\n").splitlines()]
    return "\n".join(lines)


class FixDialog(QDialog):
    """Consent, progress and result of one fix.

    Signals:
        run_requested(dict): run it with these parameter values (name → text).
        cancel_requested(): stop the running fix.
        answered(bool): "Did this solve it?" (``False``: report it, with the record).
        ask_it_requested(): file a ticket asking IT to do it (needs an administrator).
        report_requested(): report the problem (a fix that could not run).
    """

    run_requested = Signal(dict)
    cancel_requested = Signal()
    answered = Signal(bool)
    ask_it_requested = Signal()
    report_requested = Signal()

    def __init__(self, fix: FixView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        resources.dress(self, "fixDialog", fix.title)
        self.setMinimumWidth(440)
        self.fix = fix
        self.pages = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._inputs: dict[str, QComboBox | QSpinBox] = {}
        self.consent_page = self._consent_page(fix)
        self.running_page = self._running_page()
        self.result_page = self._result_page()
        self.refused_page = self._refused_page()
        for page in (self.consent_page, self.running_page, self.result_page, self.refused_page):
            self.pages.addWidget(page)
        self._run: FixRun | None = None

    # --- pages ------------------------------------------------------------------------------

    def _consent_page(self, fix: FixView) -> QWidget:
        page = QWidget()
        page.setObjectName("fixConsent")
        layout = QVBoxLayout(page)
        title = text_label("fixTitle")
        title.setText(fix.title)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        layout.addWidget(title)
        description = text_label("fixDescription")
        description.setText(fix.description)
        layout.addWidget(description)
        facts = QFormLayout()
        self.changes = text_label("fixChanges")
        self.changes.setText(fix.changes)
        facts.addRow(self.tr("What it changes:"), self.changes)
        self.duration = text_label("fixDuration")
        self.duration.setText(self._duration_words(fix.timeout_s))
        facts.addRow(self.tr("How long:"), self.duration)
        self.undo = text_label("fixUndo")
        self.undo.setText(
            self.tr("Yes, what it changes can be put back.")
            if fix.reversible
            else self.tr("No, what it changes cannot be put back.")
        )
        facts.addRow(self.tr("Can it be undone?"), self.undo)
        for parameter in fix.parameters:
            facts.addRow(parameter.label, self._input(parameter))
        layout.addLayout(facts)
        who = text_label("fixWho")
        who.setText(
            self.tr(
                "It runs as you, with your rights only, and IT sees the result in the record "
                "on this computer."
            )  # fmt: skip
        )
        layout.addWidget(who)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.not_now = QPushButton(self.tr("Not now"))
        self.not_now.clicked.connect(self.reject)
        self.run_button = QPushButton(self.tr("Run the fix"))
        self.run_button.setObjectName("fixRun")
        self.run_button.setDefault(True)
        self.run_button.setAccessibleDescription(
            self.tr("Runs the fix now: check, fix, and check again.")
        )
        self.run_button.clicked.connect(self._on_run_clicked)
        buttons.addWidget(self.not_now)
        buttons.addWidget(self.run_button)
        layout.addLayout(buttons)
        return page

    def _input(self, parameter: FixParameter) -> QWidget:
        widget: QComboBox | QSpinBox
        if parameter.choices:
            widget = QComboBox()
            widget.addItems(list(parameter.choices))
            if parameter.default in parameter.choices:
                widget.setCurrentText(parameter.default)
        else:
            widget = QSpinBox()
            widget.setRange(parameter.minimum, parameter.maximum)
            if parameter.default.isdigit():
                widget.setValue(int(parameter.default))
        widget.setObjectName(f"fixParameter_{parameter.name}")
        widget.setAccessibleName(parameter.label)
        if isinstance(widget, QSpinBox) and (edit := widget.lineEdit()) is not None:
            edit.setAccessibleName(parameter.label)  # what a screen reader lands on
        self._inputs[parameter.name] = widget
        return widget

    def _running_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("fixRunning")
        layout = QVBoxLayout(page)
        self.running_title = text_label("fixRunningTitle")
        self.running_title.setText(self.tr("Running the fix…"))
        layout.addWidget(self.running_title)
        self.step_labels: dict[str, QLabel] = {}
        for name in (DETECT, FIX, DETECT_AGAIN):
            label = text_label(f"fixStep_{name}")
            self.step_labels[name] = label
            layout.addWidget(label)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: how long a script takes is not known
        self.progress.setAccessibleName(self.tr("The fix is running"))
        layout.addWidget(self.progress)
        layout.addStretch(1)  # the words at the top, the buttons at the bottom
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("fixCancel")
        self.cancel_button.setAccessibleDescription(
            self.tr("Stops the fix and everything it started.")
        )
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("fixResult")
        layout = QVBoxLayout(page)
        self.headline = text_label("fixHeadline")
        font = self.headline.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.headline.setFont(font)
        layout.addWidget(self.headline)
        self.explanation = text_label("fixExplanation")
        layout.addWidget(self.explanation)
        self.question = text_label("fixQuestion")
        self.question.setText(self.tr("Did this solve it?"))
        layout.addWidget(self.question)
        self.details = QPlainTextEdit()
        self.details.setObjectName("fixDetails")
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("What each step did"))
        self.details.setMaximumHeight(140)
        self.details.hide()
        self.details_button = QPushButton(self.tr("Show details"))
        self.details_button.setObjectName("fixShowDetails")
        self.details_button.setFlat(True)
        self.details_button.clicked.connect(self._on_details_clicked)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.details)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.no_button = QPushButton(self.tr("No, report it"))
        self.no_button.setObjectName("fixNo")
        self.no_button.setAccessibleDescription(
            self.tr("Opens a report to the service desk with what the fix found and did.")
        )
        self.no_button.clicked.connect(lambda: self._answer(False))
        self.yes_button = QPushButton(self.tr("Yes, solved"))
        self.yes_button.setObjectName("fixYes")
        self.yes_button.clicked.connect(lambda: self._answer(True))
        buttons.addWidget(self.no_button)
        buttons.addWidget(self.yes_button)
        layout.addLayout(buttons)
        return page

    def _refused_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("fixRefused")
        layout = QVBoxLayout(page)
        self.refused_headline = text_label("fixRefusedHeadline")
        font = self.refused_headline.font()
        font.setBold(True)
        self.refused_headline.setFont(font)
        layout.addWidget(self.refused_headline)
        self.refused_reason = text_label("fixRefusedReason")
        layout.addWidget(self.refused_reason)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        self.report_button = QPushButton(self.tr("Report the problem"))
        self.report_button.setObjectName("fixReport")
        self.report_button.clicked.connect(self._on_report_clicked)
        self.ask_it_button = QPushButton(self.tr("Ask IT to do this"))
        self.ask_it_button.setObjectName("fixAskIt")
        self.ask_it_button.setAccessibleDescription(
            self.tr("Sends the service desk a request to run this fix for you.")
        )
        self.ask_it_button.clicked.connect(self._on_ask_it_clicked)
        for button in (self.close_button, self.report_button, self.ask_it_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return page

    # --- what it shows ----------------------------------------------------------------------

    def show_consent(self) -> None:
        """Ask before running."""
        self._show_page(self.consent_page)
        self.run_button.setFocus()

    def _show_page(self, page: QWidget) -> None:
        """Show ``page``, the dialog as tall as its wrapped text needs at this width.

        A stacked page's labels wrap, and Qt sizes a window by its width-free
        hint: a long description (Dutch is longer) would be cut off.
        """
        self.pages.setCurrentWidget(page)
        self._fit()

    def _fit(self) -> None:
        layout = self.layout()
        assert layout is not None
        layout.activate()
        margins = layout.contentsMargins()
        width = max(self.width(), self.minimumWidth())
        page = self.pages.currentWidget()
        if page is None:
            return
        needed = page.heightForWidth(width - margins.left() - margins.right())
        height = needed + margins.top() + margins.bottom()
        if height > self.height():
            self.resize(width, height)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802, D102
        super().showEvent(event)
        self._fit()  # the width the window got: the height its text needs at it

    def show_refused(self, reason: str) -> None:
        """The fix may not run here (a :class:`NotAllowed` value or a runner's refusal)."""
        self.refused_headline.setText(self.tr("This fix cannot run here."))
        self.refused_reason.setText(refusal_words(reason))
        self.ask_it_button.setVisible(reason == "needs_admin")
        self.report_button.setVisible(reason != "needs_admin")
        self._show_page(self.refused_page)
        (self.ask_it_button if reason == "needs_admin" else self.report_button).setFocus()

    def show_step(self, step: str) -> None:
        """The fix is running, now at ``step``."""
        self.pages.setCurrentWidget(self.running_page)
        order = [DETECT, FIX, DETECT_AGAIN]
        current = order.index(step) if step in order else 0
        for index, name in enumerate(order):
            words = _tr(_STEP_NAMES[name])
            mark = "✓" if index < current else ("→" if index == current else "·")
            self.step_labels[name].setText(f"{mark}  {words}")
        self.step_labels[step if step in order else DETECT].setAccessibleName(
            self.tr("Now: {step}").replace("{step}", _tr(_STEP_NAMES.get(step, DETECT)))
        )
        self.cancel_button.setFocus()

    def show_result(self, run: FixRun) -> None:
        """How it went."""
        self._run = run
        if run.outcome is Outcome.NOT_ALLOWED:
            self.show_refused(run.reason)
            return
        headline, explanation = outcome_words(run)
        self.headline.setText(headline)
        self.headline.setProperty("role", "solved" if run.outcome is Outcome.SOLVED else "")
        self.headline.style().polish(self.headline)
        self.explanation.setText(explanation)
        self.details.setPlainText(step_lines(run))
        asked = run.outcome is not Outcome.CANCELLED
        self.question.setVisible(asked)
        self.yes_button.setVisible(asked)
        self.yes_button.setText(self.tr("Yes, solved") if asked else self.tr("Close"))
        self.no_button.setText(self.tr("No, report it") if asked else self.tr("Report the problem"))
        self._show_page(self.result_page)
        (self.yes_button if run.outcome is Outcome.SOLVED else self.no_button).setFocus()

    @property
    def last_run(self) -> FixRun | None:
        """The run the result page shows."""
        return self._run

    def values(self) -> dict[str, str]:
        """The parameter values picked (name → text)."""
        return {
            name: widget.currentText() if isinstance(widget, QComboBox) else str(widget.value())
            for name, widget in self._inputs.items()
        }

    # --- what the employee does -------------------------------------------------------------

    def _on_run_clicked(self) -> None:
        self.show_step(DETECT)
        self.run_requested.emit(self.values())

    def _on_cancel_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.running_title.setText(self.tr("Stopping the fix…"))
        self.cancel_requested.emit()

    def _on_details_clicked(self) -> None:
        self.details.setVisible(not self.details.isVisible())
        self.details_button.setText(
            self.tr("Hide details") if self.details.isVisible() else self.tr("Show details")
        )

    def _answer(self, solved: bool) -> None:
        self.answered.emit(solved)
        self.accept()

    def _on_ask_it_clicked(self) -> None:
        self.ask_it_requested.emit()
        self.accept()

    def _on_report_clicked(self) -> None:
        self.report_requested.emit()
        self.accept()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802, D102
        if self.pages.currentWidget() is self.running_page:
            # Closing while it runs is a cancel; the dialog stays until it has stopped.
            event.ignore()
            if self.cancel_button.isEnabled():
                self._on_cancel_clicked()
            return
        super().closeEvent(event)

    def reject(self) -> None:  # noqa: D102 - Escape while running cancels instead of closing
        if self.pages.currentWidget() is self.running_page:
            if self.cancel_button.isEnabled():
                self._on_cancel_clicked()
            return
        super().reject()

    def _duration_words(self, seconds: int) -> str:
        if seconds < 60:
            return self.tr("Under a minute.")
        return self.tr("Up to %n minute(s).", "", max(1, round(seconds / 60)))


def fix_view(fix: object, language: str) -> FixView:
    """A profile fix (client.core.fixes.Fix) as the dialog shows it, in ``language``."""
    from client.core.fixes import Fix

    assert isinstance(fix, Fix)
    return FixView(
        id=fix.id,
        title=fix.title.get(language),
        description=fix.description.get(language),
        changes=fix.changes.get(language),
        timeout_s=fix.timeout_s,
        reversible=fix.reversible,
        parameters=tuple(
            FixParameter(p.name, p.label.get(language), p.choices, p.minimum, p.maximum, p.default)
            for p in fix.parameters
        ),
    )


def run_summary(title: str, run: FixRun) -> str:
    """A report's text after a fix did not solve it: what was tried and what it found."""
    headline, _ = outcome_words(run)
    tried = QCoreApplication.translate("FixDialog", "I tried IT's fix “{title}”: {result}")
    return "\n".join(
        [
            tried.replace("{title}", title).replace("{result}", headline),
            QCoreApplication.translate("FixDialog", "It did not solve my problem."),
            "",
            step_lines(run),
        ]
    )


def ask_it_text(title: str) -> str:
    """A report's text asking IT to run a fix that needs an administrator."""
    return QCoreApplication.translate(
        "FixDialog", "Please run IT's fix “{title}” for me: it needs an administrator."
    ).replace("{title}", title)
