"""A local fake Slack Web API server for the tests (aiohttp, in a thread, on 127.0.0.1).

Point the bot's client at it with SLACK_API_BASE_URL=`server.base_url` (`http://127.0.0.1:PORT/api/`). It answers
the methods the bot uses, serves response URLs (`server.response_url()`), records every call (method and decoded
parameters: query, form or JSON), knows each user's locale (`server.locales`), and can be told to answer the next
call(s) of a method with a 429 and `Retry-After`.

It also plays Slack's Socket Mode side: `apps.connections.open` hands out `ws://127.0.0.1:PORT/socket`, the server
greets each connection with `hello`, `send_envelope()` pushes an envelope to every connected client and the
clients' acknowledgements are kept in `socket_acks` (envelope ids)."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.threaded_server import ThreadedServer, decode_form_value

BOT_USER_ID = "UVEIVISER1"
BOT_ID = "BVEIVISER1"
TEAM_ID = "T0TEST0001"


@dataclass
class Call:
    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, key: str):  # noqa: ANN204
        return self.params[key]

    def get(self, key: str, default=None):  # noqa: ANN001, ANN201
        return self.params.get(key, default)


@dataclass
class FakeSlack(ThreadedServer):
    name = "fake Slack server"

    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    locales: dict[str, str] = field(default_factory=dict)
    _failures: dict[str, list[int | str]] = field(default_factory=dict)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    socket_acks: list[str] = field(default_factory=list)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)

    # --- control, from the test's thread --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/"

    def response_url(self, name: str = "r") -> str:
        """A slash command's or an action's response URL; calls to it are recorded as method "response"."""
        return f"http://{self.host}:{self.port}/response/{name}"

    def fail_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` get a 429 with `Retry-After: retry_after`."""
        with self._lock:
            self._failures.setdefault(method, []).extend([retry_after] * times)

    def error_next(self, method: str, error: str = "internal_error", times: int = 1) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}` (a Slack API error)."""
        with self._lock:
            self._failures.setdefault(method, []).extend([error] * times)

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, seconds: float = 10.0, where=None) -> list[Call]:  # noqa: ANN001
        """The calls of `method` (matching `where`) once there are `count` of them; fails after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            found = [c for c in self.calls_of(method) if where is None or where(c)]
            if len(found) >= count:
                return found
            assert time.monotonic() < deadline, f"{method}: {len(found)} calls after {seconds} s, wanted {count}"
            time.sleep(0.02)

    def send_envelope(self, envelope_type: str, payload: dict, envelope_id: str) -> int:
        """Push one Socket Mode envelope to every connected client; returns how many got it."""
        message = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                   "accepts_response_payload": envelope_type != "events_api", "retry_attempt": 0,
                   "retry_reason": ""}

        async def send() -> int:
            live = [ws for ws in self._sockets if not ws.closed]
            for ws in live:
                await ws.send_str(json.dumps(message))
            return len(live)

        return asyncio.run_coroutine_threadsafe(send(), self._loop).result(10)

    def wait_for_socket(self, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while not [ws for ws in self._sockets if not ws.closed]:
            assert time.monotonic() < deadline, f"no Socket Mode client connected within {seconds} s"
            time.sleep(0.02)

    def wait_for_ack(self, envelope_id: str, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while envelope_id not in self.socket_acks:
            assert time.monotonic() < deadline, f"envelope {envelope_id} not acknowledged within {seconds} s"
            time.sleep(0.02)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()

    # --- the server ---------------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict:
        params = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update({k: decode_form_value(v) for k, v in (await request.post()).items()})
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await self._params(request)
        except ConnectionResetError:  # the client went away mid-request (a serve process stopping): no call made
            return web.Response(status=499)
        with self._lock:
            self.calls.append(Call(method, params))
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
        if isinstance(failure, str):
            return web.json_response({"ok": False, "error": failure})
        if failure is not None:
            retry_after = failure
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(retry_after)})
        return web.json_response({"ok": True, **self._result(method, params)})

    async def _response(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        with self._lock:
            self.calls.append(Call("response", params | {"_url": request.match_info["name"]}))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                      "connection_info": {"app_id": "A0TEST"}}))
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                with self._lock:
                    self.socket_acks.append(json.loads(message.data).get("envelope_id", ""))
        return ws

    def _result(self, method: str, params: dict) -> dict:
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        if method == "auth.test":
            return {"url": "https://veiviser-test.slack.com/", "team": "Test", "user": "veiviser",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method in ("chat.postMessage", "chat.update"):
            return {"channel": params.get("channel"), "ts": params.get("ts") or ts,
                    "message": {"text": params.get("text", ""), "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}}
        if method == "chat.postEphemeral":
            return {"message_ts": ts}
        if method == "chat.getPermalink":
            return {"channel": params.get("channel"),
                    "permalink": f"https://veiviser-test.slack.com/archives/{params.get('channel')}/p"
                                 f"{str(params.get('message_ts', '')).replace('.', '')}"}
        if method == "apps.connections.open":
            return {"url": f"ws://{self.host}:{self.port}/socket"}
        if method == "views.open":
            return {"view": {"id": "V0MODAL", **(params.get("view") or {})}}
        if method == "views.publish":
            return {"view": {"id": "V0TEST", "type": "home", "blocks": params.get("view", {}).get("blocks", [])}}
        if method == "conversations.open":
            users = str(params.get("users", ""))
            return {"channel": {"id": "D" + users.split(",")[0][1:]}}
        if method == "conversations.replies":
            return {"messages": [], "has_more": False}
        if method == "users.info":
            user = str(params.get("user", ""))
            return {"user": {"id": user, "name": user.lower(), "is_bot": False,
                             "locale": self.locales.get(user, "nb-NO")}}
        return {}

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_get("/socket", self._socket)
