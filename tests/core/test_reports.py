import pytest

from client.core.errors import ValidationError
from client.core.models import Attachment
from client.core.reports import MAX_SUBJECT_LENGTH, build_report, ticket_text


@pytest.mark.parametrize(
    ("subject", "code"),
    [
        ("", "subject_missing"),
        ("   \n\t ", "subject_missing"),
        ("x" * (MAX_SUBJECT_LENGTH + 1), "subject_too_long"),
    ],
)
def test_a_subject_is_required_and_short(subject: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build_report(subject, "details")
    assert caught.value.code == code
    assert caught.value.field == "subject"


def test_whitespace_is_tidied_and_the_report_gets_a_fresh_key() -> None:
    first = build_report("  VPN   drops\nevery hour ", "  since Monday  ")
    second = build_report("VPN drops every hour", "since Monday")
    assert first.subject == "VPN drops every hour"
    assert first.description == "since Monday"
    assert first.key != second.key


def test_attachments_over_the_limit_are_refused() -> None:
    files = [Attachment("a.bin", "application/octet-stream", b"x" * 600)] * 2
    with pytest.raises(ValidationError) as caught:
        build_report("Disk full", "", files, max_attachment_bytes=1000)
    assert (caught.value.code, caught.value.field) == ("attachments_too_large", "attachments")
    report = build_report("Disk full", "", files, max_attachment_bytes=1200)
    assert report.size == 1200


@pytest.mark.parametrize(
    ("description", "summary", "text"),
    [
        ("  VPN drops  ", "", "VPN drops"),
        ("VPN drops", "Disk / 3 % free", "Disk / 3 % free\n\nVPN drops"),
        ("   ", "Disk / 3 % free", "Disk / 3 % free"),
        ("", "", ""),
    ],
)
def test_the_agent_reads_the_diagnostics_summary_before_the_users_words(
    description: str, summary: str, text: str
) -> None:
    assert ticket_text(description, summary) == text
