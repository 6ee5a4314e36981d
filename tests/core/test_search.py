"""Self-help search: stems, typos, unfinished words, compounds, and nothing for noise."""

from __future__ import annotations

import pytest

from client.core.profile import parse_profile
from client.core.search import Document, SearchIndex, fold, profile_documents, words

CATALOGUE = [
    Document("printer-nl", "article", {"title": "De printer staat offline",
                                       "keywords": "printer afdrukken",
                                       "body": "Zet de printer uit."}),
    Document("vpn-en", "article", {"title": "The VPN does not connect at home",
                                   "keywords": "vpn home", "body": "Disconnect, then connect."}),
    Document("password-nl", "article", {"title": "Wachtwoord vergeten of verlopen",
                                        "keywords": "wachtwoord inloggen",
                                        "body": "Ga naar de portal. Het scherm vraagt een code."}),
    Document("notes-cache", "fix", {"title": "Empty the Notes cache De cache van Notities legen",
                                    "keywords": "notes notities traag slow",
                                    "symptoms": "Notes is slow Notities loopt vast",
                                    "body": "Kopieën worden verwijderd."}),
    Document("network-drive-nl", "article", {"title": "Netwerkschijf niet zichtbaar",
                                             "keywords": "netwerkschijf gedeeld", "body": ""}),
]  # fmt: skip


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(CATALOGUE)


def first(index: SearchIndex, text: str) -> str | None:
    hits = index.search(text)
    return hits[0].id if hits else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("printer doet het niet", "printer-nl"),
        ("ik kan niet afdrukken", "printer-nl"),
        ("PRINTER!!", "printer-nl"),
        ("priner staat uit", "printer-nl"),  # a missing letter
        ("wachtwrod vergeten", "password-nl"),  # swapped letters
        ("vnp thuis", "vpn-en"),  # a short word, swapped
        ("vpm connection", "vpn-en"),  # a short word, one wrong letter
        ("connecting at home ", "vpn-en"),  # English stems
        ("notities zijn heel traag", "notes-cache"),
        ("my notes app is sooo slow", "notes-cache"),
        ("netwerkschrijf weg", "network-drive-nl"),  # a long word, an extra letter
        ("netwerkschijfletter", "network-drive-nl"),  # a compound holding a known word
        ("wacht", "password-nl"),  # still typing: the start of "wachtwoord"
        ("inlogg", "password-nl"),
        ("Notitiës", "notes-cache"),  # accents do not matter
    ],
)
def test_the_right_document_comes_first(index: SearchIndex, text: str, expected: str) -> None:
    assert first(index, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "doet het niet",  # only words that say nothing
        "koffieautomaat doet het niet",
        "hoi",
        "zz",  # two letters that are no word of the catalogue
        "mijn fiets is gestolen",
        "dicht",  # one letter from "zicht", but not at the start: not a typo of it
        "code",  # only in a body: too little on its own
    ],
)
def test_noise_shows_nothing(index: SearchIndex, text: str) -> None:
    assert index.search(text) == []


def test_results_are_ranked_limited_and_cut_off(index: SearchIndex) -> None:
    hits = index.search("printer vpn wachtwoord notes netwerkschijf", limit=2)
    assert len(hits) == 2
    assert hits[0].score >= hits[1].score
    both = index.search("printer afdrukken vpn")
    assert [h.id for h in both] == ["printer-nl", "vpn-en"]
    assert both[1].score < both[0].score
    # Repeating a word makes the other one too weak to show beside it.
    assert [h.id for h in index.search("printer printer printer vpn")] == ["printer-nl"]


def test_words_and_folding() -> None:
    assert fold("Financiën Ça") == "financien ca"
    assert words("Mijn printer doet het NIET, 3e verdieping!") == ["printer", "3e", "verdieping"]


def test_an_empty_catalogue_finds_nothing() -> None:
    assert SearchIndex([]).search("printer") == []
    assert len(SearchIndex(CATALOGUE)) == 5


def test_documents_of_a_profile() -> None:
    profile = parse_profile(
        {
            "format": 1,
            "version": 1,
            "articles": [{"id": "a", "title": "Printer offline", "language": "en",
                          "keywords": ["Print"], "body": "articles/a.md"}],
            "fixes": [{"id": "f", "title": {"en": "Empty cache", "nl": "Cache legen"},
                       "symptoms": {"en": "slow", "nl": "traag"},
                       "changes": "Deletes.", "keywords": ["notes"],
                       "scripts": {"linux": {"interpreter": "sh",
                           "detect": {"file": "d.sh", "sha256": "a" * 64, "length": 1},
                           "fix": {"file": "f.sh", "sha256": "b" * 64, "length": 1}}}}],
        }
    )  # fmt: skip
    documents = profile_documents(profile, lambda path: f"body of {path}")
    assert documents[0] == Document(
        "a",
        "article",
        {"title": "Printer offline", "keywords": "print", "body": "body of articles/a.md"},
    )
    assert documents[1].kind == "fix"
    assert documents[1].fields["title"] == "Empty cache Cache legen"
    assert documents[1].fields["symptoms"] == "slow traag"
    index = SearchIndex(documents)
    assert [h.id for h in index.search("cache legen")] == ["f"]
