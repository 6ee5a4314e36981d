"""The process entry point: the keyring helper path, and PySide6's source scan turned off."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from client.adapters.desks.registry import DESKS

#: Each desk kind's adapter module: only the configured one is ever imported.
_ADAPTERS = {entry.kind: entry.module for entry in DESKS}

CODE = """
import linecache, sys
{prepare}
import client.app  # everything the tray imports
print(sum(1 for name in linecache.cache if "/client/" in name))
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter, as the app starts (offscreen); it must succeed."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )


def _cached_sources(prepare: str) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", CODE.format(prepare=prepare)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(result.stdout.strip())


def test_our_sources_are_not_read_into_memory_at_start() -> None:
    without = _cached_sources("import PySide6.QtCore")
    with_fix = _cached_sources(
        "from client.entry import skip_pyside_source_scan\nskip_pyside_source_scan()"
    )
    assert without > 20, "PySide6 reads every module's source (PYSIDE-2029): the fix is needed"
    assert with_fix <= 3


def test_the_keyring_helper_answers_without_loading_qt(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        PYTHON_KEYRING_BACKEND="tests.support.file_keyring.FileKeyring",
        HELPDESK_TRAY_TEST_KEYRING=str(tmp_path / "keyring.json"),
    )
    script = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: sys.stderr.write('qt' if 'PySide6' in sys.modules else 'no qt'))\n"
        "sys.argv = ['client', '--keyring-helper']\n"
        "runpy.run_module('client', run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps({"op": "get", "account": "anna"}),
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert json.loads(result.stdout) == {"ok": True, "secret": None}
    assert result.stderr.strip().endswith("no qt")


def test_the_evidence_helper_answers_without_loading_qt() -> None:
    from client.adapters.evidence_helper import evidence_helper_command, read_message, write_message

    script = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: sys.stderr.write('qt' if 'PySide6' in sys.modules else 'no qt'))\n"
        "sys.argv = ['client', *sys.argv[1:]]\n"
        "runpy.run_module('client', run_name='__main__')\n"
    )
    command = evidence_helper_command({"app_version": "1"}, frozen=False)
    request = io.BytesIO()
    write_message(request, {"op": "sample"})
    result = subprocess.run(
        [sys.executable, "-c", script, *command[command.index("--evidence-helper"):]],
        input=request.getvalue(), capture_output=True, check=False,
    )  # fmt: skip
    answer = read_message(io.BytesIO(result.stdout))
    assert answer is not None and answer[0]["ok"] is True and "sample" in answer[0]
    assert result.returncode == 0, "it leaves when its pipe ends"
    assert result.stderr.decode().strip().endswith("no qt")


def test_the_trays_side_of_the_profile_never_loads_tuf_or_cryptography() -> None:
    code = (
        "import sys\nimport client.app, client.adapters.profile_helper\n"
        "print([m for m in ('tuf', 'securesystemslib', 'cryptography') if m in sys.modules])"
    )
    result = _run(code)
    assert result.stdout.strip() == "[]"


def test_what_only_some_users_need_is_not_loaded_at_start() -> None:
    # Each of these costs start-up time or megabytes of idle memory
    # (docs/performance.md); they load on first use, on a worker thread, or
    # in a helper process.
    deferred = [
        "requests", "truststore", "keyring",  # the HTTP stack and the keyring
        "client.ui.tickets_window", "client.ui.report_dialog", "client.ui.sign_in_dialog",
        "client.services.latency",  # imports Qt's Qt namespace (~3 MB)
        "psutil", "PIL", "client.ui.screenshot", "client.ui.report_items",  # the first report
        "client.adapters.desk_probe", "client.adapters.evidence_worker",
        "tuf", "securesystemslib", "cryptography",  # the signed profile: refreshed elsewhere
        "client.services.profile", "client.core.profile", "client.ui.agent_card",  # with one
        "client.core.diagnostics_schema",  # only the tests need the schema
        # Self-help: built the first time someone types, opens a panel or asks for the record;
        # the search's native modules only ever in the search helper.
        "client.services.fixes", "client.services.self_help", "client.ui.fix_presenter",
        "client.core.fixes", "client.core.search", "client.core.record",
        "client.adapters.fix_runner", "client.adapters.record_store", "Stemmer", "jellyfish",
        "PySide6.QtNetwork", "PySide6.QtSvg",
        "jeepney",  # the first toast, or the network listener once the desk is away
        "html.entities", "unicodedata", "statistics",  # ~2.3 MB between them
        "logging.handlers", "pickle",  # 0.5 MB for a rotating log file (adapters/logs.py)
        # The desk adapters: only the configured one, and only once signed in (below).
        "html.parser", *_ADAPTERS.values(),
        # macOS policy, Group Policy (not on Linux); the log-in entry (the menu reads it)
        "plistlib", "client.adapters.managed_policy", "client.adapters.autostart",
    ]  # fmt: skip
    code = (
        "import sys\nfrom client.entry import skip_pyside_source_scan\n"
        "skip_pyside_source_scan()\nimport client.app\n"
        f"print([name for name in {deferred!r} if name in sys.modules])"
    )
    result = _run(code)
    assert result.stdout.strip() == "[]"


def test_a_kept_profile_nobody_asked_for_is_not_read_on_any_thread() -> None:
    # At start only its verification time is read (on a worker): the reader and
    # zoneinfo load when something needs the profile, and on the GUI thread.
    code = """
import sys
from PySide6.QtCore import QCoreApplication, QThreadPool
from client.core.models import UpdateOutcome
from client.services.profile import ProfileService
from client.services.tasks import TaskRunner

class Kept:
    document = {"format": 1, "version": 1}
    verified_at = 0.0
    def avatar(self, agent_id): return None
    def read(self, path): return None

class Source:
    def update(self): return UpdateOutcome()
    def kept(self): return Kept()
    def cancel(self): pass

app = QCoreApplication([])
pool = QThreadPool()
service = ProfileService(TaskRunner(pool), Source(), clock=lambda: 3600.0)
service.start()  # reads the verification time; the update is due: it runs, then reads again
while not service.refresh_pending:
    app.processEvents()
pool.waitForDone()
app.processEvents()
print(sorted(n for n in ("client.core.profile", "zoneinfo") if n in sys.modules))
"""
    result = _run(code)
    assert result.stdout.strip() == "[]"


def test_no_module_loaded_at_start_holds_the_qt_namespace() -> None:
    # Touching PySide6's Qt namespace builds all of its enums: about 1 MB an idle
    # tray would keep (docs/performance.md, issue 12). Those that need it import it
    # where it is used, after start.
    code = (
        "import sys\nfrom client.entry import skip_pyside_source_scan\n"
        "skip_pyside_source_scan()\nimport client.app\n"
        "print(sorted(n for n, m in list(sys.modules.items())\n"
        "             if n.startswith('client') and 'Qt' in vars(m)))"
    )
    result = _run(code)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("kind", sorted(_ADAPTERS))
def test_only_the_configured_desks_adapter_is_loaded(kind: str) -> None:
    absent = [module for other, module in _ADAPTERS.items() if other != kind]
    if kind != "request-tracker":
        # Request Tracker's adapter (a package of 1,800 lines) brings html.parser.
        absent.append("html.parser")
    if kind in ("django-helpdesk", "redmine"):
        absent.append("html.entities")  # Zammad and TOPdesk read the desk's HTML texts
    code = (
        "import sys\nfrom client.entry import skip_pyside_source_scan\n"
        "skip_pyside_source_scan()\nfrom client.app import connector_for\n"
        "from client.core.settings import SettingsLayer, merge\n"
        f"settings = merge([SettingsLayer('IT policy', {{'desk.kind': {kind!r}}}, locks=True)])\n"
        f"assert connector_for({kind!r}, settings).kind == {kind!r}\n"
        f"print([name for name in {absent!r} if name in sys.modules])"
    )
    result = _run(code)
    assert result.stdout.strip() == "[]"


def test_a_signed_in_idle_tray_leaves_out_what_requests_rarely_needs() -> None:
    # idna's tables (non-ASCII host names only), certifi through importlib.resources
    # (the tray checks against the OS store), uuid (a new report's key).
    code = (
        "import sys\nfrom client.entry import skip_pyside_source_scan\n"
        "skip_pyside_source_scan()\nimport client.app\n"
        "import client.adapters.http, client.adapters.desks.django_helpdesk\n"
        "import requests.utils\n"
        "loaded = [m for m in ('idna.core', 'importlib.resources', 'uuid') if m in sys.modules]\n"
        "from requests.models import PreparedRequest\n"
        "request = PreparedRequest()\n"
        "request.prepare_url('https://bücher.example/desk', None)\n"
        "print(loaded, request.url, requests.utils.DEFAULT_CA_BUNDLE_PATH.endswith('cacert.pem'))"
    )
    result = _run(code)
    # ...and all of it still works when it is needed after all.
    assert result.stdout.split() == ["[]", "https://xn--bcher-kva.example/desk", "True"]


def test_the_health_service_and_its_presenter_load_nothing_heavy_until_the_first_pass() -> None:
    # Both are built at start when the policy allows health checks; the rules, the book,
    # the trend, the helper's side and the health view load with the first pass or later
    # (docs/health.md), and psutil only ever in the health helper.
    code = (
        "import sys\nfrom client.entry import skip_pyside_source_scan\n"
        "skip_pyside_source_scan()\nimport client.app, client.services.health\n"
        "import client.ui.health_presenter\n"
        "later = ['client.core.health', 'client.core.nudges', 'client.core.trend',\n"
        "         'client.core.health_report', 'client.ui.health_window', 'psutil',\n"
        "         'client.adapters.health_book', 'client.adapters.health_probe',\n"
        "         'client.adapters.health_history', 'client.adapters.health_helper',\n"
        "         'client.core.profile', 'zoneinfo', 'client.core.fixes']\n"
        "print([n for n in later if n in sys.modules])\n"
        "print(sorted(n for n, m in list(sys.modules.items())\n"
        "             if n.startswith('client') and 'Qt' in vars(m)))"
    )
    result = _run(code)
    assert result.stdout.split("\n")[:2] == ["[]", "[]"], result.stdout


def test_a_pass_and_fix_checks_finding_nothing_leave_rules_book_profile_and_fixes_unread() -> None:
    # The helper evaluated the rules in force (IT's, as published, and what the tray knows):
    # nothing found and nothing on the book, so the tray loads neither the rules, the book,
    # the profile's reader (zoneinfo) nor the health view (docs/performance.md).
    code = """
import sys
from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QApplication
from client.core.models import UpdateOutcome
from client.services.health import HealthOptions, HealthService, fixes_of, rules_of
from client.services.profile import ProfileService
from client.services.tasks import TaskRunner
from client.ui.health_presenter import HealthPresenter

RULES = [{"id": "desk-unreachable", "above": 30}]

class Kept:
    document = {"format": 1, "version": 2, "fixes": [{"id": "clear-cache", "title": "Clear"}],
                "health": {"rules": RULES}}
    verified_at = 0.0
    def avatar(self, agent_id): return None
    def read(self, path): return None

class Source:
    def update(self): return UpdateOutcome()
    def kept(self): return Kept()
    def cancel(self): pass

class Probe:
    requests = []
    def measure(self, request):
        self.requests.append(request)
        return {"facts": {"disk.free_percent": 50.0, **request["facts"]}, "history": "ok",
                "found": []}
    def cancel(self): pass

class Checks:
    due = []
    def check(self, request):
        self.due.append(request["due"])
        return {"checks": [{"id": i, "outcome": "nothing_found"} for i in request["due"]]}
    def cancel(self): pass

class Book:
    def load(self): return {}
    def save(self, book): raise AssertionError("nothing to keep")

class Notifications(QObject):
    health_requested = Signal()
    def show_health(self, *args): raise AssertionError("nothing to say")

class Home:
    counts = []
    def show_health(self, count): self.counts.append(count)

class Windows:
    home = Home()

app = QApplication([])
pool = QThreadPool()
io = TaskRunner(pool)
profile = ProfileService(io, Source(), clock=lambda: 3600.0)
profile.start()
while not profile.refresh_pending:
    app.processEvents()
probe = Probe()
health = HealthService(
    io, lambda: probe, Book(), lambda: rules_of(profile), lambda report: None, lambda: None,
    options=HealthOptions(), profile_fixes=lambda: fixes_of(profile),
    prepare=profile.read_checks, published_rules=profile.published_health_rules,
    desk_out_of_reach_s=lambda: 20 * 60.0, fix_checks=Checks,
)
presenter = HealthPresenter(
    health, Notifications(), Windows(), "en", ask_first=True, fix=lambda fix_id: None,
    choose=lambda kind, item: None, show_record=lambda: None,
)
health.check_now()
while health.busy:
    app.processEvents()
pool.waitForDone()
app.processEvents()
print(probe.requests[0]["rules"] == RULES, probe.requests[0]["facts"], Home.counts[-1])
print(sorted(n for n in ("client.core.health", "client.core.nudges", "client.core.profile",
                         "zoneinfo", "client.ui.health_window", "client.ui.widgets",
                         "client.core.fixes", "client.services.fixes", "client.adapters.fix_runner",
                         "client.adapters.record_store", "client.core.record")
             if n in sys.modules), Checks.due)
print(health.findings, health.last_pass.facts["desk.unreachable_minutes"])
"""
    lines = _run(code).stdout.splitlines()
    assert lines == [
        "True {'desk.unreachable_minutes': 20.0} 0",
        "[] [['clear-cache']]",  # the fix was checked, in its helper
        "[] 20.0",  # the view reads the pass when it asks
    ], lines


def test_the_collector_is_off_while_the_tray_loads_and_on_for_a_command() -> None:
    # client/entry.py turns it off for the imports and the building of the tray (~10 ms of
    # the time to the icon); the tray turns it on once its icon is drawn, as the app starts
    # (tests/ui/test_app.py), a command client.cli at once.
    code = (
        "import gc\nimport client.cli, client.entry\nseen = []\n"
        "client.entry.skip_pyside_source_scan = lambda: seen.append(gc.isenabled())\n"
        "import client.start\n"
        "client.start.run = lambda *a, **k: seen.append(gc.isenabled()) or 0\n"
        "client.entry.main([])\n"
        "client.cli._Cli.diagnose = lambda self, args: seen.append(gc.isenabled()) or 0\n"
        "client.entry.main(['diagnose'])\nprint(seen)"
    )
    result = _run(code)
    assert result.stdout.strip() == "[False, False, False, True]"


def test_the_icon_needs_none_of_the_apps_modules() -> None:
    # client/start.py shows the icon before the app's services, windows and the command
    # line load (docs/architecture.md, "The icon first"): they are most of the start-up.
    after_the_icon = [
        "client.app", "client.cli", "client.services.outbox", "client.services.poller",
        "client.services.account", "client.adapters.store", "sqlite3", "client.core.models",
        "client.core.outbox", "client.ui.texts", "client.ui.windows", "client.ui.notifications",
        "client.adapters.secrets", "client.adapters.desks.registry",
    ]  # fmt: skip
    code = (
        "import sys\nfrom client.entry import skip_pyside_source_scan\n"
        "skip_pyside_source_scan()\nimport client.start\n"
        "from client.ui.tray import TrayIcon\nfrom client.core.tray_state import STARTING\n"
        "from PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
        "TrayIcon(STARTING).tooltip_text(STARTING)\n"
        f"print([name for name in {after_the_icon!r} if name in sys.modules])"
    )
    assert _run(code).stdout.strip() == "[]"


@pytest.mark.parametrize("args", [[], ["--autostart"], ["show"]])
def test_the_tray_is_started_without_the_command_lines_modules(args: list[str]) -> None:
    code = (
        "import sys\nimport client.entry, client.start\nseen = []\n"
        "client.start.run = lambda argv, environ, **how: seen.append(how) or 0\n"
        f"client.entry.main({args!r})\n"
        "print(seen, 'client.cli' in sys.modules, 'client.app' in sys.modules)"
    )
    how = {"--autostart": "{'at_login': True}", "show": "{'show_panel': True}"}
    expected = how.get(args[0], "{'show_panel': False}") if args else "{'show_panel': False}"
    assert _run(code).stdout.strip() == f"[{expected}] False False"
