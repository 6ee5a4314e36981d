"""Refresh ``docs/screenshots/``: the real app on a virtual desktop, driven with real clicks.

``python -m tools.screenshots`` (or ``make screenshots``) starts a fresh demo
desk, a virtual 1920×1080 desktop with a tray, and the app, then clicks
through it the way an employee would and saves what is on screen.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from demo.deskctl import DemoDesk, temporary_desk
from demo.profile_site import publish_demo_profile, serve_profile
from tools.app_process import ROOT, AppProcess, Probe
from tools.xsession import Rect, VirtualDesktop, center

OUT = ROOT / "docs" / "screenshots"
MARGIN = 16
#: A dark desktop: KDE Plasma with Breeze Dark, whose colours Qt reads from kdeglobals.
DARK_DESKTOP = {
    "KDE_FULL_SESSION": "true",
    "KDE_SESSION_VERSION": "5",
    "XDG_CURRENT_DESKTOP": "KDE",
    "XDG_CONFIG_HOME": str(ROOT / "tools" / "themes" / "breeze-dark"),
}


class Shooter:
    """Drives apps on one virtual desktop and saves cropped screenshots."""

    def __init__(self, desktop: VirtualDesktop, desk: DemoDesk, home: Path) -> None:
        self.desktop = desktop
        self.desk = desk
        self.home = home
        self.saved: list[Path] = []

    def grab(self, name: str, rect: tuple[int, int, int, int]) -> None:
        """Save the screen around ``rect`` as ``docs/screenshots/<name>.png``."""
        x, y, w, h = rect
        # The same margin on every side (none for a window in a corner): no lopsided frame.
        margin = max(min(MARGIN, x, y, self.desktop.width - x - w, self.desktop.height - y - h), 0)
        x0, y0 = x - margin, y - margin
        x1, y1 = x + w + margin, y + h + margin
        path = OUT / f"{name}.png"
        subprocess.run(
            [sys.executable, "-m", "tools.grab", str(path), f"{x0},{y0},{x1 - x0},{y1 - y0}"],
            env=self.desktop.env(),
            cwd=ROOT,
            check=True,
        )
        self.saved.append(path)

    @contextmanager
    def app(self, name: str, **settings: str) -> Iterator[AppProcess]:
        """Run the app with its own home and these environment settings."""
        env = {
            "HELPDESK_TRAY_HOME": str(self.home / name),
            "HELPDESK_TRAY_POLICY": str(self.home / f"{name}-policy.toml"),
            "HELPDESK_TRAY_PROBE": "1",
            **settings,
        }
        app = AppProcess(self.desktop.env(env))
        try:
            yield app
        finally:
            app.stop()

    def open_menu(self, app: AppProcess, icon: tuple[int, int, int, int]) -> Probe:
        """Right-click the tray icon; the menu as it appeared."""
        self.desktop.click(*center(icon), button=3)
        return app.probe("menu_shown")

    def choose(self, menu: Probe, item: str) -> None:
        """Click one entry of an open menu."""
        self.desktop.click_menu_item(menu.rect(), menu.items("items")[item])


@contextmanager
def scenery(desktop: VirtualDesktop) -> Iterator[None]:
    """A spreadsheet with an error on screen: what the screenshot in the report shows."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.scenery"], cwd=ROOT, env=desktop.env(),
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


#: The salary column of the spreadsheet (tools/scenery.py), in screen pixels.
SALARIES = (283, 95, 98, 365)


def black_out_salaries(shooter: Shooter, app: AppProcess, button: Rect) -> None:
    """Open the editor, drag a box over the salaries, save a picture, press Done."""
    shooter.desktop.click(*center(button))
    editor = app.probe("window_shown")
    canvas = editor.items("children")["canvas"]
    cx, cy, cw, ch = canvas
    scale = min(cw / shooter.desktop.width, ch / shooter.desktop.height)
    left = cx + (cw - shooter.desktop.width * scale) / 2
    top = cy + (ch - shooter.desktop.height * scale) / 2
    x, y, w, h = SALARIES
    start = (round(left + x * scale), round(top + y * scale))
    end = (round(left + (x + w) * scale), round(top + (y + h) * scale))
    shooter.desktop.drag(start, end)
    app.expect("screenshot edited")
    shooter.grab("screenshot-editor", editor.rect())
    shooter.desktop.click(*center(editor.items("children")["done"]))


#: One ticket per stage, as the agent leaves it in django-helpdesk (newest first in the list).
STAGE_TICKETS = (
    ("received", "The second screen stays black after docking"),
    ("assigned", "Teams asks for my password every hour"),
    ("in_progress", "The printer on floor 3 prints blank pages"),
    ("waiting_on_you", "Cannot open the shared Finance folder"),
    ("resolved", "Outlook does not start"),
    ("closed", "New keyboard for my desk"),
)


def stage_tickets(desk: DemoDesk, token: str) -> list[tuple[str, str, str]]:
    """Anna's tickets, one at each stage, the agent working in django-helpdesk's own pages.

    Returns (stage, subject, ticket id) for each.
    """
    from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
    from client.adapters.http import HttpConfig
    from client.core.models import Report
    from demo.agent_console import AgentConsole

    anna = DjangoHelpdeskConnector(HttpConfig()).open(desk.base_url, token)
    made = []
    with AgentConsole(desk.base_url, "joost", "demo-agent") as agent:
        for stage, subject in STAGE_TICKETS:
            ref = anna.create_ticket(Report(subject=subject, description="Reported from the tray."))
            number = int(ref.id)
            if stage != "received":
                agent.assign(number, "joost")
            if stage in ("in_progress", "waiting_on_you", "resolved", "closed"):
                agent.reply(number, "I am looking at it now. Is it the same on another desk?")
            if stage == "waiting_on_you":
                agent.hold(number)
            if stage in ("resolved", "closed"):
                agent.resolve(number, "Fixed: the profile is rebuilt. Please try again.")
            if stage == "closed":
                anna.confirm_resolved(ref)
            made.append((stage, subject, ref.id))
    return made


def shoot_tracker(shooter: Shooter, anna: dict[str, str]) -> None:
    """The parcel tracker at each stage."""
    desktop = shooter.desktop
    tickets = stage_tickets(shooter.desk, anna["HELPDESK_TRAY_TOKEN"])
    with shooter.app("tracker", **anna) as app:
        icon = app.probe("tray_visible").rect()
        app.expect("ticket(s) loaded")
        shooter.choose(shooter.open_menu(app, icon), "ticketsAction")
        window = app.probe("window_shown")
        x, y, w, _h = window.items("children")["tickets"]
        for stage, subject, number in tickets:
            desktop.click(x + w // 2, y + 40)  # a subject: the table has the focus
            desktop.type_text(subject)  # the table's type-ahead finds the row
            desktop.xdotool("key", "Return")
            app.expect(f"ticket {number} loaded ({stage})")
            time.sleep(0.5)  # a repaint has no probe event; this is a picture, not a test
            shooter.grab(f"tracker-{stage.replace('_', '-')}", window.rect())
            desktop.xdotool("key", "alt+Left")  # back to the list
    # The one that needs the employee, in Dutch, and on a dark desktop: opened from its
    # card in the panel.
    waiting = next(number for stage, _, number in tickets if stage == "waiting_on_you")
    for name, settings in (
        ("tracker-waiting-on-you-nl", {"HELPDESK_TRAY_UI_LANGUAGE": "nl"}),
        ("tracker-waiting-on-you-dark", DARK_DESKTOP),
    ):
        with shooter.app(name, **anna, **settings) as app:
            icon = app.probe("tray_visible").rect()
            app.expect("ticket(s) loaded")
            desktop.click(*center(icon))  # a left click: the panel
            cards = app.probe("window_shown").items("children")
            desktop.click(*center(cards[f"parcelCard-{waiting}"]))
            window = app.probe("window_shown")
            app.expect(f"ticket {waiting} loaded (waiting_on_you)")
            time.sleep(0.5)  # a repaint has no probe event; this is a picture, not a test
            shooter.grab(name, window.rect())


def shoot(shooter: Shooter) -> None:
    """Every screenshot the README shows."""
    desk, desktop = shooter.desk, shooter.desktop
    anna = {
        "HELPDESK_TRAY_DESK_URL": desk.base_url,
        "HELPDESK_TRAY_DESK_USERNAME": "anna",
        "HELPDESK_TRAY_TOKEN": desk.token_for("anna", "demo-employee"),
    }

    with shooter.app("english", **anna) as app, scenery(desktop):
        icon = app.probe("tray_visible").rect()
        app.expect("ticket(s) loaded")
        menu = shooter.open_menu(app, icon)
        x, y, w, h = menu.rect()
        shooter.grab("tray-menu", (x, 0, desktop.width - x, y + h))
        shooter.choose(menu, "reportAction")
        app.probe("window_shown")
        dialog = app.probe("report_ready")  # with its items, where they are now
        fields = dialog.items("children")
        desktop.click(*center(fields["subject"]))
        desktop.type_text("The budget sheet shows #VALUE! in every total")
        desktop.click(*center(fields["description"]))
        desktop.type_text(
            "Since this morning every total in Budget 2027 says #VALUE!. It worked yesterday."
        )
        shooter.grab("report-dialog", dialog.rect())
        black_out_salaries(shooter, app, fields["edit"])
        app.probe("report_ready")  # encoded again, with the box
        desktop.click(*center(fields["preview"]))
        preview = app.probe("window_shown")
        desktop.xdotool("key", "ctrl+Tab", "ctrl+Tab")  # to the screenshot, as it will be sent
        time.sleep(0.5)  # a repaint has no probe event; this is a picture, not a test
        shooter.grab("privacy-review", preview.rect())
        desktop.xdotool("key", "Escape")
        desktop.click(*center(fields["send"]))
        app.expect("delivered as")
        app.expect("ticket change(s)")  # the new ticket is in the list
        shooter.grab("report-sent", desktop.window_rect("Report a problem"))  # it shrank
        desktop.xdotool("key", "Return")  # "Close" has the focus on the thank-you page
        shooter.choose(shooter.open_menu(app, icon), "ticketsAction")
        window = app.probe("window_shown")
        shooter.grab("tickets-window", window.rect())

    shoot_tracker(shooter, anna)

    with shooter.app("dutch", HELPDESK_TRAY_UI_LANGUAGE="nl", **anna) as app:
        icon = app.probe("tray_visible").rect()
        app.expect("ticket(s) loaded")
        shooter.choose(shooter.open_menu(app, icon), "ticketsAction")
        shooter.grab("tickets-window-nl", app.probe("window_shown").rect())

    policy = shooter.home / "first-start-policy.toml"
    policy.write_text(f'[desk]\nurl = "{desk.base_url}"\n', encoding="utf-8")
    with shooter.app("first-start") as app:
        dialog = app.probe("window_shown")
        shooter.grab("sign-in", dialog.rect())

    offline = {**anna, "HELPDESK_TRAY_DESK_URL": "http://127.0.0.1:9"}
    with shooter.app("offline", **offline) as app:
        icon = app.probe("tray_visible").rect()
        app.expect("the desk is not answering")
        shooter.choose(shooter.open_menu(app, icon), "reportAction")
        fields = app.probe("window_shown").items("children")
        desktop.click(*center(fields["subject"]))
        desktop.type_text("No network in meeting room 2.14")
        desktop.click(*center(fields["send"]))
        app.expect("not delivered (attempt 1")
        shooter.grab("report-saved-offline", desktop.window_rect("Report a problem"))
        desktop.xdotool("key", "Return")
        shooter.choose(shooter.open_menu(app, icon), "ticketsAction")
        shooter.grab("tickets-window-offline", app.probe("window_shown").rect())


def shoot_waiting_on_a_desk_rule(shooter: Shooter) -> None:
    """A report Request Tracker refuses by its forgery rules waits, saying why.

    A real RT 5 behind a reverse proxy whose address is not RT's own, an employee
    signed in with a password (no token to fall back on): RT refuses the new
    ticket, and the report waits in the outbox instead of being rejected.
    """
    from client.adapters.desks.rt import RtConnector
    from client.adapters.http import HttpConfig
    from tests.support.fault_proxy import FaultProxy
    from tests.support.rt_desk import EMPLOYEE_PASSWORD, QUEUE, Referrers, RequestTracker

    desktop = shooter.desktop
    rt = RequestTracker(shooter.home / "rt", referrers=Referrers())
    rt.setup()
    try:
        rt.start()
        with FaultProxy(rt.url) as proxy:
            credential = RtConnector(HttpConfig(), queue=QUEUE).sign_in(
                proxy.url, "anna", EMPLOYEE_PASSWORD
            )
            settings = {
                "HELPDESK_TRAY_DESK_KIND": "request-tracker",
                "HELPDESK_TRAY_DESK_URL": proxy.url,
                "HELPDESK_TRAY_DESK_QUEUE": QUEUE,
                "HELPDESK_TRAY_DESK_USERNAME": "anna",
                "HELPDESK_TRAY_TOKEN": credential,
            }
            with shooter.app("desk-rule", **settings) as app:
                icon = app.probe("tray_visible").rect()
                app.expect("ticket(s) loaded")
                shooter.choose(shooter.open_menu(app, icon), "reportAction")
                fields = app.probe("window_shown").items("children")
                desktop.click(*center(fields["subject"]))
                desktop.type_text("Outlook keeps asking for my password")
                desktop.click(*center(fields["send"]))
                app.expect("not delivered (attempt 1")
                desktop.xdotool("key", "Return")
                shooter.choose(shooter.open_menu(app, icon), "ticketsAction")
                shooter.grab(
                    "tickets-window-waiting-on-desk-rule", app.probe("window_shown").rect()
                )
    finally:
        rt.stop()


#: After which agent-card shot the help articles are opened, and the name of their shot.
ARTICLE_SHOTS = {"agent-card": "help-articles", "agent-card-nl": "help-articles-nl"}


def shoot_agent_cards(shooter: Shooter) -> None:
    """The panel, and the department's agent on the tray menu: at work and away, EN and NL.

    A demo profile is built, signed and served here (``demo/profile_site.py``);
    each run is the real app, whose profile helper verifies it.
    """
    desk = shooter.desk
    anna = {
        "HELPDESK_TRAY_DESK_URL": desk.base_url,
        "HELPDESK_TRAY_DESK_USERNAME": "anna",
        "HELPDESK_TRAY_TOKEN": desk.token_for("anna", "demo-employee"),
        "TZ": "Europe/Amsterdam",
    }
    site = shooter.home / "profile-site"
    demo = publish_demo_profile(site, datetime.now(UTC))
    (shooter.home / "profile-root.json").write_bytes(demo.root)  # beside the policies
    shots = [
        ("panel", "FIN", "en"),  # the panel at the icon: the product's home
        ("panel-nl", "FIN", "nl"),
        ("panel-dark", "FIN", "en"),  # on a dark desktop
        ("panel-dark-nl", "FIN", "nl"),
        ("agent-card", "FIN", "en"),  # at work, with a (drawn) photo
        ("agent-card-away", "HR", "en"),  # away, initials, the backup at work
        ("agent-card-nl", "FIN", "nl"),
        ("agent-card-away-nl", "SAL", "nl"),  # away, with a photo
    ]
    with serve_profile(site) as url:
        for name, department, language in shots:
            policy = shooter.home / f"{name}-policy.toml"
            policy.write_text(
                f'[profile]\nurl = "{url}"\ndepartment = "{department}"\n', encoding="utf-8"
            )
            desktop = DARK_DESKTOP if "dark" in name else {}
            with shooter.app(name, HELPDESK_TRAY_UI_LANGUAGE=language, **anna, **desktop) as app:
                icon = app.probe("tray_visible").rect()
                app.expect("profile version 1 kept")  # verified; read when the menu opens
                if name.startswith("panel"):
                    if not any("ticket(s) loaded" in line for line in app.log):  # either order
                        app.expect("ticket(s) loaded")
                    shooter.desktop.click(*center(icon))  # a left click: the panel
                    x, y, w, h = app.probe("window_shown").rect()
                    time.sleep(0.5)  # the photo is read after the first paint; a picture
                    shooter.grab(name, (x, 0, shooter.desktop.width - x, y + h))  # with the icon
                    shooter.desktop.xdotool("key", "Escape")
                    continue
                menu = shooter.open_menu(app, icon)
                x, y, w, h = menu.rect()
                shooter.grab(name, (x, y, w, h))
                if name in ARTICLE_SHOTS:  # the help articles, from the same menu
                    shooter.choose(menu, "articlesAction")
                    shooter.grab(ARTICLE_SHOTS[name], app.probe("window_shown").rect())
                else:
                    shooter.desktop.xdotool("key", "Escape")


#: How much the panel grows with three matches under its box (logical pixels).
MATCHES_HEIGHT = 150
#: The account the self-fix screenshots run the app as: fixes never run with administrator
#: rights, and these machines run everything as root (the tests' account, tests/support).
FIX_ACCOUNT = "hdt-fixes"


def fix_account() -> pwd.struct_passwd:
    """The unprivileged account (made if missing; the tests make the same one)."""
    try:
        return pwd.getpwnam(FIX_ACCOUNT)
    except KeyError:
        home = Path(tempfile.gettempdir()) / f"{FIX_ACCOUNT}-home"
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(home), "--shell",
             "/usr/sbin/nologin", "--user-group", FIX_ACCOUNT],
            check=True,
        )  # fmt: skip
        return pwd.getpwnam(FIX_ACCOUNT)


def give(path: Path, account: pwd.struct_passwd) -> None:
    """``path`` and everything in it, the account's own."""
    for root, folders, files in os.walk(path):
        for name in [*folders, *files]:
            os.chown(Path(root) / name, account.pw_uid, account.pw_gid)
    os.chown(path, account.pw_uid, account.pw_gid)


def slow_notes(home: Path, files: int = 40_000) -> Path:
    """A Notes cache of 12 MB in many small files: the fix takes a moment to empty it."""
    cache = home / ".cache" / "example-notes"
    shutil.rmtree(cache, ignore_errors=True)
    (cache / "notebooks").mkdir(parents=True)
    (cache / "notebooks" / "index.bin").write_bytes(b"\0" * 12 * 1024 * 1024)
    for n in range(files):
        (cache / "notebooks" / f"page-{n}.html").write_bytes(b"<p>note</p>")
    return cache


def shoot_self_fix(shooter: Shooter) -> None:
    """Self-help: matches while typing, a fix's consent, its run, solved, still there, the record.

    The real app, as the unprivileged account (as root it runs no fix), with the
    demo profile and its fixes; the Notes cache made large enough to need the fix.
    """
    if os.geteuid() != 0:
        raise SystemExit("the self-fix screenshots make and use an account: run them as root")
    account = fix_account()
    home = Path(account.pw_dir)
    base = Path(tempfile.mkdtemp(prefix="hdt-shots-fix-"))
    base.chmod(0o755)
    site = base / "profile-site"
    demo = publish_demo_profile(site, datetime.now(UTC))
    (base / "profile-root.json").write_bytes(demo.root)
    command = _as_account(account)
    try:
        with serve_profile(site) as url:
            for language in ("en", "nl"):
                folder = base / language
                policy = f'[profile]\nurl = "{url}"\ndepartment = "FIN"\n'
                env = _fix_account_env(shooter, folder, home, language, policy, demo.root)
                cache = slow_notes(home)
                give(home, account)
                give(folder, account)
                (folder / "runtime").chmod(0o700)
                app = AppProcess(env, command=command)
                try:
                    _self_fix_scenes(shooter, app, language, cache)
                finally:
                    app.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _paused_script(timeout: float = 20.0) -> int:
    """Stop the fix's running script (its private copy's path tells it); its process id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if entry.name.isdigit() and b"/helpdesk-fix-" in command and b"detect" in command:
                os.kill(int(entry.name), signal.SIGSTOP)
                return int(entry.name)
        time.sleep(0.001)
    raise RuntimeError("the fix's check did not start")


def _self_fix_scenes(shooter: Shooter, app: AppProcess, language: str, cache: Path) -> None:
    desktop = shooter.desktop
    suffix = "" if language == "en" else f"-{language}"
    icon = app.probe("tray_visible").rect()
    app.expect("profile version 1 kept")
    words = {"en": "notes is so slow", "nl": "notities zijn traag"}[language]

    def type_into_panel() -> tuple[int, int, int, int]:
        desktop.click(*center(icon))
        x, y, w, h = app.probe("window_shown").rect()
        desktop.type_text(words)
        if not any("self-help index built" in line for line in app.log):
            app.expect("self-help index built")  # the first time the employee types
        time.sleep(0.5)  # the matches are drawn a moment after the keystroke
        return x, y, w, h + MATCHES_HEIGHT  # the panel grew by the matches

    x, y, w, h = type_into_panel()
    shooter.grab(f"self-help-suggestions{suffix}", (x, 0, desktop.width - x, y + h))
    desktop.xdotool("key", "Down", "Return")  # the first match: the fix
    app.probe("window_shown")
    time.sleep(0.3)  # it fits its height to its text once shown at its width
    dialog = desktop.window_rect({"en": "Empty the Notes app's cache",
                                  "nl": "De cache van Notities legen"}[language])  # fmt: skip
    shooter.grab(f"fix-consent{suffix}", dialog)
    if language != "en":
        desktop.xdotool("key", "Escape")
        return
    desktop.xdotool("key", "Return")  # "Run the fix"
    # The demo's check takes a blink; held for the picture, it looks as a slow one does.
    script = _paused_script()
    time.sleep(0.3)
    shooter.grab("fix-running", dialog)
    os.kill(script, signal.SIGCONT)
    app.expect("fix notes-cache: solved", timeout=120)
    time.sleep(0.3)
    shooter.grab("fix-solved", dialog)
    desktop.xdotool("key", "Return")  # "Yes, solved"
    # Notes still running refills its cache at once: the fix runs, the problem stays. The
    # copy is made beside the cache and renamed into it, so that a name the fix's `find`
    # listed never vanishes before it deletes it (the fix would fail, not find it back).
    spare = cache.parent / "notes-refill.bin"
    spare.write_bytes(b"\0" * 12 * 1024 * 1024)
    staged = cache.parent / "notes-refill.next"
    refill = subprocess.Popen(
        ["sh", "-c", f"while :; do cp {spare} {staged} && mv {staged} {cache}/cache.bin; done"],
    )
    try:
        type_into_panel()
        desktop.xdotool("key", "Down", "Return")
        dialog = app.probe("window_shown").rect()
        desktop.xdotool("key", "Return")
        app.expect("fix notes-cache: still_there", timeout=120)
        time.sleep(0.3)
        shooter.grab("fix-still-there", dialog)
        desktop.xdotool("key", "Escape")
    finally:
        refill.terminate()
        refill.wait()
    menu = shooter.open_menu(app, icon)
    shooter.choose(menu, "recordAction")
    window = app.probe("window_shown").rect()
    time.sleep(0.3)
    shooter.grab("record", window)


def _as_account(account: pwd.struct_passwd) -> list[str]:
    """The app run as ``account``, by the system's Python (the account cannot reach ours)."""
    return [
        "setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups",
        "/usr/bin/python3", "-m", "client",
    ]  # fmt: skip


def _fix_account_env(
    shooter: Shooter, folder: Path, home: Path, language: str, policy: str, root: bytes
) -> dict[str, str]:
    """The environment of the app run as the fix account, with its own folders under ``folder``."""
    for part in ("home", "runtime", "config", "data"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    (folder / "policy.toml").write_text(policy, "utf-8")
    (folder / "profile-root.json").write_bytes(root)
    desk = shooter.desk
    return shooter.desktop.env({
        "HELPDESK_TRAY_HOME": str(folder / "home"),
        "HELPDESK_TRAY_POLICY": str(folder / "policy.toml"),
        "HELPDESK_TRAY_PROBE": "1",
        "HELPDESK_TRAY_UI_LANGUAGE": language,
        "HELPDESK_TRAY_DESK_URL": desk.base_url,
        "HELPDESK_TRAY_DESK_USERNAME": "anna",
        "HELPDESK_TRAY_TOKEN": desk.token_for("anna", "demo-employee"),
        "TZ": "Europe/Amsterdam",
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(folder / "runtime"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        # The system's Python, with this checkout's packages: the account cannot reach
        # this interpreter's home.
        "PYTHONPATH": f"{sysconfig.get_paths()['purelib']}:{ROOT}",
    })  # fmt: skip


def shoot_health(shooter: Shooter) -> None:
    """The Glass ball: a quiet nudge, the health view, "tell IT?", the ticket as the agent sees it.

    The real app as the unprivileged account (so the demo fixes' checks run), with
    the demo's "getting slower" history (``demo/health_scene.py``) and a finding the
    tray has watched for three days, under the policy ``ask``.
    """
    from client.adapters.health_book import BookFile
    from client.core.nudges import Track
    from demo.health_scene import seed_slower_history

    if os.geteuid() != 0:
        raise SystemExit("the health screenshots make and use an account: run them as root")
    account = fix_account()
    home = Path(account.pw_dir)
    base = Path(tempfile.mkdtemp(prefix="hdt-shots-health-"))
    base.chmod(0o755)
    site = base / "profile-site"
    demo = publish_demo_profile(site, datetime.now(UTC))
    command = _as_account(account)
    try:
        with serve_profile(site) as url:
            for language in ("en", "nl"):
                folder = base / language
                policy = (
                    f'[profile]\nurl = "{url}"\ndepartment = "FIN"\n\n'
                    '[health]\nenabled = true\ntell_it = "ask"\n'
                    "\n[notifications]\nquiet_after_start_s = 8\n"
                )
                env = _fix_account_env(shooter, folder, home, language, policy, demo.root)
                env["HELPDESK_TRAY_HEALTH_FIRST_MS"] = "3000"
                data = folder / "home" / "data"
                data.mkdir(parents=True, exist_ok=True)
                seed_slower_history(data)
                now = time.time()
                BookFile(data / "health-book.json").save(
                    {"getting-slower": Track("getting-slower", now - 3 * 86400, now - 900, 12)}
                )
                give(home, account)
                give(folder, account)
                (folder / "runtime").chmod(0o700)
                app = AppProcess(env, command=command)
                try:
                    _health_scenes(shooter, app, language, folder / "data")
                finally:
                    app.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _first(probe: Probe, name: str) -> tuple[int, int, int, int]:
    """The first named child of a described window (``items`` keeps the last)."""
    for item in probe.values.get("children", "").split(";"):
        child, _, rect = item.partition("@")
        if child == name:
            x, y, w, h = (int(v) for v in rect.split(","))
            return x, y, w, h
    raise KeyError(name)


def old_trash(data: Path, items: int = 3) -> None:
    """Files deleted two months ago, still in the trash: the demo's "empty the trash" finds them."""
    info, files = data / "Trash" / "info", data / "Trash" / "files"
    info.mkdir(parents=True, exist_ok=True)
    files.mkdir(parents=True, exist_ok=True)
    then = time.time() - 60 * 86400
    for n in range(items):
        (files / f"budget-{n}.xlsx").write_bytes(b"\0" * 1024)
        entry = info / f"budget-{n}.xlsx.trashinfo"
        entry.write_text(f"[Trash Info]\nPath=/tmp/budget-{n}.xlsx\n", "utf-8")
        os.utime(entry, (then, then))


def _health_scenes(shooter: Shooter, app: AppProcess, language: str, data: Path) -> None:
    desktop = shooter.desktop
    suffix = "" if language == "en" else f"-{language}"
    icon = app.probe("tray_visible").rect()
    app.expect("health pass:", timeout=60)
    app.expect("asked to tell IT", timeout=60)  # once the quiet after start is over
    time.sleep(1.0)  # the balloon fades in
    x = max(icon[0] - 560, 0)
    shooter.grab(f"health-nudge{suffix}", (x, 0, desktop.width - x, 120))
    old_trash(data)
    desktop.click(*center(icon))  # on the balloon, where the icon is: it opens the health view
    shown = app.probe("window_shown")
    assert shown.values["name"] == "healthWindow", shown
    desktop.click(*center(shown.items("children")["healthCheckNow"]))  # every check, now
    app.expect("health check empty-trash: found", timeout=60)
    time.sleep(0.5)  # the cards are redrawn
    shooter.grab(f"health-view{suffix}", shown.rect())
    if language != "en":
        return
    desktop.click(*center(_first(shown, "healthTellIt")))
    box = app.probe("window_shown")
    time.sleep(0.3)
    shooter.grab("health-tell-it", box.rect())
    desktop.xdotool("key", "Return")  # "Send to IT" is the default
    app.expect("proactive report", timeout=60)
    app.expect("health finding getting-slower: ticket", timeout=60)
    shoot_agent_view(shooter, "[Health]", "health-ticket-agent")


def shoot_agent_view(shooter: Shooter, subject: str, name: str) -> None:
    """The newest ticket whose subject starts with ``subject``, as the agent's desk page shows it.

    django-helpdesk's own staff page, logged in as Anna's agent, drawn by a headless
    Chromium with the desk's own style sheets.
    """
    from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
    from client.adapters.http import HttpConfig
    from demo.agent_console import AgentConsole

    desk = shooter.desk
    anna = DjangoHelpdeskConnector(HttpConfig()).open(
        desk.base_url, desk.token_for("anna", "demo-employee")
    )
    tickets, _ = anna.changed_tickets(None)
    ticket = max((t for t in tickets if t.title.startswith(subject)), key=lambda t: int(t.ref.id))
    with AgentConsole(desk.base_url, "joost", "demo-agent") as agent:
        page = agent.ticket_page(int(ticket.ref.id)).html
    page = page.replace("<head>", f'<head><base href="{desk.base_url}/">', 1)
    html = shooter.home / f"{name}.html"
    html.write_text(page, "utf-8")
    path = OUT / f"{name}.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={path}", "--window-size=1280,1000", html.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    shooter.saved.append(path)


def shoot_sign_in_per_desk(shooter: Shooter) -> None:
    """The first start's sign-in where the employee types a token or an application password.

    Nothing is sent before the employee signs in, so the desk's address need not answer.
    """
    for kind, url, language in (
        ("topdesk", "https://yourcompany.topdesk.net", "nl"),
        ("zammad", "https://zammad.example.org", "en"),
    ):
        policy = shooter.home / f"first-start-{kind}-policy.toml"
        policy.write_text(f'[desk]\nkind = "{kind}"\nurl = "{url}"\n', encoding="utf-8")
        with shooter.app(f"first-start-{kind}", HELPDESK_TRAY_UI_LANGUAGE=language) as app:
            dialog = app.probe("window_shown")
            suffix = "-nl" if language == "nl" else ""
            shooter.grab(f"sign-in-{kind}{suffix}", dialog.rect())


def main() -> int:
    """Take the screenshots; print where they went."""
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="helpdesk-tray-shots-") as tmp,
        temporary_desk() as desk,
        VirtualDesktop() as desktop,
    ):
        shooter = Shooter(desktop, desk, Path(tmp))
        if "--only-self-fix" in sys.argv:
            shoot_self_fix(shooter)
        elif "--only-health" in sys.argv:
            shoot_health(shooter)
        elif "--only-sign-in" in sys.argv:
            shoot_sign_in_per_desk(shooter)
        else:
            if "--only-agent-cards" not in sys.argv:
                shoot(shooter)
                shoot_waiting_on_a_desk_rule(shooter)
            shoot_agent_cards(shooter)
            shoot_self_fix(shooter)
            shoot_health(shooter)
            shoot_sign_in_per_desk(shooter)
    for path in shooter.saved:
        sys.stdout.write(f"saved {path.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
