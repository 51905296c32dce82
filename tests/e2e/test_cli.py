"""End to end through the `veiviser` command, as scripts use it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.helpers import free_port, wait_for_http

pytestmark = pytest.mark.e2e


def veiviser(*args: str, stdin: str = "", store: Path | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"MENTORS_FILE": str(FIXTURES / "mentors.yaml"), "LLM": ""}
    command = [sys.executable, "-m", "bot.cli", *args] + (["--store", str(store)] if store else [])
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-store")


def test_ingest_json_contract(cli_store: Path):
    result = veiviser("ingest", "--knowledge", str(FIXTURES / "knowledge"), "--json", store=cli_store)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"added", "updated", "removed", "unchanged", "chunks", "errors", "seconds"}
    assert report["added"] == 7 and report["errors"] == [] and report["chunks"] > 7


def test_ask_json_contract_one_question_per_line(cli_store: Path):
    result = veiviser("ask", "-", "--json", stdin="hvor mye aksjekapital trenger et AS\nhur startar jag en ekonomisk förening\n",
                      store=cli_store)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["language"] for a in answers] == ["nb", "sv"]
    first = answers[0]
    assert {"question", "language", "answer", "confident", "sources", "mentors"} <= set(first)
    assert set(first["sources"][0]) == {"id", "title", "path", "url", "module", "score"}
    assert set(first["mentors"][0]) == {"name", "organisation", "contact", "topics", "languages"}
    assert first["sources"][0]["id"] == "m04-legal-form-nb" and first["sources"][0]["module"] == "4"
    scores = [s["score"] for s in first["sources"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_plain_text_and_explicit_language(cli_store: Path):
    result = veiviser("ask", "aksjekapital", "--lang", "nn", store=cli_store)
    assert result.returncode == 0 and "Les vidare:" in result.stdout and "Modul 4" in result.stdout


def test_ask_on_an_empty_store_says_what_to_do(tmp_path: Path):
    result = veiviser("ask", "hei hvordan starter jeg", store=tmp_path / "empty")
    assert result.returncode == 2 and "veiviser ingest" in result.stderr


def test_detect_language_lines_and_json():
    result = veiviser("detect-language", stdin="hvordan starter jeg et foretak\nkorleis startar eg\nhur startar jag\n")
    assert result.stdout.split() == ["nb", "nn", "sv"]
    result = veiviser("detect-language", "--json", stdin="hur startar jag ett företag\n")
    row = json.loads(result.stdout)
    assert row["text"] == "hur startar jag ett företag" and row["language"] == "sv" and 0 < row["confidence"] <= 1


def test_eval_contract_on_a_tiny_beir_set(tmp_path: Path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"_id": "d1", "title": "Aksjeselskap", "text": "Et aksjeselskap må ha minst 30 000 kroner i aksjekapital."},
        {"_id": "d2", "title": "Frivillige", "text": "Frivillige må ofte levere politiattest når de jobber med barn."},
        {"_id": "d3", "title": "Moms", "text": "Merverdiavgift må registreres når omsetningen passerer grensen."},
    ]), "utf-8")
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps({"_id": "q1", "text": "hvor mye aksjekapital trengs"}) + "\n"
                       + json.dumps({"_id": "q2", "text": "trenger frivillige politiattest"}) + "\n", "utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n", "utf-8")
    args = ("eval", "--corpus", str(corpus), "--queries", str(queries), "--qrels", str(qrels), "--json")
    result = veiviser(*args, store=tmp_path / "s")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["queries"] == 2 and out["ndcg@10"] == 1.0 and out["recall@5"] == 1.0 and out["mrr@10"] == 1.0
    assert {"dense", "lexical", "fused"} <= set(out)
    again = json.loads(veiviser(*args, store=tmp_path / "s").stdout)
    assert again["index_seconds"] < out["index_seconds"] or again["index_seconds"] < 1.0  # vectors reused


def test_ingest_next_to_a_running_service_goes_through_it(cli_store: Path, tmp_path: Path):
    port = free_port()
    env = os.environ | {"MENTORS_FILE": str(FIXTURES / "mentors.yaml"), "LLM": "", "ADMIN_TOKEN": "cli-secret",
                        "KNOWLEDGE_DIRS": json.dumps([str(FIXTURES / "knowledge")])}
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--store", str(cli_store)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", server, 120, "veiviser serve")
        refused = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--store", str(cli_store)], env=env,
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 3 and f"--server http://127.0.0.1:{port}" in refused.stderr
        second = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--port", str(free_port()), "--store",
                                 str(cli_store)], env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 3 and "held by a running Veiviser service" in second.stderr
        through = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest", "--server", f"http://127.0.0.1:{port}", "--json"],
            env=env, capture_output=True, text=True, timeout=300)
        assert through.returncode == 0, through.stderr
        assert json.loads(through.stdout)["unchanged"] == 7
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_bad_line_never_stops_a_batch(cli_store: Path):
    lines = "hvor mye aksjekapital trenger et AS\n".encode() + b"\xff\xfe broken \x00 line\n" + \
        "hur startar jag en ekonomisk förening\n".encode()
    env = os.environ | {"MENTORS_FILE": str(FIXTURES / "mentors.yaml"), "LLM": ""}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "-", "--json", "--store", str(cli_store)],
                            input=lines, capture_output=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(answers) == 3 and answers[0]["confident"] and answers[2]["language"] == "sv"
    detected = subprocess.run([sys.executable, "-m", "bot.cli", "detect-language"], input=lines,
                              capture_output=True, env=env, timeout=120)
    assert detected.returncode == 0 and len(detected.stdout.split()) == 3


def test_serve_refuses_a_port_that_does_not_exist():
    result = veiviser("serve", "--port", "99999999")
    assert result.returncode == 2 and "not a TCP port" in result.stderr


def test_forget_deletes_what_is_stored_about_a_person(tmp_path: Path):
    from bot.models import Answer, Question
    from bot.records import Records

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    records = Records.open(url)
    for user in ("u-1", "u-2"):
        records.record_turn(Question(text="hei", channel="telegram", user_id=user, conversation_id=user),
                            Answer("hei", "nb", "Hei!", True))
    records.close()
    env = os.environ | {"DATABASE_URL": url}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "forget", "--channel", "telegram", "--user", "u-1",
                             "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["turns"] == 1
    records = Records.open(url)
    try:
        assert records.last_language("telegram", "u-1") is None and records.last_language("telegram", "u-2") == "nb"
    finally:
        records.close()
