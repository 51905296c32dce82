"""Webhook load: Telegram updates posted to `POST /telegram/webhook` of a running `veiviser serve`, answered through
the local fake Bot API (tests/fakes/telegram_api.py), in two phases against the same process: a burst (as fast as
`concurrency` connections allow: the capacity) and a paced run (`rate` updates per second: the latency at that
load). Each reports updates per second answered, the time from posting an update to the fake receiving its
`sendMessage` (p50, p95), errors and duplicate answers.

    .venv/bin/python -m benchmarks.telegram_webhook [--store DIR] [--updates N] [--concurrency C] [--rate R] [--json]

Each update comes from its own person and chat, so the per-user rate limit never applies; the outgoing call budget
(TELEGRAM_MESSAGES_PER_S) is lifted, as the fake has no limits. Every loop is bounded in time and count."""

from __future__ import annotations

import json
import time
from pathlib import Path

from benchmarks import channel_load
from benchmarks.channel_load import ROOT, Platform
from tests.fakes.telegram_api import FakeTelegram
from tests.platform_requests import telegram_headers, telegram_update

TOKEN = "424242:BENCH-token"
SECRET = "bench-webhook-secret"
FIRST_CHAT = 9_000_000
RUN = int(time.time()) * 10_000  # update ids differ from run to run (a store remembers the ids it has answered)


def request(number: int, text: str) -> tuple[int, str]:
    """(chat, JSON body) of an update from its own person in their own chat."""
    chat = FIRST_CHAT + number
    return chat, json.dumps(telegram_update(RUN + number, chat, text, lang=None))


def _settings(base_url: str) -> dict:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": base_url,
            "TELEGRAM_WEBHOOK_URL": "", "TELEGRAM_MESSAGES_PER_S": "100000"}


def _headers(body: str) -> dict:
    return {"Content-Type": "application/json", **telegram_headers(SECRET)}


def _replies(fake: FakeTelegram) -> list[tuple[int, float]]:
    return [(int(call["chat_id"]), call.at) for call in fake.calls_of("sendMessage")]


TELEGRAM = Platform("updates", "/telegram/webhook", FakeTelegram, _settings, request, _headers, _replies)


def run(store: Path, knowledge: Path, updates: int = 300, concurrency: int = 16, rate: float = 40.0,
        seconds: float = 120) -> dict:
    """Start a fake Bot API and `veiviser serve` on `store` (ingesting `knowledge` first), then post a burst of
    `updates` and `updates` more paced at `rate` per second."""
    return channel_load.run(TELEGRAM, store, knowledge, updates, concurrency, rate, seconds)


def main() -> None:
    channel_load.main(TELEGRAM, __doc__.split("\n\n")[0], ROOT / ".veiviser-bench-telegram")


if __name__ == "__main__":
    main()
