"""The real app as an employee uses it, for the benches: signed in, clicked, its windows closed.

Everything goes through the screen as a user's actions would: real clicks
and keys (xdotool) on a virtual desktop, the app's probe lines saying what
appeared, and a window manager's close message for the window's ×.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.x11 import close_window
from client.adapters.keyring_store import SERVICE
from client.core.ports import credential_account
from client.start import TOKEN_ENV
from demo.deskctl import DemoDesk
from tools.app_process import ROOT, AppProcess, Probe
from tools.xsession import VirtualDesktop, center

Rect = tuple[int, int, int, int]


def app_env(
    desk: DemoDesk,
    home: Path,
    profile: tuple[str, bytes] | None = None,
    keyring: bool = True,
) -> dict[str, str]:
    """The app signed in as Anna, its token in a keyring read through the helper process.

    ``profile``: (URL, trusted root) of a signed profile the policy names, with
    the department of Finance (``demo/profile_site.py``). ``keyring=False``: the
    token handed over by the launcher instead (``TOKEN_ENV``), for a frozen app,
    which does not carry the test keyring backend.
    """
    home.mkdir(parents=True, exist_ok=True)
    if profile is not None:
        url, root = profile
        (home / "profile-root.json").write_bytes(root)
        (home / "none.toml").write_text(
            f'[profile]\nurl = "{url}"\ndepartment = "FIN"\n', encoding="utf-8"
        )
    token = desk.token_for("anna", "demo-employee")
    env = {
        "HELPDESK_TRAY_HOME": str(home / "home"),
        "HELPDESK_TRAY_POLICY": str(home / "none.toml"),
        "HELPDESK_TRAY_PROBE": "1",
        "HELPDESK_TRAY_DESK_URL": desk.base_url,
        "HELPDESK_TRAY_DESK_USERNAME": "anna",
    }
    if not keyring:
        return {**env, TOKEN_ENV: token}
    # A file-backed keyring stands in for the Secret Service; the helper reads it.
    keyring_file = home / "keyring.json"
    account = credential_account(desk.base_url, "anna")
    keyring_file.write_text(json.dumps({f"{SERVICE}/{account}": token}), encoding="utf-8")
    return {
        **env,
        "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
        "PYTHONPATH": str(ROOT),  # where that test backend lives
        "HELPDESK_TRAY_TEST_KEYRING": str(keyring_file),
    }


def window(app: AppProcess, name: str) -> Probe:
    """The next window of that name to appear."""
    while True:
        shown = app.probe("window_shown", timeout=30)
        if shown.values["name"] == name:
            return shown


def choose(desktop: VirtualDesktop, app: AppProcess, icon: Rect, item: str) -> None:
    """Right-click the tray icon and click one entry of its menu."""
    desktop.click(*center(icon), button=3)  # a real right-click on the docked icon
    menu = app.probe("menu_shown")
    desktop.click_menu_item(menu.rect(), menu.items("items")[item])


def open_a_ticket(desktop: VirtualDesktop, app: AppProcess, icon: Rect) -> None:
    """Open "My tickets" from the menu, then the first ticket in its list."""
    choose(desktop, app, icon, "ticketsAction")
    x, y, w, _h = window(app, "ticketsWindow").items("children")["tickets"]
    desktop.click(x + w // 2, y + 40)  # the first row
    desktop.xdotool("key", "Return")
    app.expect(" loaded (", timeout=30)  # "ticket 12 loaded (received)"


def close_tickets_window(desktop: VirtualDesktop) -> None:
    """Back to the list (the window opens on it next time), then close "My tickets" by its ×."""
    desktop.xdotool("key", "alt+Left")
    (found, *_others) = desktop.xdotool("search", "--name", "^My tickets$").split()
    close_window(desktop.display, int(found))


def open_panel(desktop: VirtualDesktop, app: AppProcess, icon: Rect) -> dict[str, Rect]:
    """Left-click the tray icon; the panel's named parts and where they are."""
    desktop.click(*center(icon))
    return window(app, "trayPanel").items("children")


def first_use(desktop: VirtualDesktop, app: AppProcess, icon: Rect, number: int) -> None:
    """What an employee does the first time, from the panel: report a problem, look at a ticket.

    The panel is built then and kept; "after first use" includes it.
    """
    box = open_panel(desktop, app, icon)["whatsWrong"]
    desktop.click(*center(box))
    desktop.type_text(f"Benchmark {number}: the printer on floor 2 jams")
    desktop.xdotool("key", "Return")
    window(app, "reportDialog")
    fields = app.probe("report_ready", timeout=60).items("children")  # screenshot, diagnostics
    desktop.click(*center(fields["send"]))
    app.expect("delivered as", timeout=60)
    desktop.xdotool("key", "Return")  # "Close" has the focus on the thank-you page
    cards = [rect for name, rect in open_panel(desktop, app, icon).items()
             if name.startswith("parcelCard-")]  # fmt: skip
    desktop.click(*center(cards[0]))
    window(app, "ticketsWindow")
    app.expect(" loaded (", timeout=30)  # "ticket 12 loaded (received)"
    close_tickets_window(desktop)
