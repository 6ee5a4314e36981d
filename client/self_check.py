"""``helpdesk-tray --self-check``: does this build have everything the app uses later?

A frozen app fails where the source app never does: a module imported by
name (a desk adapter) left out of the bundle, a catalog not copied, a keyring
backend whose entry point was lost, an OpenSSL that looks for certificates
where this Linux keeps none, a helper process that cannot start. Each shows
only when an employee first needs it. This runs all of it now and prints one
JSON object: ``{"ok", "version", "frozen", "executable", "checks": {name:
{"ok", "required", "detail"}}}``; the exit status is 0 only when every
required check passed.

Not required (a warning): a keyring that resolves to the fail backend, which
is what a headless box without a Secret Service gets (the app then asks for
the password each time and says so; ``docs/reference: qt-on-linux §6``), and
the Wayland platform plugin, which needs libwayland-client from the system.
Everything else is required: without it a feature breaks on first use.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from client import (
    FIX_CHECK_HELPER_FLAG,
    FIX_HELPER_FLAG,
    HEALTH_HELPER_FLAG,
    KEYRING_HELPER_FLAG,
    PROFILE_HELPER_FLAG,
    SEARCH_HELPER_FLAG,
    __version__,
)

#: Every module the app imports inside a function, on first use or in a helper process
#: (tests/test_self_check.py keeps this in step with the source); the desk adapters come
#: from the registry, imported by name (client/adapters/desks/registry.py).
LAZY_MODULES = (
    "PIL.Image", "PIL.WebPImagePlugin", "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtNetwork",
    "PySide6.QtWidgets", "Stemmer", "base64", "client", "client.adapters.autostart",
    "client.adapters.desk_probe", "client.adapters.evidence_helper",
    "client.adapters.evidence_worker", "client.adapters.files", "client.adapters.fix_checks",
    "client.adapters.fix_helper", "client.adapters.fix_runner", "client.adapters.health_book",
    "client.adapters.health_helper", "client.adapters.health_history",
    "client.adapters.health_probe", "client.adapters.helper_process", "client.adapters.http",
    "client.adapters.managed_policy", "client.app", "client.start", "client.ui.texts", "html",
    "client.adapters.imaging", "client.adapters.keyring_store", "client.adapters.network_watch",
    "client.adapters.notification_bus", "client.adapters.photos", "client.adapters.profile_helper",
    "client.adapters.profile_store", "client.adapters.profile_update",
    "client.adapters.profile_worker", "client.adapters.record_store",
    "client.adapters.search_helper", "client.adapters.sysinfo", "client.admin", "client.cli",
    "client.core.availability", "client.core.errors", "client.core.fixes", "client.core.health",
    "client.core.health_report", "client.core.models", "client.core.nudges",
    "client.core.placement", "client.core.profile", "client.core.reading", "client.core.record",
    "client.core.redact", "client.core.search", "client.core.settings", "client.core.trend",
    "client.self_check", "client.services.fixes", "client.services.health",
    "client.services.latency", "client.services.profile", "client.services.self_help",
    "client.services.ticket_files", "client.ui.agent_card", "client.ui.article_view",
    "client.ui.colours", "client.ui.crash_dialog", "client.ui.faces", "client.ui.fix_dialog",
    "client.ui.fix_presenter", "client.ui.health_presenter", "client.ui.health_window",
    "client.ui.panel", "client.ui.payload_preview", "client.ui.probe", "client.ui.record_window",
    "client.ui.report_dialog", "client.ui.report_items", "client.ui.resources",
    "client.ui.screenshot", "client.ui.sign_in_dialog", "client.ui.suggestions",
    "client.ui.tickets_window", "client.ui.tracker", "ctypes", "getpass", "hashlib", "importlib",
    "io", "jeepney", "jellyfish", "logging", "plistlib", "psutil", "pwd", "shiboken6.Shiboken",
    "shutil", "subprocess", "tomli_w", "urllib.parse", "uuid", "winreg",
    # Loaded by libraries on their own: keyring's Secret Service backend, the TUF client the
    # profile helper verifies with, cryptography's signature code.
    "secretstorage", "tuf.ngclient", "securesystemslib.signer",
    "cryptography.hazmat.primitives.asymmetric.ed25519",
)  # fmt: skip
#: Modules that exist on some systems only: the platform each needs.
PLATFORM_ONLY = {"winreg": "win32", "pwd": "posix", "secretstorage": "linux"}
#: The languages the app speaks: one compiled catalog each (``resources/i18n/*.qm``).
LANGUAGES = ("en", "nl")
CATALOG = "helpdesk_tray"
#: Seconds a helper may take to start and answer (a cold start from a slow disk).
HELPER_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Result:
    """One check: passed or not, whether the app needs it, and what was found."""

    ok: bool
    detail: str
    required: bool = True


def _platform_has(module: str) -> bool:
    wanted = PLATFORM_ONLY.get(module)
    if wanted is None:
        return True
    if wanted == "posix":
        return sys.platform != "win32"
    return sys.platform.startswith(wanted)


def modules_to_import() -> list[str]:
    """Every lazily imported module that this system can have, and each desk adapter."""
    from client.adapters.desks.registry import DESKS

    names = [name for name in LAZY_MODULES if _platform_has(name)]
    return sorted({*names, *(entry.module for entry in DESKS)})


def check_imports() -> Result:
    """Import every module the app may import later."""
    failed = []
    names = modules_to_import()
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - every failure is the finding
            failed.append(f"{name} ({type(error).__name__}: {error})")
    if failed:
        return Result(False, f"{len(failed)} of {len(names)} failed: {'; '.join(failed)}")
    return Result(True, f"{len(names)} modules imported")


def check_signatures() -> Result:
    """Sign and verify with Ed25519: cryptography's native code, as the profile needs."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    key.public_key().verify(key.sign(b"helpdesk-tray"), b"helpdesk-tray")  # raises if wrong
    return Result(True, "Ed25519 sign and verify")


def check_imaging() -> Result:
    """Pillow encodes and decodes WebP (the screenshots) and opens every photo format."""
    import io

    from PIL import Image

    from client.adapters.photos import FORMATS

    Image.init()
    absent = [name for name in FORMATS if name not in Image.OPEN]
    if absent:
        return Result(False, f"Pillow cannot open {', '.join(absent)}")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (26, 115, 201)).save(out, "WEBP", lossless=True)
    with Image.open(io.BytesIO(out.getvalue())) as back:
        pixel = back.convert("RGB").getpixel((4, 4))
    if pixel != (26, 115, 201):
        return Result(False, f"a WebP round trip changed the picture: {pixel}")
    return Result(True, f"WebP round trip; opens {', '.join(FORMATS)}")


def _resource_root() -> Path:
    # As client.ui.resources finds it, without loading the UI to ask.
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def check_icons() -> Result:
    """Each tray icon is there, as PNGs for each size and as the SVG (Qt's plugin reads it)."""
    from PySide6.QtGui import QImage

    from client.core.tray_state import TrayIconKind

    icons = _resource_root() / "icons"
    problems, files = [], 0
    for kind in TrayIconKind:
        stem = f"tray-{kind.value}"
        pictures = [icons / f"{stem}.svg", *sorted((icons / "png").glob(f"{stem}-*.png"))]
        if len(pictures) == 1:
            problems.append(f"no PNGs for {stem} in {icons / 'png'}")
        for picture in pictures:
            files += 1
            if QImage(str(picture)).isNull():
                problems.append(f"{picture} does not load")
    if problems:
        return Result(False, "; ".join(problems))
    return Result(True, f"{files} icons load from {icons}")


def check_style() -> Result:
    """The style sheet is there and reads as text."""
    sheet = _resource_root() / "qss" / "app.qss"
    try:
        text = sheet.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Result(False, f"{sheet}: {error}")
    if not text.strip():
        return Result(False, f"{sheet} is empty")
    return Result(True, f"{sheet} ({len(text)} characters)")


def check_translations() -> Result:
    """Each language's catalog, and Qt's own for its dialogs, loads in a ``QTranslator``."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    folder = _resource_root() / "i18n"
    qt_folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    problems, loaded = [], []
    for language in LANGUAGES:
        paths = [folder / f"{CATALOG}_{language}.qm"]
        if language != "en":  # Qt's English catalog is empty: Qt speaks English already
            paths.append(qt_folder / f"qtbase_{language}.qm")
        for path in paths:
            translator = QTranslator()
            if not path.is_file():
                problems.append(f"{path} is missing")
            elif not translator.load(str(path)) or translator.isEmpty():
                problems.append(f"{path} does not load")
            else:
                loaded.append(path.name)
    if problems:
        return Result(False, "; ".join(problems))
    return Result(True, f"loaded {', '.join(loaded)}")


def _platform_plugins() -> list[tuple[str, bool]]:
    """This system's Qt platform plugins: (file name, required)."""
    if sys.platform == "win32":
        return [("qwindows.dll", True)]
    if sys.platform == "darwin":
        return [("libqcocoa.dylib", True)]
    return [("libqxcb.so", True), ("libqwayland.so", False)]


def check_platform_plugin(name: str, required: bool = True) -> Result:
    """Qt's platform plugin loads: its libraries, and the system's it links to, are there."""
    from PySide6.QtCore import QLibraryInfo, QPluginLoader

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    loader = QPluginLoader(str(folder / name))
    if not loader.load():
        return Result(False, f"{folder / name}: {loader.errorString()}", required)
    return Result(True, f"{folder / name} loads", required)


def _set_by(variable: str) -> str:
    """`` (set by SSL_CERT_FILE)`` when that variable chose the place, else nothing."""
    import os

    return f" (set by {variable})" if os.environ.get(variable) else ""


def check_tls() -> Result:
    """The certificates the desk's TLS is checked against: the operating system's store.

    The app checks with ``truststore``; on Linux it uses OpenSSL's own default
    locations when they hold certificates, else the first of the common bundle
    files it knows (a Debian-built OpenSSL in the bundle on Fedora, say). The
    same steps here, on a context of our own.
    """
    import ssl

    import truststore

    if sys.platform != "linux":
        return Result(True, f"truststore {truststore.__version__}: the system's own verifier")
    from truststore import _openssl  # Linux: how truststore finds the store (private)

    plain = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with _openssl._configure_context(plain):
        count = plain.cert_store_stats()["x509_ca"]
    defaults = ssl.get_default_verify_paths()
    if defaults.cafile:
        where = f"file {defaults.cafile}{_set_by(defaults.openssl_cafile_env)}"
    elif defaults.capath and _openssl._capath_contains_certs(defaults.capath):
        where = f"folder {defaults.capath}{_set_by(defaults.openssl_capath_env)}"
        count = count or sum(1 for _ in Path(defaults.capath).glob("*.[0-9]"))
    else:
        found = [name for name in _openssl._CA_FILE_CANDIDATES if Path(name).is_file()]
        where = f"file {found[0]}" if found else "nowhere"
    if count == 0:
        return Result(
            False, f"no CA certificates found (OpenSSL looks in {defaults.openssl_capath})"
        )
    return Result(True, f"{count} CA certificates from the {where}")


def check_keyring_plugins() -> Result:
    """The keyring library finds its backends: entry points, so its metadata must be there."""
    from importlib.metadata import entry_points

    native = {"win32": "Windows", "darwin": "macOS"}.get(sys.platform, "SecretService")
    found = {point.name: point for point in entry_points(group="keyring.backends")}
    if native not in found:
        return Result(False, f"no {native} backend among keyring's entry points {sorted(found)}")
    found[native].load()
    return Result(True, f"backends {', '.join(sorted(found))}; {native} loads")


def check_keyring() -> Result:
    """The backend keyring resolves to here and now (a warning when it is the fail backend)."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return Result(
            False,
            f"{name}: no keyring service (on Linux: no Secret Service on the session bus); "
            "passwords cannot be kept",
            required=False,
        )
    return Result(True, name, required=False)


def _run_helper(command: Sequence[str], request: bytes) -> tuple[int, bytes, str]:
    """Start a helper, send ``request``, close its stdin; (status, stdout, last stderr line)."""
    import subprocess

    from client.adapters.helper_process import start_helper

    process = start_helper(command, text=False, keep_stderr=True)
    try:
        stdout, stderr = process.communicate(request, timeout=HELPER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise TimeoutError(f"no answer within {HELPER_TIMEOUT_S:.0f} s") from None
    tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return process.returncode, stdout, tail[0]


def _answer_line(command: Sequence[str], request: object) -> tuple[int, dict[str, object]]:
    """A one-shot JSON helper's exit status and answer object."""
    status, out, tail = _run_helper(command, json.dumps(request).encode())
    answer = json.loads(out.decode().splitlines()[0]) if out.strip() else None
    if not isinstance(answer, dict):
        raise ValueError(f"no JSON answer (status {status}): {tail or 'no output'}")
    return status, answer


def _framed(
    command: Sequence[str], requests: Sequence[tuple[dict[str, object], bytes]]
) -> tuple[int, list[dict[str, object]]]:
    """A framed helper (evidence, search): send every request, then end its pipe."""
    import io

    from client.adapters.evidence_helper import read_message, write_message

    sent = io.BytesIO()
    for header, payload in requests:
        write_message(sent, header, payload)
    status, out, tail = _run_helper(command, sent.getvalue())
    answers, source = [], io.BytesIO(out)
    while (message := read_message(source)) is not None:
        answers.append(message[0])
    if len(answers) != len(requests):
        raise ValueError(f"{len(answers)} answers to {len(requests)} requests: {tail}")
    return status, answers


def _expect(status: int, ok: bool, what: str) -> Result:
    if status != 0:
        return Result(False, f"exit status {status}; {what}")
    return Result(ok, what)


def helper_checks(scratch: Path) -> dict[str, Callable[[], Result]]:
    """Each helper process, started as the app starts it, with its smallest real request."""
    from client.adapters.evidence_helper import evidence_helper_command
    from client.adapters.helper_process import helper_command

    def keyring_helper() -> Result:
        # An operation it does not know: it answers without touching anyone's secrets.
        status, answer = _answer_line(
            helper_command(KEYRING_HELPER_FLAG), {"op": "self-check", "account": "none"}
        )
        ok = "unknown operation" in str(answer.get("error"))
        return _expect(status, ok, "answers, refusing an unknown operation" if ok else str(answer))

    def evidence_helper() -> Result:
        status, answers = _framed(
            evidence_helper_command({"app_version": __version__}), [({"op": "sample"}, b"")]
        )
        ok = answers[0].get("ok") is True and "sample" in answers[0]
        return _expect(status, ok, "a diagnostics sample" if ok else str(answers[0]))

    def profile_helper() -> Result:
        # No trusted root: it loads TUF and refuses, as on a computer IT gave no root.
        root = scratch / "no-root.json"
        request = {"url": "https://profile.invalid/", "root_file": str(root),
                   "cache_dir": str(scratch / "profile")}  # fmt: skip
        status, answer = _answer_line(helper_command(PROFILE_HELPER_FLAG), request)
        refusal = answer.get("refusal")
        ok = isinstance(refusal, dict) and refusal.get("code") == "no_trust"
        return _expect(status, ok, "refuses without a trusted root" if ok else str(answer))

    def fix_helper() -> Result:
        # A request without a script: refused before anything runs.
        status, answer = _answer_line(helper_command(FIX_HELPER_FLAG), {})
        ok = answer.get("refused") == "bad_request"
        return _expect(status, ok, "refuses a request without a script" if ok else str(answer))

    def search_helper() -> Result:
        catalogue = [{"id": "printer", "kind": "article", "fields": {"title": "Printer offline"}}]
        status, answers = _framed(
            helper_command(SEARCH_HELPER_FLAG),
            [({"op": "load"}, json.dumps(catalogue).encode()),
             ({"op": "search", "text": "printers", "limit": 1}, b"")],
        )  # fmt: skip
        hits = answers[1].get("hits")
        ok = isinstance(hits, list) and bool(hits) and hits[0][0] == "printer"
        return _expect(status, ok, "finds 'printers' (stemmed)" if ok else str(answers))

    def health_helper() -> Result:
        request = {"history": str(scratch / "health" / "history.sqlite")}
        (scratch / "health").mkdir(exist_ok=True)
        status, answer = _answer_line(helper_command(HEALTH_HELPER_FLAG), request)
        facts = answer.get("facts")
        count = len(facts) if isinstance(facts, dict) else 0
        ok = count > 0 and answer.get("history") == "ok"
        return _expect(status, ok, f"a pass measured {count} facts" if ok else str(answer))

    def fix_check_helper() -> Result:
        request = {"profile": str(scratch / "profile"), "record": "", "due": [],
                   "enabled": False, "verified": False}  # fmt: skip
        status, answer = _answer_line(helper_command(FIX_CHECK_HELPER_FLAG), request)
        ok = answer.get("checks") == []
        return _expect(status, ok, "nothing due, nothing run" if ok else str(answer))

    return {
        "helper.keyring": keyring_helper,
        "helper.evidence": evidence_helper,
        "helper.profile": profile_helper,
        "helper.fix": fix_helper,
        "helper.search": search_helper,
        "helper.health": health_helper,
        "helper.fix-check": fix_check_helper,
    }


def _guarded(check: Callable[[], Result]) -> Result:
    """The check's result; an exception in it is a failure, said in one line."""
    try:
        return check()
    except Exception as error:  # noqa: BLE001 - the failure is the finding
        where = traceback.extract_tb(error.__traceback__)[-1]
        return Result(False, f"{type(error).__name__}: {error} ({where.name}:{where.lineno})")


def run_checks(scratch: Path) -> dict[str, Result]:
    """Every check, by name, in order."""
    checks: dict[str, Callable[[], Result]] = {
        "imports": check_imports,
        "signatures": check_signatures,
        "imaging": check_imaging,
        "resources.icons": check_icons,
        "resources.style": check_style,
        "translations": check_translations,
    }
    for name, required in _platform_plugins():
        key = f"qt.platform.{name.split('.')[0].removeprefix('lib')}"
        checks[key] = functools.partial(check_platform_plugin, name, required)
    checks |= {
        "tls": check_tls,
        "keyring.plugins": check_keyring_plugins,
        "keyring": check_keyring,
        **helper_checks(scratch),
    }
    return {name: _guarded(check) for name, check in checks.items()}


def main(argv: Sequence[str] = ()) -> int:
    """Run every check, print the JSON report; 0 when every required check passed."""
    if argv:
        sys.stderr.write(f"--self-check takes no arguments: {' '.join(argv)}\n")
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="helpdesk-tray-self-check-") as scratch:
        results = run_checks(Path(scratch))
    ok = all(result.ok for result in results.values() if result.required)
    report = {
        "ok": ok,
        "version": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "executable": sys.executable,
        "took_s": round(time.monotonic() - started, 2),
        "checks": {
            name: {"ok": r.ok, "required": r.required, "detail": r.detail}
            for name, r in results.items()
        },
    }
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    sys.stdout.flush()
    return 0 if ok else 1
