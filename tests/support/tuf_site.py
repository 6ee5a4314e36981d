"""A signed profile site for tests: a real TUF repository, served on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from securesystemslib.signer import CryptoSigner, Signer

from client.adapters.http import HttpConfig
from client.adapters.profile_repository import ROLES, ProfileRepository
from client.adapters.profile_update import PROFILE_TARGET, RefreshResult, refresh_profile
from demo.profile_site import serve_profile

PHOTO = "agents/joost.png"
ARTICLE = "articles/vpn.nl.md"
NOW = 1_800_000_000.0


def profile_document(version: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "version": version,
        "agents": [{"id": "joost", "name": "Joost Bakker", "photo": PHOTO}],
        **extra,
    }


def files_of(document: dict[str, Any]) -> list[str]:
    names = [a.get("photo") for a in document.get("agents", [])]
    names += [a.get("body") for a in document.get("articles", [])]
    return [n for n in names if isinstance(n, str)]


@dataclass
class Site:
    """IT's repository, its keys, the web server serving it, and one employee's cache."""

    repo: ProfileRepository
    keys: dict[str, list[Signer]]
    url: str
    cache: Path
    trusted_root: bytes

    def publish(self, document: dict[str, Any], files: dict[str, bytes]) -> None:
        payload = {PROFILE_TARGET: json.dumps(document).encode(), **files}
        self.repo.publish(
            payload, self.keys["targets"], self.keys["snapshot"], self.keys["timestamp"]
        )

    def refresh(self) -> RefreshResult:
        return refresh_profile(
            self.url,
            self.trusted_root,
            self.cache,
            HttpConfig(total_timeout=10.0, retries=0),
            lambda: NOW,
            files_of,
        )

    def metadata(self, name: str) -> Path:
        return self.repo.metadata_dir / name

    def newest(self, role: str) -> Path:
        versions = sorted(
            int(p.name.split(".")[0]) for p in self.repo.metadata_dir.glob(f"*.{role}.json")
        )
        return self.metadata(f"{versions[-1]}.{role}.json")


def new_keys() -> dict[str, list[Signer]]:
    return {role: [CryptoSigner.generate_ed25519()] for role in ROLES}


@contextmanager
def served_site(tmp_path: Path) -> Iterator[Site]:
    """A repository with keys, published once (version 1, a photo and an article), served."""
    repo = ProfileRepository(tmp_path / "repository")
    keys = new_keys()
    repo.create(keys, {})
    served = tmp_path / "served"
    served.symlink_to(repo.folder)
    with serve_profile(served) as url:
        site = Site(
            repo, keys, url, tmp_path / "cache", (repo.metadata_dir / "1.root.json").read_bytes()
        )
        site.publish(profile_document(1), {PHOTO: b"\x89PNG joost", ARTICLE: b"# VPN"})
        yield site
