"""The signed profile over TUF: a real repository served on 127.0.0.1, and every attack on it.

Each test builds a repository in a temporary folder with the project's own
publishing code (``client/adapters/profile_repository.py``), serves it with a
plain static web server, and refreshes with the client
(``client/adapters/profile_update.py``): the real ``tuf`` ngclient over the
project's HTTP layer. Attacks are made as an attacker with the web server
would: by changing, swapping or signing files in the served folder.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner

from client.adapters.http import HttpConfig
from client.adapters.profile_repository import ProfileRepository
from client.adapters.profile_store import ProfileStore
from client.adapters.profile_update import (
    MAX_FILE_BYTES,
    PROFILE_TARGET,
    RefreshResult,
)
from tests.support.tuf_site import (
    ARTICLE,
    NOW,
    PHOTO,
    Site,
    new_keys,
    profile_document,
    served_site,
)


def test_the_published_profile_and_its_files_are_accepted_and_kept(site: Site) -> None:
    result = site.refresh()
    assert result.refusal is None and result.profile is not None
    assert result.profile.document["version"] == 1
    assert set(result.profile.files) == {PHOTO}
    assert result.profile.read(PHOTO) == b"\x89PNG joost"
    assert result.profile.verified_at == NOW
    kept = ProfileStore(site.cache).load()
    assert kept is not None and kept.read(PHOTO) == b"\x89PNG joost"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with served_site(tmp_path) as served:
        yield served


def _refused_keeping_the_last_good(site: Site, code: str) -> RefreshResult:
    result = site.refresh()
    assert result.refusal is not None, "the attack was accepted"
    assert result.refusal.code == code, result.refusal
    assert result.profile is not None and result.profile.document["version"] == 1, "last good kept"
    assert result.profile.read(PHOTO) == b"\x89PNG joost"
    return result


def _newest_photo(site: Site) -> Path:
    """The photo file of the newest publication, as stored on the web server."""
    stored = (site.repo.targets_dir / "agents").glob("*.joost.png")
    return max(stored, key=lambda p: p.stat().st_mtime_ns)


def test_a_changed_photo_is_refused(site: Site) -> None:
    assert site.refresh().refusal is None
    site.publish(profile_document(2), {PHOTO: b"\x89PNG new!"})
    _newest_photo(site).write_bytes(b"\x89PNG evil")  # the same length, another hash
    _refused_keeping_the_last_good(site, "tampered")


def test_changed_metadata_is_refused_by_its_signature(site: Site) -> None:
    assert site.refresh().refusal is None
    site.publish(profile_document(2), {PHOTO: b"\x89PNG joost"})
    path = site.newest("targets")
    signed = json.loads(path.read_bytes())
    signed["signed"]["expires"] = "2099-01-01T00:00:00Z"  # without the key: not re-signed
    path.write_text(json.dumps(signed))
    result = _refused_keeping_the_last_good(site, "bad_signature")
    assert result.refusal is not None and result.refusal.role == "targets"


def test_an_older_timestamp_served_again_is_a_rollback(site: Site) -> None:
    old = site.metadata("timestamp.json").read_bytes()
    site.publish(profile_document(1), {PHOTO: b"\x89PNG joost"})
    assert site.refresh().refusal is None
    site.metadata("timestamp.json").write_bytes(old)
    result = _refused_keeping_the_last_good(site, "rollback")
    assert result.refusal is not None and result.refusal.role == "timestamp"


def test_an_expired_timestamp_is_a_freeze_and_names_the_role(site: Site) -> None:
    assert site.refresh().refusal is None
    site.repo.resign_timestamp(site.keys["timestamp"], lifetime=timedelta(days=-1))
    result = _refused_keeping_the_last_good(site, "expired")
    assert result.refusal is not None and result.refusal.role == "timestamp"


def test_metadata_signed_by_a_key_the_root_does_not_trust_is_refused(site: Site) -> None:
    assert site.refresh().refusal is None
    site.repo.resign_timestamp([CryptoSigner.generate_ed25519()])
    _refused_keeping_the_last_good(site, "bad_signature")


def test_a_target_longer_than_declared_is_refused(site: Site) -> None:
    assert site.refresh().refusal is None
    site.publish(profile_document(2), {PHOTO: b"\x89PNG v2"})
    _newest_photo(site).write_bytes(b"\x89PNG v2" + b"\0" * 4096)
    _refused_keeping_the_last_good(site, "tampered")


def test_snapshot_and_targets_that_do_not_match_are_refused(site: Site) -> None:
    assert site.refresh().refusal is None
    first_targets = site.newest("targets").read_bytes()
    site.publish(profile_document(2), {PHOTO: b"\x89PNG v2"})
    site.newest("targets").write_bytes(first_targets)  # the snapshot names the new version
    _refused_keeping_the_last_good(site, "rollback")


def test_a_root_planted_in_the_users_cache_is_never_a_starting_point(
    site: Site, tmp_path: Path
) -> None:
    # An attacker who can write to the user's cache and serve files: their own keys,
    # their own root in the cache, and a repository signed with them.
    evil = ProfileRepository(tmp_path / "evil")
    evil_keys = new_keys()
    evil.create(evil_keys, {})
    evil.publish({PROFILE_TARGET: json.dumps(profile_document(9)).encode()}, evil_keys["targets"],
                 evil_keys["snapshot"], evil_keys["timestamp"])  # fmt: skip
    assert site.refresh().refusal is None
    shutil.rmtree(site.repo.metadata_dir)
    shutil.copytree(evil.metadata_dir, site.repo.metadata_dir)
    shutil.copytree(evil.targets_dir, site.repo.targets_dir, dirs_exist_ok=True)
    (site.cache / "metadata" / "root.json").write_bytes(
        (evil.metadata_dir / "1.root.json").read_bytes()
    )
    _refused_keeping_the_last_good(site, "bad_signature")


def _rotate(site: Site, sign_with_old: bool, sign_with_new: bool) -> None:
    """All-new keys; the new root signed as asked; the profile re-published with them."""
    fresh = new_keys()
    signers = (site.keys["root"] if sign_with_old else []) + (
        fresh["root"] if sign_with_new else []
    )
    site.repo.rotate_root(fresh, {}, signers)
    site.keys = fresh
    site.publish(profile_document(2), {PHOTO: b"\x89PNG rotated"})


@pytest.mark.parametrize(
    ("old", "new", "accepted"), [(True, True, True), (True, False, False), (False, True, False)]
)
def test_a_new_root_needs_a_threshold_of_the_old_and_of_the_new_keys(
    site: Site, old: bool, new: bool, accepted: bool
) -> None:
    assert site.refresh().refusal is None
    _rotate(site, sign_with_old=old, sign_with_new=new)
    result = site.refresh()
    if accepted:
        assert result.refusal is None and result.profile is not None
        assert result.profile.read(PHOTO) == b"\x89PNG rotated"
    else:
        assert result.refusal is not None and result.refusal.code == "bad_signature"
        assert result.refusal.role == "root"
        assert result.profile is not None and result.profile.read(PHOTO) == b"\x89PNG joost"


def test_offline_the_last_good_profile_stays_in_use(site: Site, tmp_path: Path) -> None:
    assert site.refresh().refusal is None
    site.url = "http://127.0.0.1:9"
    result = _refused_keeping_the_last_good(site, "unreachable")
    assert result.profile is not None and result.profile.verified_at == NOW


def test_a_file_too_large_is_left_out_and_the_rest_is_used(site: Site) -> None:
    site.publish(
        profile_document(2, articles=[{"id": "vpn", "body": ARTICLE}]),
        {PHOTO: b"\0" * (MAX_FILE_BYTES + 1), ARTICLE: b"# VPN"},
    )
    result = site.refresh()
    assert result.refusal is None and result.profile is not None
    assert result.missing == (PHOTO,)
    assert set(result.profile.files) == {ARTICLE}
    assert result.profile.read(ARTICLE) == b"# VPN"


def test_a_document_that_is_no_json_object_is_refused(site: Site) -> None:
    assert site.refresh().refusal is None
    site.repo.publish({PROFILE_TARGET: b"[1, 2]"}, site.keys["targets"], site.keys["snapshot"],
                      site.keys["timestamp"])  # fmt: skip
    _refused_keeping_the_last_good(site, "invalid")


def test_a_damaged_kept_profile_is_not_used(site: Site) -> None:
    assert site.refresh().refusal is None
    kept = ProfileStore(site.cache).load()
    assert kept is not None
    (site.cache / "files" / kept.files[PHOTO]).write_bytes(b"changed on disk")
    assert kept.read(PHOTO) is None, "a kept file is checked against its hash again"
    (site.cache / "last-good.json").write_text("{not json")
    assert ProfileStore(site.cache).load() is None


def test_files_no_longer_named_are_removed(site: Site) -> None:
    assert site.refresh().refusal is None
    site.publish(profile_document(2), {PHOTO: b"\x89PNG v2"})
    assert site.refresh().refusal is None
    kept = list((site.cache / "files").iterdir())
    assert [p.read_bytes() for p in kept] == [b"\x89PNG v2"]


def test_nothing_is_fetched_from_another_origin(site: Site) -> None:
    from tuf.api import exceptions

    from client.adapters.profile_update import TufFetcher

    fetcher = TufFetcher(site.url, HttpConfig())
    with pytest.raises(exceptions.DownloadError, match="not part of the profile"):
        list(fetcher.fetch("http://127.0.0.2:1/metadata/1.root.json"))
    fetcher.close()
