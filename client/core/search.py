"""Self-help search: the articles and fixes that match what the employee is typing. Qt-free.

Built on two libraries made for it: the Snowball stemmers for Dutch and
English (PyStemmer, their C build), so "printen" finds "printer" and
"passwords" finds "password"; and jellyfish's Damerau-Levenshtein distance
for typos ("priner", "wachtwrod", "vnp"). Both are small C/Rust extensions:
together about 1.5 MB, loaded the first time the employee types.
Each query word is matched against every document's words and stems:
exactly, as the start of a word still being typed, inside a Dutch compound,
or within a small edit distance. A match counts for more the rarer the word
is in the catalogue (IDF) and the more it says about the document (title
and keywords over symptoms over body). A document is shown only when it
matched a word that carries meaning: words such as "doet", "niet", "my" or
"working" never count on their own, so "koffieautomaat doet het niet"
shows nothing rather than a wrong fix.

Quality is measured on a labelled set of employee phrasings
(``tests/data/search_phrasings.json``; docs/performance.md, "Self-help search").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from client.core.profile import Profile

#: How much a match in each field counts.
FIELD_WEIGHTS = {"title": 3.0, "keywords": 3.0, "symptoms": 2.0, "body": 1.0}
#: A document is shown only with a match in a field of at least this weight: a word
#: that appears only somewhere in an article's body says too little on its own.
STRONG_FIELD = 2.0
#: Results shown at most.
LIMIT = 5
#: A result must score at least this share of the best result's score.
RELATIVE_CUTOFF = 0.35
#: The least score a result may have: one good match of a meaningful word in a title.
MIN_SCORE = 2.0

_WORD = re.compile(r"[a-z0-9]+")
#: Words that say nothing about which problem it is (Dutch and English, after folding).
STOPWORDS = frozenset(
    """
    a aan al alles also am an and any are as at be been bij but by can cant cannot could de
    deze die dit do does doesnt doet dont een en er for from get gets got had has have he
    heb hebben heeft help hem het hey hi hier hij hoe how i ik im in is isnt it its je jij
    just kan kun kunnen maar me meer met mij mijn my na naar need needs nee niet niets niks
    no not nu of ok om on ook op or our please problem probleem s so some still t te that
    the their there this to toch u uit van voor waarom wanneer want was wat we weer what
    when where which why wij will with wont work werken werkt working works would you your
    ze zij zijn zo zou meer erg heel very really sooo so much many veel graag wil wilt even
    ff mn m n jullie staat gaat ging every too way take takes taking show showing shows
    again anymore meer weer altijd always nooit never sinds since today vandaag morgen
    """.split()
)


@dataclass(frozen=True)
class Document:
    """Something the search can find: an article or a fix, its texts by field."""

    id: str
    #: ``"article"`` or ``"fix"``.
    kind: str
    #: Field name (:data:`FIELD_WEIGHTS`) → the text in it (all languages together).
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Hit:
    """A document that matched, and how well."""

    id: str
    kind: str
    score: float


def fold(text: str) -> str:
    """Lower case without accents: "Financiën" → "financien"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _Stems:
    """The Dutch and English stems of a word (the stemmers are made once, on first use)."""

    def __init__(self) -> None:
        # Imported here: the tray builds documents (profile_documents) but never an index;
        # the search helper does, and only it loads these native modules.
        import Stemmer

        self._dutch = Stemmer.Stemmer("dutch")
        self._english = Stemmer.Stemmer("english")
        self._known: dict[str, frozenset[str]] = {}

    def of(self, word: str) -> frozenset[str]:
        stems = self._known.get(word)
        if stems is None:
            stems = frozenset((word, self._dutch.stemWord(word), self._english.stemWord(word)))
            self._known[word] = stems
        return stems


def words(text: str) -> list[str]:
    """The words of ``text``, folded, without stopwords or single characters."""
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in STOPWORDS]


class SearchIndex:
    """The catalogue prepared for searching; built once, searched on every keystroke."""

    def __init__(self, documents: Sequence[Document]) -> None:
        import jellyfish  # see _Stems: in the search helper only

        self._distance = jellyfish.damerau_levenshtein_distance
        self._documents = list(documents)
        self._stems = _Stems()
        #: term → document index → the best field weight it appears in.
        postings: dict[str, dict[int, float]] = {}
        for index, document in enumerate(self._documents):
            for field, text in document.fields.items():
                weight = FIELD_WEIGHTS.get(field, 1.0)
                for word in words(text):
                    for term in self._stems.of(word):
                        entry = postings.setdefault(term, {})
                        entry[index] = max(entry.get(index, 0.0), weight)
        self._postings = postings
        self._vocabulary = list(postings)
        #: Terms of titles, keywords and symptoms: what a typo or an unfinished word may mean
        #: (a typo of a word found only in some article's body says too little).
        self._strong = [
            term for term, entry in postings.items() if max(entry.values()) >= STRONG_FIELD
        ]
        self._by_letter: dict[str, list[str]] = {}
        for term in self._strong:
            self._by_letter.setdefault(term[0], []).append(term)
        total = max(len(self._documents), 1)
        self._idf = {term: math.log(1.0 + total / len(entry)) for term, entry in postings.items()}

    def __len__(self) -> int:
        return len(self._documents)

    def search(self, text: str, limit: int = LIMIT) -> list[Hit]:
        """The best matches for ``text``, best first; none when nothing meaningful matched.

        The last word may be unfinished (the employee is still typing): it
        also matches words it starts.
        """
        query = words(text)
        if not query:
            return []
        still_typing = not text[-1:].isspace()
        scores: dict[int, float] = {}
        strong: set[int] = set()
        for position, word in enumerate(query):
            best: dict[int, float] = {}
            last = still_typing and position == len(query) - 1
            for term, quality in self._candidates(word, last).items():
                weight = quality * self._idf[term]
                for index, field_weight in self._postings[term].items():
                    best[index] = max(best.get(index, 0.0), weight * field_weight)
                    if field_weight >= STRONG_FIELD:
                        strong.add(index)
            for index, value in best.items():
                scores[index] = scores.get(index, 0.0) + value
        scores = {index: score for index, score in scores.items() if index in strong}
        if not scores:
            return []
        top = max(scores.values())
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [
            Hit(self._documents[index].id, self._documents[index].kind, round(score, 3))
            for index, score in ranked[:limit]
            if score >= MIN_SCORE and score >= RELATIVE_CUTOFF * top
        ]

    def _candidates(self, word: str, unfinished: bool) -> dict[str, float]:
        """Catalogue terms ``word`` may mean, with how sure (1.0: the same word or stem)."""
        found = {term: 1.0 for term in self._stems.of(word) if term in self._postings}
        if unfinished and len(word) >= 3:
            for term in self._strong:
                if term.startswith(word) and term not in found:
                    found[term] = 0.8
        if len(word) >= 5:
            for term in self._strong:
                # Dutch compounds: "printerpapier" holds "printer", "netwerkschijf" "schijf";
                # a part is at least 5 letters, and the whole at least 3 more ("driver" is
                # not a compound of "drive").
                shorter, longer = sorted((term, word), key=len)
                if len(shorter) >= 5 and len(longer) - len(shorter) >= 3 and shorter in longer:
                    found.setdefault(term, 0.7)
        if found:
            return found
        # Typos: one wrong, missing, extra or swapped letter (two in words of 7 or more;
        # short words of 3 letters: one, with the length kept: "vnp", "vpm" for "vpn").
        # A typo seldom hits the first letter: "dicht" is not a typo of "zicht".
        if len(word) < 3:
            return {}
        allowed = 1 if len(word) < 7 else 2
        same_length = len(word) < 4
        typos = {}
        for term in self._by_letter.get(word[0], ()):
            if same_length and len(term) != len(word) or abs(len(term) - len(word)) > allowed:
                continue
            distance = self._distance(word, term)
            if distance <= allowed:
                typos[term] = (0.6 if same_length else 0.75) - 0.1 * (distance - 1)
        return dict(sorted(typos.items(), key=lambda item: -item[1])[:3])


def profile_documents(profile: Profile, body_of: Callable[[str], str]) -> list[Document]:
    """The profile's articles and fixes as documents; ``body_of`` gives an article's text."""
    documents = [
        Document(
            article.id,
            "article",
            {
                "title": article.title,
                "keywords": " ".join(article.keywords),
                "body": body_of(article.body),
            },
        )  # fmt: skip
        for article in profile.articles
    ]
    for fix in profile.fixes:
        texts = {
            field: " ".join(getattr(fix, name).values.values())
            for field, name in (
                ("title", "title"),
                ("symptoms", "symptoms"),
                ("body", "description"),
            )
        }
        documents.append(Document(fix.id, "fix", {**texts, "keywords": " ".join(fix.keywords)}))
    return documents
