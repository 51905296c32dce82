"""Ingest on real Chroma with the real embedder, in a temporary folder."""

from pathlib import Path

import pytest

from bot.lexical import LexicalIndex
from bot.retrieval import Retriever
from bot.runtime import build_index
from ingest.pipeline import Ingester
from tests.conftest import make_settings

pytestmark = pytest.mark.integration


class CountingEmbedder:
    """The real embedder, counting passages; optionally failing after `fail_after` passages."""

    def __init__(self, inner, fail_after: int | None = None) -> None:
        self.inner, self.fail_after, self.passages = inner, fail_after, 0
        self.id, self.dim = inner.id, inner.dim

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts):
        if self.fail_after is not None and self.passages + len(texts) > self.fail_after:
            raise KeyboardInterrupt("simulated interruption")
        self.passages += len(texts)
        return self.inner.embed_passages(texts)


def ingest(store: Path, folder: Path, embedder, detector):
    index = build_index(make_settings(store), embedder)
    return index, Ingester(index, detector).run([folder])


def doc_ids(index) -> set[str]:
    return {c.doc_id for c in index.vectors.all_chunks()}


def test_add_unchanged_change_delete(tmp_path: Path, knowledge_copy: Path, embedder, detector):
    counting = CountingEmbedder(embedder)
    index, first = ingest(tmp_path / "s", knowledge_copy, counting, detector)
    files = len(list(knowledge_copy.rglob("*.md")))
    assert (first.added, first.updated, first.removed, first.errors) == (files, 0, 0, [])
    assert first.chunks == index.vectors.count() == len(LexicalIndex.load(index.lexical_path))

    _, again = ingest(tmp_path / "s", knowledge_copy, counting, detector)
    assert (again.added, again.unchanged) == (0, files)

    target = knowledge_copy / "modules" / "nb" / "m05-funding-nb.md"
    target.write_text(target.read_text("utf-8") + "\n## Folkefinansiering\n\nSpleis og andre plattformer samler inn penger fra mange givere.\n", "utf-8")
    before = counting.passages
    _, changed = ingest(tmp_path / "s", knowledge_copy, counting, detector)
    assert (changed.updated, changed.unchanged) == (1, files - 1)
    assert counting.passages - before == 1  # only the new section is embedded; unchanged chunks keep their vectors

    (knowledge_copy / "articles" / "nb" / "a-volunteers-nb.md").unlink()
    index, removed = ingest(tmp_path / "s", knowledge_copy, counting, detector)
    assert removed.removed == 1 and "a-volunteers-nb" not in doc_ids(index)
    retriever = Retriever(index.vectors, index.lexical_path)
    assert all(h.chunk.doc_id != "a-volunteers-nb" for h in retriever.search("politiattest frivillige", "nb", 10))


def test_bad_files_are_reported_and_lose_nothing(tmp_path: Path, knowledge_copy: Path, embedder, detector):
    index, first = ingest(tmp_path / "s", knowledge_copy, embedder, detector)
    (knowledge_copy / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (knowledge_copy / "dupe.md").write_text("---\nid: m04-legal-form-nb\n---\nSame id as another file, which is not allowed.\n", "utf-8")
    good = knowledge_copy / "modules" / "sv" / "m05-funding-sv.md"
    good.write_bytes(b"\x00\x00binary now")
    index, report = ingest(tmp_path / "s", knowledge_copy, embedder, detector)
    errors = {e["path"].split("/")[-1]: e["error"] for e in report.errors}
    assert set(errors) == {"broken.pdf", "dupe.md", "m05-funding-sv.md"}
    assert "PDF" in errors["broken.pdf"] and "already used" in errors["dupe.md"] and "binary" in errors["m05-funding-sv.md"]
    assert "m05-funding-sv" in doc_ids(index)  # the last good version stays searchable
    assert report.chunks == first.chunks


def test_interrupted_ingest_keeps_the_old_index_and_the_next_run_completes(
    tmp_path: Path, knowledge_copy: Path, embedder, detector
):
    index, first = ingest(tmp_path / "s", knowledge_copy, embedder, detector)
    lexical_before = LexicalIndex.load(index.lexical_path).ids
    for name in ("x1", "x2", "x3"):
        (knowledge_copy / f"{name}.md").write_text(
            f"---\nid: {name}\nlang: nb\n---\n## Del en\n\nFørste del av {name} om sosiale foretak.\n\n"
            f"## Del to\n\nAndre del av {name} om frivillige og styret.\n", "utf-8")
    with pytest.raises(KeyboardInterrupt):
        ingest(tmp_path / "s", knowledge_copy, CountingEmbedder(embedder, fail_after=3), detector)
    assert LexicalIndex.load(index.lexical_path).ids == lexical_before  # readers still see the previous index
    retriever = Retriever(index.vectors, index.lexical_path)
    assert retriever.search("aksjekapital", "nb", 3)

    index, resumed = ingest(tmp_path / "s", knowledge_copy, embedder, detector)
    assert resumed.added == 3 and resumed.unchanged == first.added  # the interrupted batch is done again
    assert resumed.errors == []
    assert index.vectors.count() == resumed.chunks == first.chunks + 6
    assert {"x1", "x2", "x3"} <= doc_ids(index)
