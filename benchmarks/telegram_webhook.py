"""Webhook load: Telegram updates posted to `POST /telegram/webhook` of a running `veiviser serve`, answered through
the local fake Bot API (tests/fakes/telegram_api.py), in two phases against the same process: a burst (as fast as
`concurrency` connections allow: the capacity) and a paced run (`rate` updates per second: the latency at that
load). Each reports updates per second answered, the time from posting an update to the fake receiving its
`sendMessage` (p50, p95), errors and duplicate answers.

    .venv/bin/python -m benchmarks.telegram_webhook [--store DIR] [--updates N] [--concurrency C] [--rate R] [--json]

Each update comes from its own person and chat, so the per-user rate limit never applies; the outgoing call budget
(TELEGRAM_MESSAGES_PER_S) is lifted, as the fake has no limits. Every loop is bounded in time and count."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.load import free_port, pace
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "424242:BENCH-token"
SECRET = "bench-webhook-secret"
QUESTIONS = (
    "hvor mye aksjekapital trenger et AS",
    "hur mycket aktiekapital behöver ett aktiebolag",
    "korleis kan ein søkje om tilskot",
    "vad är ett arbetsintegrerande socialt företag",
)
FIRST_CHAT = 9_000_000
RUN = int(time.time()) * 10_000  # update ids differ from run to run (a store remembers the ids it has answered)


def update(number: int, text: str) -> dict:
    chat = FIRST_CHAT + number
    person = {"id": chat, "is_bot": False, "first_name": "Bench"}
    return {"update_id": RUN + number, "message": {
        "message_id": number + 1, "date": int(time.time()), "from": person, "chat": {"id": chat, "type": "private"},
        "text": text}}


async def post_all(url: str, updates: list[dict], concurrency: int, deadline: float,
                   rate: float = 0.0) -> tuple[dict[int, float], int]:
    """Post every update (at most `concurrency` at once; with `rate`, update i not before i / rate seconds after the
    start); returns when each was posted, by chat id, and errors."""
    posted: dict[int, float] = {}
    errors = 0
    gate = asyncio.Semaphore(concurrency)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    start = time.monotonic()

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        async def one(index: int, body: dict) -> None:
            nonlocal errors
            await pace(start, index, rate)
            async with gate:
                if time.monotonic() > deadline:
                    errors += 1
                    return
                posted[body["message"]["chat"]["id"]] = time.monotonic()
                try:
                    response = await client.post(url, json=body, headers=headers)
                    errors += response.status_code != 200
                except httpx.HTTPError:
                    errors += 1

        await asyncio.gather(*(one(i, body) for i, body in enumerate(updates)))
    return posted, errors


def run(store: Path, knowledge: Path, updates: int = 300, concurrency: int = 16, rate: float = 40.0,
        seconds: float = 120) -> dict:
    """Start a fake Bot API and `veiviser serve` on `store` (ingesting `knowledge` first), then post a burst of
    `updates` and `updates` more paced at `rate` per second."""
    fake = FakeTelegram().start()
    port = free_port()
    env = os.environ | {
        "VEIVISER_STORE": str(store), "KNOWLEDGE_DIRS": json.dumps([str(knowledge)]), "LLM": "",
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_WEBHOOK_URL": "", "TELEGRAM_MESSAGES_PER_S": "100000", "RATE_LIMIT_PER_MINUTE": "0",
    }
    subprocess.run([sys.executable, "-m", "bot.cli", "ingest"], env=env, check=True, capture_output=True, timeout=1800)
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        warm = [update(2 * updates + i, QUESTIONS[i % len(QUESTIONS)]) for i in range(8)]
        asyncio.run(post_all(url, warm, 4, time.monotonic() + 30))
        _wait_for_answers(fake, {FIRST_CHAT + 2 * updates + i for i in range(8)}, time.monotonic() + 60)
        burst = phase(fake, url, range(updates), concurrency, 0.0, seconds)
        paced = phase(fake, url, range(updates, 2 * updates), concurrency, rate, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
        fake.stop()
    return {"updates": updates, "concurrency": concurrency, "rate": rate, "burst": burst, "paced": paced}


def phase(fake: FakeTelegram, url: str, numbers: range, concurrency: int, rate: float, seconds: float) -> dict:
    """Post the updates `numbers` (paced at `rate` per second, or as a burst when 0) and measure their answers."""
    bodies = [update(i, QUESTIONS[i % len(QUESTIONS)]) for i in numbers]
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    posted, errors = asyncio.run(post_all(url, bodies, concurrency, deadline, rate))
    answers = _wait_for_answers(fake, set(posted), deadline)
    first_answer = {}
    for call in answers:
        first_answer.setdefault(int(call["chat_id"]), call.at)
    latencies = sorted((first_answer[chat] - at) * 1000 for chat, at in posted.items() if chat in first_answer)
    finished = max(first_answer.values(), default=started)
    return {
        "answered": len(latencies),
        "errors": errors + len(posted) - len(latencies),
        "duplicates": len(answers) - len(first_answer),
        "updates_per_s": round(len(latencies) / max(finished - started, 1e-9), 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
    }


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("veiviser serve exited at start-up")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("veiviser serve did not start within 300 s")


def _wait_for_answers(fake: FakeTelegram, chats: set[int], deadline: float) -> list:
    while True:
        answers = [c for c in fake.calls_of("sendMessage") if int(c["chat_id"]) in chats]
        if len({int(c["chat_id"]) for c in answers}) >= len(chats) or time.monotonic() > deadline:
            time.sleep(0.3)  # a duplicate would arrive right after
            return [c for c in fake.calls_of("sendMessage") if int(c["chat_id"]) in chats]
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / ".veiviser-bench-telegram")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.store, args.knowledge, args.updates, args.concurrency, args.rate)
    if args.json:
        print(json.dumps(result))
        return
    for name in ("burst", "paced"):
        r = result[name]
        print(f"{name}: {r['answered']}/{result['updates']} updates answered, {r['updates_per_s']} updates/s, "
              f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, {r['errors']} errors, {r['duplicates']} duplicates")


if __name__ == "__main__":
    main()
