"""Retrieval evaluation on BEIR-style sets: nDCG@10, recall@5 and MRR@10 for fused, dense and lexical."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bot.embedder import Embedder, make_embedder
from bot.knowledge_index import KnowledgeIndex
from bot.language import LanguageDetector
from bot.live_index import FixedSnapshot
from bot.models import Chunk
from bot.retrieval import Candidates, FusionWeights, Retriever
from bot.settings import Settings
from bot.store import make_chroma_client

EMBED_BATCH = 32


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as handle:
        next(handle)  # header
        for line in handle:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels.setdefault(query_id, {})[doc_id] = int(score)
    return qrels


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(relevant.values(), reverse=True)[:k]))
    return dcg / ideal if ideal else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 5) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranked[:k]) if d in relevant), 0.0)


def metrics(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    ids = [q for q in runs if q in qrels]
    return {
        "ndcg@10": round(float(np.mean([ndcg_at(runs[q], qrels[q]) for q in ids])), 4),
        "recall@5": round(float(np.mean([recall_at(runs[q], qrels[q]) for q in ids])), 4),
        "mrr@10": round(float(np.mean([mrr_at(runs[q], qrels[q]) for q in ids])), 4),
    }


def corpus_index(settings: Settings, corpus_path: Path, embedder: Embedder, detector: LanguageDetector) -> KnowledgeIndex:
    """The corpus embedded into the store folder once; later runs reuse the vectors."""
    digest = hashlib.sha256(corpus_path.read_bytes()).hexdigest()[:12]
    client = make_chroma_client(settings.veiviser_store / "eval", settings.chroma_host, settings.chroma_port)
    index = KnowledgeIndex(settings.veiviser_store / "eval", client, embedder, prefix=f"eval-{digest}")
    rows = read_jsonl(corpus_path)
    sample = " ".join(r["text"][:200] for r in rows[:50])
    lang = detector.detect(sample).language
    chunks = [
        Chunk(id=r["_id"], text=r["text"], doc_id=r["_id"], title=r.get("title") or "", section="", path=str(corpus_path),
              lang=lang, kind="article", country="both")
        for r in rows
    ]
    done = index.vectors.existing_ids([c.id for c in chunks]) if index.vectors.count() else set()
    todo = [c for c in chunks if c.id not in done]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        index.vectors.add(batch, embedder.embed_passages([_passage_text(c) for c in batch]))
    return index


def _passage_text(chunk: Chunk) -> str:
    return f"{chunk.title}\n{chunk.text}" if chunk.title and not chunk.text.startswith(chunk.title) else chunk.text


@dataclass
class PreparedSet:
    """A BEIR set with both rankings computed once per query, so fusion settings can be compared cheaply."""

    retriever: Retriever
    qrels: dict[str, dict[str, int]]
    candidates: dict[str, tuple[Candidates, str]]  # query id -> (both rankings, query language)
    corpus_size: int
    index_seconds: float
    query_seconds: float

    def runs(self, weights: FusionWeights) -> dict[str, dict[str, list[str]]]:
        runs: dict[str, dict[str, list[str]]] = {"fused": {}, "dense": {}, "lexical": {}}
        for query_id, (candidates, lang) in self.candidates.items():
            runs["dense"][query_id] = [c.id for c, _ in candidates.dense]
            runs["lexical"][query_id] = [c.id for c, _ in candidates.lexical]
            runs["fused"][query_id] = [h.chunk.id for h in self.retriever.fuse(candidates, lang, 10, weights)]
        return runs


def prepare(
    settings: Settings, corpus: Path, queries: Path, qrels_path: Path, embedder: Embedder | None = None
) -> PreparedSet:
    started = time.perf_counter()
    detector = LanguageDetector()
    embedder = embedder or make_embedder(settings.embedder, settings.embedder_base_url,
                                         settings.embedder_api_key.get_secret_value())
    index = corpus_index(settings, corpus, embedder, detector)
    snapshot = index.load_snapshot(0)  # cached next to the vectors; rebuilt when the corpus changes
    indexed = time.perf_counter()
    retriever = Retriever(index.vectors, FixedSnapshot(snapshot), FusionWeights())
    qrels = read_qrels(qrels_path)
    rows = [r for r in read_jsonl(queries) if r["_id"] in qrels]
    vectors = embedder.embed_queries([r["text"] for r in rows])
    candidates = {}
    for row, vector in zip(rows, vectors):
        lang = detector.detect(row["text"]).language
        candidates[row["_id"]] = (retriever.candidates(snapshot, row["text"], lang, query_vector=vector), lang)
    return PreparedSet(retriever, qrels, candidates, index.vectors.count(), indexed - started,
                       time.perf_counter() - indexed)


def run_beir_eval(
    settings: Settings,
    corpus: Path,
    queries: Path,
    qrels_path: Path,
    embedder: Embedder | None = None,
    weights: FusionWeights | None = None,
) -> dict:
    """Evaluate the default fused ranking, plain RRF, dense-only and lexical-only over the same candidates."""
    prepared = prepare(settings, corpus, queries, qrels_path, embedder)
    weights = weights or FusionWeights()
    runs = prepared.runs(weights)
    rrf = prepared.runs(FusionWeights(mode="rrf"))["fused"]
    fused = metrics(runs["fused"], prepared.qrels)
    return fused | {
        "queries": len(prepared.candidates),
        "corpus": prepared.corpus_size,
        "fused": fused,
        "dense": metrics(runs["dense"], prepared.qrels),
        "lexical": metrics(runs["lexical"], prepared.qrels),
        "rrf": metrics(rrf, prepared.qrels),
        "weights": asdict(weights),
        "query_languages": dict(Counter(lang for _, lang in prepared.candidates.values())),
        "index_seconds": round(prepared.index_seconds, 2),
        "query_seconds": round(prepared.query_seconds, 2),
    }
