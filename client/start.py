"""The tray's first second: settings, Qt, one instance per user, the icon; then the app.

The icon first (docs/architecture.md, "The icon first"). An employee sees the
tray's icon as soon as Qt can draw it. The services, windows and their wiring
(``client.app``: most of the code) are imported and built right after that first
drawing, before anyone can click the icon. So this module imports only what the
icon needs; ``client.app`` is imported inside :func:`run`.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from client import APP_NAME, AUTOSTART_FLAG, __version__
from client.adapters.logs import setup_logging
from client.adapters.paths import default_paths
from client.adapters.policy import load_settings
from client.core.redact import Redactor
from client.core.tray_state import STARTING
from client.services.crash import CrashHandler
from client.services.qtlog import route_qt_messages
from client.services.single_instance import SingleInstance
from client.ui import resources
from client.ui.tray import TrayIcon

if TYPE_CHECKING:
    from client.app import TrayApp

logger = logging.getLogger(__name__)

#: When the process began to start the tray: the start of "how long the tray took to show".
STARTED_AT = time.monotonic()
#: A credential handed over by a launcher (the demo, support sessions); never stored.
TOKEN_ENV = "HELPDESK_TRAY_TOKEN"
PROBE_ENV = "HELPDESK_TRAY_PROBE"
#: Set to log every time the GUI thread was blocked long enough for a user to notice.
WATCH_LOOP_ENV = "HELPDESK_TRAY_WATCH_LOOP"
#: The longest wait for the icon's first drawing before the app is built anyway (a tray
#: host that takes the picture later, or never).
ICON_WAIT_MS = 500

NO_DISPLAY_MESSAGE: str = QT_TRANSLATE_NOOP(  # type: ignore[assignment]
    "app",
    "helpdesk-tray needs a graphical desktop, and none could be reached here "
    "(DISPLAY and WAYLAND_DISPLAY are unset, or the display they name is gone).\n\n"
    "On a computer without a screen, the demo shows the tray on a virtual screen "
    "and saves pictures of it: run `make screenshots` in the source folder.\n\n"
    "The command-line tools work without a display: helpdesk-tray --help\n",
)


def launch(args: Sequence[str], environ: Mapping[str, str] = os.environ) -> int:
    """Start the tray the way ``args`` (one of ``client.TRAY_LAUNCHES``) asks."""
    argv0 = sys.argv[0]
    if tuple(args) == (AUTOSTART_FLAG,):
        # Started at log-in by an installer's entry: ends at once if the user said no.
        return run([argv0], environ, at_login=True)
    # "show": the panel, from a keyboard shortcut (the running tray opens it, or this one).
    return run([argv0], environ, show_panel=tuple(args) == ("show",))


def _local_x_display_reachable(display: str) -> bool:
    """Whether a local X display (``:N``) answers; remote ones are not checked."""
    match = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if match is None:
        return True  # host:N or a launchd path (macOS XQuartz): Qt finds out itself
    path = f"/tmp/.X11-unix/X{match.group(1)}"
    for address in (path, "\0" + path):  # the file, or Linux's abstract socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            try:
                probe.connect(address)
            except OSError:
                continue
            return True
    return False


def display_problem(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why the GUI cannot start here, or ``None`` when it can.

    Checked before Qt starts, because Qt aborts the process (with a misleading
    message about missing libraries) when the display is set but gone.
    """
    if not platform.startswith("linux"):
        return None
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return None
    if environ.get("WAYLAND_DISPLAY"):
        return None
    display = environ.get("DISPLAY")
    if display and _local_x_display_reachable(display):
        return None
    return NO_DISPLAY_MESSAGE


def run(
    argv: Sequence[str],
    environ: Mapping[str, str] = os.environ,
    show_panel: bool = False,
    at_login: bool = False,
) -> int:
    """Start the tray client; returns the process exit code.

    ``show_panel``: open the panel once the tray is up (``helpdesk-tray show``); a
    running instance is asked to open it instead (any second launch is).
    ``at_login``: started by a log-in entry (``--autostart``): nothing happens when
    the user turned "Start when I log in" off (``startup.autostart``).
    """
    paths = default_paths(environ)
    redactor = Redactor()
    to_stderr = sys.stderr.isatty() or bool(environ.get(PROBE_ENV))
    setup_logging(paths.log_file, "INFO", redactor, to_stderr=to_stderr)
    settings_result = load_settings(paths, environ)
    logging.getLogger().setLevel(settings_result.settings.log_level)
    if at_login and not settings_result.settings.autostart:
        logger.info("started at log-in, but this user turned that off: not starting")
        return 0
    logger.info("helpdesk-tray %s starting (Python %s)", __version__, sys.version.split()[0])
    problem = display_problem(environ)
    if problem:
        # No GUI possible: Qt's core alone, to say so in the user's language.
        core = QCoreApplication([*argv[:1]])
        resources.install_translators(core, settings_result.settings.language)
        sys.stderr.write(QCoreApplication.translate("app", problem))
        return 2
    crash = CrashHandler(redactor)
    crash.install()
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_NAME)
    # The first argument names the app's windows to the window manager (X11's WM_CLASS):
    # run as "python -m client" it would be "__main__.py" in task bars and rules.
    qapp = QApplication([APP_NAME, *list(argv)[1:]])
    qapp.setQuitOnLastWindowClosed(False)
    route_qt_messages()
    previous_crash = crash.enable_faulthandler(paths.crash_file)
    resources.register_search_paths()
    resources.install_translators(qapp, settings_result.settings.language)
    qapp.setWindowIcon(resources.app_icon())
    probe = None
    if environ.get(PROBE_ENV):
        # A test hook: not loaded in normal use.
        from client.ui.probe import ScreenProbe

        probe = ScreenProbe(qapp)
        qapp.installEventFilter(probe)
    instance = SingleInstance(f"{APP_NAME}-{_session_key(environ)}", qapp)
    if not instance.acquire():
        logger.info("already running; asked the running instance to show itself")
        return 0
    tray = TrayIcon(STARTING)
    tray.show_autostart(settings_result.settings.autostart,
                        "startup.autostart" in settings_result.locked)  # fmt: skip
    built: list[TrayApp | None] = []  # once tried: the app, or None when it failed

    def build() -> TrayApp | None:
        """The rest of the app around the icon: once, whichever asks first."""
        if built:
            return built[0]
        built.append(None)
        from client.app import assemble  # the service graph: after the icon, on purpose

        try:
            app = assemble(qapp, tray, settings_result, paths, environ, redactor, crash)
        except Exception:
            # Not an icon that looks alive and does nothing: the crash hook logs this,
            # and the process ends (it ended the same way before the icon came first).
            qapp.exit(1)
            raise
        built[0] = app
        instance.activation_requested.connect(app.windows.show_home)
        if probe is not None:
            app.presenter.status_changed.connect(probe.on_status_changed)
            app.windows.report_items_ready.connect(
                lambda dialog: probe.describe("report_ready", dialog)
            )
        crash.flush_early()
        app.start()
        if show_panel:
            QTimer.singleShot(0, app.windows.show_home)
        if previous_crash:
            QTimer.singleShot(0, lambda: app.show_previous_crash(previous_crash))
        return app

    def launched_again() -> None:
        # A second launch before the app is built: build it now, then show the panel.
        if not built and (app := build()) is not None:
            app.windows.show_home()

    instance.activation_requested.connect(launched_again)
    _build_on_first_use(tray, build, lambda: bool(built))
    if QSystemTrayIcon.isSystemTrayAvailable():
        tray.setIcon(resources.first_drawn(tray.icon(), _next_turn(build)))
        tray.show()
        QTimer.singleShot(ICON_WAIT_MS, build)
    else:
        build()  # no tray host yet (often at log-in): the app looks for it again
    try:
        return qapp.exec()
    finally:
        # Only now: the app's own ending (sends finishing, stores closing) runs on
        # aboutToQuit, and until it is done no second instance may open the same files.
        instance.release()


def _build_on_first_use(
    tray: TrayIcon, build: Callable[[], object], tried: Callable[[], bool]
) -> None:
    """Whatever the employee does with the icon before the app is built builds it first.

    The app connects the icon's signals as it is built; an intent that came before
    (a click, a menu entry, during the one turn of the event loop after the icon's
    first frame, or until a tray host that never draws it gives up) is sent again.
    """
    intents: tuple[SignalInstance, ...] = (
        tray.report_requested, tray.tickets_requested, tray.sign_in_requested,
        tray.quit_requested, tray.menu_opened, tray.contact_requested,
        tray.department_chosen, tray.articles_requested, tray.record_requested,
        tray.health_requested, tray.panel_requested, tray.panel_wanted,
        tray.autostart_chosen,
    )  # fmt: skip

    def forward(intent: SignalInstance) -> Callable[..., None]:
        def first_use(*args: object) -> None:
            if not tried():
                build()
                intent.emit(*args)  # to the app's slots, connected just now

        return first_use

    for intent in intents:
        intent.connect(forward(intent))


def _next_turn(work: Callable[[], object]) -> Callable[[], None]:
    """``work`` once the event loop turns again: the icon's frame is finished first."""
    return lambda: QTimer.singleShot(0, work)


def _session_key(environ: Mapping[str, str]) -> str:
    """One instance per user and per home (tests and the demo use their own homes)."""
    user = environ.get("USER") or environ.get("USERNAME") or "user"
    home = environ.get("HELPDESK_TRAY_HOME", "")
    return f"{user}-{zlib.crc32(home.encode()):08x}" if home else user
