"""The self-help search on the labelled phrasings (labelled before the search was built).

The pass mark is the issue's: the right article or fix among the first three
for at least 85 % of the phrasings that have one. And a phrasing that fits
nothing in the catalogue should show nothing: at least 80 % of those do.
docs/performance.md records the numbers (``python -m bench --only search``).
"""

from __future__ import annotations

from bench.search_quality import demo_catalogue, phrasings, quality
from client.core.search import SearchIndex


def test_the_labelled_set_is_big_and_varied_enough() -> None:
    cases = phrasings()
    assert len(cases) >= 60
    assert {c["language"] for c in cases} == {"nl", "en"}
    assert min(sum(c["language"] == lang for c in cases) for lang in ("nl", "en")) >= 25
    assert sum(not c["expect"] for c in cases) >= 10
    catalogue = {d.id for d in demo_catalogue()}
    assert {i for c in cases for i in c["expect"]} <= catalogue


def test_the_right_answer_is_in_the_top_three() -> None:
    measured = quality(SearchIndex(demo_catalogue()), phrasings())
    assert measured.rate(measured.top3, measured.labelled) >= 85.0, measured.misses
    assert measured.rate(measured.empty_right, measured.empty) >= 80.0, measured.misses
