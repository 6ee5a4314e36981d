"""The composition root with a signed profile: the department's agent on the tray menu.

Real parts: a TUF repository served on 127.0.0.1, the profile helper process
that verifies it, the kept copy, the ProfileService and the tray's menu.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from client.app import TrayApp, profile_service
from client.core.paths import Paths
from client.core.redact import Redactor
from client.core.settings import SettingsLayer, merge
from client.services.crash import CrashHandler
from client.services.tasks import SyncTaskRunner
from tests.fakes import FakeConnector, FakeDesk, MemoryOutbox, MemorySecretStore, make_evidence
from tests.support.tuf_site import PHOTO, Site, served_site

ALWAYS = {d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _document(**finance: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "version": 2,
        "agents": [
            {
                "id": "joost",
                "name": "Joost Bakker",
                "photo": PHOTO,
                "email": "joost@example.org",
                "hours": {"time_zone": "Europe/Amsterdam", "week": ALWAYS},
            },
            {"id": "sanne", "name": "Sanne de Vries"},
        ],
        "departments": [
            {"id": "finance", "name": "Finance", "agent": "joost", "match": {"policy": "FIN"}},
            {"id": "hr", "name": "HR", "agent": "sanne", "match": {"policy": "HR"}},
        ],
    }


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), (20, 160, 90)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with served_site(tmp_path) as served:
        served.publish(_document(), {PHOTO: _png()})
        yield served


def _app(qapp: QApplication, site: Site, tmp_path: Path, policy: dict[str, object]) -> TrayApp:
    paths = Paths(tmp_path / "cfg", tmp_path / "data", tmp_path / "cache", tmp_path / "log",
                  tmp_path / "policy" / "policy.toml")  # fmt: skip
    paths.profile_root_file.parent.mkdir(parents=True)
    paths.profile_root_file.write_bytes(site.trusted_root)
    settings = merge([SettingsLayer("IT policy", {"profile.url": site.url, **policy}, locks=True)])
    io_runner = SyncTaskRunner()
    fake_desk = FakeDesk()
    return TrayApp(
        qapp,
        settings,
        io=io_runner,
        serial=SyncTaskRunner(),
        outbox_store=MemoryOutbox(),
        connector_for=lambda kind: FakeConnector(fake_desk),
        secrets=MemorySecretStore(),
        save_settings=lambda values: None,
        redactor=Redactor(),
        crash=CrashHandler(),
        evidence=make_evidence(SyncTaskRunner()),
        tray_retries=0,
        profile=profile_service(io_runner, settings, paths),
    )


@pytest.fixture
def close_windows(qapp: QApplication) -> Iterator[None]:
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()


def test_the_departments_agent_is_on_the_tray_menu_with_their_photo(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {"profile.department": "FIN"})
    assert app.profile is not None
    app.profile.start()  # what app.start() schedules: the kept copy, then a verified update
    before = app.tray.agent_card
    app.tray.menu.aboutToShow.emit()  # the employee opens the menu
    card = app.tray.agent_card
    assert before is None, "not built before anyone opens the menu"
    assert card is not None and card.name.text() == "Joost Bakker"
    assert card.availability.text().startswith("Available")
    centre = card.photo.pixmap().toImage()
    middle = centre.width() // 2
    assert centre.pixelColor(middle, middle).green() > 120, "the helper's photo is shown"
    assert app.tray.menu.actions()[0].objectName() == "agentCardAction"
    app.profile.stop()


def test_another_department_shows_its_own_agent_with_initials(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {"profile.department": "HR"})
    assert app.profile is not None
    app.profile.start()
    app.tray.menu.aboutToShow.emit()
    card = app.tray.agent_card
    assert card is not None and card.name.text() == "Sanne de Vries"
    app.profile.stop()


def test_without_a_known_department_no_card_is_shown(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {})
    assert app.profile is not None
    app.profile.start()
    app.tray.menu.aboutToShow.emit()
    assert app.tray.agent_card is None
    app.profile.stop()


def test_without_a_profile_in_the_policy_nothing_of_it_runs(
    qapp: QApplication, tmp_path: Path
) -> None:
    paths = Paths(tmp_path, tmp_path, tmp_path, tmp_path, tmp_path / "policy.toml")
    assert profile_service(SyncTaskRunner(), merge([]), paths) is None
