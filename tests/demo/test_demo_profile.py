"""`make demo`'s signed profile: served, trusted through the demo policy, and true to the demo desk.

Real parts: the demo profile signed into a TUF repository and served on
127.0.0.1 (``demo/launch.py``), the TUF client, and the real demo desk
(django-helpdesk) its departments' queues must exist in.
"""

from __future__ import annotations

import json
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
from client.adapters.http import HttpConfig
from client.adapters.profile_update import refresh_profile
from client.core.models import Report
from client.core.ports import DeskPort
from client.core.profile import detect_department, parse_profile, profile_files
from demo.launch import demo_profile
from demo.profile_site import demo_document
from tests.support.desk_fixture import DeskAccess

CONFIG = HttpConfig(connect_timeout=2.0, read_timeout=15.0, retries=0)


def test_the_demo_policy_names_a_signed_profile_its_root_trusts(tmp_path: Path) -> None:
    stale = tmp_path / "tray-home" / "cache" / "profile"
    stale.mkdir(parents=True)
    (stale / "last-good.json").write_text("{}")  # an earlier demo's, signed with other keys
    with demo_profile(tmp_path) as policy_file:
        assert not stale.exists(), "an earlier demo's kept profile is removed"
        policy = tomllib.loads(policy_file.read_text(encoding="utf-8"))
        root = (policy_file.parent / "profile-root.json").read_bytes()
        result = refresh_profile(
            policy["profile"]["url"], root, tmp_path / "cache", CONFIG, time.time, _files
        )
    assert result.refusal is None and result.missing == ()
    assert result.profile is not None
    profile = parse_profile(result.profile.document)
    assert profile.problems == ()
    assert [d.id for d in profile.departments] == ["finance", "hr", "sales"]
    languages = {a.language for a in profile.articles}
    assert languages == {"en", "nl"} and len(profile.articles) >= 5
    department, how = detect_department(profile, policy_value=policy["profile"]["department"])
    assert (department and department.id, how) == ("finance", "policy")
    assert all(result.profile.read(path) for path in profile_files(profile)), "every file kept"


def _files(document: dict[str, object]) -> list[str]:
    return profile_files(parse_profile(document))


@pytest.mark.desk
def test_the_demo_profiles_queues_and_agents_are_the_demo_desks(
    demo_desk: DeskAccess, tmp_path: Path
) -> None:
    profile = parse_profile(demo_document(datetime.now(UTC))[0])
    desk = DjangoHelpdeskConnector(CONFIG).open(demo_desk.url, demo_desk.anna_token)
    anna = desk.whoami()
    department, how = detect_department(profile, desk_value=anna.department or "")
    assert (department and department.id, how) == ("finance", "desk")
    for each in profile.departments:
        ref = desk.create_ticket(Report(f"Routed to {each.id}", "Demo check.", queue=each.queue))
        assert ref.display.startswith(f"{each.queue}-"), "the queue exists in the demo desk"
    emails = {a.email for a in profile.agents.values()}
    assert emails == {"joost@example.org", "sanne@example.org", "priya@example.org"}
    assert json.dumps(demo_document(datetime.now(UTC))[0])  # plain JSON, as published


def test_the_command_line_works_against_the_demo_as_the_demo_says(
    demo_desk: DeskAccess, tmp_path: Path
) -> None:
    """`make demo` prints how to use the command line as Anna; those very commands work."""
    import os
    import stat
    import subprocess
    import sys

    from demo.deskctl import DemoDesk
    from demo.launch import ROOT, write_cli_env

    env_file = write_cli_env(tmp_path, tmp_path / "tray-home", demo_desk.url, demo_desk.anna_token)
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600, "a sign-in: for this user only"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_TRAY_")}
    clean["HELPDESK_TRAY_POLICY"] = str(tmp_path / "no-policy.toml")
    # No keyring on this machine (the demo's case): the file's sign-in is what works.
    clean["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    run = f". {env_file} && {sys.executable} -m client"
    listed = subprocess.run(
        ["sh", "-c", f"{run} tickets --json"], cwd=ROOT, env=clean, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert isinstance(json.loads(listed.stdout), list)
    reported = subprocess.run(
        ["sh", "-c", f'{run} report --subject "CLI demo: the printer jams" --no-diagnostics'],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert reported.returncode == 0, reported.stderr
    titles = [t.title for t in _anna(demo_desk).changed_tickets(None)[0]]
    assert "CLI demo: the printer jams" in titles
    DemoDesk(tmp_path, 0).stop(quiet=True)  # `make demo-stop`: the demo sign-in goes too
    assert not env_file.exists()


def _anna(demo_desk: DeskAccess) -> DeskPort:
    return DjangoHelpdeskConnector(CONFIG).open(demo_desk.url, demo_desk.anna_token)
