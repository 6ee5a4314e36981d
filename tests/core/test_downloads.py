"""A ticket's files on this computer: safe names, and which open at once."""

from __future__ import annotations

import pytest

from client.core.downloads import MAX_NAME, kept_name, opens_directly


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("screenshot.webp", "screenshot.webp"),
        ("../../.bashrc", "bashrc"),
        ("C:\\Windows\\evil.pdf", "evil.pdf"),
        (".hidden", "hidden"),
        ("report\x00.pdf", "report_.pdf"),
        ("invoice\u202efdp.exe", "invoice_fdp.exe"),  # the name read backwards
        ("", "file"),
        ("///", "file"),
        ("..", "file"),
        ("a:b*c?.txt", "a_b_c_.txt"),
    ],
)
def test_a_desk_file_name_becomes_one_plain_name(given: str, kept: str) -> None:
    assert kept_name(given) == kept


def test_a_long_name_keeps_its_extension() -> None:
    kept = kept_name("x" * 500 + ".pdf")
    assert len(kept) == MAX_NAME and kept.endswith(".pdf")
    assert kept_name("y" * 500) == "y" * MAX_NAME


@pytest.mark.parametrize(
    ("name", "opens"),
    [
        ("screenshot.webp", True),
        ("diagnostics.json", True),
        ("Budget.XLSX", True),
        ("setup.exe", False),
        ("fix.sh", False),
        ("link.desktop", False),
        ("invoice_fdp.exe", False),
        ("pdf", False),
        (".pdf", False),
        ("README", False),
    ],
)
def test_only_documents_and_pictures_open_at_once(name: str, opens: bool) -> None:
    assert opens_directly(name) is opens
