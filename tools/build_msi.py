"""Build the Windows installer (MSI) with wixl from installer/windows/helpdesk-tray.wxs.

``python -m tools.build_msi [--bundle DIR] [--out DIST]`` (``make msi``) writes
``DIST/helpdesk-tray-<version>.msi``. ``--bundle`` is the Windows one-folder build
(``pyinstaller installer/helpdesk-tray.spec`` run on Windows, with
``helpdesk-tray.exe`` in it). Without it, as in CI on Linux where no Windows
bundle can be made, the MSI carries a STAND-IN payload made here: a text file
named ``helpdesk-tray.exe`` that says what it is, and a file in a subfolder, so
every part of the installer (folders, files, registry, upgrade) is built and can
be read back, and its product name says "stand-in payload" so it is never taken
for the real thing.

wixl needs each file as a component: this writes ``bundle-files.wxs`` (component
group ``BundleFiles``) for the bundle folder beside the MSI's build folder.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from client import APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[1]
WXS = ROOT / "installer" / "windows" / "helpdesk-tray.wxs"
BUILD = ROOT / "build" / "msi"
#: The same in every version: a newer MSI replaces an older one (MajorUpgrade).
UPGRADE_CODE = uuid.UUID("B30F61DD-A4EA-46B4-BE16-8B811F817215")
EXE = f"{APP_NAME}.exe"
STAND_IN_NAME = f"{APP_NAME} (stand-in payload, not for installing)"
STAND_IN_TEXT = """STAND-IN, NOT A WINDOWS PROGRAM.

This MSI was built on Linux (make msi), where no Windows bundle of helpdesk-tray can be
made. It carries this text file in place of the program so that the installer itself
(folders, files, registry, upgrades) can be built and checked in CI. Build the real MSI
from the Windows bundle: python -m tools.build_msi --bundle dist\\helpdesk-tray
"""


class MsiFailed(RuntimeError):
    """wixl could not build the MSI (its output says why)."""


@dataclass(frozen=True)
class Msi:
    """A built MSI and what Intune and the tests need to know of it."""

    path: Path
    product_code: str
    upgrade_code: str
    version: str
    stand_in: bool


def product_code(version: str, stand_in: bool) -> str:
    """This version's ProductCode: the same for the same build, new for a new version."""
    seed = f"{APP_NAME} {version}" + (" stand-in" if stand_in else "")
    return "{" + str(uuid.uuid5(UPGRADE_CODE, seed)).upper() + "}"


def make_stand_in(folder: Path) -> Path:
    """The stand-in bundle (see the module docstring), made afresh in ``folder``."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "_internal").mkdir(parents=True)
    (folder / EXE).write_text(STAND_IN_TEXT, encoding="utf-8")
    (folder / "_internal" / "STAND-IN.txt").write_text(STAND_IN_TEXT, encoding="utf-8")
    return folder


def _ident(prefix: str, relative: str) -> str:
    # MSI identifiers: letters, digits, dots and underscores, at most 72 characters.
    return f"{prefix}_{hashlib.sha256(relative.encode()).hexdigest()[:24]}"


def bundle_fragment(bundle: Path) -> str:
    """``bundle-files.wxs``: every file of ``bundle`` but the executable, one component each."""
    wix = ET.Element("Wix", {"xmlns": "http://schemas.microsoft.com/wix/2006/wi"})
    fragment = ET.SubElement(wix, "Fragment")
    top = ET.SubElement(fragment, "DirectoryRef", Id="INSTALLDIR")
    group = ET.SubElement(fragment, "ComponentGroup", Id="BundleFiles")
    folders: dict[Path, ET.Element] = {Path("."): top}
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        relative = path.relative_to(bundle)
        if relative == Path(EXE):
            continue  # in helpdesk-tray.wxs itself
        for depth in range(1, len(relative.parts)):
            folder = Path(*relative.parts[:depth])
            if folder not in folders:
                folders[folder] = ET.SubElement(
                    folders[folder.parent], "Directory",
                    Id=_ident("d", folder.as_posix()), Name=folder.name,
                )  # fmt: skip
        component_id = _ident("c", relative.as_posix())
        component = ET.SubElement(
            folders[relative.parent], "Component", Id=component_id, Guid="*", Win64="yes"
        )
        ET.SubElement(component, "File", Id=_ident("f", relative.as_posix()), Name=path.name,
                      Source=f"$(var.BundleDir)/{relative.as_posix()}", KeyPath="yes")  # fmt: skip
        ET.SubElement(group, "ComponentRef", Id=component_id)
    ET.indent(wix, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(wix, "unicode") + "\n"


def build(out: Path, bundle: Path | None = None, work: Path = BUILD) -> Msi:
    """Build ``out/helpdesk-tray-<version>.msi`` from ``bundle`` (``None``: the stand-in)."""
    wixl = shutil.which("wixl")
    if wixl is None:
        raise MsiFailed(
            "wixl is missing (Debian: apt-get install wixl; tools/install-system-deps.sh)"
        )
    stand_in = bundle is None
    if bundle is None:
        bundle = make_stand_in(work / "stand-in-bundle")
    if not (bundle / EXE).is_file():
        raise MsiFailed(f"{bundle} has no {EXE}: not a Windows bundle of {APP_NAME}")
    work.mkdir(parents=True, exist_ok=True)
    fragment = work / "bundle-files.wxs"
    fragment.write_text(bundle_fragment(bundle), encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    msi = out / f"{APP_NAME}-{__version__}.msi"
    code = product_code(__version__, stand_in)
    defines = {
        "Version": __version__,
        "ProductCode": code,
        "ProductName": STAND_IN_NAME if stand_in else APP_NAME,
        # wixl finds sources relative to where it runs (it refuses absolute paths).
        "BundleDir": os.path.relpath(bundle.resolve(), ROOT),
        "RepoDir": ".",
    }
    command = [wixl, "--arch", "x64", "--output", str(msi.resolve())]
    for name, value in defines.items():
        command += ["--define", f"{name}={value}"]
    done = subprocess.run(
        [*command, str(WXS), str(fragment.resolve())],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0 or not msi.is_file():
        raise MsiFailed(f"wixl failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    upgrade = "{" + str(UPGRADE_CODE).upper() + "}"
    return Msi(msi, code, upgrade, __version__, stand_in)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the MSI and print what Intune's detection rule needs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bundle", type=Path, help="the Windows bundle folder (default: stand-in)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    try:
        msi = build(args.out, args.bundle)
    except MsiFailed as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    sys.stdout.write(
        f"{msi.path}\n"
        f"  ProductCode  {msi.product_code}  (Intune detection rule: MSI product code)\n"
        f"  UpgradeCode  {msi.upgrade_code}\n"
        f"  Version      {msi.version}\n"
        + ("  Payload      STAND-IN (no Windows bundle given): not for installing\n"
           if msi.stand_in else "")
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
