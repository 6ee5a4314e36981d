"""The IT side of the signed profile: a TUF repository in a plain folder any web server serves.

``metadata/`` holds the signed roles (``N.root.json`` for every root version,
``N.targets.json``, ``N.snapshot.json``, ``timestamp.json``); ``targets/``
holds the profile's files under their hash (``<sha256>.<name>``: consistent
snapshots, so a client never mixes files of two publications while the web
server is being updated). Built on python-tuf's metadata API; the keys are
``securesystemslib`` signers (docs/profile.md, key custody).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from securesystemslib.signer import Signer
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from client.adapters.policy import atomic_write

#: How long each role's signature holds by default (re-signed well before, by the cron job).
LIFETIMES = {
    Root.type: timedelta(days=365),
    Targets.type: timedelta(days=90),
    Snapshot.type: timedelta(days=7),
    Timestamp.type: timedelta(days=1),
}
ROLES = (Root.type, Targets.type, Snapshot.type, Timestamp.type)
_SERIALIZER = JSONSerializer(compact=False)


class ProfileRepository:
    """One organisation's profile repository in ``folder``.

    ``now`` is when signatures are made (tests pass another moment).
    """

    def __init__(self, folder: Path, now: datetime | None = None) -> None:
        self.folder = folder
        self.now = now or datetime.now(UTC)

    @property
    def metadata_dir(self) -> Path:
        """Where the signed roles are."""
        return self.folder / "metadata"

    @property
    def targets_dir(self) -> Path:
        """Where the profile's files are, under their hash."""
        return self.folder / "targets"

    def _expiry(self, role: str, lifetime: timedelta | None = None) -> datetime:
        return (self.now + (lifetime or LIFETIMES[role])).replace(microsecond=0)

    # --- reading ------------------------------------------------------------------------

    def root(self) -> Metadata[Root]:
        """The newest root."""
        versions = sorted(int(p.name.split(".")[0]) for p in self.metadata_dir.glob("*.root.json"))
        return Metadata[Root].from_file(str(self.metadata_dir / f"{versions[-1]}.root.json"))

    def role(self, role: str) -> Metadata[Any]:
        """The newest targets, snapshot or timestamp."""
        if role == Timestamp.type:
            return Metadata[Timestamp].from_file(str(self.metadata_dir / "timestamp.json"))
        versions = sorted(
            int(p.name.split(".")[0]) for p in self.metadata_dir.glob(f"*.{role}.json")
        )
        return Metadata.from_file(str(self.metadata_dir / f"{versions[-1]}.{role}.json"))

    # --- writing ------------------------------------------------------------------------

    def create(self, keys: Mapping[str, Sequence[Signer]], thresholds: Mapping[str, int]) -> None:
        """A new repository: root version 1 naming ``keys`` for each role, and empty targets.

        ``keys`` maps each role to its signers; ``thresholds`` how many must sign.
        """
        root = Root(expires=self._expiry(Root.type), consistent_snapshot=True)
        for role in ROLES:
            for signer in keys[role]:
                root.add_key(signer.public_key, role)
            root.roles[role].threshold = thresholds.get(role, 1)
        metadata = Metadata(root)
        for signer in keys[Root.type]:
            metadata.sign(signer, append=True)
        atomic_write(self.metadata_dir / "1.root.json", metadata.to_bytes(_SERIALIZER))
        targets = Metadata(Targets(expires=self._expiry(Targets.type)))
        self._sign_and_write(targets, keys[Targets.type])
        self.publish_snapshot(keys[Snapshot.type], keys[Timestamp.type])

    def publish(
        self,
        files: Mapping[str, bytes],
        targets_keys: Sequence[Signer],
        snapshot_keys: Sequence[Signer],
        timestamp_keys: Sequence[Signer],
    ) -> int:
        """Publish ``files`` (target path → content) as the new profile; its targets version.

        Every file is written under its hash first, then the targets, snapshot
        and timestamp roles, in that order: a client reading at any moment
        sees the old publication or the new one, never a mix.
        """
        version = self.publish_targets(files, targets_keys)
        self.publish_snapshot(snapshot_keys, timestamp_keys)
        return version

    def publish_targets(self, files: Mapping[str, bytes], targets_keys: Sequence[Signer]) -> int:
        """Sign ``files`` as the next targets version, not live yet; that version.

        Clients see it once :meth:`publish_snapshot` names it: where the
        snapshot and timestamp keys live on the web server only, its
        scheduled job does that (``helpdesk-tray admin resign``).
        """
        targets: Metadata[Targets] = self.role(Targets.type)
        targets.signed.targets = {}
        for path, data in sorted(files.items()):
            info = TargetFile.from_data(path, data, ["sha256"])
            digest = info.hashes["sha256"]
            folder, _, name = path.rpartition("/")
            stored = self.targets_dir / folder / f"{digest}.{name}"
            atomic_write(stored, data)
            targets.signed.targets[path] = info
        targets.signed.version += 1
        targets.signed.expires = self._expiry(Targets.type)
        self._sign_and_write(targets, targets_keys)
        return targets.signed.version

    def publish_snapshot(
        self, snapshot_keys: Sequence[Signer], timestamp_keys: Sequence[Signer]
    ) -> None:
        """A new snapshot of the current targets, and a new timestamp for it."""
        targets = self.role(Targets.type)
        try:
            snapshot: Metadata[Snapshot] = self.role(Snapshot.type)
            snapshot.signed.version += 1
        except (IndexError, FileNotFoundError):
            snapshot = Metadata(Snapshot())
        snapshot.signed.meta = {"targets.json": MetaFile(version=targets.signed.version)}
        snapshot.signed.expires = self._expiry(Snapshot.type)
        self._sign_and_write(snapshot, snapshot_keys)
        self.resign_timestamp(timestamp_keys)

    def resign_timestamp(
        self, timestamp_keys: Sequence[Signer], lifetime: timedelta | None = None
    ) -> None:
        """A new timestamp for the current snapshot (the cron job: run it daily or more)."""
        snapshot = self.role(Snapshot.type)
        path = self.metadata_dir / "timestamp.json"
        version = (
            Metadata[Timestamp].from_file(str(path)).signed.version + 1 if path.exists() else 1
        )
        timestamp = Metadata(
            Timestamp(
                version=version,
                expires=self._expiry(Timestamp.type, lifetime),
                snapshot_meta=MetaFile(version=snapshot.signed.version),
            )
        )
        for signer in timestamp_keys:
            timestamp.sign(signer, append=True)
        atomic_write(path, timestamp.to_bytes(_SERIALIZER))

    def rotate_root(
        self,
        new_keys: Mapping[str, Sequence[Signer]],
        thresholds: Mapping[str, int],
        root_signers: Sequence[Signer],
    ) -> int:
        """A new root naming ``new_keys``, signed by ``root_signers``; its version.

        Clients accept the new root only when ``root_signers`` hold a threshold
        of the old root keys **and** of the new ones. The other roles are then
        re-signed with their (possibly new) keys.
        """
        root = self.root().signed
        for role in ROLES:
            for keyid in list(root.roles[role].keyids):
                root.revoke_key(keyid, role)
            for signer in new_keys[role]:
                root.add_key(signer.public_key, role)
            root.roles[role].threshold = thresholds.get(role, 1)
        root.version += 1
        root.expires = self._expiry(Root.type)
        metadata = Metadata(root)
        for signer in root_signers:
            metadata.sign(signer, append=True)
        atomic_write(
            self.metadata_dir / f"{root.version}.root.json", metadata.to_bytes(_SERIALIZER)
        )
        targets: Metadata[Targets] = self.role(Targets.type)
        targets.signed.version += 1
        targets.signed.expires = self._expiry(Targets.type)
        self._sign_and_write(targets, new_keys[Targets.type])
        self.publish_snapshot(new_keys[Snapshot.type], new_keys[Timestamp.type])
        return root.version

    def _sign_and_write(self, metadata: Metadata[Any], keys: Sequence[Signer]) -> None:
        metadata.signatures.clear()
        for signer in keys:
            metadata.sign(signer, append=True)
        role = metadata.signed.type
        atomic_write(
            self.metadata_dir / f"{metadata.signed.version}.{role}.json",
            metadata.to_bytes(_SERIALIZER),
        )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """No access log (an admin's terminal, a test's output)."""


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (any free port) while the block runs; yields its base URL.

    Serves files as they are, as any web server serves the repository:
    ``admin verify`` checks a folder this way, and the demo and tests serve
    their repositories with it. The server stops when the block ends.
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
