"""A local server speaking Anthropic's Messages API for tests (loopback only): POST /v1/messages, streamed (the
message_start … message_stop events) or not, with the same reply script as the OpenAI stub."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler

from tests.fakes.openai_stub import ScriptedServer, pieces


class AnthropicStub(ScriptedServer):
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def handle(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        step = self.next_step(body)
        time.sleep(step["delay"])
        if step["status"] != 200:
            kind = "rate_limit_error" if step["status"] == 429 else "api_error"
            return self.send_json(handler, step["status"], {"type": "error",
                                                            "error": {"type": kind, "message": "stub failure"}})
        text, model = step["reply"], body.get("model", "stub")
        prompt = len(json.dumps(body.get("system", ""))) // 4 + sum(len(json.dumps(m)) for m in body.get("messages", [])) // 4
        completion = max(1, len(text) // 4)
        if not body.get("stream"):
            return self.send_json(handler, 200, {
                "id": "msg_stub", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
                "usage": {"input_tokens": prompt, "output_tokens": completion},
            })
        events = [("message_start", {"type": "message_start", "message": {
            "id": "msg_stub", "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": prompt, "output_tokens": 1}}}),
            ("content_block_start", {"type": "content_block_start", "index": 0,
                                     "content_block": {"type": "text", "text": ""}})]
        events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                            "delta": {"type": "text_delta", "text": piece}}) for piece in pieces(text)]
        events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
                   ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                      "usage": {"output_tokens": completion}}),
                   ("message_stop", {"type": "message_stop"})]
        self.send_events(handler, [f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events],
                         step["chunk_delay"])
