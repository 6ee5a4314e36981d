"""IT's folder of plain files read into a profile: each problem named by its file."""

from __future__ import annotations

import json
from pathlib import Path

from tuf.api.metadata import Targets

from client.adapters.profile_repository import ProfileRepository
from client.adapters.profile_source import read_profile_source
from client.adapters.profile_update import MAX_FILE_BYTES
from client.core.profile import parse_profile
from tests.admin.conftest import Admin, face, write_profile


def test_a_correct_folder_reads_without_problems(source: Path) -> None:
    read = read_profile_source(source, version=4)
    assert read.problems == ()
    assert read.document["version"] == 4
    assert set(read.files) == {"agents/joost.png", "articles/vpn-reset.nl.md"}
    agents = {a["id"]: a for a in read.document["agents"]}
    assert agents["joost"]["photo"] == "agents/joost.png"
    assert agents["joost"]["absent"] == [{"from": "2026-12-24", "to": "2027-01-04"}]
    assert json.loads(read.payload()["profile.json"]) == read.document


def _break(folder: Path) -> None:
    """The issue's four: a nameless agent, a 50 MB photo, bad hours, an unknown agent."""
    (folder / "agents" / "kim.toml").write_text('role = "Service desk, Facilities"\n')
    with (folder / "agents" / "joost.png").open("r+b") as photo:
        photo.truncate(50 * 1024 * 1024)  # sparse: the reader must not read it to refuse it
    (folder / "agents" / "sanne.toml").write_text(
        'name = "Sanne de Vries"\n[hours]\ntime_zone = "Europe/Amsterdam"\n'
        'week = { mon = "9 to 5" }\n'
    )
    departments = folder / "departments.toml"
    departments.write_text(departments.read_text().replace('agent = "sanne"', 'agent = "bob"'))


def test_each_bad_part_is_named_by_its_file(source: Path) -> None:
    _break(source)
    problems = read_profile_source(source).problems
    assert "agents/kim.toml: no name" in problems
    assert (
        "agents/joost.png: 50.0 MB; the tray takes files of at most 2.0 MB (not published)"
        in problems
    )
    assert (
        "agents/sanne.toml: hours.mon: spans must read like 08:30-12:00 and not overlap" in problems
    )
    assert "departments.toml [hr]: agent: no agent 'bob' in the profile" in problems
    assert len(problems) == 4, problems


def test_publish_refuses_a_folder_with_problems_unless_forced(created: Admin, source: Path) -> None:
    _break(source)
    refused = created("publish", created.repo, "--keys", created.keys, "--source", source)
    assert refused.code == 1
    assert "agents/kim.toml: no name" in refused.out
    assert "Nothing was published" in refused.out and "--force" in refused.out
    assert ProfileRepository(created.repo).role(Targets.type).signed.version == 1

    forced = created.publish(source, "--force")
    assert "Published with the problems above (--force)" in forced.out
    verified = created.verify()
    assert verified.code == 0, verified
    assert "Problems (the tray leaves these parts out):" in verified.out
    assert "no agent 'bob' in the profile" in verified.out
    published = ProfileRepository(created.repo).role(Targets.type).signed.targets
    assert "agents/joost.png" not in published  # too large: never put on the web server


def test_check_reports_the_problems_and_fails(run: Admin, source: Path) -> None:
    assert "No problems: 2 departments, 2 agents, 1 article" in run.ok("check", source).out
    _break(source)
    checked = run("check", source)
    assert checked.code == 1 and "agents/kim.toml: no name" in checked.out


def test_photos_must_be_png_or_jpeg_the_tray_can_show(source: Path) -> None:
    agents = source / "agents"
    (agents / "joost.png").write_bytes(b"GIF89a" + bytes(100))
    (agents / "sanne.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    read = read_profile_source(source)
    assert "agents/joost.png: not a PNG or JPEG image (not published)" in read.problems
    assert any(p.startswith("agents/sanne.jpg: the tray cannot show it") for p in read.problems)
    assert read.files.keys() == {"articles/vpn-reset.nl.md"}


def test_a_photo_switched_off_is_not_published_at_all(source: Path) -> None:
    toml = source / "agents" / "joost.toml"
    toml.write_text("show_photo = false\n" + toml.read_text())
    read = read_profile_source(source)
    assert read.problems == ()
    assert "agents/joost.png" not in read.files
    joost = next(a for a in read.document["agents"] if a["id"] == "joost")
    assert "photo" not in joost and joost["show_photo"] is False


def test_photos_switched_off_for_the_organisation(source: Path) -> None:
    organisation = source / "organisation.toml"
    organisation.write_text(organisation.read_text() + "photos = false\n")
    read = read_profile_source(source)
    assert read.problems == ()
    assert not any(path.startswith("agents/") for path in read.files)
    assert all(agent.photo is None for agent in parse_profile(read.document).agents.values())
    assert "photos" not in read.document["organisation"]


def test_a_photo_no_agent_uses_is_named(source: Path) -> None:
    (source / "agents" / "piet.jpg").write_bytes(face())
    problems = read_profile_source(source).problems
    assert problems == (
        "agents/piet.jpg: no agent file uses this photo (agents/piet.toml); it is not "
        "published. Delete it if the person has left.",
    )


def test_a_photo_can_be_named_and_a_logo_is_published(source: Path) -> None:
    (source / "agents" / "joost.png").rename(source / "agents" / "joost-2026.png")
    toml = source / "agents" / "joost.toml"
    toml.write_text('photo = "joost-2026.png"\n' + toml.read_text())
    (source / "logo.png").write_bytes(face())
    organisation = source / "organisation.toml"
    organisation.write_text('logo = "logo.png"\n' + organisation.read_text())
    read = read_profile_source(source)
    assert read.problems == ()
    assert {"agents/joost-2026.png", "branding/logo.png"} <= read.files.keys()
    assert parse_profile(read.document).logo == "branding/logo.png"


def test_broken_toml_and_unknown_settings_are_named(source: Path) -> None:
    (source / "agents" / "sanne.toml").write_text('name = "Sanne\n')
    toml = source / "agents" / "joost.toml"
    toml.write_text('emial = "joost@example.org"\n' + toml.read_text())
    problems = read_profile_source(source).problems
    assert any(
        p.startswith("agents/sanne.toml: not valid TOML:") and "line 1" in p for p in problems
    ), problems
    assert any(p.startswith("agents/joost.toml: unknown setting 'emial'") for p in problems)


def test_an_agent_file_name_must_be_an_id(source: Path) -> None:
    (source / "agents" / "Piet Jansen.toml").write_text('name = "Piet"\n')
    problems = read_profile_source(source).problems
    assert problems[0].startswith("agents/Piet Jansen.toml: the file name is the agent's id")


def test_an_article_needs_its_block_and_a_unique_id(source: Path) -> None:
    articles = source / "articles"
    (articles / "printer.md").write_text("# The printer\n\nTurn it off and on.\n")
    (articles / "vpn-copy.md").write_text('+++\nid = "vpn-reset-nl"\ntitle = "Copy"\n+++\nx\n')
    (articles / "notes.txt").write_text("a draft")
    problems = read_profile_source(source).problems
    assert "articles/printer.md: must start with a +++ block (title, language, keywords) " \
        "closed by +++" in problems  # fmt: skip
    assert "articles/vpn-reset.nl.md: the id 'vpn-reset-nl' is used by articles/vpn-copy.md " \
        "too (not read)" in problems  # fmt: skip
    assert "articles/notes.txt: not a Markdown file (.md); not read" in problems


def test_an_article_in_an_unknown_language_is_named(source: Path) -> None:
    (source / "articles" / "wifi.md").write_text('+++\ntitle = "WLAN"\nlanguage = "de"\n+++\nx\n')
    problems = read_profile_source(source).problems
    assert problems == ("articles/wifi.md: language: 'de' is not one of en, nl",)


def test_the_tray_s_total_size_is_checked(source: Path) -> None:
    body = b"x" * (MAX_FILE_BYTES - 4096)
    for n in range(11):
        (source / "articles" / f"long-{n}.md").write_bytes(b'+++\ntitle = "Long"\n+++\n' + body)
    problems = read_profile_source(source).problems
    assert len(problems) == 1 and problems[0].startswith(
        "profile: the files come to 22.0 MB; the tray takes at most 20.0 MB in all"
    )


def test_a_folder_without_organisation_toml_is_not_taken_for_a_profile(tmp_path: Path) -> None:
    folder = write_profile(tmp_path / "profile")
    (folder / "organisation.toml").unlink()
    problems = read_profile_source(folder).problems
    assert problems[0].startswith("organisation.toml: missing: is ")
    assert read_profile_source(tmp_path / "nowhere").problems == (
        f"{tmp_path / 'nowhere'}: not a folder",
    )
