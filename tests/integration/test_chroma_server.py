"""CHROMA_HOST: ingest and answer through a real Chroma server (the `chroma` command of the chromadb package),
started on a loopback port for this module."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.models import Question
from bot.runtime import build_runtime
from tests.conftest import FIXTURES, ingest_folder, make_settings
from tests.helpers import free_port, wait_for_http

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        env=os.environ | {"ANONYMIZED_TELEMETRY": "False"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", server, 60, "the Chroma server")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_ingest_and_answer_through_a_chroma_server(chroma_port: int, tmp_path: Path, embedder, detector):
    settings = make_settings(tmp_path / "store", chroma_host="127.0.0.1", chroma_port=chroma_port)
    _, report = ingest_folder(settings, FIXTURES / "knowledge", embedder, detector)
    assert report.added > 0 and not report.errors

    runtime = build_runtime(settings, embedder)
    try:
        answer = runtime.assistant.answer(Question(text="hvor mye aksjekapital trenger et AS"))
    finally:
        runtime.close()
    assert answer.confident and answer.sources[0].id == "m04-legal-form-nb" and "30 000" in answer.answer
    assert not (tmp_path / "store" / "chroma").exists()  # the vectors live in the server, not in the store folder

    _, again = ingest_folder(settings, FIXTURES / "knowledge", embedder, detector)
    assert again.added == 0 and again.unchanged == report.added  # the server kept them between runs


def test_two_hosts_on_one_chroma_server_and_postgresql_answer_from_the_same_content(
    chroma_port: int, postgres_url: str, tmp_path: Path, knowledge_copy: Path, embedder
):
    """Two service processes on different hosts (own store folders, so own snapshot caches) share the Chroma
    server and the database: an ingest through one is answered from by the other once it sees the version."""
    from ingest.coordinator import IngestBusy

    def host(name: str):
        settings = make_settings(tmp_path / name, chroma_host="127.0.0.1", chroma_port=chroma_port,
                                 database_url=postgres_url, knowledge_dirs=[knowledge_copy])
        return build_runtime(settings, embedder)

    first, second = host("host-a"), host("host-b")
    try:
        (knowledge_copy / "kombucha.md").write_text(
            "---\nid: kombucha-shared\nlang: nb\nkind: article\ncountry: NO\n---\n# Kombuchabryggeriet\n\n"
            "Kombuchabryggeriet i Levanger lærer opp ungdom i brygging og salg.\n", "utf-8")
        assert first.records.acquire_lease(f"ingest:{first.index.collection}", "host-b:1", 60)  # b is ingesting
        with pytest.raises(IngestBusy, match="Another process"):
            first.ingest.run()
        first.records.release_lease(f"ingest:{first.index.collection}", "host-b:1")
        report = first.ingest.run()  # through host a; its own snapshot is swapped at once
        assert report.added >= 1 and report.errors == []
        assert second.live.refresh() is True  # host b follows the content version in the database
        for runtime in (first, second):
            answer = runtime.assistant.answer(Question(text="hvem driver kombuchabryggeriet i Levanger"))
            assert answer.confident and answer.sources[0].id == "kombucha-shared"
        assert first.live.current().digest == second.live.current().digest
    finally:
        first.close()
        second.close()
