"""Operations in one process: the request id (header, logs, recorded turn), Prometheus metrics, /readyz with each
part's state, and the "temporarily unavailable" answer while a required part is down. The same behaviour across
processes with real outages is in tests/e2e/test_topology.py."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from bot import logs
from bot.app import create_app

pytestmark = pytest.mark.e2e


@pytest.fixture()
def client(runtime):
    with TestClient(create_app(runtime.settings, runtime)) as test_client:
        yield test_client


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            sample, value = line.rsplit(" ", 1)
            got = ",".join(sorted(sample[len(name) + 1:-1].split(","))) if "{" in sample else ""
            if got == wanted:
                return float(value)
    return 0.0


def test_the_request_id_is_echoed_logged_and_recorded_with_the_turn(client, runtime, caplog):
    caplog.set_level(logging.INFO)
    response = client.post("/api/ask", json={"question": "hvor mye aksjekapital trenger et AS"},
                           headers={"X-Request-ID": "req-abc.123"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "req-abc.123"
    assert runtime.records.turn(response.json()["turn_id"])["request_id"] == "req-abc.123"
    fresh = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["x-request-id"]
    assert fresh != "bad id with spaces" and len(fresh) == 16  # an unsafe id is replaced, never echoed

    token = logs.set_request_id("req-abc.123")
    try:
        record = logging.LogRecord("bot.test", logging.WARNING, __file__, 1, "turn %s not recorded", ("t1",), None)
        logs.RequestIdFilter().filter(record)
        line = json.loads(logs.JsonFormatter().format(record))
    finally:
        logs.reset_request_id(token)
    assert line["request_id"] == "req-abc.123" and line["message"] == "turn t1 not recorded"
    assert line["level"] == "warning" and line["logger"] == "bot.test" and line["time"].endswith("Z")


def test_metrics_count_requests_per_channel_and_route_and_answers_by_kind(client):
    before = client.get("/metrics").text
    for text in ("hvor mye aksjekapital trenger et AS", "hei", "hvordan dyrker jeg tomater på Mars"):
        client.post("/api/ask", json={"question": text})
    after = client.get("/metrics")
    assert after.status_code == 200 and after.headers["content-type"].startswith("text/plain")
    text = after.text
    for kind in ("answer", "smalltalk", "declined"):
        assert metric(text, "veiviser_answers_total", channel="web", kind=kind) \
            == metric(before, "veiviser_answers_total", channel="web", kind=kind) + 1
    asked = metric(text, "veiviser_http_requests_total", channel="web", route="/api/ask", status="200")
    assert asked == metric(before, "veiviser_http_requests_total", channel="web", route="/api/ask", status="200") + 3
    assert metric(text, "veiviser_http_request_seconds_count", channel="web", route="/api/ask") >= 3
    for name in ("veiviser_llm_calls_total", "veiviser_llm_fallbacks_total", "veiviser_ingest_runs_total",
                 "veiviser_ingest_seconds", "veiviser_dedupe_hits_total"):
        assert f"# TYPE {name.removesuffix('_total')}" in text


def test_readyz_reports_each_part_and_the_llm_when_configured(runtime, openai_port_closed):
    with TestClient(create_app(runtime.settings, runtime)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "store": "ok", "database": "ok", "content": "ok"}
    from bot.runtime import dependency_checks

    settings = runtime.settings.model_copy(update={"llm": "openai:test", "llm_base_url": openai_port_closed})
    runtime.health.checks = dependency_checks(settings, runtime.index, runtime.records)
    with TestClient(create_app(runtime.settings, runtime)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200  # without the LLM answers fall back to extractive: still ready
    assert ready.json()["llm"] == "down: ConnectError" and ready.json()["store"] == "ok"


@pytest.fixture()
def openai_port_closed() -> str:
    from tests.helpers import free_port

    return f"http://127.0.0.1:{free_port()}/v1"


def test_while_the_database_is_down_questions_get_a_localised_503_and_recover(client, runtime):
    checks = dict(runtime.health.checks)
    runtime.health.checks["database"] = lambda: "down: OperationalError"  # the state the monitor would find
    try:
        runtime.health.check_now()
        for question, expected in (("hvor mye aksjekapital trenger et AS", "midlertidig utilgjengelig"),
                                   ("hur mycket aktiekapital behöver ett aktiebolag", "tillfälligt otillgängligt")):
            down = client.post("/api/ask", json={"question": question})
            assert down.status_code == 503 and expected in down.json()["detail"]
            assert down.json()["error"] == "unavailable" and down.headers["retry-after"].isdigit()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["database"] == "down: OperationalError"
    finally:
        runtime.health.checks = checks
    runtime.health.check_now()
    assert client.post("/api/ask", json={"question": "hvor mye aksjekapital trenger et AS"}).status_code == 200
    assert "veiviser_unavailable_total{part=\"database\"}" in client.get("/metrics").text


def test_serve_workers_refuses_an_embedded_store_and_says_what_to_do(tmp_path, capsys, monkeypatch):
    from bot.cli import main

    monkeypatch.delenv("CHROMA_HOST", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["serve", "--workers", "2", "--store", str(tmp_path / "store")]) == 3
    message = capsys.readouterr().err
    assert "--workers 2 needs a Chroma server" in message and "one writer" in message and "CHROMA_HOST" in message
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    assert main(["serve", "--workers", "2", "--telegram-polling", "--store", str(tmp_path / "store")]) == 3
    assert "long polling" in capsys.readouterr().err
