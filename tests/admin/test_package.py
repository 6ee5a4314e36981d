"""``make deb`` and ``helpdesk-tray admin package`` over a stand-in bundle, with real dpkg-deb.

The real bundle is packed and installed in tests/e2e/test_deb_package.py; here
the package's layout, its control file and every refusal of ``admin package``
are checked in seconds, with a real trusted root from ``admin init``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.admin.conftest import Admin, days_ago
from tests.support.requirements import missing
from tools.build_deb import LINUX, BuildError, Built, build_deb

pytestmark = [pytest.mark.package]

#: What the generic package holds besides the bundle.
LAYOUT = {
    "./etc/helpdesk-tray/",
    "./etc/xdg/autostart/helpdesk-tray.desktop",
    "./usr/bin/helpdesk-tray",
    "./usr/share/applications/helpdesk-tray.desktop",
    "./usr/share/doc/helpdesk-tray/copyright",
    "./usr/share/doc/helpdesk-tray/examples/policy.toml",
    "./usr/share/icons/hicolor/scalable/apps/helpdesk-tray.svg",
}


@pytest.fixture
def generic(tmp_path: Path) -> Built:
    """The generic package of a stand-in bundle: a program and one library."""
    if shutil.which("dpkg-deb") is None:
        missing("dpkg-deb", "a Debian system (the dpkg package)")
    bundle = tmp_path / "bundle" / "helpdesk-tray"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "helpdesk-tray").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (bundle / "helpdesk-tray").chmod(0o700)
    (bundle / "_internal" / "libexample.so").write_bytes(b"\x7fELF" + bytes(2000))
    return build_deb(bundle, tmp_path / "dist", version="1.2.3")


def _deb(*args: str | Path) -> str:
    return subprocess.run(
        ["dpkg-deb", *map(str, args)], capture_output=True, text=True, check=True
    ).stdout


def _contents(deb: Path) -> dict[str, str]:
    """Path -> ``mode owner/group`` of every entry (``-> target`` for links)."""
    entries = {}
    for line in _deb("--contents", deb).splitlines():
        mode, owner, _size, _day, _time, path, *link = line.split()
        entries[path] = f"{mode} {owner}" + (f" {' '.join(link)}" if link else "")
    return entries


def _fields(deb: Path) -> dict[str, str]:
    lines = _deb("--field", deb).splitlines()
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines) if v.strip()}


def test_the_generic_package_lays_out_the_bundle_and_the_system_files(generic: Built) -> None:
    assert generic.path.name == "helpdesk-tray_1.2.3_amd64.deb"
    entries = _contents(generic.path)
    assert LAYOUT <= entries.keys()
    assert entries["./usr/bin/helpdesk-tray"].endswith("-> ../lib/helpdesk-tray/helpdesk-tray")
    # Root owns everything; the umask of the build machine does not matter.
    assert entries["./usr/lib/helpdesk-tray/helpdesk-tray"] == "-rwxr-xr-x root/root"
    assert entries["./usr/lib/helpdesk-tray/_internal/libexample.so"] == "-rw-r--r-- root/root"
    assert entries["./etc/helpdesk-tray/"] == "drwxr-xr-x root/root"
    # No policy in /etc (it would lock every key), no root (each organisation has its own).
    assert not [path for path in entries if path.startswith("./etc/helpdesk-tray/") and
                path != "./etc/helpdesk-tray/"]  # fmt: skip
    fields = _fields(generic.path)
    assert fields["Package"] == "helpdesk-tray" and fields["Version"] == "1.2.3"
    assert fields["Depends"].startswith("libc6 (>= 2.")
    assert int(fields["Installed-Size"]) >= 2
    # No maintainer scripts; the one file in /etc is a conffile.
    info = _deb("--info", generic.path)
    assert "postinst" not in info and "postrm" not in info
    assert _deb("--ctrl-tarfile", generic.path)  # readable
    control = subprocess.run(
        ["dpkg-deb", "--info", str(generic.path), "conffiles"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert control.split() == ["/etc/xdg/autostart/helpdesk-tray.desktop"]


def test_the_desktop_entries_are_valid() -> None:
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        missing("desktop-file-validate", "install the Debian package desktop-file-utils")
        return
    for entry in sorted(LINUX.glob("*.desktop")):
        result = subprocess.run([validate, str(entry)], capture_output=True, text=True)
        assert result.returncode == 0 and not result.stdout.strip(), (entry, result.stdout)


def test_a_folder_without_the_program_is_no_bundle(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="make bundle"):
        build_deb(tmp_path, tmp_path / "dist", version="1.2.3")


# --- admin package --------------------------------------------------------------------------


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[desk]\nurl = "https://servicedesk.example.org"\n\n'
        '[profile]\nurl = "https://profile.example.org/"\n',
        encoding="utf-8",
    )
    return path


def test_admin_package_adds_the_root_and_policy_as_conffiles_of_a_package_of_its_own(
    created: Admin, generic: Built, policy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "org"
    out.mkdir()
    done = created.ok(
        "package", "--root", created.root_file, "--policy", policy, "--deb", generic.path,
        "--out", out,
    )  # fmt: skip
    deb = out / "helpdesk-tray-example_1.2.3+example1_amd64.deb"
    assert f"Built {deb}" in done.out and "locks desk.url, profile.url" in done.out
    assert done.err == ""
    fields = _fields(deb)
    assert fields["Package"] == "helpdesk-tray-example"
    assert fields["Version"] == "1.2.3+example1"
    assert fields["Provides"] == "helpdesk-tray (= 1.2.3)"
    assert fields["Conflicts"] == fields["Replaces"] == "helpdesk-tray"
    assert fields["Description"].startswith("IT service desk in the system tray (example)")
    generic_size = int(_fields(generic.path)["Installed-Size"])
    assert int(fields["Installed-Size"]) > generic_size
    entries = _contents(deb)
    assert entries["./etc/helpdesk-tray/policy.toml"] == "-rw-r--r-- root/root"
    assert entries["./etc/helpdesk-tray/profile-root.json"] == "-rw-r--r-- root/root"
    assert entries.keys() - _contents(generic.path).keys() == {
        "./etc/helpdesk-tray/policy.toml",
        "./etc/helpdesk-tray/profile-root.json",
    }
    conffiles = _deb("--info", deb, "conffiles").split()
    assert conffiles == [
        "/etc/xdg/autostart/helpdesk-tray.desktop",
        "/etc/helpdesk-tray/policy.toml",
        "/etc/helpdesk-tray/profile-root.json",
    ]
    extracted = tmp_path / "extracted"
    _deb("--extract", deb, extracted)
    assert (extracted / "etc/helpdesk-tray/profile-root.json").read_bytes() == (
        created.root_file.read_bytes()
    )

    # A new policy: the next revision upgrades it; an organisation's package is no start.
    again = created.ok(
        "package", "--root", created.root_file, "--policy", policy, "--deb", generic.path,
        "--out", out, "--org", "acme", "--revision", "2",
    )  # fmt: skip
    assert "helpdesk-tray-acme_1.2.3+acme2_amd64.deb" in again.out
    refused = created(
        "package", "--root", created.root_file, "--policy", policy, "--deb", deb, "--out", out
    )
    assert refused.code == 1 and "not the generic helpdesk-tray package" in refused.err


def test_admin_package_warns_when_the_policy_names_no_profile(
    created: Admin, generic: Built, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[fixes]\nenabled = false\n", encoding="utf-8")
    done = created.ok(
        "package", "--root", created.root_file, "--policy", policy, "--deb", generic.path,
        "--out", tmp_path, "--org", "acme",
    )  # fmt: skip
    assert "no profile.url" in done.err and "no desk.url" in done.err


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[desk\nurl = 1\n", "cannot be read"),
        ('[desk]\nurl = "ftp://desk.example.org"\n', "desk.url"),
        ('[network]\nretries = "two"\n', "network.retries"),
        ('[desk]\ncolour = "blue"\n', "desk.colour"),
    ],
    ids=["malformed", "bad-url", "wrong-type", "unknown-key"],
)
def test_admin_package_refuses_a_policy_the_tray_would_not_read_as_written(
    created: Admin, generic: Built, tmp_path: Path, text: str, says: str
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(text, encoding="utf-8")
    refused = created(
        "package", "--root", created.root_file, "--policy", policy, "--deb", generic.path,
        "--out", tmp_path, "--org", "acme",
    )  # fmt: skip
    assert refused.code == 1, refused
    assert "the tray would not read" in refused.err and says in refused.err
    assert not list(tmp_path.glob("*.deb"))


def test_admin_package_refuses_what_is_not_a_trusted_root(
    created: Admin, generic: Built, policy: Path, tmp_path: Path
) -> None:
    def package(root: Path) -> str:
        refused = created(
            "package", "--root", root, "--policy", policy, "--deb", generic.path,
            "--out", tmp_path,
        )  # fmt: skip
        assert refused.code == 1, refused
        return refused.err

    garbage = tmp_path / "garbage.json"
    garbage.write_text("{}", encoding="utf-8")
    assert "is not a TUF root" in package(garbage)
    timestamp = created.repo / "metadata" / "timestamp.json"
    assert "not the root" in package(timestamp)
    tampered = tmp_path / "tampered.json"
    document = json.loads(created.root_file.read_text(encoding="utf-8"))
    document["signed"]["consistent_snapshot"] = not document["signed"]["consistent_snapshot"]
    tampered.write_text(json.dumps(document), encoding="utf-8")
    assert "not signed by enough of its own root keys" in package(tampered)
    assert "cannot be read" in package(tmp_path / "absent.json")
    assert not list(tmp_path.glob("*.deb"))


def test_admin_package_refuses_an_expired_root(
    run: Admin, generic: Built, policy: Path, tmp_path: Path
) -> None:
    run.create(now=days_ago(400))  # roots live a year
    refused = run(
        "package", "--root", run.root_file, "--policy", policy, "--deb", generic.path,
        "--out", tmp_path,
    )  # fmt: skip
    assert refused.code == 1 and "expired" in refused.err and "admin rotate" in refused.err


def test_admin_package_takes_the_organisations_name_from_the_desk_or_asks_for_it(
    created: Admin, generic: Built, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[desk]\nurl = "http://127.0.0.1:8765"\n', encoding="utf-8")
    asked = created(
        "package", "--root", created.root_file, "--policy", policy, "--deb", generic.path,
    )  # fmt: skip
    assert asked.code == 2 and "--org" in asked.err
    bad = created(
        "package", "--root", created.root_file, "--policy", policy, "--deb", generic.path,
        "--org", "Acme Corp",
    )  # fmt: skip
    assert bad.code == 2 and "lower-case letters and digits" in bad.err
