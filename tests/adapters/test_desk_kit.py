"""The desk kit: ids, paths, URLs and answers from any desk, checked the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from client.adapters.desks import kit
from client.adapters.http import HttpResponse
from client.core.errors import BadResponse, NotFound

BASE = "https://desk.example.org/helpdesk"


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        (("tickets", "7", "replies"), "/tickets/7/replies"),
        (("user", "anna@example.org"), "/user/anna%40example.org"),
        (("queue", "IT / Help?#"), "/queue/IT%20%2F%20Help%3F%23"),
        (("ticket", "..%2f"), "/ticket/..%252f"),
    ],
)
def test_path_segments_are_quoted(segments: tuple[str, ...], expected: str) -> None:
    assert kit.path(*segments) == expected


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_a_segment_that_names_nothing_is_not_found(bad: str) -> None:
    with pytest.raises(NotFound):
        kit.path("ticket", bad)


@pytest.mark.parametrize("good", ["1", "7", "123456789012345678"])
def test_ref_ids_a_desk_can_have_pass(good: str) -> None:
    assert kit.ref_id(good) == good


@pytest.mark.parametrize(
    "bad", ["", "0", "07", "-1", "1.0", "1 ", "../1", "٣", "1234567890123456789"]
)
def test_ref_ids_no_desk_can_have_are_not_found(bad: str) -> None:
    with pytest.raises(NotFound):
        kit.ref_id(bad)


@pytest.mark.parametrize(("value", "expected"), [(7, "7"), ("12", "12")])
def test_ids_read_from_answers_come_as_text(value: object, expected: str) -> None:
    assert kit.desk_id(value) == expected


@pytest.mark.parametrize("bad", [0, -1, True, 1.0, None, "x", "../x", [1], 10**18])
def test_impossible_ids_in_answers_are_bad_responses(bad: object) -> None:
    with pytest.raises(BadResponse):
        kit.desk_id(bad)


UNDER = "/api/v1/tickets/7/attachments/"


@pytest.mark.parametrize("good", [UNDER + "3", UNDER + "3/", UNDER + "a%20b.txt"])
def test_a_path_under_the_prefix_is_kept(good: str) -> None:
    assert kit.desk_url(BASE, good, under=UNDER) == BASE + good


@pytest.mark.parametrize(
    "bad",
    [
        "@evil.example/x",
        "//evil.example/x",
        "https://evil.example/x",
        UNDER + "../../../../me",
        UNDER + "%2e%2e/%2E%2E/me",
        UNDER + "3/..",
        UNDER + "3/%2e",
        UNDER + "a%2fb",
        UNDER + "a%5cb",
        UNDER + "a\\b",
        UNDER + "a%00b",
        UNDER + "3?x=1",
        UNDER + "3#x",
        UNDER + "3\r\nX: 1",
        "/api/v1/tickets/7//attachments/3",
        "/api/v1/tickets/8/attachments/3",
        "/api/v1/tickets/7/attachments",
        "",
        None,
        7,
    ],
)
def test_a_path_that_leaves_the_prefix_is_refused(bad: object) -> None:
    with pytest.raises(BadResponse):
        kit.desk_url(BASE, bad, under=UNDER)


@pytest.mark.parametrize(
    "good",
    [
        f"{BASE}/REST/2.0/download/cf/1",
        "HTTPS://DESK.example.org:443/helpdesk/REST/2.0/download/cf/1",
    ],
)
def test_a_full_url_on_the_desks_origin_and_path_is_kept(good: str) -> None:
    assert kit.same_origin_url(BASE, good, under="/REST/2.0/") == good


@pytest.mark.parametrize(
    "bad",
    [
        "http://desk.example.org/helpdesk/REST/2.0/download/cf/1",  # not TLS any more
        "https://desk.example.org:8443/helpdesk/REST/2.0/download/cf/1",
        "https://evil.example/helpdesk/REST/2.0/download/cf/1",
        "https://desk.example.org@evil.example/helpdesk/REST/2.0/x",
        "https://user@desk.example.org/helpdesk/REST/2.0/x",
        "https://desk.example.org/other/REST/2.0/download/cf/1",
        "https://desk.example.org/helpdeskx/REST/2.0/download/cf/1",
        "https://desk.example.org/helpdesk/REST/2.0/../../admin",
        "https://desk.example.org/helpdesk/REST/2.0/x?next=/admin",
        "https://desk.example.org:99999/helpdesk/REST/2.0/x",
        "/helpdesk/REST/2.0/download/cf/1",
        None,
    ],
)
def test_a_full_url_elsewhere_is_refused(bad: object) -> None:
    with pytest.raises(BadResponse):
        kit.same_origin_url(BASE, bad, under="/REST/2.0/")


def _response(status: int, body: bytes, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(status, {"Content-Type": content_type}, body)


def test_an_answer_at_the_documented_status_is_read() -> None:
    assert kit.answer(_response(201, b'{"a": 1}'), 201, "x") == {"a": 1}
    assert kit.answer(_response(200, b'{"a": 1}'), (200, 201), "x") == {"a": 1}


@pytest.mark.parametrize(
    "response",
    [
        _response(200, b'{"a": 1}'),  # 200 where 201 is documented
        _response(204, b""),
        _response(201, b"<html>ok</html>", "text/html"),
        _response(201, b'{"a": '),
        _response(201, b"[1]"),
        _response(201, b"null"),
    ],
)
def test_any_other_answer_is_a_bad_response(response: HttpResponse) -> None:
    with pytest.raises(BadResponse):
        kit.answer(response, 201, "reply")


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        ('""', True),
        ("abc", False),
        ('"a"b"', False),
        ('"a b"', False),
        ('"' + "a" * 201 + '"', False),
        (None, False),
    ],
)
def test_only_well_formed_entity_tags_are_sent_back(value: str | None, kept: bool) -> None:
    assert kit.entity_tag(value) == (value if kept else None)


@pytest.mark.parametrize("bad", [None, "", "short", "a b" * 4, "x" * 513, "tök" * 4, 12345678])
def test_an_unusable_credential_is_a_bad_response(bad: object) -> None:
    with pytest.raises(BadResponse):
        kit.credential(bad)


def test_same_text_ignores_only_whitespace() -> None:
    assert kit.same_text("line one\nline two ", "line one\r\nline two")
    assert not kit.same_text("yes", "no") and not kit.same_text("", None)


def test_a_photo_is_an_image_within_the_byte_limit() -> None:
    assert kit.photo_body(_response(200, b"png", "image/png")) == b"png"
    with pytest.raises(BadResponse):
        kit.photo_body(_response(200, b"<svg/>", "text/html"))
    with pytest.raises(BadResponse):
        kit.photo_body(_response(200, b"x" * 11, "image/png"), max_bytes=10)


def test_the_report_key_line_goes_on_last_and_comes_off_again() -> None:
    text = kit.with_key_line("Since this morning.\n", "k-1")
    assert text == "Since this morning.\n\nReport-ID: k-1"
    assert kit.without_key_line(text) == "Since this morning."
    assert kit.with_key_line("", "k-1") == "Report-ID: k-1"
    assert kit.without_key_line("Report-ID: k-1") == ""
    assert kit.without_key_line("  no key here \n") == "no key here"


def test_a_fingerprint_changes_with_the_record_and_not_with_its_key_order() -> None:
    one = kit.fingerprint({"id": 1, "status": "new"})
    assert one == kit.fingerprint({"status": "new", "id": 1})
    assert one != kit.fingerprint({"id": 1, "status": "open"})


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Mon, 07 Dec 2026 15:43:48 GMT", 1796658228.0),
        ("", None),
        ("yesterday", None),
    ],
)
def test_the_desks_clock_is_read_from_its_date_header(date: str, expected: float | None) -> None:
    response = HttpResponse(200, {"Date": date} if date else {}, b"{}")
    when = kit.server_time(response)
    assert (when.timestamp() if when else None) == expected


def test_a_change_window_reads_back_only_as_the_same_version() -> None:
    window = kit.ChangeWindow(1765100000.5, 1765100030.0, {"7": "ab12"})
    assert kit.ChangeWindow.loads(window.dumps(2), 2) == window
    assert kit.ChangeWindow.loads(window.dumps(1), 2) is None, "another version: a full list"
    empty = kit.ChangeWindow(None, None, {})
    assert kit.ChangeWindow.loads(empty.dumps(1), 1) == empty


@pytest.mark.parametrize(
    "text", ["", "[]", '{"v": 1}', '{"v": 1, "seen": 3}', '{"v": 1, "newest": "x", "seen": {}}']
)
def test_a_change_window_that_is_not_one_is_none(text: str) -> None:
    assert kit.ChangeWindow.loads(text, 1) is None


def test_settled_means_older_than_the_desks_answer_by_the_margin() -> None:
    changed = datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC)
    at = changed.timestamp()
    assert kit.settled(changed, at + 2, margin_s=2)
    assert not kit.settled(changed, at + 1.9, margin_s=2), "may have changed in that second"
    assert not kit.settled(changed, None, margin_s=2), "never answered"


def test_the_desks_time_is_its_date_or_ours_less_the_bound() -> None:
    dated = HttpResponse(200, {"Date": "Mon, 07 Dec 2026 10:00:00 GMT"}, b"{}")
    moment = datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC).timestamp()
    assert kit.desk_time(dated, 0.0, without_clock_s=30, margin_s=2) == moment
    undated = HttpResponse(200, {}, b"{}")
    assert kit.desk_time(undated, 1000.0, without_clock_s=30, margin_s=2) == 972.0


def test_a_files_address_becomes_the_path_below_the_desk_to_ask_for() -> None:
    base = "https://desk.example.org/tas/api"
    url = f"{base}/incidents/id/7/attachments/9/download"
    assert (
        kit.same_origin_path(base, url, under="/incidents/")
        == "/incidents/id/7/attachments/9/download"
    )
    with pytest.raises(BadResponse):  # another host never gets the credential
        kit.same_origin_path(
            base, "https://elsewhere.example/tas/api/incidents/1", under="/incidents/"
        )
    with pytest.raises(BadResponse):
        kit.same_origin_path(base, f"{base}/persons/current", under="/incidents/")


def test_a_desks_html_reads_as_lines_of_text() -> None:
    markup = '<p>Restart it.<br>Then log in&nbsp;again.</p><div\nclass="x">&lt;done&gt;</div>'
    assert kit.html_text(markup) == "Restart it.\nThen log in\xa0again.\n<done>"
