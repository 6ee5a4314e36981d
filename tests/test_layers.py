"""Imports point down only: every module's imports checked against the layer rules.

core ← adapters ← services ← ui, wired in app.py (architecture §2). The rules
are read from the source with ``ast``, so a forbidden import fails here even
when it sits inside a function.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "client"

#: What the package root offers every layer (constants, no code).
ROOT_NAMES = (
    "client.APP_NAME",
    "client.__version__",
    "client.KEYRING_HELPER_FLAG",
    "client.EVIDENCE_HELPER_FLAG",
    "client.PROFILE_HELPER_FLAG",
    "client.FIX_HELPER_FLAG",
    "client.HEALTH_HELPER_FLAG",
    "client.FIX_CHECK_HELPER_FLAG",
    "client.SEARCH_HELPER_FLAG",
    "client.AUTOSTART_FLAG",
)

#: What each layer may import, besides the standard library: our packages and
#: third-party distributions, by name prefix.
ALLOWED: dict[str, tuple[str, ...]] = {
    # Pure computation libraries only (no I/O, no Qt): the self-help search's stemmers and
    # edit distances (client/core/search.py).
    "core": ("client.core", "Stemmer", "jellyfish"),
    "adapters": (
        "client.core",
        "client.adapters",
        *ROOT_NAMES,
        "requests",
        "truststore",
        "urllib3",
        "psutil",
        "keyring",
        "platformdirs",
        "tomli_w",
        "jeepney",
        "PIL",  # Pillow: encoding screenshots
        "tuf",  # the signed profile (TUF's client and metadata API)
        "securesystemslib",  # TUF's signers and keys
    ),
    # QtNetwork only for the Windows single-instance pipe: GUI-free, like QtCore.
    "services": ("client.core", "client.services", *ROOT_NAMES, "PySide6.QtCore",
                 "PySide6.QtNetwork"),
    # shiboken6: PySide6's own binding layer (an icon engine's clones, client/ui/resources.py).
    "ui": ("client.core", "client.services", "client.ui", *ROOT_NAMES, "PySide6", "shiboken6"),
}  # fmt: skip

#: Standard-library modules that do I/O: the core is pure and may use none of them.
CORE_FORBIDDEN_STDLIB = frozenset({
    "sqlite3", "socket", "ssl", "http", "urllib.request", "subprocess", "shutil", "tempfile",
    "select", "selectors", "asyncio", "multiprocessing", "ctypes", "threading", "fcntl",
})  # fmt: skip


def _layer(path: Path) -> str | None:
    relative = path.relative_to(ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{path}:{node.lineno}: relative import; use client.…")
            module = node.module or ""
            if module == "client":  # "from client import ui" imports a sub-package
                found += [(node.lineno, f"client.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def _allowed(layer: str, name: str) -> bool:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names and top != "client":
        if layer == "core":
            return not any(
                name == bad or name.startswith(bad + ".") for bad in CORE_FORBIDDEN_STDLIB
            )
        return True
    return any(name == rule or name.startswith(rule + ".") for rule in ALLOWED[layer])


def _violations(layer: str, path: Path) -> list[str]:
    return [
        f"{path.name}:{line} imports {name}"
        for line, name in _imports(path)
        if not _allowed(layer, name)
    ]


MODULES = sorted(p for p in ROOT.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    layer = _layer(path)
    assert layer is not None
    assert _violations(layer, path) == []


@pytest.mark.parametrize(
    ("layer", "source", "bad"),
    [
        ("core", "import requests", "requests"),
        ("core", "import sqlite3", "sqlite3"),
        ("core", "from PySide6.QtCore import QObject", "PySide6.QtCore"),
        ("core", "def f():\n    from client.ui import tray", "client.ui"),
        ("adapters", "from client.services import tasks", "client.services"),
        ("adapters", "from client import ui", "client.ui"),
        ("adapters", "import django", "django"),
        ("services", "from PySide6.QtWidgets import QLabel", "PySide6.QtWidgets"),
        ("services", "from client.adapters import store", "client.adapters"),
        ("ui", "import requests", "requests"),
        ("ui", "from client.adapters.http import HttpClient", "client.adapters.http"),
        ("ui", "from client.app import TrayApp", "client.app"),
    ],
)
def test_the_checker_catches_forbidden_imports(
    tmp_path: Path, layer: str, source: str, bad: str
) -> None:
    module = tmp_path / "module.py"
    module.write_text(source + "\n")
    assert [v.rsplit(" ", 1)[1] for v in _violations(layer, module)] == [bad]


def test_the_checker_lets_the_allowed_through(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("import json\nimport sqlite3\nfrom client import APP_NAME\nimport keyring\n")
    assert _violations("adapters", module) == []


def test_every_layer_is_checked() -> None:
    assert {_layer(p) for p in MODULES} == set(ALLOWED)
    assert len(MODULES) > 20


#: The windows' modules: opened, routed to and let go of by ``client.ui.windows`` alone.
WINDOW_MODULES = frozenset({
    "client.ui.home", "client.ui.panel", "client.ui.tickets_window", "client.ui.tracker",
    "client.ui.report_dialog", "client.ui.sign_in_dialog", "client.ui.article_view",
    "client.ui.crash_dialog",
})  # fmt: skip
#: What a widget holds: reaching for it means deciding for the window.
WIDGET_PARTS = frozenset({"tracker", "panel", "view", "cards"})


def _reaches_into_windows(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = [f"{path.name}:{line} imports {name}" for line, name in _imports(path)
             if name in WINDOW_MODULES]  # fmt: skip
    found += [
        f"{path.name}:{node.lineno} reaches for .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in WIDGET_PARTS
    ]
    return found


def test_the_composition_root_builds_and_connects_and_leaves_windows_to_the_controller() -> None:
    assert _reaches_into_windows(ROOT / "app.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "from client.ui.tickets_window import TicketsWindow",
        "def f(app):\n    return app.window.tracker.ref",
        "def f():\n    from client.ui.report_dialog import ReportDialog",
    ],
)
def test_the_structure_check_catches_a_window_decided_in_the_app(
    tmp_path: Path, source: str
) -> None:
    module = tmp_path / "app.py"
    module.write_text(source + "\n")
    assert len(_reaches_into_windows(module)) == 1
