"""Security headers and the CSP nonce, on a tiny app of its own (the service wires the same two functions)."""

import re

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.testclient import TestClient

from bot.web.security import csp_nonce, docs_settings, install_security

NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


@pytest.fixture()
def client():
    app = FastAPI(**docs_settings())

    @app.middleware("http")
    async def refuse_big(request: Request, call_next):
        if request.headers.get("x-big"):
            return JSONResponse({"detail": "too large"}, 413)
        return await call_next(request)

    @app.get("/page", response_class=HTMLResponse)
    async def page(request: Request) -> str:
        nonce = csp_nonce(request)
        return f'<style nonce="{nonce}">p{{}}</style><script nonce="{nonce}">1</script>'

    @app.get("/json")
    async def data() -> dict:
        return {"ok": True}

    @app.get("/own-policy")
    async def own_policy() -> Response:
        return Response("x", headers={"Content-Security-Policy": "default-src 'none'"})

    install_security(app)
    with TestClient(app) as test_client:
        yield test_client


def assert_secure(response) -> str:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    policy = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    for directive in ("script-src", "style-src"):
        sources = policy[directive].split()
        assert sources[0] == "'self'" and len(sources) == 2 and NONCE.fullmatch(sources[1]), policy[directive]
    (nonce,) = set(NONCE.findall(headers["content-security-policy"]))
    return nonce


def test_every_kind_of_response_carries_the_headers(client):
    for response in (
        client.get("/page"),
        client.get("/json"),
        client.get("/no-such-route"),
        client.post("/json"),
        client.get("/json", headers={"x-big": "1"}),
    ):
        assert_secure(response)


def test_the_page_gets_this_responses_nonce_and_each_response_a_new_one(client):
    nonces = set()
    for _ in range(3):
        response = client.get("/page")
        nonce = assert_secure(response)
        assert response.text.count(f'nonce="{nonce}"') == 2
        assert len(nonce) >= 22  # at least 128 random bits
        nonces.add(nonce)
    assert len(nonces) == 3


def test_a_route_may_set_its_own_policy(client):
    response = client.get("/own-policy")
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert response.headers["x-frame-options"] == "DENY"


def test_no_pages_that_load_scripts_from_a_cdn_but_the_schema_stays(client):
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404
    schema = client.get("/openapi.json")
    assert schema.status_code == 200 and "/page" in schema.json()["paths"]


def test_csp_nonce_without_the_middleware_is_empty():
    app = FastAPI()

    @app.get("/")
    async def nonce(request: Request) -> dict:
        return {"nonce": csp_nonce(request)}

    with TestClient(app) as test_client:
        assert test_client.get("/").json() == {"nonce": ""}
