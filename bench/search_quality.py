"""Self-help search: how often the right article or fix is shown, and how fast.

Quality: every phrasing of ``tests/data/search_phrasings.json`` (labelled
before the search was built) is searched in the demo catalogue (its articles
and fixes, ``demo/profile_site.py``). Top-1: the first result is one of the
expected; top-3: one of the first three is. A phrasing labelled with nothing
is right only when nothing is shown.

Speed (budget: results within 30 ms of a keystroke for 500 articles and
fixes): a catalogue of 500 documents is made from the demo's texts (the demo's
own, then copies with words of the others mixed in, so the vocabulary and
postings grow as a real catalogue's would), and every phrasing is typed into
it one character at a time; each keystroke's search is timed, in this
process and then as the tray asks it, through the search helper process.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from client.adapters.search_helper import HelperSearch
from client.core.profile import parse_profile
from client.core.search import Document, SearchIndex, profile_documents
from demo.profile_site import demo_document

PHRASINGS = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_phrasings.json"
BUDGET_MS = 30.0


def demo_catalogue() -> list[Document]:
    """The demo profile's articles (with their bodies) and fixes."""
    document, files = demo_document(datetime.now(UTC))
    profile = parse_profile(document)
    return profile_documents(profile, lambda path: files[path].decode("utf-8"))


def phrasings() -> list[dict[str, Any]]:
    """The labelled phrasings."""
    loaded: list[dict[str, Any]] = json.loads(PHRASINGS.read_text("utf-8"))
    return loaded


@dataclass
class Quality:
    """How the search did on the labelled set."""

    total: int = 0
    labelled: int = 0
    top1: int = 0
    top3: int = 0
    empty: int = 0
    empty_right: int = 0
    misses: list[str] = field(default_factory=list)

    def rate(self, part: int, whole: int) -> float:
        return round(100.0 * part / whole, 1) if whole else 0.0


def quality(index: SearchIndex, cases: list[dict[str, Any]]) -> Quality:
    """Search every phrasing; count the hits."""
    result = Quality(total=len(cases))
    for case in cases:
        shown = [hit.id for hit in index.search(case["text"])]
        expected = set(case["expect"])
        if not expected:
            result.empty += 1
            result.empty_right += not shown
            if shown:
                result.misses.append(f"{case['text']!r}: nothing expected, shown {shown[:3]}")
            continue
        result.labelled += 1
        result.top1 += bool(shown) and shown[0] in expected
        hit3 = bool(expected & set(shown[:3]))
        result.top3 += hit3
        if not hit3:
            result.misses.append(
                f"{case['text']!r}: expected {sorted(expected)}, shown {shown[:3]}"
            )
    return result


def large_catalogue(base: list[Document], size: int, seed: int = 7) -> list[Document]:
    """``size`` documents: the demo's, then copies mixing in other documents' words."""
    rng = random.Random(seed)
    vocabulary = sorted({w for d in base for text in d.fields.values() for w in text.split()})
    documents = list(base)
    while len(documents) < size:
        model = base[len(documents) % len(base)]
        fields = {
            name: " ".join([text, *rng.sample(vocabulary, 12)])
            for name, text in model.fields.items()
        }
        documents.append(Document(f"{model.id}-{len(documents)}", model.kind, fields))
    return documents


@dataclass
class Speed:
    """Per-keystroke search times in a catalogue of ``size`` documents."""

    size: int
    build_ms: float
    keystrokes: int
    median_ms: float
    p95_ms: float
    max_ms: float
    #: The same keystrokes as the tray asks them: through the search helper process.
    helper_start_ms: float = 0.0
    helper_median_ms: float = 0.0
    helper_p95_ms: float = 0.0
    helper_max_ms: float = 0.0


def speed(cases: list[dict[str, Any]], size: int = 500) -> Speed:
    """Type every phrasing into a ``size``-document catalogue, a character at a time."""
    documents = large_catalogue(demo_catalogue(), size)
    started = time.perf_counter()
    index = SearchIndex(documents)
    build_ms = (time.perf_counter() - started) * 1000
    times = []
    for case in cases:
        text = case["text"]
        for end in range(1, len(text) + 1):
            started = time.perf_counter()
            index.search(text[:end])
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    helper = HelperSearch()
    started = time.perf_counter()
    helper.load(documents)  # the helper starts, imports, indexes
    start_ms = (time.perf_counter() - started) * 1000
    trips = []
    try:
        for case in cases:
            text = case["text"]
            for end in range(1, len(text) + 1):
                started = time.perf_counter()
                helper.search(text[:end], 3)
                trips.append((time.perf_counter() - started) * 1000)
    finally:
        helper.close()
    trips.sort()
    return Speed(
        size, round(build_ms, 1), len(times), round(statistics.median(times), 2),
        round(times[int(len(times) * 0.95)], 2), round(times[-1], 2),
        round(start_ms, 1), round(statistics.median(trips), 2),
        round(trips[int(len(trips) * 0.95)], 2), round(trips[-1], 2),
    )  # fmt: skip


@dataclass
class Result:
    """Quality on the labelled set, and speed at 500 documents."""

    quality: Quality
    speed: Speed

    def as_dict(self) -> dict[str, Any]:
        q = self.quality
        return {
            "phrasings": q.total,
            "labelled": q.labelled,
            "top1_pct": q.rate(q.top1, q.labelled),
            "top3_pct": q.rate(q.top3, q.labelled),
            "nothing_expected": q.empty,
            "nothing_shown_pct": q.rate(q.empty_right, q.empty),
            "misses": q.misses,
            "speed": self.speed.__dict__,
        }

    def table(self) -> list[str]:
        q, s = self.quality, self.speed
        return [
            "Self-help search (labelled set, demo catalogue)",
            "| measure | value |",
            "|---|---|",
            f"| phrasings (with an answer / with none) | {q.total} ({q.labelled} / {q.empty}) |",
            f"| top-1 | {q.rate(q.top1, q.labelled)} % |",
            f"| top-3 (pass mark 85 %) | {q.rate(q.top3, q.labelled)} % |",
            f"| nothing shown when nothing fits | {q.rate(q.empty_right, q.empty)} % |",
            f"| index of {s.size} documents built | {s.build_ms} ms |",
            f"| keystroke search, median / p95 / max ({s.keystrokes} keystrokes, budget "
            f"{BUDGET_MS:.0f} ms) | {s.median_ms} / {s.p95_ms} / {s.max_ms} ms |",
            f"| the search helper started and the {s.size} documents loaded | "
            f"{s.helper_start_ms} ms |",
            f"| keystroke through the helper (what the tray waits), median / p95 / max | "
            f"{s.helper_median_ms} / {s.helper_p95_ms} / {s.helper_max_ms} ms |",
            "",
            "Misses:",
            *[f"- {miss}" for miss in q.misses],
        ]


def run() -> Result:
    """Measure quality and speed."""
    cases = phrasings()
    return Result(quality(SearchIndex(demo_catalogue()), cases), speed(cases))


if __name__ == "__main__":
    print("\n".join(run().table()))
