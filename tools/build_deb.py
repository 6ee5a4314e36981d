"""Build the generic Debian package from the frozen bundle: ``make deb``.

``python -m tools.build_deb [--bundle dist/helpdesk-tray] [--out dist]`` lays out
the package tree (``installer/linux/README`` says what goes where) in a
temporary folder and packs it with ``dpkg-deb --root-owner-group --build``. No
debhelper: its strip and shlibdeps steps choke on a bundled Qt, so the control
file is written by hand (``installer/linux/control``) and only filled in here.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "helpdesk-tray"
LINUX = ROOT / "installer" / "linux"
#: Where the bundle goes (Debian Policy 9.1.1: a package's private programs and
#: libraries live in /usr/lib/<package>), and the command on everyone's PATH.
BUNDLE_DIR = Path("usr/lib") / PACKAGE
COMMAND = Path("usr/bin") / PACKAGE
#: The folder IT fills (policy.toml, profile-root.json): shipped empty.
POLICY_DIR = Path("etc") / PACKAGE
AUTOSTART = Path("etc/xdg/autostart") / f"{PACKAGE}.desktop"
#: Files under /etc are conffiles (Debian Policy 10.7.2): dpkg keeps an admin's edits.
CONFFILES = (AUTOSTART,)
#: Everything but the bundle: (source in the repository, place in the package).
FILES = (
    (LINUX / "helpdesk-tray.desktop", Path("usr/share/applications") / f"{PACKAGE}.desktop"),
    (LINUX / "helpdesk-tray-autostart.desktop", AUTOSTART),
    (
        ROOT / "resources" / "icons" / "tray-normal.svg",
        Path("usr/share/icons/hicolor/scalable/apps") / f"{PACKAGE}.svg",
    ),
    (ROOT / "installer" / "policy.toml", Path("usr/share/doc") / PACKAGE / "examples/policy.toml"),
    (LINUX / "copyright", Path("usr/share/doc") / PACKAGE / "copyright"),
)
#: xz, which every dpkg reads, at level 1: 49 MB packed in 11 s here, where level 6 gave
#: 44 MB in 56 s (more than the bundle build) and gzip 60 MB (measured on 2 cores).
COMPRESSION = ("-Zxz", "-z1")


class BuildError(Exception):
    """The package cannot be built; the message says why."""


@dataclass(frozen=True)
class Built:
    """A package that was built: where it is and how long packing took."""

    path: Path
    version: str
    seconds: float


def project_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The version in the project's metadata (``[project] version``)."""
    with pyproject.open("rb") as file:
        version = tomllib.load(file)["project"]["version"]
    if not isinstance(version, str) or not re.fullmatch(r"[0-9][A-Za-z0-9.+~-]*", version):
        raise BuildError(f"{pyproject}: the version {version!r} is not a Debian version")
    return version


def host_architecture() -> str:
    """Debian's name of this machine's architecture (``amd64``)."""
    return _run(["dpkg", "--print-architecture"]).strip()


def glibc_version() -> str:
    """The C library the bundle was built against (``2.36``): the oldest it can run on."""
    text = _run(["dpkg-query", "-W", "-f", "${Version}", "libc6"])
    match = re.match(r"(?:[0-9]+:)?([0-9]+\.[0-9]+)", text)
    if match is None:
        raise BuildError(f"cannot read the C library's version from {text!r}")
    return match.group(1)


def _run(command: Sequence[str]) -> str:
    try:
        result = subprocess.run(list(command), capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BuildError(
            f"{command[0]} is not installed: building a .deb needs Debian's dpkg"
        ) from error
    if result.returncode != 0:
        raise BuildError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return result.stdout


def _installed_size_kib(tree: Path) -> int:
    """The package's ``Installed-Size``: its files' sizes in KiB (as dpkg-gencontrol counts)."""
    kib = 0
    for path in tree.rglob("*"):
        if path.is_relative_to(tree / "DEBIAN"):
            continue
        regular = path.is_file() and not path.is_symlink()
        kib += (path.stat().st_size + 1023) // 1024 if regular else 1
    return kib


def _normalise_modes(tree: Path) -> None:
    """0755 for folders and programs, 0644 for the rest, whatever the build machine's umask."""
    for path in [tree, *tree.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        executable = path.is_dir() or mode & stat.S_IXUSR
        path.chmod(0o755 if executable else 0o644)


def lay_out(bundle: Path, tree: Path, version: str, architecture: str, glibc: str) -> None:
    """Put the package's files in ``tree`` (a new folder), ready for ``dpkg-deb --build``."""
    executable = bundle / PACKAGE
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        raise BuildError(f"{bundle} holds no {PACKAGE} program: build the bundle (make bundle)")
    shutil.copytree(bundle, tree / BUNDLE_DIR, symlinks=True)
    (tree / COMMAND).parent.mkdir(parents=True)
    (tree / COMMAND).symlink_to(Path("../lib") / PACKAGE / PACKAGE)
    for source, target in FILES:
        (tree / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tree / target)
    (tree / POLICY_DIR).mkdir(parents=True)
    _normalise_modes(tree)
    debian = tree / "DEBIAN"
    debian.mkdir(mode=0o755)
    control = Template((LINUX / "control").read_text(encoding="utf-8")).substitute(
        version=version,
        architecture=architecture,
        installed_size=_installed_size_kib(tree),
        glibc=glibc,
    )
    (debian / "control").write_text(control, encoding="utf-8")
    conffiles = "".join(f"/{path}\n" for path in CONFFILES)
    (debian / "conffiles").write_text(conffiles, encoding="utf-8")
    for name in ("control", "conffiles"):
        (debian / name).chmod(0o644)


def build_deb(bundle: Path, out_dir: Path, version: str | None = None) -> Built:
    """Build ``<out_dir>/helpdesk-tray_<version>_<arch>.deb`` from the bundle folder."""
    started = time.monotonic()
    version = version or project_version()
    architecture = host_architecture()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{version}_{architecture}.deb"
    with tempfile.TemporaryDirectory(prefix="helpdesk-tray-deb-", dir=out_dir) as work:
        tree = Path(work) / "root"
        tree.mkdir()
        lay_out(bundle, tree, version, architecture, glibc_version())
        built = Path(work) / target.name
        _run(["dpkg-deb", "--root-owner-group", *COMPRESSION, "--build", str(tree), str(built)])
        os.replace(built, target)
    return Built(target, version, time.monotonic() - started)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.build_deb``: 0 built, 1 failed (the message says why)."""
    parser = argparse.ArgumentParser(prog="python -m tools.build_deb", description=__doc__)
    parser.add_argument(
        "--bundle", type=Path, default=ROOT / "dist" / PACKAGE, help="the one-folder bundle"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the .deb goes")
    args = parser.parse_args(argv)
    try:
        built = build_deb(args.bundle, args.out)
    except BuildError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    size = built.path.stat().st_size / 1e6
    sys.stdout.write(f"{built.path} ({size:.1f} MB, packed in {built.seconds:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
