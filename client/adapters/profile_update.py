"""The signed profile fetched with TUF over the project's HTTP layer; the last good one kept.

The trusted root comes from the IT policy directory and is handed to
``ngclient.Updater`` as ``bootstrap=``: a root in the user's cache is never a
starting point. Every download goes through :class:`TufFetcher`, which keeps
the HTTP rules (OS trust store, the policy's proxy, the whole-exchange
deadline, size caps, nothing sent to another origin).

ngclient has no offline mode and refuses expired local metadata. So the last
verified profile is kept by us (``last-good.json``: the document and when it
was verified; its files beside it, under their hash), and stays in use for the policy's maximum age
after that, whatever the network does; a refused update (expired, badly
signed, rolled back, tampered with) keeps it and says why.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuf.api import exceptions
from tuf.api.metadata import TargetFile
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface

from client.adapters.http import HttpClient, HttpConfig, origin
from client.adapters.profile_store import ProfileCopy, ProfileStore
from client.core.errors import DeskError, NotFound

logger = logging.getLogger(__name__)

#: The profile document's target path.
PROFILE_TARGET = "profile.json"
#: The most bytes one file of the profile may have (photos are small; an article is text).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The most bytes all files of the profile may have together.
MAX_TOTAL_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Refusal:
    """Why an update was not taken: ``code`` for the UI, ``detail`` for the log."""

    code: str
    detail: str
    #: The TUF role concerned, when one is ("timestamp", "snapshot", "targets", "root").
    role: str = ""


@dataclass(frozen=True)
class RefreshResult:
    """The profile in use after a refresh, and why the refresh was refused (``None``: not)."""

    profile: ProfileCopy | None
    refusal: Refusal | None = None
    #: Files the document names that could not be fetched or verified (left out).
    missing: tuple[str, ...] = ()


class TufFetcher(FetcherInterface):
    """ngclient's downloads through the project's HTTP layer, to the repository's origin only."""

    def __init__(self, base_url: str, config: HttpConfig) -> None:
        self._base = base_url.rstrip("/") + "/"
        self._client = HttpClient(self._base, config)

    def _fetch(self, url: str) -> Iterator[bytes]:
        if origin(url) != origin(self._base) or not url.startswith(self._base):
            raise exceptions.DownloadError(f"{url} is not part of the profile's repository")
        try:
            response = self._client.request("GET", "/" + url[len(self._base) :])
        except NotFound as error:  # how ngclient learns there is no newer root
            raise exceptions.DownloadHTTPError(error.detail, 404) from error
        except DeskError as error:
            raise exceptions.DownloadError(f"{error.code}: {error.detail}") from error
        if response.status != 200:
            raise exceptions.DownloadHTTPError(f"HTTP {response.status}", response.status)
        return iter([response.body])

    def close(self) -> None:
        """Close the connections."""
        self._client.close()


def refusal_of(error: Exception) -> Refusal:
    """What a TUF or network failure means to an employee and to IT."""
    detail = str(error)[:500]
    role = next((r for r in ("timestamp", "snapshot", "targets", "root") if r in detail), "")
    if isinstance(error, exceptions.ExpiredMetadataError):
        return Refusal("expired", detail, role)
    if isinstance(error, exceptions.BadVersionNumberError | exceptions.EqualVersionNumberError):
        return Refusal("rollback", detail, role)
    if isinstance(error, exceptions.UnsignedMetadataError):
        return Refusal("bad_signature", detail, role)
    if isinstance(
        error, exceptions.LengthOrHashMismatchError | exceptions.DownloadLengthMismatchError
    ):
        return Refusal("tampered", detail, role)
    if isinstance(error, exceptions.DownloadError):
        return Refusal("unreachable", detail)
    if isinstance(error, exceptions.RepositoryError):
        return Refusal("invalid", detail, role)
    return Refusal("invalid", f"{type(error).__name__}: {detail}")


def refresh_profile(
    base_url: str,
    trusted_root: bytes,
    cache_dir: Path,
    config: HttpConfig,
    clock: Callable[[], float],
    files_of: Callable[[dict[str, Any]], list[str]],
) -> RefreshResult:
    """Update from ``base_url`` and keep the result; on any refusal, the last good profile.

    ``files_of`` names the files a document refers to (photos, the logo,
    article bodies); each is fetched and verified too, and one that fails is
    left out (listed in ``missing``), not the whole profile.
    """
    store = ProfileStore(cache_dir)
    fetcher = TufFetcher(base_url, config)
    metadata_dir = cache_dir / "metadata"
    metadata_dir.mkdir(parents=True, exist_ok=True)
    try:
        updater = Updater(
            metadata_dir=str(metadata_dir),
            metadata_base_url=f"{base_url.rstrip('/')}/metadata/",
            target_base_url=f"{base_url.rstrip('/')}/targets/",
            target_dir=str(cache_dir / "targets"),
            fetcher=fetcher,
            bootstrap=trusted_root,
        )
        updater.refresh()
        info = updater.get_targetinfo(PROFILE_TARGET)
        if info is None or info.length > MAX_FILE_BYTES:
            raise exceptions.RepositoryError(f"{PROFILE_TARGET} is missing or too large")
        document_bytes = _verified_bytes(updater, info)
        document = json.loads(document_bytes)
        if not isinstance(document, dict):
            raise exceptions.RepositoryError("profile.json is not a JSON object")
        files: dict[str, bytes] = {}
        missing: list[str] = []
        total = len(document_bytes)  # the document itself counts
        for path in files_of(document):
            # A file the signed targets do not list, or list too large, is bad content:
            # left out. One that fails verification is an attack: the update is refused.
            info = updater.get_targetinfo(path)
            if (
                info is None
                or info.length > MAX_FILE_BYTES
                or total + info.length > MAX_TOTAL_BYTES
            ):
                why = "not in the signed targets" if info is None else f"{info.length} bytes"
                logger.warning("profile file %s left out: %s", path, why)
                missing.append(path)
                continue
            data = _verified_bytes(updater, info)
            total += len(data)
            files[path] = data
    except (exceptions.RepositoryError, exceptions.DownloadError, ValueError) as error:
        refusal = refusal_of(error)
        logger.warning("profile update refused (%s): %s", refusal.code, refusal.detail)
        return RefreshResult(store.load(), refusal)
    finally:
        fetcher.close()
    copy = store.save(document, files, clock())
    return RefreshResult(copy, None, tuple(missing))


def _verified_bytes(updater: Updater, info: TargetFile) -> bytes:
    """A target's verified bytes (from the cache when it is there and still matches)."""
    local = updater.find_cached_target(info) or updater.download_target(info)
    return Path(local).read_bytes()
