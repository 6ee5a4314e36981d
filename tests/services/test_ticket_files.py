"""A ticket's files: fetched from the desk, kept under a safe name, opened only when safe."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from client.adapters.files import save_ticket_file
from client.core.errors import BadResponse, ConfigurationError, NotFound
from client.core.models import AttachmentInfo, TicketRef
from client.services.tasks import SyncTaskRunner
from client.services.ticket_files import TicketFiles
from tests.fakes import FakeDesk

REF = TicketRef("42", "IT-42")


def _files(desk: FakeDesk | None, folder: Path, max_bytes: int = 1000) -> TicketFiles:
    return TicketFiles(SyncTaskRunner(), lambda: desk, save_ticket_file, folder,
                       max_bytes=max_bytes)  # fmt: skip


def _file(name: str, url: str = "https://desk/f/1") -> AttachmentInfo:
    return AttachmentInfo(name, 5, "application/octet-stream", url)


def test_a_picture_is_kept_privately_and_opens_at_once(
    qtbot: QtBot, fake_desk: FakeDesk, tmp_path: Path
) -> None:
    fake_desk.files["https://desk/f/1"] = b"\x89PNG!"
    files = _files(fake_desk, tmp_path / "files")
    with qtbot.waitSignal(files.ready) as ready:
        files.fetch(REF, _file("screen.png"))
    ref, path, opens = ready.args
    assert (ref, opens) == (REF, True)
    kept = Path(path)
    assert kept == tmp_path / "files" / "42" / "screen.png"
    assert kept.read_bytes() == b"\x89PNG!"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert not list(kept.parent.glob(".*")), "no half-written copy left beside it"


@pytest.mark.parametrize("name", ["../../.profile", "setup.exe", "run\u202egpj.sh"])
def test_a_file_that_could_run_or_escape_is_kept_inside_and_not_opened(
    qtbot: QtBot, fake_desk: FakeDesk, tmp_path: Path, name: str
) -> None:
    fake_desk.files["https://desk/f/1"] = b"#!/bin/sh"
    files = _files(fake_desk, tmp_path)
    with qtbot.waitSignal(files.ready) as ready:
        files.fetch(REF, _file(name))
    _ref, path, opens = ready.args
    assert opens is False
    assert Path(path).parent == tmp_path / "42"
    assert not (tmp_path.parent / ".profile").exists()


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("missing", NotFound),
        ("too large", BadResponse),
        ("signed out", ConfigurationError),
    ],
)
def test_a_file_that_cannot_be_had_says_why(
    qtbot: QtBot, fake_desk: FakeDesk, tmp_path: Path, setup: str, error: type
) -> None:
    if setup == "too large":
        fake_desk.files["https://desk/f/1"] = b"x" * 2000
    files = _files(None if setup == "signed out" else fake_desk, tmp_path)
    with qtbot.waitSignal(files.failed) as failed:
        files.fetch(REF, _file("log.txt"))
    assert isinstance(failed.args[2], error)
    assert not (tmp_path / "42" / "log.txt").exists()


def test_a_double_click_fetches_once(qtbot: QtBot, fake_desk: FakeDesk, tmp_path: Path) -> None:
    from tests.fakes import ManualRunner

    runner = ManualRunner()
    fake_desk.files["https://desk/f/1"] = b"\\x89PNG!"
    files = TicketFiles(runner, lambda: fake_desk, save_ticket_file, tmp_path, max_bytes=1000)
    files.fetch(REF, _file("screen.png"))
    files.fetch(REF, _file("screen.png"))  # the second click of a double click
    assert len(runner.jobs) == 1, "one fetch on its way"
    with qtbot.waitSignal(files.ready):
        runner.finish_next()
    files.fetch(REF, _file("screen.png"))  # later, a click of its own: fetched again
    assert len(runner.jobs) == 1
