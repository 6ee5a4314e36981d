"""The last verified profile, kept in the user's cache folder (standard library only).

``last-good.json`` holds the document and when it was verified; its files
(photos, the logo, article bodies) sit beside it in ``files/`` under their
SHA-256, each written whole. The profile helper writes it after a verified
update (``client/adapters/profile_update.py``); the tray reads it, the
document at start and a file when it is shown.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client.adapters.policy import atomic_write

logger = logging.getLogger(__name__)

LAST_GOOD = "last-good.json"
FILES = "files"
AVATARS = "avatars"


@dataclass(frozen=True)
class ProfileCopy:
    """A verified profile kept on disk: the document, its files, when it was verified.

    ``files`` maps each target path to the SHA-256 of its content, stored in
    ``folder/files`` under that hash; :meth:`read` loads one when it is shown
    (an idle tray holds the document, not every photo).
    """

    document: dict[str, Any]
    verified_at: float
    files: dict[str, str] = field(default_factory=dict)
    folder: Path = Path()

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or ``None`` (not kept, gone, or not what was verified)."""
        digest = self.files.get(path)
        if digest is None:
            return None
        try:
            data = (self.folder / FILES / digest).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == digest else None

    def avatar(self, agent_id: str) -> bytes | None:
        """The agent's photo as the helper prepared it (a small square PNG), or ``None``."""
        if not agent_id.replace("-", "").replace("_", "").isalnum():
            return None  # ids are checked when read; this keeps the path inside the folder
        try:
            return (self.folder / AVATARS / f"{agent_id}.png").read_bytes()
        except OSError:
            return None


def save_avatars(folder: Path, avatars: dict[str, bytes]) -> None:
    """Keep the agents' prepared photos (agent id → PNG); the others are removed."""
    target = folder / AVATARS
    target.mkdir(parents=True, exist_ok=True)
    for agent_id, png in avatars.items():
        atomic_write(target / f"{agent_id}.png", png)
    for stale in {p.name for p in target.iterdir()} - {f"{a}.png" for a in avatars}:
        (target / stale).unlink(missing_ok=True)


class ProfileStore:
    """The last verified profile in the user's cache folder: ``last-good.json`` and ``files/``."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._path = folder / LAST_GOOD

    def load(self) -> ProfileCopy | None:
        """The last good profile, or ``None`` (none yet, or the file is damaged)."""
        try:
            data = json.loads(self._path.read_bytes())
            files = {str(k): str(v) for k, v in dict(data["files"]).items()}
            return ProfileCopy(
                dict(data["document"]), float(data["verified_at"]), files, self._folder
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            logger.warning("the kept profile could not be read (%s); waiting for a new one", error)
            return None

    def save(
        self, document: dict[str, Any], files: dict[str, bytes], verified_at: float
    ) -> ProfileCopy:
        """Keep this profile as the last good one: its files first, then the document, each whole.

        Files no longer named are removed afterwards.
        """
        folder = self._folder / FILES
        folder.mkdir(parents=True, exist_ok=True)
        digests = {}
        for path, data in files.items():
            digest = hashlib.sha256(data).hexdigest()
            atomic_write(folder / digest, data)
            digests[path] = digest
        record = {"document": document, "files": digests, "verified_at": verified_at}
        atomic_write(self._path, json.dumps(record).encode())
        for stale in set(p.name for p in folder.iterdir()) - set(digests.values()):
            (folder / stale).unlink(missing_ok=True)
        return ProfileCopy(document, verified_at, digests, self._folder)
