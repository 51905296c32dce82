"""One immutable view of the indexed content: chunks, documents, their languages and the lexical index.

A query takes the current snapshot once and reads only that one from start to end; a newer ingest builds a new
snapshot and the holder swaps it in with one assignment, so a reader never sees half of an update."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping

import numpy as np

from bot.lexical import LexicalIndex
from bot.models import Chunk, Filters, translation_key


def ids_digest(ids: Iterable[str]) -> str:
    """A fingerprint of a set of chunk ids (chunk ids are content hashes, so this fingerprints the content)."""
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode("utf-8") + b"\n")
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class IndexSnapshot:
    """What retrieval reads besides Chroma's vectors; never changed after it is built."""

    version: int  # the content version recorded in the database when this snapshot was built
    digest: str  # ids_digest of the chunks it holds
    lexical: LexicalIndex
    vectors: np.ndarray  # the passage vector of each lexical row (L2-normalised, as stored in Chroma)
    chunks: Mapping[str, Chunk]  # by chunk id
    documents: Mapping[str, Chunk]  # the first chunk of each document, by document id
    versions: Mapping[tuple[str, str], Mapping[str, Chunk]]  # per text (translation_key): its documents by language
    rows_in: Mapping[str, np.ndarray]  # per language: which lexical rows are written in it (a boolean mask)
    calls: tuple[Chunk, ...]  # the first chunk of each document of kind "call" (read on every question)

    @classmethod
    def build(cls, chunks: list[Chunk], version: int, vectors: np.ndarray | None = None) -> "IndexSnapshot":
        """Index `chunks` lexically (each in its own language), keep their vectors (row i belongs to chunks[i]) and
        freeze the result."""
        order = sorted(range(len(chunks)), key=lambda i: (chunks[i].doc_id, _position(chunks[i].id), chunks[i].id))
        ordered = [chunks[i] for i in order]
        lexical = LexicalIndex.build(((c.id, c.search_text, c.lang) for c in ordered), payload=ordered)
        rows = np.asarray(vectors, dtype=np.float32)[order] if vectors is not None and len(order) else None
        return cls.from_lexical(lexical, version, rows)

    @classmethod
    def from_lexical(cls, lexical: LexicalIndex, version: int, vectors: np.ndarray | None) -> "IndexSnapshot":
        chunks: list[Chunk] = list(lexical.payload)
        documents: dict[str, Chunk] = {}
        for chunk in chunks:
            documents.setdefault(chunk.doc_id, chunk)
        versions: dict[tuple[str, str], dict[str, Chunk]] = {}
        for chunk in documents.values():
            versions.setdefault(translation_key(chunk.doc_id, chunk.country), {})[chunk.lang] = chunk
        lexical.prepare()
        languages = np.array([c.lang for c in chunks], dtype=object)
        rows_in = {lang: languages == lang for lang in sorted(set(languages))}  # once here, not on every question
        vectors = np.ascontiguousarray(vectors if vectors is not None else np.zeros((len(chunks), 0)), dtype=np.float32)
        if len(vectors) != len(chunks):
            raise ValueError(f"{len(vectors)} vectors for {len(chunks)} chunks")
        for array in (*rows_in.values(), vectors):
            array.setflags(write=False)
        return cls(
            version=version,
            digest=ids_digest(c.id for c in chunks),
            lexical=lexical,
            vectors=vectors,
            chunks=MappingProxyType({c.id: c for c in chunks}),
            documents=MappingProxyType(documents),
            versions=MappingProxyType({key: MappingProxyType(by_lang) for key, by_lang in versions.items()}),
            rows_in=MappingProxyType(rows_in),
            calls=tuple(c for c in documents.values() if c.kind == "call"),
        )

    @classmethod
    def empty(cls) -> "IndexSnapshot":
        return cls.build([], 0)

    @property
    def size(self) -> int:
        return len(self.chunks)

    def dense_search(self, query_vector: np.ndarray, k: int, allowed: np.ndarray) -> list[tuple[Chunk, float]]:
        """The `k` allowed chunks most similar to `query_vector` (cosine: every vector is normalised), exactly."""
        if not len(self.vectors) or not self.vectors.shape[1]:
            return []
        scores = np.where(allowed, self.vectors @ np.asarray(query_vector, dtype=np.float32), -np.inf)
        k = min(k, int(allowed.sum()))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        payload = self.lexical.payload
        return [(payload[i], float(scores[i])) for i in top]

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """The chunks of one document in reading order (for showing the document as a page)."""
        return [c for c in self.lexical.payload if c.doc_id == doc_id]

    def versions_of(self, chunk: Chunk) -> Mapping[str, Chunk]:
        """The language versions of the text `chunk` belongs to (the first chunk of each), by language."""
        return self.versions.get(translation_key(chunk.doc_id, chunk.country), {chunk.lang: chunk})

    def has_material_in(self, languages: tuple[str, ...]) -> bool:
        """Whether any chunk is written in one of `languages`."""
        return any(lang in self.rows_in for lang in languages)

    def term_weight(self, term: str) -> float:
        """How telling a stemmed term is: its IDF in this snapshot."""
        return self.lexical.idf(term)

    def coverage(self, query: str, lang: str) -> float:
        """IDF-weighted share of the query's content words found anywhere in the material."""
        return self.lexical.coverage(query, lang)

    def mask(self, languages: tuple[str, ...] | None, filters: Filters) -> np.ndarray:
        """Which lexical rows a query may read: written in `languages` (None = all) and allowed by `filters`."""
        if languages is None:
            allowed = np.ones(len(self.vectors), dtype=bool)
        else:
            allowed = np.zeros(len(self.vectors), dtype=bool)
            for lang in languages:
                if lang in self.rows_in:
                    allowed |= self.rows_in[lang]
        if filters != Filters():
            allowed &= np.array([filters.allows(c) for c in self.lexical.payload], dtype=bool)
        return allowed


def _position(chunk_id: str) -> int:
    """The position part of a chunk id (`<doc>#<position>-<hash>`), for reading order; 0 when absent."""
    tail = chunk_id.rsplit("#", 1)[-1]
    number = tail.split("-", 1)[0]
    return int(number) if number.isdigit() else 0
