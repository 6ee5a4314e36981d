"""Freeze the app, or the bare tray baseline, into one folder with PyInstaller.

``python -m tools.freeze [DIST]`` (``make bundle``) builds ``DIST/helpdesk-tray/``
from ``installer/helpdesk-tray.spec`` and runs its ``--self-check``; ``--bare``
builds ``DIST/bare-tray/`` from ``bench/bare_tray.py`` with the same slimming (the
benchmark's baseline). The test fixture ``frozen_bundle`` (tests/support/bundle.py)
and ``bench/bundle.py`` build through :func:`freeze` too, so all three make the same
thing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer" / "helpdesk-tray.spec"
#: The app's folder and executable name, and the baseline's.
APP, BARE = "helpdesk-tray", "bare-tray"


class FreezeFailed(RuntimeError):
    """PyInstaller could not build the bundle (its last lines say why)."""


def missing_tools() -> list[str]:
    """What the build needs and cannot find: ``pyinstaller`` (pip) or ``objdump`` (binutils)."""
    absent = []
    if importlib.util.find_spec("PyInstaller") is None:
        absent.append("pyinstaller (pip: the dev extra)")
    for program, package in (("objdump", "binutils"), ("strip", "binutils")):
        if shutil.which(program) is None:
            absent.append(f"{program} (Debian: {package})")
    return absent


def freeze(dist: Path, *, build: Path | None = None, bare: bool = False) -> Path:
    """Build the bundle into ``dist``; its folder (``dist/helpdesk-tray`` or ``dist/bare-tray``).

    ``build`` holds PyInstaller's work files and its cache (``PYINSTALLER_CONFIG_DIR``),
    never ``~/.cache``; by default ``build/pyinstaller/`` in the source tree.
    Raises :class:`FreezeFailed` with PyInstaller's last lines when it fails.
    """
    name = BARE if bare else APP
    build = (build or ROOT / "build" / "pyinstaller").resolve()
    env = dict(os.environ, PYINSTALLER_CONFIG_DIR=str(build / "config"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the bundle ships compiled bytecode
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--workpath", str(build / f"work-{name}"), "--distpath", str(dist.resolve()), str(SPEC),
    ]  # fmt: skip
    if bare:
        command += ["--", "--bare"]
    result = subprocess.run(  # noqa: S603 - our own build, fixed arguments
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise FreezeFailed(f"pyinstaller failed ({result.returncode}):\n{tail}")
    folder = dist.resolve() / name
    if not (folder / name).is_file():
        raise FreezeFailed(f"pyinstaller made no {folder / name}")
    return folder


def main(argv: list[str] | None = None) -> int:
    """Build, and say where and how long it took."""
    parser = argparse.ArgumentParser(prog="python -m tools.freeze", description=__doc__)
    parser.add_argument("dist", nargs="?", default=str(ROOT / "dist"), type=Path)
    parser.add_argument("--bare", action="store_true", help="the bare tray baseline")
    args = parser.parse_args(argv)
    absent = missing_tools()
    if absent:
        sys.stderr.write(f"cannot build the bundle, missing: {', '.join(absent)}\n")
        return 1
    started = time.monotonic()
    try:
        folder = freeze(args.dist, bare=args.bare)
    except FreezeFailed as error:
        sys.stderr.write(f"{error}\n")
        return 1
    sys.stdout.write(f"built {folder} in {time.monotonic() - started:.1f} s\n")
    return 0 if args.bare else self_check(folder / APP)


def self_check(executable: Path) -> int:
    """Run the bundle's ``--self-check``; one line per failed check; its exit status."""
    result = subprocess.run(  # noqa: S603 - the bundle just built
        [str(executable), "--self-check"], capture_output=True, text=True, check=False
    )
    try:
        checks = json.loads(result.stdout)["checks"]
    except (ValueError, KeyError, TypeError):
        sys.stderr.write(f"the self-check did not answer ({result.returncode}): {result.stderr}")
        return 1
    for name, check in checks.items():
        if not check["ok"]:
            level = "FAILED" if check["required"] else "warning"
            sys.stderr.write(f"self-check {level}: {name}: {check['detail']}\n")
    passed = sum(1 for check in checks.values() if check["ok"])
    sys.stdout.write(f"self-check: {passed} of {len(checks)} checks passed\n")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
