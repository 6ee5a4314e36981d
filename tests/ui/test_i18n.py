"""Dutch and English catalogs: complete, current with the code, and really loaded."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication

from client.core.models import Stage
from client.core.tray_state import ConnectionState, TrayIconKind, TrayStatus
from client.ui import resources, texts
from client.ui.tray import TrayIcon

I18N = resources.resource_root() / "i18n"
CLIENT = Path(__file__).resolve().parents[2] / "client"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} comes with PySide6-Essentials"
    return found


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    return {
        (context.findtext("name") or "", message.findtext("source") or ""): message
        for context in root.iter("context")
        for message in context.iter("message")
    }


def test_the_dutch_catalog_is_current_and_complete(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in CLIENT.rglob("*.py"))
    subprocess.run(
        [_tool("pyside6-lupdate"), *sources, "-ts", str(fresh), "-locations", "none"],
        check=True,
        capture_output=True,
    )
    committed = _messages(I18N / "helpdesk_tray_nl.ts")
    assert set(_messages(fresh)) == set(committed), "run `make i18n-update` and translate"
    unfinished = [key for key, m in committed.items() if m.find("translation").get("type")]  # type: ignore[union-attr]
    assert unfinished == []
    # A text lupdate could not place in a class (``tr = self.tr``, then ``tr("…")``) is
    # looked up under the class at run time and never found: English in a Dutch window.
    assert [text for context, text in committed if not context] == []


def test_the_interface_speaks_dutch(qtbot: QtBot, dutch: None) -> None:
    tray = TrayIcon(TrayStatus(TrayIconKind.NORMAL, True, ConnectionState.ONLINE, open_tickets=2))
    assert tray.report_action.text() == "Probleem melden…"
    assert tray.tickets_action.text() == "Mijn meldingen (2 open)"
    assert "2 open meldingen" in tray.toolTip()
    assert texts.stage_label(Stage.WAITING_ON_YOU) == "Wacht op jou"
    assert QCoreApplication.translate("cli", "Signed out.") == "Uitgelogd."
    assert QCoreApplication.translate("ReportItems", "Diagnostics of this computer") == (
        "Diagnose van deze computer"
    )


def test_english_plurals_read_naturally(qtbot: QtBot, qapp: QApplication) -> None:
    translator = QTranslator()
    assert translator.load(str(I18N / "helpdesk_tray_en.qm"))
    qapp.installTranslator(translator)
    try:
        one = TrayIcon(
            TrayStatus(TrayIconKind.NORMAL, True, ConnectionState.ONLINE, open_tickets=1)
        )
        many = TrayIcon(
            TrayStatus(TrayIconKind.NORMAL, True, ConnectionState.ONLINE, open_tickets=3)
        )
        assert one.toolTip().endswith("1 open ticket")
        assert many.toolTip().endswith("3 open tickets")
    finally:
        qapp.removeTranslator(translator)
