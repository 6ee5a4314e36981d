"""The real Redmine 5 the tests start: it runs, and it behaves as its traps say.

Each of Redmine's silent traps (docs/reference: redmine-5) is shown here against the
real server, with the tests' own plain REST client: the Redmine adapter is written
against this behaviour, and a Redmine update that changes it fails here first.
"""

from __future__ import annotations

import subprocess
import uuid

import pytest
import requests

from tests.support.redmine_desk import PROJECT, Redmine, RedmineAccess, RedmineClient

pytestmark = pytest.mark.redmine


def subject(what: str) -> str:
    return f"{what} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def anna(redmine_desk: RedmineAccess) -> RedmineClient:
    return redmine_desk.as_user("anna")


@pytest.fixture
def bram(redmine_desk: RedmineAccess) -> RedmineClient:
    return redmine_desk.as_user("bram")


@pytest.fixture
def joost(redmine_desk: RedmineAccess) -> RedmineClient:
    return redmine_desk.as_user("joost")


def test_the_server_answers_each_person_by_their_key_and_no_one_else(
    redmine_desk: RedmineAccess, anna: RedmineClient
) -> None:
    me = anna.get("/users/current").json()["user"]
    assert (me["login"], me["firstname"], me["admin"]) == ("anna", "Anna", False)
    wrong = RedmineClient(redmine_desk.url, "0" * 40)
    assert wrong.get("/users/current").status_code == 401, "the one reliable key check"
    assert redmine_desk.redmine.running


def test_trap_a_wrong_key_on_a_list_is_an_empty_200(
    redmine_desk: RedmineAccess, anna: RedmineClient
) -> None:
    anna.create(subject("visible to anna"))
    wrong = RedmineClient(redmine_desk.url, "0" * 40)
    answer = wrong.get("/issues", author_id="me", status_id="*")
    assert answer.status_code == 200 and answer.json()["issues"] == []


def test_an_employee_sees_only_their_own_issues_the_agent_sees_all(
    anna: RedmineClient, bram: RedmineClient, joost: RedmineClient
) -> None:
    mine = anna.create(subject("anna's printer"))
    listed = bram.get("/issues", project_id=PROJECT, status_id="*", limit=100).json()["issues"]
    assert mine not in [issue["id"] for issue in listed]
    assert bram.get(f"/issues/{mine}").status_code == 403, "403, not 404: ids are sequential"
    assert joost.get(f"/issues/{mine}").status_code == 200


def test_trap_an_employees_status_change_is_dropped_and_a_private_note_made_public(
    redmine_desk: RedmineAccess, anna: RedmineClient, joost: RedmineClient
) -> None:
    issue = anna.create(subject("status"))
    closed = redmine_desk.ids.statuses["Closed"]
    answer = anna.put(
        f"/issues/{issue}",
        {"issue": {"notes": "it works now", "status_id": closed, "private_notes": True}},
    )
    assert answer.status_code == 204
    seen = joost.get(f"/issues/{issue}", include="journals").json()["issue"]
    assert seen["status"]["name"] == "New", "New -> Closed is not the employee's to make"
    (note,) = [j for j in seen["journals"] if j.get("notes")]
    assert (note["notes"], note["private_notes"]) == ("it works now", False)


def test_trap_an_agents_private_note_moves_what_the_employee_sees_without_anything_new(
    anna: RedmineClient, joost: RedmineClient
) -> None:
    issue = anna.create(subject("private note"))
    before = anna.get(f"/issues/{issue}", include="journals").json()["issue"]
    answer = joost.put(
        f"/issues/{issue}", {"issue": {"notes": "internal: ask her manager", "private_notes": True}}
    )
    assert answer.status_code == 204
    after = anna.get(f"/issues/{issue}", include="journals").json()["issue"]
    assert after["journals"] == before["journals"], "the note stays hidden from her"
    assert after["updated_on"] >= before["updated_on"]
    agent_view = joost.journals(issue)
    assert [j["notes"] for j in agent_view] == ["internal: ask her manager"]


def test_trap_an_unknown_custom_field_filter_returns_everything(
    redmine_desk: RedmineAccess, anna: RedmineClient
) -> None:
    field = redmine_desk.ids.key_field_id
    key = uuid.uuid4().hex
    wanted = anna.create(subject("keyed"), custom_fields=[{"id": field, "value": key}])
    anna.create(subject("another"))
    found = anna.get("/issues", status_id="*", **{f"cf_{field}": key}).json()["issues"]
    assert [issue["id"] for issue in found] == [wanted]
    unknown = anna.get("/issues", status_id="*", cf_999=key).json()["issues"]
    assert len(unknown) >= 2, "an unknown field's filter is dropped, not refused"


def test_the_employee_confirms_a_resolved_issue_and_reopens_a_closed_one(
    redmine_desk: RedmineAccess, anna: RedmineClient, joost: RedmineClient
) -> None:
    statuses = redmine_desk.ids.statuses
    issue = anna.create(subject("confirm"))
    joost.put(f"/issues/{issue}", {"issue": {"status_id": statuses["Resolved"]}})
    anna.put(f"/issues/{issue}", {"issue": {"status_id": statuses["Closed"], "notes": "fixed"}})
    assert joost.get(f"/issues/{issue}").json()["issue"]["status"]["name"] == "Closed"
    anna.put(f"/issues/{issue}", {"issue": {"status_id": statuses["New"], "notes": "back"}})
    assert joost.get(f"/issues/{issue}").json()["issue"]["status"]["name"] == "New"


def test_stopping_ends_the_server_and_everything_it_started(
    redmine_desk: RedmineAccess, tmp_path_factory: pytest.TempPathFactory
) -> None:
    redmine = Redmine(tmp_path_factory.mktemp("redmine-stop"))
    redmine.setup()
    redmine.start()
    url, pid = redmine.url, redmine.pid
    redmine.stop()
    assert not redmine.running and pid is not None
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/users/current.json", timeout=5)
    left = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True, check=False)
    assert left.stdout.strip() == "", "no process of its session is left"
    assert redmine_desk.redmine.running, "the session's own server is another"
