"""The frozen app (PyInstaller, one folder): its self-check, its commands, its icon in a tray.

The bundle is built once per session from the current sources (``frozen_bundle``,
tests/support/bundle.py); the run takes about 20 s more for it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
from client.adapters.http import HttpConfig
from tests.support.desk_fixture import DeskAccess
from tools.app_process import AppProcess
from tools.xsession import VirtualDesktop

pytestmark = [pytest.mark.frozen]


def _run(executable: Path, *args: str, home: Path, **more: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HELPDESK_TRAY_HOME=str(home))
    env.update(HELPDESK_TRAY_POLICY=str(home / "no-policy.toml"), **more)
    return subprocess.run(
        [str(executable), *args],
        cwd=home, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_frozen_app_passes_its_own_self_check(frozen_bundle: Path, tmp_path: Path) -> None:
    result = _run(frozen_bundle / "helpdesk-tray", "--self-check", home=tmp_path)
    report = json.loads(result.stdout)
    failed = {n: c for n, c in report["checks"].items() if c["required"] and not c["ok"]}
    assert not failed, json.dumps(failed, indent=2)
    assert result.returncode == 0 and report["ok"] is True
    assert report["frozen"] is True
    assert report["executable"] == str(frozen_bundle / "helpdesk-tray")
    internal = frozen_bundle / "_internal"
    # What it checked is the bundle's own copy, not the source tree's.
    assert str(internal / "resources" / "icons") in report["checks"]["resources.icons"]["detail"]
    assert str(internal / "PySide6") in report["checks"]["qt.platform.qxcb"]["detail"]
    assert report["checks"]["imports"]["detail"].endswith("modules imported")
    for helper in ("keyring", "evidence", "profile", "fix", "search", "health", "fix-check"):
        assert report["checks"][f"helper.{helper}"]["ok"], helper


def test_the_frozen_app_answers_version_and_diagnose(frozen_bundle: Path, tmp_path: Path) -> None:
    from client import __version__

    version = _run(frozen_bundle / "helpdesk-tray", "--version", home=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"helpdesk-tray {__version__}"
    diagnose = _run(frozen_bundle / "helpdesk-tray", "diagnose", "--json", home=tmp_path)
    assert diagnose.returncode == 0, diagnose.stderr
    snapshot = json.loads(diagnose.stdout)
    assert snapshot["app"]["version"] == __version__


def test_a_bundle_missing_a_catalog_fails_its_self_check_naming_it(
    frozen_bundle: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(frozen_bundle, copy, symlinks=True, copy_function=os.link)  # hard links
    catalog = copy / "_internal" / "resources" / "i18n" / "helpdesk_tray_nl.qm"
    catalog.unlink()
    result = _run(copy / "helpdesk-tray", "--self-check", home=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    failed = [name for name, check in report["checks"].items() if not check["ok"]]
    assert set(failed) - {"keyring"} == {"translations"}
    assert report["checks"]["translations"]["detail"] == f"{catalog} is missing"
    assert (frozen_bundle / catalog.relative_to(copy)).is_file(), "the original is untouched"


@pytest.mark.e2e
def test_the_frozen_tray_docks_its_icon(
    frozen_bundle: Path, desktop: VirtualDesktop, app_home: dict[str, str]
) -> None:
    app = AppProcess(desktop.env(app_home), command=[str(frozen_bundle / "helpdesk-tray")])
    try:
        icon = app.probe("tray_visible").rect()
        assert icon[0] > 1600 and icon[1] < 40, f"the icon should dock top right: {icon}"
    finally:
        app.stop()


@pytest.mark.desk
def test_the_frozen_app_files_a_report_at_the_real_desk(
    frozen_bundle: Path, demo_desk: DeskAccess, tmp_path: Path
) -> None:
    # The desk adapter imported by name, requests, the evidence helper's diagnostics and
    # the outbox's SQLite, all from the bundle.
    result = _run(
        frozen_bundle / "helpdesk-tray", "report", "--subject", "Frozen: the VPN drops",
        home=tmp_path, HELPDESK_TRAY_DESK_URL=demo_desk.url, HELPDESK_TRAY_DESK_USERNAME="anna",
        HELPDESK_TRAY_TOKEN=demo_desk.anna_token,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    desk = DjangoHelpdeskConnector(HttpConfig()).open(demo_desk.url, demo_desk.anna_token)
    ticket = next(t for t in desk.changed_tickets(None)[0] if t.title == "Frozen: the VPN drops")
    (opened,) = desk.ticket(ticket.ref).events[:1]
    assert [a.filename for a in opened.attachments] == ["diagnostics.json"]
