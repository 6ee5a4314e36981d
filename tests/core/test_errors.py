"""The error tree: a stable code for the UI, the reason and details kept for the log."""

from __future__ import annotations

import pytest

from client.core.errors import (
    ClientError,
    Forbidden,
    StoreError,
    Unavailable,
    as_client_error,
)


@pytest.mark.parametrize(
    ("error", "code", "detail"),
    [
        (ClientError(), "error", ""),
        (StoreError("disk full"), "store_failed", "disk full"),
        (StoreError("report 3 is being sent", code="being_sent"), "being_sent",
         "report 3 is being sent"),
        (Unavailable("timed out", reason="timeout"), "unavailable", "timed out"),
    ],
)  # fmt: skip
def test_each_error_carries_a_code_for_the_ui_and_a_detail_for_the_log(
    error: ClientError, code: str, detail: str
) -> None:
    assert (error.code, error.detail) == (code, detail)
    assert str(error) == (detail or code), "the log line is never empty"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (Forbidden("403"), ""),
        (Forbidden("403", reason="csrf"), "csrf"),
        (Unavailable(), "connection"),
        (Unavailable(reason="busy", retry_after=30.0), "busy"),
    ],
)
def test_a_refusal_keeps_the_reason_the_desk_gave(
    error: Forbidden | Unavailable, reason: str
) -> None:
    assert error.reason == reason


def test_an_error_of_ours_passes_through_unchanged() -> None:
    error = StoreError("disk full", code="disk_full")
    assert as_client_error(error) is error


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (ValueError("bad value"), "ValueError: bad value"),
        (KeyError("ticket"), "KeyError: 'ticket'"),
    ],
)
def test_any_other_error_becomes_a_generic_one_that_remembers_its_cause(
    error: Exception, detail: str
) -> None:
    wrapped = as_client_error(error)
    assert type(wrapped) is ClientError
    assert (wrapped.code, wrapped.detail) == ("error", detail)
    assert wrapped.__cause__ is error
