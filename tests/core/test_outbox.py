"""The outbox's pure rules and its sender, over an in-memory store and desk."""

from __future__ import annotations

import random

import pytest

from client.core.diagnostics import FILE_NAME as DIAGNOSTICS_FILE
from client.core.errors import (
    AttachmentRefused,
    AuthFailed,
    BadResponse,
    Forbidden,
    NotFound,
    Rejected,
    Unavailable,
)
from client.core.models import Attachment, Report
from client.core.outbox import (
    MAX_RETRY_S,
    Failure,
    OutboxSender,
    OutboxState,
    attempt_failed,
    begin_attempt,
    classify,
    retry_delay,
)
from tests.fakes import FakeDesk, MemoryOutbox

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (Rejected("too big", reason="too_large"), Failure.REJECTED),
        (Forbidden(), Failure.REJECTED),
        (NotFound(), Failure.REJECTED),
        (AuthFailed(), Failure.SIGNED_OUT),
        (Unavailable(reason="unreachable"), Failure.NOT_RECEIVED),
        (Unavailable(reason="tls"), Failure.NOT_RECEIVED),
        (Unavailable(reason="proxy"), Failure.NOT_RECEIVED),
        (Unavailable(reason="busy", retry_after=30), Failure.NOT_RECEIVED),
        (Unavailable(reason="connection"), Failure.MAYBE_RECEIVED),
        (Unavailable(reason="timeout"), Failure.MAYBE_RECEIVED),
        (Unavailable(reason="server_error"), Failure.MAYBE_RECEIVED),
        (BadResponse("html"), Failure.MAYBE_RECEIVED),
        (RuntimeError("a bug"), Failure.MAYBE_RECEIVED),
    ],
)
def test_failures_are_sorted_by_what_they_mean_for_the_report(
    error: Exception, failure: Failure
) -> None:
    assert classify(error) is failure


def test_waits_grow_to_a_cap_with_jitter() -> None:
    rng = random.Random(3)
    waits = [retry_delay(n, rng=rng) for n in range(1, 12)]
    assert 12 <= waits[0] <= 18 and 24 <= waits[1] <= 36
    assert all(w <= MAX_RETRY_S * 1.2 for w in waits)
    assert waits[-1] >= MAX_RETRY_S * 0.8
    assert retry_delay(1, retry_after=600, rng=rng) == 600


def _item(outbox: MemoryOutbox, subject: str = "Printer jams") -> int:
    return outbox.add(Report(subject, "floor 2"), NOW).id


def test_a_maybe_received_failure_makes_every_later_attempt_ask_first() -> None:
    outbox = MemoryOutbox()
    item = begin_attempt(outbox.item(_item(outbox)))
    after_timeout = attempt_failed(item, Unavailable(reason="timeout"), NOW, random.Random(1))
    assert after_timeout.state is OutboxState.RETRY and after_timeout.check_first
    assert NOW + 12 <= after_timeout.next_attempt_at <= NOW + 18
    after_refused = attempt_failed(
        begin_attempt(after_timeout), Unavailable(reason="unreachable"), NOW
    )
    assert after_refused.check_first  # sticky: the first attempt may still have arrived


def test_a_rejected_report_is_kept_with_its_reason() -> None:
    outbox = MemoryOutbox()
    item = begin_attempt(outbox.item(_item(outbox)))
    rejected = attempt_failed(item, Rejected("25 MB", reason="too_large"), NOW)
    assert rejected.state is OutboxState.REJECTED
    assert (rejected.error_code, rejected.error_reason) == ("rejected", "too_large")
    assert rejected.next_attempt_at is None


def test_a_report_refused_after_an_unknown_outcome_can_be_changed_and_sent_again() -> None:
    outbox = MemoryOutbox()
    item = begin_attempt(outbox.item(_item(outbox)))
    unknown = attempt_failed(item, Unavailable(reason="timeout"), NOW)
    # Next attempt: the lookup finds nothing, the creation is refused.
    refused = attempt_failed(begin_attempt(unknown), Rejected("", reason="invalid"), NOW)
    assert refused.state is OutboxState.REJECTED and not refused.check_first
    assert refused.editable


def test_a_refused_lookup_is_not_taken_for_a_refused_report() -> None:
    outbox, desk = MemoryOutbox(), FakeDesk()
    item_id = _item(outbox)
    outbox.save(
        attempt_failed(begin_attempt(outbox.item(item_id)), Unavailable(reason="timeout"), NOW)
    )
    desk.find_by_report_key = _proxy_not_found  # type: ignore[method-assign]
    attempt = OutboxSender(outbox, clock=lambda: NOW + 3600).send_next(desk)
    assert attempt is not None and attempt.item.state is OutboxState.RETRY
    assert attempt.item.check_first, "still unknown: ask again next time"
    assert desk.tickets == {}


def _proxy_not_found(key: str) -> None:
    raise NotFound("404 from a proxy")


def test_a_refused_credential_waits_like_any_failure_never_in_a_tight_loop() -> None:
    outbox = MemoryOutbox()
    item = attempt_failed(begin_attempt(outbox.item(_item(outbox))), AuthFailed(), NOW)
    assert item.state is OutboxState.RETRY and item.next_attempt_at >= NOW + 10
    assert item.error_code == "auth_failed" and not item.check_first


def test_the_sender_delivers_the_oldest_first_and_records_each_step() -> None:
    outbox, desk, steps = MemoryOutbox(), FakeDesk(), []
    first, second = _item(outbox, "First"), _item(outbox, "Second")
    sender = OutboxSender(outbox, clock=lambda: NOW, step=steps.append)
    attempt = sender.send_next(desk)
    assert attempt is not None and attempt.delivered and attempt.item.id == first
    assert steps == ["marked_sending", "created"]
    assert outbox.item(first).state is OutboxState.SENT
    assert outbox.item(first).ticket is not None
    assert sender.send_next(desk).item.id == second  # type: ignore[union-attr]
    assert sender.send_next(desk) is None


def test_an_attempt_that_may_have_arrived_is_looked_up_not_repeated() -> None:
    outbox, desk = MemoryOutbox(), FakeDesk()
    item_id = _item(outbox)
    report = outbox.load_report(item_id)
    desk.create_ticket(report)  # it did arrive, but the answer was lost
    desk.calls.clear()
    outbox.save(
        attempt_failed(begin_attempt(outbox.item(item_id)), Unavailable(reason="timeout"), NOW)
    )
    sender = OutboxSender(outbox, clock=lambda: NOW + 3600)
    attempt = sender.send_next(desk)
    assert attempt is not None and attempt.delivered
    assert [name for name, _ in desk.calls] == ["find_by_report_key"]
    assert len(desk.tickets) == 1


def test_a_failed_attempt_is_recorded_and_nothing_is_lost() -> None:
    outbox, desk = MemoryOutbox(), FakeDesk()
    item_id = _item(outbox)
    desk.fail_with = Unavailable(reason="unreachable")
    sender = OutboxSender(outbox, clock=lambda: NOW, rng=random.Random(1))
    attempt = sender.send_next(desk)
    assert attempt is not None and not attempt.delivered
    assert isinstance(attempt.error, Unavailable)
    stored = outbox.item(item_id)
    assert stored.state is OutboxState.RETRY and stored.attempts == 1
    assert sender.send_next(desk) is None  # not due yet
    assert outbox.load_report(item_id).subject == "Printer jams"


def test_attachments_the_desk_refuses_are_left_out_and_the_ticket_is_created() -> None:
    outbox = MemoryOutbox()
    desk = FakeDesk(refused_names=frozenset({"tool.exe"}), max_upload_bytes=1500)
    files = (
        Attachment("tool.exe", "application/octet-stream", b"M" * 10),
        Attachment("dump.bin", "application/octet-stream", b"D" * 1000),
        Attachment("video.mp4", "video/mp4", b"V" * 1200),
        Attachment("screenshot.webp", "image/webp", b"W" * 300),
    )
    item_id = outbox.add(Report("It crashes", "", attachments=files), NOW).id

    attempt = OutboxSender(outbox, clock=lambda: NOW).send_next(desk)

    assert attempt is not None and attempt.delivered
    stored = outbox.item(item_id)
    assert stored.refused == (("tool.exe", "file_type"), ("video.mp4", "too_large"))
    (ticket,) = desk.attachments.values()
    assert [a.filename for a in ticket] == ["dump.bin", "screenshot.webp"]


def test_an_upload_too_large_drops_the_diagnostics_last_even_when_largest() -> None:
    outbox = MemoryOutbox()
    desk = FakeDesk(max_upload_bytes=2250)
    files = (
        Attachment(DIAGNOSTICS_FILE, "application/json", b"{" * 2000),
        Attachment("screenshot.webp", "image/webp", b"W" * 300),
        Attachment("notes.txt", "text/plain", b"N" * 200),
    )
    item_id = outbox.add(Report("Slow", "", attachments=files), NOW).id

    attempt = OutboxSender(outbox, clock=lambda: NOW).send_next(desk)

    assert attempt is not None and attempt.delivered
    stored = outbox.item(item_id)
    assert stored.refused == (("screenshot.webp", "too_large"),)
    (ticket,) = desk.attachments.values()
    assert [a.filename for a in ticket] == [DIAGNOSTICS_FILE, "notes.txt"]


def test_a_report_is_not_refused_for_want_of_an_attachment_to_drop() -> None:
    outbox = MemoryOutbox()
    desk = FakeDesk(max_upload_bytes=0)
    item_id = outbox.add(Report("No files", ""), NOW).id
    desk.fail_creates_with = AttachmentRefused("too large", "too_large")
    attempt = OutboxSender(outbox, clock=lambda: NOW).send_next(desk)
    assert attempt is not None and outbox.item(item_id).state is OutboxState.REJECTED
