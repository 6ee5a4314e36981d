"""``helpdesk-tray --self-check`` from source: every check passes, and its lists keep up.

The frozen app's own run is in tests/e2e/test_frozen_bundle.py.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from client import self_check

ROOT = Path(__file__).resolve().parents[1]

#: Every check the report names on Linux.
CHECKS = {
    "imports", "signatures", "imaging", "resources.icons", "resources.style", "translations",
    "qt.platform.qxcb", "qt.platform.qwayland", "tls", "keyring.plugins", "keyring",
    "helper.keyring", "helper.evidence", "helper.profile", "helper.fix", "helper.search",
    "helper.health", "helper.fix-check",
}  # fmt: skip


def _imported_in_functions() -> set[str]:
    """Every module ``client`` imports in a function (``from a import b``: ``a.b`` if a module)."""
    found: set[str] = set()
    for path in sorted((ROOT / "client").rglob("*.py")):
        if path.name == "self_check.py":
            continue  # its own imports run with it
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found.update(alias.name for alias in inner.names)
                elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.level:
                    if inner.module == "__future__":
                        continue
                    for alias in inner.names:
                        name = f"{inner.module}.{alias.name}"
                        try:
                            is_module = importlib.util.find_spec(name) is not None
                        except (ImportError, ValueError):
                            is_module = False
                        found.add(name if is_module else inner.module)
    return found


def test_every_module_imported_on_first_use_is_checked() -> None:
    # A module imported inside a function is imported when an employee first needs it:
    # a frozen build that left it out breaks then. The self-check imports each one now.
    missing = _imported_in_functions() - set(self_check.LAZY_MODULES)
    assert not missing, f"add to client/self_check.py LAZY_MODULES: {sorted(missing)}"


def test_every_desk_adapter_is_imported_by_the_check() -> None:
    from client.adapters.desks.registry import DESKS

    assert {entry.module for entry in DESKS} <= set(self_check.modules_to_import())


def test_the_languages_checked_are_the_catalogs_in_the_sources() -> None:
    sources = {
        p.stem.removeprefix("helpdesk_tray_") for p in (ROOT / "resources/i18n").glob("*.ts")
    }
    assert sources == set(self_check.LANGUAGES)


def test_the_self_check_passes_from_source(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HELPDESK_TRAY_HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "client", "--self-check"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    report = json.loads(result.stdout)
    failed = {n: c for n, c in report["checks"].items() if c["required"] and not c["ok"]}
    assert not failed and result.returncode == 0 and report["ok"] is True, result.stdout
    assert set(report["checks"]) == CHECKS
    assert report["frozen"] is False and report["version"]
    # The helpers ran as the app starts them, and answered.
    assert report["checks"]["helper.search"]["detail"] == "finds 'printers' (stemmed)"
    assert "CA certificates from the" in report["checks"]["tls"]["detail"]


@pytest.mark.skipif(sys.platform != "linux", reason="truststore reads files on Linux only")
def test_where_openssl_keeps_no_certificates_the_common_bundle_files_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bundle carries its build machine's OpenSSL, which looks where that Linux keeps
    # certificates; on another Linux there is nothing there, and truststore looks further.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    from truststore import _openssl

    candidates = [name for name in _openssl._CA_FILE_CANDIDATES if Path(name).is_file()]
    if not candidates:
        pytest.fail("no CA bundle on this machine: install the Debian package ca-certificates")
    result = self_check.check_tls()
    assert result.ok, result.detail
    assert result.detail.endswith(f"CA certificates from the file {candidates[0]}")


def test_a_missing_catalog_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resources = tmp_path / "resources"
    (resources / "i18n").mkdir(parents=True)
    english = ROOT / "resources/i18n/helpdesk_tray_en.qm"
    if not english.is_file():
        pytest.fail("resources/i18n/helpdesk_tray_en.qm is not built: run `make resources`")
    (resources / "i18n" / english.name).write_bytes(english.read_bytes())
    monkeypatch.setattr(self_check, "_resource_root", lambda: resources)
    result = self_check.check_translations()
    assert not result.ok and result.required
    assert result.detail == f"{resources / 'i18n' / 'helpdesk_tray_nl.qm'} is missing"


def test_a_catalog_that_is_not_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "resources" / "i18n"
    folder.mkdir(parents=True)
    for language in self_check.LANGUAGES:
        (folder / f"helpdesk_tray_{language}.qm").write_bytes(b"not a catalog")
    monkeypatch.setattr(self_check, "_resource_root", lambda: tmp_path / "resources")
    result = self_check.check_translations()
    assert not result.ok
    assert f"{folder / 'helpdesk_tray_en.qm'} does not load" in result.detail


def test_a_failing_check_is_reported_not_raised() -> None:
    def broken() -> self_check.Result:
        raise OSError("disk on fire")

    result = self_check._guarded(broken)
    assert not result.ok and result.detail.startswith("OSError: disk on fire (broken:")


def test_it_takes_no_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert self_check.main(["--verbose"]) == 2
    assert "takes no arguments" in capsys.readouterr().err
