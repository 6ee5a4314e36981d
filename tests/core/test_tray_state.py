"""What the tray icon shows before the app is built (client/start.py shows it first)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from client.core.tray_state import STARTING, ConnectionState, TrayIconKind, TrayStatus

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"


def test_the_first_icon_says_connecting_and_claims_nothing_yet() -> None:
    # Shown before the keyring is read or the desk asked: not "sign in", not "offline",
    # not the attention icon, and no counts that the first poll might take back.
    assert STARTING.signing_in and not STARTING.signed_in
    assert STARTING.connection is ConnectionState.UNKNOWN
    assert STARTING.icon is TrayIconKind.NORMAL
    assert (STARTING.open_tickets, STARTING.unseen) == (0, 0)
    assert (STARTING.waiting_reports, STARTING.rejected_reports) == (0, 0)
    assert STARTING.error_code is None


def test_a_status_is_a_value() -> None:
    same = TrayStatus(TrayIconKind.NORMAL, False, ConnectionState.UNKNOWN, signing_in=True)
    assert same == STARTING and hash(same) == hash(STARTING)
    assert replace(STARTING, signing_in=False) != STARTING


def test_every_icon_kind_has_its_picture() -> None:
    missing = [
        kind.value for kind in TrayIconKind if not (ICONS / f"tray-{kind.value}.svg").is_file()
    ]
    assert missing == []
