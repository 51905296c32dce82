"""A local OpenAI-compatible server for tests (loopback only): chat completions and embeddings."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def hashed_embedding(text: str, dim: int = 64) -> list[float]:
    """A deterministic bag-of-words vector: texts sharing words point the same way (enough to test plumbing)."""
    vector = [0.0] * dim
    for word in re.findall(r"\w+", text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % dim] += 1.0
    return vector


class OpenAIStub:
    """Answers POST /v1/chat/completions with `reply` and POST /v1/embeddings with `hashed_embedding` vectors,
    or fails with `status`, or stalls for `delay` seconds."""

    def __init__(self, reply: str = "Stub answer [1].", status: int = 200, delay: float = 0.0) -> None:
        self.reply, self.status, self.delay = reply, status, delay
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                stub.requests.append({"path": self.path, "body": body})
                time.sleep(stub.delay)
                if stub.status != 200:
                    payload = {"error": {"message": "stub failure", "type": "server_error"}}
                elif self.path.endswith("/embeddings"):
                    payload = {
                        "object": "list",
                        "model": body.get("model", "stub"),
                        "data": [{"object": "embedding", "index": i, "embedding": hashed_embedding(text)}
                                 for i, text in enumerate(body.get("input", []))],
                    }
                else:
                    payload = {
                        "id": "chatcmpl-stub",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "stub"),
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": stub.reply}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                data = json.dumps(payload).encode()
                try:
                    self.send_response(stub.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:  # silence
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "OpenAIStub":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
