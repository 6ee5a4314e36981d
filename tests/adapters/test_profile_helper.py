"""Profile updates in the helper process, as the tray runs them: a real repository and helper."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from client.adapters.profile_helper import (
    ProfileHelper,
    ProfileSettings,
    ProfileUnavailable,
    profile_helper_command,
)
from client.adapters.profile_worker import serve
from tests.support.tuf_site import PHOTO, Site, profile_document, served_site


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with served_site(tmp_path) as served:
        yield served


def _helper(site: Site, tmp_path: Path, **settings: object) -> ProfileHelper:
    root_file = tmp_path / "policy" / "profile-root.json"
    root_file.parent.mkdir(exist_ok=True)
    root_file.write_bytes(site.trusted_root)
    values: dict[str, object] = {
        "url": site.url,
        "root_file": root_file,
        "cache_dir": tmp_path / "user-cache",
        "http": {"total_timeout": 10.0},
    }
    return ProfileHelper(ProfileSettings(**(values | settings)))  # type: ignore[arg-type]


def test_an_update_runs_in_the_helper_and_the_tray_reads_what_it_kept(
    site: Site, tmp_path: Path
) -> None:
    helper = _helper(site, tmp_path)
    assert helper.kept() is None
    assert helper.update().refusal == ""
    kept = helper.kept()
    assert kept is not None and kept.document["version"] == 1
    assert kept.read(PHOTO) == b"\x89PNG joost"


def test_a_refused_update_is_reported_and_the_kept_profile_stays(
    site: Site, tmp_path: Path
) -> None:
    helper = _helper(site, tmp_path)
    helper.update()
    site.publish(profile_document(2), {PHOTO: b"\x89PNG v2"})
    site.repo.resign_timestamp(site.keys["timestamp"], lifetime=timedelta(days=-1))
    outcome = helper.update()
    assert (outcome.refusal, outcome.role) == ("expired", "timestamp")
    kept = helper.kept()
    assert kept is not None and kept.document["version"] == 1


def test_without_the_trusted_root_nothing_is_accepted(site: Site, tmp_path: Path) -> None:
    outcome = _helper(site, tmp_path, root_file=tmp_path / "nowhere" / "root.json").update()
    assert (outcome.refusal, outcome.role) == ("no_trust", "root")


def test_the_policy_can_keep_photos_out(site: Site, tmp_path: Path) -> None:
    helper = _helper(site, tmp_path, photos=False)
    assert helper.update().refusal == ""
    kept = helper.kept()
    assert kept is not None and kept.read(PHOTO) is None


def test_a_helper_that_cannot_run_is_a_clear_failure(site: Site, tmp_path: Path) -> None:
    settings = ProfileSettings(site.url, tmp_path / "root.json", tmp_path / "cache")
    helper = ProfileHelper(settings, command=[str(tmp_path / "missing-program")])
    with pytest.raises(ProfileUnavailable, match="did not start"):
        helper.update()


def test_the_helper_answers_a_bad_request_in_words() -> None:
    out = io.StringIO()
    assert serve(io.StringIO("[1, 2]"), out) == 0
    answer = json.loads(out.getvalue())
    assert answer["ok"] is False and "bad request" in answer["error"]


def test_the_helper_command_names_this_program() -> None:
    assert profile_helper_command()[-1] == "--profile-helper"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


def test_a_photo_is_prepared_as_a_small_square_by_the_helper(site: Site, tmp_path: Path) -> None:
    site.publish(profile_document(2), {PHOTO: _png(300, 500)})
    helper = _helper(site, tmp_path)
    assert helper.update().refusal == ""
    kept = helper.kept()
    assert kept is not None
    avatar = kept.avatar("joost")
    assert avatar is not None
    assert Image.open(io.BytesIO(avatar)).size == (160, 160)


@pytest.mark.parametrize(
    "photo",
    [b"\x89PNG not really", _png(5000, 5000)],  # undecodable; more pixels than allowed
)
def test_a_photo_that_will_not_do_leaves_initials_and_the_rest_works(
    site: Site, tmp_path: Path, photo: bytes
) -> None:
    site.publish(profile_document(2), {PHOTO: photo})
    helper = _helper(site, tmp_path)
    assert helper.update().refusal == ""
    kept = helper.kept()
    assert kept is not None and kept.document["version"] == 2
    assert kept.avatar("joost") is None
    assert kept.avatar("../../etc/passwd") is None
