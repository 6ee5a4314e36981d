"""The self-help search in a helper process: the stemmers, the typo distance and the index.

The search (``client/core/search.py``) needs PyStemmer and jellyfish, native
modules no process can unload, and an index of every article and fix. They
live in ``helpdesk-tray --search-helper`` while the employee types, never in
the tray: the tray sends the catalogue once (``load``), then each keystroke's
words (``search``), over the evidence helper's framed pipe protocol
(``client/adapters/evidence_helper.py``), and ends the helper once typing has
been quiet for a while. A keystroke's round trip is about a millisecond.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, Any

from client import SEARCH_HELPER_FLAG
from client.adapters.evidence_helper import (
    BadMessage,
    EvidenceHelper,
    HelperFailed,
    answer_requests,
)
from client.adapters.helper_process import helper_command
from client.core.errors import ClientError
from client.core.search import Document, Hit

#: How long one request may take: a catalogue of 500 documents is indexed in ~0.1 s.
TIMEOUT_S = 20.0


def search_helper_command() -> list[str]:
    """How to start the search helper."""
    return helper_command(SEARCH_HELPER_FLAG)


class HelperSearch:
    """The tray's side: one helper, started on first use. Thread-safe; call it on a worker."""

    def __init__(self, command: Sequence[str] | None = None) -> None:
        self._helper = EvidenceHelper(
            command or search_helper_command(), TIMEOUT_S, what="search helper"
        )

    def load(self, documents: Sequence[Document]) -> int:
        """Index ``documents`` in the helper (starting it if need be); how many it holds."""
        payload = json.dumps(
            [{"id": d.id, "kind": d.kind, "fields": dict(d.fields)} for d in documents]
        ).encode("utf-8")
        header, _ = self._helper.call("load", {}, payload)
        return int(header.get("documents", 0))

    def search(self, text: str, limit: int) -> list[Hit]:
        """The helper's best matches for ``text``.

        Raises :class:`HelperFailed` when the helper is gone or holds no index
        (it ended, or a new one started): load again.
        """
        header, _ = self._helper.call("search", {"text": text[:2000], "limit": limit})
        hits = header.get("hits")
        if not isinstance(hits, list):
            raise HelperFailed("search: no hits in the answer")
        return [Hit(str(h[0]), str(h[1]), float(h[2])) for h in hits if len(h) == 3]

    def close(self) -> None:
        """End the helper (typing has been quiet): its memory goes with it."""
        self._helper.close()

    def cancel(self) -> None:
        """End it at once (the app is quitting)."""
        self._helper.cancel()


class _Worker:
    def __init__(self) -> None:
        self._index: Any = None

    def handle(self, request: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        from client.core.search import SearchIndex

        op = request.get("op")
        if op == "load":
            try:
                raw = json.loads(payload)
                documents = [Document(str(d["id"]), str(d["kind"]),
                                      {str(k): str(v) for k, v in dict(d["fields"]).items()})
                             for d in raw]  # fmt: skip
            except (ValueError, KeyError, TypeError) as error:
                raise BadMessage(f"load: {error}") from error
            self._index = SearchIndex(documents)
            return {"documents": len(documents)}, b""
        if op == "search":
            if self._index is None:
                raise ClientError("no catalogue loaded")
            limit = request.get("limit", 5)
            hits = self._index.search(str(request.get("text", "")),
                                      limit if isinstance(limit, int) else 5)  # fmt: skip
            return {"hits": [[h.id, h.kind, h.score] for h in hits]}, b""
        raise BadMessage(f"unknown op {op!r}")


def serve(source: IO[bytes], out: IO[bytes]) -> int:
    """Answer requests from ``source`` on ``out`` until ``source`` ends; the exit status."""
    return answer_requests(source, out, _Worker().handle)
