"""``helpdesk-tray admin``: IT's commands for the signed profile: keys, publishing, checking.

Plain Python, no Qt: ``client/entry.py`` hands ``helpdesk-tray admin ...``
here before Qt loads, and the tray never imports this module.

The signing keys (writing, finding, unlocking) and who holds them: ``client/profile_keys.py``.
``admin package`` builds the organisation's own Debian package: the generic one
(``make deb``) with its trusted root and policy in ``/etc/helpdesk-tray/``.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TextIO
from urllib.parse import urlsplit

from securesystemslib.signer import Signer
from tuf.api.exceptions import LengthOrHashMismatchError, RepositoryError, UnsignedMetadataError
from tuf.api.metadata import Metadata, Root, Snapshot, Targets, Timestamp
from tuf.api.serialization import DeserializationError

from client import __version__
from client.adapters.http import HttpConfig
from client.adapters.photos import decode_photo
from client.adapters.policy import atomic_write, read_toml
from client.adapters.profile_repository import LIFETIMES, ROLES, ProfileRepository, serve_folder
from client.adapters.profile_source import ProfileSource, read_profile_source
from client.adapters.profile_update import PROFILE_TARGET, RefreshResult, refresh_profile
from client.core.errors import BadResponse
from client.core.profile import Profile, ProfileError, parse_profile, profile_files
from client.core.settings import SettingsLayer, merge
from client.profile_keys import (
    Passphrases,
    PublicOnly,
    SigningKeyError,
    find_keys,
    role_signers,
    write_key,
)

if sys.platform != "win32":
    import fcntl

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

#: The file name the tray reads the trusted root from, beside the policy file.
ROOT_FILE_NAME = "profile-root.json"
#: Taken while a command writes a repository, so the scheduled job never writes at once.
LOCK_FILE = ".admin.lock"

#: The generic Debian package ``admin package`` starts from, and where IT's files go in it.
GENERIC_PACKAGE = "helpdesk-tray"
POLICY_DIR = "etc/helpdesk-tray"
POLICY_FILE_NAME = "policy.toml"

#: ``resign`` signs a new snapshot once less than this is left of the current one.
SNAPSHOT_RESIGN_BEFORE = LIFETIMES[Snapshot.type] / 2
#: ``resign`` and ``verify`` warn this long before the targets (only ``publish`` renews them).
TARGETS_WARN_BEFORE = timedelta(days=14)
#: ... and this long before the root (only ``rotate`` renews it).
ROOT_WARN_BEFORE = timedelta(days=30)


class AdminError(Exception):
    """A command cannot do what was asked; the message says why and what to do."""


class _UsageError(Exception):
    """The command line is wrong (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Raise instead of exiting, so :func:`main` returns the usage exit code."""
        raise _UsageError(f"{self.prog}: {message}")


# --- the repository -------------------------------------------------------------------------


def _open(folder: Path, now: datetime) -> ProfileRepository:
    repo = ProfileRepository(folder, now)
    if not (repo.metadata_dir / "1.root.json").is_file():
        raise AdminError(
            f"{folder} is not a profile repository (no metadata/1.root.json): create one with "
            "helpdesk-tray admin init"
        )
    return repo


@contextmanager
def _writing(folder: Path) -> Iterator[None]:
    """Only one admin command writes a repository at a time (the scheduled job included)."""
    folder.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":  # the scheduled job runs on the web server, not on Windows
        yield
        return
    with open(folder / LOCK_FILE, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise AdminError(
                f"another helpdesk-tray admin command is writing {folder}; try again when it "
                "has finished"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def published_version(repo: ProfileRepository) -> int:
    """The version of the profile the newest targets name (0: none published yet)."""
    info = repo.role(Targets.type).signed.targets.get(PROFILE_TARGET)
    if info is None:
        return 0
    path = repo.targets_dir / f"{info.hashes['sha256']}.{PROFILE_TARGET}"
    try:
        version = json.loads(path.read_bytes())["version"]
        if type(version) is not int:
            raise TypeError("the version is not a whole number")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AdminError(
            f"the published profile ({path}) cannot be read ({error}); the new version must be "
            "higher than its version: restore the repository from its backup"
        ) from error
    return version


def _missing_files(repo: ProfileRepository, targets: Targets) -> list[str]:
    """Files the targets name that are not in the repository as signed (not copied yet)."""
    missing = []
    for path, info in sorted(targets.targets.items()):
        folder, _, name = path.rpartition("/")
        stored = repo.targets_dir / folder / f"{info.hashes['sha256']}.{name}"
        try:
            info.verify_length_and_hashes(stored.read_bytes())
        except (OSError, LengthOrHashMismatchError):
            missing.append(path)
    return missing


def _when(moment: datetime, now: datetime) -> str:
    """``2027-01-05 10:00 UTC (in 3 days)``, or ``(expired 2 hours ago)``."""
    left = moment - now
    seconds = abs(left.total_seconds())
    if seconds >= 2 * 86400:
        amount = _count(round(seconds / 86400), "day")
    elif seconds >= 2 * 3600:
        amount = _count(round(seconds / 3600), "hour")
    else:
        amount = _count(round(seconds / 60), "minute")
    relative = f"in {amount}" if left > timedelta(0) else f"expired {amount} ago"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({relative})"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _contents(profile: Profile, files: int) -> str:
    """``2 departments, 3 agents, 1 article, 2 fixes, 4 files``."""
    fixes = len(profile.fixes)
    return (
        f"{_count(len(profile.departments), 'department')}, "
        f"{_count(len(profile.agents), 'agent')}, {_count(len(profile.articles), 'article')}, "
        f"{fixes} {'fix' if fixes == 1 else 'fixes'}, {_count(files, 'file')}"
    )


def _summary(profile: Profile, source: ProfileSource) -> str:
    size = sum(len(data) for data in source.payload().values())
    return f"{_contents(profile, len(source.files))}, {size / 1024:.0f} KB"


# --- serving a folder for verify -------------------------------------------------------------


@contextmanager
def _served(where: str) -> Iterator[str]:
    """``where`` itself when it is an address, else the folder served on 127.0.0.1."""
    if where.startswith(("https://", "http://")):
        yield where.rstrip("/")
        return
    folder = Path(where)
    if not folder.is_dir():
        raise AdminError(f"{where} is neither a folder nor an http(s):// address")
    with serve_folder(folder) as url:
        yield url


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the line for the report."""
        self.lines.append(record.getMessage())


@contextmanager
def _client_log() -> Iterator[list[str]]:
    """What the client and TUF log during a verification, collected instead of printed."""
    handler = _Collected()
    loggers = [logging.getLogger(name) for name in ("client", "tuf")]
    kept = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield handler.lines
    finally:
        for logger, propagate in zip(loggers, kept, strict=True):
            logger.removeHandler(handler)
            logger.propagate = propagate


#: What an admin does about each refusal (docs/profile.md has the table of causes).
_REFUSAL_HELP = {
    "bad_signature": (
        "Metadata is signed by a key this root does not trust, or was changed after signing. "
        "Check that --root is the root the computers have (export-root), and that no one "
        "edited files on the web server."
    ),
    "rollback": (
        "The web server serves an older version than one already seen, or a snapshot that does "
        "not match the targets: a restore from an old backup, or a copy that overwrote newer "
        "files. Copy the newest repository back (targets/ first, then metadata/)."
    ),
    "tampered": (
        "A file differs from what was signed: a copy to the web server is incomplete or was "
        "changed. Copy the repository again, targets/ first, then metadata/."
    ),
    "unreachable": (
        "Nothing answered: check the address (the folder holding metadata/ and targets/) and "
        "that the web server serves it."
    ),
    "invalid": (
        "The repository holds no profile the tray can read (see above). If none was published "
        "yet: helpdesk-tray admin publish."
    ),
}
_EXPIRED_HELP = {
    Timestamp.type: (
        "The scheduled resign job on the web server has not run: check its cron entry and "
        "the mail it sends, then run helpdesk-tray admin resign there."
    ),
    Snapshot.type: (
        "The scheduled resign job on the web server could not sign a new snapshot: check the "
        "mail it sends, then run helpdesk-tray admin resign there."
    ),
    Targets.type: "Publish again from the admin workstation: helpdesk-tray admin publish.",
    Root.type: "Renew the root with the root keys: helpdesk-tray admin rotate.",
}


# --- the organisation's Debian package ----------------------------------------------------------


def checked_root(path: Path, now: datetime) -> Root:
    """The trusted root in ``path``, or :class:`AdminError` saying why a computer would refuse it.

    A root is a TUF root when it parses as one, is signed by its own threshold
    of root keys (as the tray checks it) and has not expired.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AdminError(f"the trusted root {path} cannot be read: {error.strerror}") from error
    try:
        metadata = Metadata[Root].from_bytes(data)
    except DeserializationError as error:
        raise AdminError(
            f"{path} is not a TUF root ({error}): write it with helpdesk-tray admin export-root"
        ) from error
    root = metadata.signed
    if not isinstance(root, Root):
        raise AdminError(
            f"{path} is TUF {root.type} metadata, not the root: write the root with "
            "helpdesk-tray admin export-root"
        )
    try:
        root.verify_delegate(Root.type, metadata.signed_bytes, metadata.signatures)
    except UnsignedMetadataError as error:
        raise AdminError(
            f"{path} is not signed by enough of its own root keys ({error}): computers would "
            "refuse it. Export it again from the repository (admin export-root)."
        ) from error
    if root.is_expired(now):
        raise AdminError(
            f"the trusted root {path} expired {_when(root.expires, now)}: renew it with "
            "helpdesk-tray admin rotate, then export-root"
        )
    return root


def checked_policy(path: Path) -> dict[str, object]:
    """The policy's values as the tray reads them, or :class:`AdminError` naming each problem."""
    if not path.is_file():
        raise AdminError(f"the policy {path} is not a file")
    values, problems = read_toml(path)
    problems += list(merge([SettingsLayer("IT policy", values, locks=True)]).problems)
    if problems:
        listed = "".join(f"\n  {problem}" for problem in problems)
        raise AdminError(
            f"the tray would not read {path} as written:{listed}\nFix the policy "
            "(the example in /usr/share/doc/helpdesk-tray/examples/policy.toml says what each "
            "key takes)."
        )
    return values


def organisation_name(given: str | None, policy: Mapping[str, object]) -> str:
    """The short name in the package's name and version: ``--org``, or the desk's domain.

    ``https://servicedesk.example.org`` gives ``example``. Only lower-case
    letters and digits: the name ends up in a Debian version, where a ``-``
    would start the revision.
    """
    if given is not None:
        name = given.lower()
        if not re.fullmatch(r"[a-z0-9]{2,30}", name):
            raise _UsageError("--org: 2 to 30 lower-case letters and digits, e.g. acme")
        return name
    host = ""
    url = policy.get("desk.url")
    if isinstance(url, str):
        host = (urlsplit(url).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        host = ""
    except ValueError:
        pass
    labels = host.split(".")
    name = re.sub(r"[^a-z0-9]", "", labels[-2] if len(labels) >= 2 else "")
    if len(name) < 2:
        raise _UsageError(
            "--org: the policy's desk.url names no domain to take the organisation's name from; "
            "give it, e.g. --org acme"
        )
    return name[:30]


def _dpkg_deb(*args: str) -> str:
    """Run ``dpkg-deb``; its output, or :class:`AdminError`."""
    try:
        result = subprocess.run(  # noqa: S603 - a fixed program, our arguments
            ["dpkg-deb", *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise AdminError(
            "admin package needs dpkg-deb: run it on Debian or Ubuntu (apt install dpkg)"
        ) from error
    if result.returncode != 0:
        raise AdminError(f"dpkg-deb {args[0]} failed: {result.stderr.strip()}")
    return result.stdout


def control_fields(text: str) -> dict[str, str]:
    """A Debian control file's fields in order (continuation lines kept in the value)."""
    fields: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and name:
            fields[name] += "\n" + line
        elif ":" in line:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return fields


def organisation_control(generic: Mapping[str, str], org: str, revision: int) -> dict[str, str]:
    """The organisation's package's control fields, made from the generic package's.

    Its own name, so a generic package can never silently replace it, and a
    version above the generic one's; it provides the generic name and takes
    its place on install (Debian Policy 7.6.2).
    """
    if generic.get("Package") != GENERIC_PACKAGE:
        raise AdminError(
            f"the package to start from is {generic.get('Package')!r}, not the generic "
            f"{GENERIC_PACKAGE} package: build from the .deb the project publishes"
        )
    version = generic["Version"]
    fields = dict(generic)
    fields["Package"] = f"{GENERIC_PACKAGE}-{org}"
    fields["Version"] = f"{version}+{org}{revision}"
    fields["Provides"] = f"{GENERIC_PACKAGE} (= {version})"
    fields["Conflicts"] = GENERIC_PACKAGE
    fields["Replaces"] = GENERIC_PACKAGE
    # The generic package's first paragraph says what the app is; its second, that IT is to
    # add what this package carries, which is no longer true.
    summary, _, extended = fields["Description"].partition("\n")
    about = extended.split("\n .\n")[0]
    fields["Description"] = "\n".join(
        line
        for line in (
            f"{summary} ({org})",
            about,
            " .",
            f" This package carries {org}'s IT policy and the trusted root of its signed",
            f" profile, in /etc/{GENERIC_PACKAGE}/.",
        )
        if line
    )
    return fields


def _control_text(fields: Mapping[str, str]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in fields.items())


def build_organisation_package(
    generic: Path, added: Mapping[str, Path], org: str, revision: int, out: Path | None
) -> tuple[Path, dict[str, str]]:
    """The generic package with ``added`` (name -> file) in /etc/helpdesk-tray as conffiles.

    Written to ``out`` (a file or a folder; by default here, by the package's
    name); returns where it went and its control fields.
    """
    if not generic.is_file():
        raise AdminError(f"the generic package {generic} is not a file")
    with tempfile.TemporaryDirectory(prefix="helpdesk-tray-package-") as work:
        tree = Path(work) / "root"
        _dpkg_deb("--raw-extract", str(generic), str(tree))
        debian = tree / "DEBIAN"
        fields = organisation_control(
            control_fields((debian / "control").read_text(encoding="utf-8")), org, revision
        )
        folder = tree / POLICY_DIR
        if not folder.is_dir() or any(folder.iterdir()):
            raise AdminError(f"{generic} has no empty /{POLICY_DIR}: start from the generic one")
        for name, source in added.items():
            shutil.copyfile(source, folder / name)
            (folder / name).chmod(0o644)  # the tray reads them as the employee
        kib = sum(((folder / name).stat().st_size + 1023) // 1024 for name in added)
        fields["Installed-Size"] = str(int(fields.get("Installed-Size", "0")) + kib)
        (debian / "control").write_text(_control_text(fields), encoding="utf-8")
        conffiles = debian / "conffiles"
        listed = conffiles.read_text(encoding="utf-8") if conffiles.exists() else ""
        listed += "".join(f"/{POLICY_DIR}/{name}\n" for name in added)
        conffiles.write_text(listed, encoding="utf-8")
        name = f"{fields['Package']}_{fields['Version']}_{fields.get('Architecture', 'all')}.deb"
        target = out or Path(name)
        if target.is_dir():
            target = target / name
        built = Path(work) / name
        # Packed as tools/build_deb.py packs the generic package (xz, level 1).
        _dpkg_deb("--root-owner-group", "-Zxz", "-z1", "--build", str(tree), str(built))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(built, target)
    return target, fields


def _default_generic_deb() -> Path:
    """The generic package of this version in the current folder or ``dist/``."""
    for folder in (Path("."), Path("dist")):
        found = sorted(folder.glob(f"{GENERIC_PACKAGE}_{__version__}_*.deb"))
        if found:
            return found[0]
    raise AdminError(
        f"no {GENERIC_PACKAGE}_{__version__}_*.deb here or in dist/: give the generic "
        "package with --deb"
    )


# --- the commands -------------------------------------------------------------------------------


class _Admin:
    """The admin commands; each returns the exit code."""

    def __init__(self, out: TextIO, err: TextIO, passphrases: Passphrases) -> None:
        self._out = out
        self._err = err
        self._passphrases = passphrases

    def _say(self, text: str = "") -> None:
        self._out.write(text + "\n")

    def _warn(self, text: str) -> None:
        self._err.write(f"warning: {text}\n")

    def _problems(self, problems: Sequence[str], heading: str) -> None:
        if problems:
            self._say(heading)
            for problem in problems:
                self._say(f"  {problem}")

    def init_keys(self, args: argparse.Namespace) -> int:
        folder: Path = args.folder
        roles: list[str] = args.roles
        if args.root_keys < 1:
            raise _UsageError("--root-keys: at least 1")
        names = [
            (f"root-{n}.pem" if role == Root.type else f"{role}.pem", role)
            for role in roles
            for n in (range(1, args.root_keys + 1) if role == Root.type else [0])
        ]
        taken = [name for name, _ in names if (folder / name).exists()]
        if taken:
            raise AdminError(
                f"{folder} already holds {', '.join(taken)}: keys are never overwritten. "
                "Choose an empty folder."
            )
        plain = {Snapshot.type, Timestamp.type} if args.unencrypted_online_keys else set()
        passphrase = self._passphrases.new() if any(r not in plain for _, r in names) else None
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        keys = [
            write_key(folder / name, role, None if role in plain else passphrase)
            for name, role in names
        ]
        self._say(f"New keys in {folder}:")
        for key in keys:
            protection = "encrypted" if key.encrypted else "NOT encrypted (for the web server)"
            self._say(f"  {key.path.name:<16} {key.role:<10} {key.keyid[:16]}  {protection}")
        self._say()
        self._say(
            "Next, before the keys go their separate ways: helpdesk-tray admin init (a new "
            "repository) or admin rotate --new-keys (replacing keys). Then each root key on its "
            "own offline medium, targets.pem on the admin workstation, snapshot.pem and "
            "timestamp.pem on the web server for the resign job (docs/admin-guide.md, "
            "'Keys: who holds what')."
        )
        return EXIT_OK

    def init(self, args: argparse.Namespace) -> int:
        folder: Path = args.repository
        if (folder / "metadata" / "1.root.json").exists():
            raise AdminError(
                f"{folder} is a profile repository already: publish to it (admin publish), or "
                "choose an empty folder"
            )
        keys = find_keys(args.keys)
        by_role = {role: [key for key in keys if key.role == role] for role in ROLES}
        for role, found in by_role.items():
            if not found:
                raise AdminError(
                    f"no {role} key in {', '.join(map(str, args.keys))}: make them with "
                    "helpdesk-tray admin init-keys"
                )
            if role != Root.type and len(found) > 1:
                raise AdminError(
                    f"{len(found)} {role} keys found ({', '.join(str(k.path) for k in found)}): "
                    "give the one folder init-keys made"
                )
        roots = len(by_role[Root.type])
        threshold = args.root_threshold or roots // 2 + 1
        if not 1 <= threshold <= roots:
            raise _UsageError(f"--root-threshold: between 1 and the {roots} root keys")
        signers = {
            role: [self._passphrases.unlock(key) for key in found]
            for role, found in by_role.items()
        }
        with _writing(folder):
            repo = ProfileRepository(folder, args.now)
            repo.create(signers, {Root.type: threshold})
        self._say(
            f"Repository created in {folder}: root version 1, signed by all {roots} root keys; "
            f"{threshold} of them sign each new root."
        )
        self._say(
            f"Next: helpdesk-tray admin export-root {folder} {ROOT_FILE_NAME}, and helpdesk-tray "
            f"admin publish {folder} --keys ... --source YOUR-PROFILE-FOLDER."
        )
        return EXIT_OK

    def check(self, args: argparse.Namespace) -> int:
        source = read_profile_source(args.source)
        self._problems(source.problems, f"Problems in {args.source}:")
        if source.problems:
            self._say("The tray leaves these parts out. Fix them before publishing.")
            return EXIT_FAILED
        self._say(f"No problems: {_summary(parse_profile(source.document), source)}.")
        return EXIT_OK

    def publish(self, args: argparse.Namespace) -> int:
        repo = _open(args.repository, args.now)
        version = published_version(repo) + 1
        source = read_profile_source(args.source, version)
        if source.problems:
            self._problems(source.problems, f"Problems in {args.source}:")
            if not args.force:
                self._say(
                    "Nothing was published. Fix the problems, or publish anyway with --force "
                    "(the tray then leaves those parts out, as listed)."
                )
                return EXIT_FAILED
        root = repo.root().signed
        keys = find_keys(args.keys)
        targets_keys = role_signers(Targets.type, root, keys, self._passphrases, args.keys)
        online = [
            [key for key in keys if key.keyid in root.roles[role].keyids]
            for role in (Snapshot.type, Timestamp.type)
        ]
        with _writing(repo.folder):
            if all(online):
                snapshot_keys = role_signers(
                    Snapshot.type, root, keys, self._passphrases, args.keys
                )
                timestamp_keys = role_signers(
                    Timestamp.type, root, keys, self._passphrases, args.keys
                )
                targets_version = repo.publish(
                    source.payload(), targets_keys, snapshot_keys, timestamp_keys
                )
                timestamp = repo.role(Timestamp.type).signed
                live = f"Live now: the timestamp expires {_when(timestamp.expires, repo.now)}."
            else:
                targets_version = repo.publish_targets(source.payload(), targets_keys)
                live = (
                    "Not live yet: the web server's resign job makes it live on its next run "
                    "(or run helpdesk-tray admin resign there now)."
                )
        expires = repo.role(Targets.type).signed.expires
        self._say(
            f"Published profile version {version} (targets version {targets_version}): "
            f"{_summary(parse_profile(source.document), source)}."
        )
        if source.problems:
            self._say("Published with the problems above (--force): the tray leaves those out.")
        self._say(f"Its signature expires {_when(expires, repo.now)}: publish again before then.")
        self._say(live)
        return EXIT_OK

    def resign(self, args: argparse.Namespace) -> int:
        repo = _open(args.repository, args.now)
        now = repo.now
        root = repo.root().signed
        keys = find_keys(args.keys)
        failures: list[str] = []
        if root.expires <= now:
            failures.append(
                f"the root expired {_when(root.expires, now)}: computers refuse every update. "
                "Renew it with the root keys (helpdesk-tray admin rotate)."
            )
        elif root.expires - now < ROOT_WARN_BEFORE:
            self._warn(f"the root expires {_when(root.expires, now)}: renew it (admin rotate)")
        targets = repo.role(Targets.type).signed
        snapshot = repo.role(Snapshot.type).signed
        live = snapshot.meta["targets.json"].version
        new_snapshot = snapshot.expires - now < SNAPSHOT_RESIGN_BEFORE
        if targets.version != live:  # published from the workstation since the last run
            missing = _missing_files(repo, targets)
            if missing:
                failures.append(
                    f"targets version {targets.version} names files this server does not have "
                    f"as signed ({', '.join(missing[:5])}): it is not made live. Copy targets/ "
                    "completely, then metadata/, and run resign again."
                )
                if new_snapshot:
                    failures.append("so the snapshot, near its expiry, could not be renewed")
                new_snapshot = False
            else:
                new_snapshot = True
        served = (
            targets
            if new_snapshot
            else Metadata[Targets].from_file(str(repo.metadata_dir / f"{live}.targets.json")).signed
        )
        if served.expires <= now:
            failures.append(
                f"the profile's signature (targets version {served.version}) expired "
                f"{_when(served.expires, now)}: computers refuse it. Publish again from the admin "
                "workstation (admin publish)."
            )
        elif served.expires - now < TARGETS_WARN_BEFORE:
            self._warn(
                f"the profile's signature (targets) expires {_when(served.expires, now)}; only "
                "publishing renews it (admin publish, from the admin workstation)"
            )
        timestamp_keys = role_signers(Timestamp.type, root, keys, self._passphrases, args.keys)
        with _writing(repo.folder):
            if new_snapshot:
                try:
                    snapshot_keys = role_signers(
                        Snapshot.type, root, keys, self._passphrases, args.keys
                    )
                except SigningKeyError as error:
                    failures.append(str(error))
                    repo.resign_timestamp(timestamp_keys)
                else:
                    repo.publish_snapshot(snapshot_keys, timestamp_keys)
                    signed = repo.role(Snapshot.type).signed
                    self._say(
                        f"Snapshot version {signed.version} signed (targets version "
                        f"{signed.meta['targets.json'].version} live), expires "
                        f"{_when(signed.expires, now)}."
                    )
            else:
                repo.resign_timestamp(timestamp_keys)
        timestamp = repo.role(Timestamp.type).signed
        self._say(
            f"Timestamp version {timestamp.version} signed, "
            f"expires {_when(timestamp.expires, now)}."
        )
        for failure in failures:
            self._err.write(f"error: {failure}\n")
        return EXIT_FAILED if failures else EXIT_OK

    def rotate(self, args: argparse.Namespace) -> int:
        repo = _open(args.repository, args.now)
        current = repo.root().signed
        keys = find_keys(args.keys)
        fresh = find_keys([args.new_keys]) if args.new_keys else []
        fresh_by_role = {role: [k for k in fresh if k.role == role] for role in ROLES}
        root_rotated = bool(fresh_by_role[Root.type])
        count = (
            len(fresh_by_role[Root.type]) if root_rotated else len(current.roles[Root.type].keyids)
        )
        threshold = args.root_threshold or (
            count // 2 + 1 if root_rotated else current.roles[Root.type].threshold
        )
        if not 1 <= threshold <= count:
            raise _UsageError(f"--root-threshold: between 1 and the {count} root keys")
        old_threshold = current.roles[Root.type].threshold
        root_signers = role_signers(
            Root.type,
            current,
            keys,
            self._passphrases,
            args.keys,
            old_threshold if root_rotated else max(old_threshold, threshold),
        )
        new_keys: dict[str, list[Signer]] = {}
        thresholds = {Root.type: threshold}
        for role in ROLES:
            if fresh_by_role[role]:
                signers = [self._passphrases.unlock(key) for key in fresh_by_role[role]]
                new_keys[role] = [*signers]
                if role == Root.type:
                    root_signers += signers[:threshold]
                continue
            if role == Root.type:
                new_keys[role] = [PublicOnly(current.keys[k]) for k in current.roles[role].keyids]
                continue
            kept = current.roles[role]
            new_keys[role] = role_signers(
                role, current, keys, self._passphrases, args.keys, len(kept.keyids)
            )
            thresholds[role] = kept.threshold
        with _writing(repo.folder):
            version = repo.rotate_root(new_keys, thresholds, root_signers)
        changed = [role for role in ROLES if fresh_by_role[role]]
        self._say(
            f"Root version {version} written ({', '.join(changed) or 'no'} keys replaced; "
            f"{threshold} of {count} root keys sign the next root), expires "
            f"{_when(repo.root().signed.expires, repo.now)}. Computers holding an older root "
            "accept it."
        )
        if {Snapshot.type, Timestamp.type} & set(changed):
            self._say(
                "Install the new snapshot.pem and timestamp.pem on the web server now: its "
                "resign job fails with the old ones."
            )
        self._say(f"New computers: install the new root (admin export-root ... {ROOT_FILE_NAME}).")
        return EXIT_OK

    def export_root(self, args: argparse.Namespace) -> int:
        repo = _open(args.repository, datetime.now(UTC))
        target: Path = args.out
        if target.is_dir():
            target = target / ROOT_FILE_NAME
        root = repo.root()
        atomic_write(target, (repo.metadata_dir / f"{root.signed.version}.root.json").read_bytes())
        self._say(
            f"Root version {root.signed.version} written to {target}. Install it as "
            f"{ROOT_FILE_NAME} beside the policy file: /etc/helpdesk-tray/ (Linux), "
            "%ProgramData%\\helpdesk-tray\\ (Windows), /Library/Application Support/"
            "helpdesk-tray/ (macOS)."
        )
        return EXIT_OK

    def package(self, args: argparse.Namespace) -> int:
        if args.revision < 1:
            raise _UsageError("--revision: 1 or more")
        now = datetime.now(UTC)
        root = checked_root(args.root, now)
        policy = checked_policy(args.policy)
        org = organisation_name(args.org, policy)
        generic: Path = args.deb or _default_generic_deb()
        out, fields = build_organisation_package(
            generic, {POLICY_FILE_NAME: args.policy, ROOT_FILE_NAME: args.root}, org,
            args.revision, args.out,
        )  # fmt: skip
        self._say(f"Built {out}: {fields['Package']} {fields['Version']}, from {generic.name}.")
        self._say(
            f"  /{POLICY_DIR}/{ROOT_FILE_NAME}: root version {root.version}, expires "
            f"{_when(root.expires, now)}."
        )
        locked = ", ".join(sorted(policy)) or "no key"
        self._say(f"  /{POLICY_DIR}/{POLICY_FILE_NAME}: locks {locked}.")
        if "profile.url" not in policy:
            self._warn(
                "the policy sets no profile.url: the tray fetches no profile, and the root is "
                "not used until it does"
            )
        if "desk.url" not in policy:
            self._warn("the policy sets no desk.url: every employee types the desk's address")
        self._say(
            f"Install it with apt install ./{out.name}: it takes the place of {GENERIC_PACKAGE}. "
            f"Where a {POLICY_FILE_NAME} or {ROOT_FILE_NAME} was put in by hand, dpkg asks "
            "which to keep: remove them first, or install with -o Dpkg::Options::=--force-confnew."
        )
        self._say(f"dpkg --purge {fields['Package']} removes the root and the policy with it.")
        return EXIT_OK

    def verify(self, args: argparse.Namespace) -> int:
        try:
            trusted_root = Path(args.root).read_bytes()
        except OSError as error:
            raise AdminError(
                f"the trusted root {args.root} cannot be read: {error.strerror}"
            ) from error
        with (
            _served(args.repository) as url,
            tempfile.TemporaryDirectory(prefix="helpdesk-tray-verify-") as cache,
            _client_log() as logged,
        ):
            result = refresh_profile(
                url,
                trusted_root,
                Path(cache),
                HttpConfig(),
                time.time,
                lambda document: profile_files(parse_profile(document)),
            )
            code = self._verified(result, Path(cache) / "metadata", url)
        self._problems(logged, "The client logged:")
        return code

    def _verified(self, result: RefreshResult, metadata: Path, url: str) -> int:
        now = datetime.now(UTC)
        if result.refusal is not None or result.profile is None:
            refusal = result.refusal
            code, role, detail = (
                (refusal.code, refusal.role, refusal.detail) if refusal else ("invalid", "", "")
            )
            self._say(f"REFUSED: {code}{f' ({role})' if role else ''}: {detail}")
            self._say(
                _EXPIRED_HELP.get(role, "") if code == "expired" else _REFUSAL_HELP.get(code, "")
            )
            self._say("Computers keep their last good profile (docs/admin-guide.md, 'Expiry').")
            return EXIT_FAILED
        profile = parse_profile(result.profile.document)
        self._say(f"Accepted: profile version {profile.version} from {url}.")
        self._say(f"  {_contents(profile, len(result.profile.files))}.")
        self._say("Signatures:")
        for role in ROLES:
            path = metadata / f"{role}.json"
            if not path.exists():
                continue
            signed = Metadata[Any].from_file(str(path)).signed
            self._say(
                f"  {role:<10} version {signed.version:<6} expires {_when(signed.expires, now)}"
            )
            soon = {Targets.type: TARGETS_WARN_BEFORE, Root.type: ROOT_WARN_BEFORE}.get(role)
            if soon is not None and signed.expires - now < soon:
                self._warn(f"{role} expires soon: {_EXPIRED_HELP[role]}")
        problems = list(profile.problems)
        for agent in profile.agents.values():
            data = result.profile.read(agent.photo) if agent.photo else None
            if data is None:
                continue
            try:
                decode_photo(data, 160)
            except BadResponse as error:
                problems.append(f"{agent.id}: the photo is not shown: {error.detail}")
        self._problems(problems, "Problems (the tray leaves these parts out):")
        if result.missing:
            self._problems(result.missing, "Files the tray could not fetch (left out):")
            return EXIT_FAILED
        return EXIT_OK


# --- the command line -------------------------------------------------------------------------


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date and time: {text!r}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _roles(text: str) -> list[str]:
    roles = [role.strip() for role in text.split(",") if role.strip()]
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise argparse.ArgumentTypeError(f"roles are {', '.join(ROLES)}, comma-separated")
    return roles


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="helpdesk-tray admin",
        description="IT's side of the signed profile: keys, publishing and checking "
        "(docs/admin-guide.md).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: str, text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        return sub

    def repository(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("repository", type=Path, metavar="REPOSITORY", help="the served folder")

    def signing(name: str, text: str) -> argparse.ArgumentParser:
        """A command that signs a repository: with its keys (and a hidden --now)."""
        sub = command(name, name, text)
        repository(sub)
        sub.add_argument(
            "--keys",
            action="append",
            type=Path,
            required=True,
            metavar="FOLDER",
            help="a folder of key files; repeat it for keys on several media",
        )
        sub.add_argument("--now", type=_moment, default=None, help=argparse.SUPPRESS)
        return sub

    def root_threshold(sub: argparse.ArgumentParser, text: str) -> None:
        sub.add_argument("--root-threshold", type=int, metavar="N", help=text)

    sub = command("init-keys", "init_keys", "make new signing keys, one file each (mode 0600)")
    sub.add_argument("folder", type=Path, metavar="FOLDER", help="where to write them (new)")
    sub.add_argument(
        "--root-keys", type=int, default=3, metavar="N", help="how many root keys (default 3)"
    )
    sub.add_argument(
        "--roles",
        type=_roles,
        default=list(ROLES),
        metavar="ROLES",
        help="only these roles, e.g. snapshot,timestamp (default: all four)",
    )
    sub.add_argument(
        "--unencrypted-online-keys",
        action="store_true",
        help="write snapshot.pem and timestamp.pem without a passphrase, for the web "
        "server's scheduled resign job",
    )
    sub = signing("init", "create a repository: root version 1 and empty targets")
    root_threshold(sub, "root keys needed to sign a new root (default: a majority, 2 of 3)")
    sub = command("check", "check", "read a profile folder and name every problem in it")
    sub.add_argument("source", type=Path, metavar="FOLDER", help="the profile folder")
    sub = signing("publish", "build the profile from a folder, sign and publish it")
    sub.add_argument(
        "--source", type=Path, required=True, metavar="FOLDER", help="the profile folder"
    )
    sub.add_argument(
        "--force", action="store_true", help="publish even with problems (those parts left out)"
    )
    signing("resign", "renew the timestamp (and snapshot): run it from cron every hour")
    sub = signing("rotate", "write a new root: renew it, or replace keys (--new-keys)")
    sub.add_argument(
        "--new-keys",
        type=Path,
        metavar="FOLDER",
        help="keys made by init-keys that replace the current ones of their roles",
    )
    root_threshold(sub, "root keys needed to sign the next root")
    sub = command("verify", "verify", "verify a repository as a computer would")
    sub.add_argument(
        "repository", metavar="URL_OR_FOLDER", help="the profile's address, or the folder itself"
    )
    sub.add_argument(
        "--root", type=Path, required=True, metavar="FILE", help="the trusted root computers have"
    )
    sub = command(
        "export-root", "export_root", f"write the newest root, to install as {ROOT_FILE_NAME}"
    )
    repository(sub)
    sub.add_argument("out", type=Path, metavar="OUT", help="a file, or a folder")
    sub = command(
        "package",
        "package",
        "build the organisation's own Debian package: the generic one with its trusted root "
        f"and policy in /{POLICY_DIR}/",
    )
    sub.add_argument(
        "--root", type=Path, required=True, metavar="ROOT.json", help="the trusted root"
    )
    sub.add_argument(
        "--policy", type=Path, required=True, metavar="POLICY.toml", help="the IT policy"
    )
    sub.add_argument(
        "--out", type=Path, metavar="FILE", help="the package to write (default: here, by name)"
    )
    sub.add_argument(
        "--deb",
        type=Path,
        metavar="FILE",
        help=f"the generic package (default: {GENERIC_PACKAGE}_{__version__}_*.deb here or in "
        "dist/)",
    )
    sub.add_argument(
        "--org",
        metavar="NAME",
        help="the organisation's short name in the package's name and version (default: from "
        "the desk's domain)",
    )
    sub.add_argument(
        "--revision",
        type=int,
        default=1,
        metavar="N",
        help="raise it for a new package of the same version (a changed policy or root)",
    )
    return parser


def main(
    argv: Sequence[str],
    environ: Mapping[str, str] = os.environ,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    prompt: Callable[[str], str] | None = None,
) -> int:
    """``helpdesk-tray admin``: 0 done, 1 failed (the message says why), 2 usage."""
    parser = _parser()
    try:
        args = parser.parse_args(list(argv))
    except _UsageError as error:
        err.write(f"{error}\n")
        return EXIT_USAGE
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(err)
        return EXIT_USAGE
    if getattr(args, "now", False) is None:
        args.now = datetime.now(UTC)
    admin = _Admin(out, err, Passphrases(environ, prompt))
    try:
        code: int = getattr(admin, args.handler)(args)
    except _UsageError as error:
        err.write(f"helpdesk-tray admin {args.command}: {error}\n")
        return EXIT_USAGE
    except (AdminError, SigningKeyError) as error:
        err.write(f"error: {error}\n")
        return EXIT_FAILED
    except (DeserializationError, RepositoryError, ProfileError) as error:
        err.write(f"error: the repository cannot be read: {error}\n")
        return EXIT_FAILED
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        err.write(f"error: {where}{error.strerror or error}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.write("interrupted; nothing more was written\n")
        return EXIT_FAILED
    return code
