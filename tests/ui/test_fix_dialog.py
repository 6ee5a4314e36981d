"""The fix dialog, the matches under a box, and the record window: what they show and say."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QSpinBox

from client.core.fixes import DETECT, DETECT_AGAIN, FIX, FixRun, Outcome, Step
from client.core.record import SentReport, Unreadable
from client.services.self_help import Suggestion
from client.ui.fix_dialog import FixDialog, FixParameter, FixView, run_summary
from client.ui.record_window import RecordWindow
from client.ui.suggestions import SuggestionList

VIEW = FixView(
    "trash", "Empty the trash", "Deletes old files.", "Deletes files for good.", 300, False,
    (FixParameter("days", "Older than (days)", (), 0, 365, "30"),
     FixParameter("where", "Where", ("home", "work"), default="work")),
)  # fmt: skip


def run(outcome: Outcome, *codes: int | None, reason: str = "") -> FixRun:
    steps = tuple(
        Step(name, code, f"output of {name}\n", 0, 0.5)
        for name, code in zip((DETECT, FIX, DETECT_AGAIN), codes, strict=False)
    )
    return FixRun("trash", 2, "linux", "a" * 64, "b" * 64, "you", 1.0, outcome, steps, 1.5, reason)


def test_consent_says_what_changes_how_long_and_whether_it_can_be_undone(qtbot: QtBot) -> None:
    dialog = FixDialog(VIEW)
    qtbot.addWidget(dialog)
    dialog.show_consent()
    assert dialog.pages.currentWidget() is dialog.consent_page
    assert dialog.changes.text() == "Deletes files for good."
    assert dialog.duration.text().startswith("Up to 5 minute")
    assert dialog.undo.text() == "No, what it changes cannot be put back."
    days = dialog.findChild(QSpinBox, "fixParameter_days")
    where = dialog.findChild(QComboBox, "fixParameter_where")
    assert days is not None and days.value() == 30 and days.maximum() == 365
    assert where is not None and where.currentText() == "work"
    days.setValue(60)
    with qtbot.waitSignal(dialog.run_requested) as asked:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert asked.args == [{"days": "60", "where": "work"}]
    assert dialog.pages.currentWidget() is dialog.running_page


def test_while_running_the_steps_show_and_escape_or_closing_cancels(qtbot: QtBot) -> None:
    dialog = FixDialog(VIEW)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_step(FIX)
    assert dialog.step_labels[DETECT].text().startswith("✓")
    assert dialog.step_labels[FIX].text().startswith("→")
    assert dialog.step_labels[DETECT_AGAIN].text().startswith("·")
    with qtbot.waitSignal(dialog.cancel_requested):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible(), "it stays until the fix has stopped"
    assert not dialog.cancel_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.cancel_requested):
        dialog.close()  # a second request changes nothing
    assert dialog.isVisible()
    dialog.show_result(run(Outcome.CANCELLED, 1, None))
    assert not dialog.question.isVisibleTo(dialog)
    dialog.close()
    assert not dialog.isVisible()


def test_the_result_in_plain_words_and_did_this_solve_it(qtbot: QtBot) -> None:
    dialog = FixDialog(VIEW)
    qtbot.addWidget(dialog)
    dialog.show_result(run(Outcome.STILL_THERE, 1, 0, 1))
    assert dialog.headline.text() == "The problem is still there."
    assert dialog.question.isVisibleTo(dialog)
    assert "Check again: exit code 1, 0.5 s" in dialog.details.toPlainText()
    assert "output of fix" in dialog.details.toPlainText()
    assert not dialog.details.isVisibleTo(dialog)
    dialog.details_button.click()
    assert dialog.details.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.answered) as answered:
        dialog.no_button.click()
    assert answered.args == [False]


def test_a_solved_run_offers_yes_first(qtbot: QtBot) -> None:
    dialog = FixDialog(VIEW)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_result(run(Outcome.SOLVED, 1, 0, 0))
    assert dialog.headline.text() == "Solved: the problem is gone."
    assert dialog.headline.property("role") == "solved"
    assert dialog.focusWidget() is dialog.yes_button


def test_a_refused_run_says_why_and_offers_the_right_way_on(qtbot: QtBot) -> None:
    dialog = FixDialog(VIEW)
    qtbot.addWidget(dialog)
    dialog.show_result(run(Outcome.NOT_ALLOWED, reason="tampered"))
    assert dialog.pages.currentWidget() is dialog.refused_page
    assert "not exactly what IT published" in dialog.refused_reason.text()
    assert dialog.report_button.isVisibleTo(dialog) and not dialog.ask_it_button.isVisibleTo(dialog)
    dialog.show_refused("needs_admin")
    assert dialog.ask_it_button.isVisibleTo(dialog) and not dialog.report_button.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.ask_it_requested):
        dialog.ask_it_button.click()
    dialog.show_refused("something new")
    assert dialog.refused_reason.text() == "The fix could not be started."


def test_the_report_after_a_failed_fix_says_what_was_tried() -> None:
    text = run_summary("Empty the trash", run(Outcome.FAILED, 1, 3, 1))
    assert text.startswith("I tried IT's fix “Empty the trash”: The fix did not work.")
    assert "Fix it: exit code 3" in text


def test_suggestions_show_titles_and_kinds_and_say_which_was_chosen(qtbot: QtBot) -> None:
    shown = SuggestionList("test")
    qtbot.addWidget(shown)
    assert shown.isHidden()
    shown.show_suggestions([Suggestion("fix", "trash", "Empty the trash", "The disk is full"),
                            Suggestion("article", "vpn", "VPN werkt niet")])  # fmt: skip
    assert not shown.isHidden()
    assert shown.buttons[0].text() == "Empty the trash\nFix it yourself · The disk is full"
    assert shown.buttons[1].text() == "VPN werkt niet\nArticle"
    assert shown.buttons[0].accessibleName() == "Empty the trash"
    with qtbot.waitSignal(shown.chosen) as chosen:
        qtbot.mouseClick(shown.buttons[1], Qt.MouseButton.LeftButton)
    assert chosen.args == ["article", "vpn"]
    shown.show_suggestions([])
    assert shown.isHidden() and shown.buttons == []


def test_the_record_window_lists_entries_with_their_details(qtbot: QtBot) -> None:
    window = RecordWindow()
    qtbot.addWidget(window)
    window.show_entries([], {})
    assert window.empty.isVisibleTo(window) and not window.export_button.isEnabled()
    entries: list[FixRun | SentReport | Unreadable] = [
        SentReport(3.0, "#7", "Printer <b>kapot</b>", (("description", 12), ("shot.jpg", 2048))),
        run(Outcome.SOLVED, 1, 0, 0),
        Unreadable(1.0, "health_check"),
    ]
    window.show_entries(entries, {"trash": "Empty the trash"})
    lines = [window.list.item(r).text() for r in range(window.list.count())]
    assert "Report sent: Printer <b>kapot</b> (#7)" in lines[0]
    assert "Fix: Empty the trash · Solved: the problem is gone." in lines[1]
    assert "cannot read" in lines[2]
    assert "shot.jpg (2.0 kB)" in window.details.toPlainText()
    window.list.setCurrentRow(1)
    details = window.details.toPlainText()
    assert "version 2" in details and "a" * 64 in details and "Started by you" in details
    window.list.setCurrentRow(2)
    assert "another version" in window.details.toPlainText()
    window.show_message("Saved 3 entries.")
    assert window.message.isVisibleTo(window)


def test_the_panels_matches_follow_the_words_and_the_arrow_keys(qtbot: QtBot) -> None:
    from client.ui.panel import TrayPanel

    panel = TrayPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.box.setFocus()
    typed: list[str] = []
    panel.help_wanted.connect(typed.append)
    qtbot.keyClicks(panel.box, "vpn")
    assert typed == ["v", "vp", "vpn"], "each keystroke is searched"
    matches = [Suggestion("article", "vpn", "VPN werkt niet"),
               Suggestion("fix", "net", "Reset the network")]  # fmt: skip
    panel.show_suggestions("vp", matches)  # an answer for older words: ignored
    assert panel.suggestions is None, "made when there is first something to show"
    panel.show_suggestions("vpn", matches)
    shown = panel.findChild(SuggestionList)
    assert shown is not None and shown.isVisible()
    assert panel.box.nextInFocusChain() is shown.buttons[0], "Tab reaches them"
    qtbot.keyClick(panel.box, Qt.Key.Key_Down)
    assert shown.buttons[0] is panel.focusWidget()
    qtbot.keyClick(shown.buttons[0], Qt.Key.Key_Down)
    assert shown.buttons[1] is panel.focusWidget()
    qtbot.keyClick(shown.buttons[1], Qt.Key.Key_Up)
    qtbot.keyClick(shown.buttons[0], Qt.Key.Key_Up)
    assert panel.box is panel.focusWidget()
    qtbot.keyClick(panel.box, Qt.Key.Key_Down)
    qtbot.keyClick(shown.buttons[0], Qt.Key.Key_Down)
    with qtbot.waitSignal(panel.suggestion_chosen) as chosen:
        qtbot.keyClick(shown.buttons[1], Qt.Key.Key_Return)
    assert chosen.args == ["fix", "net"]
    assert not panel.isVisible(), "the panel steps aside for what was chosen"


def test_a_long_description_is_never_cut_off(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLabel

    long = (
        "Notities bewaart kopieën van recente notitieboeken om ze sneller te openen. Wordt "
        "die cache te groot, dan wordt Notities traag of blijft het hangen bij het opstarten. "
        "Legen is veilig: Notities haalt op wat het nodig heeft. "
    ) * 4
    changes = "Verwijdert de tijdelijke kopieën van Notities (je notities zelf blijven)."
    dialog = FixDialog(FixView("x", "De cache van Notities legen", long, changes, 60, False))
    qtbot.addWidget(dialog)
    dialog.resize(460, 200)  # narrower and lower than the text needs (a desktop may do so)
    dialog.show_consent()
    dialog.show()
    qtbot.waitExposed(dialog)
    for label in dialog.consent_page.findChildren(QLabel):
        if label.wordWrap() and label.isVisible():
            assert label.height() >= label.heightForWidth(label.width()), label.objectName()
    dialog.show_result(run(Outcome.FAILED, 1, 3, 1))
    for label in dialog.result_page.findChildren(QLabel):
        if label.wordWrap() and label.isVisible():
            assert label.height() >= label.heightForWidth(label.width()), label.objectName()
