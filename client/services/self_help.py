"""Self-help while the employee types: the profile's articles and fixes that match.

The search itself runs in the search helper process
(``client/adapters/search_helper.py``): its stemmers, typo distance and index
never load into the tray. The first keystroke (or :meth:`SelfHelp.warm`, when
the panel or a report opens) starts it and sends the catalogue, built from
the profile in use (article bodies read from the kept files); each keystroke
then asks it on the io runner, one request at a time: words typed while one
is on its way are searched next, the ones in between skipped. A new profile
sends the catalogue again. The helper ends once typing has been quiet for
:data:`QUIET_S`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from client.core.errors import as_client_error
from client.services.tasks import TaskRunner

if TYPE_CHECKING:
    from client.core.profile import Profile
    from client.core.search import Document, Hit
    from client.services.profile import ProfileService

logger = logging.getLogger(__name__)

#: How long typing may be quiet before the search helper ends (seconds).
QUIET_S = 60.0
#: Matches shown at most.
SHOWN = 3


class Searcher(Protocol):
    """What searches (``client.adapters.search_helper.HelperSearch``); blocking, on a worker."""

    def load(self, documents: Sequence[Document]) -> int: ...  # noqa: D102
    def search(self, text: str, limit: int) -> list[Hit]: ...  # noqa: D102
    def close(self) -> None: ...  # noqa: D102


@dataclass(frozen=True)
class Suggestion:
    """One match as the panel and the report dialog show it."""

    #: ``"article"`` or ``"fix"``.
    kind: str
    id: str
    title: str
    #: One line under the title: a fix's symptoms.
    detail: str = ""


class SelfHelp(QObject):
    """Finds the articles and fixes that match the employee's words.

    Signals:
        suggestions(str, list[Suggestion]): what matches the text (the text
            it was searched for, so an answer for older words is ignored).
    """

    suggestions = Signal(str, list)

    def __init__(
        self,
        io: TaskRunner,
        profile: ProfileService | None,
        language: str,
        searcher: Callable[[], Searcher],
        *,
        quiet_s: float = QUIET_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._io = io
        self._profile = profile
        self._language = language
        self._make_searcher = searcher
        self._searcher: Searcher | None = None
        self._loaded: Profile | None = None  # the profile whose catalogue the helper holds
        self._busy = False
        self._waiting: str | None = None  # words typed while a request was on its way
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(round(quiet_s * 1000))
        self._quiet.timeout.connect(self._on_quiet)

    def warm(self) -> None:
        """A box to type in opened: have the helper ready before the first keystroke."""
        view = self._profile.view if self._profile is not None else None
        if view is not None and self._loaded is not view.profile and not self._busy:
            self._quiet.start()
            self._run(None)

    def query(self, text: str) -> None:
        """Search ``text``; :attr:`suggestions` follows once the helper answered."""
        self._quiet.start()
        if self._profile is not None and self._profile.view is None:
            self._profile.want()  # read on a worker; the next keystroke finds it
        if not text.strip() or self._profile is None or self._profile.view is None:
            self._waiting = None
            self.suggestions.emit(text, [])
            return
        if self._busy:
            self._waiting = text
            return
        self._run(text)

    def close(self) -> None:
        """End the helper now (the app is quitting)."""
        self._quiet.stop()
        if self._searcher is not None:
            self._searcher.close()

    def _run(self, text: str | None) -> None:
        assert self._profile is not None
        view = self._profile.view
        if view is None:
            return
        if self._searcher is None:
            self._searcher = self._make_searcher()
        searcher, profile, read = self._searcher, view.profile, self._profile.file_reader()
        load = self._loaded is not profile
        self._busy = True

        def work() -> list[Hit]:  # io runner
            if load:
                from client.core.search import profile_documents

                def body(path: str) -> str:
                    data = read(path)
                    return data.decode("utf-8", "replace") if data else ""

                count = searcher.load(profile_documents(profile, body))
                logger.info("self-help index built: %d articles and fixes", count)
            return searcher.search(text, SHOWN) if text is not None else []

        def done(hits: list[Hit]) -> None:
            self._busy = False
            self._loaded = profile
            if text is not None:
                self.suggestions.emit(text, self._suggest(profile, hits))
            self._next()

        def failed(error: Exception) -> None:
            self._busy = False
            self._loaded = None  # a helper that failed may be a new one: load again
            logger.warning("self-help search failed: %s", as_client_error(error).detail)
            if text is not None:
                self.suggestions.emit(text, [])
            self._next()

        self._io.submit(work, owner=self, on_success=done, on_error=failed)

    def _next(self) -> None:
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.query(waiting)

    def _on_quiet(self) -> None:
        if self._searcher is not None and not self._busy:
            self._searcher.close()
            self._loaded = None  # the next keystroke starts a helper and loads it

    def _suggest(self, profile: Profile, hits: list[Hit]) -> list[Suggestion]:
        articles = {a.id: a for a in profile.articles}
        fixes = {f.id: f for f in profile.fixes}
        found = []
        for hit in hits:
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
            elif hit.kind == "article" and hit.id in articles:
                found.append(Suggestion("article", hit.id, articles[hit.id].title))
        return found
