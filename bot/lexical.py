"""BM25 over stemmed tokens: an in-memory inverted index that can be saved atomically."""

from __future__ import annotations

import bisect
import math
import os
import pickle
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.text import PREFIX_LETTERS as PREFIX_TERM_LETTERS
from bot.text import STOP_WORDS, TOKENIZER_VERSION, content_words, prefix_term, search_terms, stem_word

# Stemmers a query word is also tried with when measuring coverage (see `LexicalIndex.coverage`).
COVERAGE_STEMMERS = ("nb", "sv")
PREFIX_LETTERS = 6  # coverage: an unknown stem matches indexed stems sharing this many first letters
MISSPELLED_MIN_LETTERS = 6  # coverage: a stem this long or longer may be a typo of an indexed one (see _misspelled)


# Written alike in every language: a capitalised word inside a sentence (a name: "Merkur", "Helene Fossenholm",
# "Ranheim"), an acronym ("NAV", "SLU", "EØS") or a number with four or more digits (a year, an amount).
NAME_RE = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-ZÆØÅÄÖÉÜ]\w*)|\b([A-ZÆØÅÄÖ]{2,}\w*)\b|\b(\d{4,})\b")
NAME_STEMMERS = ("nb", "sv", "da", "en")
SCANDINAVIAN = ("nb", "nn", "sv", "da")  # the languages whose askers read the others' words lexically
SCANDINAVIAN_STEMMERS = ("nb", "sv", "da")


def scandinavian_terms(query: str) -> set[str]:
    """The indexed terms `query` can have in material in any Scandinavian language: its words stemmed by the
    Norwegian, Swedish and Danish stemmers, and the folded prefix terms of its long words."""
    return {term for lang in SCANDINAVIAN_STEMMERS for term in search_terms(query, lang)}


def shared_word_terms(query: str) -> set[str]:
    """The folded prefix terms of the long words of a question in a language that is not Scandinavian (English):
    the words Scandinavian material spells alike ("project" / "projekt", "social" / "sosial", "cooperative" /
    "kooperativ", "organisation" / "organisasjon")."""
    return {prefix_term(word) for word in content_words(query) if len(word) > PREFIX_TERM_LETTERS}


def names_in(query: str) -> list[str]:
    """The names, acronyms and years of `query`, lower-cased, without stop words and words under three letters."""
    found = (next(g for g in match.groups() if g).lower() for match in NAME_RE.finditer(query.strip()))
    return [word for word in found if word not in STOP_WORDS and len(word) >= 3]


def name_terms(query: str) -> set[str]:
    """The indexed terms a name, an acronym or a year in `query` can have in material of any language: the word
    stemmed by each language's stemmer, and its first letters for a long word (see `search_terms`)."""
    terms: set[str] = set()
    for word in names_in(query):
        terms |= {stem for lang in NAME_STEMMERS if len(stem := stem_word(word, lang)) >= min(4, len(word))}
        if len(word) > PREFIX_TERM_LETTERS:
            terms.add(prefix_term(word))
    return terms


@dataclass
class LexicalIndex:
    """BM25 (k1, b) over documents given as (id, text, language)."""

    k1: float = 0.9
    b: float = 0.5
    ids: list[str] = field(default_factory=list)
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    doc_len: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    payload: list[Any] = field(default_factory=list)  # one object per document, e.g. its Chunk
    tokenizer: int = 0  # set by build(); 0 = unknown (an index pickled before versions existed)
    _sorted_terms: list[str] | None = field(default=None, repr=False, compare=False)  # built on first use

    @property
    def is_current(self) -> bool:
        """False when built by an older tokeniser (rebuild it)."""
        return self.tokenizer == TOKENIZER_VERSION

    @classmethod
    def build(
        cls, docs: Iterable[tuple[str, str, str]], k1: float = 0.9, b: float = 0.5, payload: list[Any] | None = None
    ) -> "LexicalIndex":
        """Index (id, text, lang) triples; each text is stemmed with its own language."""
        ids: list[str] = []
        lengths: list[int] = []
        raw: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for position, (doc_id, text, lang) in enumerate(docs):
            tokens = search_terms(text, lang)
            ids.append(doc_id)
            lengths.append(len(tokens))
            for term, count in Counter(tokens).items():
                rows, tfs = raw[term]
                rows.append(position)
                tfs.append(count)
        postings = {
            term: (np.asarray(rows, dtype=np.int32), np.asarray(tfs, dtype=np.float32))
            for term, (rows, tfs) in raw.items()
        }
        return cls(
            k1=k1, b=b, ids=ids, postings=postings, doc_len=np.asarray(lengths, dtype=np.float32), payload=payload or [],
            tokenizer=TOKENIZER_VERSION,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def prepare(self) -> None:
        """Build the lazily computed lookups now, so a shared index is never written to while it is read."""
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self.postings)

    def scores(self, query: str, lang: str) -> np.ndarray:
        """BM25 score of every document for `query` (stemmed as `lang`)."""
        return self.term_scores(set(search_terms(query, lang)))

    def term_scores(self, terms: Iterable[str]) -> np.ndarray:
        """BM25 score of every document for indexed terms given as they are."""
        n = len(self.ids)
        total = np.zeros(n, dtype=np.float32)
        if n == 0:
            return total
        avg_len = float(self.doc_len.mean()) or 1.0
        norm = self.k1 * (1.0 - self.b + self.b * self.doc_len / avg_len)
        for term in set(terms):
            posting = self.postings.get(term)
            if posting is None:
                continue
            rows, tfs = posting
            idf = math.log(1.0 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            total[rows] += idf * tfs * (self.k1 + 1.0) / (tfs + norm[rows])
        return total

    def idf(self, term: str) -> float:
        """The BM25 IDF of a stemmed term; a term that occurs nowhere weighs as the rarest possible one."""
        n = len(self.ids)
        posting = self.postings.get(term)
        df = len(posting[0]) if posting is not None else 0
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def specificity(self, query: str, lang: str) -> float:
        """How rare the query's rarest indexed term is: its IDF over log(N + 1), in [0, 1]; 0 when nothing matches."""
        n = len(self.ids)
        best = 0.0
        for term in set(search_terms(query, lang)):
            posting = self.postings.get(term)
            if posting is not None:
                df = len(posting[0])
                best = max(best, math.log(1.0 + (n - df + 0.5) / (df + 0.5)) / math.log(n + 1.0))
        return best

    def rare_names(self, query: str, share: float = 0.02) -> list[str]:
        """The names, acronyms and years of `query` (as written, lower case) that the material holds in few
        passages (at most `share` of them, or three): "SING", "ExpandE". Such a word names what is asked about."""
        n = len(self.ids)
        names = []
        for word in names_in(query):
            frequencies = [len(p[0]) for lang in NAME_STEMMERS if (p := self.postings.get(stem_word(word, lang)))]
            if frequencies and max(frequencies) <= max(3.0, share * n):
                names.append(word)
        return names

    def coverage(self, query: str, lang: str, allowed: np.ndarray | None = None) -> float:
        """IDF-weighted share of the query's content words that occur in at least one (allowed) document.

        A word counts as found when its stem in `lang`, or in one of the other Scandinavian stemmers, is indexed:
        names, acronyms and loanwords ("Merkur", "NAV", "Digitoll") are spelled alike across the languages. A word
        found nowhere weighs as much as the rarest possible term, so one unknown, specific word ("aksjekursen",
        "lägenhet") outweighs several everyday ones that happen to match."""
        n = len(self.ids)
        query_words = set(content_words(query))
        if not query_words or n == 0:
            return 0.0
        unseen = math.log(1.0 + (n + 0.5) / 0.5)
        found = total = 0.0
        for word in query_words:
            terms = {stem_word(word, other) for other in (lang, *COVERAGE_STEMMERS)}
            if not any(term in self.postings for term in terms):
                shortest = min(terms, key=len)
                # "bygdebutik" finds "bygdebutikk"; a typo inside the word ("solystemet") finds its closest spelling
                terms = self._sharing_prefix(shortest) or self._misspelled(shortest)
            frequencies = [
                len(posting[0])
                for term in terms
                if (posting := self.postings.get(term)) is not None
                and (allowed is None or bool(allowed[posting[0]].any()))
            ]
            if frequencies:
                df = max(frequencies)
                weight = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
                found += weight
            else:
                weight = unseen
            total += weight
        return found / total

    def _sharing_prefix(self, stem: str) -> set[str]:
        """Indexed terms that share all but the last two letters of `stem` (at least six): close spellings
        across the languages ("momsgräns" / "momsgrense") and typos at the end of a word."""
        if len(stem) < PREFIX_LETTERS:
            return set()
        return set(self._starting_with(stem[: max(PREFIX_LETTERS, len(stem) - 2)]))

    def _misspelled(self, stem: str) -> set[str]:
        """The indexed term closest to `stem` when it is a likely typo of it: the same first two letters and at most
        one edit (two from nine letters on: a letter left out, added, changed, or two swapped), for stems of at least
        six letters; shorter words are too often another word."""
        if len(stem) < MISSPELLED_MIN_LETTERS:
            return set()
        edits = 1 if len(stem) < 9 else 2
        match = process.extractOne(stem, self._starting_with(stem[:2]), scorer=OSA.distance, score_cutoff=edits)
        return {match[0]} if match else set()

    def _starting_with(self, prefix: str) -> list[str]:
        """The indexed terms that begin with `prefix` (the sorted term list is built on first use)."""
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self.postings)
        start = bisect.bisect_left(self._sorted_terms, prefix)
        end = bisect.bisect_left(self._sorted_terms, prefix + "\U0010ffff", lo=start)
        return self._sorted_terms[start:end]

    def search(
        self, query: str, lang: str, k: int, allowed: np.ndarray | None = None, terms: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top `k` (id, score) pairs with a positive score; `allowed` is an optional boolean mask; `terms` (indexed
        terms as they are, e.g. from `name_terms`) replace the query's own."""
        scores = self.scores(query, lang) if terms is None else self.term_scores(terms)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        if not len(scores):
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, path: Path) -> None:
        """Write to `path` atomically (temporary file, then rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with open(tmp, "wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "LexicalIndex":
        """Read an index written by `save`; an absent file gives an empty index."""
        if not path.exists():
            return cls()
        with open(path, "rb") as handle:
            index = pickle.load(handle)
        if not isinstance(index, cls):
            raise ValueError(f"{path} is not a Veiviser lexical index; delete it and run `veiviser ingest`.")
        return index
