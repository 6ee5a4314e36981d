"""The Windows installer: built by wixl into a real MSI, read back with msiinfo.

No Windows bundle can be built here, so the MSI carries the build script's
stand-in payload; everything else (folders, registry, upgrade, properties) is
what the real MSI has. Installing it needs Windows: not done here.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from client import AUTOSTART_FLAG, __version__
from tests.support.requirements import missing
from tools import build_msi

ROOT = Path(__file__).resolve().parents[2]
WIX = {"w": "http://schemas.microsoft.com/wix/2006/wi"}
Table = list[dict[str, str]]


@pytest.fixture(scope="module")
def msi(tmp_path_factory: pytest.TempPathFactory) -> build_msi.Msi:
    for tool in ("wixl", "msiinfo"):
        if shutil.which(tool) is None:
            missing(tool, "apt-get install wixl msitools (tools/install-system-deps.sh)")
    folder = tmp_path_factory.mktemp("msi")
    return build_msi.build(folder / "dist", work=folder / "work")


def _table(msi: build_msi.Msi, name: str) -> Table:
    """One table of the MSI, as msiinfo exports it (names, types, then rows)."""
    done = subprocess.run(
        ["msiinfo", "export", str(msi.path), name], capture_output=True, text=True, check=True
    )
    lines = done.stdout.splitlines()
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=False)) for line in lines[3:]]


def _properties(msi: build_msi.Msi) -> dict[str, str]:
    return {row["Property"]: row["Value"] for row in _table(msi, "Property")}


def test_make_msi_names_the_file_by_version(msi: build_msi.Msi) -> None:
    assert msi.path.name == f"helpdesk-tray-{__version__}.msi"
    assert msi.path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE compound file
    tables = subprocess.run(["msiinfo", "tables", str(msi.path)], capture_output=True,
                            text=True, check=True).stdout.split()  # fmt: skip
    assert {"Property", "Registry", "Directory", "CreateFolder", "File", "Upgrade"} <= set(tables)


def test_it_installs_per_machine_with_a_stable_upgrade_code(msi: build_msi.Msi) -> None:
    properties = _properties(msi)
    assert properties["ALLUSERS"] == "1"
    assert "MSIINSTALLPERUSER" not in properties
    assert properties["ProductVersion"] == __version__
    assert properties["ProductCode"] == msi.product_code
    assert properties["UpgradeCode"] == "{B30F61DD-A4EA-46B4-BE16-8B811F817215}" == msi.upgrade_code
    uuid.UUID(properties["ProductCode"])  # a GUID
    # The same version builds the same product (Intune's detection rule stays true); a new
    # version is a new product, which the upgrade below replaces the old one with.
    assert build_msi.product_code(__version__, stand_in=True) == msi.product_code
    assert build_msi.product_code("0.2.0", stand_in=True) != msi.product_code
    assert build_msi.product_code(__version__, stand_in=False) != msi.product_code
    summary = subprocess.run(["msiinfo", "suminfo", str(msi.path)], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    assert "Template: x64;1033" in summary


def test_the_stand_in_payload_says_so(msi: build_msi.Msi) -> None:
    assert msi.stand_in
    assert "stand-in" in _properties(msi)["ProductName"]


def test_a_newer_version_replaces_an_older_and_an_older_refuses_to_install(
    msi: build_msi.Msi,
) -> None:
    upgrades = {row["ActionProperty"]: row for row in _table(msi, "Upgrade")}
    older = upgrades["WIX_UPGRADE_DETECTED"]
    assert older["UpgradeCode"] == msi.upgrade_code
    assert older["VersionMax"] == __version__ and older["VersionMin"] == ""
    newer = upgrades["WIX_DOWNGRADE_DETECTED"]
    assert newer["VersionMin"] == __version__ and int(newer["Attributes"]) & 2  # detect only
    conditions = {row["Condition"] for row in _table(msi, "LaunchCondition")}
    assert "NOT WIX_DOWNGRADE_DETECTED" in conditions
    sequence = {
        row["Action"]: int(row["Sequence"]) for row in _table(msi, "InstallExecuteSequence")
    }
    # The old version goes before this one writes anything (Windows refuses it later).
    assert sequence["InstallValidate"] < sequence["RemoveExistingProducts"]
    assert sequence["RemoveExistingProducts"] < sequence["InstallInitialize"]


def test_every_user_starts_the_tray_at_log_in_with_the_autostart_flag(
    msi: build_msi.Msi,
) -> None:
    [run] = [row for row in _table(msi, "Registry") if row["Name"] == "helpdesk-tray"]
    assert run["Root"] == "2"  # HKEY_LOCAL_MACHINE: every user of the computer
    assert run["Key"] == r"Software\Microsoft\Windows\CurrentVersion\Run"
    assert run["Value"] == f'"[INSTALLDIR]helpdesk-tray.exe" {AUTOSTART_FLAG}'
    components = {row["Component"]: row for row in _table(msi, "Component")}
    assert int(components[run["Component_"]]["Attributes"]) & 256  # 64-bit: no WOW6432Node


def _directory_path(directories: dict[str, dict[str, str]], directory: str) -> list[str]:
    parts = []
    while directory in directories and directories[directory]["Directory_Parent"]:
        row = directories[directory]
        parts.append(row["DefaultDir"] if row["DefaultDir"] != "." else directory)
        directory = row["Directory_Parent"]
    return list(reversed(parts))


def test_it_installs_to_program_files_and_makes_its_folder_in_program_data(
    msi: build_msi.Msi,
) -> None:
    directories = {row["Directory"]: row for row in _table(msi, "Directory")}
    assert _directory_path(directories, "INSTALLDIR") == ["ProgramFiles64Folder", "helpdesk-tray"]
    created = {row["Directory_"] for row in _table(msi, "CreateFolder")}
    [policy_dir] = [
        d for d in created if _directory_path(directories, d)[0] == "CommonAppDataFolder"
    ]
    assert _directory_path(directories, policy_dir) == ["CommonAppDataFolder", "helpdesk-tray"]
    # Only administrators and SYSTEM may write it, once it is made.
    actions = {row["Action"]: row for row in _table(msi, "CustomAction")}
    lock = actions["LockPolicyFolder"]
    assert f"[{policy_dir}]." in lock["Target"]
    assert "/inheritance:r" in lock["Target"] and "*S-1-5-32-545:(OI)(CI)RX" in lock["Target"]
    assert int(lock["Type"]) & 0x400 and int(lock["Type"]) & 0x800  # deferred, as SYSTEM
    assert actions["FindIcacls"]["Target"] == "[System64Folder]icacls.exe"
    sequence = {
        row["Action"]: int(row["Sequence"]) for row in _table(msi, "InstallExecuteSequence")
    }
    assert sequence["FindIcacls"] < sequence["CreateFolders"] < sequence["LockPolicyFolder"]
    assert sequence["LockPolicyFolder"] < sequence["InstallFinalize"]


def test_it_carries_the_bundle_the_example_policy_and_the_policy_template(
    msi: build_msi.Msi,
) -> None:
    files = {row["File"]: row for row in _table(msi, "File")}
    names = sorted(row["FileName"] for row in files.values())
    assert names == sorted(
        ["helpdesk-tray.exe", "STAND-IN.txt", "policy.toml", "helpdesk-tray.admx",
         "helpdesk-tray.adml", "helpdesk-tray.adml"]
    )  # fmt: skip
    policy = ROOT / "installer" / "policy.toml"
    assert int(files["ExamplePolicy"]["FileSize"]) == policy.stat().st_size
    directories = {row["Directory"]: row for row in _table(msi, "Directory")}
    components = {row["Component"]: row for row in _table(msi, "Component")}
    where = {
        row["FileName"]
        + "@"
        + "/".join(_directory_path(directories, components[row["Component_"]]["Directory_"]))
        for row in files.values()
    }
    # The example policy is only an example: not in ProgramData, where it would lock keys.
    assert "policy.toml@ProgramFiles64Folder/helpdesk-tray/examples" in where
    assert "helpdesk-tray.exe@ProgramFiles64Folder/helpdesk-tray" in where
    assert "STAND-IN.txt@ProgramFiles64Folder/helpdesk-tray/_internal" in where
    assert all(int(c["Attributes"]) & 256 for c in components.values())
    feature_components = {row["Component_"] for row in _table(msi, "FeatureComponents")}
    assert feature_components == set(components)


def test_it_asks_nothing_so_a_silent_install_works(msi: build_msi.Msi) -> None:
    """``msiexec /i … /qn`` (Intune) needs no dialog: there is none to need."""
    tables = subprocess.run(["msiinfo", "tables", str(msi.path)], capture_output=True,
                            text=True, check=True).stdout.split()  # fmt: skip
    assert "Dialog" not in tables and "ControlEvent" not in tables
    ui = {row["Action"] for row in _table(msi, "InstallUISequence")}
    assert not {"WelcomeDlg", "LicenseAgreementDlg", "ExitDialog"} & ui


def test_the_wix_source_is_well_formed_and_takes_the_bundle_as_a_variable() -> None:
    source = ROOT / "installer" / "windows" / "helpdesk-tray.wxs"
    product = ET.parse(source).getroot().find("w:Product", WIX)
    assert product is not None
    assert product.attrib["UpgradeCode"] == str(build_msi.UPGRADE_CODE).upper()
    assert product.attrib["Id"] == "$(var.ProductCode)"
    package = product.find("w:Package", WIX)
    assert package is not None and package.attrib["InstallScope"] == "perMachine"
    exe = product.find(".//w:File[@Id='HelpdeskTrayExe']", WIX)
    assert exe is not None and exe.attrib["Source"] == "$(var.BundleDir)/helpdesk-tray.exe"
    assert product.find("w:MajorUpgrade", WIX) is not None
    assert product.find(".//w:UI", WIX) is None and product.find(".//w:UIRef", WIX) is None


def test_the_bundle_fragment_lists_every_file_of_a_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "helpdesk-tray"
    for name in ("helpdesk-tray.exe", "_internal/python311.dll", "_internal/PySide6/Qt6Core.dll",
                 "_internal/resources/i18n/helpdesk_tray_nl.qm"):  # fmt: skip
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_text(name)
    fragment = ET.fromstring(build_msi.bundle_fragment(bundle))
    files = [f.attrib["Source"] for f in fragment.iterfind(".//w:File", WIX)]
    assert sorted(files) == [
        "$(var.BundleDir)/_internal/PySide6/Qt6Core.dll",
        "$(var.BundleDir)/_internal/python311.dll",
        "$(var.BundleDir)/_internal/resources/i18n/helpdesk_tray_nl.qm",
    ]  # the executable is in helpdesk-tray.wxs itself
    components = [c.attrib["Id"] for c in fragment.iterfind(".//w:Component", WIX)]
    refs = [r.attrib["Id"] for r in fragment.iterfind(".//w:ComponentGroup/w:ComponentRef", WIX)]
    assert components == refs and len(set(components)) == 3
    assert all(len(i) <= 72 for i in components)
    assert build_msi.bundle_fragment(bundle) == build_msi.bundle_fragment(bundle)  # stable ids


def test_a_folder_without_the_program_is_refused(tmp_path: Path) -> None:
    if shutil.which("wixl") is None:
        missing("wixl", "apt-get install wixl (tools/install-system-deps.sh)")
    with pytest.raises(build_msi.MsiFailed, match="no helpdesk-tray.exe"):
        build_msi.build(tmp_path / "dist", bundle=tmp_path, work=tmp_path / "work")


def test_the_files_come_out_of_the_msi_as_they_went_in(msi: build_msi.Msi, tmp_path: Path) -> None:
    if shutil.which("msiextract") is None:
        missing("msiextract", "apt-get install msitools (tools/install-system-deps.sh)")
    subprocess.run(["msiextract", "-C", str(tmp_path), str(msi.path)], capture_output=True,
                   check=True)  # fmt: skip
    installed = tmp_path / "helpdesk-tray"
    extracted = sorted(
        p.relative_to(installed).as_posix() for p in installed.rglob("*") if p.is_file()
    )
    assert extracted == [
        "_internal/STAND-IN.txt",
        "examples/policy.toml",
        "helpdesk-tray.exe",
        "policy-templates/en-US/helpdesk-tray.adml",
        "policy-templates/helpdesk-tray.admx",
        "policy-templates/nl-NL/helpdesk-tray.adml",
    ]
    assert (installed / "examples/policy.toml").read_bytes() == (
        ROOT / "installer/policy.toml"
    ).read_bytes()
    for relative in ("helpdesk-tray.admx", "en-US/helpdesk-tray.adml", "nl-NL/helpdesk-tray.adml"):
        assert (installed / "policy-templates" / relative).read_bytes() == (
            ROOT / "installer/windows/policy" / relative
        ).read_bytes()
    assert (
        (installed / "helpdesk-tray.exe").read_text().startswith("STAND-IN, NOT A WINDOWS PROGRAM")
    )
