"""A local fake Telegram Bot API server for the tests (aiohttp, in a thread, on 127.0.0.1).

Point a bot at it with `base_url=server.base_url` (`http://127.0.0.1:PORT/bot`). It answers the methods the bot
uses, records every call (method and decoded parameters), hands out queued updates to `getUpdates`, and can be told
to fail the next call(s) of a method with a 429 (`retry_after`) or a 400 "can't parse entities"."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.threaded_server import ThreadedServer, decode_form_value

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Veiviser", "username": "veiviser_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}


@dataclass
class Call:
    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)  # when the fake received it

    def __getitem__(self, key: str):  # noqa: ANN204
        return self.params[key]

    def get(self, key: str, default=None):  # noqa: ANN001, ANN201
        return self.params.get(key, default)


@dataclass
class FakeTelegram(ThreadedServer):
    name = "fake Telegram server"

    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    _failures: dict[str, list[dict]] = field(default_factory=dict)
    _updates: list[dict] = field(default_factory=list)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- control, from the test's thread --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    def fail_next(self, method: str, status: int = 429, times: int = 1, retry_after: int = 1,
                  description: str = "") -> None:
        """The next `times` calls of `method` fail: 429 with `retry_after`, or 400 can't parse entities."""
        if status == 429:
            body = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after}}
        else:
            body = {"ok": False, "error_code": status, "description": description
                    or "Bad Request: can't parse entities: unsupported start tag \"x\" at byte offset 0"}
        with self._lock:
            self._failures.setdefault(method, []).extend([body] * times)

    def queue_update(self, update: dict) -> None:
        """An update for the next `getUpdates` (long polling)."""
        with self._lock:
            self._updates.append(update)

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

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()

    # --- the server ---------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            form = await request.post() if request.can_read_body else {}
        except ConnectionResetError:  # the client went away mid-request (a serve process stopping): no call made
            return web.Response(status=499)
        params = {key: decode_form_value(value) for key, value in form.items()}
        with self._lock:
            self.calls.append(Call(method, params))
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
        if failure is not None:
            return web.json_response(failure, status=failure["error_code"])
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._take_updates(params)})
        return web.json_response({"ok": True, "result": self._result(method, params)})

    async def _take_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        for _ in range(10):  # a short long-poll, so that polling tests stay fast
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates:
                    return list(self._updates)
            await asyncio.sleep(0.05)
        return []

    def _result(self, method: str, params: dict):  # noqa: ANN202
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params.get("chat_id") or 1)
            message = {"message_id": int(params.get("message_id") or next(self._message_ids)),
                       "date": int(time.time()), "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                       "from": BOT_USER, "text": params.get("text", "")}
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        return True

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
