"""Self-help while the employee types: the profile's articles and fixes that match.

The search index (client/core/search.py, with its stemmers and edit distance) is
built on the io runner the first time the employee types, from the profile
in use (article bodies read from the kept files); after that each keystroke
is searched on the GUI thread (well under a millisecond for 500 documents,
docs/performance.md). A new profile drops the index: the next keystroke
builds it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from client.core.errors import as_client_error
from client.services.tasks import TaskRunner

if TYPE_CHECKING:
    from client.core.profile import Profile
    from client.core.search import SearchIndex
    from client.services.profile import ProfileService

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    """One match as the panel and the report dialog show it."""

    #: ``"article"`` or ``"fix"``.
    kind: str
    id: str
    title: str
    #: One line under the title: a fix's symptoms, or an article's language.
    detail: str = ""


class SelfHelp(QObject):
    """Finds the articles and fixes that match the employee's words.

    Signals:
        suggestions(str, list[Suggestion]): what matches the text (the text
            it was searched for, so a late answer for older text is ignored).
    """

    suggestions = Signal(str, list)

    def __init__(
        self,
        io: TaskRunner,
        profile: ProfileService | None,
        language: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._io = io
        self._profile = profile
        self._language = language
        self._index: SearchIndex | None = None
        self._indexed: Profile | None = None
        self._building = False
        self._latest = ""

    def query(self, text: str) -> None:
        """Search ``text``; :attr:`suggestions` follows (at once, or once the index is built)."""
        self._latest = text
        view = self._profile.view if self._profile is not None else None
        if view is None:
            if self._profile is not None:
                self._profile.want()
            self.suggestions.emit(text, [])
            return
        if self._index is not None and self._indexed is view.profile:
            self.suggestions.emit(text, self._suggest(view.profile, text))
            return
        if self._building:
            return
        self._building = True
        profile, read = view.profile, self._profile.file_reader()  # type: ignore[union-attr]

        def build() -> SearchIndex:  # io runner
            from client.core.search import SearchIndex, profile_documents

            def body(path: str) -> str:
                data = read(path)
                return data.decode("utf-8", "replace") if data else ""

            return SearchIndex(profile_documents(profile, body))

        def built(index: SearchIndex) -> None:
            self._building = False
            self._index, self._indexed = index, profile
            logger.info("self-help index built: %d articles and fixes", len(index))
            self.query(self._latest)

        def failed(error: Exception) -> None:
            self._building = False
            logger.error("self-help index not built: %s", as_client_error(error).detail)

        self._io.submit(build, owner=self, on_success=built, on_error=failed)

    def _suggest(self, profile: Profile, text: str) -> list[Suggestion]:
        assert self._index is not None
        articles = {a.id: a for a in profile.articles}
        fixes = {f.id: f for f in profile.fixes}
        found = []
        for hit in self._index.search(text, limit=3):
            if hit.kind == "fix" and hit.id in fixes:
                fix = fixes[hit.id]
                found.append(
                    Suggestion(
                        "fix",
                        fix.id,
                        fix.title.get(self._language),
                        fix.symptoms.get(self._language),
                    )  # fmt: skip
                )
            elif hit.id in articles:
                found.append(Suggestion("article", hit.id, articles[hit.id].title))
        return found
