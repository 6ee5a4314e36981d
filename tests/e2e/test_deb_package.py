"""The Debian package, installed for real where a failed run leaves the machine untouched.

The ``.deb`` is built from this session's frozen bundle (``frozen_bundle``) and
installed with ``dpkg`` inside a private mount namespace (``unshare --mount
--propagation private``) in which ``/usr``, ``/etc`` and ``/var`` are overlays
whose upper halves are fresh tmpfs: every write dpkg and the app make lands in
memory that goes away with the namespace, even when the test or pytest dies
(the namespace's holder leaves when its stdin closes). The host's own ``/tmp``,
X display and D-Bus are shared, so the installed app runs on the test's virtual
desktop and reaches the demo desk on 127.0.0.1; the source tree and the Python
running the tests are hidden, so the installed program proves it needs neither.

What the overlays' upper halves hold after a purge is exactly what the package
left on the machine: the tests read them to prove that nothing but user data,
and the files IT added by hand, stays behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
from client.adapters.http import HttpConfig
from client.adapters.profile_repository import ProfileRepository
from tests.support.desk_fixture import DeskAccess
from tests.support.requirements import missing
from tests.support.tuf_site import new_keys
from tools.app_process import ROOT, AppProcess, Probe
from tools.build_deb import Built, build_deb
from tools.xsession import VirtualDesktop, center

pytestmark = [pytest.mark.package]

#: What the namespace lays an overlay over: everything dpkg writes (/var: its database,
#: log and the triggers' caches). The bundle goes under /usr/lib, so /opt is not needed.
OVERLAID = ("/usr", "/etc", "/var")
#: Caches dpkg triggers rebuild on install and purge from what is installed
#: (desktop-file-utils, hicolor-icon-theme). After a purge they came out byte for byte as the
#: host's here, but a host whose cache is stale would differ: they are checked for our name.
REBUILT_CACHES = (
    "/usr/share/applications/mimeinfo.cache",
    "/usr/share/icons/hicolor/icon-theme.cache",
)
#: dpkg's own records: checked through dpkg-query instead of file by file.
DPKG_RECORDS = ("/var/lib/dpkg/", "/var/log/", "/var/cache/debconf/")

#: What installing the package may add (with the folders leading to them).
PACKAGE_PATHS = (
    "/usr/bin/helpdesk-tray",
    "/usr/lib/helpdesk-tray",
    "/usr/share/applications/helpdesk-tray.desktop",
    "/usr/share/doc/helpdesk-tray",
    "/usr/share/icons/hicolor/scalable/apps/helpdesk-tray.svg",
    "/etc/helpdesk-tray",
    "/etc/xdg/autostart/helpdesk-tray.desktop",
)

_HOLD = r"""
set -eu
work="$1"; shift
while [ "$#" -gt 0 ] && [ "$1" != "--hide" ]; do
  layer="$work/$(echo "$1" | tr / _)"
  mkdir -p "$layer"
  mount -t tmpfs -o mode=0755 "helpdesk-tray-test" "$layer"
  mkdir "$layer/upper" "$layer/work"
  mount -t overlay overlay \
    -o "lowerdir=$1,upperdir=$layer/upper,workdir=$layer/work" "$1"
  shift
done
[ "$#" -gt 0 ] && shift
for dir in "$@"; do
  mount -t tmpfs -o mode=0755,size=64k "helpdesk-tray-hidden" "$dir"
done
echo ready
read -r _ || true
"""


def _hidden() -> tuple[str, ...]:
    """What the installed app must do without: the source tree and the Python that runs it."""
    python = Path(sys.base_prefix)
    return (str(ROOT), *([str(python)] if python not in (Path("/"), Path("/usr")) else []))


class Sandbox:
    """A private mount namespace with tmpfs-backed overlays over :data:`OVERLAID`.

    The source tree and the Python running the tests are hidden under empty
    tmpfs in it: the installed program must need neither. Its holder is a
    shell that waits on its stdin; :meth:`close` (or the death of this
    process) ends it, and with it every mount. Commands run inside with
    ``nsenter``; files inside are read through ``/proc/<holder>/root``.
    """

    def __init__(self, work: Path) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self._holder = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "--",
             "sh", "-c", _HOLD, "sh", str(work), *OVERLAID, "--hide", *_hidden()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self._holder.stdout is not None
        ready = self._holder.stdout.readline().strip()  # EOF at once if the script failed
        if ready != "ready":
            error = self._holder.stderr.read().strip() if self._holder.stderr else ""
            self.close()
            raise RuntimeError(f"the mount namespace could not be set up: {error}")

    @property
    def pid(self) -> int:
        """The holder's process id (its mount namespace is the sandbox)."""
        return self._holder.pid

    def command(self, *command: str | Path) -> list[str]:
        """``command`` run inside the sandbox."""
        return ["nsenter", f"--target={self.pid}", "--mount", "--", *map(str, command)]

    def run(self, *command: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``command`` inside; fails the test with its output when it fails and ``check``."""
        result = subprocess.run(
            self.command(*command),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env=dict(os.environ, LC_ALL="C"),  # dpkg's messages, as the tests read them
        )
        if check and result.returncode != 0:
            pytest.fail(f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def path(self, inside: str) -> Path:
        """Where a file inside the sandbox is seen from here."""
        return Path(f"/proc/{self.pid}/root{inside}")

    def leftovers(self) -> dict[str, str]:
        """Every path that differs from the host now: ``added``, ``changed`` or ``removed``.

        Read from the overlays' upper halves: a path is there only once something
        wrote it. Directories that exist on the host are copies made on the way
        and no change; dpkg's own records and the caches triggers rebuild are left
        out (dpkg-query checks the former).
        """
        found: dict[str, str] = {}
        for overlaid in OVERLAID:
            upper = self.path(str(self.work / overlaid.replace("/", "_") / "upper"))
            for path in sorted(upper.rglob("*")):
                where = overlaid + "/" + str(path.relative_to(upper))
                if where.startswith(DPKG_RECORDS) or where in REBUILT_CACHES:
                    continue
                host = Path(where)
                info = path.lstat()
                if os.path.isdir(path) and not path.is_symlink():
                    if not host.is_dir():
                        found[where] = "added"
                elif (info.st_mode & 0o170000) == 0o020000 and info.st_rdev == 0:
                    found[where] = "removed"  # an overlay whiteout
                elif not os.path.lexists(host):
                    found[where] = "added"
                elif path.is_symlink() or host.is_symlink():
                    if not (path.is_symlink() and host.is_symlink()) or (
                        os.readlink(path) != os.readlink(host)
                    ):
                        found[where] = "changed"
                elif path.read_bytes() != host.read_bytes():
                    found[where] = "changed"
        return found

    def close(self) -> None:
        """End the holder: the namespace and every write in it are gone."""
        if self._holder.poll() is None and self._holder.stdin is not None:
            self._holder.stdin.close()
        try:
            self._holder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._holder.kill()
            self._holder.wait()
        for stream in (self._holder.stdin, self._holder.stdout, self._holder.stderr):
            if stream is not None and not stream.closed:
                stream.close()


def _needs_namespaces() -> None:
    if os.geteuid() != 0:
        missing("root", "installing a package in a mount namespace needs root (CI runs as root)")
    for program in ("unshare", "nsenter", "dpkg", "dpkg-deb"):
        if shutil.which(program) is None:
            missing(program, "a Debian system (util-linux, dpkg)")


@pytest.fixture(scope="module")
def generic_deb(frozen_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """``make deb`` from this session's bundle."""
    if shutil.which("dpkg-deb") is None:
        missing("dpkg-deb", "a Debian system (the dpkg package)")
    return build_deb(frozen_bundle, tmp_path_factory.mktemp("deb"))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    _needs_namespaces()
    box = Sandbox(tmp_path / "namespace")
    yield box
    box.close()


def _outside(paths: dict[str, str], allowed: tuple[str, ...]) -> list[str]:
    """The paths that are none of ``allowed``, not under one, and not a folder leading to one."""
    return [
        path
        for path in paths
        if not any(
            path == a or path.startswith(a + "/") or a.startswith(path + "/") for a in allowed
        )
    ]


def _fields(deb: Path) -> dict[str, str]:
    text = subprocess.run(
        ["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    return {k: v.strip() for k, _, v in (line.partition(":") for line in text.splitlines()) if v}


def _state(sandbox: Sandbox, package: str) -> str:
    """dpkg's word for ``package`` inside: ``install ok installed``, or "" when unknown."""
    result = sandbox.run("dpkg-query", "-W", "-f", "${Status}", package, check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def _expect_all(app: AppProcess, *needles: str, timeout: float = 60.0) -> dict[str, str]:
    """Wait for a line with each of ``needles``, in any order; the lines by needle."""
    seen: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(needles):
        try:
            line = app.expect("", timeout=max(deadline - time.monotonic(), 0.01))
        except AssertionError:
            left = [n for n in needles if n not in seen]
            said = "\n".join(app.log)
            raise AssertionError(f"never seen {left}; the app said:\n{said}") from None
        seen.update({n: line for n in needles if n in line and n not in seen})
    return seen


def _probe(line: str) -> Probe:
    fields = line.split()[2:]
    return Probe(line.split()[1], dict(field.split("=", 1) for field in fields))


def _trusted_root(folder: Path) -> Path:
    """A real TUF root, as ``admin export-root`` writes it."""
    repo = ProfileRepository(folder / "repository")
    repo.create(new_keys(), {})
    root = folder / "profile-root.json"
    shutil.copyfile(repo.metadata_dir / "1.root.json", root)
    return root


# --- the generic package ----------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.desk
def test_the_installed_package_docks_files_a_report_and_purges_to_user_data_only(
    generic_deb: Built,
    sandbox: Sandbox,
    desktop: VirtualDesktop,
    demo_desk: DeskAccess,
    tmp_path: Path,
) -> None:
    installed = sandbox.run("dpkg", "-i", generic_deb.path)
    assert _state(sandbox, "helpdesk-tray") == "install ok installed", installed.stdout
    added = sandbox.leftovers()
    assert set(added.values()) == {"added"}, added
    assert not _outside(added, PACKAGE_PATHS), "nothing but the package's own files"

    # The files landed where the package says.
    command = sandbox.path("/usr/bin/helpdesk-tray")
    assert os.readlink(command) == "../lib/helpdesk-tray/helpdesk-tray"
    assert os.access(sandbox.path("/usr/lib/helpdesk-tray/helpdesk-tray"), os.X_OK)
    autostart = sandbox.path("/etc/xdg/autostart/helpdesk-tray.desktop").read_text("utf-8")
    assert "\nExec=helpdesk-tray --autostart\n" in autostart
    menu = sandbox.path("/usr/share/applications/helpdesk-tray.desktop").read_text("utf-8")
    assert "\nExec=helpdesk-tray\n" in menu and "\nIcon=helpdesk-tray\n" in menu
    assert sandbox.path("/usr/share/icons/hicolor/scalable/apps/helpdesk-tray.svg").is_file()
    example = sandbox.path("/usr/share/doc/helpdesk-tray/examples/policy.toml")
    assert example.read_bytes() == (ROOT / "installer" / "policy.toml").read_bytes()
    assert sandbox.path("/usr/share/doc/helpdesk-tray/copyright").is_file()
    policy_dir = sandbox.path("/etc/helpdesk-tray")
    assert policy_dir.is_dir() and not list(policy_dir.iterdir()), "no policy, no root: IT's"
    conffiles = sandbox.run("dpkg-query", "-W", "-f", "${Conffiles}", "helpdesk-tray").stdout
    assert conffiles.split()[::2] == ["/etc/xdg/autostart/helpdesk-tray.desktop"]

    # The installed program's own checks pass where it was installed (part F's --self-check).
    report = json.loads(sandbox.run("/usr/bin/helpdesk-tray", "--self-check").stdout)
    assert report["ok"] and report["executable"] == "/usr/lib/helpdesk-tray/helpdesk-tray"

    # The log-in entry's command, for a user who turned "Start when I log in" off: it ends at
    # once, with a display to start on (``--autostart`` is the app's; here: that it is found).
    exec_line = next(line for line in autostart.splitlines() if line.startswith("Exec="))
    opted_out = tmp_path / "opted-out"
    (opted_out / "config").mkdir(parents=True)
    (opted_out / "config" / "settings.toml").write_text(
        "[startup]\nautostart = false\n", encoding="utf-8"
    )
    at_login = subprocess.run(
        sandbox.command(*exec_line.removeprefix("Exec=").split()),
        env=desktop.env({"HELPDESK_TRAY_HOME": str(opted_out), "HELPDESK_TRAY_PROBE": "1"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert at_login.returncode == 0 and "PROBE tray_visible" not in at_login.stdout, at_login

    # IT's policy points at the desk and names a profile, but no root was installed.
    (policy_dir / "policy.toml").write_text(
        f'[desk]\nkind = "django-helpdesk"\nurl = "{demo_desk.url}"\n\n'
        '[profile]\nurl = "http://127.0.0.1:9/profile"\n',
        encoding="utf-8",
    )
    home = tmp_path / "home"
    env = {
        "HELPDESK_TRAY_HOME": str(home),
        "HELPDESK_TRAY_PROBE": "1",
        "HELPDESK_TRAY_DESK_USERNAME": "anna",
        "HELPDESK_TRAY_TOKEN": demo_desk.anna_token,
    }
    app = AppProcess(desktop.env(env), command=sandbox.command("/usr/bin/helpdesk-tray"))
    try:
        seen = _expect_all(
            app,
            "PROBE tray_visible ",
            "signed in at",
            # Without a trusted root the tray runs without a profile, and says why.
            "profile update refused (no_trust root): /etc/helpdesk-tray/profile-root.json",
        )
        icon = _probe(seen["PROBE tray_visible "]).rect()
        assert icon[0] > 1600 and icon[1] < 40, f"docked in the tray, top right: {icon}"
        # The installed, frozen program (as the namespace sees it), not the source tree's.
        assert os.readlink(f"/proc/{app.process.pid}/exe") == (
            "/usr/lib/helpdesk-tray/helpdesk-tray"
        )
        subject = "Deb: the installed tray files a report"
        desktop.click(*center(icon), button=3)
        menu_probe = app.probe("menu_shown")
        desktop.click_menu_item(menu_probe.rect(), menu_probe.items("items")["reportAction"])
        dialog = app.probe("window_shown")
        assert dialog.values["name"] == "reportDialog"
        app.probe("report_ready", timeout=60)  # the frozen evidence helper did its work
        fields = dialog.items("children")
        desktop.click(*center(fields["subject"]))
        desktop.type_text(subject)
        desktop.click(*center(fields["send"]))
        number = app.expect("delivered as", timeout=60).rsplit(" ", 1)[-1]
        desktop.click(*center(icon), button=3)
        menu_probe = app.probe("menu_shown")
        desktop.click_menu_item(menu_probe.rect(), menu_probe.items("items")["quitAction"])
        assert app.wait(timeout=30) == 0
    finally:
        app.stop()
    desk = DjangoHelpdeskConnector(HttpConfig()).open(demo_desk.url, demo_desk.anna_token)
    titles = {str(t.ref): t.title for t in desk.changed_tickets(None)[0]}
    assert titles[number] == subject

    # IT also drops a root in; then the package is purged.
    shutil.copyfile(_trusted_root(tmp_path), policy_dir / "profile-root.json")
    purged = sandbox.run("dpkg", "--purge", "helpdesk-tray")
    assert _state(sandbox, "helpdesk-tray") == ""
    assert "directory '/etc/helpdesk-tray' not empty so not removed" in purged.stderr
    assert sandbox.leftovers() == {
        "/etc/helpdesk-tray": "added",
        "/etc/helpdesk-tray/policy.toml": "added",
        "/etc/helpdesk-tray/profile-root.json": "added",
    }, "a purge leaves only what IT added (and the folder holding it)"
    for cache in REBUILT_CACHES:  # rebuilt by the triggers: nothing of ours in them
        assert not sandbox.path(cache).exists() or b"helpdesk-tray" not in (
            sandbox.path(cache).read_bytes()
        )
    kept = {p.relative_to(home).parts[0] for p in home.rglob("*") if p.is_file()}
    assert {"data", "log"} <= kept, "the employee's data stays: the outbox, the log"


# --- the organisation's package ---------------------------------------------------------------


def test_the_organisations_package_installs_its_root_and_policy_and_its_purge_removes_them(
    generic_deb: Built, sandbox: Sandbox, tmp_path: Path
) -> None:
    root = _trusted_root(tmp_path)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[desk]\nurl = "https://servicedesk.example.org"\n\n'
        '[profile]\nurl = "https://profile.example.org/helpdesk"\n',
        encoding="utf-8",
    )
    sandbox.run("dpkg", "-i", generic_deb.path)
    # Before, IT had put a policy in by hand on this computer.
    by_hand = b'[desk]\nurl = "https://old-desk.example.org"\n'
    sandbox.path("/etc/helpdesk-tray/policy.toml").write_bytes(by_hand)
    # IT builds its package with the installed (frozen) app's own admin command.
    org_deb = tmp_path / "out" / "org.deb"
    built = sandbox.run(
        "/usr/bin/helpdesk-tray", "admin", "package", "--root", root, "--policy", policy,
        "--deb", generic_deb.path, "--out", org_deb,
    )  # fmt: skip
    assert "helpdesk-tray-example" in built.stdout, built.stdout
    fields = _fields(org_deb)
    version = generic_deb.version
    assert fields["Package"] == "helpdesk-tray-example"
    assert fields["Version"] == f"{version}+example1"
    assert fields["Provides"] == f"helpdesk-tray (= {version})"
    assert fields["Conflicts"] == fields["Replaces"] == "helpdesk-tray"
    assert fields["Depends"] == _fields(generic_deb.path)["Depends"]

    # It takes the generic package's place. Over a file put in by hand dpkg would ask which
    # to keep; --force-confnew answers "the package's" (the hand-made one stays as .dpkg-old).
    replaced = sandbox.run("dpkg", "--force-confnew", "-i", org_deb)
    assert _state(sandbox, "helpdesk-tray-example") == "install ok installed", replaced.stdout
    # dpkg removed the generic package in its favour; its record stays ("rc") until purged.
    assert _state(sandbox, "helpdesk-tray").endswith(" config-files")
    installed = sandbox.path("/etc/helpdesk-tray")
    assert (installed / "policy.toml").read_bytes() == policy.read_bytes()
    assert (installed / "policy.toml.dpkg-old").read_bytes() == by_hand
    assert (installed / "profile-root.json").read_bytes() == root.read_bytes()
    conffiles = sandbox.run("dpkg-query", "-W", "-f", "${Conffiles}", "helpdesk-tray-example")
    assert set(conffiles.stdout.split()[::2]) == {
        "/etc/xdg/autostart/helpdesk-tray.desktop",
        "/etc/helpdesk-tray/policy.toml",
        "/etc/helpdesk-tray/profile-root.json",
    }
    assert os.access(sandbox.path("/usr/bin/helpdesk-tray"), os.X_OK)

    # A changed policy: the next revision upgrades it without a question.
    policy.write_text(policy.read_text("utf-8") + "\n[fixes]\nenabled = false\n", "utf-8")
    revision_2 = tmp_path / "out" / "org-2.deb"
    sandbox.run(
        "/usr/bin/helpdesk-tray", "admin", "package", "--root", root, "--policy", policy,
        "--deb", generic_deb.path, "--out", revision_2, "--revision", "2",
    )  # fmt: skip
    sandbox.run("dpkg", "-i", revision_2)
    assert sandbox.run("dpkg-query", "-W", "-f", "${Version}", "helpdesk-tray-example").stdout == (
        f"{version}+example2"
    )
    assert (installed / "policy.toml").read_bytes() == policy.read_bytes()

    # Purging the generic package's record leaves the log-in entry, which this one took over.
    sandbox.run("dpkg", "--purge", "helpdesk-tray")
    assert sandbox.path("/etc/xdg/autostart/helpdesk-tray.desktop").is_file()

    sandbox.run("dpkg", "--purge", "helpdesk-tray-example")
    assert _state(sandbox, "helpdesk-tray-example") == _state(sandbox, "helpdesk-tray") == ""
    assert sandbox.leftovers() == {}, "its purge removes the root and the policy (and .dpkg-old)"


# --- what the package needs from the computer ---------------------------------------------------


def test_the_package_depends_on_every_library_the_bundle_takes_from_the_system(
    frozen_bundle: Path, generic_deb: Built
) -> None:
    """Each shared library a file of the bundle loads from outside it belongs to a package the
    control file depends on, directly or through those packages' own dependencies."""
    if shutil.which("ldd") is None or shutil.which("dpkg-query") is None:
        missing("ldd and dpkg-query", "a Debian system (libc-bin, dpkg)")
    internal = frozen_bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    from_system: set[str] = set()
    for path in frozen_bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as file:
            if file.read(4) != b"\x7fELF":
                continue
        listing = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env)
        for line in listing.stdout.splitlines():
            name, arrow, where = line.strip().partition(" => ")
            target = where.split(" (")[0]
            assert target != "not found", f"{path.name} needs {name}, found nowhere"
            if arrow and not Path(target).resolve().is_relative_to(frozen_bundle.resolve()):
                from_system.add(str(Path(target).resolve()))
    assert from_system, "the bundle loads at least the C library from the system"
    owners = {_owner(library) for library in from_system}
    declared = _closure(_names(_fields(generic_deb.path)["Depends"]))
    assert owners - declared == set(), "Depends misses these packages"


def _owner(library: str) -> str:
    """The Debian package a file belongs to (usr-merged paths looked up both ways)."""
    for candidate in (library, library.removeprefix("/usr")):
        found = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0].strip()
    raise AssertionError(f"{library} belongs to no Debian package")


def _names(depends: str) -> set[str]:
    """The package names in a Depends field (every alternative; versions dropped)."""
    return {
        alternative.split("(")[0].split(":")[0].strip()
        for clause in depends.split(",")
        for alternative in clause.split("|")
        if alternative.strip()
    }


def _closure(packages: set[str]) -> set[str]:
    """``packages`` and everything they depend on, as installed here."""
    seen: set[str] = set()
    todo = set(packages)
    while todo:
        package = todo.pop()
        seen.add(package)
        query = ["dpkg-query", "-W", "-f", "${Depends}, ${Pre-Depends}", package]
        found = subprocess.run(query, capture_output=True, text=True)
        if found.returncode == 0:
            todo |= _names(found.stdout) - seen
    return seen
