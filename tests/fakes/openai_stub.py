"""A local OpenAI-compatible server for tests (loopback only): chat completions (streamed or not) and embeddings.

Replies are scriptable: `script` holds one step per chat request (a reply text, a function of the request body, or
a dict with `reply`, `status`, `delay`, `chunk_delay`); when it is used up the defaults answer. Status 429 and 5xx
answer with an error body (429 with `Retry-After`)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Union

Reply = Union[str, Callable[[dict], str]]


def hashed_embedding(text: str, dim: int = 64) -> list[float]:
    """A deterministic bag-of-words vector: texts sharing words point the same way (enough to test plumbing)."""
    vector = [0.0] * dim
    for word in re.findall(r"\w+", text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % dim] += 1.0
    return vector


def pieces(text: str, size: int = 7) -> list[str]:
    """The reply cut into small pieces, as a model streams tokens."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


class ScriptedServer:
    """The loopback HTTP server and the reply script that the OpenAI and Anthropic stubs share."""

    def __init__(self, reply: Reply = "Stub answer [1].", status: int = 200, delay: float = 0.0,
                 script: list | None = None, chunk_delay: float = 0.0) -> None:
        self.reply, self.status, self.delay, self.chunk_delay = reply, status, delay, chunk_delay
        self.script: list = list(script or [])
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                stub.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                try:
                    stub.handle(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:  # noqa: N802 - GET /v1/models, what a readiness check asks
                try:
                    if self.path.endswith("/models"):
                        stub.send_json(self, 200, {"object": "list", "data": [{"id": "stub-model", "object": "model"}]})
                    else:
                        stub.send_json(self, 404, {"error": {"message": "not found"}})
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:  # silence
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def next_step(self, body: dict) -> dict:
        """The step for this request: reply text, status, delay, chunk_delay."""
        with self._lock:
            step = self.script.pop(0) if self.script else {}
        if not isinstance(step, dict):
            step = {"reply": step}
        reply = step.get("reply", self.reply)
        return {"reply": reply(body) if callable(reply) else reply, "status": step.get("status", self.status),
                "delay": step.get("delay", self.delay), "chunk_delay": step.get("chunk_delay", self.chunk_delay)}

    @property
    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if not r["path"].endswith("/embeddings")]

    def handle(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        raise NotImplementedError

    @staticmethod
    def send_json(handler: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        if status == 429:
            handler.send_header("retry-after", "1")
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def send_events(handler: BaseHTTPRequestHandler, events: list[str], chunk_delay: float) -> None:
        """Server-sent events, written as they come (chunked transfer encoding)."""
        handler.send_response(200)
        handler.send_header("content-type", "text/event-stream")
        handler.send_header("transfer-encoding", "chunked")
        handler.end_headers()
        for event in events:
            data = event.encode()
            handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            handler.wfile.flush()
            time.sleep(chunk_delay)
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()

    def __enter__(self):  # noqa: ANN204
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


class OpenAIStub(ScriptedServer):
    """POST /v1/chat/completions (with `"stream": true` as server-sent chunks, the usage in the last one) and
    POST /v1/embeddings with `hashed_embedding` vectors."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def handle(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        if handler.path.endswith("/embeddings"):
            time.sleep(self.delay)
            if self.status != 200:
                return self.send_json(handler, self.status, {"error": {"message": "stub failure", "type": "server_error"}})
            return self.send_json(handler, 200, {
                "object": "list", "model": body.get("model", "stub"),
                "data": [{"object": "embedding", "index": i, "embedding": hashed_embedding(text)}
                         for i, text in enumerate(body.get("input", []))],
            })
        step = self.next_step(body)
        time.sleep(step["delay"])
        if step["status"] != 200:
            kind = "rate_limit_exceeded" if step["status"] == 429 else "server_error"
            return self.send_json(handler, step["status"], {"error": {"message": "stub failure", "type": kind}})
        text, model = step["reply"], body.get("model", "stub")
        usage = {"prompt_tokens": sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4,
                 "completion_tokens": max(1, len(text) // 4)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if not body.get("stream"):
            return self.send_json(handler, 200, {
                "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
                "usage": usage,
            })
        base = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        events = [base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
        events += [base | {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                   for piece in pieces(text)]
        events.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append(base | {"choices": [], "usage": usage})
        self.send_events(handler, [f"data: {json.dumps(e)}\n\n" for e in events] + ["data: [DONE]\n\n"],
                         step["chunk_delay"])
