"""The real app on a virtual desktop with a real tray: click, report, ticket at the real desk."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests
from PIL import Image

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
from client.adapters.http import HttpConfig
from client.adapters.keyring_store import SERVICE
from client.core.models import Report
from client.core.ports import credential_account
from demo.agent_console import AgentConsole
from tests.support.desk_fixture import AGENT_PASSWORD, DeskAccess
from tests.support.notify_server import NotifyServer
from tools.app_process import ROOT, AppProcess
from tools.xsession import VirtualDesktop, center

pytestmark = [pytest.mark.e2e, pytest.mark.desk]


@pytest.fixture
def signed_in_app(
    desktop: VirtualDesktop, demo_desk: DeskAccess, app_home: dict[str, str]
) -> Iterator[AppProcess]:
    app = AppProcess(desktop.env(_anna(app_home, demo_desk)))
    yield app
    app.stop()


def _anna(app_home: dict[str, str], demo_desk: DeskAccess, **more: str) -> dict[str, str]:
    """Anna's tray, signed in to the demo desk (``more``: further settings)."""
    return {
        **app_home,
        "HELPDESK_TRAY_DESK_URL": demo_desk.url,
        "HELPDESK_TRAY_DESK_USERNAME": "anna",
        "HELPDESK_TRAY_TOKEN": demo_desk.anna_token,
        **more,
    }


def _download(url: str, token: str) -> bytes:
    response = requests.get(url, headers={"Authorization": f"Token {token}"}, timeout=10)
    response.raise_for_status()
    return response.content


def test_click_the_tray_report_a_problem_and_it_reaches_the_desk(
    desktop: VirtualDesktop, demo_desk: DeskAccess, signed_in_app: AppProcess
) -> None:
    app = signed_in_app
    visible = app.probe("tray_visible")
    icon = visible.rect()
    assert icon[0] > 1600 and icon[1] < 40, f"the icon should dock in the tray top right: {icon}"
    # The icon first: drawn before the app's services and windows load (client/start.py).
    assert visible.values["app"] == "0"
    app.expect("signed in at")

    desktop.click(*center(icon), button=3)  # a real right-click on the docked icon
    menu = app.probe("menu_shown")
    desktop.click_menu_item(menu.rect(), menu.items("items")["reportAction"])

    dialog = app.probe("window_shown")
    assert dialog.values["name"] == "reportDialog"
    # Task bars and window rules know the app by its name (X11's WM_CLASS), not "__main__.py".
    assert desktop.xdotool("search", "--onlyvisible", "--classname", "^helpdesk-tray$").split()
    unnamed = ["xdotool", "search", "--classname", "__main__"]
    assert subprocess.run(unnamed, env=desktop.env(), capture_output=True).returncode == 1
    app.probe("report_ready")  # the screenshot and the diagnostics are in the list
    fields = dialog.items("children")
    desktop.click(*center(fields["subject"]))
    desktop.type_text("E2E: the projector in room 4 shows no picture")
    desktop.click(*center(fields["description"]))
    desktop.type_text("HDMI cable tried twice.")
    desktop.click(*center(fields["send"]))
    line = app.expect("delivered as")
    number = line.rsplit(" ", 1)[-1]

    desk = DjangoHelpdeskConnector(HttpConfig()).open(demo_desk.url, demo_desk.anna_token)
    tickets = {str(t.ref): t for t in desk.changed_tickets(None)[0]}
    assert tickets[number].title == "E2E: the projector in room 4 shows no picture"
    ticket = desk.ticket(tickets[number].ref)
    assert ticket.description.startswith("Disk ")  # the diagnostics summary for the agent
    assert ticket.description.endswith("HDMI cable tried twice.")
    files = {a.filename: a for a in ticket.events[0].attachments}
    assert set(files) == {"diagnostics.json", "screenshot.webp"}
    shot = Image.open(io.BytesIO(_download(files["screenshot.webp"].url, demo_desk.anna_token)))
    assert shot.size == (desktop.width, desktop.height), "the whole screen under the mouse"
    # Taken before the dialog appeared: where it stood, the empty (black) desktop.
    x, y, w, h = dialog.rect()
    where_the_dialog_was = shot.convert("RGB").crop((x, y, x + w, y + h))
    assert where_the_dialog_was.getextrema() == ((0, 0), (0, 0), (0, 0))

    # The snapshot and the screenshot were made by the evidence helper: psutil
    # and Pillow never entered the tray, which runs all day.
    assert _native_libraries(app.process.pid) & {"_psutil_linux", "_imaging", "_webp"} == set()
    helpers = _evidence_helpers(app.process.pid)
    assert len(helpers) == 1, "one helper, started for the report"
    assert {"_psutil_linux", "_imaging"} <= _native_libraries(helpers[0].pid)

    desktop.click(*center(icon), button=3)
    menu = app.probe("menu_shown")
    desktop.click_menu_item(menu.rect(), menu.items("items")["quitAction"])
    assert app.wait() == 0
    helpers[0].wait(timeout=5)  # it ends with the tray, never left behind


def _native_libraries(pid: int) -> set[str]:
    """The names (up to the first dot) of the shared libraries process ``pid`` has mapped."""
    maps = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8")
    paths = {line.split()[-1] for line in maps.splitlines() if line.rstrip().endswith(".so")}
    return {Path(path).name.split(".")[0] for path in paths}


def _evidence_helpers(pid: int) -> list[psutil.Process]:
    """The tray's evidence helper processes."""
    return [
        child for child in psutil.Process(pid).children() if "--evidence-helper" in child.cmdline()
    ]


def test_a_second_launch_brings_the_first_forward(
    desktop: VirtualDesktop,
    signed_in_app: AppProcess,
    app_home: dict[str, str],
    demo_desk: DeskAccess,
) -> None:
    signed_in_app.probe("tray_visible")
    second = AppProcess(desktop.env(app_home))
    try:
        assert second.wait() == 0
    finally:
        second.stop()
    # Docked in a tray, the first instance opens its panel (the product's home).
    window = signed_in_app.probe("window_shown")
    assert window.values["name"] == "trayPanel"


def test_the_desk_unreachable_at_start_shows_offline_and_keeps_running(
    desktop: VirtualDesktop, app_home: dict[str, str]
) -> None:
    app = AppProcess(
        desktop.env(
            {
                **app_home,
                "HELPDESK_TRAY_DESK_URL": "http://127.0.0.1:9",  # discard port: nobody listens
                "HELPDESK_TRAY_DESK_USERNAME": "anna",
                "HELPDESK_TRAY_TOKEN": "0" * 40,
            }
        )
    )
    try:
        app.probe("tray_visible")
        status = app.probe("status")
        while status.values["icon"] != "offline":
            status = app.probe("status")
        assert status.values["connection"] == "offline"
        assert app.process.poll() is None
    finally:
        app.stop()


@pytest.mark.parametrize("display", [None, ":77"], ids=["unset", "gone"])
def test_without_a_display_it_explains_instead_of_crashing(
    app_home: dict[str, str], display: str | None
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env.update(app_home)
    if display:
        env["DISPLAY"] = display
    result = subprocess.run(
        [sys.executable, "-m", "client"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "make screenshots" in result.stderr and "Traceback" not in result.stderr


def test_the_sign_in_comes_out_of_the_keyring_through_the_helper(
    desktop: VirtualDesktop, demo_desk: DeskAccess, app_home: dict[str, str], tmp_path: Path
) -> None:
    keyring_file = tmp_path / "keyring.json"
    account = credential_account(demo_desk.url, "anna")
    keyring_file.write_text(json.dumps({f"{SERVICE}/{account}": demo_desk.anna_token}))
    app = AppProcess(
        desktop.env(
            {
                **app_home,
                "HELPDESK_TRAY_DESK_URL": demo_desk.url,
                "HELPDESK_TRAY_DESK_USERNAME": "anna",
                # A file-backed keyring stands in for the Secret Service (tests/support).
                "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
                "HELPDESK_TRAY_TEST_KEYRING": str(keyring_file),
                "PYTHONPATH": str(ROOT),
            }
        )
    )
    try:
        app.expect("ticket(s) loaded")
        assert demo_desk.anna_token not in "\n".join(app.log)
    finally:
        app.stop()


def _open_the_menu_until(
    desktop: VirtualDesktop, app: AppProcess, icon: tuple[int, int, int, int], line: str
) -> None:
    """Open the tray menu (which asks the desk, at most once in 5 s) until the app logs ``line``."""
    for _ in range(10):
        desktop.click(*center(icon), button=3)
        app.probe("menu_shown")
        desktop.xdotool("key", "Escape")
        try:
            app.expect(line, timeout=1.5)
            return
        except AssertionError:
            continue
    raise AssertionError(f"no {line!r} after opening the menu 10 times")


def test_an_agent_reply_pops_up_a_notification_whose_click_opens_the_ticket(
    desktop: VirtualDesktop, demo_desk: DeskAccess, app_home: dict[str, str], tmp_path: Path
) -> None:
    # The one-minute hush after start would make this test wait; IT can set it, so do we.
    Path(app_home["HELPDESK_TRAY_POLICY"]).write_text(
        "[notifications]\nquiet_after_start_s = 0\n", encoding="utf-8"
    )
    desk = DjangoHelpdeskConnector(HttpConfig()).open(demo_desk.url, demo_desk.anna_token)
    ref = desk.create_ticket(
        Report(subject="E2E: the scanner saves blank pages", description="Since this morning.")
    )
    assert desktop.bus_address
    server = NotifyServer.start(desktop.bus_address, tmp_path / "notifications.jsonl")
    app = AppProcess(desktop.env(_anna(app_home, demo_desk)))
    try:
        icon = app.probe("tray_visible").rect()
        app.expect("ticket(s) loaded")
        with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
            agent.reply(int(ref.id), "Which scanner: the one by the coffee machine?")
        _open_the_menu_until(desktop, app, icon, "1 ticket change(s)")
        # The server records each call before it answers; the app logs the answer.
        app.expect(f"on screen (ticket {ref})")
        (toast,) = server.notifications()
        assert toast["app_name"] == "helpdesk-tray"
        assert "scanner saves blank pages" in toast["body"] + toast["summary"]
        assert "default" in toast["actions"]
        server.invoke(toast["id"])  # the user clicks it
        app.expect(f"showing ticket {ref.id}")
        assert app.probe("window_shown").values["name"] == "ticketsWindow"
    finally:
        app.stop()
        server.stop()


def test_a_left_click_opens_the_panel_at_the_icon_and_it_leads_everywhere(
    desktop: VirtualDesktop, demo_desk: DeskAccess, signed_in_app: AppProcess
) -> None:
    desk = DjangoHelpdeskConnector(HttpConfig()).open(demo_desk.url, demo_desk.anna_token)
    ref = desk.create_ticket(
        Report(subject="E2E: the beamer in room 2 hums", description="Loudly.")
    )
    app = signed_in_app
    icon = app.probe("tray_visible").rect()
    app.expect("ticket(s) loaded")

    desktop.click(*center(icon))  # a real left click on the docked icon
    panel = app.probe("window_shown")
    assert panel.values["name"] == "trayPanel"
    x, y, width, height = panel.rect()
    assert y >= icon[1] + icon[3] and y - (icon[1] + icon[3]) <= 16, (
        f"right below the icon {icon}: {panel.rect()}"
    )
    assert x <= icon[0] + icon[2] and x + width <= desktop.width
    children = panel.items("children")
    desktop.click(*center(children[f"parcelCard-{ref.id}"]))
    app.expect(f"showing ticket {ref.id}")
    assert app.probe("window_shown").values["name"] == "ticketsWindow"

    desktop.click(*center(icon))
    panel = app.probe("window_shown")
    assert panel.values["name"] == "trayPanel"
    desktop.click(*center(panel.items("children")["whatsWrong"]))
    desktop.type_text("E2E: the panel's box starts a report")
    desktop.xdotool("key", "Return")
    dialog = app.probe("window_shown")
    assert dialog.values["name"] == "reportDialog"
    app.probe("report_ready")
    desktop.click(*center(dialog.items("children")["send"]))
    number = app.expect("delivered as").rsplit(" ", 1)[-1]
    titles = {str(t.ref): t.title for t in desk.changed_tickets(None)[0]}
    assert titles[number] == "E2E: the panel's box starts a report"


def _picture(desktop: VirtualDesktop, rect: tuple[int, int, int, int], path: Path) -> Image.Image:
    """What the virtual screen shows in ``rect`` now."""
    where = ",".join(str(v) for v in rect)
    grab = [sys.executable, "-m", "tools.grab", str(path), where]
    subprocess.run(grab, env=desktop.env(), cwd=ROOT, check=True)
    return Image.open(path).convert("L")


def test_on_a_dark_desktop_the_panel_is_dark_and_on_a_light_one_light(
    desktop: VirtualDesktop, demo_desk: DeskAccess, app_home: dict[str, str], tmp_path: Path
) -> None:
    from tools.screenshots import DARK_DESKTOP  # KDE's Breeze Dark, read from kdeglobals

    shades: dict[str, float] = {}
    for name, look in (("light", {}), ("dark", DARK_DESKTOP)):
        home = {"HELPDESK_TRAY_HOME": str(tmp_path / name)}
        app = AppProcess(desktop.env(_anna(app_home, demo_desk, **home, **look)))
        try:
            icon = app.probe("tray_visible").rect()
            app.expect("ticket(s) loaded")
            desktop.click(*center(icon))
            panel = app.probe("window_shown")
            assert panel.values["name"] == "trayPanel"
            picture = _picture(desktop, panel.rect(), tmp_path / f"{name}.png")
            histogram = picture.histogram()  # 256 counts of grey levels
            shades[name] = sum(level * n for level, n in enumerate(histogram)) / sum(histogram)
        finally:
            app.stop()
    assert shades["dark"] < 80 < 170 < shades["light"], shades


def test_a_computer_getting_slower_nudges_quietly_and_under_auto_reaches_the_desk_once(
    desktop: VirtualDesktop, demo_desk: DeskAccess, app_home: dict[str, str], tmp_path: Path
) -> None:
    """The Glass ball end to end: the real health helper reads a history that got slower, the
    employee gets a low-urgency notification whose click opens the health view, and under the
    policy ``auto`` one proactive ticket reaches the real desk, with its fixed small payload."""
    from client.adapters.health_book import BookFile
    from client.core.nudges import Track
    from demo.health_scene import seed_slower_history

    Path(app_home["HELPDESK_TRAY_POLICY"]).write_text(
        '[notifications]\nquiet_after_start_s = 0\n\n[health]\nenabled = true\ntell_it = "auto"\n',
        encoding="utf-8",
    )
    data = Path(app_home["HELPDESK_TRAY_HOME"]) / "data"
    data.mkdir(parents=True)
    assert seed_slower_history(data) > 0
    now = time.time()  # watched for three days already: it persists, IT is to hear of it
    BookFile(data / "health-book.json").save(
        {"getting-slower": Track("getting-slower", now - 3 * 86400, now - 900, 12)}
    )
    assert desktop.bus_address
    server = NotifyServer.start(desktop.bus_address, tmp_path / "notifications.jsonl")
    app = AppProcess(desktop.env(_anna(app_home, demo_desk, HELPDESK_TRAY_HEALTH_FIRST_MS="500")))
    try:
        app.probe("tray_visible")
        app.expect("health pass: 1 finding(s), getting-slower", timeout=60)
        app.expect("health finding getting-slower: proactive report", timeout=30)
        ticket = app.expect("health finding getting-slower: ticket", timeout=60).split()[-1]
        (toast,) = [n for n in server.notifications() if "IT has been told" in n["summary"]]
        assert toast["hints"]["urgency"] == ["y", 0], "a nudge is quiet (low urgency)"
        assert "getting slower" in toast["body"]
        server.invoke(toast["id"])  # the employee clicks it
        assert app.probe("window_shown").values["name"] == "healthWindow"
        with AgentConsole(demo_desk.url, "joost", AGENT_PASSWORD) as agent:
            page = agent.ticket_page(int(ticket))
        assert "[Health] Your computer is getting slower" in page.html
        assert "Health-Finding: getting-slower" in page.html
        assert [link for link in page.attachment_links if "health-finding.json" in link]
        desk = DjangoHelpdeskConnector(HttpConfig()).open(demo_desk.url, demo_desk.anna_token)
        tickets, _ = desk.changed_tickets(None)
        assert [t.title for t in tickets].count("[Health] Your computer is getting slower") == 1
    finally:
        app.stop()
        server.stop()
    # A restart: the finding still holds, the book knows its ticket: no second one.
    app = AppProcess(desktop.env(_anna(app_home, demo_desk, HELPDESK_TRAY_HEALTH_FIRST_MS="500")))
    try:
        app.expect("health pass: 1 finding(s), getting-slower", timeout=60)
        tickets, _ = desk.changed_tickets(None)
        assert [t.title for t in tickets].count("[Health] Your computer is getting slower") == 1
    finally:
        app.stop()
