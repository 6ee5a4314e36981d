"""``helpdesk-tray admin``: keys, a repository, publishing, re-signing and rotating, end to end.

Every test makes real ed25519 keys, signs a real repository in a temporary
folder, and checks it as a computer would: python-tuf's client over the
project's HTTP layer against the folder served on 127.0.0.1. Expiry is
reached by signing in the past (``--now``), never by waiting.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from tuf.api.metadata import Snapshot, Targets, Timestamp

from client.adapters.http import HttpConfig
from client.adapters.profile_repository import ProfileRepository, serve_folder
from client.adapters.profile_update import RefreshResult, refresh_profile
from client.core.profile import parse_profile, profile_files
from client.profile_keys import PASSPHRASE_ENV
from tests.admin.conftest import PASSPHRASE, Admin, days_ago, face


def _client(repo: Path, root: Path, cache: Path) -> RefreshResult:
    """One update as the tray's profile helper makes it."""
    with serve_folder(repo) as url:
        return refresh_profile(
            url,
            root.read_bytes(),
            cache,
            HttpConfig(total_timeout=10.0, retries=0),
            lambda: 1_800_000_000.0,
            lambda document: profile_files(parse_profile(document)),
        )


def _versions(repo: Path) -> dict[str, int]:
    repository = ProfileRepository(repo)
    return {
        role: repository.role(role).signed.version
        for role in (Targets.type, Snapshot.type, Timestamp.type)
    }


# --- the walk -------------------------------------------------------------------------------


def test_keys_repository_publish_and_a_client_accepts_it(
    created: Admin, source: Path, tmp_path: Path
) -> None:
    published = created.publish(source)
    assert "Published profile version 1" in published.out
    assert "Live now" in published.out

    result = _client(created.repo, created.root_file, tmp_path / "cache")
    assert result.refusal is None and result.profile is not None
    profile = parse_profile(result.profile.document)
    assert profile.version == 1 and profile.problems == ()
    assert [d.id for d in profile.departments] == ["finance", "hr"]
    joost = profile.agents["joost"]
    assert joost.photo == "agents/joost.png"
    assert result.profile.read("agents/joost.png") == face()
    assert joost.hours is not None and str(joost.absences[0].first) == "2026-12-24"
    assert profile.agents["sanne"].photo is None
    article = profile.articles[0]
    assert (article.id, article.title, article.language) == (
        "vpn-reset-nl",
        "VPN opnieuw instellen",
        "nl",
    )
    body = result.profile.read(article.body)
    assert body is not None and body.startswith(b"# VPN opnieuw instellen") and b"+++" not in body

    verified = created.verify()
    assert verified.code == 0, verified
    assert "Accepted: profile version 1" in verified.out
    for role in ("root", "targets", "snapshot", "timestamp"):
        assert f"  {role} " in verified.out


def test_publishing_again_raises_every_version(created: Admin, source: Path) -> None:
    created.publish(source)
    first = _versions(created.repo)
    created.publish(source)
    second = _versions(created.repo)
    assert all(second[role] == first[role] + 1 for role in first)
    verified = created.verify()
    assert verified.code == 0 and "Accepted: profile version 2" in verified.out


def test_a_client_with_the_old_profile_takes_the_new_one(
    created: Admin, source: Path, tmp_path: Path
) -> None:
    created.publish(source)
    assert _client(created.repo, created.root_file, tmp_path / "cache").refusal is None
    (source / "agents" / "sanne.toml").write_text('name = "Sanne de Vries-Jansen"\n')
    created.publish(source)
    result = _client(created.repo, created.root_file, tmp_path / "cache")
    assert result.refusal is None and result.profile is not None
    assert result.profile.document["version"] == 2
    assert parse_profile(result.profile.document).agents["sanne"].name == "Sanne de Vries-Jansen"


def test_verify_names_a_tampered_file(created: Admin, source: Path) -> None:
    created.publish(source)
    photo = next((created.repo / "targets" / "agents").glob("*.joost.png"))
    photo.write_bytes(photo.read_bytes()[:-1] + b"!")
    verified = created.verify()
    assert verified.code == 1
    assert "REFUSED: tampered" in verified.out
    assert "Copy the repository again" in verified.out


def test_export_root_writes_the_newest_root_into_a_folder(created: Admin, tmp_path: Path) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    created.ok("export-root", created.repo, folder)
    assert (folder / "profile-root.json").read_bytes() == created.root_file.read_bytes()
    assert json.loads(created.root_file.read_bytes())["signed"]["_type"] == "root"


# --- the scheduled re-signing ------------------------------------------------------------------


def test_resign_keeps_clients_verifying_after_the_old_timestamp_expired(
    run: Admin, source: Path, tmp_path: Path
) -> None:
    run.create("--unencrypted-online-keys", now=days_ago(3))
    run.publish(source, now=days_ago(3))
    stale = run.verify()
    assert stale.code == 1
    assert "REFUSED: expired (timestamp)" in stale.out
    assert "resign job" in stale.out
    before = ProfileRepository(run.repo).role(Timestamp.type).signed

    # The web server holds the two online keys only, unencrypted: no passphrase, no prompt.
    server_keys = tmp_path / "server-keys"
    server_keys.mkdir()
    for name in ("snapshot.pem", "timestamp.pem"):
        shutil.copy2(run.keys / name, server_keys / name)
    resigned = run.ok("resign", run.repo, "--keys", server_keys, environ={})
    assert "Timestamp version" in resigned.out and resigned.err == ""

    after = ProfileRepository(run.repo).role(Timestamp.type).signed
    assert after.version == before.version + 1
    assert after.expires > days_ago(-0.9)  # a day from now
    assert _versions(run.repo)[Snapshot.type] == 2  # 4 days left of 7: not renewed
    verified = run.verify()
    assert verified.code == 0, verified
    assert _client(run.repo, run.root_file, tmp_path / "cache").refusal is None


def test_resign_renews_a_snapshot_near_its_expiry(run: Admin, source: Path) -> None:
    run.create(now=days_ago(5))
    run.publish(source, now=days_ago(5))
    before = ProfileRepository(run.repo).role(Snapshot.type).signed
    resigned = run.ok("resign", run.repo, "--keys", run.keys)
    after = ProfileRepository(run.repo).role(Snapshot.type).signed
    assert after.version == before.version + 1
    assert after.expires > days_ago(-6)
    assert "Snapshot version" in resigned.out
    assert run.verify().code == 0


def test_resign_warns_before_the_profile_signature_runs_out(run: Admin, source: Path) -> None:
    run.create(now=days_ago(80))
    run.publish(source, now=days_ago(80))
    resigned = run.ok("resign", run.repo, "--keys", run.keys)
    assert "warning: the profile's signature (targets) expires" in resigned.err
    assert "admin publish" in resigned.err


def test_resign_without_the_timestamp_key_fails_clearly(created: Admin, tmp_path: Path) -> None:
    only_snapshot = tmp_path / "only-snapshot"
    only_snapshot.mkdir()
    shutil.copy2(created.keys / "snapshot.pem", only_snapshot / "snapshot.pem")
    before = _versions(created.repo)
    outcome = created("resign", created.repo, "--keys", only_snapshot)
    assert outcome.code == 1
    assert "signing timestamp needs 1 of its keys" in outcome.err
    assert "timestamp.pem" in outcome.err
    assert _versions(created.repo) == before


def test_targets_signed_on_the_workstation_go_live_with_the_servers_resign(
    created: Admin, source: Path, tmp_path: Path
) -> None:
    created.publish(source)
    workstation = tmp_path / "workstation-keys"
    workstation.mkdir()
    shutil.copy2(created.keys / "targets.pem", workstation / "targets.pem")
    (source / "agents" / "sanne.toml").write_text('name = "Sanne Jansen"\n')
    signed = created.ok("publish", created.repo, "--keys", workstation, "--source", source)
    assert "Not live yet" in signed.out
    assert "Accepted: profile version 1" in created.verify().out

    # A copy to the server that is not complete yet is not made live.
    newest = ProfileRepository(created.repo).role(Targets.type).signed
    digest = newest.targets["profile.json"].hashes["sha256"]
    document = created.repo / "targets" / f"{digest}.profile.json"
    moved = document.with_suffix(".away")
    document.rename(moved)
    waiting = created("resign", created.repo, "--keys", created.keys)
    assert waiting.code == 1
    assert "names files this server does not have" in waiting.err
    assert "Accepted: profile version 1" in created.verify().out

    moved.rename(document)
    live = created.ok("resign", created.repo, "--keys", created.keys)
    assert "live" in live.out
    assert "Accepted: profile version 2" in created.verify().out


# --- rotation ----------------------------------------------------------------------------------


def test_a_client_holding_the_old_root_accepts_the_rotated_one(
    created: Admin, source: Path, tmp_path: Path
) -> None:
    created.publish(source)
    assert _client(created.repo, created.root_file, tmp_path / "cache").refusal is None
    # The root keys live apart: two of the three on their own sticks, the third stays away.
    sticks = [tmp_path / "stick-1", tmp_path / "stick-2"]
    for stick, name in zip(sticks, ("root-1.pem", "root-2.pem"), strict=True):
        stick.mkdir()
        (created.keys / name).rename(stick / name)
    (created.keys / "root-3.pem").unlink()
    new_keys = tmp_path / "new-keys"
    created.ok("init-keys", new_keys)

    rotated = created.ok(
        "rotate", created.repo, "--keys", created.keys, "--keys", sticks[0],
        "--keys", sticks[1], "--new-keys", new_keys,
    )  # fmt: skip
    assert "Root version 2 written" in rotated.out

    # The computer that trusted root 1 (and its kept cache) takes root 2 and the new keys.
    result = _client(created.repo, created.root_file, tmp_path / "cache")
    assert result.refusal is None, result.refusal
    assert "root       version 2" in created.verify().out  # a fresh computer with root 1 too
    # Publishing now needs the new targets key: the old one is refused by name.
    old_only = created("publish", created.repo, "--keys", created.keys, "--source", source)
    assert old_only.code == 1 and "signing targets needs 1 of its keys" in old_only.err
    created.ok("publish", created.repo, "--keys", new_keys, "--source", source)
    assert "Accepted: profile version 2" in created.verify().out


def test_rotation_needs_the_threshold_of_the_old_root_keys(created: Admin, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    for name in ("root-2.pem", "root-3.pem"):
        (created.keys / name).rename(stick / name.replace(".pem", ".away"))
    new_keys = tmp_path / "new-keys"
    created.ok("init-keys", new_keys)
    outcome = created("rotate", created.repo, "--keys", created.keys, "--new-keys", new_keys)
    assert outcome.code == 1
    assert "signing root needs 2 of its keys" in outcome.err
    assert "1 found" in outcome.err
    assert not (created.repo / "metadata" / "2.root.json").exists()


def test_renewing_the_root_keeps_its_keys(run: Admin, source: Path, tmp_path: Path) -> None:
    run.create(now=days_ago(300))
    run.publish(source)
    renewed = run.ok("rotate", run.repo, "--keys", run.keys)
    assert "no keys replaced" in renewed.out
    old, new = (
        json.loads((run.repo / "metadata" / f"{n}.root.json").read_bytes())["signed"]
        for n in (1, 2)
    )
    assert old["roles"] == new["roles"]
    assert (old["version"], new["version"]) == (1, 2)
    assert new["expires"] > old["expires"]
    assert _client(run.repo, run.root_file, tmp_path / "cache").refusal is None


# --- key custody -------------------------------------------------------------------------------


def test_key_files_are_private_and_encrypted(run: Admin) -> None:
    run.ok("init-keys", run.keys)
    names = sorted(p.name for p in run.keys.iterdir())
    assert names == [
        "root-1.pem", "root-2.pem", "root-3.pem", "snapshot.pem", "targets.pem", "timestamp.pem",
    ]  # fmt: skip
    for path in run.keys.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        text = path.read_text()
        assert "-----BEGIN ENCRYPTED PRIVATE KEY-----" in text
        assert "-----BEGIN PRIVATE KEY-----" not in text
        assert PASSPHRASE not in text
    assert stat.S_IMODE(run.keys.stat().st_mode) == 0o700


def test_only_the_online_keys_may_be_unencrypted(run: Admin) -> None:
    run.ok("init-keys", run.keys, "--unencrypted-online-keys")
    for path in run.keys.iterdir():
        encrypted = "ENCRYPTED PRIVATE KEY" in path.read_text()
        assert encrypted == (path.name not in ("snapshot.pem", "timestamp.pem")), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_unencrypted_key_others_can_read_is_refused(run: Admin) -> None:
    run.create("--unencrypted-online-keys")
    (run.keys / "timestamp.pem").chmod(0o644)
    outcome = run("resign", run.repo, "--keys", run.keys, environ={})
    assert outcome.code == 1
    assert "other users can read it (mode 0644)" in outcome.err
    assert "chmod 600" in outcome.err


def test_a_wrong_passphrase_is_named_and_nothing_is_published(created: Admin, source: Path) -> None:
    before = _versions(created.repo)
    outcome = created(
        "publish", created.repo, "--keys", created.keys, "--source", source,
        environ={PASSPHRASE_ENV: "not the passphrase at all"},
    )  # fmt: skip
    assert outcome.code == 1
    assert "wrong passphrase for" in outcome.err
    assert "targets.pem" in outcome.err and PASSPHRASE_ENV in outcome.err
    assert _versions(created.repo) == before


def test_a_typed_passphrase_is_asked_once_for_keys_that_share_it(
    created: Admin, source: Path
) -> None:
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return PASSPHRASE

    created("publish", created.repo, "--keys", created.keys, "--source", source, environ={},
            prompt=prompt)  # fmt: skip
    assert len(asked) == 1 and "targets.pem" in asked[0]
    assert _versions(created.repo)[Targets.type] == 2


def test_a_wrong_typed_passphrase_is_refused(created: Admin, source: Path) -> None:
    outcome = created(
        "publish", created.repo, "--keys", created.keys, "--source", source,
        environ={}, prompt=lambda question: "a wrong passphrase, typed",
    )  # fmt: skip
    assert outcome.code == 1
    assert "wrong passphrase for" in outcome.err and "targets key" in outcome.err


def test_new_keys_need_a_long_passphrase_typed_the_same_twice(run: Admin) -> None:
    short = run("init-keys", run.keys, environ={PASSPHRASE_ENV: "short"})
    assert short.code == 1 and "shorter than 12 characters" in short.err
    answers = iter(["a long passphrase one", "a long passphrase two"])
    differ = run("init-keys", run.keys, environ={}, prompt=lambda question: next(answers))
    assert differ.code == 1 and "the two passphrases differ" in differ.err
    assert not run.keys.exists() or not list(run.keys.iterdir())


def test_keys_are_never_overwritten(created: Admin) -> None:
    before = (created.keys / "targets.pem").read_bytes()
    outcome = created("init-keys", created.keys)
    assert outcome.code == 1 and "keys are never overwritten" in outcome.err
    assert (created.keys / "targets.pem").read_bytes() == before


def test_a_repository_is_never_created_twice(created: Admin) -> None:
    outcome = created("init", created.repo, "--keys", created.keys)
    assert outcome.code == 1 and "is a profile repository already" in outcome.err


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["publish"],
        ["no-such-command"],
        ["init-keys", "k", "--roles", "root,snapshots"],
        ["resign", "repo", "--keys", "k", "--now", "yesterday"],
    ],
)
def test_usage_errors_exit_2(run: Admin, argv: list[str]) -> None:
    assert run(*argv).code == 2


def test_publishing_to_a_folder_that_is_no_repository_says_what_to_do(
    run: Admin, source: Path, tmp_path: Path
) -> None:
    outcome = run("publish", tmp_path / "nothing", "--keys", tmp_path, "--source", source)
    assert outcome.code == 1
    assert "is not a profile repository" in outcome.err and "admin init" in outcome.err


def test_the_admin_commands_run_without_qt(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from client.entry import main\n"
        "code = main(['admin', 'init-keys', sys.argv[1], '--roles', 'timestamp'])\n"
        "print('qt' if 'PySide6' in sys.modules else 'no qt')\n"
        "sys.exit(code)\n"
    )
    env = dict(os.environ, **{PASSPHRASE_ENV: PASSPHRASE})
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "keys")],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("no qt")
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["timestamp.pem"]
