"""Security headers for every response, and a per-response CSP nonce for the pages' inline script and style.

Design. The Content-Security-Policy allows scripts and styles from this origin only, plus inline `<script>` and
`<style>` elements that carry this response's nonce. A middleware cannot edit a page, so the nonce travels the
other way round: for each HTTP request the middleware draws a fresh random nonce and puts it in the request
state *before* the route runs; a route that renders HTML reads it with `csp_nonce(request)` and writes it into
the page (`chat.html` has `nonce="{{nonce}}"` on its `<script>` and `<style>`, filled by `render_chat_page` like
the other placeholders); when the response starts, the middleware writes the same nonce into the CSP header.
A page rendered without the nonce simply gets its inline code blocked - nothing unsafe runs.

Why a nonce rather than hashes: the chat page's strings are substituted per language, and the inline code is
edited often; a nonce needs no hash to be recomputed whenever `chat.html` changes, and it costs nothing on the
JSON routes. It is not a cache key problem either: the pages are rendered per request anyway.

The middleware is plain ASGI (not `BaseHTTPMiddleware`), so streaming responses and background tasks pass
through untouched. A header that a route set itself is left as it is (a route may need a different policy).
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import FastAPI, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE_KEY = "csp_nonce"


def content_security_policy(nonce: str) -> str:
    """Same-origin scripts, styles, images, fetches and forms only; no plugins, no framing, no <base> tricks."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(nonce: str) -> dict[str, str]:
    """The headers every response carries."""
    return {
        "Content-Security-Policy": content_security_policy(nonce),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def csp_nonce(request: Request) -> str:
    """This response's CSP nonce, for `nonce="..."` on inline `<script>` and `<style>` ("" without the middleware)."""
    return str(request.scope.get("state", {}).get(NONCE_KEY, ""))


class SecurityHeadersMiddleware:
    """Draws a nonce per HTTP request and adds `security_headers(nonce)` to the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})[NONCE_KEY] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(nonce).items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(app: FastAPI) -> None:
    """Add the security headers (and the nonce behind `csp_nonce`) to every response of `app`.

    Call it after the app's other middleware is declared, so it is the outermost one and also covers their
    responses (e.g. a 413 from a body-size check)."""
    app.add_middleware(SecurityHeadersMiddleware)


def docs_settings() -> dict[str, Any]:
    """`FastAPI(...)` keyword arguments: no /docs or /redoc (they load scripts from a CDN); /openapi.json stays."""
    return {"docs_url": None, "redoc_url": None}
