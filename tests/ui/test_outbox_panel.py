"""The outbox panel: a report refused for who we are says why it waits, then what IT must do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from client.core.errors import AuthFailed, Forbidden, Rejected
from client.core.outbox import OutboxItem, OutboxState, attempt_failed, begin_attempt
from client.ui.outbox_panel import OutboxPanel

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RT_CSRF = "Cross-site request forgery protection refused this request"


class Now:
    """The panel's clock: a settable moment."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


def _refused(error: Exception, item_id: int = 1) -> OutboxItem:
    queued = OutboxItem(item_id, f"k{item_id}", "Cannot print", "", OutboxState.QUEUED, 0.0)
    return attempt_failed(begin_attempt(queued), error, T0.timestamp())


def _panel(qtbot: QtBot, now: Now) -> OutboxPanel:
    panel = OutboxPanel(now=now)
    qtbot.addWidget(panel)
    return panel


def test_a_report_refused_for_rights_says_why_then_after_a_day_what_it_must_do(
    qtbot: QtBot,
) -> None:
    now = Now()
    panel = _panel(qtbot, now)
    now.at = T0 + timedelta(hours=1)
    panel.show_items([_refused(Forbidden("Permission Denied"))])

    (row,) = panel.rows
    assert row.status.property("role") == "warning", "waiting, not rejected"
    assert row.status.property("askIt") is False
    assert "Permission Denied" in row.status.text(), "the desk's words, for IT"
    assert panel.retry.isVisibleTo(panel), "the user may try again once IT has acted"
    waiting = row.status.text()
    assert panel.next_refresh_s == pytest.approx(timedelta(hours=23).total_seconds())

    now.at = T0 + timedelta(days=1, minutes=1)
    panel.refresh()  # what its timer does at the one-day mark, with nothing else changing
    assert row.status.property("role") == "error"
    assert row.status.property("askIt") is True
    assert row.status.text() != waiting and "23 November" in row.status.text()
    assert "Permission Denied" in row.status.text()
    assert panel.next_refresh_s is None, "nothing left to change by itself"


def test_a_rule_against_the_apps_requests_is_told_apart_from_rights(qtbot: QtBot) -> None:
    now = Now()
    panel = _panel(qtbot, now)
    panel.show_items([_refused(Forbidden("Permission Denied"), 1), _refused(Forbidden(RT_CSRF), 2)])
    rights, rule = (row.status.text() for row in panel.rows)
    assert [row.status.property("role") for row in panel.rows] == ["warning", "warning"]
    assert rights.split("\n")[0] != rule.split("\n")[0]

    now.at = T0 + timedelta(days=2)
    panel.show_items([_refused(Forbidden("Permission Denied"), 1), _refused(Forbidden(RT_CSRF), 2)])
    rights_later, rule_later = (row.status.text() for row in panel.rows)
    assert all(row.status.property("askIt") for row in panel.rows)
    assert rights_later.split("\n")[0] != rule_later.split("\n")[0]
    assert {rights_later, rule_later}.isdisjoint({rights, rule})


def test_signed_out_waits_and_a_refused_report_is_still_rejected(qtbot: QtBot) -> None:
    now = Now()
    panel = _panel(qtbot, now)
    panel.show_items([_refused(AuthFailed("expired"), 1), _refused(Rejected("x", reason="422"), 2)])
    signed_out, rejected = panel.rows
    assert signed_out.status.property("role") == "warning"
    assert rejected.status.property("role") == "error"
    assert rejected.status.property("askIt") is False, "nothing for IT to fix: change the text"
    assert rejected.edit.isVisibleTo(rejected)

    now.at = T0 + timedelta(days=1)
    panel.refresh()
    assert signed_out.status.property("askIt") is True


def test_what_it_must_do_is_said_in_dutch_too(qtbot: QtBot, dutch: None) -> None:
    now = Now()
    now.at = T0 + timedelta(days=1, hours=2)
    panel = _panel(qtbot, now)
    panel.show_items([_refused(Forbidden(RT_CSRF))])
    (row,) = panel.rows
    assert row.status.property("askIt") is True
    assert "Your report" not in row.status.text(), "said in Dutch"
    assert "23 november" in row.status.text(), "with a Dutch date"


def test_try_again_now_says_it_is_trying_and_then_how_it_went(qtbot: QtBot) -> None:
    from client.core.errors import Unavailable

    now = Now()
    panel = _panel(qtbot, now)
    first = _refused(Unavailable("no route", reason="unreachable"))
    other = _refused(Unavailable("no route", reason="unreachable"), item_id=2)
    panel.show_items([first, other])
    with qtbot.waitSignal(panel.retry_requested):
        panel.retry.click()
    assert not panel.retry.isEnabled() and panel.retry.text() == "Trying…"
    due = [begin_attempt(first), other]  # the first is being sent; the other not yet tried
    panel.show_items(due)
    assert not panel.retry.isEnabled() and not panel.tried.isVisibleTo(panel)
    failed = attempt_failed(due[0], Unavailable("no route", reason="unreachable"), 0.0)
    panel.show_items([failed])  # the second went through: only the first is left
    assert panel.retry.isEnabled() and panel.retry.text() == "Try again now"
    assert panel.tried.isVisibleTo(panel)
    assert panel.tried.text() == "Tried again just now: not sent yet. It keeps trying by itself."
    panel.show_items([failed])  # the list changes again: the note has been read
    assert not panel.tried.isVisibleTo(panel)
