"""Answering while content changes: one snapshot per query, swaps under load, several processes in step."""

import threading
import time
from pathlib import Path

import pytest

from bot.models import Question
from bot.runtime import build_runtime, open_records
from tests.conftest import FIXTURES, ingest_folder, make_settings

pytestmark = pytest.mark.integration


def test_queries_in_threads_through_repeated_reloads_never_fail(ingested_store: Path, tmp_path: Path, embedder):
    runtime = build_runtime(make_settings(ingested_store, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
                            embedder)
    errors: list[BaseException] = []
    answered = [0]
    stop = threading.Event()

    def ask() -> None:
        questions = ["hvor mye aksjekapital trenger et AS", "hur startar jag en ekonomisk förening",
                     "korleis kan bygda eige butikken saman", "trenger frivillige politiattest"]
        while not stop.is_set():
            for text in questions:
                try:
                    answer = runtime.assistant.answer(Question(text=text, channel="test"))
                    assert answer.kind in ("answer", "declined") and (not answer.confident or answer.sources)
                    answered[0] += 1
                except BaseException as exc:  # noqa: BLE001 - collected and reported below
                    errors.append(exc)

    askers = [threading.Thread(target=ask) for _ in range(2)]
    for thread in askers:
        thread.start()
    try:
        swaps = 0
        deadline = time.monotonic() + 4.0
        while time.monotonic() < deadline:
            runtime.live.refresh(force=True)  # a new snapshot object each time, swapped in under the readers
            swaps += 1
    finally:
        stop.set()
        for thread in askers:
            thread.join()
        runtime.close()
    assert errors == [] and swaps >= 5 and answered[0] >= 10


def test_another_process_sees_an_ingest_once_the_content_version_changes(
    tmp_path: Path, knowledge_copy: Path, embedder, detector
):
    settings = make_settings(tmp_path / "store", knowledge_dirs=[knowledge_copy])
    ingest_folder(settings, knowledge_copy, embedder, detector)
    reader = build_runtime(settings, embedder)  # as a serving process would, with its own snapshot
    try:
        before = reader.live.current()
        (knowledge_copy / "m07-new-nb.md").write_text(
            "---\nid: kombucha-nb\nlang: nb\nkind: article\ncountry: NO\n---\n# Kombuchabryggeriet\n\n"
            "Kombuchabryggeriet i Verdal sysselsetter ungdom som står utenfor arbeidslivet.\n", "utf-8")
        _, report = ingest_folder(settings, knowledge_copy, embedder, detector)  # another process ingests
        assert report.added == 1
        assert reader.live.current() is before  # nothing changes under a reader by itself ...
        assert reader.live.refresh() is True  # ... until it sees the new content version
        answer = reader.assistant.answer(Question(text="hvem driver kombuchabryggeriet i Verdal"))
        assert answer.confident and answer.sources[0].id == "kombucha-nb"
        assert reader.live.refresh() is False  # same version: nothing is reloaded
    finally:
        reader.close()


def test_the_staff_reingest_runs_inside_the_service_one_at_a_time(tmp_path: Path, knowledge_copy: Path, embedder):
    from fastapi.testclient import TestClient

    from bot.app import create_app

    settings = make_settings(tmp_path / "store", knowledge_dirs=[knowledge_copy], admin_token="staff-secret")
    runtime = build_runtime(settings, embedder)
    auth = {"Authorization": "Bearer staff-secret"}
    try:
        with TestClient(create_app(settings, runtime)) as client:
            first = client.post("/admin/api/reingest", headers=auth)
            assert first.status_code == 200 and first.json()["added"] == 7 and first.json()["errors"] == []
            assert client.get("/healthz").json()["chunks"] == first.json()["chunks"]  # current right away
            assert client.post("/api/ask", json={"question": "hvor mye aksjekapital trenger et AS"}).json()["confident"]
            with runtime.ingest._running:  # an ingest is running
                busy = client.post("/admin/api/reingest", headers=auth)
            assert busy.status_code == 409 and "already running" in busy.json()["detail"]
            (knowledge_copy / "articles" / "nb" / "a-volunteers-nb.md").unlink()
            removed = client.post("/admin/api/reingest", headers=auth).json()
            assert removed["removed"] == 1
            sources = client.post("/api/ask", json={"question": "trenger frivillige politiattest"}).json()["sources"]
            assert all(s["id"] != "a-volunteers-nb" for s in sources)
    finally:
        runtime.close()


def test_serve_refuses_a_store_another_process_writes(tmp_path: Path, embedder):
    from bot.runtime import hold_store
    from bot.store_lock import StoreBusy

    settings = make_settings(tmp_path / "store")
    lock = hold_store(settings, "serve", "http://127.0.0.1:8123")
    try:
        with pytest.raises(StoreBusy, match=r"veiviser ingest --server http://127.0.0.1:8123"):
            hold_store(settings, "ingest")
    finally:
        lock.release()
    hold_store(settings, "ingest").release()  # free again once the holder has gone


def test_records_of_the_store_are_the_runtimes(tmp_path: Path):
    records = open_records(make_settings(tmp_path / "store"))
    try:
        assert records.ping() and records.content_version("x") == 0
    finally:
        records.close()


def test_fixture_knowledge_is_not_changed_by_these_tests():
    assert not (FIXTURES / "knowledge" / "m07-new-nb.md").exists()
