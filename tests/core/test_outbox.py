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
    QueueRefused,
    Rejected,
    Unavailable,
)
from client.core.models import Attachment, Report, TicketRef
from client.core.outbox import (
    DESK_MESSAGE_MAX,
    MAX_RETRY_S,
    TELL_IT_AFTER_S,
    Failure,
    OutboxSender,
    OutboxState,
    WaitingFor,
    attempt_failed,
    begin_attempt,
    classify,
    delivered,
    desk_message,
    recovered,
    resubmitted,
    retry_delay,
    waiting_for,
)
from tests.fakes import FakeClock, FakeDesk, MemoryOutbox

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (Rejected("too big", reason="too_large"), Failure.REJECTED),
        (Rejected("bad", reason="400"), Failure.REJECTED),
        (Rejected("too big", reason="413"), Failure.REJECTED),
        (Rejected("no such type", reason="415"), Failure.REJECTED),
        (Rejected("invalid", reason="422"), Failure.REJECTED),
        (AttachmentRefused("too large", "too_large"), Failure.REJECTED),
        (Forbidden("Permission Denied"), Failure.NOT_ALLOWED),
        (Forbidden(), Failure.NOT_ALLOWED),
        (NotFound("No such resource."), Failure.NOT_SET_UP),
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
    assert after_timeout.next_attempt_at is not None
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


def test_a_report_found_sending_at_start_is_due_at_once_and_looked_up_first() -> None:
    outbox = MemoryOutbox()
    sending = begin_attempt(outbox.item(_item(outbox)))
    item = recovered(sending, NOW + 60)
    assert (item.state, item.next_attempt_at, item.check_first) == (
        OutboxState.RETRY,
        NOW + 60,
        True,
    )


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
    assert item.state is OutboxState.RETRY and item.next_attempt_at is not None
    assert item.next_attempt_at >= NOW + 10
    assert item.error_code == "auth_failed" and not item.check_first


def test_the_sender_delivers_the_oldest_first_and_records_each_step() -> None:
    outbox, desk, steps = MemoryOutbox(), FakeDesk(), list[str]()
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


def test_a_queue_the_desk_refuses_sends_the_report_to_its_default_queue_once() -> None:
    outbox = MemoryOutbox()
    desk = FakeDesk(queues=frozenset({"finance"}))
    files = (Attachment("screenshot.webp", "image/webp", b"W" * 300),)
    routed = outbox.add(Report("Invoice run fails", "Since 9:00.", queue="fin", attachments=files),
                        NOW).id  # fmt: skip
    attempt = OutboxSender(outbox, clock=lambda: NOW).send_next(desk)
    assert attempt is not None and attempt.delivered
    assert outbox.item(routed).state is OutboxState.SENT
    sent = [report for name, report in desk.calls if name == "create_ticket"]
    assert [r.queue for r in sent] == ["fin", None], "refused, then the default queue"
    assert sent[1].description.endswith("(Meant for the queue 'fin', which the desk refused.)")
    assert sent[1].key == sent[0].key and len(desk.tickets) == 1, "one ticket"
    ((_ticket, files_sent),) = desk.attachments.items()
    assert [a.filename for a in files_sent] == ["screenshot.webp"]


def test_a_refused_default_queue_is_not_tried_again_and_again() -> None:
    outbox = MemoryOutbox()
    desk = FakeDesk()
    item_id = outbox.add(Report("No queue named", ""), NOW).id
    desk.fail_creates_with = QueueRefused("no queue")
    attempt = OutboxSender(outbox, clock=lambda: NOW).send_next(desk)
    assert attempt is not None and outbox.item(item_id).state is OutboxState.REJECTED


def test_a_report_is_not_refused_for_want_of_an_attachment_to_drop() -> None:
    outbox = MemoryOutbox()
    desk = FakeDesk(max_upload_bytes=0)
    item_id = outbox.add(Report("No files", ""), NOW).id
    desk.fail_creates_with = AttachmentRefused("too large", "too_large")
    attempt = OutboxSender(outbox, clock=lambda: NOW).send_next(desk)
    assert attempt is not None and outbox.item(item_id).state is OutboxState.REJECTED


# --- a refusal of who we are is not a verdict on the report (architecture §4) --------------

RT_CSRF = "Cross-site request forgery protection refused this request"


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (Forbidden("Permission Denied"), OutboxState.RETRY),
        (Forbidden(RT_CSRF), OutboxState.RETRY),
        (NotFound("No such resource."), OutboxState.RETRY),
        (AuthFailed("expired"), OutboxState.RETRY),
        (Rejected("bad request", reason="400"), OutboxState.REJECTED),
        (Rejected("too big", reason="413"), OutboxState.REJECTED),
        (Rejected("no such type", reason="415"), OutboxState.REJECTED),
        (Rejected("invalid", reason="422"), OutboxState.REJECTED),
        (Unavailable(reason="busy", retry_after=30), OutboxState.RETRY),
        (Unavailable(reason="server_error"), OutboxState.RETRY),
    ],
    ids=["403-rights", "403-csrf", "404", "401", "400", "413", "415", "422", "429", "5xx"],
)
def test_only_a_refusal_of_the_report_itself_rejects_it(
    error: Exception, state: OutboxState
) -> None:
    outbox = MemoryOutbox()
    item = attempt_failed(begin_attempt(outbox.item(_item(outbox))), error, NOW, random.Random(1))
    assert item.state is state
    if state is OutboxState.RETRY:
        assert item.next_attempt_at is not None and item.next_attempt_at > NOW
    else:
        assert item.next_attempt_at is None


@pytest.mark.parametrize("error", [Forbidden("Permission Denied"), NotFound("no queue")])
def test_a_report_refused_for_who_we_are_waits_gently_never_in_a_tight_loop(
    error: Exception,
) -> None:
    outbox = MemoryOutbox()
    item = outbox.item(_item(outbox))
    now, waits = NOW, []
    for _ in range(12):
        item = attempt_failed(begin_attempt(item), error, now, random.Random(5))
        assert item.state is OutboxState.RETRY and item.next_attempt_at is not None
        waits.append(item.next_attempt_at - now)
        now = item.next_attempt_at
    assert waits[0] >= 45, "not a hammering of the desk"
    assert waits == sorted(waits) or max(waits) >= 0.8 * 3600
    assert max(waits) <= 3600 * 1.2, "still tried at least about hourly"


def test_a_report_refused_for_rights_goes_out_once_they_are_granted() -> None:
    outbox, desk, clock = MemoryOutbox(), FakeDesk(), [NOW]
    item_id = _item(outbox, "Cannot print")
    sender = OutboxSender(outbox, clock=lambda: clock[0], rng=random.Random(2))
    desk.fail_creates_with = Forbidden("Permission Denied")
    refused = sender.send_next(desk)
    assert refused is not None and refused.item.state is OutboxState.RETRY
    assert sender.send_next(desk) is None, "not due again at once"

    desk.fail_creates_with = None  # IT grants the right to create tickets
    clock[0] = outbox.item(item_id).next_attempt_at  # type: ignore[assignment]
    attempt = sender.send_next(desk)
    assert attempt is not None and attempt.delivered
    assert [t.summary.title for t in desk.tickets.values()] == ["Cannot print"]
    assert sender.send_next(desk) is None


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (AuthFailed("expired"), WaitingFor.SIGN_IN),
        (Forbidden("Permission Denied"), WaitingFor.RIGHTS),
        (Forbidden("You do not have permission to perform this action."), WaitingFor.RIGHTS),
        (Forbidden(), WaitingFor.RIGHTS),
        (Forbidden(RT_CSRF), WaitingFor.REQUEST_RULE),
        (Forbidden("CSRF Failed: CSRF token missing."), WaitingFor.REQUEST_RULE),
        (Forbidden("Referer checking failed - no Referer."), WaitingFor.REQUEST_RULE),
        # The adapter's own word comes first: it knows what its desk meant.
        (Forbidden("RT refuses sign-ins from here", reason="csrf"), WaitingFor.REQUEST_RULE),
        (
            Forbidden("No permission to create tickets (referrer queue)", "rights"),
            WaitingFor.RIGHTS,
        ),
        (NotFound("No such resource."), WaitingFor.SETUP),
        (Rejected("invalid", reason="422"), None),
        (Unavailable(reason="unreachable"), None),
        (RuntimeError("a bug"), None),
    ],
)
def test_a_refusal_of_who_we_are_says_what_the_report_waits_for(
    error: Exception, cause: WaitingFor | None
) -> None:
    assert waiting_for(error) is cause


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        ("Permission Denied", "Permission Denied"),
        ("  No right\nto  CreateTicket\t", "No right to CreateTicket"),
        ("evil\u202etxt.exe", "evil txt.exe"),
        ("HTTP 403", None),
        ("", None),
        ("{'error': 'forbidden'}", None),
        ("<html><body>Forbidden</body></html>", None),
        ("denied for token=abcdef123456", "denied for token=[redacted]"),
    ],
)
def test_the_desks_words_are_kept_cleaned(detail: str, shown: str | None) -> None:
    assert desk_message(detail) == shown


def test_the_desks_words_are_kept_bounded() -> None:
    shown = desk_message("Permission denied. " * 100)
    assert shown is not None and len(shown) == DESK_MESSAGE_MAX and shown.endswith("…")


def test_a_refusal_keeps_the_desks_words_a_sign_in_our_own() -> None:
    outbox = MemoryOutbox()
    item = begin_attempt(outbox.item(_item(outbox)))
    refused = attempt_failed(item, Forbidden("Permission Denied"), NOW)
    assert (refused.error_code, refused.waiting_for) == ("forbidden", WaitingFor.RIGHTS)
    assert refused.desk_message == "Permission Denied"
    assert refused.editable, "the text may still be changed while it waits"
    signed_out = attempt_failed(item, AuthFailed("RT refused the session"), NOW)
    assert signed_out.waiting_for is WaitingFor.SIGN_IN and signed_out.desk_message is None


def test_after_a_day_of_refusals_the_user_is_told_what_it_must_do() -> None:
    outbox, desk, clock = MemoryOutbox(), FakeDesk(), FakeClock(NOW)
    item_id = _item(outbox)
    sender = OutboxSender(outbox, clock=clock, rng=random.Random(4))
    desk.fail_creates_with = Forbidden("Permission Denied")
    first = sender.send_next(desk)
    assert first is not None and first.item.waiting_since == NOW
    assert not first.item.tell_it(clock())

    attempts = 1
    while clock.now < NOW + TELL_IT_AFTER_S + 3600:
        clock.now = outbox.item(item_id).next_attempt_at  # type: ignore[assignment]
        # A network failure in between says nothing about the refusal: the wait goes on.
        desk.fail_creates_with = (
            Unavailable(reason="unreachable") if attempts == 5 else Forbidden("Permission Denied")
        )
        attempt = sender.send_next(desk)
        assert attempt is not None and attempt.item.state is OutboxState.RETRY
        attempts += 1
        item = attempt.item
        assert (item.waiting_for, item.waiting_since) == (WaitingFor.RIGHTS, NOW)
        assert item.tell_it(clock()) is (clock.now - NOW >= TELL_IT_AFTER_S)
    assert 24 <= attempts <= 60, "about hourly: patient, never a loop"
    assert not item.tell_it(NOW + TELL_IT_AFTER_S - 1) and item.tell_it(NOW + TELL_IT_AFTER_S)


def test_a_wait_for_another_cause_starts_again_and_an_answer_ends_it() -> None:
    outbox = MemoryOutbox()
    item = outbox.item(_item(outbox))
    rights = attempt_failed(begin_attempt(item), Forbidden("Permission Denied"), NOW)
    again = attempt_failed(begin_attempt(rights), Forbidden("No"), NOW + 60)
    assert again.waiting_since == NOW and again.desk_message == "No"
    sign_in = attempt_failed(begin_attempt(again), AuthFailed(), NOW + 120)
    assert (sign_in.waiting_for, sign_in.waiting_since) == (WaitingFor.SIGN_IN, NOW + 120)
    # Signed in again (only then is there an attempt), and the network fails.
    offline = attempt_failed(begin_attempt(sign_in), Unavailable(reason="unreachable"), NOW + 180)
    assert (offline.waiting_for, offline.waiting_since) == (None, None), "no longer signed out"

    rejected = attempt_failed(begin_attempt(rights), Rejected("x", reason="422"), NOW + 60)
    assert rejected.state is OutboxState.REJECTED
    assert (rejected.waiting_for, rejected.waiting_since, rejected.desk_message) == (None,) * 3
    assert not rejected.tell_it(NOW + 2 * TELL_IT_AFTER_S), "rejected: nothing for IT to fix"
    sent = delivered(begin_attempt(rights), TicketRef("7"))
    assert (sent.waiting_for, sent.waiting_since) == (None, None)
    assert not sent.tell_it(NOW + 2 * TELL_IT_AFTER_S)
    changed = resubmitted(rights, "New subject", "", NOW + 60)
    assert changed.waiting_for is WaitingFor.RIGHTS, "a new text does not grant rights"


def test_a_refusal_after_an_unknown_outcome_still_asks_first() -> None:
    outbox = MemoryOutbox()
    item = outbox.item(_item(outbox))
    unknown = attempt_failed(begin_attempt(item), Unavailable(reason="timeout"), NOW)
    refused = attempt_failed(begin_attempt(unknown), Forbidden("Permission Denied"), NOW)
    assert refused.check_first, "exactly once: the first attempt may still have arrived"
