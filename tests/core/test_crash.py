import sys
from typing import NoReturn

import pytest

from client.core.crash import CrashInfo, crash_info


def _raise(message: str) -> NoReturn:
    raise ValueError(message)


def _capture(message: str) -> CrashInfo:
    try:
        _raise(message)
    except ValueError as exc:
        return crash_info(type(exc), exc, exc.__traceback__)


def _capture_elsewhere() -> CrashInfo:
    try:
        raise ValueError("id 1")
    except ValueError as exc:
        return crash_info(type(exc), exc, exc.__traceback__)


def test_the_same_place_gives_the_same_fingerprint_whatever_the_message() -> None:
    first, second = _capture("ticket 12"), _capture("ticket 13")
    assert first.fingerprint == second.fingerprint
    assert first.summary == "ValueError: ticket 12"
    assert "Traceback" in first.details and "_raise" in first.details


def test_another_place_gives_another_fingerprint() -> None:
    assert _capture("id 1").fingerprint != _capture_elsewhere().fingerprint


def test_a_crash_at_shutdown_is_still_described_and_told_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "hashlib", None)  # "import hashlib" fails, as at shutdown
    first, second, elsewhere = _capture("ticket 12"), _capture("ticket 13"), _capture_elsewhere()
    assert first.fingerprint == second.fingerprint != elsewhere.fingerprint
    assert first.summary == "ValueError: ticket 12" and "_raise" in first.details
