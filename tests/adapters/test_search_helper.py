"""The self-help search in its helper process: load a catalogue, search it, end it."""

from __future__ import annotations

import subprocess

import pytest

from client.adapters.evidence_helper import HelperFailed, read_message, write_message
from client.adapters.search_helper import HelperSearch, search_helper_command
from client.core.search import Document

CATALOGUE = [
    Document("printer", "article", {"title": "De printer staat offline", "keywords": "printer"}),
    Document("notes-cache", "fix", {"title": "Empty the Notes cache", "symptoms": "Notes slow"}),
]


def test_the_helper_finds_what_the_tray_would() -> None:
    search = HelperSearch()
    try:
        assert search.load(CATALOGUE) == 2
        assert [h.id for h in search.search("priner doet het niet", 3)] == ["printer"]
        assert [(h.id, h.kind) for h in search.search("my notes are slow", 3)] == [
            ("notes-cache", "fix")
        ]
        assert search.search("koffieautomaat", 3) == []
    finally:
        search.close()


def test_a_search_before_a_catalogue_or_after_the_helper_ended_asks_to_load_again() -> None:
    search = HelperSearch()
    try:
        with pytest.raises(HelperFailed, match="no catalogue"):
            search.search("printer", 3)
        search.load(CATALOGUE)
        search.close()  # ended (typing was quiet): the next one is a new helper
        with pytest.raises(HelperFailed, match="no catalogue"):
            search.search("printer", 3)
    finally:
        search.close()


def test_the_helper_answers_nonsense_with_an_error_and_goes_on() -> None:
    process = subprocess.Popen(
        search_helper_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        write_message(process.stdin, {"op": "load"}, b"not json")
        answer = read_message(process.stdout)
        assert answer is not None and answer[0]["code"] == "bad_request"
        write_message(process.stdin, {"op": "delete everything"})
        answer = read_message(process.stdout)
        assert answer is not None and answer[0]["ok"] is False
        write_message(process.stdin, {"op": "load"}, b"[]")
        answer = read_message(process.stdout)
        assert answer is not None and answer[0]["ok"] is True and answer[0]["documents"] == 0
    finally:
        process.stdin.close()
        assert process.wait(timeout=20) == 0, "it leaves when the tray closes its pipe"
        process.stdout.close()


def test_the_tray_builds_the_catalogue_without_the_searchs_native_modules() -> None:
    import sys

    code = (
        "import sys\n"
        "from client.core.profile import parse_profile\n"
        "from client.core.search import profile_documents\n"
        "from client.adapters.search_helper import HelperSearch\n"
        "profile = parse_profile({'format': 1, 'version': 1, 'articles': [{'id': 'a',"
        " 'title': 'VPN', 'language': 'en', 'body': 'a.md'}]})\n"
        "assert profile_documents(profile, lambda path: 'text')\n"
        "HelperSearch()\n"
        "print(sorted(m for m in ('Stemmer', 'jellyfish') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "[]", "PyStemmer and jellyfish load in the helper only"
