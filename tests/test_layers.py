"""Imports point down only: every module's imports checked against the layer rules.

core ← adapters ← services ← ui, wired in app.py (architecture §2). The rules
are read from the source with ``ast``, so a forbidden import fails here even
when it sits inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "client"

# What each layer may import besides the standard library and itself.
ALLOWED: dict[str, tuple[str, ...]] = {
    "core": ("client.core",),
    "adapters": (
        "client.core",
        "client.adapters",
        "client",
        "requests",
        "truststore",
        "urllib3",
        "psutil",
        "keyring",
        "platformdirs",
        "tomli_w",
        "jeepney",
    ),
    # QtNetwork is allowed for the single-instance socket: it is GUI-free like QtCore.
    "services": ("client.core", "client.services", "PySide6.QtCore", "PySide6.QtNetwork"),
    "ui": ("client.core", "client.services", "client.ui", "client.APP_NAME", "PySide6"),
}
THIRD_PARTY = {
    "requests",
    "truststore",
    "urllib3",
    "psutil",
    "keyring",
    "platformdirs",
    "tomli_w",
    "jeepney",
    "PySide6",
    "shiboken6",
    "PIL",
}


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


def _allowed(name: str, rules: tuple[str, ...]) -> bool:
    top = name.split(".")[0]
    if top not in THIRD_PARTY and top != "client":
        return True  # standard library
    return any(name == rule or name.startswith(rule + ".") for rule in rules)


def _violations(layer: str, path: Path) -> list[str]:
    rules = ALLOWED[layer]
    bad = []
    for line, name in _imports(path):
        # "from client import APP_NAME" is fine for adapters/ui; "client.app" never is.
        if name.startswith("client.") and name.split(".")[1] in ("app", "cli"):
            bad.append(f"{path.name}:{line} imports {name} (only the composition root may)")
        elif not _allowed(name, rules):
            bad.append(f"{path.name}:{line} imports {name}")
    return bad


MODULES = sorted(p for p in ROOT.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    layer = _layer(path)
    assert layer is not None
    assert _violations(layer, path) == []


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import requests\nfrom PySide6.QtWidgets import QLabel\n"
        "def f():\n    from client.ui import tray\n"
    )
    assert _violations("core", bad) == [
        "bad.py:1 imports requests",
        "bad.py:2 imports PySide6.QtWidgets",
        "bad.py:4 imports client.ui",
    ]
    assert any("QtWidgets" in v for v in _violations("services", bad))
    assert _violations("ui", bad) == ["bad.py:1 imports requests"]


def test_every_layer_is_checked() -> None:
    assert {_layer(p) for p in MODULES} == set(ALLOWED)
    assert len(MODULES) > 20
