"""Self-help while typing: one search at a time, the latest words next, the helper let go."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytestqt.qtbot import QtBot

from client.adapters.evidence_helper import HelperFailed
from client.core.profile import FORMAT
from client.core.search import Document, Hit, SearchIndex
from client.services.profile import ProfileService
from client.services.self_help import SelfHelp, Suggestion
from client.services.tasks import SyncTaskRunner
from tests.services.test_profile_service import HeldRunner, Kept, Source

DOCUMENT = {
    "format": FORMAT,
    "version": 1,
    "articles": [{"id": "vpn", "title": "VPN werkt niet", "language": "nl",
                  "keywords": ["vpn"], "body": "a/vpn.md"}],
    "fixes": [{"id": "cache", "title": {"en": "Empty the cache", "nl": "Cache legen"},
               "symptoms": {"en": "Notes is slow", "nl": "Notities is traag"},
               "changes": "Deletes.", "keywords": ["notes"],
               "scripts": {"linux": {"interpreter": "sh",
                   "detect": {"file": "d.sh", "sha256": "a" * 64, "length": 1},
                   "fix": {"file": "f.sh", "sha256": "b" * 64, "length": 1}}}}],
}  # fmt: skip


class InProcess:
    """Stands for the helper: the real search, counted."""

    def __init__(self) -> None:
        self.loads: list[int] = []
        self.searched: list[str] = []
        self.closed = 0
        self.fail_next = False
        self._index: SearchIndex | None = None

    def load(self, documents: Sequence[Document]) -> int:
        self.loads.append(len(documents))
        self._index = SearchIndex(documents)
        return len(documents)

    def search(self, text: str, limit: int) -> list[Hit]:
        if self.fail_next or self._index is None:
            self.fail_next = False
            raise HelperFailed("search: it ended")
        self.searched.append(text)
        return self._index.search(text, limit)

    def close(self) -> None:
        self.closed += 1
        self._index = None


def built(io: Any, language: str = "nl") -> tuple[SelfHelp, InProcess]:
    source = Source()
    source.kept_copy = Kept(DOCUMENT, 0.0, files={"a/vpn.md": b"# VPN\n\nOpnieuw verbinden."})
    profile = ProfileService(SyncTaskRunner(), source, clock=lambda: 0.0)
    profile.start()
    profile.want()
    helper = InProcess()
    return SelfHelp(io, profile, language, lambda: helper, quiet_s=0.05), helper


def test_matches_come_with_the_words_they_are_for(qtbot: QtBot) -> None:
    help_, helper = built(SyncTaskRunner())
    shown: list[tuple[str, list[Suggestion]]] = []
    help_.suggestions.connect(lambda text, found: shown.append((text, found)))

    help_.query("notities traag")
    help_.query("vpn")
    help_.query("   ")

    assert shown == [
        ("notities traag", [Suggestion("fix", "cache", "Cache legen", "Notities is traag")]),
        ("vpn", [Suggestion("article", "vpn", "VPN werkt niet")]),
        ("   ", []),
    ]
    assert helper.loads == [2], "the catalogue is sent once"


def test_words_typed_while_a_search_is_on_its_way_are_searched_next_the_rest_skipped(
    qtbot: QtBot,
) -> None:
    io = HeldRunner()
    help_, helper = built(io)
    for text in ("v", "vp", "vpn"):
        help_.query(text)
    io.finish()
    assert helper.searched == ["v", "vpn"]


def test_a_helper_that_ended_gets_the_catalogue_again(qtbot: QtBot) -> None:
    help_, helper = built(SyncTaskRunner())
    shown: list[str] = []
    help_.suggestions.connect(lambda text, found: shown.append(text))
    help_.query("vpn")
    helper.fail_next = True
    help_.query("vpn ")  # the helper is gone: nothing shown, and it is loaded again next time
    help_.query("vpn")
    assert helper.loads == [2, 2]
    assert shown == ["vpn", "vpn ", "vpn"]


def test_the_helper_is_let_go_when_typing_is_quiet_and_warmed_when_a_box_opens(
    qtbot: QtBot,
) -> None:
    help_, helper = built(SyncTaskRunner())
    help_.warm()
    assert helper.loads == [2] and helper.searched == []
    help_.query("vpn")
    qtbot.waitUntil(lambda: helper.closed == 1)
    help_.query("vpn")
    assert helper.loads == [2, 2]
    help_.close()
    assert helper.closed == 2
