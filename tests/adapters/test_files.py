"""Files the user adds: read whole, or refused with a reason the user understands."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.adapters.files import read_user_file
from client.core.errors import ValidationError


def _refusal(path: Path | str, limit: int = 1024) -> str:
    with pytest.raises(ValidationError) as caught:
        read_user_file(str(path), limit)
    assert caught.value.field == "attachments"
    return caught.value.code


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "agent.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        yield path


def test_a_file_is_read_whole_with_its_type(tmp_path: Path) -> None:
    photo = tmp_path / "error.png"
    photo.write_bytes(b"\x89PNG" + bytes(100))
    attachment = read_user_file(str(photo), 1024)
    assert (attachment.filename, attachment.content_type) == ("error.png", "image/png")
    assert attachment.data == photo.read_bytes()


def test_what_cannot_be_sent_is_named(tmp_path: Path, unix_socket: Path) -> None:
    big = tmp_path / "dump.bin"
    big.write_bytes(bytes(2048))
    assert _refusal(tmp_path) == "file_is_folder"
    assert _refusal(unix_socket) == "file_not_regular"
    assert _refusal(tmp_path / "gone.txt") == "file_missing"
    assert _refusal(big) == "file_too_large"
    # A file that says it is a file but cannot be read (root reads anything else).
    assert _refusal("/proc/self/mem", 1 << 30) == "file_unreadable"


def test_the_refusal_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        read_user_file(str(tmp_path), 10)
    assert caught.value.detail == tmp_path.name
