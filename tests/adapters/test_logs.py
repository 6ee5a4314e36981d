"""Logging: secrets never reach the file, the tail keeps recent lines."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.adapters.logs import RotatingLog, setup_logging
from client.core.redact import Redactor

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_tokens_and_authorization_headers_never_reach_the_file(
    tmp_path: Path, restore_logging: None
) -> None:
    redactor = Redactor()
    log_file = tmp_path / "log" / "helpdesk-tray.log"
    tail = setup_logging(log_file, "DEBUG", redactor, to_stderr=False)
    redactor.add_secret("p4ssw0rd-of-anna")
    log = logging.getLogger("client.test")
    log.info("headers %s", {"Authorization": f"Token {TOKEN}"})
    log.debug("signing in with p4ssw0rd-of-anna")
    try:
        raise RuntimeError(f"request failed: token={TOKEN}")
    except RuntimeError:
        log.exception("failure")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = log_file.read_text()
    assert "headers" in written and "failure" in written and "Traceback" in written
    assert TOKEN not in written and "p4ssw0rd-of-anna" not in written
    assert all(TOKEN not in line for line in tail.lines())
    assert tail.lines(1)[0].endswith("failure") or "RuntimeError" in tail.lines(1)[0]


def test_the_tail_keeps_only_the_newest_lines(tmp_path: Path, restore_logging: None) -> None:
    tail = setup_logging(None, "INFO", Redactor(), to_stderr=False)
    log = logging.getLogger("client.test")
    for number in range(600):
        log.info("line %d", number)
    lines = tail.lines()
    assert len(lines) == 500
    assert lines[-1].endswith("line 599") and lines[0].endswith("line 100")
    assert [line[-8:] for line in tail.lines(2)] == ["line 598", "line 599"]


def test_an_unwritable_log_location_does_not_stop_the_client(
    tmp_path: Path, restore_logging: None, capfd: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "log"
    blocker.write_text("a file where the log folder should be")
    tail = setup_logging(blocker / "helpdesk-tray.log", "INFO", Redactor(), to_stderr=False)
    logging.getLogger("client.test").info("still logging")
    assert tail.lines()[-1].endswith("still logging")
    assert "unavailable" in capfd.readouterr().err


def test_the_log_file_rotates_keeping_a_few_older_ones_and_every_line_in_order(
    tmp_path: Path,
) -> None:
    log = tmp_path / "helpdesk-tray.log"
    handler = RotatingLog(log, max_bytes=200, backups=2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    lines = [f"line {n:03d} " + "x" * 30 for n in range(40)]
    for line in lines:
        handler.handle(logging.makeLogRecord({"msg": line, "levelno": logging.INFO}))
    handler.close()
    kept = [log.with_name(f"{log.name}.2"), log.with_name(f"{log.name}.1"), log]
    assert not log.with_name(f"{log.name}.3").exists(), "no more than two older files"
    assert all(path.stat().st_size <= 200 for path in kept)
    written = "".join(path.read_text(encoding="utf-8") for path in kept).splitlines()
    assert written == lines[-len(written) :], "the newest lines, in order, none twice"
    assert len(written) >= 12


def test_a_line_longer_than_the_limit_is_written_whole_without_emptying_files(
    tmp_path: Path,
) -> None:
    log = tmp_path / "helpdesk-tray.log"
    handler = RotatingLog(log, max_bytes=50, backups=3)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for text in ("a" * 120, "b" * 120):
        handler.handle(logging.makeLogRecord({"msg": text, "levelno": logging.INFO}))
    handler.close()
    assert log.read_text(encoding="utf-8") == "b" * 120 + "\n"
    assert log.with_name(f"{log.name}.1").read_text(encoding="utf-8") == "a" * 120 + "\n"
    assert not log.with_name(f"{log.name}.2").exists(), "an empty file is never rolled"
