"""What every HTTP request leaves behind: a request id (the `X-Request-ID` header given, or a new one, echoed in the
response and carried by every log line of the request) and its count and latency per channel and route."""

from __future__ import annotations

import re
import time

from bot import metrics
from bot.logs import new_request_id, reset_request_id, set_request_id

REQUEST_ID_HEADER = b"x-request-id"
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
CHANNELS = (("/telegram/", "telegram"), ("/slack/", "slack"), ("/admin", "admin"), ("/api/", "web"),
            ("/read/", "web"))
OPERATIONS = ("/healthz", "/readyz", "/metrics")


def channel_of(route: str) -> str:
    """web, telegram, slack, admin, or ops (health, readiness, metrics and anything unmatched)."""
    if route == "/":
        return "web"
    if route in OPERATIONS:
        return "ops"
    return next((channel for prefix, channel in CHANNELS if route.startswith(prefix)), "ops")


class Observe:
    """Pure ASGI middleware (it does not buffer bodies, so streaming and the body limit keep working)."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        rid = given if SAFE_ID.match(given) else new_request_id()
        token = set_request_id(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message) -> None:  # noqa: ANN001
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            metrics.http_request(channel_of(route), route, status, time.perf_counter() - started)
            reset_request_id(token)
