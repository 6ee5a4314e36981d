"""The record's entries: stored as JSON and read back, whatever an older or newer version wrote."""

from __future__ import annotations

import json

import pytest

from client.core.fixes import DETECT, DETECT_AGAIN, FIX, FixRun, Outcome, Step
from client.core.record import (
    FIX_RUN,
    REPORT_SENT,
    SentReport,
    Unreadable,
    as_json,
    from_json,
    sent_report,
)

RUN = FixRun(
    fix_id="notes-cache",
    version=2,
    platform="linux",
    detect_sha256="a" * 64,
    fix_sha256="b" * 64,
    started_by="you",
    started_at=1_765_000_000.5,
    outcome=Outcome.SOLVED,
    steps=(
        Step(DETECT, 1, "12 MB\n", 0, 0.01),
        Step(FIX, 0, "Emptied.\n… cut after 48 KB: 9 bytes left out …\nend", 9, 0.2),
        Step(DETECT_AGAIN, 0, "0 KB\n", 0, 0.01),
    ),
    duration_s=0.25,
)
SENT = SentReport(
    1_765_000_100.0, "#42", "Notes hangt", (("description", 120), ("screen.jpg", 9000))
)


@pytest.mark.parametrize(
    "entry",
    [RUN, SENT, FixRun("x", 1, "linux", "", "", "you", 1.0, Outcome.TIMED_OUT, (Step(FIX, None),))],
)
def test_an_entry_survives_being_stored(entry: FixRun | SentReport) -> None:
    kind, at, data = as_json(entry)
    assert from_json(kind, at, json.loads(json.dumps(data))) == entry


def test_kinds_and_times() -> None:
    assert as_json(RUN)[:2] == (FIX_RUN, RUN.started_at)
    assert as_json(SENT)[:2] == (REPORT_SENT, SENT.sent_at)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (FIX_RUN, None),
        (FIX_RUN, {**as_json(RUN)[2], "outcome": "exploded"}),
        (FIX_RUN, {**as_json(RUN)[2], "steps": [{"name": "detect"}]}),
        (FIX_RUN, {k: v for k, v in as_json(RUN)[2].items() if k != "fix_id"}),
        (REPORT_SENT, {**as_json(SENT)[2], "items": [["a"]]}),
        (REPORT_SENT, {**as_json(SENT)[2], "sent_at": "yesterday"}),
        ("health_check", {"anything": 1}),  # a newer version's kind
    ],
)
def test_what_cannot_be_read_is_kept_as_unreadable(kind: str, data: object) -> None:
    assert from_json(kind, 5.0, data) == Unreadable(5.0, kind)


def test_a_sent_report_lists_its_words_and_each_file() -> None:
    report = sent_report(1.0, "#7", "Printer", "kapot é", [("diagnostics.json", 300)])
    assert report.items == (("description", 8), ("diagnostics.json", 300))
