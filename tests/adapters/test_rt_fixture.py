"""The Request Tracker fixture, and the REST2 facts the RT adapter relies on."""

from __future__ import annotations

import base64
import http.client
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.rt_desk import (
    AGENT,
    EMPLOYEE_RIGHTS,
    INITIAL_DATA,
    OPTIONAL_REQUESTOR_RIGHTS,
    USER_AGENT,
    RtAccess,
    RtAgent,
    photo_png,
)

pytestmark = pytest.mark.rt

DIAGNOSTICS = bytes(range(256)) * 8  # binary, every byte value


class Employee:
    """An employee's REST2 session (the way the tray talks to RT)."""

    def __init__(self, access: RtAccess, token: str) -> None:
        self.base = access.url + "/REST/2.0"
        self.user_id = int(token.split("-")[1])  # authstring "1-<user id>-<secret>"
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"token {token}", "User-Agent": USER_AGENT})

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def create(self, access: RtAccess, subject: str, **extra: Any) -> int:
        me = self.get(f"/user/{self.user_id}").json()
        answer = self.http.post(
            self.base + "/ticket",
            json={
                "Queue": access.queue,
                "Requestor": me["EmailAddress"],  # REST2 does not default it to the caller
                "Subject": subject,
                "Content": f"{subject}: details",
                "ContentType": "text/plain",
                **extra,
            },
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    def my_ticket_ids(self) -> list[int]:
        # Newest first, a full page: other tests may have filed more than RT's default 20.
        query = {"query": "Requestor.id = '__CurrentUser__'", "orderby": "id", "order": "DESC"}
        answer = self.get("/tickets", params={**query, "per_page": 100})
        assert answer.status_code == 200, answer.text
        return [int(item["id"]) for item in answer.json()["items"]]


@pytest.fixture
def anna(rt_desk: RtAccess) -> Iterator[Employee]:
    employee = Employee(rt_desk, rt_desk.anna_token)
    yield employee
    employee.http.close()


@pytest.fixture
def agent(rt_desk: RtAccess) -> Iterator[RtAgent]:
    desk_agent = rt_desk.agent()
    yield desk_agent
    desk_agent.close()


def _subject(what: str) -> str:
    return f"{what} {uuid.uuid4().hex[:8]}"


def test_employee_rights_match_the_data_file() -> None:
    """The data file grants exactly the documented rights (no server needed)."""
    text = INITIAL_DATA.read_text(encoding="utf-8")

    def words(name: str) -> tuple[str, ...]:
        match = re.search(rf"my @{name} = qw\(([^)]*)\);", text)
        assert match, name
        return tuple(match.group(1).split())

    assert words("employee_rights") == EMPLOYEE_RIGHTS["Unprivileged"]
    assert words("requestor_rights") == EMPLOYEE_RIGHTS["Requestor"]
    assert words("optional_requestor_rights") == OPTIONAL_REQUESTOR_RIGHTS
    assert "ShowOutgoingEmail" not in EMPLOYEE_RIGHTS["Requestor"]


def test_a_token_reads_its_own_user_record(anna: Employee) -> None:
    answer = anna.get(f"/user/{anna.user_id}")
    assert answer.status_code == 200
    me = answer.json()
    assert (me["Name"], me["RealName"], me["Privileged"]) == ("anna", "Anna Jansen", 0)
    # Other users' records are hard-coded off limits for unprivileged users.
    assert anna.get(f"/user/{AGENT}").status_code == 403


def test_an_employee_files_a_ticket_only_she_can_see(
    rt_desk: RtAccess, anna: Employee, agent: RtAgent
) -> None:
    subject = _subject("Printer jams")
    ticket_id = anna.create(
        rt_desk,
        subject,
        CustomFields={"Report-ID": "R-0001"},
        Attachments=[
            {
                "FileName": "diagnostics.bin",
                "FileType": "application/octet-stream",
                "FileContent": base64.b64encode(DIAGNOSTICS).decode("ascii"),
            }
        ],
    )

    answer = anna.get(f"/ticket/{ticket_id}")
    assert answer.status_code == 200
    ticket = answer.json()
    assert (ticket["Subject"], ticket["Status"]) == (subject, "new")
    # SetInitialCustomField (with SeeCustomField) is enough to set it on create.
    assert [f["values"] for f in ticket["CustomFields"] if f["name"] == "Report-ID"] == [["R-0001"]]
    assert ticket_id in anna.my_ticket_ids()
    assert agent.attachments(ticket_id) == {"diagnostics.bin": DIAGNOSTICS}
    assert agent.custom_field(ticket_id, "Report-ID") == ["R-0001"]
    assert agent.requestors(ticket_id) == ["anna@example.test"]
    assert agent.tickets_of("anna@example.test")[-1] == ticket_id

    bram = Employee(rt_desk, rt_desk.bram_token)
    try:
        assert bram.get(f"/ticket/{ticket_id}").status_code == 403
        assert ticket_id not in bram.my_ticket_ids()
    finally:
        bram.http.close()


def test_agent_work_reaches_the_employee_with_name_and_photo(
    rt_desk: RtAccess, anna: Employee, agent: RtAgent
) -> None:
    ticket_id = anna.create(rt_desk, _subject("No network"))
    agent.assign(ticket_id, AGENT)
    agent.reply(ticket_id, "Internal: check the switch port", public=False)
    agent.reply(ticket_id, "Please replug the cable")
    agent.hold(ticket_id)
    assert agent.status(ticket_id) == "stalled"
    agent.unhold(ticket_id)
    agent.resolve(ticket_id, "Fixed at the switch")
    assert agent.status(ticket_id) == "resolved"

    answer = anna.get(
        f"/ticket/{ticket_id}",
        params={"fields[Owner]": "Name,RealName,EmailAddress,CustomFields"},
    )
    assert answer.status_code == 200
    ticket = answer.json()
    assert ticket["Status"] == "resolved"
    owner = ticket["Owner"]
    assert (owner["Name"], owner["RealName"]) == (AGENT, "Joost de Vries")
    (photo,) = [f["values"][0] for f in owner["CustomFields"] if f["name"] == "Photo"]
    assert photo["content_type"] == "image/png"

    download = anna.http.get(photo["_url"], timeout=30)
    assert (download.status_code, download.content) == (200, photo_png())
    etag = download.headers["ETag"]
    unchanged = anna.http.get(photo["_url"], headers={"If-None-Match": etag}, timeout=30)
    assert (unchanged.status_code, unchanged.content) == (304, b"")

    # The requestor sees the public reply, not the comment, and no auto-reply records.
    answer = anna.get(f"/ticket/{ticket_id}/history", params={"fields": "Type,Field"})
    types = [item["Type"] for item in answer.json()["items"]]
    assert "Correspond" in types
    assert "Comment" not in types
    assert "EmailRecord" not in types
    history = agent.history(ticket_id)
    assert ("Comment", "Internal: check the switch port") in [
        (h["Type"], h.get("Content")) for h in history
    ]
    assert ("Status", "resolved", AGENT) in [
        (h["Type"], h["NewValue"], h["Creator"]) for h in history
    ]


def test_requestors_may_resolve_their_own_ticket(rt_desk: RtAccess, anna: Employee) -> None:
    """The optional Requestor ModifyTicket right: 'it fixed itself', raise the priority."""
    ticket_id = anna.create(rt_desk, _subject("Fixed itself"))
    answer = anna.http.put(
        f"{anna.base}/ticket/{ticket_id}", json={"Status": "resolved", "Priority": 80}, timeout=30
    )
    assert answer.status_code == 200
    # Without the right the same call is also 200, with ["Ticket N: Permission Denied"].
    assert not [m for m in answer.json() if "Permission Denied" in m]
    assert anna.get(f"/ticket/{ticket_id}").json()["Status"] == "resolved"


def test_moved_or_deleted_tickets_leave_the_employees_list(
    rt_desk: RtAccess, anna: Employee, agent: RtAgent
) -> None:
    moved = anna.create(rt_desk, _subject("Budget question"))
    agent.move(moved, rt_desk.other_queue)
    # A ticket in a queue she cannot see: 403 {"message": "Forbidden"}, as for any
    # ticket she has no right to (not 404); its history is an empty 200 list.
    answer = anna.get(f"/ticket/{moved}")
    assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"})

    deleted = anna.create(rt_desk, _subject("Duplicate"))
    agent.delete(deleted)
    assert agent.status(deleted) == "deleted"
    # A deleted ticket stays readable (200, Status "deleted") but leaves every search.
    answer = anna.get(f"/ticket/{deleted}")
    assert (answer.status_code, answer.json()["Status"]) == (200, "deleted")

    mine = anna.my_ticket_ids()
    assert moved not in mine
    assert deleted not in mine


def test_keep_alive_reuses_the_connection(rt_desk: RtAccess) -> None:
    """rt-server runs with --max-keepalive-reqs: no new TCP connection per request."""
    parts = urlsplit(rt_desk.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        local_ends = set()
        for _ in range(3):
            connection.request(
                "GET",
                "/REST/2.0/rt",
                headers={"Authorization": f"token {rt_desk.anna_token}", "User-Agent": USER_AGENT},
            )
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            assert response.getheader("Connection", "").lower() != "close"
            assert connection.sock is not None
            local_ends.add(connection.sock.getsockname())
        assert len(local_ends) == 1
    finally:
        connection.close()
