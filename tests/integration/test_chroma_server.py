"""CHROMA_HOST: ingest and answer through a real Chroma server (the `chroma` command of the chromadb package),
started on a loopback port for this module."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.models import Question
from bot.runtime import build_runtime
from tests.conftest import FIXTURES, ingest_folder, make_settings

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory):
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        env=os.environ | {"ANONYMIZED_TELEMETRY": "False"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).read()
                break
            except OSError:
                assert server.poll() is None, "the Chroma server exited at start-up"
                assert time.monotonic() < deadline, "the Chroma server did not answer within 60 s"
                time.sleep(0.3)
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
