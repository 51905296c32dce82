"""Hybrid retrieval: dense (Chroma) and lexical (BM25, stemmed) rankings fused into one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from bot.country import foreign_country
from bot.language import readable_by
from bot.lexical import SCANDINAVIAN, name_terms, scandinavian_terms, shared_word_terms
from bot.models import Chunk, Filters, Hit, translation_key
from bot.snapshot import IndexSnapshot
from bot.store import VectorStore
from bot.text import question_focus

SUMMARY_SECTION_RE = re.compile(r"sjekkliste|checklista|checklist|övning|øving|oppgåve|oppgave|exercise", re.I)


@lru_cache(maxsize=65536)  # asked for every candidate of every question
def is_summary_section(section: str) -> bool:
    return SUMMARY_SECTION_RE.search(section) is not None


@dataclass(frozen=True)
class FusionWeights:
    """How the two rankings are combined (`make eval` measures them; re-tune on the dev sets and the tuning half of
    the own questions only)."""

    mode: str = "convex"  # "convex": weighted sum of normalised scores; "rrf": reciprocal-rank fusion
    dense: float = 0.55  # chosen on the three dev sets and all own questions, before they were split
    lexical: float = 0.60  # the lexical weight when the query has a rare, specific term (see below)
    # The lexical weight is scaled by the specificity of the query's rarest matching term (its normalised IDF):
    # 0 at or below `specificity_low`, full at `specificity_high`. Names and rare terms make BM25 reliable;
    # everyday chat wording does not.
    specificity_low: float = 0.4
    specificity_high: float = 0.7
    rrf_k: float = 60.0
    depth: int = 100  # how deep each ranking is read
    same_language_bonus: float = 0.10  # preference for material in the asker's language (convex units)
    # A question about the other country ("momsregistrera sig i norge") prefers that country's material instead.
    country_bonus: float = 0.20
    home_country_penalty: float = 0.5  # ... and pushes material about the asker's own country down
    summary_penalty: float = 0.10  # checklists and exercises summarise; explanatory sections answer better
    # A passage holding every name the question shares with few passages ("SING", "ExpandE", "Norrbotten") is
    # about what is asked, whatever its language. Chosen on the tuning sets: 0.10 and 0.20 cost SweFAQ a question or
    # the real pages an answer
    rare_name_bonus: float = 0.05


@dataclass(frozen=True)
class Candidates:
    """Both rankings for one query, before fusion."""

    dense: list[tuple[Chunk, float]]
    lexical: list[tuple[Chunk, float]]
    specificity: float = 1.0
    abroad: str | None = None  # "NO" / "SE" / "DK" when the question is about the country the asker does not live in
    named: frozenset[str] = frozenset()  # the candidates that hold every rare name of the question


def convex_fuse(
    dense: list[tuple[str, float]],
    lexical: list[tuple[str, float]],
    dense_weight: float,
    lexical_weight: float,
    lexical_complete: bool = False,
) -> dict[str, float]:
    """Weighted sum of min-max normalised dense similarities and BM25 scores (absent = 0).

    When the lexical ranking is complete (every matching chunk is in it, fewer than the depth asked for),
    BM25's floor is 0, the score of every chunk that does not match: a single rare-term match then counts
    in full instead of being normalised away as the ranking's minimum."""
    fused: dict[str, float] = {}
    for ranking, weight, floor in ((dense, dense_weight, None), (lexical, lexical_weight, 0.0 if lexical_complete else None)):
        if not ranking:
            continue
        scores = [s for _, s in ranking]
        low = min(scores) if floor is None else floor
        span = (max(scores) - low) or 1.0
        for item, score in ranking:
            fused[item] = fused.get(item, 0.0) + weight * (score - low) / span
    return fused


def rrf_fuse(
    rankings: list[tuple[list[str], float]], rrf_k: float
) -> dict[str, float]:
    """Weighted reciprocal-rank fusion of ranked id lists: sum of weight / (k + rank)."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, item in enumerate(ids, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (rrf_k + rank)
    return fused


class SnapshotSource(Protocol):
    def current(self) -> IndexSnapshot: ...


class Retriever:
    """Searches one snapshot of the indexed content: its vectors (dense) and its lexical index, fused."""

    def __init__(
        self, store: VectorStore, snapshots: SnapshotSource, weights: FusionWeights = FusionWeights(),
        max_embedded_chars: int = 200,
    ) -> None:
        self.store = store
        self.snapshots = snapshots
        self.weights = weights
        self.max_embedded_chars = max_embedded_chars

    def snapshot(self) -> IndexSnapshot:
        """The snapshot one query reads from start to end."""
        return self.snapshots.current()

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector; at most `max_embedded_chars` of it are embedded (a long message costs no more than
        a short one: its last questions, or its beginning, stand for it)."""
        return self.store.embedder.embed_queries([question_focus(query, self.max_embedded_chars)])[0]

    def candidates(
        self,
        snapshot: IndexSnapshot,
        query: str,
        lang: str,
        filters: Filters = Filters(),
        query_vector: np.ndarray | None = None,
    ) -> "Candidates":
        """The dense and the lexical ranking, each `depth` deep, as (chunk, score) pairs, both from `snapshot` (its
        vectors are searched exactly, so the two rankings always describe the same content)."""
        if query_vector is None:
            query_vector = self.embed_query(query)
        dense = snapshot.dense_search(query_vector, self.weights.depth, snapshot.mask(None, filters))
        # Material in the asker's language (and its close neighbours) is read with the question stemmed as written.
        # Material in the other languages is read with the question's terms in every Scandinavian stemmer and its
        # folded prefix terms ("framgangsfaktorer" finds a Swedish page's "framgångsfaktorer", "foretak" finds
        # "företag"): the Scandinavian languages share most of their words. An English question shares its
        # names, acronyms and years with Scandinavian material ("Merkur", "SLU", "2016") and the long words spelled
        # alike ("cooperative" / "kooperativ", "project" / "projekt"); the rest of it is reached by the dense
        # side. English is the fallback language and most material it asks about is Scandinavian, so English
        # material is read with the same terms (its everyday words would otherwise make any English page outrank
        # the page the question is about). A question about the other country opens all material to the whole
        # question: its names and agencies match as written.
        abroad = foreign_country(query, lang)
        scandinavian = lang in SCANDINAVIAN
        mask = snapshot.mask(None if abroad else readable_by(lang) if scandinavian else (), filters)
        found = snapshot.lexical.search(query, lang, self.weights.depth, mask) if mask.any() else []
        terms = set() if abroad else name_terms(query) | (
            scandinavian_terms(query) if scandinavian else shared_word_terms(query))
        if terms:
            others = snapshot.mask(None, filters) & ~mask
            found = sorted(found + snapshot.lexical.search(query, lang, self.weights.depth, others, terms),
                           key=lambda pair: -pair[1])[: self.weights.depth]
        lexical = [(snapshot.chunks[i], score) for i, score in found]
        rare = snapshot.lexical.rare_names(query)
        named = frozenset(c.id for c, _ in dense + lexical if holds_names(c.text, rare)) if rare else frozenset()
        return Candidates(dense, lexical, snapshot.lexical.specificity(query, lang), abroad, named)

    def fuse(self, candidates: "Candidates", lang: str, k: int, weights: FusionWeights | None = None) -> list[Hit]:
        """Fuse the two rankings (convex or RRF) with a preference for the asker's language or the country asked about."""
        w = weights or self.weights
        dense, lexical = candidates.dense, candidates.lexical
        chunks = {c.id: c for c, _ in dense} | {c.id: c for c, _ in lexical}
        dense_scores = {c.id: s for c, s in dense}
        lexical_scores = {c.id: s for c, s in lexical}
        if w.mode == "rrf":
            fused = rrf_fuse([([c.id for c, _ in dense], 1.0), ([c.id for c, _ in lexical], 1.0)], w.rrf_k)
            penalty, preference = 0.0, (lambda chunk: 0.0)  # plain RRF, the reference ranking in `veiviser eval`
            rare_name_bonus = 0.0
        else:
            span = (candidates.specificity - w.specificity_low) / (w.specificity_high - w.specificity_low)
            lexical_weight = w.lexical * min(1.0, max(0.0, span))
            fused = convex_fuse(
                [(c.id, s) for c, s in dense], [(c.id, s) for c, s in lexical], w.dense, lexical_weight,
                lexical_complete=len(lexical) < w.depth,
            )
            penalty, preference = w.summary_penalty, self._preference(lang, candidates.abroad, w)
            rare_name_bonus = w.rare_name_bonus
        hits = [
            Hit(
                chunk=chunks[i],
                score=score
                + preference(chunks[i])
                - (penalty if is_summary_section(chunks[i].section) else 0.0)
                + (rare_name_bonus if i in candidates.named else 0.0),
                dense=dense_scores.get(i, 0.0),
                lexical=lexical_scores.get(i, 0.0),
            )
            for i, score in fused.items()
        ]
        hits.sort(key=lambda h: h.score, reverse=True)
        return one_version_per_translation(hits, lang)[:k]

    @staticmethod
    def _preference(lang: str, abroad: str | None, w: FusionWeights):  # noqa: ANN205 - Chunk -> float
        """The bonus of a chunk: for the asker's own language, or for the foreign country the question is about."""
        if abroad:
            return lambda c: (
                w.country_bonus if c.country == abroad else 0.0 if c.country == "both" else -w.home_country_penalty
            )
        neighbours = readable_by(lang)
        return lambda c: (
            w.same_language_bonus if c.lang == lang else w.same_language_bonus / 2 if c.lang in neighbours else 0.0
        )

    def search(
        self,
        snapshot: IndexSnapshot,
        query: str,
        lang: str,
        k: int = 6,
        filters: Filters = Filters(),
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The `k` best chunks of `snapshot` for `query`, best first."""
        return self.fuse(self.candidates(snapshot, query, lang, filters, query_vector), lang, k)


def holds_names(text: str, names: list[str]) -> bool:
    """Whether `text` holds every one of `names` (lower-cased words) at the start of a word; False for none."""
    return bool(names) and all(re.search(rf"(?<!\w){re.escape(name)}", text, re.I) for name in names)


def translation_group(chunk: Chunk) -> tuple[str, str]:
    """The document and its translations (`bot.models.translation_key`)."""
    return translation_key(chunk.doc_id, chunk.country)


def one_version_per_translation(hits: list[Hit], lang: str) -> list[Hit]:
    """Hits (best first) with one language version of each translated document: the asker's own when it is among
    them, else the version of the group's best hit. Two versions of one text would otherwise take two of the few
    source places with the same content, and crowd out the next document."""
    asker_version = f"-{lang}"
    groups = [translation_group(hit.chunk) for hit in hits]
    chosen: dict[tuple[str, str], str] = {}
    for hit, group in zip(hits, groups):
        if hit.chunk.doc_id.endswith(asker_version) or group not in chosen:
            if not chosen.get(group, "").endswith(asker_version):
                chosen[group] = hit.chunk.doc_id
    return [hit for hit, group in zip(hits, groups) if chosen[group] == hit.chunk.doc_id]
